#pragma once
// CURVE for the `plinth` clients (sub, ctl): --server-key FILE.pub --client-key FILE.key
// (schemas/security.md), and a watch on the handshake so that a refused key is reported
// instead of waiting in silence.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>
#include <zmq.hpp>

namespace plinth::tools {

struct CurveClientOptions {
  std::string server_key_file;  // the daemon's NAME.pub
  std::string client_key_file;  // this client's NAME.key
  bool enabled() const { return !server_key_file.empty(); }
};

void add_curve_client_options(CLI::App* command, CurveClientOptions& options);

// Before connect. Throws std::runtime_error naming the key file that is wrong.
void apply_curve_client(zmq::socket_t& socket, const CurveClientOptions& options);

// Reports a failed CURVE handshake (unknown client key, wrong server key) on `socket`.
class HandshakeWatch {
 public:
  // Create after the socket and before connect; destroy before the socket.
  HandshakeWatch(zmq::socket_t& socket, const std::string& endpoint, bool curve);
  ~HandshakeWatch();
  // Non-blocking; the reason once a handshake has failed.
  std::optional<std::string> failure();

 private:
  struct Monitor;
  std::unique_ptr<Monitor> monitor_;
};

}  // namespace plinth::tools
