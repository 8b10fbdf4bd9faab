#include "tools/web/hub.hpp"

#include <nlohmann/json.hpp>

#include "daemon/topics.hpp"
#include "plinth/version.hpp"
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

void deliver_event(WebClient& client, SharedText text) {
  if (client.mailbox().put_event(std::move(text))) client.wake();
}

void deliver_latest(WebClient& client, const std::string& key, SharedText text) {
  if (client.mailbox().put_latest(key, std::move(text))) client.wake();
}

}  // namespace

Hub::Hub(HubSettings settings) : settings_(std::move(settings)) {}

std::vector<std::shared_ptr<WebClient>> Hub::live_clients() {
  std::vector<std::shared_ptr<WebClient>> live;
  live.reserve(clients_.size());
  std::erase_if(clients_, [&](const std::weak_ptr<WebClient>& weak) {
    auto client = weak.lock();
    if (!client) return true;
    live.push_back(std::move(client));
    return false;
  });
  return live;
}

void Hub::join(const std::shared_ptr<WebClient>& client) {
  std::lock_guard lock(mutex_);
  clients_.push_back(client);
  deliver_event(*client, std::make_shared<const std::string>(hello_json()));
  deliver_event(*client, std::make_shared<const std::string>(history_json()));
  for (const auto& [topic, text] : latest_) deliver_latest(*client, topic, text);
}

void Hub::publish(const std::string& topic, const std::string& session_id, std::string envelope) {
  last_message_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count();
  ++messages_;
  auto text = std::make_shared<const std::string>(std::move(envelope));
  std::lock_guard lock(mutex_);
  if (!session_id.empty() && session_id != session_id_) {
    // A new session: its trend chart starts empty.
    session_id_ = session_id;
    relaxation_history_.clear();
    hrv_history_.clear();
  }
  const bool every_message = delivery_for_topic(topic) == Delivery::every_message;
  if (every_message) {
    push_bounded(event_history_, text, settings_.event_history);
  } else {
    latest_[topic] = text;
    if (topic == topics::relaxation) push_bounded(relaxation_history_, text, settings_.history_limit);
    if (starts_with(topic, topics::heart_hrv)) push_bounded(hrv_history_, text, settings_.history_limit);
  }
  for (const auto& client : live_clients()) {
    if (every_message) {
      deliver_event(*client, text);
    } else {
      deliver_latest(*client, topic, text);
    }
  }
}

void Hub::count_bad_message() { ++bad_messages_; }

void Hub::publish_server_stats() {
  std::lock_guard lock(mutex_);
  const auto clients = live_clients();
  for (const auto& client : clients)
    deliver_latest(*client, "server", std::make_shared<const std::string>(server_json(client->mailbox().dropped(), clients.size())));
}

std::size_t Hub::client_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& weak : clients_) n += weak.expired() ? 0 : 1;
  return n;
}

std::string Hub::hello_json() const {
  return nlohmann::json{{"type", "hello"},
                        {"software_version", kSoftwareVersion},
                        {"data_endpoint", settings_.data_endpoint},
                        {"control_endpoint", settings_.control_endpoint},
                        {"techniques", settings_.techniques}}
      .dump();
}

std::string Hub::history_json() const {
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

std::string Hub::server_json(std::uint64_t client_dropped, std::size_t clients) const {
  const std::int64_t last = last_message_ns_;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count();
  return nlohmann::json{{"type", "server"},
                        {"data_age_ms", last < 0 ? nlohmann::json(nullptr) : nlohmann::json((now - last) / 1'000'000)},
                        {"messages", messages_.load()},
                        {"bad_messages", bad_messages_.load()},
                        {"dropped", client_dropped},
                        {"clients", clients}}
      .dump();
}

std::string Hub::health_json() const {
  const std::int64_t last = last_message_ns_;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started_).count();
  return nlohmann::json{{"ok", true},
                        {"clients", client_count()},
                        {"messages", messages_.load()},
                        {"bad_messages", bad_messages_.load()},
                        {"data_age_ms", last < 0 ? nlohmann::json(nullptr) : nlohmann::json((now - last) / 1'000'000)},
                        {"data_endpoint", settings_.data_endpoint},
                        {"control_endpoint", settings_.control_endpoint}}
                 .dump() +
         "\n";
}

}  // namespace plinth::web
