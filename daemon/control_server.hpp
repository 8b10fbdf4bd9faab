#pragma once
// The control endpoint: a ZeroMQ REP socket on its own thread. Every request gets exactly
// one reply; malformed ones get an error reply from the parser without reaching the daemon.
// With a hub (schemas/hub.md) the same thread also serves, through the same handler, the
// requests the hub routes to this station over a DEALER socket.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "daemon/control_request.hpp"
#include "daemon/security/curve_keys.hpp"

namespace zmq {
class context_t;
}

namespace plinth {

class ControlServer {
 public:
  // Runs on the server thread; returns the JSON reply. It must not block for long: the
  // daemon's handler hands the request to the acquisition loop and waits a bounded time.
  using Handler = std::function<std::string(const ControlRequest&)>;

  // The hub's daemon-facing ROUTER, and who we are there (the DEALER's routing id).
  struct HubControl {
    std::string endpoint;
    std::string station;
    CurveKeyPair own_keys;          // used when server_public_key is set
    std::string server_public_key;  // the hub's (Z85); empty: plain TCP
  };

  // A non-empty `curve_secret_key` (Z85) makes the endpoint a CURVE server: only clients whose
  // keys the ZapAuthenticator knows get through the handshake.
  ControlServer(zmq::context_t& context, const std::string& endpoint, Handler handler,
                const std::string& curve_secret_key = {}, const std::optional<HubControl>& hub = std::nullopt);
  ~ControlServer();
  void stop();
  std::uint64_t requests() const { return requests_; }
  std::uint64_t rejected() const { return rejected_; }

 private:
  void run();
  std::string answer(std::string_view request);
  void serve_rep();
  void serve_hub();
  void say_hello_to_hub();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Handler handler_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> requests_{0}, rejected_{0};
  std::thread thread_;
};

}  // namespace plinth
