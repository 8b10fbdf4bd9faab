#include "tools/replay_message_sender.hpp"

#include <algorithm>

#include "daemon/messages.hpp"
#include "daemon/pressure/corrupt_frame.hpp"
#include "daemon/topics.hpp"
#include "tools/archive_records.hpp"

namespace plinth::tools {

ReplayMessageSender::ReplayMessageSender(const ArchiveReader& reader, ReplaySources& sources,
                                         const std::vector<std::string>& devices, Publisher& publisher)
    : reader_(reader), sources_(sources), devices_(devices), publisher_(publisher) {}

void ReplayMessageSender::send(const ReplayItem& item, bool warm_up) {
  if (item.kind == ReplayItemKind::frame) return send_frame(*sources_.mats[item.source], item.row, warm_up);
  if (warm_up) return;
  switch (item.kind) {
    case ReplayItemKind::frame: break;
    case ReplayItemKind::metrics: return send_metrics(*sources_.mats[item.source], item.row);
    case ReplayItemKind::exposure: return send_exposure(*sources_.mats[item.source], item.row);
    case ReplayItemKind::beat: return send_beat(sources_.hearts[item.source], false, item.row);
    case ReplayItemKind::beat_final: return send_beat(sources_.hearts[item.source], true, item.row);
    case ReplayItemKind::hrv: return send_hrv(sources_.hearts[item.source], item.row);
    case ReplayItemKind::event: return send_event(sources_.events[item.row]);
  }
}

void ReplayMessageSender::send_frame(MatSource& m, std::size_t i, bool warm_up) {
  const std::uint32_t lost_before = m.tracker.observe(m.seqs[i]).lost_before;
  if (warm_up && !m.pipeline) return;  // as recorded, nothing before the start matters
  reader_.read_frame(m.id, i, m.frame.raw);
  m.frame.device_seq = m.seqs[i];
  m.frame.device_time_us = i < m.device_times.size() ? m.device_times[i] : 0;
  const std::int64_t row = m.frame_metrics[i];
  const bool recorded_suspect = row >= 0 && m.metrics.value("suspect", static_cast<std::size_t>(row), 0.0) != 0.0;
  MessageHeader h{sources_.session_id, 0, m.times[i], m.id, m.frame.device_seq, m.frame.device_time_us, sources_.station,
                  m.timeline[i]};
  const float pitch = static_cast<float>(m.config.geometry.pitch_row_cm);
  if (m.pipeline) {
    // The archive keeps the pipeline's suspect flag, not the decoder's: a suspect frame that
    // the corruption check does not explain was flagged by the decoder.
    m.frame.suspect = recorded_suspect && !looks_corrupt(m.frame.raw);
    const PressureResult& r = m.pipeline->process(m.frame, m.times[i]);
    if (warm_up) return;
    h.seq = publisher_.next_seq(m.frame_topic);
    encode_pressure_frame(h, m.frame, r.pressure_mmhg, pitch, lost_before, r.suspect, r.frame.saturated_count, buffer_);
    publisher_.send(m.frame_topic, buffer_);
    h.seq = publisher_.next_seq(m.metrics_topic);
    encode_pressure_metrics(h, r, buffer_);
    publisher_.send(m.metrics_topic, buffer_);
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
  h.seq = publisher_.next_seq(m.frame_topic);
  encode_pressure_frame(h, m.frame, r.pressure_mmhg, pitch, lost_before, suspect, saturated_count, buffer_);
  publisher_.send(m.frame_topic, buffer_);
}

void ReplayMessageSender::send_metrics(MatSource& m, std::size_t row) {
  restore_pressure_metrics(m.metrics, row, m.recorded);
  const std::int64_t f = m.metrics_frame[row];
  const std::size_t fi = static_cast<std::size_t>(f);
  MessageHeader h{sources_.session_id, publisher_.next_seq(m.metrics_topic), m.metrics.time_ns[row], m.id,
                  f >= 0 ? m.seqs[fi] : 0, f >= 0 && fi < m.device_times.size() ? m.device_times[fi] : 0, sources_.station,
                  f >= 0 ? m.timeline[fi] : 0};
  encode_pressure_metrics(h, m.recorded, buffer_);
  publisher_.send(m.metrics_topic, buffer_);
}

void ReplayMessageSender::send_exposure(MatSource& m, std::size_t row) {
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
  MessageHeader h{sources_.session_id, publisher_.next_seq(m.exposure_topic), t, m.id, found ? m.seqs[f] : 0,
                  found && f < m.device_times.size() ? m.device_times[f] : 0, sources_.station};
  encode_pressure_exposure(h, e, buffer_);
  publisher_.send(m.exposure_topic, buffer_);
}

// A beat's provisional (`beats`, heart.beat.<id>) or final decision (`finals`,
// heart.beat_final.<id>). As live, the header carries the beat's own time and index, though a
// final decision came later. Sensor contact is not archived; a beat that arrived implies it.
void ReplayMessageSender::send_beat(const HeartSource& s, bool final_decision, std::size_t row) {
  const ArchiveTable& table = final_decision ? s.finals : s.beats;
  const std::string& topic = final_decision ? s.final_topic : s.beat_topic;
  const BeatRecord b = restore_beat(table, row);
  MessageHeader h{sources_.session_id, publisher_.next_seq(topic), b.time_ns, s.id, b.beat_index, 0, sources_.station,
                  row < table.timeline_ns.size() ? table.timeline_ns[row] : 0};
  encode_heart_beat(h, b, restore_beat_missing(table, row), true, final_decision, buffer_);
  publisher_.send(topic, buffer_);
}

void ReplayMessageSender::send_hrv(const HeartSource& s, std::size_t row) {
  const HrvMetrics m = restore_hrv(s.hrv, row);
  MessageHeader h{sources_.session_id, publisher_.next_seq(s.hrv_topic), m.time_ns, s.id, 0, 0, sources_.station};
  encode_heart_hrv(h, m, buffer_);
  publisher_.send(s.hrv_topic, buffer_);
}

void ReplayMessageSender::send_event(const ArchiveEvent& e) {
  // Device events carry the device in the header, as live; events of devices left out with
  // --device are left out too.
  const bool about_device = e.kind == "gap" || e.kind.rfind("device.", 0) == 0;
  std::string_view device_id;
  if (about_device && reader_.device(e.label)) {
    if (!devices_.empty() && std::find(devices_.begin(), devices_.end(), e.label) == devices_.end()) return;
    device_id = e.label;
  }
  MessageHeader h{sources_.session_id, publisher_.next_seq(topics::session_event), e.time_ns, device_id, 0, 0, sources_.station};
  encode_session_event(h, {e.kind, e.label, e.value, e.detail}, buffer_);
  publisher_.send(topics::session_event, buffer_);
}

}  // namespace plinth::tools
