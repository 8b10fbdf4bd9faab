// plinth sub: subscribe to the data endpoint and print each message as one JSON line.
#include <chrono>
#include <csignal>
#include <iostream>
#include <zmq.hpp>

#include "daemon/host_clock.hpp"
#include "tools/commands.hpp"
#include "tools/curve_client.hpp"
#include "tools/proto_json.hpp"

namespace plinth::tools {
namespace {

struct SubOptions {
  std::string endpoint = "tcp://127.0.0.1:7460";
  std::vector<std::string> topics;
  std::int64_t count = 0;
  double timeout_s = 0;
  bool brief = false;
  CurveClientOptions curve;
};

volatile std::sig_atomic_t interrupted = 0;

int run_sub(const SubOptions& o) {
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::sub);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::rcvhwm, 100000);
  apply_curve_client(socket, o.curve);
  HandshakeWatch handshake(socket, o.endpoint, o.curve.enabled());
  socket.connect(o.endpoint);
  if (o.topics.empty()) socket.set(zmq::sockopt::subscribe, "");
  for (const auto& t : o.topics) socket.set(zmq::sockopt::subscribe, t);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.timeout_s);
  std::int64_t printed = 0;
  while (!interrupted && (o.count == 0 || printed < o.count)) {
    if (o.timeout_s > 0 && std::chrono::steady_clock::now() >= deadline) return printed > 0 ? 0 : 3;
    if (auto failure = handshake.failure()) {
      std::cerr << "plinth sub: " << *failure << '\n';
      return 2;
    }
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;  // a signal: the loop condition decides
      throw;
    }
    zmq::message_t topic, payload;
    if (!socket.recv(topic, zmq::recv_flags::dontwait)) continue;
    const std::int64_t received = wall_clock_unix_ns();
    if (!topic.more() || !socket.recv(payload, zmq::recv_flags::dontwait)) {
      std::cerr << "plinth sub: message without payload on topic " << topic.to_string() << "\n";
      continue;
    }
    nlohmann::json line;
    line["topic"] = topic.to_string();
    line["received_ns"] = received;
    auto message = message_for_topic(topic.to_string_view());
    if (!message) {
      line["error"] = "unknown topic";
    } else if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      line["error"] = "payload does not parse as " + message->GetTypeName();
    } else {
      line.update(message_to_json(*message, !o.brief));
    }
    std::cout << line.dump() << '\n' << std::flush;
    ++printed;
  }
  return 0;
}

}  // namespace

void add_sub_command(CLI::App& app) {
  auto options = std::make_shared<SubOptions>();
  auto* cmd = app.add_subcommand("sub", "Subscribe to the data stream and print JSON lines");
  cmd->add_option("--endpoint,-e", options->endpoint, "data endpoint")->capture_default_str();
  cmd->add_option("topics,--topic,-t", options->topics,
                  "topic prefixes (default: all), e.g. pressure.metrics. session.event");
  cmd->add_option("--count,-n", options->count, "exit after this many messages (0 = run until Ctrl-C)");
  cmd->add_option("--timeout", options->timeout_s, "exit after this many seconds (exit 3 if nothing arrived)");
  cmd->add_flag("--brief", options->brief, "leave out the per-sensel arrays (raw, pressure_mmhg)");
  add_curve_client_options(cmd, options->curve);
  cmd->callback([options] {
    if (int rc = run_sub(*options)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace plinth::tools
