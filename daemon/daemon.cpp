#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <zmq.hpp>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_file.hpp"
#include "daemon/control_server.hpp"
#include "daemon/heart_channel.hpp"
#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/relaxation/relaxation.hpp"
#include "daemon/mat_channel.hpp"
#include "daemon/session_outlet.hpp"
#include "daemon/messages.hpp"
#include "daemon/publisher.hpp"
#include "daemon/security/systemd_notify.hpp"
#include "daemon/security/zap_authenticator.hpp"
#include "daemon/topics.hpp"
#include "plinth/version.hpp"

namespace plinth {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
// C++20 deduces this from the aggregate alone; Clang 14 (Debian 12) does not yet (P1816).
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

}  // namespace

struct Daemon::Impl final : SessionOutlet {
  explicit Impl(DaemonConfig c)
      : config(std::move(c)),
        zap_(config.security.curve
                 ? std::make_unique<ZapAuthenticator>(zmq_context, config.security.authorized_clients_dir)
                 : nullptr),
        publisher_(zmq_context, PublisherOptions{config.data_endpoint, config.publish_high_water_mark,
                                                 config.security.server_keys.secret_key}),
        status_timer(io),
        relaxation_timer(io),
        signals(io, SIGINT, SIGTERM, SIGHUP),
        relaxation(config.relaxation) {}

  DaemonConfig config;
  asio::io_context io;
  HostClock clock;
  zmq::context_t zmq_context;
  std::unique_ptr<ZapAuthenticator> zap_;  // before the sockets: it answers their first CURVE handshake
  SystemdNotifier notifier{io};
  Publisher publisher_;
  std::unique_ptr<ControlServer> control;
  std::vector<std::unique_ptr<MatChannel>> mats;
  std::vector<std::unique_ptr<HeartChannel>> hearts;
  asio::steady_timer status_timer;
  asio::steady_timer relaxation_timer;
  asio::signal_set signals;
  RelaxationTracker relaxation;
  std::vector<double> relaxation_values;
  std::vector<std::uint64_t> status_counters;
  std::vector<double> status_gauges;
  // The mats' stage latencies as of the last status (StageLatency; control `status` repeats them).
  std::vector<StageLatencySummary> latency_;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::unique_ptr<ArchiveWriter> archive_;
  std::string session_id_;
  std::string subject;
  std::string last_archive_error;
  std::string scratch_;  // serialized message, reused

  // SessionOutlet, for the device channels.
  const std::string& session_id() const override { return session_id_; }
  Publisher& publisher() override { return publisher_; }
  ArchiveWriter* archive() override { return archive_.get(); }
  std::string& scratch() override { return scratch_; }
  void event(std::string_view kind, std::string_view label, double value, std::string_view detail,
             std::string_view device_id) override {
    publish_event(kind, label, value, detail, device_id);
  }

  void setup_devices();
  void publish_event(std::string_view kind, std::string_view label, double value, std::string_view detail,
                     std::string_view device_id = {});
  void publish_status();
  void schedule_status();
  void publish_relaxation();
  void schedule_relaxation();
  ArchiveStatusLayout status_layout() const;
  void archive_status(const DaemonHealth& d, std::int64_t now);
  json start_session(std::optional<std::string> subject_override);
  json stop_session();
  std::string handle_control(const ControlRequest& request);
  void shutdown();
  void wait_for_signals();
  DaemonHealth health() const;
};

void Daemon::Impl::setup_devices() {
  std::uint32_t index = 0;
  for (const MatConfig& mc : config.mats) mats.push_back(std::make_unique<MatChannel>(io, clock, mc, *this, index++));
  for (const HeartConfig& hc : config.hearts)
    hearts.push_back(std::make_unique<HeartChannel>(io, clock, hc, *this, index++));
  // The relaxation readout watches stillness on the first mat and HRV on the first strap.
  if (!mats.empty())
    mats.front()->set_observer([this](const PressureResult& r) {
      if (!r.suspect)
        relaxation.on_pressure(StillnessSample{r.host_time_ns, r.occupied, r.frame.total_load_n, r.step_dt_s,
                                               r.step_movement, r.step_cop_cm});
    });
  if (!hearts.empty())
    hearts.front()->set_observer([this](const HrvMetrics& m) { relaxation.on_hrv(clock.now_unix_ns(), m); });
}

void Daemon::Impl::publish_relaxation() {
  const std::int64_t now = clock.now_unix_ns();
  // The automatic baseline (after the settling time on the table) becomes every strap's too.
  if (const auto segment = relaxation.take_completed_baseline(now)) {
    for (auto& ch : hearts) {
      try {
        ch->set_baseline(segment->first, segment->second);
      } catch (const std::exception& e) {
        spdlog::warn("{}: automatic baseline not set: {}", ch->id(), e.what());
      }
    }
    publish_event("baseline", "automatic", static_cast<double>(segment->second - segment->first) / 1e9,
                  "the baseline after settling on the table");
  }
  const RelaxationReading r = relaxation.reading(now);
  MessageHeader h{session_id_, publisher_.next_seq(topics::relaxation), now, {}, 0, 0};
  encode_relaxation(h, r, scratch_);
  publisher_.send(topics::relaxation, scratch_);
  if (archive_) {
    RelaxationTracker::flatten(r, relaxation_values);
    archive_->submit_relaxation(now, relaxation_values);
  }
}

void Daemon::Impl::schedule_relaxation() {
  relaxation_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(config.relaxation_interval_s)));
  relaxation_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (!session_id_.empty()) publish_relaxation();
    schedule_relaxation();
  });
}

// The same counters as `status`, over time, so that years later a quiet client can be told
// from a lost packet.
ArchiveStatusLayout Daemon::Impl::status_layout() const {
  ArchiveStatusLayout layout;
  for (const DeviceHealth& d : health().devices)
    for (const DeviceCounter& c : kDeviceCounters)
      layout.counters.push_back({d.id + "." + std::string(c.name), std::string(c.unit)});
  layout.counters.push_back({"publisher.dropped", "messages"});
  layout.counters.push_back({"archive.dropped", "records"});
  layout.gauges.push_back({"archive.queue_depth", "records"});
  layout.gauges.push_back({"disk.free_bytes", "bytes"});
  // The mats' stage latencies, in the order MatChannel::take_latency() gives them.
  for (const auto& ch : mats)
    for (const char* window : {"interval", "session"})
      for (std::string_view stage : MatChannel::kLatencyStages) {
        const std::string prefix = ch->id() + ".latency." + window + "." + std::string(stage) + ".";
        layout.counters.push_back({prefix + "count", "frames"});
        for (const char* q : {"p50_us", "p99_us", "p999_us", "max_us"}) layout.gauges.push_back({prefix + q, "us"});
      }
  for (const auto& name : RelaxationTracker::archive_fields()) layout.relaxation.push_back({name, ""});
  return layout;
}

void Daemon::Impl::archive_status(const DaemonHealth& d, std::int64_t now) {
  status_counters.clear();
  for (const DeviceHealth& h : d.devices)
    for (const DeviceCounter& c : kDeviceCounters) status_counters.push_back(h.*c.value);
  status_counters.push_back(publisher_.dropped());
  std::uint64_t archive_dropped = 0;
  double queue_depth = 0;
  for (const ConsumerHealth& c : d.consumers)
    if (c.name == "archive") {
      archive_dropped = c.dropped;
      queue_depth = static_cast<double>(c.queue_depth);
    }
  status_counters.push_back(archive_dropped);
  status_gauges = {queue_depth, static_cast<double>(d.archive.free_disk_bytes)};
  for (const StageLatencySummary& l : d.latency) {
    status_counters.push_back(l.count);
    for (double v : {l.p50_us, l.p99_us, l.p999_us, l.max_us}) status_gauges.push_back(v);
  }
  archive_->submit_status(now, status_counters, status_gauges);
}

void Daemon::Impl::publish_event(std::string_view kind, std::string_view label, double value,
                                 std::string_view detail, std::string_view device_id) {
  const std::int64_t now = clock.now_unix_ns();
  MessageHeader h{session_id_, publisher_.next_seq(topics::session_event), now, device_id, 0, 0};
  encode_session_event(h, {kind, label, value, detail}, scratch_);
  publisher_.send(topics::session_event, scratch_);
  if (archive_) archive_->submit_event(now, kind, label, value, detail);
}

DaemonHealth Daemon::Impl::health() const {
  DaemonHealth d;
  d.state = archive_ ? "recording" : "idle";
  d.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& ch : mats) d.devices.push_back(ch->health());
  for (const auto& ch : hearts) d.devices.push_back(ch->health());
  d.consumers.push_back({"publisher", 0, 0, publisher_.dropped()});
  if (archive_) {
    const ArchiveWriterStats s = archive_->stats();
    d.consumers.push_back({"archive", s.queue_depth, s.queue_capacity, s.dropped});
    d.archive.path = s.path;
    d.archive.error = s.error;
    d.archive.bytes_written = s.bytes_written;
    d.archive.frames_written = s.frames_written;
    d.archive.last_flush_ns = s.last_flush_ns;
    d.archive.free_disk_bytes = s.free_disk_bytes;
  } else {
    struct statvfs fs {};
    if (::statvfs(config.archive_dir.c_str(), &fs) == 0)
      d.archive.free_disk_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  return d;
}

void Daemon::Impl::publish_status() {
  DaemonHealth d = health();
  latency_.clear();
  for (auto& ch : mats) ch->take_latency(latency_);
  d.latency = latency_;
  if (!d.archive.error.empty() && d.archive.error != last_archive_error) {
    spdlog::error("archive {}: {} (acquisition and publishing go on)", d.archive.path, d.archive.error);
    publish_event("archive.error", d.archive.path, kNaN, d.archive.error);
  }
  last_archive_error = d.archive.error;
  const std::int64_t now = clock.now_unix_ns();
  MessageHeader h{session_id_, publisher_.next_seq(topics::status), now, {}, 0, 0};
  encode_status(h, d, scratch_);
  publisher_.send(topics::status, scratch_);
  if (archive_) archive_status(d, now);
}

void Daemon::Impl::schedule_status() {
  status_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(config.status_interval_s)));
  status_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    publish_status();
    schedule_status();
  });
}

json Daemon::Impl::start_session(std::optional<std::string> subject_override) {
  if (!session_id_.empty()) throw std::runtime_error("session " + session_id_ + " is running; stop it first");
  const std::int64_t now = clock.now_unix_ns();
  session_id_ = make_session_id(now);
  subject = subject_override.value_or(config.subject);
  publisher_.reset_sequences();
  for (auto& ch : mats) ch->reset_session();
  for (auto& ch : hearts) ch->reset_session();
  relaxation.start_session(now, !mats.empty());

  SessionMeta meta;
  meta.session_id = session_id_;
  meta.subject = subject;
  meta.started_at_ns = now;
  meta.software_version = kSoftwareVersion;
  meta.software_revision = kSoftwareRevision;
  meta.config_toml = config.text;
  std::vector<ArchiveDeviceLayout> layouts;
  for (const auto& ch : mats) layouts.push_back(ch->archive_layout());
  for (const auto& ch : hearts) layouts.push_back(ch->archive_layout());
  SessionArchive file = SessionArchive::create_in(config.archive_dir, meta, layouts, status_layout());
  json reply = {{"ok", true}, {"session_id", session_id_}, {"subject", subject}};
  if (!file.healthy()) {
    // No archive, but the stream goes on: a full disk must not stop a session's live view.
    spdlog::error("cannot create the session archive in {}: {}", config.archive_dir, file.last_error());
    publish_event("archive.error", config.archive_dir, kNaN, file.last_error());
    reply["archive_error"] = file.last_error();
  } else {
    reply["archive"] = file.path().string();
    spdlog::info("session {} started: {}", session_id_, file.path().string());
    archive_ = std::make_unique<ArchiveWriter>(std::move(file), ArchiveWriterOptions{config.archive_queue_frames});
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
            auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
            for (const StageLatencySummary& l : latency_)
              latency.push_back({{"device", l.device_id},
                                 {"window", l.window},
                                 {"stage", l.stage},
                                 {"count", l.count},
                                 {"p50_us", number(l.p50_us)},
                                 {"p99_us", number(l.p99_us)},
                                 {"p999_us", number(l.p999_us)},
                                 {"max_us", number(l.max_us)}});
            return json{{"ok", true},
                        {"state", d.state},
                        {"session_id", session_id_},
                        {"subject", subject},
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
              auto number = [](double v) { return std::isfinite(v) ? json(v) : json(nullptr); };
              straps.push_back({{"id", ch->id()},
                                {"beats", m.beat_count},
                                {"hr_bpm", number(m.time.hr_bpm)},
                                {"rmssd_ms", number(m.time.rmssd_ms)},
                                {"ln_rmssd", number(m.time.ln_rmssd)},
                                {"sdnn_ms", number(m.time.sdnn_ms)},
                                {"hf_ms2", number(m.frequency.hf_ms2)},
                                {"lf_hf", number(m.frequency.lf_hf)}});
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

void Daemon::Impl::shutdown() {
  spdlog::info("shutting down");
  notifier.stopping();
  status_timer.cancel();
  relaxation_timer.cancel();
  signals.cancel();
  for (auto& ch : mats) ch->stop();
  for (auto& ch : hearts) ch->stop();
  if (!session_id_.empty()) stop_session();
  io.stop();
}

void Daemon::Impl::wait_for_signals() {
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal != SIGHUP) {
      shutdown();
      return;
    }
    spdlog::info("SIGHUP: reopening devices");
    for (auto& ch : mats) ch->reopen();
    for (auto& ch : hearts) ch->reopen();
    wait_for_signals();
  });
}

Daemon::Daemon(DaemonConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Daemon::~Daemon() = default;

int Daemon::run() {
  Impl& d = *impl_;
  d.setup_devices();
  // The session starts before the devices: a port opened with bytes already waiting completes
  // its first read before anything posted later, and those frames would fall outside it.
  if (d.config.auto_start) {
    try {
      d.start_session(std::nullopt);
    } catch (const std::exception& e) {
      spdlog::error("cannot start a session: {}", e.what());
    }
  }
  for (auto& ch : d.mats) ch->start();
  for (auto& ch : d.hearts) ch->start();
  // The control thread hands each request to the loop and waits a bounded time for it.
  d.control = std::make_unique<ControlServer>(d.zmq_context, d.config.control_endpoint,
                                              [&d](const ControlRequest& request) {
                                                std::packaged_task<std::string()> task(
                                                    [&d, request] { return d.handle_control(request); });
                                                auto result = task.get_future();
                                                asio::post(d.io, std::move(task));
                                                if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
                                                  return control_error_reply("daemon did not answer within 5 s");
                                                try {
                                                  return result.get();
                                                } catch (const std::exception& e) {
                                                  return control_error_reply(e.what());
                                                }
                                              },
                                              d.config.security.server_keys.secret_key);
  d.wait_for_signals();
  d.schedule_status();
  d.schedule_relaxation();
  d.notifier.start([&d] {
    const DaemonHealth h = d.health();
    std::size_t connected = 0;
    for (const auto& dev : h.devices) connected += dev.state == "connected";
    return h.state + (d.session_id_.empty() ? "" : " " + d.session_id_) + ", " + std::to_string(connected) + "/" +
           std::to_string(h.devices.size()) + " devices connected";
  });
  spdlog::info("plinthd {}: data on {}, control on {}", kSoftwareVersion, d.config.data_endpoint,
               d.config.control_endpoint);
  d.io.run();
  d.control->stop();
  return 0;
}

}  // namespace plinth
