// plinth sim: a simulated device speaking a real wire protocol on a pseudo-terminal (its
// path is printed on the first line of stdout) or on a given serial port.
#include <csignal>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
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
  // Faults, for reliability tests.
  std::string link;
  double unplug_at_s = -1;
  double unplug_for_s = 2;
  double corrupt = 0;
  double time_warp = 1;
  std::string fault_log;
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

// What the device did, as JSON for tests: fault counts, which messages went out intact or
// corrupted or not at all, and when it was unplugged and plugged back in.
void write_fault_log(const SimulatedDevice& device, const std::string& path) {
  const SimFaultReport& r = device.fault_report();
  const SimDeviceStats stats = device.stats();
  nlohmann::json plugs = nlohmann::json::array();
  for (const SimPlugEvent& e : r.plug_events)
    plugs.push_back({{"event", e.plugged ? "replug" : "unplug"}, {"unix_ns", e.unix_ns}, {"pty", e.pty_path}});
  const nlohmann::json log = {
      {"messages_sent", stats.messages_sent},
      {"messages_dropped", stats.messages_dropped},
      {"faults",
       {{"messages", r.faults.messages},
        {"garbage", r.faults.garbage},
        {"bit_flip", r.faults.bit_flip},
        {"truncate", r.faults.truncate},
        {"duplicate", r.faults.duplicate}}},
      {"intact", r.intact},
      {"corrupted", r.corrupted},
      {"not_sent", r.not_sent},
      {"plug_events", plugs}};
  std::ofstream out(path);
  out << log.dump() << '\n';
  if (!out) throw std::runtime_error("cannot write the fault log " + path);
}

// Prints the path, runs until Ctrl-C (unplugging on schedule), reports.
int run_device(SimulatedDevice& device, const SimOptions& o, const std::string& what, const char* unit) {
  if (!o.link.empty()) device.set_link_path(o.link);
  if (o.unplug_at_s >= 0 && o.link.empty())
    throw std::runtime_error("--unplug-at needs --link: the pty path changes when the device comes back");
  device.set_faults(o.corrupt, o.seed ^ 0x5eedfa17u);
  device.set_time_warp(o.time_warp);
  device.set_record_messages(!o.fault_log.empty());
  device.start();
  std::cout << device.host_path() << std::endl;
  std::cerr << "plinth sim: " << what << " on " << device.host_path() << " (Ctrl-C stops)\n";
  const auto started = std::chrono::steady_clock::now();
  const auto unplug_at = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                       std::chrono::duration<double>(o.unplug_at_s));
  const auto replug_at = unplug_at + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                         std::chrono::duration<double>(o.unplug_for_s));
  bool unplugged = false, replugged = false;
  while (!stop_requested && device.running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (o.unplug_at_s < 0) continue;
    const auto now = std::chrono::steady_clock::now();
    if (!unplugged && now >= unplug_at) {
      device.set_plugged(false);
      unplugged = true;
      std::cerr << "plinth sim: unplugged for " << o.unplug_for_s << " s\n";
    } else if (unplugged && !replugged && now >= replug_at) {
      device.set_plugged(true);
      replugged = true;
      std::cerr << "plinth sim: plugged back in\n";
    }
  }
  device.stop();
  const auto s = device.stats();
  const auto& f = device.fault_report().faults;
  std::cerr << "plinth sim: sent " << s.messages_sent << " " << unit << ", dropped " << s.messages_dropped
            << " (host not reading or unplugged)";
  if (o.corrupt > 0)
    std::cerr << "; faults: " << f.garbage << " garbage, " << f.bit_flip << " bit flips, " << f.truncate
              << " truncated, " << f.duplicate << " duplicated";
  std::cerr << '\n';
  if (!o.fault_log.empty()) write_fault_log(device, o.fault_log);
  return 0;
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
  return run_device(device, o, std::string(driver.name) + " strap", "beats");
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
  std::ostringstream what;
  what << driver->name << " " << source->rows() << "x" << source->cols() << " at " << rate << " Hz";
  return run_device(device, o, what.str(), "frames");
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
  cmd->add_option("--link", o->link, "keep a symlink here to the current pty (like /dev/serial/by-id); print it");
  cmd->add_option("--unplug-at", o->unplug_at_s, "fault: unplug the device this many seconds after start (needs --link)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--unplug-for", o->unplug_for_s, "fault: seconds before it is plugged back in")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--corrupt", o->corrupt,
                  "fault: fraction of messages given garbage, a bit flip, a cut or a duplicate (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--time-warp", o->time_warp, "send this many times faster than real time (device clock unchanged)")
      ->check(CLI::Range(0.01, 1000.0));
  cmd->add_option("--fault-log", o->fault_log, "on exit, write what was injected and which messages went out intact (JSON)");
  cmd->callback([o] {
    if (int rc = run_sim(*o)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace plinth::tools
