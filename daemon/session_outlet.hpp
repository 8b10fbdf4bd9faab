#pragma once
// What a device channel needs from the daemon to publish and archive within the current
// session. The daemon implements it; channels never see sessions start or stop.
#include <string>
#include <string_view>

namespace plinth {

class ArchiveWriter;
class Publisher;

class SessionOutlet {
 public:
  virtual ~SessionOutlet() = default;
  virtual const std::string& session_id() const = 0;
  virtual Publisher& publisher() = 0;
  virtual ArchiveWriter* archive() = 0;  // null between sessions or when the archive failed
  virtual std::string& scratch() = 0;    // a reusable buffer for serialized messages
  virtual void event(std::string_view kind, std::string_view label, double value, std::string_view detail,
                     std::string_view device_id) = 0;
};

}  // namespace plinth
