#pragma once
// What the daemon does with every device alike, mat or strap: start, stop and reopen its
// link, start a session, describe it to the archive and report its health. MatChannel and
// HeartChannel add what their kind alone has.
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/messages.hpp"

namespace plinth {

class SessionOutlet;

class DeviceChannel {
 public:
  virtual ~DeviceChannel() = default;
  DeviceChannel(const DeviceChannel&) = delete;
  DeviceChannel& operator=(const DeviceChannel&) = delete;

  virtual void start() = 0;
  virtual void stop() = 0;
  // SIGHUP: close and reopen the link now.
  virtual void reopen() = 0;
  // A new session: forget the previous one's state.
  virtual void reset_session() = 0;

  virtual const std::string& id() const = 0;
  virtual ArchiveDeviceLayout archive_layout() const = 0;
  virtual DeviceHealth health() const = 0;

 protected:
  DeviceChannel(SessionOutlet& outlet, std::uint32_t archive_index) : outlet_(outlet), archive_index_(archive_index) {}
  // A link state change as the `device.<state>` session event.
  void report_link_state(std::string_view state, const std::string& detail);

  SessionOutlet& outlet_;
  std::uint32_t archive_index_;  // this device's place among the archive's device groups
};

}  // namespace plinth
