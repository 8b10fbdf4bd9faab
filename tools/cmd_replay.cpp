// plinth replay: plays a session archive onto a data endpoint with the same topics and
// payloads as live, at real time, a speed factor or as fast as possible; either as recorded
// (the archived metrics) or recomputed from the raw frames through the current pipeline.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <iostream>
#include <cstdio>
#include <memory>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "daemon/config/daemon_config.hpp"
#include "daemon/messages.hpp"
#include "daemon/pressure/corrupt_frame.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/sequence_tracker.hpp"
#include "daemon/topics.hpp"
#include "tools/archive_reader.hpp"
#include "tools/archive_records.hpp"
#include "tools/commands.hpp"
#include "tools/replay_timeline.hpp"

namespace plinth::tools {
namespace {

struct ReplayOptions {
  std::string file;
  std::string endpoint = "tcp://127.0.0.1:7460";
  std::string speed = "1";
  double start_s = 0.0;
  bool loop = false;
  bool recompute = false;
  std::string config_path;
  std::vector<std::string> devices;
  double wait_subscriber_s = 0.0;
  int hwm = -1;
};

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

// The data endpoint. XPUB sends exactly like PUB and also lets us see subscriptions arrive,
// so that a replay can wait for its first listener.
class ReplaySocket {
 public:
  ReplaySocket(const std::string& endpoint, int hwm) : socket_(context_, zmq::socket_type::xpub) {
    socket_.set(zmq::sockopt::sndhwm, hwm);
    socket_.set(zmq::sockopt::linger, 0);
    try {
      socket_.bind(endpoint);
    } catch (const zmq::error_t& e) {
      throw std::runtime_error("cannot bind the data endpoint " + endpoint + ": " + e.what());
    }
  }

  // True once a subscription has arrived (or false after the timeout or Ctrl-C).
  bool wait_for_subscriber(double timeout_s) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (!interrupted && std::chrono::steady_clock::now() < end) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      try {
        if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) <= 0) continue;
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        throw;
      }
      zmq::message_t m;
      if (socket_.recv(m, zmq::recv_flags::dontwait) && m.size() > 0 && m.data<unsigned char>()[0] == 1) return true;
    }
    return false;
  }

  std::uint64_t next_seq(const std::string& topic) { return sequences_[topic]++; }

  void send(const std::string& topic, const std::string& payload) {
    const auto first = socket_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    const auto second = first ? socket_.send(zmq::buffer(payload), zmq::send_flags::dontwait) : first;
    if (second) ++sent_;
    else ++dropped_;
  }

  void set_linger(std::chrono::milliseconds ms) { socket_.set(zmq::sockopt::linger, static_cast<int>(ms.count())); }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::map<std::string, std::uint64_t> sequences_;
  std::uint64_t sent_ = 0, dropped_ = 0;
};

// One line on a terminal, redrawn at most ten times a second.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled) {}
  void update(double done_s, double total_s, std::uint64_t messages, bool force = false) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double fraction = total_s > 0 ? std::clamp(done_s / total_s, 0.0, 1.0) : 1.0;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\rreplay [%s] %3.0f%%  %s / %s  %llu messages ", bar.c_str(), fraction * 100.0,
                 clock_text(done_s).c_str(), clock_text(total_s).c_str(), static_cast<unsigned long long>(messages));
    shown_ = true;
  }
  void finish(const char* note) {
    if (enabled_ && shown_) std::fprintf(stderr, "%s\n", note);
  }

 private:
  static std::string clock_text(double s) {
    const long total = std::lround(std::max(0.0, s));
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    return buffer;
  }
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

struct MatSource {
  std::string id, frame_topic, metrics_topic, exposure_topic;
  PressureConfig config;
  std::vector<std::int64_t> times;
  std::vector<std::uint32_t> seqs;
  std::vector<std::uint64_t> device_times;
  ArchiveTable metrics;
  std::vector<std::int64_t> metrics_frame;  // metrics row -> frame index (-1: none)
  std::vector<std::int64_t> frame_metrics;  // frame index -> metrics row (-1: none)
  std::unique_ptr<PressurePipeline> pipeline;  // --recompute
  std::unique_ptr<Calibrator> calibrator;      // as recorded: only the map is recomputed
  PressureResult recorded;                     // as recorded: the message being rebuilt
  MatFrame frame;
  SequenceTracker tracker;
  // Exposure snapshots at the archived times: as recorded, the archived maps; with --recompute,
  // the pipeline's own (the frame times, hence live's schedule, are the same).
  std::vector<std::int64_t> exposure_times;
  std::vector<double> exposure_durations;
  ExposureMap exposure;
  std::vector<float> pti, time_above;
};

struct HeartSource {
  std::string id, beat_topic, final_topic, hrv_topic;
  ArchiveTable beats, finals, hrv;       // finals: /heart/<id>/beats_final (empty before format 2)
  std::vector<std::int64_t> final_times;  // when each final decision was made live
};

DaemonConfig config_for_replay(const ArchiveReader& reader, const std::string& config_path) {
  if (!config_path.empty()) {
    DaemonConfig config = load_daemon_config(config_path);
    for (const std::string& warning : config.deprecations) std::cerr << "plinth replay: warning: " << warning << "\n";
    return config;
  }
  const std::string text = text_of(reader.attributes(), "config");
  if (text.empty()) throw std::runtime_error("the archive carries no config to calibrate its frames with; give --config FILE");
  try {
    // A relative calibration file is looked for next to the archive.
    return parse_daemon_config(text, reader.path().string() + " (archived config)");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot use the archived config: ") + e.what() +
                             "; give the config to use with --config FILE");
  }
}

class Replay {
 public:
  Replay(const ReplayOptions& o, ArchiveReader reader) : options_(o), reader_(std::move(reader)) {
    session_id_ = text_of(reader_.attributes(), "session_id");
    std::set<std::string> wanted(o.devices.begin(), o.devices.end());
    for (const std::string& id : wanted)
      if (!reader_.device(id)) throw std::runtime_error("the archive has no device '" + id + "' (" + device_list() + ")");
    std::optional<DaemonConfig> config;
    for (const ArchiveDevice& d : reader_.devices()) {
      if (!wanted.empty() && !wanted.count(d.id)) continue;
      if (d.kind == "mat") {
        if (!config) config = config_for_replay(reader_, o.config_path);
        add_mat(d, *config);
      } else if (d.kind == "heart") {
        add_heart(d);
      }
    }
    events_ = reader_.events();
    build_timeline();
  }

  int run(double speed) {
    if (items_.empty()) throw std::runtime_error(reader_.path().string() + ": the archive holds nothing to replay");
    const std::int64_t first_ns = items_.front().time_ns;
    const std::int64_t session_start =
        std::min(integer_of(reader_.attributes(), "started_at_ns").value_or(first_ns), first_ns);
    const std::int64_t start_ns = session_start + static_cast<std::int64_t>(std::llround(options_.start_s * 1e9));
    const std::size_t first = first_at_or_after(items_, start_ns);
    const double length_s = static_cast<double>(items_.back().time_ns - session_start) * 1e-9;
    if (first == items_.size()) {
      char text[160];
      std::snprintf(text, sizeof text, "--start %.3f s is past the end of the session (%.3f s long)", options_.start_s,
                    length_s);
      throw std::runtime_error(text);
    }

    const int hwm = options_.hwm >= 0 ? options_.hwm : (speed > 0 ? 1000 : 0);
    ReplaySocket socket(options_.endpoint, hwm);
    if (options_.wait_subscriber_s > 0) {
      if (!socket.wait_for_subscriber(options_.wait_subscriber_s) && !interrupted)
        std::fprintf(stderr, "plinth replay: no subscriber within %.1f s; replaying anyway\n", options_.wait_subscriber_s);
    } else {
      // Give subscribers that are already connecting time to send their subscriptions.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }

    ProgressBar progress(::isatty(STDERR_FILENO) == 1);
    const std::int64_t origin = items_[first].time_ns;
    const double total_s = static_cast<double>(items_.back().time_ns - origin) * 1e-9;
    do {
      start_pass();
      const auto wall_start = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < items_.size() && !interrupted; ++i) {
        const ReplayItem& item = items_[i];
        const bool warm_up = i < first;
        if (!warm_up && speed > 0) {
          const auto due = wall_start + std::chrono::nanoseconds(due_after_ns(item.time_ns, origin, speed));
          while (!interrupted && std::chrono::steady_clock::now() < due) {
            progress.update(static_cast<double>(item.time_ns - origin) * 1e-9, total_s, socket.sent());
            std::this_thread::sleep_until(std::min(due, std::chrono::steady_clock::now() + std::chrono::milliseconds(100)));
          }
          if (interrupted) break;
        }
        dispatch(item, warm_up, socket);
        if (!warm_up) progress.update(static_cast<double>(item.time_ns - origin) * 1e-9, total_s, socket.sent());
      }
    } while (options_.loop && !interrupted);
    progress.update(total_s, total_s, socket.sent(), true);
    progress.finish(interrupted ? " interrupted" : " done");
    // Let a connected subscriber receive what is still queued (it may be a whole session at
    // --speed max); after Ctrl-C, leave at once.
    socket.set_linger(interrupted ? std::chrono::milliseconds(0) : std::chrono::milliseconds(30000));
    if (socket.dropped() > 0)
      std::fprintf(stderr, "plinth replay: %llu messages dropped at the high-water mark (slow subscriber?)\n",
                   static_cast<unsigned long long>(socket.dropped()));
    return 0;
  }

 private:
  std::string device_list() const {
    std::string list = "devices:";
    for (const ArchiveDevice& d : reader_.devices()) list += " " + d.id;
    return list;
  }

  void add_mat(const ArchiveDevice& d, const DaemonConfig& config) {
    const MatConfig* mc = nullptr;
    for (const MatConfig& m : config.mats)
      if (m.device.id == d.id) mc = &m;
    if (!mc) throw std::runtime_error("the config has no mat '" + d.id + "' to replay the archived one with");
    const MatGeometry& g = mc->pressure.geometry;
    if (g.rows != d.rows || g.cols != d.cols)
      throw std::runtime_error("mat '" + d.id + "' is " + std::to_string(d.rows) + "x" + std::to_string(d.cols) +
                               " in the archive but " + std::to_string(g.rows) + "x" + std::to_string(g.cols) +
                               " in the config");
    auto m = std::make_unique<MatSource>();
    m->id = d.id;
    m->frame_topic = topics::for_device(topics::pressure_frame, d.id);
    m->metrics_topic = topics::for_device(topics::pressure_metrics, d.id);
    m->exposure_topic = topics::for_device(topics::pressure_exposure, d.id);
    m->config = mc->pressure;
    m->times = reader_.frame_times(d.id);
    m->seqs = reader_.frame_seqs(d.id);
    m->device_times = reader_.frame_device_times(d.id);
    m->metrics = reader_.metrics(d.id);
    m->metrics_frame = match_rows_by_time(m->metrics.time_ns, m->times);
    m->frame_metrics.assign(m->times.size(), -1);
    for (std::size_t r = 0; r < m->metrics_frame.size(); ++r)
      if (m->metrics_frame[r] >= 0) m->frame_metrics[static_cast<std::size_t>(m->metrics_frame[r])] = static_cast<std::int64_t>(r);
    if (options_.recompute) {
      m->pipeline = std::make_unique<PressurePipeline>(mc->pressure);
    } else {
      const PressureConfig& p = mc->pressure;
      m->calibrator = std::make_unique<Calibrator>(p.calibration, g.sensels(), p.saturation_raw, p.noise_threshold_mmhg,
                                                   p.noise_floor_sd);
      m->recorded.rows = g.rows;
      m->recorded.cols = g.cols;
      m->recorded.pressure_mmhg.assign(g.sensels(), 0.0f);
      m->recorded.saturated.assign(g.sensels(), 0);
      for (const RegionSpec& r : p.regions) m->recorded.regions.push_back(RegionLoad{r.name, 0, 0, 0, 0});
    }
    m->frame.rows = g.rows;
    m->frame.cols = g.cols;
    m->exposure_times = reader_.exposure_times(d.id);
    m->exposure_durations = exposure_durations_s(m->times, m->exposure_times, mc->pressure.exposure_max_gap_s);
    m->exposure.rows = g.rows;
    m->exposure.cols = g.cols;
    m->exposure.threshold_mmhg = mc->pressure.exposure_threshold_mmhg;
    mats_.push_back(std::move(m));
  }

  void add_heart(const ArchiveDevice& d) {
    HeartSource h;
    h.id = d.id;
    h.beat_topic = topics::for_device(topics::heart_beat, d.id);
    h.final_topic = topics::for_device(topics::heart_beat_final, d.id);
    h.hrv_topic = topics::for_device(topics::heart_hrv, d.id);
    h.beats = reader_.beats(d.id);
    h.finals = reader_.beats_final(d.id);
    h.hrv = reader_.hrv(d.id);
    const auto delay = number_of(d.attributes, "final_delay_beats");
    std::vector<std::int64_t> final_index(h.finals.size());
    for (std::size_t r = 0; r < final_index.size(); ++r)
      final_index[r] = static_cast<std::int64_t>(h.finals.value("beat_index", r, static_cast<double>(r)));
    h.final_times = final_decision_times(final_index, h.beats.time_ns,
                                         delay && *delay >= 0 ? static_cast<std::size_t>(*delay) : 0);
    hearts_.push_back(std::move(h));
  }

  void build_timeline() {
    std::vector<std::int64_t> event_times;
    for (const ArchiveEvent& e : events_) event_times.push_back(e.time_ns);
    std::vector<ReplaySeries> series{{ReplayItemKind::event, 0, event_times}};
    for (std::uint32_t k = 0; k < mats_.size(); ++k) {
      series.push_back({ReplayItemKind::frame, k, mats_[k]->times});
      if (!options_.recompute) series.push_back({ReplayItemKind::metrics, k, mats_[k]->metrics.time_ns});
      series.push_back({ReplayItemKind::exposure, k, mats_[k]->exposure_times});
    }
    for (std::uint32_t k = 0; k < hearts_.size(); ++k) {
      series.push_back({ReplayItemKind::beat, k, hearts_[k].beats.time_ns});
      series.push_back({ReplayItemKind::beat_final, k, hearts_[k].final_times});
      series.push_back({ReplayItemKind::hrv, k, hearts_[k].hrv.time_ns});
    }
    items_ = merge_timeline(series);
  }

  // Each pass (and each --loop) replays the session from its start, as a new session would.
  void start_pass() {
    for (auto& m : mats_) {
      if (m->pipeline) m->pipeline->reset_session();
      m->tracker.reset();
    }
  }

  void dispatch(const ReplayItem& item, bool warm_up, ReplaySocket& socket) {
    // Before --start only frames go through (a recomputing pipeline needs them); nothing is sent.
    if (item.kind == ReplayItemKind::frame) return replay_frame(*mats_[item.source], item.row, warm_up, socket);
    if (warm_up) return;
    switch (item.kind) {
      case ReplayItemKind::frame: break;
      case ReplayItemKind::metrics: return replay_metrics(*mats_[item.source], item.row, socket);
      case ReplayItemKind::exposure: return replay_exposure(*mats_[item.source], item.row, socket);
      case ReplayItemKind::beat: return replay_beat(hearts_[item.source], false, item.row, socket);
      case ReplayItemKind::beat_final: return replay_beat(hearts_[item.source], true, item.row, socket);
      case ReplayItemKind::hrv: return replay_hrv(hearts_[item.source], item.row, socket);
      case ReplayItemKind::event: return replay_event(events_[item.row], socket);
    }
  }

  void replay_frame(MatSource& m, std::size_t i, bool warm_up, ReplaySocket& socket) {
    const std::uint32_t lost_before = m.tracker.observe(m.seqs[i]).lost_before;
    if (warm_up && !m.pipeline) return;  // as recorded, nothing before the start matters
    reader_.read_frame(m.id, i, m.frame.raw);
    m.frame.device_seq = m.seqs[i];
    m.frame.device_time_us = i < m.device_times.size() ? m.device_times[i] : 0;
    const std::int64_t row = m.frame_metrics[i];
    const bool recorded_suspect = row >= 0 && m.metrics.value("suspect", static_cast<std::size_t>(row), 0.0) != 0.0;
    MessageHeader h{session_id_, 0, m.times[i], m.id, m.frame.device_seq, m.frame.device_time_us};
    const float pitch = static_cast<float>(m.config.geometry.pitch_row_cm);
    if (m.pipeline) {
      // The archive keeps the pipeline's suspect flag, not the decoder's: a suspect frame that
      // the corruption check does not explain was flagged by the decoder.
      m.frame.suspect = recorded_suspect && !looks_corrupt(m.frame.raw);
      const PressureResult& r = m.pipeline->process(m.frame, m.times[i]);
      if (warm_up) return;
      h.seq = socket.next_seq(m.frame_topic);
      encode_pressure_frame(h, m.frame, r.pressure_mmhg, pitch, lost_before, r.suspect, r.frame.saturated_count, buffer_);
      socket.send(m.frame_topic, buffer_);
      h.seq = socket.next_seq(m.metrics_topic);
      encode_pressure_metrics(h, r, buffer_);
      socket.send(m.metrics_topic, buffer_);
      return;
    }
    PressureResult& r = m.recorded;
    const std::uint32_t saturated = m.calibrator->apply(m.frame.raw, r.pressure_mmhg, r.saturated);
    const bool suspect = row >= 0 ? recorded_suspect : looks_corrupt(m.frame.raw);
    const std::uint32_t saturated_count =
        row >= 0 ? static_cast<std::uint32_t>(m.metrics.value("saturated_count", static_cast<std::size_t>(row), saturated))
                 : saturated;
    // Region loads are a function of the map alone; the metrics row that follows uses them
    // unless the archive kept its own.
    if (!r.regions.empty())
      compute_region_loads(r.pressure_mmhg, m.config.geometry, m.config.contact_threshold_mmhg, m.config.regions,
                           r.regions);
    h.seq = socket.next_seq(m.frame_topic);
    encode_pressure_frame(h, m.frame, r.pressure_mmhg, pitch, lost_before, suspect, saturated_count, buffer_);
    socket.send(m.frame_topic, buffer_);
  }

  void replay_metrics(MatSource& m, std::size_t row, ReplaySocket& socket) {
    restore_pressure_metrics(m.metrics, row, m.recorded);
    const std::int64_t f = m.metrics_frame[row];
    const std::size_t fi = static_cast<std::size_t>(f);
    MessageHeader h{session_id_, socket.next_seq(m.metrics_topic), m.metrics.time_ns[row], m.id,
                    f >= 0 ? m.seqs[fi] : 0, f >= 0 && fi < m.device_times.size() ? m.device_times[fi] : 0};
    encode_pressure_metrics(h, m.recorded, buffer_);
    socket.send(m.metrics_topic, buffer_);
  }

  // A beat's provisional (`beats`, heart.beat.<id>) or final decision (`finals`,
  // heart.beat_final.<id>). As live, the header carries the beat's own time and index, though a
  // final decision came later. Sensor contact is not archived; a beat that arrived implies it.
  void replay_beat(const HeartSource& s, bool final_decision, std::size_t row, ReplaySocket& socket) {
    const ArchiveTable& table = final_decision ? s.finals : s.beats;
    const std::string& topic = final_decision ? s.final_topic : s.beat_topic;
    const BeatRecord b = restore_beat(table, row);
    MessageHeader h{session_id_, socket.next_seq(topic), b.time_ns, s.id, b.beat_index, 0};
    encode_heart_beat(h, b, restore_beat_missing(table, row), true, final_decision, buffer_);
    socket.send(topic, buffer_);
  }

  void replay_exposure(MatSource& m, std::size_t row, ReplaySocket& socket) {
    ExposureMap& e = m.exposure;
    if (m.pipeline) {
      m.pipeline->exposure_snapshot(e);
    } else {
      reader_.read_exposure(m.id, row, m.pti, m.time_above);
      e.pti_mmhg_s.assign(m.pti.begin(), m.pti.end());
      e.time_above_s.assign(m.time_above.begin(), m.time_above.end());
      e.duration_s = m.exposure_durations[row];
      e.max_pti_mmhg_s = e.pti_mmhg_s.empty() ? 0.0 : *std::max_element(e.pti_mmhg_s.begin(), e.pti_mmhg_s.end());
      e.max_time_above_s = e.time_above_s.empty() ? 0.0 : *std::max_element(e.time_above_s.begin(), e.time_above_s.end());
      e.sensels_above = static_cast<std::uint32_t>(
          std::count_if(e.time_above_s.begin(), e.time_above_s.end(), [](double s) { return s > 0.0; }));
    }
    // As live: the header names the frame the snapshot ends at.
    const std::int64_t t = m.exposure_times[row];
    const auto frame = std::lower_bound(m.times.begin(), m.times.end(), t);
    const std::size_t f = static_cast<std::size_t>(frame - m.times.begin());
    const bool found = frame != m.times.end() && *frame == t;
    MessageHeader h{session_id_, socket.next_seq(m.exposure_topic), t, m.id, found ? m.seqs[f] : 0,
                    found && f < m.device_times.size() ? m.device_times[f] : 0};
    encode_pressure_exposure(h, e, buffer_);
    socket.send(m.exposure_topic, buffer_);
  }


  void replay_hrv(const HeartSource& s, std::size_t row, ReplaySocket& socket) {
    const HrvMetrics m = restore_hrv(s.hrv, row);
    MessageHeader h{session_id_, socket.next_seq(s.hrv_topic), m.time_ns, s.id, 0, 0};
    encode_heart_hrv(h, m, buffer_);
    socket.send(s.hrv_topic, buffer_);
  }

  void replay_event(const ArchiveEvent& e, ReplaySocket& socket) {
    // Device events carry the device in the header, as live; events of devices left out with
    // --device are left out too.
    const bool about_device = e.kind == "gap" || e.kind.rfind("device.", 0) == 0;
    std::string_view device_id;
    if (about_device && reader_.device(e.label)) {
      if (!options_.devices.empty() &&
          std::find(options_.devices.begin(), options_.devices.end(), e.label) == options_.devices.end())
        return;
      device_id = e.label;
    }
    MessageHeader h{session_id_, socket.next_seq(std::string(topics::session_event)), e.time_ns, device_id, 0, 0};
    encode_session_event(h, {e.kind, e.label, e.value, e.detail}, buffer_);
    socket.send(std::string(topics::session_event), buffer_);
  }

  ReplayOptions options_;
  ArchiveReader reader_;
  std::string session_id_;
  std::vector<std::unique_ptr<MatSource>> mats_;
  std::vector<HeartSource> hearts_;
  std::vector<ArchiveEvent> events_;
  std::vector<ReplayItem> items_;
  std::string buffer_;
};

int run_replay(const ReplayOptions& o) {
  const double speed = parse_speed(o.speed);
  if (o.start_s < 0 || !std::isfinite(o.start_s)) throw std::runtime_error("--start must be 0 or more seconds");
  if (!o.config_path.empty() && !o.recompute)
    std::fprintf(stderr, "plinth replay: --config without --recompute only changes the calibrated maps\n");
  std::signal(SIGINT, [](int) { interrupted = 1; });
  std::signal(SIGTERM, [](int) { interrupted = 1; });
  Replay replay(o, ArchiveReader::open(o.file));
  return replay.run(speed);
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
