#pragma once
// What the dashboard keeps of one station's stream (one treatment table's daemon): the newest
// message per topic, for a browser that connects mid-session, and the session's relaxation/HRV
// history and recent events, for its trend chart and event list. Bounded by the limits it is
// given. Not thread-safe: the hub holds its lock around every call.
#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "tools/web/client_mailbox.hpp"

namespace plinth::web {

struct FeedLimits {
  std::size_t history_limit = 2880;  // readings per series: 4 h of relaxation at one per 5 s
  std::size_t event_history = 100;   // session events replayed to a browser that connects
};

class StationFeed {
 public:
  // `now_ns`: any monotonic clock; only differences are used.
  void add(const std::string& topic, const std::string& session_id, const SharedText& text, std::int64_t now_ns,
           const FeedLimits& limits);

  // {"type":"history","session_id":...,"relaxation":[...],"hrv":[...],"events":[...]}
  std::string history_json() const;
  const std::map<std::string, SharedText>& latest() const { return latest_; }
  std::int64_t first_message_ns() const { return first_message_ns_; }
  std::int64_t last_message_ns() const { return last_message_ns_; }

 private:
  std::map<std::string, SharedText> latest_;  // topic -> newest envelope (latest-only topics)
  std::deque<SharedText> relaxation_history_, hrv_history_, event_history_;
  std::string session_id_;
  std::int64_t first_message_ns_ = -1;  // none yet
  std::int64_t last_message_ns_ = -1;
};

}  // namespace plinth::web
