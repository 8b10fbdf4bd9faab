// plinth ctl: send one request to the daemon's control endpoint and print the reply.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "tools/commands.hpp"
#include "tools/curve_client.hpp"

namespace plinth::tools {
namespace {

struct CtlOptions {
  std::string endpoint = "tcp://127.0.0.1:7461";
  double timeout_s = 5;
  nlohmann::json request;
  CurveClientOptions curve;
  std::string station;  // through a hub: the station whose daemon gets the request (schemas/hub.md)
};

// Through a hub, a request names its station; the hub removes the field before forwarding.
std::string addressed(const CtlOptions& o, const std::string& text) {
  if (o.station.empty()) return text;
  auto request = nlohmann::json::parse(text, nullptr, false);
  if (!request.is_object() || request.value("cmd", "") == "stations") return text;  // the hub's own, or bad JSON:
                                                                                     // the receiver answers
  request["station"] = o.station;
  return request.dump();
}

// `ctl status`: the daemon's own latency (StageLatency, schemas/topics.md) as a table on
// stderr, next to the JSON reply on stdout (which stays one line, for scripts).
void print_latency(const nlohmann::json& reply) {
  const auto it = reply.find("latency");
  if (it == reply.end() || !it->is_array() || it->empty()) return;
  auto us = [](const nlohmann::json& v) {
    char text[32];
    if (!v.is_number()) return std::string("-");
    std::snprintf(text, sizeof text, "%.1f", v.get<double>());
    return std::string(text);
  };
  std::fprintf(stderr, "daemon latency from a frame's arrival (us; interval: since the last status, "
                       "session: since the session started)\n");
  std::fprintf(stderr, "  %-12s %-9s %-15s %9s %9s %9s %9s %9s\n", "device", "window", "stage", "frames", "p50",
               "p99", "p99.9", "max");
  for (const auto& l : *it)
    std::fprintf(stderr, "  %-12s %-9s %-15s %9llu %9s %9s %9s %9s\n", l.value("device", "").c_str(),
                 l.value("window", "").c_str(), l.value("stage", "").c_str(),
                 static_cast<unsigned long long>(l.value("count", std::uint64_t{0})), us(l["p50_us"]).c_str(),
                 us(l["p99_us"]).c_str(), us(l["p999_us"]).c_str(), us(l["max_us"]).c_str());
}

int send_request(const CtlOptions& o, const std::string& text, bool latency_table = false) {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::req);
  socket.set(zmq::sockopt::linger, 0);
  apply_curve_client(socket, o.curve);
  HandshakeWatch handshake(socket, o.endpoint, o.curve.enabled());
  socket.connect(o.endpoint);
  socket.send(zmq::buffer(addressed(o, text)), zmq::send_flags::none);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.timeout_s);
  for (;;) {
    if (auto failure = handshake.failure()) {
      std::cerr << "plinth ctl: " << *failure << '\n';
      return 2;
    }
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) > 0) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      std::cerr << "plinth ctl: no reply from " << o.endpoint << " within " << o.timeout_s
                << " s (is plinthd running?)\n";
      return 2;
    }
  }
  zmq::message_t reply;
  (void)socket.recv(reply, zmq::recv_flags::none);
  std::cout << reply.to_string() << '\n';
  auto parsed = nlohmann::json::parse(reply.to_string(), nullptr, false);
  if (latency_table && parsed.is_object()) print_latency(parsed);
  return parsed.is_object() && parsed.value("ok", false) ? 0 : 1;
}

}  // namespace

void add_ctl_command(CLI::App& app) {
  auto o = std::make_shared<CtlOptions>();
  auto* ctl = app.add_subcommand("ctl", "Control the daemon: status, sessions, markers, pain scores");
  ctl->add_option("--endpoint,-e", o->endpoint, "control endpoint")->capture_default_str();
  ctl->add_option("--timeout", o->timeout_s, "seconds to wait for the reply")->capture_default_str();
  ctl->add_option("--station", o->station,
                  "through a hub (-e tcp://HUB:7561): the station whose daemon gets the request (schemas/hub.md)");
  add_curve_client_options(ctl, o->curve);
  ctl->require_subcommand(1);
  auto run = [o] {
    if (int rc = send_request(*o, o->request.dump())) throw CLI::RuntimeError(rc);
  };

  ctl->add_subcommand("status",
                      "Print the daemon's status (JSON on stdout; the daemon's own latency per mat and "
                      "stage as a table on stderr)")
      ->callback([o] {
        o->request = {{"cmd", "status"}};
        if (int rc = send_request(*o, o->request.dump(), true)) throw CLI::RuntimeError(rc);
      });

  auto subject = std::make_shared<std::string>();
  auto* start = ctl->add_subcommand("start", "Start a new session (a new archive file)");
  start->add_option("--subject", *subject, "pseudonym of the client (never a name)");
  start->callback([o, run, subject] {
    o->request = {{"cmd", "session.start"}};
    if (!subject->empty()) o->request["subject"] = *subject;
    run();
  });

  ctl->add_subcommand("stop", "Stop the session and close its archive")->callback([o, run] {
    o->request = {{"cmd", "session.stop"}};
    run();
  });

  struct Marker {
    std::string label, detail;
    std::optional<double> value;
  };
  auto marker = std::make_shared<Marker>();
  auto* mark = ctl->add_subcommand("marker", "Mark a moment (technique change, note)");
  mark->add_option("label", marker->label, "what happens now, e.g. effleurage")->required();
  mark->add_option("--value", marker->value, "an optional number");
  mark->add_option("--detail", marker->detail, "free text");
  mark->callback([o, run, marker] {
    o->request = {{"cmd", "marker"}, {"label", marker->label}};
    if (marker->value) o->request["value"] = *marker->value;
    if (!marker->detail.empty()) o->request["detail"] = marker->detail;
    run();
  });

  auto pain = std::make_shared<Marker>();
  auto* pain_cmd = ctl->add_subcommand("pain", "Record a 0-10 pain score");
  pain_cmd->add_option("score", pain->value, "0 (none) to 10 (worst)")->required()->check(CLI::Range(0.0, 10.0));
  pain_cmd->add_option("--detail", pain->detail, "free text, e.g. where");
  pain_cmd->callback([o, run, pain] {
    o->request = {{"cmd", "pain"}, {"score", *pain->value}};
    if (!pain->detail.empty()) o->request["detail"] = pain->detail;
    run();
  });

  auto seconds = std::make_shared<double>(120);
  auto* baseline = ctl->add_subcommand("baseline", "Make the last SECONDS the relaxation baseline");
  baseline->add_option("seconds", *seconds, "10 to 900")->check(CLI::Range(10.0, 900.0))->capture_default_str();
  baseline->callback([o, run, seconds] {
    o->request = {{"cmd", "baseline"}, {"seconds", *seconds}};
    run();
  });

  auto window = std::make_shared<double>(60);
  auto* hrv = ctl->add_subcommand("hrv", "HRV now, over the last WINDOW seconds");
  hrv->add_option("window", *window, "10 to 600 s")->check(CLI::Range(10.0, 600.0))->capture_default_str();
  hrv->callback([o, run, window] {
    o->request = {{"cmd", "hrv"}, {"window_s", *window}};
    run();
  });

  ctl->add_subcommand("stations", "Through a hub: the stations it can reach (answered by the hub itself)")
      ->callback([o, run] {
        o->request = {{"cmd", "stations"}};
        run();
      });

  auto raw = std::make_shared<std::string>();
  auto* send = ctl->add_subcommand("send", "Send a raw JSON request (for scripts and tests)");
  send->add_option("json", *raw, "the request")->required();
  send->callback([o, raw] {
    if (int rc = send_request(*o, *raw)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace plinth::tools
