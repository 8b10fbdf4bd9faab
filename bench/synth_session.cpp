// Writes a whole session archive in seconds instead of minutes: the daemon's own per-device
// code on a virtual clock. Frames of the simulated body (drivers/sim/body_scenario) go through
// MatChannel (pipeline, gaps, exposure snapshots, archive); beats of the simulated strap
// (drivers/sim_heart) through HrvMonitor (provisional and final decisions, HRV windows); the
// relaxation readout, markers, pain scores, baseline and status rows as Daemon::Impl makes
// them. For the tests of `plinth report`, `history` and `repair`, and the report benchmark.
//
//   synth_session --dir DIR [--subject P-017] [--start 2026-11-23T09:15:00Z] [--minutes 12]
//                 [--rate 10] [--rows 64] [--cols 32] [--seed 1] [--scale 0.025] [--serial SN1]
//                 [--marker 300:effleurage] [--pain 30:6] [--gap 200:25] [--kill-at 400]
//                 [--distinct 0] [--no-heart] [--regions] [--play REC.txt] [--rr-file RR.txt]
// --play plays a recorded mat (e.g. ../shared/data/pressure/pmatdata/S1/1.txt) in a loop at
// --rate; --rr-file plays recorded RR intervals in a loop as the strap's beats.
// Prints the archive's path. --kill-at S: stops feeding at session second S, waits until the
// archive thread has flushed and kills itself with SIGKILL (an unclean end, like kill -9).
//
// Differences from the daemon, on purpose: the clock is virtual (frames at exact 1/rate steps,
// beats at the strap's own times), there is no ZeroMQ subscriber, and the queue never drops
// (the synthesizer waits for the archive thread instead).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_file.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/hrv/hrv_flatten.hpp"
#include "daemon/hrv/hrv_monitor.hpp"
#include "daemon/mat_channel.hpp"
#include "daemon/messages.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/publisher.hpp"
#include "daemon/relaxation/relaxation.hpp"
#include "daemon/session_outlet.hpp"
#include "drivers/rr_file.hpp"
#include "drivers/sim/body_scenario.hpp"
#include "drivers/sim/mat_source.hpp"
#include "drivers/sim/recording_reader.hpp"
#include "drivers/sim_heart.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth::synth {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kNsPerS = 1'000'000'000;

struct Options {
  std::string dir;
  std::string subject = "P-017";
  std::string start = "2026-11-23T09:15:00Z";
  double minutes = 12.0;
  double rate_hz = 10.0;
  int rows = 64;
  int cols = 32;
  std::uint64_t seed = 1;
  double scale = 1.0 / sim::kCountsPerMmHg;  // linear calibration, mmHg per count
  std::string serial = "SIM-0001";
  std::vector<std::string> markers;  // "SECONDS:LABEL"
  std::vector<std::string> pains;    // "SECONDS:SCORE"
  std::vector<std::string> gaps;     // "SECONDS:FRAMES" lost before the frame at SECONDS
  double kill_at_s = -1.0;
  std::size_t distinct = 0;  // > 0: render this many frames and cycle them (fast long sessions)
  bool no_heart = false;
  bool regions = false;
  double empty_before_s = 20.0;
  std::string play;     // a recorded mat instead of the simulated body
  std::string rr_file;  // recorded RR intervals instead of the simulated heart
};

std::int64_t parse_start(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) throw std::runtime_error("--start must look like 2026-11-23T09:15:00Z, not " + text);
  return static_cast<std::int64_t>(::timegm(&tm)) * kNsPerS;
}

std::pair<double, std::string> split_timed(const std::string& text, const char* what) {
  const auto colon = text.find(':');
  if (colon == std::string::npos) throw std::runtime_error(std::string(what) + " must be SECONDS:VALUE, not " + text);
  return {std::stod(text.substr(0, colon)), text.substr(colon + 1)};
}

std::string config_toml(const Options& o) {
  std::ostringstream c;
  c << "# synth_session: the simulated devices of plinthd --simulate on a virtual clock\n"
    << "subject = \"" << o.subject << "\"\n"
    << "archive_dir = \"" << o.dir << "\"\n\n"
    << "[[mat]]\nid = \"mat0\"\ndriver = \"plinth-mat\"\nport = \"/dev/null\"\n"
    << "rows = " << o.rows << "\ncols = " << o.cols << "\npitch_cm = 2.54\n"
    << "saturation_raw = " << sim::kAdcMax << "\nnoise_threshold_mmhg = 5.0\n";
  if (o.regions) {
    // The example config's zones (daemon/config/plinthd.example.toml) scaled to the mat's rows.
    const int r = o.rows;
    const int b[] = {0, r * 10 / 64, r * 18 / 64, r * 30 / 64, r * 40 / 64, r};
    const char* names[] = {"head", "shoulders", "torso", "pelvis", "legs"};
    c << "regions = [\n";
    for (int k = 0; k < 5; ++k)
      c << "  { name = \"" << names[k] << "\", rect = [" << b[k] << ", 0, " << b[k + 1] - b[k] << ", " << o.cols
        << "] },\n";
    c << "]\n";
  }
  c << "[mat.calibration]\ncurve = \"linear\"\nunit = \"mmHg\"\nscale = " << o.scale << "\n\n";
  if (!o.no_heart) c << "[[heart]]\nid = \"strap0\"\ndriver = \"rr-line\"\nport = \"/dev/null\"\n\n";
  c << "[relaxation]\nsettle_s = 30\nbaseline_s = 60\n";
  return c.str();
}

// The daemon's SessionOutlet on a virtual clock: events are archived at the current time.
class Outlet final : public SessionOutlet {
 public:
  Outlet(Publisher& publisher, std::string session_id) : publisher_(publisher), session_id_(std::move(session_id)) {}
  void set_archive(ArchiveWriter* archive) { archive_ = archive; }
  void set_now(std::int64_t now) { now_ = now; }
  const std::string& session_id() const override { return session_id_; }
  const std::string& station() const override { return station_; }
  Publisher& publisher() override { return publisher_; }
  ArchiveWriter* archive() override { return archive_; }
  void event(std::string_view kind, std::string_view label, double value, std::string_view detail,
             std::string_view) override {
    if (archive_) archive_->submit(archived::Event{now_, std::string(kind), std::string(label), value, std::string(detail)});
  }

 private:
  Publisher& publisher_;
  ArchiveWriter* archive_ = nullptr;
  std::string session_id_;
  std::string station_ = "synth";
  std::int64_t now_ = 0;
};

ArchiveDeviceLayout heart_layout(const HeartConfig& config, std::uint32_t final_delay_beats) {
  ArchiveDeviceLayout l;
  l.id = config.device.id;
  l.kind = DeviceKind::heart;
  l.attributes["driver"] = config.device.driver;
  l.attributes["port"] = config.device.selector.port;
  l.attributes["correction"] = std::string(to_string(config.correction));
  l.attributes["hrv_window_s"] = config.hrv_window_s;
  l.attributes["final_delay_beats"] = static_cast<std::int64_t>(final_delay_beats);
  l.attributes["spectrum"] = config.spectrum;
  l.attributes["model"] = std::string("Plinth SimStrap");
  for (std::string_view f : hrv_record_fields().subspan(1)) l.hrv_fields.emplace_back(std::string(f));
  return l;
}

int run(const Options& o) {
  const std::int64_t t0 = parse_start(o.start);
  const std::int64_t end_ns = t0 + static_cast<std::int64_t>(o.minutes * 60.0 * 1e9);
  const DaemonConfig config = parse_daemon_config(config_toml(o), "synth_session");

  zmq::context_t context;
  PublisherOptions publisher_options;
  publisher_options.endpoint = "inproc://synth-session";
  Publisher publisher(context, publisher_options);
  Outlet outlet(publisher, make_session_id(t0, static_cast<std::uint16_t>(o.seed * 7919u)));
  boost::asio::io_context io;  // never run: the channel is driven directly, not through its link
  HostClock clock;
  MatChannel mat(io, clock, config.mats.front(), outlet, 0);
  DecodedOutput identify;  // the mat says who it is before the session, as a real one does on connect
  identify.info.model = "Plinth SimMat";
  identify.info.serial = o.serial;
  identify.info.firmware = "sim";
  identify.info.rows = static_cast<std::uint16_t>(o.rows);
  identify.info.cols = static_cast<std::uint16_t>(o.cols);
  identify.info.adc_bits = 12;
  mat.on_message(StepOutcome::device_info, identify, t0);

  HrvMonitorSettings heart_settings;
  heart_settings.baseline_s = 0.0;  // the relaxation tracker's baseline, as in the daemon
  HrvMonitor monitor(heart_settings);
  HrvMonitorOutput heart_out;
  RelaxationTracker relaxation(config.relaxation);

  SessionMeta meta;
  meta.session_id = outlet.session_id();
  meta.subject = o.subject;
  meta.started_at_ns = t0;
  meta.software_version = "synth_session";
  meta.config_toml = config.text;
  std::vector<ArchiveDeviceLayout> layouts{mat.archive_layout()};
  if (!o.no_heart) layouts.push_back(heart_layout(config.hearts.front(), monitor.final_delay_beats()));
  ArchiveStatusLayout status_layout;
  for (const char* c : {"mat0.frames", "mat0.sequence_gaps", "mat0.frames_lost", "strap0.frames"})
    status_layout.counters.push_back({c, "count"});
  status_layout.gauges.push_back({"archive.queue_depth", "records"});
  for (const auto& name : RelaxationTracker::archive_fields()) status_layout.relaxation.push_back({name, ""});
  SessionArchive file = SessionArchive::create_in(o.dir, meta, layouts, status_layout);
  if (!file.healthy()) throw std::runtime_error("cannot create the archive: " + file.last_error());
  const std::string path = file.path().string();
  ArchiveWriter archive(std::move(file), ArchiveWriterOptions{.queue_capacity = 1024});
  archive.start();
  outlet.set_archive(&archive);
  auto wait_for_archive = [&] {
    while (archive.stats().queue_depth > 256) std::this_thread::sleep_for(std::chrono::microseconds(200));
  };

  outlet.set_now(t0);
  relaxation.start_session(t0, true);
  outlet.event("session.start", o.subject, kNaN, path, {});
  mat.announce_calibration();
  mat.set_observer([&](const PressureResult& r) {
    if (!r.suspect)
      relaxation.on_pressure(StillnessSample{r.host_time_ns, r.occupied, r.frame.total_load_n, r.step_dt_s,
                                             r.step_movement, r.step_cop_cm});
  });

  std::vector<double> hrv_values(hrv_record_fields().size());
  std::uint64_t beats_in = 0;
  auto deliver_heart = [&] {
    for (const BeatRecord& b : heart_out.beats)
      archive.submit(archived::Beat{1, ArchiveBeat{b.time_ns, b.rr_ms, b.nn_ms, b.hr_bpm, b.flags, 0}, {}});
    for (const BeatRecord& b : heart_out.final_beats) {
      const std::vector<double> extra = {static_cast<double>(b.beat_index), static_cast<double>(b.nn_count),
                              static_cast<double>(b.provisional_flags)};
      archive.submit(archived::Beat{1, ArchiveBeat{b.time_ns, b.rr_ms, b.nn_ms, b.hr_bpm, b.flags, 0, true}, extra});
    }
    for (const HrvMetrics& m : heart_out.updates) {
      flatten_hrv_record(m, hrv_values);
      archive.submit(archived::Hrv{1, m.time_ns, {hrv_values.begin() + 1, hrv_values.end()}});
      relaxation.on_hrv(m.time_ns, m);
    }
    heart_out.clear();
  };

  // Timed events, in order of time.
  std::multimap<std::int64_t, std::pair<std::string, std::string>> events;
  for (const auto& m : o.markers) {
    const auto [s, label] = split_timed(m, "--marker");
    events.emplace(t0 + static_cast<std::int64_t>(s * 1e9), std::pair{std::string("marker"), label});
  }
  for (const auto& p : o.pains) {
    const auto [s, score] = split_timed(p, "--pain");
    events.emplace(t0 + static_cast<std::int64_t>(s * 1e9), std::pair{std::string("pain"), score});
  }
  std::map<std::int64_t, std::uint32_t> gaps;  // frame index -> frames lost before it
  for (const auto& g : o.gaps) {
    const auto [s, n] = split_timed(g, "--gap");
    gaps[static_cast<std::int64_t>(s * o.rate_hz)] = static_cast<std::uint32_t>(std::stoul(n));
  }

  sim::BodyScenarioOptions body;
  body.empty_before_s = o.empty_before_s;
  body.mean_shift_interval_s = 120.0;
  sim::BodyScenario scenario(static_cast<std::uint16_t>(o.rows), static_cast<std::uint16_t>(o.cols), 2.54, o.rate_hz,
                             o.seed, body);
  std::vector<MatFrame> cycle(o.distinct);
  for (std::size_t i = 0; i < o.distinct; ++i) scenario.fill_frame(i, cycle[i]);
  SimHeartConfig heart_config;
  heart_config.seed = o.seed + 100;
  heart_config.settle_time_s = 400.0;
  SimHeart heart = o.rr_file.empty() ? SimHeart(heart_config) : SimHeart::playback(read_rr_file(o.rr_file), true);
  std::unique_ptr<sim::RecordingSource> recording;
  if (!o.play.empty()) {
    sim::PlaybackOptions playback;
    playback.rate_hz = o.rate_hz;
    recording = std::make_unique<sim::RecordingSource>(sim::read_recording(o.play), playback);
    if (recording->rows() != o.rows || recording->cols() != o.cols)
      throw std::runtime_error(o.play + " is " + std::to_string(recording->rows()) + "x" + std::to_string(recording->cols()) +
                               ": give --rows and --cols to match");
  }
  // The strap's next beat; time_s < 0 once there are none (no strap).
  SimBeat next_beat{0.0, -1.0, 0, 0};
  if (!o.no_heart) next_beat = heart.next_beat().value_or(next_beat);

  const auto period_ns = static_cast<std::int64_t>(1e9 / o.rate_hz);
  const std::int64_t kill_ns = o.kill_at_s >= 0 ? t0 + static_cast<std::int64_t>(o.kill_at_s * 1e9) : end_ns + 1;
  std::int64_t next_relaxation = t0 + static_cast<std::int64_t>(config.relaxation_interval_s * 1e9);
  std::int64_t next_status = t0 + kNsPerS;
  std::int64_t skip_until = 0;
  std::uint64_t frames = 0, lost = 0, gap_count = 0;
  DecodedOutput decoded;
  std::vector<std::uint64_t> counters(4);
  std::vector<double> gauges(1), relaxation_values;

  for (std::int64_t index = 0;; ++index) {
    const std::int64_t frame_ns = t0 + index * period_ns;
    if (frame_ns >= end_ns || frame_ns >= kill_ns) break;
    // Everything due before this frame: beats, events, relaxation readings, status rows.
    while (next_beat.time_s >= 0 && t0 + static_cast<std::int64_t>(next_beat.time_s * 1e9) <= frame_ns) {
      const std::int64_t beat_ns = t0 + static_cast<std::int64_t>(next_beat.time_s * 1e9);
      outlet.set_now(beat_ns);
      monitor.push(RawBeat{next_beat.rr_ms, beat_ns, next_beat.missing_beats}, heart_out);
      deliver_heart();
      ++beats_in;
      next_beat = heart.next_beat().value_or(SimBeat{0.0, -1.0, 0, 0});
    }
    while (!events.empty() && events.begin()->first <= frame_ns) {
      const auto [t, e] = *events.begin();
      events.erase(events.begin());
      outlet.set_now(t);
      if (e.first == "marker") {
        outlet.event("marker", e.second, kNaN, "", {});
        relaxation.on_marker(t, e.second);
      } else {
        outlet.event("pain", "pain", std::stod(e.second), "", {});
      }
    }
    while (next_relaxation <= frame_ns) {
      outlet.set_now(next_relaxation);
      if (const auto segment = relaxation.take_completed_baseline(next_relaxation)) {
        if (!o.no_heart) {
          monitor.set_baseline_segment(segment->first, segment->second, heart_out);
          deliver_heart();
        }
        outlet.event("baseline", "automatic", static_cast<double>(segment->second - segment->first) / 1e9,
                     "the baseline after settling on the table", {});
      }
      RelaxationTracker::flatten(relaxation.reading(next_relaxation), relaxation_values);
      archive.submit(archived::Relaxation{next_relaxation, relaxation_values});
      next_relaxation += static_cast<std::int64_t>(config.relaxation_interval_s * 1e9);
    }
    while (next_status <= frame_ns) {
      counters = {frames, gap_count, lost, beats_in};
      gauges = {static_cast<double>(archive.stats().queue_depth)};
      archive.submit(archived::Status{next_status, counters, gauges});
      next_status += kNsPerS;
    }
    if (const auto g = gaps.find(index); g != gaps.end()) {
      skip_until = index + g->second;  // frames lost on the way: the device counter will skip them
      lost += g->second;
      ++gap_count;
    }
    if (index < skip_until) continue;
    if (recording) {
      recording->next(decoded.frame);  // a loop over the recorded frames (as recorded, suspect ones too)
    } else if (o.distinct > 0) {
      decoded.frame = cycle[static_cast<std::size_t>(index) % cycle.size()];
    } else {
      scenario.fill_frame(static_cast<std::uint64_t>(index), decoded.frame);
    }
    decoded.frame.device_seq = static_cast<std::uint32_t>(index);
    decoded.frame.device_time_us = static_cast<std::uint64_t>(index * period_ns / 1000);
    outlet.set_now(frame_ns);
    mat.on_message(StepOutcome::mat_frame, decoded, frame_ns);
    ++frames;
    if (frames % 16 == 0) wait_for_archive();
  }

  if (o.kill_at_s >= 0) {
    // Whatever the archive thread has flushed is on disk; then die like a killed daemon.
    while (archive.stats().queue_depth > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // at least one flush (once a second)
    std::cout << path << std::endl;
    ::raise(SIGKILL);
  }
  outlet.set_now(end_ns);
  monitor.flush(heart_out);
  deliver_heart();
  mat.finish_session();
  outlet.event("session.stop", o.subject, kNaN, "", {});
  if (!archive.stop(end_ns)) throw std::runtime_error("closing the archive failed: " + archive.stats().error);
  std::cout << path << std::endl;
  return 0;
}

}  // namespace
}  // namespace plinth::synth

int main(int argc, char** argv) {
  plinth::synth::Options o;
  CLI::App app{"synth_session: a simulated session archive on a virtual clock"};
  app.add_option("--dir", o.dir, "archive directory")->required();
  app.add_option("--subject", o.subject)->capture_default_str();
  app.add_option("--start", o.start, "UTC start, 2026-11-23T09:15:00Z")->capture_default_str();
  app.add_option("--minutes", o.minutes)->capture_default_str();
  app.add_option("--rate", o.rate_hz, "mat frames per second")->capture_default_str();
  app.add_option("--rows", o.rows)->capture_default_str();
  app.add_option("--cols", o.cols)->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--scale", o.scale, "calibration: mmHg per count (linear)")->capture_default_str();
  app.add_option("--serial", o.serial)->capture_default_str();
  app.add_option("--marker", o.markers, "SECONDS:LABEL (repeatable)");
  app.add_option("--pain", o.pains, "SECONDS:SCORE (repeatable)");
  app.add_option("--gap", o.gaps, "SECONDS:FRAMES lost (repeatable)");
  app.add_option("--kill-at", o.kill_at_s, "SIGKILL itself at this session second");
  app.add_option("--distinct", o.distinct, "cycle this many rendered frames (0 = render every frame)");
  app.add_option("--empty-before", o.empty_before_s, "seconds of empty table first")->capture_default_str();
  app.add_flag("--no-heart", o.no_heart);
  app.add_flag("--regions", o.regions, "configure five body zones");
  app.add_option("--play", o.play, "a recorded mat (text recording) instead of the simulated body");
  app.add_option("--rr-file", o.rr_file, "recorded RR intervals (ms per line) instead of the simulated heart");
  CLI11_PARSE(app, argc, argv);
  try {
    return plinth::synth::run(o);
  } catch (const std::exception& e) {
    std::cerr << "synth_session: " << e.what() << "\n";
    return 1;
  }
}
