#pragma once
// The dashboard's shared state: the connected browsers, the newest message per topic (for a
// browser that connects mid-session) and the session's relaxation/HRV history (for its
// trend chart). Fed by the subscriber thread, read by the network thread; no Beast here.
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tools/web/client_mailbox.hpp"

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
  std::size_t history_limit = 2880;  // readings per series: 4 h of relaxation at one per 5 s
  std::size_t event_history = 100;   // session events replayed to a browser that connects
};

class Hub {
 public:
  explicit Hub(HubSettings settings);

  // A browser connected: it receives `hello`, the session's history and the newest message
  // of every topic, then live messages.
  void join(const std::shared_ptr<WebClient>& client);

  // One message from the data endpoint (subscriber thread).
  void publish(const std::string& topic, const std::string& session_id, std::string envelope);
  void count_bad_message();

  // Once a second: every browser learns how fresh the stream is and what it dropped.
  void publish_server_stats();

  std::string health_json() const;
  std::size_t client_count() const;

 private:
  using Clock = std::chrono::steady_clock;
  std::vector<std::shared_ptr<WebClient>> live_clients();  // prunes the closed ones; holds mutex_
  std::string hello_json() const;
  std::string history_json() const;  // holds mutex_
  std::string server_json(std::uint64_t client_dropped, std::size_t clients) const;

  const HubSettings settings_;
  const Clock::time_point started_ = Clock::now();
  mutable std::mutex mutex_;
  std::vector<std::weak_ptr<WebClient>> clients_;
  std::map<std::string, SharedText> latest_;  // topic -> newest envelope (latest-only topics)
  std::deque<SharedText> relaxation_history_, hrv_history_, event_history_;
  std::string session_id_;
  std::atomic<std::int64_t> last_message_ns_{-1};  // steady clock, since started_
  std::atomic<std::uint64_t> messages_{0}, bad_messages_{0};
};

}  // namespace plinth::web
