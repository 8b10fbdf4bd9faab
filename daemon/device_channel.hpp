#pragma once
// What the daemon does with every device alike, mat or strap: start, stop and reopen its
// link, start a session, describe it to the archive and report its health. MatChannel and
// HeartChannel add what their kind alone has.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/device_transport.hpp"
#include "daemon/messages.hpp"

namespace plinth {

class SessionOutlet;

class DeviceChannel {
 public:
  virtual ~DeviceChannel() = default;
  DeviceChannel(const DeviceChannel&) = delete;
  DeviceChannel& operator=(const DeviceChannel&) = delete;

  void start() { transport_->start(); }
  void stop() { transport_->stop(); }
  // SIGHUP: close and reopen the link now.
  void reopen() { transport_->reopen(); }
  // A new session: forget the previous one's state.
  virtual void reset_session() = 0;

  virtual const std::string& id() const = 0;
  virtual ArchiveDeviceLayout archive_layout() const = 0;
  virtual DeviceHealth health() const = 0;
  // One decoded message from the transport. Public so that bench/pipeline_bench.cpp can drive
  // the real per-message path from a byte buffer, without a port.
  virtual void on_message(StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns) = 0;

 protected:
  DeviceChannel(SessionOutlet& outlet, std::uint32_t archive_index) : outlet_(outlet), archive_index_(archive_index) {}
  // Creates the device's transport (started later by start()), reporting to this channel.
  // Derived destructors call stop(): the transport may report while it stops.
  void connect(boost::asio::io_context& io, const HostClock& clock, const DeviceConfig& device);
  // The device clock model's estimate for the sample that arrived at arrival_ns, archived as a
  // /pressure|heart/<id>/clock row about once a second and at every restart of the model.
  void archive_clock(std::int64_t arrival_ns, const ClockEstimate& clock);

  std::shared_ptr<DeviceTransport> transport_;
  SessionOutlet& outlet_;
  std::uint32_t archive_index_;  // this device's place among the archive's device groups

 private:
  std::int64_t clock_row_due_ns_ = 0;  // arrival time from which the next clock row is due
};

}  // namespace plinth
