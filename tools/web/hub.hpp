#pragma once
// The dashboard's shared state: the connected browsers and, per station (treatment table), the
// newest message per topic and the session's history (tools/web/station_feed.hpp). Fed by the
// subscriber thread, read by the network thread; no Beast here.
//
// Behind a `plinth hub` one stream carries several stations whose topics are the same (each has
// its `pressure.metrics.mat0`); only Header.station tells them apart. So a browser never gets
// a mix: it asked for one station (the page's ?station=), or it follows "the current station":
// the first one heard, handed over only to a station that began after it fell silent (a restarted
// daemon with a new name, the next replay), never to another table that was live beside it. With
// a single daemon that is simply its stream, as before stations existed.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tools/web/client_mailbox.hpp"
#include "tools/web/station_feed.hpp"

namespace plinth::web {

// One connected browser, as the hub sees it.
class WebClient {
 public:
  virtual ~WebClient() = default;
  virtual ClientMailbox& mailbox() = 0;
  // Called from any thread after a put returned true: the client starts writing.
  virtual void wake() = 0;
};

struct HubSettings {
  std::string data_endpoint;
  std::string control_endpoint;
  std::vector<std::string> techniques;
  FeedLimits feed_limits;
  std::size_t max_stations = 32;  // a clinic has a few to 20 tables; the longest silent is forgotten beyond
  // A browser that follows the current station moves to a successor only when the current one
  // has been silent this long.
  std::chrono::milliseconds station_handover{5000};
};

class Hub {
 public:
  explicit Hub(HubSettings settings);

  // A browser connected: it receives `hello`, the session's history and the newest message
  // of every topic of its station, then live messages of that station. `station`: the one it
  // asked for; nullopt: the current station.
  void join(const std::shared_ptr<WebClient>& client, std::optional<std::string> station = std::nullopt);

  // One message from the data endpoint (subscriber thread); `station` from its header.
  void publish(const std::string& topic, const std::string& session_id, const std::string& station, std::string envelope);
  void count_bad_message();

  // Once a second: every browser learns how fresh its station's stream is and what it dropped.
  void publish_server_stats();

  std::string health_json() const;
  std::size_t client_count() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Member {
    std::weak_ptr<WebClient> client;
    std::optional<std::string> station;  // nullopt: follows current_station_
  };
  struct LiveMember {
    std::shared_ptr<WebClient> client;
    std::optional<std::string> station;
  };
  std::int64_t now_ns() const;
  std::vector<LiveMember> live_members();  // prunes the closed ones; caller holds mutex_
  StationFeed& feed_for(const std::string& station);  // makes room for a new one; caller holds mutex_
  // True when the current station changed to `station`, whose feed is `feed`.
  bool follow(const std::string& station, const StationFeed& feed, std::int64_t now_ns);
  const StationFeed* followed_feed(const std::optional<std::string>& station) const;
  std::string hello_json(const std::optional<std::string>& station) const;
  std::string server_json(const StationFeed* feed, std::uint64_t client_dropped, std::size_t clients) const;

  const HubSettings settings_;
  const Clock::time_point started_ = Clock::now();
  mutable std::mutex mutex_;
  std::vector<Member> members_;
  std::map<std::string, StationFeed> feeds_;  // station -> its stream ("" before stream v1.2)
  std::optional<std::string> current_station_;
  std::atomic<std::int64_t> last_message_ns_{-1};  // any station; since started_
  std::atomic<std::uint64_t> messages_{0}, bad_messages_{0};
};

}  // namespace plinth::web
