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
#include "daemon/device_link.hpp"
#include "daemon/messages.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/publisher.hpp"
#include "daemon/sequence_tracker.hpp"
#include "plinth/version.hpp"

namespace plinth {

namespace asio = boost::asio;
using json = nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MatChannel {
  MatConfig config;
  std::unique_ptr<DeviceLink> link;
  std::unique_ptr<PressurePipeline> pipeline;
  SequenceTracker tracker;
  std::uint64_t gaps = 0, frames_lost = 0, duplicates = 0, suspect = 0, published = 0;
  std::optional<DeviceInfo> info;
  std::string frame_topic, metrics_topic;
  std::vector<double> metric_values;
  std::size_t archive_index = 0;  // position in the archive's device layout
};

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};

}  // namespace

struct Daemon::Impl {
  explicit Impl(DaemonConfig c)
      : config(std::move(c)),
        publisher(zmq_context, PublisherOptions{config.data_endpoint, config.publish_high_water_mark}),
        status_timer(io),
        signals(io, SIGINT, SIGTERM, SIGHUP) {}

  DaemonConfig config;
  asio::io_context io;
  HostClock clock;
  zmq::context_t zmq_context;
  Publisher publisher;
  std::unique_ptr<ControlServer> control;
  std::vector<std::unique_ptr<MatChannel>> mats;
  asio::steady_timer status_timer;
  asio::signal_set signals;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::unique_ptr<ArchiveWriter> archive;
  std::string session_id;
  std::string subject;
  std::string last_archive_error;
  std::string scratch;  // serialized message, reused

  void setup_devices();
  void on_mat_message(MatChannel& ch, StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns);
  void on_frame(MatChannel& ch, const MatFrame& frame, std::int64_t host_ns);
  void publish_event(std::string_view kind, std::string_view label, double value, std::string_view detail,
                     std::string_view device_id = {});
  void publish_status();
  void schedule_status();
  json start_session(std::optional<std::string> subject_override);
  json stop_session();
  std::string handle_control(const ControlRequest& request);
  void shutdown();
  void wait_for_signals();
  DaemonHealth health() const;
};

void Daemon::Impl::setup_devices() {
  for (const MatConfig& mc : config.mats) {
    auto ch = std::make_unique<MatChannel>();
    ch->config = mc;
    ch->pipeline = std::make_unique<PressurePipeline>(mc.pressure);
    ch->frame_topic = "pressure.frame." + mc.device.id;
    ch->metrics_topic = "pressure.metrics." + mc.device.id;
    ch->metric_values.resize(PressurePipeline::metric_field_names().size());
    ch->archive_index = mats.size();
    MatChannel* raw = ch.get();
    DeviceLinkConfig lc{mc.device.id, find_driver(mc.device.driver), mc.device.options, mc.device.selector};
    DeviceLinkCallbacks cb;
    cb.on_message = [this, raw](StepOutcome o, const DecodedOutput& out, std::int64_t t) {
      on_mat_message(*raw, o, out, t);
    };
    cb.on_state = [this, raw](LinkState s, const std::string& detail) {
      if (s == LinkState::connected) raw->tracker.reset();
      publish_event(std::string("device.") + to_string(s), raw->config.device.id, kNaN, detail,
                    raw->config.device.id);
    };
    ch->link = std::make_unique<DeviceLink>(io, clock, lc, cb);
    mats.push_back(std::move(ch));
  }
}

void Daemon::Impl::on_mat_message(MatChannel& ch, StepOutcome outcome, const DecodedOutput& out,
                                  std::int64_t host_ns) {
  if (outcome == StepOutcome::mat_frame) {
    on_frame(ch, out.frame, host_ns);
  } else if (outcome == StepOutcome::device_info) {
    ch.info = out.info;
    spdlog::info("{}: {} serial {} firmware {} ({}x{}, {}-bit)", ch.config.device.id, out.info.model,
                 out.info.serial, out.info.firmware, out.info.rows, out.info.cols, out.info.adc_bits);
    publish_event("device.info", ch.config.device.id, kNaN,
                  out.info.model + " serial " + out.info.serial + " firmware " + out.info.firmware,
                  ch.config.device.id);
  }
}

void Daemon::Impl::on_frame(MatChannel& ch, const MatFrame& frame, std::int64_t host_ns) {
  const auto& geometry = ch.config.pressure.geometry;
  if (frame.rows != geometry.rows || frame.cols != geometry.cols) {
    ++ch.suspect;
    if (ch.suspect == 1 || ch.suspect % 1000 == 0)
      publish_event("device.geometry", ch.config.device.id, kNaN,
                    "frame is " + std::to_string(frame.rows) + "x" + std::to_string(frame.cols) +
                        " but the config says " + std::to_string(geometry.rows) + "x" +
                        std::to_string(geometry.cols) + "; frame dropped",
                    ch.config.device.id);
    return;
  }
  const SequenceObservation seq = ch.tracker.observe(frame.device_seq);
  if (seq.duplicate) {
    ++ch.duplicates;  // a repeated frame adds nothing; it is counted on `status`
    return;
  }
  if (seq.lost_before > 0) {
    ++ch.gaps;
    ch.frames_lost += seq.lost_before;
    publish_event("gap", ch.config.device.id, seq.lost_before,
                  std::to_string(seq.lost_before) + " frame(s) missing before device seq " +
                      std::to_string(frame.device_seq),
                  ch.config.device.id);
  }
  if (seq.restarted)
    publish_event("device.restarted", ch.config.device.id, kNaN, "device frame counter went backwards",
                  ch.config.device.id);

  const PressureResult& result = ch.pipeline->process(frame, host_ns);

  MessageHeader h{session_id, 0, host_ns, ch.config.device.id, frame.device_seq, frame.device_time_us};
  h.seq = publisher.next_seq(ch.frame_topic);
  encode_pressure_frame(h, frame, result.pressure_mmhg, static_cast<float>(geometry.pitch_row_cm),
                        seq.lost_before, result.suspect, result.frame.saturated_count, scratch);
  publisher.send(ch.frame_topic, scratch);
  h.seq = publisher.next_seq(ch.metrics_topic);
  encode_pressure_metrics(h, result, scratch);
  publisher.send(ch.metrics_topic, scratch);
  ++ch.published;

  if (archive) {
    flatten_metrics(result, ch.metric_values);
    archive->submit_frame(static_cast<std::uint32_t>(ch.archive_index), host_ns, frame.device_seq, frame.device_time_us,
                          frame.raw, ch.metric_values);
  }
}

void Daemon::Impl::publish_event(std::string_view kind, std::string_view label, double value,
                                 std::string_view detail, std::string_view device_id) {
  const std::int64_t now = clock.now_unix_ns();
  MessageHeader h{session_id, publisher.next_seq("session.event"), now, device_id, 0, 0};
  encode_session_event(h, {kind, label, value, detail}, scratch);
  publisher.send("session.event", scratch);
  if (archive) archive->submit_event(now, kind, label, value, detail);
}

DaemonHealth Daemon::Impl::health() const {
  DaemonHealth d;
  d.state = archive ? "recording" : "idle";
  d.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const auto& ch : mats) {
    const DecodeCounters& c = ch->link->counters();
    DeviceHealth h;
    h.id = ch->config.device.id;
    h.kind = "mat";
    h.driver = ch->config.device.driver;
    h.port = ch->link->port_path();
    h.state = to_string(ch->link->state());
    h.frames = c.frames;
    h.bytes = c.bytes;
    h.crc_errors = c.crc_errors;
    h.framing_errors = c.framing_errors;
    h.resyncs = c.resyncs;
    h.garbage_bytes = c.garbage_bytes;
    h.sequence_gaps = ch->gaps;
    h.frames_lost = ch->frames_lost;
    h.duplicates = ch->duplicates;
    h.reconnects = ch->link->reconnects();
    d.devices.push_back(std::move(h));
  }
  d.consumers.push_back({"publisher", 0, 0, publisher.dropped()});
  if (archive) {
    const ArchiveWriterStats s = archive->stats();
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
  const DaemonHealth d = health();
  if (!d.archive.error.empty() && d.archive.error != last_archive_error) {
    spdlog::error("archive {}: {} (acquisition and publishing go on)", d.archive.path, d.archive.error);
    publish_event("archive.error", d.archive.path, kNaN, d.archive.error);
  }
  last_archive_error = d.archive.error;
  MessageHeader h{session_id, publisher.next_seq("status"), clock.now_unix_ns(), {}, 0, 0};
  encode_status(h, d, scratch);
  publisher.send("status", scratch);
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
  if (archive) throw std::runtime_error("session " + session_id + " is running; stop it first");
  const std::int64_t now = clock.now_unix_ns();
  session_id = make_session_id(now);
  subject = subject_override.value_or(config.subject);
  publisher.reset_sequences();

  SessionMeta meta;
  meta.session_id = session_id;
  meta.subject = subject;
  meta.started_at_ns = now;
  meta.software_version = kSoftwareVersion;
  meta.config_toml = config.text;
  std::vector<ArchiveDeviceLayout> layouts;
  for (const auto& ch : mats) {
    ArchiveDeviceLayout l;
    l.id = ch->config.device.id;
    l.kind = DeviceKind::mat;
    l.rows = ch->config.pressure.geometry.rows;
    l.cols = ch->config.pressure.geometry.cols;
    l.attributes["driver"] = ch->config.device.driver;
    l.attributes["port"] = ch->link->port_path().empty() ? ch->config.device.selector.port : ch->link->port_path();
    const auto& info = ch->link->port_info();
    if (info.usb_vid) l.attributes["usb_vendor"] = static_cast<std::int64_t>(*info.usb_vid);
    if (info.usb_pid) l.attributes["usb_product"] = static_cast<std::int64_t>(*info.usb_pid);
    if (!info.usb_serial.empty()) l.attributes["usb_serial"] = info.usb_serial;
    if (ch->info) {
      l.attributes["model"] = ch->info->model;
      l.attributes["serial"] = ch->info->serial;
      l.attributes["firmware"] = ch->info->firmware;
      l.attributes["adc_bits"] = static_cast<std::int64_t>(ch->info->adc_bits);
    }
    l.attributes["pitch_row_cm"] = ch->config.pressure.geometry.pitch_row_cm;
    l.attributes["pitch_col_cm"] = ch->config.pressure.geometry.pitch_col_cm;
    l.attributes["calibration"] = ch->config.pressure.calibration.source;
    for (const auto& name : PressurePipeline::metric_field_names()) l.metric_fields.push_back(name);
    layouts.push_back(std::move(l));
  }
  SessionArchive file = SessionArchive::create_in(config.archive_dir, meta, layouts);
  json reply = {{"ok", true}, {"session_id", session_id}, {"subject", subject}};
  if (!file.healthy()) {
    // No archive, but the stream goes on: a full disk must not stop a session's live view.
    spdlog::error("cannot create the session archive in {}: {}", config.archive_dir, file.last_error());
    publish_event("archive.error", config.archive_dir, kNaN, file.last_error());
    reply["archive_error"] = file.last_error();
  } else {
    reply["archive"] = file.path().string();
    spdlog::info("session {} started: {}", session_id, file.path().string());
    archive = std::make_unique<ArchiveWriter>(std::move(file), ArchiveWriterOptions{config.archive_queue_frames});
    archive->start();
  }
  publish_event("session.start", subject, kNaN, reply.value("archive", std::string()));
  return reply;
}

json Daemon::Impl::stop_session() {
  if (session_id.empty()) throw std::runtime_error("no session is running");
  publish_event("session.stop", subject, kNaN, "");
  json reply = {{"ok", true}, {"session_id", session_id}};
  if (archive) {
    archive->stop(clock.now_unix_ns());
    const ArchiveWriterStats s = archive->stats();
    reply["archive"] = s.path;
    reply["frames_written"] = s.frames_written;
    reply["dropped"] = s.dropped;
    if (!s.error.empty()) reply["archive_error"] = s.error;
    spdlog::info("session {} stopped: {} frames in {}", session_id, s.frames_written, s.path);
    archive.reset();
  }
  session_id.clear();
  publisher.reset_sequences();
  return reply;
}

std::string Daemon::Impl::handle_control(const ControlRequest& request) {
  return std::visit(
      overloaded{
          [&](const StatusRequest&) {
            const DaemonHealth d = health();
            json devices = json::array();
            for (const auto& dev : d.devices)
              devices.push_back({{"id", dev.id},
                                 {"kind", dev.kind},
                                 {"state", dev.state},
                                 {"port", dev.port},
                                 {"frames", dev.frames},
                                 {"crc_errors", dev.crc_errors},
                                 {"sequence_gaps", dev.sequence_gaps},
                                 {"reconnects", dev.reconnects}});
            return json{{"ok", true},
                        {"state", d.state},
                        {"session_id", session_id},
                        {"subject", subject},
                        {"uptime_s", d.uptime_s},
                        {"archive", d.archive.path},
                        {"archive_error", d.archive.error},
                        {"devices", devices},
                        {"software_version", kSoftwareVersion}}
                .dump();
          },
          [&](const SessionStartRequest& r) { return start_session(r.subject).dump(); },
          [&](const SessionStopRequest&) { return stop_session().dump(); },
          [&](const MarkerRequest& r) {
            publish_event("marker", r.label, r.value.value_or(kNaN), r.detail);
            return json{{"ok", true}, {"session_id", session_id}, {"archived", archive != nullptr}}.dump();
          },
          [&](const PainRequest& r) {
            publish_event("pain", "pain", r.score, r.detail);
            return json{{"ok", true}, {"session_id", session_id}, {"archived", archive != nullptr}}.dump();
          },
      },
      request);
}

void Daemon::Impl::shutdown() {
  spdlog::info("shutting down");
  status_timer.cancel();
  signals.cancel();
  for (auto& ch : mats) ch->link->stop();
  if (!session_id.empty()) stop_session();
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
    for (auto& ch : mats) ch->link->reopen();
    wait_for_signals();
  });
}

Daemon::Daemon(DaemonConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Daemon::~Daemon() = default;

int Daemon::run() {
  Impl& d = *impl_;
  d.setup_devices();
  for (auto& ch : d.mats) ch->link->start();
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
                                              });
  d.wait_for_signals();
  if (d.config.auto_start) asio::post(d.io, [&d] {
      try {
        d.start_session(std::nullopt);
      } catch (const std::exception& e) {
        spdlog::error("cannot start a session: {}", e.what());
      }
    });
  d.schedule_status();
  spdlog::info("plinthd {}: data on {}, control on {}", kSoftwareVersion, d.config.data_endpoint,
               d.config.control_endpoint);
  d.io.run();
  d.control->stop();
  return 0;
}

}  // namespace plinth
