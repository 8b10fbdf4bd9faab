#pragma once
// The hub's control routing (schemas/hub.md): which stations can be reached, where a client's
// request goes, and which clients still wait for a reply. Pure: the caller passes the clock.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace plinth::hub {

// Daemons say hello every second; three missed hellos and the station is taken as gone.
inline constexpr std::int64_t kControlSilenceNs = 3'000'000'000;
// A daemon answers within 5 s (or says it could not); after 6 s the hub answers for it.
inline constexpr std::int64_t kReplyTimeoutNs = 6'000'000'000;

class ControlRoutes {
 public:
  void heard_from(std::string_view station, std::int64_t now_ns);
  bool reachable(std::string_view station, std::int64_t now_ns) const;
  std::vector<std::string> reachable_stations(std::int64_t now_ns) const;  // by name

 private:
  std::map<std::string, std::int64_t, std::less<>> last_heard_ns_;
};

struct ForwardRequest {
  std::string station;
  std::string request;  // the client's request without "station": the daemon's own protocol
};
struct ReplyNow {
  std::string reply;
};
using RouteDecision = std::variant<ForwardRequest, ReplyNow>;

// A client's request: {"cmd":"stations"} is the hub's own; any other needs "station" naming a
// reachable station. Errors are the control protocol's error replies.
RouteDecision route_request(std::string_view request, const std::vector<std::string>& reachable_stations);

// Clients (REQ sockets, by routing id) whose request went to a station. A REQ client sends one
// request at a time, so its id is the key.
class PendingReplies {
 public:
  void add(std::string client, std::string station, std::int64_t deadline_ns);
  // True if `client` was waiting: its reply may go out (a late reply after a timeout may not).
  bool take(std::string_view client);
  // The (client, station) pairs whose deadline has passed, removed.
  std::vector<std::pair<std::string, std::string>> expire(std::int64_t now_ns);
  std::size_t size() const { return waiting_.size(); }

 private:
  struct Waiting {
    std::string station;
    std::int64_t deadline_ns;
  };
  std::map<std::string, Waiting, std::less<>> waiting_;
};

}  // namespace plinth::hub
