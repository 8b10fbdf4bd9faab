#pragma once
// One serial device seen from the daemon: find and open the port, read asynchronously on
// the Asio loop, decode, stamp arrival times, and reopen the port when the device goes away.
// Shaped like a Boost.Beast session: do_x / on_x(error_code, ...) pairs, one owner of the
// descriptor, and every pending handler holds the link alive through shared_from_this(), so
// a handler never runs on a destroyed link. Create it with std::make_shared.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/device_transport.hpp"
#include "daemon/host_clock.hpp"
#include "drivers/driver_registry.hpp"
#include "drivers/serial_port.hpp"

namespace boost::asio {
class io_context;
}
namespace boost::system {
class error_code;
}

namespace plinth {

enum class LinkState { searching, connected, lost };
const char* to_string(LinkState state);

struct DeviceLinkConfig {
  std::string id;
  const DriverDescriptor* driver = nullptr;
  DriverOptions options;
  SerialSelector selector;
  int retry_interval_ms = 500;
};

// States are reported by name (to_string), with the port path or the OS error as detail.
class DeviceLink final : public DeviceTransport, public std::enable_shared_from_this<DeviceLink> {
 public:
  DeviceLink(boost::asio::io_context& io, const HostClock& clock, DeviceLinkConfig config,
             TransportCallbacks callbacks);
  ~DeviceLink() override;
  DeviceLink(const DeviceLink&) = delete;
  DeviceLink& operator=(const DeviceLink&) = delete;

  void start() override;
  // Sends the protocol's close request (stop streaming) and closes the port. The owner calls
  // it before it goes: handlers still pending then return without calling back.
  void stop() override;
  // SIGHUP: close and reopen now.
  void reopen() override;
  void fill_health(DeviceHealth& health) const override;
  // The port found (empty before the first), and its USB identity where it has one.
  void describe(ArchiveDeviceLayout& layout) const override;

 private:
  struct Impl;
  void do_open();
  void do_read();
  void on_read(const boost::system::error_code& ec, std::size_t bytes);
  void on_retry(const boost::system::error_code& ec);
  void on_session_timeout(const boost::system::error_code& ec);
  void lose(const std::string& reason);
  void schedule_retry();
  void set_state(LinkState s, const std::string& detail);
  void send(const std::vector<std::uint8_t>& bytes);
  bool check_session();  // false (and the port closed) when a set-up conversation failed
  void arm_session_timer();

  std::unique_ptr<Impl> impl_;
  const HostClock& clock_;
  DeviceLinkConfig config_;
  TransportCallbacks callbacks_;
  LinkState state_ = LinkState::searching;
  bool ever_connected_ = false;
  bool stopped_ = false;
  std::string port_path_;
  SerialPortInfo port_info_;
  std::string last_error_;
  std::uint64_t reconnects_ = 0;
};

}  // namespace plinth
