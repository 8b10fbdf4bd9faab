#include "daemon/security/zap_authenticator.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <zmq.hpp>

namespace plinth {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

std::string z85_encode_key(const std::string& binary) {
  char text[kZ85KeyLength + 1] = {};
  if (binary.size() != 32 || !zmq_z85_encode(text, reinterpret_cast<const std::uint8_t*>(binary.data()), 32))
    return {};
  return text;
}

}  // namespace

std::optional<ZapRequest> parse_zap_request(const std::vector<std::string>& frames) {
  if (frames.size() < 6) return std::nullopt;
  ZapRequest r{frames[0], frames[1], frames[2], frames[3], frames[4], frames[5], {}};
  r.credentials.assign(frames.begin() + 6, frames.end());
  return r;
}

ZapDecision decide_zap(const ZapRequest& request, const std::vector<AuthorizedKey>& authorized) {
  if (request.version != "1.0") return {false, "500", "unsupported ZAP version", ""};
  // Only CURVE carries a key we can check; NULL or PLAIN on a CURVE socket cannot happen,
  // but if it ever did, nobody would get in without a key.
  if (request.mechanism != "CURVE" || request.credentials.size() != 1)
    return {false, "400", "a CURVE client key is required", ""};
  const std::string key = z85_encode_key(request.credentials[0]);
  for (const AuthorizedKey& a : authorized)
    if (!key.empty() && a.public_key == key) return {true, "200", "OK", a.name};
  return {false, "400", "client key not authorized", ""};
}

std::vector<std::string> zap_reply_frames(const ZapRequest& request, const ZapDecision& decision) {
  return {"1.0", request.request_id, decision.status_code, decision.status_text, decision.user_id, ""};
}

void make_curve_server(zmq::socket_t& socket, const std::string& secret_key_z85, const std::string& zap_domain) {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, secret_key_z85);
  socket.set(zmq::sockopt::zap_domain, zap_domain);
}

void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own_keys, const std::string& server_public_z85) {
  socket.set(zmq::sockopt::curve_serverkey, server_public_z85);
  socket.set(zmq::sockopt::curve_publickey, own_keys.public_key);
  socket.set(zmq::sockopt::curve_secretkey, own_keys.secret_key);
}

struct ZapAuthenticator::Impl {
  explicit Impl(zmq::context_t& context) : socket(context, zmq::socket_type::rep) {}
  zmq::socket_t socket;
};

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context, std::filesystem::path authorized_dir)
    : impl_(std::make_unique<Impl>(context)), dir_(std::move(authorized_dir)) {
  impl_->socket.set(zmq::sockopt::linger, 0);
  impl_->socket.bind(kZapEndpoint);
  reload();
  spdlog::info("CURVE: {} authorized client key(s) in {}", authorized_.size(), dir_.string());
  thread_ = std::thread([this] { run(); });
}

ZapAuthenticator::~ZapAuthenticator() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapAuthenticator::reload() {
  // Read on every handshake: handshakes are rare (one per client connection), and a removed
  // .pub file must stop working at once.
  std::string problem;
  try {
    authorized_ = read_authorized_keys(dir_);
  } catch (const std::exception& e) {
    authorized_.clear();  // fail closed
    problem = e.what();
  }
  if (problem != last_problem_ && !problem.empty())
    spdlog::error("CURVE: authorized clients: {}; refusing every client until this is fixed", problem);
  last_problem_ = problem;
}

void ZapAuthenticator::run() {
  zmq::socket_t& socket = impl_->socket;
  std::vector<std::string> frames;
  std::string last_refused;
  auto last_refused_log = std::chrono::steady_clock::time_point{};
  while (!stop_) {
    try {
      zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
      frames.clear();
      zmq::message_t frame;
      do {
        if (!socket.recv(frame, zmq::recv_flags::dontwait)) break;
        frames.push_back(frame.to_string());
      } while (frame.more() && frames.size() < 16);
      while (frame.more()) (void)socket.recv(frame, zmq::recv_flags::dontwait);  // stay in step

      reload();
      const auto request = parse_zap_request(frames);
      const ZapRequest r = request.value_or(ZapRequest{"1.0", frames.size() > 1 ? frames[1] : "", {}, {}, {}, {}, {}});
      const ZapDecision d = request ? decide_zap(r, authorized_) : ZapDecision{false, "500", "malformed ZAP request", ""};
      if (d.allowed) {
        ++allowed_;
        spdlog::debug("CURVE: client '{}' from {} on {}", d.user_id, r.address, r.domain);
      } else {
        ++refused_;
        // A stranger retrying every 100 ms must not flood the log: once per key and minute.
        const std::string key = r.credentials.empty() ? std::string() : z85_encode_key(r.credentials[0]);
        const auto now = std::chrono::steady_clock::now();
        if (key != last_refused || now - last_refused_log > std::chrono::minutes(1)) {
          spdlog::warn("CURVE: refused client key {} from {} on {}: {} ({} refused so far)", key.empty() ? "-" : key,
                       r.address, r.domain, d.status_text, refused_.load());
          last_refused = key;
          last_refused_log = now;
        }
      }
      const auto reply = zap_reply_frames(r, d);
      for (std::size_t i = 0; i < reply.size(); ++i)
        socket.send(zmq::buffer(reply[i]), i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      spdlog::error("CURVE: ZAP handler: {}", e.what());
    }
  }
}

}  // namespace plinth
