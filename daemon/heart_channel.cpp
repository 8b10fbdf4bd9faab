#include "daemon/heart_channel.hpp"

#include "daemon/archive/archive_writer.hpp"
#include "daemon/clock/rr_beat_clock.hpp"
#include "daemon/hrv/hrv_flatten.hpp"
#include "daemon/hrv/hrv_monitor.hpp"
#include "daemon/publisher.hpp"
#include "daemon/session_outlet.hpp"
#include "daemon/topics.hpp"

namespace plinth {

namespace {

HrvMonitorSettings monitor_settings(const HeartConfig& c) {
  HrvMonitorSettings s;
  s.window_s = c.hrv_window_s;
  // The session baseline is the relaxation tracker's (settled occupancy), handed over with
  // set_baseline(); the monitor keeps none of its own.
  s.baseline_s = 0.0;
  s.artifacts.mode = c.correction;
  s.frequency = frequency_settings_preset(c.spectrum);
  return s;
}

}  // namespace

HeartChannel::HeartChannel(boost::asio::io_context& io, const HostClock& clock, const HeartConfig& config,
                           SessionOutlet& outlet, std::uint32_t archive_index)
    : DeviceChannel(outlet, archive_index),
      config_(config),
      monitor_(std::make_unique<HrvMonitor>(monitor_settings(config))),
      out_(std::make_unique<HrvMonitorOutput>()),
      beat_topic_(topics::for_device(topics::heart_beat, config.device.id)),
      final_beat_topic_(topics::for_device(topics::heart_beat_final, config.device.id)),
      hrv_topic_(topics::for_device(topics::heart_hrv, config.device.id)),
      hrv_values_(hrv_record_fields().size()),
      rr_clock_(std::make_unique<RrBeatClock>()) {
  connect(io, clock, config.device);
}

// The transport's pending handlers may outlive this channel; stopped, they no longer call back.
HeartChannel::~HeartChannel() { stop(); }

void HeartChannel::on_message(StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns) {
  if (outcome == StepOutcome::heart_sample) on_samples(out.heart_samples, host_ns);
}

void HeartChannel::flush() {
  monitor_->flush(*out_);
  deliver(*out_);
}

void HeartChannel::reset_session() {
  monitor_ = std::make_unique<HrvMonitor>(monitor_settings(config_));
  beats_ = strap_missing_ = artifacts_ = input_beats_ = 0;
}

void HeartChannel::set_baseline(std::int64_t begin_ns, std::int64_t end_ns) {
  monitor_->set_baseline_segment(begin_ns, end_ns, *out_);
  deliver(*out_);
}

HrvMetrics HeartChannel::compute_now(double window_s) {
  out_->updates.push_back(monitor_->compute_now(window_s));
  HrvMetrics result = out_->updates.back();
  deliver(*out_);
  return result;
}

void HeartChannel::on_samples(const std::vector<HeartSample>& samples, std::int64_t arrival_ns) {
  notification_rr_ms_.clear();
  for (const HeartSample& s : samples) notification_rr_ms_.push_back(s.rr_1024 * 1000.0 / 1024.0);
  // Two times per beat, both archived. On the timeline: from the RR sum through the strap's clock
  // model. By arrival: the last beat arrived now, earlier ones one interval before each other.
  archive_clock(arrival_ns, rr_clock_->on_notification(arrival_ns, notification_rr_ms_, notification_timeline_ns_));
  notification_arrival_ns_.resize(samples.size());
  std::int64_t later_ns = 0;
  for (std::size_t k = samples.size(); k-- > 0;) {
    notification_arrival_ns_[k] = arrival_ns - later_ns;
    later_ns += static_cast<std::int64_t>(samples[k].rr_1024 * (1e9 / 1024.0));
  }
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const HeartSample& s = samples[k];
    if (s.contact) contact_ = *s.contact;
    strap_missing_ += s.missing_beats;
    pending_missing_ += s.missing_beats;
    input_by_index_[input_beats_++ % input_by_index_.size()] = {s.missing_beats, notification_timeline_ns_[k]};
    monitor_->push(RawBeat{notification_rr_ms_[k], notification_arrival_ns_[k], s.missing_beats}, *out_);
    deliver(*out_);
  }
}

std::int64_t HeartChannel::timeline_of(const BeatRecord& beat) const {
  return input_by_index_[beat.beat_index % input_by_index_.size()].timeline_ns;
}

MessageHeader HeartChannel::beat_header(const BeatRecord& beat) const {
  return {.host_time_ns = beat.time_ns, .device_id = id(), .device_seq = beat.beat_index, .timeline_ns = timeline_of(beat)};
}

void HeartChannel::deliver(HrvMonitorOutput& out) {
  const auto encode_beat = [&](const BeatRecord& beat, std::uint32_t missing, bool final_decision) {
    return [&, missing, final_decision](const MessageHeader& h, PayloadOut buffer) {
      encode_heart_beat(h, beat, missing, contact_, final_decision, buffer);
    };
  };
  for (const BeatRecord& beat : out.beats) {
    ++beats_;
    if (beat.flags != 0) ++artifacts_;
    // Strap-reported missing beats belong to the next decided beat (the corrector delays beats).
    const std::uint32_t missing = pending_missing_;
    pending_missing_ = 0;
    outlet_.publish<archived::Beat>(
        beat_topic_, beat_header(beat), encode_beat(beat, missing, false), [&](archived::Beat& r) {
          r.device = archive_index_;
          r.beat = ArchiveBeat{beat.time_ns, beat.rr_ms, beat.nn_ms, beat.hr_bpm, beat.flags, missing, false,
                               timeline_of(beat)};
          r.extra.clear();
        });
  }
  for (const BeatRecord& beat : out.final_beats) {
    const std::uint32_t missing = input_by_index_[beat.beat_index % input_by_index_.size()].missing;
    outlet_.publish<archived::Beat>(
        final_beat_topic_, beat_header(beat), encode_beat(beat, missing, true), [&](archived::Beat& r) {
          r.device = archive_index_;
          r.beat = ArchiveBeat{beat.time_ns, beat.rr_ms, beat.nn_ms, beat.hr_bpm, beat.flags, missing, true,
                               timeline_of(beat)};
          r.extra.assign({static_cast<double>(beat.beat_index), static_cast<double>(beat.nn_count),
                          static_cast<double>(beat.provisional_flags)});
        });
  }
  for (const HrvMetrics& hrv : out.updates) {
    outlet_.publish<archived::Hrv>(
        hrv_topic_, {.host_time_ns = hrv.time_ns, .device_id = id()},
        [&](const MessageHeader& h, PayloadOut buffer) { encode_heart_hrv(h, hrv, buffer); },
        [&](archived::Hrv& r) {
          r.device = archive_index_;
          r.time_ns = hrv.time_ns;
          flatten_hrv_record(hrv, hrv_values_);  // its first field is the time, archived apart
          r.values.assign(hrv_values_.begin() + 1, hrv_values_.end());
        });
    if (observer_) observer_(hrv);
  }
  out.clear();
}

ArchiveDeviceLayout HeartChannel::archive_layout() const {
  ArchiveDeviceLayout l;
  l.id = id();
  l.kind = DeviceKind::heart;
  l.attributes["driver"] = config_.device.driver;
  transport_->describe(l);
  l.attributes["correction"] = std::string(to_string(config_.correction));
  l.attributes["hrv_window_s"] = config_.hrv_window_s;
  l.attributes["final_delay_beats"] = static_cast<std::int64_t>(monitor_->final_delay_beats());
  l.attributes["spectrum"] = config_.spectrum;
  // The archive writes time_ns itself; the record's own copy (field 0) is left out.
  for (std::string_view f : hrv_record_fields().subspan(1)) l.hrv_fields.emplace_back(std::string(f));
  return l;
}

DeviceHealth HeartChannel::health() const {
  DeviceHealth h;
  h.id = id();
  h.kind = "heart";
  h.driver = config_.device.driver;
  transport_->fill_health(h);
  h.frames = beats_;  // decided beats, not the transport's messages
  h.frames_lost = strap_missing_;
  h.clock = rr_clock_->model().last();
  return h;
}

}  // namespace plinth
