#include "daemon/device_link.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "drivers/host_session.hpp"

namespace plinth {

namespace asio = boost::asio;

const char* to_string(LinkState state) {
  switch (state) {
    case LinkState::searching: return "searching";
    case LinkState::connected: return "connected";
    case LinkState::lost: return "lost";
  }
  return "unknown";
}

struct DeviceLink::Impl {
  Impl(asio::io_context& io, StepFunction step)
      : descriptor(io), retry(io), session_timer(io), decoder(std::move(step)) {}
  asio::posix::stream_descriptor descriptor;
  asio::steady_timer retry;
  asio::steady_timer session_timer;   // answer timeout of a set-up conversation
  std::unique_ptr<HostSession> session;
  std::unique_ptr<SerialPort> port;
  StreamDecoder decoder;
  std::array<std::uint8_t, 16384> buffer{};
};

DeviceLink::DeviceLink(asio::io_context& io, const HostClock& clock, DeviceLinkConfig config,
                       TransportCallbacks callbacks)
    : impl_(std::make_unique<Impl>(io, config.driver->make_step(config.options))),
      clock_(clock),
      config_(std::move(config)),
      callbacks_(std::move(callbacks)) {}

DeviceLink::~DeviceLink() = default;

void DeviceLink::fill_health(DeviceHealth& health) const {
  const DecodeCounters& c = impl_->decoder.counters();
  health.port = port_path_;
  health.state = to_string(state_);
  health.frames = c.frames;
  health.bytes = c.bytes;
  health.crc_errors = c.crc_errors;
  health.framing_errors = c.framing_errors;
  health.resyncs = c.resyncs;
  health.garbage_bytes = c.garbage_bytes;
  health.reconnects = reconnects_;
}

void DeviceLink::describe(ArchiveDeviceLayout& layout) const {
  layout.attributes["port"] = port_path_;
  if (port_info_.usb_vid) layout.attributes["usb_vendor"] = static_cast<std::int64_t>(*port_info_.usb_vid);
  if (port_info_.usb_pid) layout.attributes["usb_product"] = static_cast<std::int64_t>(*port_info_.usb_pid);
  if (!port_info_.usb_serial.empty()) layout.attributes["usb_serial"] = port_info_.usb_serial;
}

void DeviceLink::start() {
  stopped_ = false;
  do_open();
}

void DeviceLink::stop() {
  stopped_ = true;
  impl_->retry.cancel();
  impl_->session_timer.cancel();
  impl_->session.reset();
  if (impl_->descriptor.is_open()) {
    auto bye = config_.driver->close_request(config_.options);
    boost::system::error_code ignored;
    if (!bye.empty()) asio::write(impl_->descriptor, asio::buffer(bye), ignored);
    impl_->descriptor.close(ignored);
  }
  impl_->port.reset();
}

void DeviceLink::reopen() {
  if (stopped_) return;
  lose("reopen requested (SIGHUP)");
}

void DeviceLink::set_state(LinkState s, const std::string& detail) {
  if (s == state_ && s != LinkState::connected) return;
  state_ = s;
  if (callbacks_.on_state) callbacks_.on_state(to_string(s), detail);
}

void DeviceLink::do_open() {
  if (stopped_) return;
  try {
    const std::string path = resolve_serial_port(config_.selector, config_.selector.port.empty()
                                                                       ? list_serial_ports()
                                                                       : std::vector<SerialPortInfo>{});
    impl_->port = open_serial_port(path, config_.selector.baud);
    port_path_ = path;
    port_info_ = impl_->port->info();
    // Asio closes what it owns; the port object keeps its own handle until it dies.
    impl_->descriptor.assign(::dup(impl_->port->fd()));
  } catch (const std::exception& e) {
    impl_->port.reset();
    if (last_error_ != e.what()) {
      spdlog::warn("{}: {}", config_.id, e.what());
      last_error_ = e.what();
    }
    set_state(ever_connected_ ? LinkState::lost : LinkState::searching, e.what());
    schedule_retry();
    return;
  }
  last_error_.clear();
  impl_->decoder.reset();
  if (ever_connected_) ++reconnects_;
  ever_connected_ = true;
  send(config_.driver->open_request(config_.options));
  if (config_.driver->make_host_session) {
    impl_->session = config_.driver->make_host_session(config_.options);
    send(impl_->session->start());
    if (!check_session()) return;
    arm_session_timer();
  }
  spdlog::info("{}: connected on {} ({})", config_.id, port_path_, config_.driver->name);
  set_state(LinkState::connected, port_path_);
  do_read();
}

void DeviceLink::send(const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty() || !impl_->descriptor.is_open()) return;
  // Requests are a few bytes and the port is a local device: a synchronous write is short.
  boost::system::error_code ec;
  asio::write(impl_->descriptor, asio::buffer(bytes), ec);
  if (ec) spdlog::warn("{}: write failed: {}", config_.id, ec.message());
}

bool DeviceLink::check_session() {
  if (!impl_->session || impl_->session->status() != HostSession::Status::failed) return true;
  const std::string error = impl_->session->error();
  impl_->session.reset();
  spdlog::error("{}: device set-up failed: {}", config_.id, error);
  lose("set-up failed: " + error);
  return false;
}

void DeviceLink::arm_session_timer() {
  if (!impl_->session || impl_->session->status() != HostSession::Status::in_progress) return;
  impl_->session_timer.expires_after(impl_->session->answer_timeout());
  impl_->session_timer.async_wait(std::bind_front(&DeviceLink::on_session_timeout, shared_from_this()));
}

void DeviceLink::on_session_timeout(const boost::system::error_code& ec) {
  if (ec || stopped_ || !impl_->session) return;
  send(impl_->session->on_timeout());
  if (check_session()) arm_session_timer();
}

void DeviceLink::do_read() {
  impl_->descriptor.async_read_some(asio::buffer(impl_->buffer),
                                    std::bind_front(&DeviceLink::on_read, shared_from_this()));
}

void DeviceLink::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (stopped_) return;
  if (ec || bytes == 0) {
    lose(ec ? ec.message() : "end of stream");
    return;
  }
  // The sink captures two pointers, which fit std::function's inline storage: no allocation per read.
  struct ReadState {
    std::int64_t arrival;
    bool session_failed;
  } read{clock_.now_unix_ns(), false};
  impl_->decoder.feed({impl_->buffer.data(), bytes}, [this, &read](StepOutcome outcome, const DecodedOutput& out) {
    if (outcome == StepOutcome::control && impl_->session) {
      send(impl_->session->on_control(out));
      impl_->session_timer.cancel();
      read.session_failed = read.session_failed || impl_->session->status() == HostSession::Status::failed;
      if (!read.session_failed) arm_session_timer();
    }
    if (callbacks_.on_message) callbacks_.on_message(outcome, out, read.arrival);
  });
  if (read.session_failed && !check_session()) return;
  do_read();
}

void DeviceLink::lose(const std::string& reason) {
  impl_->session_timer.cancel();
  impl_->session.reset();
  boost::system::error_code ignored;
  impl_->descriptor.close(ignored);
  impl_->port.reset();
  spdlog::warn("{}: device lost ({}); retrying every {} ms", config_.id, reason, config_.retry_interval_ms);
  set_state(LinkState::lost, reason);
  schedule_retry();
}

void DeviceLink::schedule_retry() {
  impl_->retry.expires_after(std::chrono::milliseconds(config_.retry_interval_ms));
  impl_->retry.async_wait(std::bind_front(&DeviceLink::on_retry, shared_from_this()));
}

void DeviceLink::on_retry(const boost::system::error_code& ec) {
  if (!ec) do_open();
}

}  // namespace plinth
