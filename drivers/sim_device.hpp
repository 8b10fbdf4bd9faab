#pragma once
// A simulated device on a byte stream: a thread that writes a protocol's messages on a
// schedule to a pseudo-terminal (or a real port) and answers what the host writes. Used by
// `plinth sim` and by `plinthd --simulate`, so the daemon reads simulated devices through
// exactly the serial path real devices take.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/serial_port.hpp"
#include "drivers/sim_faults.hpp"

namespace plinth {

// What the device sends next. emit() appends one message through the encoder and returns
// how long until the next one; finished() ends the device (a recording that ran out).
class SimEmitter {
 public:
  virtual ~SimEmitter() = default;
  virtual std::chrono::nanoseconds emit(SimEncoder& encoder, std::vector<std::uint8_t>& out) = 0;
  virtual bool finished() const { return false; }
  // The device's own counter of the message last emitted, if its protocol has one (fault logs
  // name messages by it); otherwise messages are named by their index.
  virtual std::optional<std::uint64_t> last_sequence() const { return std::nullopt; }
};

// Frames from a generator at a fixed rate. The generator fills the frame (reusing its
// storage) and returns false when it has no more.
class MatFrameEmitter final : public SimEmitter {
 public:
  using Generator = std::function<bool(MatFrame&)>;
  MatFrameEmitter(Generator generator, double rate_hz);
  std::chrono::nanoseconds emit(SimEncoder& encoder, std::vector<std::uint8_t>& out) override;
  bool finished() const override { return finished_; }
  std::optional<std::uint64_t> last_sequence() const override { return frame_.device_seq; }

 private:
  Generator generator_;
  std::chrono::nanoseconds period_;
  MatFrame frame_;
  bool finished_ = false;
};

struct SimDeviceStats {
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_dropped = 0;  // the port was full (a real device would drop too) or unplugged
  std::uint64_t host_bytes = 0;
};

// A plug change the simulator made (UNIX ns of the moment it took effect).
struct SimPlugEvent {
  bool plugged = false;
  std::int64_t unix_ns = 0;
  std::string pty_path;  // the new pty when plugged back in
};

// What the device did to its own stream, for tests (`plinth sim --fault-log`). Messages are
// named by the emitter's device sequence number, or by their index when it has none.
struct SimFaultReport {
  StreamFaultCounts faults;
  std::vector<std::uint64_t> intact;     // queued unchanged (garbage before or a duplicate allowed)
  std::vector<std::uint64_t> corrupted;  // bit-flipped or truncated
  std::vector<std::uint64_t> not_sent;   // dropped (port full) or emitted while unplugged
  std::vector<SimPlugEvent> plug_events;
};

class SimulatedDevice {
 public:
  // Creates a pseudo-terminal (port empty) or opens the given port.
  SimulatedDevice(const DriverDescriptor& driver, const DriverOptions& options, const DeviceInfo& info,
                  std::unique_ptr<SimEmitter> emitter, const std::string& port = "");
  ~SimulatedDevice();
  SimulatedDevice(const SimulatedDevice&) = delete;
  SimulatedDevice& operator=(const SimulatedDevice&) = delete;

  // The path the host should open (the pty's slave, the link, or the given port).
  const std::string& host_path() const { return host_path_; }

  // Set-up before start(), for fault tests:
  // Keeps a symlink at `path` to the current pty slave, as udev keeps /dev/serial/by-id/...
  // for a USB device; host_path() becomes the link, which survives unplugging. Pty only.
  void set_link_path(const std::string& path);
  // Corrupts a fraction `rate` of messages (drivers/sim_faults.hpp), reproducibly.
  void set_faults(double rate, std::uint64_t seed);
  // Emits `factor` times faster than real time (long runs in minutes); device clocks in the
  // messages still advance at the nominal rate.
  void set_time_warp(double factor);
  // Keep the per-message lists of the fault report (they grow with every message).
  void set_record_messages(bool on) { record_messages_ = on; }

  // Thread-safe. Unplugged, the device closes its pty (the host's reads fail with EIO, as on
  // a USB unplug) and removes the link; it keeps counting messages but sends none. Plugged
  // back, it opens a new pty and points the link at it. Takes effect within ~50 ms.
  void set_plugged(bool plugged);
  // The report; complete once stop() has returned.
  const SimFaultReport& fault_report() const { return report_; }

  void start();
  void stop();
  bool running() const { return running_; }
  SimDeviceStats stats() const;
  // Called on the device thread right after a message's last byte went to the port
  // (latency benchmarks stamp frames here).
  std::function<void(std::uint64_t message_index)> on_message_written;

 private:
  void run();
  bool flush_pending();
  void apply_plug(bool plugged);
  void update_link();
  void queue_message(std::vector<std::uint8_t>& message, std::uint64_t index);

  std::unique_ptr<SimEncoder> encoder_;
  std::unique_ptr<SimEmitter> emitter_;
  PseudoTerminal pty_;
  std::unique_ptr<SerialPort> port_;
  int fd_ = -1;
  std::string host_path_;
  std::string link_path_;
  std::unique_ptr<StreamFaultInjector> faults_;
  double time_warp_ = 1.0;
  bool record_messages_ = false;
  bool plugged_ = true;                    // device thread only
  std::atomic<bool> want_plugged_{true};
  SimFaultReport report_;                  // device thread only while running
  std::vector<std::uint8_t> pending_;
  std::size_t pending_start_ = 0;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sent_{0}, dropped_{0}, host_bytes_{0};
  std::thread thread_;
};

}  // namespace plinth
