#include "daemon/mat_channel.hpp"

#include <spdlog/spdlog.h>

#include <limits>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/pressure/calibration_in_force.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/publisher.hpp"
#include "daemon/session_outlet.hpp"
#include "daemon/topics.hpp"

namespace plinth {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

MatChannel::MatChannel(boost::asio::io_context& io, const HostClock& clock, const MatConfig& config,
                       SessionOutlet& outlet, std::uint32_t archive_index)
    : DeviceChannel(outlet, archive_index),
      config_(config),
      clock_(clock),
      pipeline_(std::make_unique<PressurePipeline>(config.pressure)),
      frame_topic_(topics::for_device(topics::pressure_frame, config.device.id)),
      metrics_topic_(topics::for_device(topics::pressure_metrics, config.device.id)),
      exposure_topic_(topics::for_device(topics::pressure_exposure, config.device.id)),
      calibration_json_(calibration_in_force_json(config.pressure)),
      exposure_(std::make_unique<ExposureMap>()),
      exposure_interval_ns_(static_cast<std::int64_t>(config.exposure_publish_interval_s * 1e9)),
      latency_(std::make_unique<Latency>()),
      clock_model_(std::make_unique<DeviceClockModel>()) {
  // The tracker is not reset on reconnect: frames a replugged device counted while it was
  // away become a `gap` event, and a counter it restarted becomes `device.restarted`.
  connect(io, clock, config.device);
}

// The transport's pending handlers may outlive this channel; stopped, they no longer call back.
MatChannel::~MatChannel() { stop(); }

void MatChannel::reset_session() {
  pipeline_->reset_session();
  exposure_clock_started_ = false;
  for (auto& h : latency_->session) h.reset();
}

void MatChannel::take_latency(std::vector<StageLatencySummary>& out) {
  auto summary = [&](const LatencyHistogram& h, std::string_view stage, std::string_view window) {
    StageLatencySummary s{id(), stage, window, h.count(), kNaN, kNaN, kNaN, kNaN};
    if (h.count() > 0) {
      s.p50_us = static_cast<double>(h.quantile(0.5)) / 1e3;
      s.p99_us = static_cast<double>(h.quantile(0.99)) / 1e3;
      s.p999_us = static_cast<double>(h.quantile(0.999)) / 1e3;
      s.max_us = static_cast<double>(h.max()) / 1e3;
    }
    out.push_back(std::move(s));
  };
  for (std::size_t i = 0; i < kLatencyStages.size(); ++i) {
    summary(latency_->interval[i], kLatencyStages[i], "interval");
    latency_->session[i].merge(latency_->interval[i]);
    latency_->interval[i].reset();
  }
  for (std::size_t i = 0; i < kLatencyStages.size(); ++i) summary(latency_->session[i], kLatencyStages[i], "session");
}

void MatChannel::announce_calibration() { outlet_.event("calibration", id(), kNaN, calibration_json_, id()); }

void MatChannel::finish_session() {
  if (exposure_clock_started_ && last_frame_ns_ != exposure_last_published_ns_)
    publish_exposure(last_frame_ns_, last_device_seq_, last_device_time_us_);
  for (auto& h : latency_->session) h.reset();  // between sessions: since the last one stopped
}

void MatChannel::publish_exposure(std::int64_t host_ns, std::uint32_t device_seq, std::uint64_t device_time_us) {
  pipeline_->exposure_snapshot(*exposure_);
  outlet_.publish<archived::Exposure>(
      exposure_topic_, {.host_time_ns = host_ns, .device_id = id(), .device_seq = device_seq, .device_time_us = device_time_us},
      [&](const MessageHeader& h, PayloadOut buffer) { encode_pressure_exposure(h, *exposure_, buffer); },
      [&](archived::Exposure& r) {
        r.device = archive_index_;
        r.time_ns = host_ns;
        r.pti_mmhg_s.assign(exposure_->pti_mmhg_s.begin(), exposure_->pti_mmhg_s.end());
        r.time_above_s.assign(exposure_->time_above_s.begin(), exposure_->time_above_s.end());
      });
  exposure_last_published_ns_ = host_ns;
}

void MatChannel::on_message(StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns) {
  if (outcome == StepOutcome::mat_frame) {
    on_frame(out.frame, host_ns);
  } else if (outcome == StepOutcome::device_info) {
    info_ = out.info;
    spdlog::info("{}: {} serial {} firmware {} ({}x{}, {}-bit)", id(), out.info.model, out.info.serial,
                 out.info.firmware, out.info.rows, out.info.cols, out.info.adc_bits);
    outlet_.event("device.info", id(), kNaN,
                  out.info.model + " serial " + out.info.serial + " firmware " + out.info.firmware, id());
  }
}

std::int64_t MatChannel::place_on_timeline(const MatFrame& frame, std::int64_t host_ns) {
  if (frame.device_time_us == 0) return host_ns;  // no device clock (text, row-matrix mats)
  const ClockEstimate& clock =
      clock_model_->observe(static_cast<std::int64_t>(frame.device_time_us) * 1000, host_ns);
  archive_clock(host_ns, clock);
  return clock.host_ns;
}

void MatChannel::on_frame(const MatFrame& frame, std::int64_t host_ns) {
  // Stage times on the clock that stamped host_ns (the read's arrival), so each difference
  // is the daemon's own latency up to that point. Recorded only for frames that go on.
  const std::int64_t decoded_ns = clock_.now_unix_ns();
  const auto& geometry = config_.pressure.geometry;
  if (frame.rows != geometry.rows || frame.cols != geometry.cols) {
    if (wrong_geometry_++ % 1000 == 0)
      outlet_.event("device.geometry", id(), kNaN,
                    "frame is " + std::to_string(frame.rows) + "x" + std::to_string(frame.cols) +
                        " but the config says " + std::to_string(geometry.rows) + "x" + std::to_string(geometry.cols) +
                        "; frames dropped",
                    id());
    return;
  }
  const SequenceObservation seq = tracker_.observe(frame.device_seq);
  if (seq.duplicate) {
    ++duplicates_;  // a repeated frame adds nothing; it is counted on `status`
    return;
  }
  if (seq.lost_before > 0) {
    ++gaps_;
    frames_lost_ += seq.lost_before;
    outlet_.event("gap", id(), seq.lost_before,
                  std::to_string(seq.lost_before) + " frame(s) missing before device seq " +
                      std::to_string(frame.device_seq),
                  id());
  }
  if (seq.restarted) outlet_.event("device.restarted", id(), kNaN, "device frame counter went backwards", id());

  const PressureResult& result = pipeline_->process(frame, host_ns);
  const std::int64_t metrics_ns = clock_.now_unix_ns();
  const std::int64_t timeline_ns = place_on_timeline(frame, host_ns);
  const MessageHeader h{.host_time_ns = host_ns, .device_id = id(), .device_seq = frame.device_seq,
                        .device_time_us = frame.device_time_us, .timeline_ns = timeline_ns};
  outlet_.send(frame_topic_, h, [&](const MessageHeader& stamped, PayloadOut buffer) {
    encode_pressure_frame(stamped, frame, result.pressure_mmhg, static_cast<float>(geometry.pitch_row_cm),
                          seq.lost_before, result.suspect, result.frame.saturated_count, buffer);
  });
  outlet_.send(metrics_topic_, h,
               [&](const MessageHeader& stamped, PayloadOut buffer) { encode_pressure_metrics(stamped, result, buffer); });
  auto& stage = latency_->interval;
  stage[0].record(decoded_ns - host_ns);
  stage[1].record(metrics_ns - host_ns);
  stage[2].record(clock_.now_unix_ns() - host_ns);

  if (outlet_.archive()) {
    outlet_.archive_record<archived::Frame>([&](archived::Frame& r) {
      r.device = archive_index_;
      r.time_ns = host_ns;
      r.seq = frame.device_seq;
      r.device_time_us = frame.device_time_us;
      r.timeline_ns = timeline_ns;
      r.raw.assign(frame.raw.begin(), frame.raw.end());
      r.metrics.resize(pressure_metric_fields().size());
      flatten_metrics(result, r.metrics);
    });
    stage[3].record(clock_.now_unix_ns() - host_ns);
  }
  pipeline_->settle_exposure();  // after publishing: no message waits for it
  // The exposure map goes out every exposure_publish_interval_s of frame time (not wall time), so a
  // replayed or stalled stream gives the same snapshots; a backward step restarts the schedule.
  if (!exposure_clock_started_ || host_ns < last_frame_ns_) {
    exposure_clock_started_ = true;
    exposure_due_ns_ = host_ns + exposure_interval_ns_;
  } else if (host_ns >= exposure_due_ns_) {
    publish_exposure(host_ns, frame.device_seq, frame.device_time_us);
    exposure_due_ns_ = host_ns + exposure_interval_ns_;
  }
  last_frame_ns_ = host_ns;
  last_device_seq_ = frame.device_seq;
  last_device_time_us_ = frame.device_time_us;
  if (observer_) observer_(result);
}

ArchiveDeviceLayout MatChannel::archive_layout() const {
  ArchiveDeviceLayout l;
  l.id = id();
  l.kind = DeviceKind::mat;
  l.rows = config_.pressure.geometry.rows;
  l.cols = config_.pressure.geometry.cols;
  l.attributes["driver"] = config_.device.driver;
  transport_->describe(l);
  // Before the port is found (a session started with the daemon): the configured one.
  auto& port = l.attributes["port"];
  if (const auto* path = std::get_if<std::string>(&port); !path || path->empty()) port = config_.device.selector.port;
  if (info_) {
    l.attributes["model"] = info_->model;
    l.attributes["serial"] = info_->serial;
    l.attributes["firmware"] = info_->firmware;
    l.attributes["adc_bits"] = static_cast<std::int64_t>(info_->adc_bits);
  }
  l.attributes["pitch_row_cm"] = config_.pressure.geometry.pitch_row_cm;
  l.attributes["pitch_col_cm"] = config_.pressure.geometry.pitch_col_cm;
  l.attributes["calibration"] = calibration_json_;
  l.attributes["calibration_source"] = config_.pressure.calibration.source;
  l.attributes["exposure_threshold_mmhg"] = config_.pressure.exposure_threshold_mmhg;
  l.attributes["exposure_max_gap_s"] = config_.pressure.exposure_max_gap_s;
  l.attributes["exposure_publish_interval_s"] = config_.exposure_publish_interval_s;
  for (const auto& name : PressurePipeline::metric_field_names()) l.metric_fields.emplace_back(name);
  return l;
}

DeviceHealth MatChannel::health() const {
  DeviceHealth h;
  h.id = id();
  h.kind = "mat";
  h.driver = config_.device.driver;
  transport_->fill_health(h);
  h.sequence_gaps = gaps_;
  h.frames_lost = frames_lost_;
  h.duplicates = duplicates_;
  h.clock = clock_model_->last();
  return h;
}

}  // namespace plinth
