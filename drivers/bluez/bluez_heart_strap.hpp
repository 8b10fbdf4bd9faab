#pragma once
// A Bluetooth LE heart-rate strap (Polar H10 and friends) read through BlueZ over D-Bus.
// Finds the strap among bluetoothd's devices, connects, subscribes to the Heart Rate
// Measurement characteristic (0x2A37) and hands decoded beats to the caller; reconnects
// and re-subscribes on its own after the link drops. Runs on the caller's io_context,
// no threads of its own. D-Bus flow, states and errors: schemas/bluez-heart-rate.md.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "drivers/driver_options.hpp"
#include "drivers/samples.hpp"

namespace boost::asio {
class io_context;
}

namespace plinth {

struct BluezStrapConfig {
  std::string bus_address;  // "" = the system bus; tests pass a private bus address
  std::string adapter = "hci0";
  // "A0:9E:1A:12:34:56" (matched against Address), or a name matched against the start
  // of Name or Alias ("Polar H10" finds "Polar H10 1A2B3C4D").
  std::string device;
  std::chrono::milliseconds reconnect_delay{2000};  // after a lost link or a failed step
  std::chrono::milliseconds resolve_timeout{30000}; // Connect until notifications flow
  bool prefer_acquire_notify = true;  // AcquireNotify (fd, no D-Bus per beat) before StartNotify
  bool discover_when_missing = true;  // Adapter1.StartDiscovery while the strap is unknown
};

// driver = "bluez" in a [[heart]] table. Not a serial protocol, so not in the driver table;
// its config keys are declared here as a table driver declares its own.
inline constexpr std::string_view kBluezDriver = "bluez";
inline constexpr DriverOptionSpec kBluezOptions[] = {
    // address "A0:9E:..." or a name prefix "Polar H10"
    {.key = "device", .type = DriverOptionSpec::Type::text, .required = true},
    {.key = "adapter", .type = DriverOptionSpec::Type::text},
    // "" = the system bus (tests use a private bus)
    {.key = "bus_address", .type = DriverOptionSpec::Type::text},
};
// The strap's settings from those keys (the rest at their defaults).
BluezStrapConfig bluez_strap_config(const DriverOptions& options);

enum class BluezStrapState {
  idle,         // not started, or stopped
  searching,    // looking for the adapter/device among BlueZ's objects
  connecting,   // Device1.Connect sent
  resolving,    // connected, waiting for ServicesResolved and the 0x2A37 characteristic
  subscribing,  // AcquireNotify / StartNotify sent
  streaming,    // notifications arrive
  lost,         // link dropped or a step failed; retrying after reconnect_delay
  error,        // cannot proceed (no bus, no bluetoothd, no adapter, no HR service); retrying
};
const char* state_name(BluezStrapState state);

struct BluezStrapCallbacks {
  // Beats of one notification (none are delivered for a rate-only payload). Called on the
  // io_context's thread as the notification arrives: stamp host time here.
  std::function<void(const std::vector<HeartSample>&)> on_samples;
  // Every change of state or of its human-readable detail.
  std::function<void(BluezStrapState, const std::string& detail)> on_state;
};

struct BluezStrapCounters {
  std::uint64_t notifications = 0;   // payloads received
  std::uint64_t samples = 0;         // RR intervals delivered
  std::uint64_t decode_errors = 0;   // payloads rejected by parse_heart_rate_measurement
  std::uint64_t subscriptions = 0;   // successful AcquireNotify/StartNotify, one per (re)connect
  std::uint64_t link_losses = 0;
  bool acquired_notify = false;      // current subscription is an AcquireNotify fd
  std::string device_path;           // e.g. /org/bluez/hci0/dev_A0_9E_1A_12_34_56
  std::string characteristic_path;
  std::string last_decode_error;
};

class BluezHeartStrap {
 public:
  // Throws std::invalid_argument for an empty device or adapter. Nothing happens before start().
  BluezHeartStrap(boost::asio::io_context& io, BluezStrapConfig config, BluezStrapCallbacks callbacks);
  ~BluezHeartStrap();  // stop()
  BluezHeartStrap(const BluezHeartStrap&) = delete;
  BluezHeartStrap& operator=(const BluezHeartStrap&) = delete;

  // Call from the io_context's thread (or before it runs). Failures are reported through
  // on_state and retried; start() itself does not throw for an absent bus or strap.
  void start();
  // Unsubscribes, closes the D-Bus connection and reports idle. The strap stays connected
  // to BlueZ (other programs may use it); start() again is allowed.
  void stop();

  BluezStrapState state() const;
  BluezStrapCounters counters() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace plinth
