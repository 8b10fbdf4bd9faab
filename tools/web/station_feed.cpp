#include "tools/web/station_feed.hpp"

#include <nlohmann/json.hpp>

#include "daemon/topics.hpp"
#include "tools/web/dashboard_json.hpp"

namespace plinth::web {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

void push_bounded(std::deque<SharedText>& history, SharedText text, std::size_t limit) {
  history.push_back(std::move(text));
  while (history.size() > limit) history.pop_front();
}

void append_all(std::string& out, const std::deque<SharedText>& items) {
  out += '[';
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += *items[i];
  }
  out += ']';
}

}  // namespace

void StationFeed::add(const std::string& topic, const std::string& session_id, const SharedText& text,
                      std::int64_t now_ns, const FeedLimits& limits) {
  if (first_message_ns_ < 0) first_message_ns_ = now_ns;
  last_message_ns_ = now_ns;
  if (!session_id.empty() && session_id != session_id_) {
    // A new session: its trend chart starts empty.
    session_id_ = session_id;
    relaxation_history_.clear();
    hrv_history_.clear();
  }
  if (delivery_for_topic(topic) == Delivery::every_message) {
    push_bounded(event_history_, text, limits.event_history);
    return;
  }
  latest_[topic] = text;
  if (topic == topics::relaxation) push_bounded(relaxation_history_, text, limits.history_limit);
  if (starts_with(topic, topics::heart_hrv)) push_bounded(hrv_history_, text, limits.history_limit);
}

std::string StationFeed::history_json() const {
  std::string out = R"({"type":"history","session_id":)" + nlohmann::json(session_id_).dump();
  out += R"(,"relaxation":)";
  append_all(out, relaxation_history_);
  out += R"(,"hrv":)";
  append_all(out, hrv_history_);
  out += R"(,"events":)";
  append_all(out, event_history_);
  out += '}';
  return out;
}

}  // namespace plinth::web
