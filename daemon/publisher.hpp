#pragma once
// The data endpoint: a ZeroMQ PUB socket, two frames per message (topic, payload), each
// message numbered per topic (schemas/topics.md). PUB never blocks: a subscriber that falls
// behind its high-water mark loses messages in libzmq's queue for that subscriber only; we
// count what zmq refuses outright.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/payload_out.hpp"
#include "daemon/security/curve_keys.hpp"

namespace zmq {
class context_t;
}

namespace plinth {

struct PublisherOptions {
  std::string endpoint = "tcp://127.0.0.1:7460";
  int send_high_water_mark = 1000;  // messages queued per subscriber before zmq drops
  // The daemon's CURVE secret key (Z85): subscribers must use CURVE and an authorized key
  // (ZapAuthenticator). Empty: plain TCP, for loopback or `insecure = true`.
  std::string curve_secret_key;
  // XPUB instead of PUB: it sends the same, and also lets the owner see subscriptions arrive
  // (take_subscription_notice), so `plinth replay` can wait for its first listener.
  bool see_subscriptions = false;
};

// Starts the I/O and reaper threads of `context`, which has no socket yet, as bulk threads
// (daemon/util/batch_scheduling.hpp); the caller keeps its own policy. Returns 0, or the errno of
// the system's refusal (the threads then run as the caller does).
int start_bulk_io_threads(zmq::context_t& context);

class Publisher {
 public:
  Publisher(zmq::context_t& context, const PublisherOptions& options);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Also sends every message to a hub's daemon-facing XSUB (schemas/hub.md), with the same
  // numbering; ZeroMQ reconnects by itself when the hub restarts. Empty `server_public_key`:
  // plain TCP; otherwise CURVE, proving `own_keys` (the daemon's key pair) to the hub.
  void connect(const std::string& endpoint, const CurveKeyPair& own_keys = {}, const std::string& server_public_key = {});

  // The per-topic sequence number the next message on `topic` must carry.
  std::uint64_t next_seq(std::string_view topic);
  // Sends one message (a copy of `payload`); never blocks. Returns false (and counts) if zmq
  // refused it.
  bool send(std::string_view topic, std::string_view payload);
  // The same without the copy: encode the message into payload(), which is a ZeroMQ message's
  // own buffer, then send_payload() sends that message (send() goes this way too). Nothing
  // encoded in between sends an empty payload.
  PayloadOut payload();
  bool send_payload(std::string_view topic);
  // Per-topic numbering restarts with each session.
  void reset_sequences() { sequences_.clear(); }
  // With see_subscriptions: true if a subscribe notice arrived within `wait` (unsubscribes and
  // an interrupted wait give false). Without it there are never notices.
  bool take_subscription_notice(std::chrono::milliseconds wait);
  // How long closing waits for queued messages to reach connected subscribers (default 0).
  void set_linger(std::chrono::milliseconds linger);

  std::uint64_t sent() const { return sent_; }
  std::uint64_t dropped() const { return dropped_; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string endpoint_;
  // Looked up by string_view without building a std::string per message.
  struct TopicHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view topic) const { return std::hash<std::string_view>{}(topic); }
  };
  std::unordered_map<std::string, std::uint64_t, TopicHash, std::equal_to<>> sequences_;
  std::uint64_t sent_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace plinth
