#pragma once
// ZeroMQ's authentication hook (ZAP, RFC 27): libzmq asks inproc://zeromq.zap.01 about every
// CURVE handshake on a server socket of the same context. We allow the client public keys
// found as *.pub files in one directory and refuse every other key, on the data endpoint and
// the control endpoint alike (schemas/security.md).
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/security/curve_keys.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace plinth {

// The frames of a ZAP request (RFC 27); credentials[0] is the client's 32-byte public key.
struct ZapRequest {
  std::string version, request_id, domain, address, identity, mechanism;
  std::vector<std::string> credentials;
};
struct ZapDecision {
  bool allowed = false;
  std::string status_code;  // "200" or "400" (RFC 27)
  std::string status_text;
  std::string user_id;      // the key file's stem; the peer's User-Id on received messages
};

// Pure: parsing a request and deciding it. A malformed request is nullopt (answered 500).
std::optional<ZapRequest> parse_zap_request(const std::vector<std::string>& frames);
ZapDecision decide_zap(const ZapRequest& request, const std::vector<AuthorizedKey>& authorized);
std::vector<std::string> zap_reply_frames(const ZapRequest& request, const ZapDecision& decision);

// Sets a socket up as a CURVE server (before bind): encryption with the daemon's secret key,
// and every handshake checked by the ZapAuthenticator under `zap_domain`.
void make_curve_server(zmq::socket_t& socket, const std::string& secret_key_z85, const std::string& zap_domain);

// Sets a socket up as a CURVE client (before connect): it proves `own_keys` and accepts only the
// server holding the secret key of `server_public_z85`. On a socket that has bound as a server
// this applies to its later connects only (libzmq copies the options at bind and connect).
void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own_keys, const std::string& server_public_z85);

class ZapAuthenticator {
 public:
  // Binds the ZAP endpoint now (so it exists before any server socket binds) and answers on
  // its own thread. The directory is read again at every handshake, so adding or removing a
  // .pub file takes effect without a restart (connections already made stay up).
  ZapAuthenticator(zmq::context_t& context, std::filesystem::path authorized_dir);
  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  std::uint64_t allowed() const { return allowed_; }
  std::uint64_t refused() const { return refused_; }

 private:
  void run();
  void reload();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::filesystem::path dir_;
  std::string last_problem_;
  std::vector<AuthorizedKey> authorized_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> allowed_{0}, refused_{0};
  std::thread thread_;
};

}  // namespace plinth
