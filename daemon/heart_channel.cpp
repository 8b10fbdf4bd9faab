#include "daemon/heart_channel.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <limits>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/device_link.hpp"
#include "daemon/hrv/hrv_flatten.hpp"
#include "daemon/hrv/hrv_monitor.hpp"
#include "daemon/publisher.hpp"
#include "daemon/session_outlet.hpp"
#include "daemon/topics.hpp"
#include "drivers/bluez/bluez_heart_strap.hpp"
#include "drivers/driver_registry.hpp"

namespace plinth {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// Either transport, behind one face.
struct HeartChannel::Link {
  std::shared_ptr<DeviceLink> serial;
  std::unique_ptr<BluezHeartStrap> bluez;
  std::string bluez_state = "searching";
};

HeartChannel::HeartChannel(boost::asio::io_context& io, const HostClock& clock, const HeartConfig& config,
                           SessionOutlet& outlet, std::uint32_t archive_index)
    : DeviceChannel(outlet, archive_index),
      config_(config),
      link_(std::make_unique<Link>()),
      monitor_(std::make_unique<HrvMonitor>(monitor_settings(config))),
      out_(std::make_unique<HrvMonitorOutput>()),
      beat_topic_(topics::for_device(topics::heart_beat, config.device.id)),
      final_beat_topic_(topics::for_device(topics::heart_beat_final, config.device.id)),
      hrv_topic_(topics::for_device(topics::heart_hrv, config.device.id)),
      hrv_values_(hrv_record_fields().size()) {
  if (config.device.driver == kBluezDriver) {
    BluezStrapCallbacks cb;
    cb.on_samples = [this, &clock](const std::vector<HeartSample>& samples) {
      on_samples(samples, clock.now_unix_ns());
    };
    cb.on_state = [this](BluezStrapState s, const std::string& detail) {
      link_->bluez_state = state_name(s);
      report_link_state(state_name(s), detail);
    };
    link_->bluez = std::make_unique<BluezHeartStrap>(io, bluez_strap_config(config.device.options), cb);
  } else {
    DeviceLinkCallbacks cb;
    cb.on_message = [this](StepOutcome o, const DecodedOutput& out, std::int64_t t) {
      if (o == StepOutcome::heart_sample) on_samples(out.heart_samples, t);
    };
    cb.on_state = [this](LinkState s, const std::string& detail) { report_link_state(to_string(s), detail); };
    link_->serial = std::make_shared<DeviceLink>(
        io, clock,
        DeviceLinkConfig{config.device.id, find_driver(config.device.driver), config.device.options,
                         config.device.selector},
        cb);
  }
}

// The link's pending handlers may outlive this channel; stopped, they no longer call back.
HeartChannel::~HeartChannel() {
  if (link_->serial) link_->serial->stop();
}

void HeartChannel::start() {
  if (link_->serial) link_->serial->start();
  if (link_->bluez) link_->bluez->start();
}

void HeartChannel::stop() {
  if (link_->serial) link_->serial->stop();
  if (link_->bluez) link_->bluez->stop();
}

void HeartChannel::flush() {
  monitor_->flush(*out_);
  deliver(*out_);
}

void HeartChannel::reopen() {
  if (link_->serial) link_->serial->reopen();
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
  // One notification may carry several intervals (oldest first); the last beat arrived now,
  // earlier ones one interval before each other.
  std::int64_t later_ns = 0;
  std::vector<std::int64_t> times(samples.size());
  for (std::size_t k = samples.size(); k-- > 0;) {
    times[k] = arrival_ns - later_ns;
    later_ns += static_cast<std::int64_t>(samples[k].rr_1024 * (1e9 / 1024.0));
  }
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const HeartSample& s = samples[k];
    if (s.contact) contact_ = *s.contact;
    strap_missing_ += s.missing_beats;
    RawBeat beat{s.rr_1024 * 1000.0 / 1024.0, times[k], s.missing_beats};
    pending_missing_ += s.missing_beats;
    missing_by_index_[input_beats_++ % missing_by_index_.size()] = s.missing_beats;
    monitor_->push(beat, *out_);
    deliver(*out_);
  }
}

void HeartChannel::deliver(HrvMonitorOutput& out) {
  Publisher& publisher = outlet_.publisher();
  std::string& buffer = outlet_.scratch();
  ArchiveWriter* archive = outlet_.archive();
  for (const BeatRecord& beat : out.beats) {
    ++beats_;
    if (beat.flags != 0) ++artifacts_;
    // Strap-reported missing beats belong to the next decided beat (the corrector delays beats).
    const std::uint32_t missing = pending_missing_;
    pending_missing_ = 0;
    MessageHeader h{outlet_.session_id(), publisher.next_seq(beat_topic_), beat.time_ns, id(), beat.beat_index, 0};
    encode_heart_beat(h, beat, missing, contact_, false, buffer);
    publisher.send(beat_topic_, buffer);
    if (archive)
      archive->submit_beat(archive_index_, ArchiveBeat{beat.time_ns, beat.rr_ms, beat.nn_ms, beat.hr_bpm, beat.flags,
                                                       missing});
  }
  for (const BeatRecord& beat : out.final_beats) {
    const std::uint32_t missing = missing_by_index_[beat.beat_index % missing_by_index_.size()];
    MessageHeader h{outlet_.session_id(), publisher.next_seq(final_beat_topic_), beat.time_ns, id(), beat.beat_index, 0};
    encode_heart_beat(h, beat, missing, contact_, true, buffer);
    publisher.send(final_beat_topic_, buffer);
    if (archive) {
      const double extra[] = {static_cast<double>(beat.beat_index), static_cast<double>(beat.nn_count),
                              static_cast<double>(beat.provisional_flags)};
      archive->submit_beat(archive_index_,
                           ArchiveBeat{beat.time_ns, beat.rr_ms, beat.nn_ms, beat.hr_bpm, beat.flags, missing, true},
                           extra);
    }
  }
  for (const HrvMetrics& hrv : out.updates) {
    MessageHeader h{outlet_.session_id(), publisher.next_seq(hrv_topic_), hrv.time_ns, id(), 0, 0};
    encode_heart_hrv(h, hrv, buffer);
    publisher.send(hrv_topic_, buffer);
    if (archive) {
      flatten_hrv_record(hrv, hrv_values_);
      archive->submit_hrv(archive_index_, hrv.time_ns, std::span<const double>(hrv_values_).subspan(1));
    }
    if (observer_) observer_(hrv);
  }
  out.clear();
}

ArchiveDeviceLayout HeartChannel::archive_layout() const {
  ArchiveDeviceLayout l;
  l.id = id();
  l.kind = DeviceKind::heart;
  l.attributes["driver"] = config_.device.driver;
  if (link_->serial) l.attributes["port"] = link_->serial->port_path();
  if (link_->bluez) l.attributes["bluez_device"] = bluez_strap_config(config_.device.options).device;
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
  h.frames = beats_;
  h.frames_lost = strap_missing_;
  if (link_->serial) {
    const DecodeCounters& c = link_->serial->counters();
    h.port = link_->serial->port_path();
    h.state = to_string(link_->serial->state());
    h.bytes = c.bytes;
    h.crc_errors = c.crc_errors;
    h.framing_errors = c.framing_errors;
    h.resyncs = c.resyncs;
    h.garbage_bytes = c.garbage_bytes;
    h.reconnects = link_->serial->reconnects();
  } else {
    const BluezStrapCounters c = link_->bluez->counters();
    h.port = c.device_path;
    h.state = link_->bluez_state == "streaming" ? "connected" : link_->bluez_state;
    h.framing_errors = c.decode_errors;
    h.reconnects = c.link_losses;
  }
  return h;
}

}  // namespace plinth
