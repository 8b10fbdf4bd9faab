#include "daemon/control_server.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <vector>
#include <zmq.hpp>

#include "daemon/security/zap_authenticator.hpp"

namespace plinth {
namespace {

// How often the hub hears from us: it lists a station as reachable for control while hellos
// arrive (schemas/hub.md), and a restarted daemon re-appears at its first one.
constexpr auto kHubHelloInterval = std::chrono::seconds(1);

// A REP-style request from the hub: routing frames, an empty delimiter, then the JSON.
struct Routed {
  std::vector<zmq::message_t> envelope;  // up to and including the empty delimiter
  zmq::message_t body;
};

std::optional<Routed> receive_routed(zmq::socket_t& socket) {
  Routed routed;
  std::vector<zmq::message_t> frames;
  zmq::message_t frame;
  do {
    if (!socket.recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
    frames.push_back(std::move(frame));
  } while (frames.back().more());
  std::size_t delimiter = 0;
  while (delimiter < frames.size() && frames[delimiter].size() != 0) ++delimiter;
  if (delimiter + 1 >= frames.size()) return std::nullopt;  // no delimiter or no body: not a request
  for (std::size_t i = 0; i <= delimiter; ++i) routed.envelope.push_back(std::move(frames[i]));
  routed.body = std::move(frames[delimiter + 1]);
  return routed;
}

}  // namespace

struct ControlServer::Impl {
  explicit Impl(zmq::context_t& context) : socket(context, zmq::socket_type::rep) {}
  zmq::socket_t socket;
  std::optional<zmq::socket_t> hub;
  std::string station;
  std::chrono::steady_clock::time_point next_hello{};
};

ControlServer::ControlServer(zmq::context_t& context, const std::string& endpoint, Handler handler,
                             const std::string& curve_secret_key, const std::optional<HubControl>& hub)
    : impl_(std::make_unique<Impl>(context)), handler_(std::move(handler)) {
  impl_->socket.set(zmq::sockopt::linger, 0);
  if (!curve_secret_key.empty()) make_curve_server(impl_->socket, curve_secret_key, "plinth-control");
  // libzmq rejects larger messages before they are buffered: a stranger cannot make the
  // daemon allocate megabytes.
  impl_->socket.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(kMaxControlRequestBytes * 4));
  impl_->socket.bind(endpoint);
  if (hub) {
    zmq::socket_t& dealer = impl_->hub.emplace(context, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::routing_id, hub->station);
    dealer.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(kMaxControlRequestBytes * 4));
    // Only to a connected hub: while it is away, hellos and replies are dropped rather than
    // queued and delivered in a burst later.
    dealer.set(zmq::sockopt::immediate, 1);
    if (!hub->server_public_key.empty()) make_curve_client(dealer, hub->own_keys, hub->server_public_key);
    dealer.connect(hub->endpoint);
    impl_->station = hub->station;
  }
  thread_ = std::thread([this] { run(); });
}

ControlServer::~ControlServer() { stop(); }

void ControlServer::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string ControlServer::answer(std::string_view request) {
  ++requests_;
  auto parsed = parse_control_request(request);
  if (auto* error = std::get_if<ControlParseError>(&parsed)) {
    ++rejected_;
    spdlog::warn("control: rejected request: {}", error->message);
    return control_error_reply(error->message);
  }
  try {
    return handler_(std::get<ControlRequest>(parsed));
  } catch (const std::exception& e) {
    return control_error_reply(e.what());
  }
}

void ControlServer::serve_rep() {
  zmq::socket_t& socket = impl_->socket;
  zmq::message_t request;
  if (!socket.recv(request, zmq::recv_flags::dontwait)) return;
  // A request is one frame; extra frames are read and ignored so REP stays in step.
  while (request.more()) {
    zmq::message_t extra;
    if (!socket.recv(extra, zmq::recv_flags::dontwait)) break;
    if (!extra.more()) break;
  }
  const std::string reply = answer(request.to_string_view());
  socket.send(zmq::buffer(reply), zmq::send_flags::none);
}

void ControlServer::serve_hub() {
  auto routed = receive_routed(*impl_->hub);
  if (!routed) return;
  const std::string reply = answer(routed->body.to_string_view());
  // Never blocking: with the hub gone the reply is lost (the hub answers its client with a
  // timeout), and the REP endpoint on this thread keeps serving.
  if (!impl_->hub->send(routed->envelope.front(), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return;
  for (std::size_t i = 1; i < routed->envelope.size(); ++i)
    (void)impl_->hub->send(routed->envelope[i], zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  (void)impl_->hub->send(zmq::buffer(reply), zmq::send_flags::dontwait);
}

void ControlServer::say_hello_to_hub() {
  const auto now = std::chrono::steady_clock::now();
  if (now < impl_->next_hello) return;
  impl_->next_hello = now + kHubHelloInterval;
  // One frame, no envelope: the hub tells a hello from a reply by that.
  const std::string hello = nlohmann::json{{"hello", impl_->station}}.dump();
  (void)impl_->hub->send(zmq::buffer(hello), zmq::send_flags::dontwait);
}

void ControlServer::run() {
  const bool with_hub = impl_->hub.has_value();
  while (!stop_) {
    zmq::pollitem_t items[2] = {{impl_->socket.handle(), 0, ZMQ_POLLIN, 0},
                                {with_hub ? impl_->hub->handle() : nullptr, 0, ZMQ_POLLIN, 0}};
    try {
      if (with_hub) say_hello_to_hub();
      if (zmq::poll(items, with_hub ? 2 : 1, std::chrono::milliseconds(100)) <= 0) continue;
      if (items[0].revents & ZMQ_POLLIN) serve_rep();
      if (with_hub && (items[1].revents & ZMQ_POLLIN)) serve_hub();
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) break;
      spdlog::error("control endpoint: {}", e.what());
    }
  }
}

}  // namespace plinth
