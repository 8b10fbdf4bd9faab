// plinth sim: a simulated device speaking a real wire protocol on a pseudo-terminal (its
// path is printed on the first line of stdout) or on a given serial port.
#include <csignal>
#include <iostream>
#include <thread>

#include "drivers/driver_registry.hpp"
#include "drivers/sim/mat_source.hpp"
#include "drivers/sim_device.hpp"
#include "drivers/sim_heart_emitter.hpp"
#include "tools/commands.hpp"

namespace plinth::tools {
namespace {

struct SimOptions {
  std::string driver = "plinth-mat";
  std::string port;
  int rows = 64;
  int cols = 32;
  double pitch_cm = 2.54;
  double rate_hz = 50;
  std::uint64_t seed = 1;
  std::string posture = "supine";
  double shift_interval_s = 180;
  double empty_before_s = 0;
  std::string play;
  double breathing_per_min = 12;
  std::string rr_file;
  bool list = false;
};

volatile std::sig_atomic_t stop_requested = 0;

std::shared_ptr<sim::MatSource> make_mat_source(const SimOptions& o) {
  if (!o.play.empty()) {
    sim::PlaybackOptions playback;
    playback.rate_hz = o.rate_hz;
    return std::make_shared<sim::RecordingSource>(sim::read_recording(o.play), playback);
  }
  sim::BodyScenarioOptions body;
  body.posture = sim::parse_posture(o.posture);
  body.mean_shift_interval_s = o.shift_interval_s;
  body.empty_before_s = o.empty_before_s;
  return std::make_shared<sim::ScenarioSource>(
      sim::BodyScenario(static_cast<std::uint16_t>(o.rows), static_cast<std::uint16_t>(o.cols), o.pitch_cm,
                        o.rate_hz, o.seed, body));
}

// A strap: RR with breathing (RSA), slowly rising vagal tone and occasional artifacts, or an
// RR file played back.
int run_strap(const SimOptions& o, const DriverDescriptor& driver) {
  SimHeartConfig config;
  config.seed = o.seed;
  config.breathing_per_min = o.breathing_per_min;
  SimHeart heart = o.rr_file.empty() ? SimHeart(config) : SimHeart::playback(read_rr_file(o.rr_file), true);
  DeviceInfo info;
  info.model = "Plinth SimStrap";
  SimulatedDevice device(driver, DriverOptions{}, info, std::make_unique<HeartBeatEmitter>(std::move(heart)), o.port);
  device.start();
  std::cout << device.host_path() << std::endl;
  std::cerr << "plinth sim: " << driver.name << " strap on " << device.host_path() << " (Ctrl-C stops)\n";
  while (!stop_requested && device.running()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  device.stop();
  std::cerr << "plinth sim: sent " << device.stats().messages_sent << " beats\n";
  return 0;
}

int run_sim(const SimOptions& o) {
  if (o.list) {
    for (const DriverDescriptor* d : all_drivers())
      std::cout << d->name << '\t' << (d->kind == DeviceKind::mat ? "mat" : "heart") << '\t' << d->summary << '\n';
    return 0;
  }
  const DriverDescriptor* driver = find_driver(o.driver);
  if (!driver) throw std::runtime_error("unknown driver '" + o.driver + "' (plinth sim --list shows them)");
  std::signal(SIGINT, [](int) { stop_requested = 1; });
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  if (driver->kind == DeviceKind::heart) return run_strap(o, *driver);
  auto source = make_mat_source(o);
  DriverOptions options;
  options.rows = source->rows();
  options.cols = source->cols();
  const double rate = source->rate_hz();
  SimulatedDevice device(*driver, options, source->device_info(),
                         std::make_unique<MatFrameEmitter>(sim::as_generator(source), rate), o.port);
  device.start();
  std::cout << device.host_path() << std::endl;
  std::cerr << "plinth sim: " << driver->name << " " << source->rows() << "x" << source->cols() << " at " << rate
            << " Hz on " << device.host_path() << " (Ctrl-C stops)\n";
  while (!stop_requested && device.running()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  device.stop();
  const auto s = device.stats();
  std::cerr << "plinth sim: sent " << s.messages_sent << " frames, dropped " << s.messages_dropped
            << " (host not reading)\n";
  return 0;
}

}  // namespace

void add_sim_command(CLI::App& app) {
  auto o = std::make_shared<SimOptions>();
  auto* cmd = app.add_subcommand("sim", "Simulate a device on a pseudo-terminal (prints its path) or a port");
  cmd->add_option("--driver,-d", o->driver, "wire protocol (see --list)")->capture_default_str();
  cmd->add_option("--port,-p", o->port, "speak on this serial port instead of a new pseudo-terminal");
  cmd->add_option("--rows", o->rows, "mat rows (along the body)")->capture_default_str()->check(CLI::Range(4, 256));
  cmd->add_option("--cols", o->cols, "mat columns (across)")->capture_default_str()->check(CLI::Range(4, 256));
  cmd->add_option("--pitch", o->pitch_cm, "sensel pitch, cm")->capture_default_str()->check(CLI::Range(0.1, 20.0));
  cmd->add_option("--rate", o->rate_hz, "frames per second (with --play: playback rate)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 1000.0));
  cmd->add_option("--seed", o->seed, "random seed (the same seed gives the same session)")->capture_default_str();
  cmd->add_option("--posture", o->posture, "supine, prone, left, right")->capture_default_str();
  cmd->add_option("--shift-interval", o->shift_interval_s, "mean seconds between shifts of position (0 = never)")
      ->capture_default_str();
  cmd->add_option("--empty-before", o->empty_before_s, "seconds of empty table before the client lies down");
  cmd->add_option("--play", o->play, "play a recording (Vista FSA pmatdata or BodiTrak text) as the device");
  cmd->add_option("--breathing", o->breathing_per_min, "strap: breaths per minute (RSA)")->capture_default_str();
  cmd->add_option("--rr-file", o->rr_file, "strap: play RR intervals (ms, one per line) in a loop");
  cmd->add_flag("--list", o->list, "list the wire protocols");
  cmd->callback([o] {
    if (int rc = run_sim(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace plinth::tools
