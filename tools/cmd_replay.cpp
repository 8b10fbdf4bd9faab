// plinth replay: plays a session archive onto a data endpoint with the same topics and
// payloads as live, at real time, a speed factor or as fast as possible; either as recorded
// (the archived metrics) or recomputed from the raw frames through the current pipeline.
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>

#include "tools/commands.hpp"
#include "tools/replay_options.hpp"
#include "tools/replay_player.hpp"

namespace plinth::tools {
namespace {

volatile std::sig_atomic_t interrupted = 0;

// "max" (as fast as possible: 0), or a positive factor such as 0.5, 10 or "10x".
double parse_speed(std::string text) {
  if (text == "max") return 0.0;
  if (!text.empty() && (text.back() == 'x' || text.back() == 'X')) text.pop_back();
  std::size_t used = 0;
  double speed = 0.0;
  try {
    speed = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || !(speed > 0.0) || !std::isfinite(speed))
    throw std::runtime_error("--speed must be a positive factor (e.g. 1, 0.5, 10) or 'max'");
  return speed;
}

int run_replay(const ReplayOptions& o) {
  const double speed = parse_speed(o.speed);
  if (o.start_s < 0 || !std::isfinite(o.start_s)) throw std::runtime_error("--start must be 0 or more seconds");
  if (!o.config_path.empty() && !o.recompute)
    std::fprintf(stderr, "plinth replay: --config without --recompute only changes the calibrated maps\n");
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  ReplayPlayer player(o, ArchiveReader::open(o.file));
  return player.run(speed, interrupted);
}

}  // namespace

void add_replay_command(CLI::App& app) {
  auto o = std::make_shared<ReplayOptions>();
  auto* cmd = app.add_subcommand("replay", "Play a session archive onto the data endpoint as if it were live");
  cmd->add_option("file", o->file, "session archive (.h5)")->required();
  cmd->add_option("--endpoint,-e", o->endpoint, "data endpoint to bind (ZeroMQ PUB)")->capture_default_str();
  cmd->add_option("--speed", o->speed, "speed factor (1 = real time, 0.5, 10, ...) or 'max'")->capture_default_str();
  cmd->add_option("--start", o->start_s, "start this many seconds into the session")->capture_default_str();
  cmd->add_flag("--loop", o->loop, "start over at the end, until Ctrl-C");
  cmd->add_flag("--recompute", o->recompute,
                "recompute maps and metrics from the raw frames through the current pipeline");
  cmd->add_option("--config", o->config_path,
                  "plinthd config to calibrate and recompute with (default: the config archived with the session)");
  cmd->add_option("--device", o->devices, "replay only this device (repeatable)");
  cmd->add_option("--wait-subscriber", o->wait_subscriber_s,
                  "wait up to this many seconds for a subscriber before playing");
  cmd->add_option("--hwm", o->hwm, "messages queued per subscriber before dropping (default: 1000; 0 = no limit, "
                                   "the default at --speed max)");
  cmd->callback([o] {
    const int code = run_replay(*o);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace plinth::tools
