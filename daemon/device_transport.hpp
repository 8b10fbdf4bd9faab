#pragma once
// How a channel reaches its device, whatever carries the bytes: a serial port, pty or USB
// stick (DeviceLink, with the driver table's protocol) or a BlueZ strap over D-Bus
// (BluezTransport). Channels see decoded messages and state changes and never which it is.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/host_clock.hpp"
#include "daemon/messages.hpp"
#include "drivers/stream_decoder.hpp"

namespace boost::asio {
class io_context;
}

namespace plinth {

struct TransportCallbacks {
  // A decoded message; host_time_ns is the arrival of the read or notification that completed it.
  std::function<void(StepOutcome, const DecodedOutput&, std::int64_t host_time_ns)> on_message;
  // State changes (its name becomes the `device.<state>` event) with a human-readable reason.
  std::function<void(std::string_view state, const std::string& detail)> on_state;
};

class DeviceTransport {
 public:
  virtual ~DeviceTransport() = default;
  virtual void start() = 0;
  // The owner calls it before it goes: pending work then ends without calling back.
  virtual void stop() = 0;
  // SIGHUP: close and reopen now, where the transport can.
  virtual void reopen() = 0;
  // The transport's share of the device's health: state, port and the byte-level counters.
  virtual void fill_health(DeviceHealth& health) const = 0;
  // Where the device was found, as archive attributes.
  virtual void describe(ArchiveDeviceLayout& layout) const = 0;
};

// The transport the device's driver names: BlueZ for driver = "bluez", else a serial link
// speaking the driver table's protocol. Shared: pending handlers may hold it a little longer.
std::shared_ptr<DeviceTransport> make_transport(boost::asio::io_context& io, const HostClock& clock,
                                                const DeviceConfig& device, TransportCallbacks callbacks);

}  // namespace plinth
