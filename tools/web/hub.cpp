#include "tools/web/hub.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "plinth/version.hpp"
#include "tools/web/dashboard_json.hpp"

namespace plinth::web {
namespace {

void deliver_event(WebClient& client, SharedText text) {
  if (client.mailbox().put_event(std::move(text))) client.wake();
}

void deliver_latest(WebClient& client, const std::string& key, SharedText text) {
  if (client.mailbox().put_latest(key, std::move(text))) client.wake();
}

SharedText shared(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

nlohmann::json age_ms(std::int64_t last_ns, std::int64_t now_ns) {
  return last_ns < 0 ? nlohmann::json(nullptr) : nlohmann::json((now_ns - last_ns) / 1'000'000);
}

}  // namespace

Hub::Hub(HubSettings settings) : settings_(std::move(settings)) {}

std::int64_t Hub::now_ns() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count();
}

std::vector<Hub::LiveMember> Hub::live_members() {
  std::vector<LiveMember> live;
  live.reserve(members_.size());
  std::erase_if(members_, [&](const Member& member) {
    auto client = member.client.lock();
    if (!client) return true;
    live.push_back({std::move(client), member.station});
    return false;
  });
  return live;
}

StationFeed& Hub::feed_for(const std::string& station) {
  if (auto it = feeds_.find(station); it != feeds_.end()) return it->second;
  if (feeds_.size() >= settings_.max_stations) {
    const auto longest_silent = std::min_element(feeds_.begin(), feeds_.end(), [](const auto& a, const auto& b) {
      return a.second.last_message_ns() < b.second.last_message_ns();
    });
    feeds_.erase(longest_silent);
  }
  return feeds_[station];
}

bool Hub::follow(const std::string& station, const StationFeed& feed, std::int64_t now_ns) {
  if (current_station_ == station) return false;
  if (current_station_) {
    const auto current = feeds_.find(*current_station_);
    if (current != feeds_.end()) {
      const std::int64_t last = current->second.last_message_ns();
      const bool silent = now_ns - last > std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.station_handover).count();
      // Another table that was live beside the current one is not its successor: a page
      // must never slide over to a different client when its own daemon dies.
      const std::int64_t began = feed.first_message_ns() < 0 ? now_ns : feed.first_message_ns();
      if (!silent || began <= last) return false;
    }
  }
  const bool handover = current_station_.has_value();
  current_station_ = station;
  return handover;
}

const StationFeed* Hub::followed_feed(const std::optional<std::string>& station) const {
  const auto& name = station ? station : current_station_;
  if (!name) return nullptr;
  const auto it = feeds_.find(*name);
  return it == feeds_.end() ? nullptr : &it->second;
}

void Hub::join(const std::shared_ptr<WebClient>& client, std::optional<std::string> station) {
  std::lock_guard lock(mutex_);
  deliver_event(*client, shared(hello_json(station)));
  const StationFeed* feed = followed_feed(station);
  deliver_event(*client, shared(feed ? feed->history_json() : StationFeed().history_json()));
  if (feed)
    for (const auto& [topic, text] : feed->latest()) deliver_latest(*client, topic, text);
  members_.push_back({client, std::move(station)});
}

void Hub::publish(const std::string& topic, const std::string& session_id, const std::string& station,
                  std::string envelope) {
  const std::int64_t now = now_ns();
  last_message_ns_ = now;
  ++messages_;
  auto text = shared(std::move(envelope));
  const bool every_message = delivery_for_topic(topic) == Delivery::every_message;
  std::lock_guard lock(mutex_);
  StationFeed& feed = feed_for(station);
  // Followers of a station that fell silent get the new one's story so far before its news.
  const SharedText handover_history = follow(station, feed, now) ? shared(feed.history_json()) : nullptr;
  feed.add(topic, session_id, text, now, settings_.feed_limits);
  for (const auto& member : live_members()) {
    const bool follows = !member.station;
    if ((follows ? *current_station_ : *member.station) != station) continue;
    if (follows && handover_history) deliver_event(*member.client, handover_history);
    if (every_message) {
      deliver_event(*member.client, text);
    } else {
      deliver_latest(*member.client, topic, text);
    }
  }
}

void Hub::count_bad_message() { ++bad_messages_; }

void Hub::publish_server_stats() {
  std::lock_guard lock(mutex_);
  const auto members = live_members();
  for (const auto& member : members)
    deliver_latest(*member.client, "server",
                   shared(server_json(followed_feed(member.station), member.client->mailbox().dropped(), members.size())));
}

std::size_t Hub::client_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(
      std::count_if(members_.begin(), members_.end(), [](const Member& m) { return !m.client.expired(); }));
}

std::string Hub::hello_json(const std::optional<std::string>& station) const {
  return nlohmann::json{{"type", "hello"},
                        {"software_version", kSoftwareVersion},
                        {"data_endpoint", settings_.data_endpoint},
                        {"control_endpoint", settings_.control_endpoint},
                        {"techniques", settings_.techniques},
                        {"station", station ? nlohmann::json(*station) : nlohmann::json(nullptr)}}
      .dump();
}

std::string Hub::server_json(const StationFeed* feed, std::uint64_t client_dropped, std::size_t clients) const {
  return nlohmann::json{{"type", "server"},
                        {"data_age_ms", age_ms(feed ? feed->last_message_ns() : -1, now_ns())},
                        {"messages", messages_.load()},
                        {"bad_messages", bad_messages_.load()},
                        {"dropped", client_dropped},
                        {"clients", clients},
                        {"stations", feeds_.size()}}
      .dump();
}

std::string Hub::health_json() const {
  std::size_t stations = 0;
  {
    std::lock_guard lock(mutex_);
    stations = feeds_.size();
  }
  return nlohmann::json{{"ok", true},
                        {"clients", client_count()},
                        {"messages", messages_.load()},
                        {"bad_messages", bad_messages_.load()},
                        {"data_age_ms", age_ms(last_message_ns_, now_ns())},
                        {"stations", stations},
                        {"data_endpoint", settings_.data_endpoint},
                        {"control_endpoint", settings_.control_endpoint}}
                 .dump() +
         "\n";
}

}  // namespace plinth::web
