#include "tools/curve_client.hpp"

#include "daemon/security/curve_keys.hpp"
#include "daemon/security/zap_authenticator.hpp"

namespace plinth::tools {

void add_curve_client_options(CLI::App* command, CurveClientOptions& options) {
  auto* server = command->add_option("--server-key", options.server_key_file,
                                     "the daemon's public key file (NAME.pub): connect with CURVE");
  auto* client = command->add_option("--client-key", options.client_key_file,
                                     "this client's key file (NAME.key from plinth keygen)");
  server->needs(client);
  client->needs(server);
}

void apply_curve_client(zmq::socket_t& socket, const CurveClientOptions& options) {
  if (!options.enabled()) return;
  make_curve_client(socket, read_secret_key_file(options.client_key_file),
                    read_public_key_file(options.server_key_file));
}

struct HandshakeWatch::Monitor final : zmq::monitor_t {
  std::optional<std::string> failure;
  std::string endpoint;
  void on_event_handshake_failed_auth(const zmq_event_t& event, const char*) override {
    failure = "the daemon at " + endpoint + " refused this client's key (status " + std::to_string(event.value) +
              "): its NAME.pub must be in the daemon's curve_authorized_clients directory";
  }
  void on_event_handshake_failed_protocol(const zmq_event_t&, const char*) override { mismatch(); }
  void on_event_handshake_failed_no_detail(const zmq_event_t&, const char*) override { mismatch(); }
  void mismatch() {
    failure = curve ? "CURVE handshake with " + endpoint + " failed: wrong --server-key, or the daemon does not use CURVE"
                    : "the daemon at " + endpoint + " requires CURVE: give --server-key NAME.pub --client-key NAME.key";
  }
  bool curve = false;
};

HandshakeWatch::HandshakeWatch(zmq::socket_t& socket, const std::string& endpoint, bool curve)
    : monitor_(std::make_unique<Monitor>()) {
  monitor_->endpoint = endpoint;
  monitor_->curve = curve;
  static int counter = 0;
  monitor_->init(socket, "inproc://plinth-handshake-watch-" + std::to_string(++counter),
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
}

HandshakeWatch::~HandshakeWatch() = default;

std::optional<std::string> HandshakeWatch::failure() {
  while (!monitor_->failure && monitor_->check_event(0)) {
  }
  return monitor_->failure;
}

}  // namespace plinth::tools
