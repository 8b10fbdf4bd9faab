#include "daemon/daemon_impl.hpp"

// The control requests (schemas/control-protocol.md) and their JSON replies: sessions,
// markers, pain scores, the baseline, status.
namespace plinth {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this from the aggregate alone; Clang 14 (Debian 12) does not yet (P1816).
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

}  // namespace

json Daemon::Impl::start_session(std::optional<std::string> subject_override) {
  if (!session_id_.empty()) throw std::runtime_error("session " + session_id_ + " is running; stop it first");
  const std::int64_t now = clock.now_unix_ns();
  session_id_ = make_session_id(now);
  subject = subject_override.value_or(config.subject);
  publisher_.reset_sequences();
  for (DeviceChannel* device : channels) device->reset_session();
  relaxation.start_session(now, !mats.empty());

  SessionMeta meta;
  meta.session_id = session_id_;
  meta.subject = subject;
  meta.extra["station"] = config.station;
  meta.started_at_ns = now;
  meta.software_version = kSoftwareVersion;
  meta.software_revision = kSoftwareRevision;
  meta.config_toml = config.text;
  std::vector<ArchiveDeviceLayout> layouts;
  for (const DeviceChannel* device : channels) layouts.push_back(device->archive_layout());
  ArchiveOptions storage;
  storage.frames_lz4 = config.archive_frames_lz4;
  SessionArchive file = SessionArchive::create_in(config.archive_dir, meta, layouts, status_layout(), storage);
  json reply = {{"ok", true}, {"session_id", session_id_}, {"subject", subject}};
  if (!file.healthy()) {
    // No archive, but the stream goes on: a full disk must not stop a session's live view.
    spdlog::error("cannot create the session archive in {}: {}", config.archive_dir, file.last_error());
    publish_event("archive.error", config.archive_dir, kNaN, file.last_error());
    reply["archive_error"] = file.last_error();
  } else {
    reply["archive"] = file.path().string();
    spdlog::info("session {} started: {}", session_id_, file.path().string());
    const std::size_t queue = archive_queue_records(layouts, config.archive_queue_frames, config.archive_queue_bytes);
    archive_ = std::make_unique<ArchiveWriter>(std::move(file), ArchiveWriterOptions{queue});
    archive_->start();
  }
  publish_event("session.start", subject, kNaN, reply.value("archive", std::string()));
  for (auto& ch : mats) ch->announce_calibration();
  return reply;
}

json Daemon::Impl::stop_session() {
  if (session_id_.empty()) throw std::runtime_error("no session is running");
  for (auto& ch : hearts) ch->flush();
  for (auto& ch : mats) ch->finish_session();
  publish_event("session.stop", subject, kNaN, "");
  json reply = {{"ok", true}, {"session_id", session_id_}};
  if (archive_) {
    archive_->stop(clock.now_unix_ns());
    const ArchiveWriterStats s = archive_->stats();
    reply["archive"] = s.path;
    reply["frames_written"] = s.frames_written;
    reply["dropped"] = s.dropped;
    if (!s.error.empty()) reply["archive_error"] = s.error;
    spdlog::info("session {} stopped: {} frames in {}", session_id_, s.frames_written, s.path);
    archive_.reset();
  }
  session_id_.clear();
  publisher_.reset_sequences();
  return reply;
}

std::string Daemon::Impl::handle_control(const ControlRequest& request) {
  return std::visit(
      overloaded{
          [&](const StatusRequest&) {
            const DaemonHealth d = health();
            json devices = json::array();
            for (const auto& dev : d.devices) {
              json entry = {{"id", dev.id}, {"kind", dev.kind}, {"state", dev.state}, {"port", dev.port}};
              for (const DeviceCounter& c : kDeviceCounters) entry[std::string(c.name)] = dev.*c.value;
              devices.push_back(std::move(entry));
            }
            json latency = json::array();
            for (const StageLatencySummary& l : d.latency)
              latency.push_back({{"device", l.device_id},
                                 {"window", l.window},
                                 {"stage", l.stage},
                                 {"count", l.count},
                                 {"p50_us", number_or_null(l.p50_us)},
                                 {"p99_us", number_or_null(l.p99_us)},
                                 {"p999_us", number_or_null(l.p999_us)},
                                 {"max_us", number_or_null(l.max_us)}});
            return json{{"ok", true},
                        {"state", d.state},
                        {"session_id", session_id_},
                        {"subject", subject},
                        {"station", config.station},
                        {"uptime_s", d.uptime_s},
                        {"archive", d.archive.path},
                        {"archive_error", d.archive.error},
                        {"devices", devices},
                        {"latency", latency},
                        {"software_version", kSoftwareVersion}}
                .dump();
          },
          [&](const SessionStartRequest& r) { return start_session(r.subject).dump(); },
          [&](const SessionStopRequest&) { return stop_session().dump(); },
          [&](const MarkerRequest& r) {
            publish_event("marker", r.label, r.value.value_or(kNaN), r.detail);
            relaxation.on_marker(clock.now_unix_ns(), r.label);
            return json{{"ok", true}, {"session_id", session_id_}, {"archived", archive_ != nullptr}}.dump();
          },
          [&](const BaselineRequest& r) {
            if (session_id_.empty()) throw std::runtime_error("no session is running");
            const std::int64_t now = clock.now_unix_ns();
            const std::int64_t begin = now - static_cast<std::int64_t>(r.seconds * 1e9);
            relaxation.mark_baseline(begin, now);
            for (auto& ch : hearts) ch->set_baseline(begin, now);
            publish_event("baseline", "baseline", r.seconds, "the last " + std::to_string(static_cast<int>(r.seconds)) +
                                                                 " s are the relaxation baseline");
            return json{{"ok", true}, {"session_id", session_id_}, {"begin_ns", begin}, {"end_ns", now}}.dump();
          },
          [&](const HrvRequest& r) {
            json straps = json::array();
            for (auto& ch : hearts) {
              const HrvMetrics m = ch->compute_now(r.window_s);
              straps.push_back({{"id", ch->id()},
                                {"beats", m.beat_count},
                                {"hr_bpm", number_or_null(m.time.hr_bpm)},
                                {"rmssd_ms", number_or_null(m.time.rmssd_ms)},
                                {"ln_rmssd", number_or_null(m.time.ln_rmssd)},
                                {"sdnn_ms", number_or_null(m.time.sdnn_ms)},
                                {"hf_ms2", number_or_null(m.frequency.hf_ms2)},
                                {"lf_hf", number_or_null(m.frequency.lf_hf)}});
            }
            return json{{"ok", true}, {"window_s", r.window_s}, {"straps", straps}}.dump();
          },
          [&](const PainRequest& r) {
            publish_event("pain", "pain", r.score, r.detail);
            return json{{"ok", true}, {"session_id", session_id_}, {"archived", archive_ != nullptr}}.dump();
          },
      },
      request);
}

}  // namespace plinth
