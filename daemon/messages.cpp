#include "daemon/messages.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/io/coded_stream.h>

#include "daemon/pressure/pressure_pipeline.hpp"
#include "plinth/proto/plinth.pb.h"
#include "plinth/version.hpp"

namespace plinth {
namespace {

void fill(v1::Header& out, const MessageHeader& h) {
  // Assigned in place: a reused message keeps its strings' capacity (no allocation per frame).
  out.mutable_session_id()->assign(h.session_id);
  out.set_seq(h.seq);
  out.set_host_time_ns(h.host_time_ns);
  out.mutable_device_id()->assign(h.device_id);
  out.set_device_seq(h.device_seq);
  out.set_device_time_us(h.device_time_us);
  out.mutable_station()->assign(h.station);
  out.set_timeline_ns(h.timeline_ns != 0 ? h.timeline_ns : h.host_time_ns);
}

// The metrics table's rows that PressureMetrics has no typed field for: they go in its `extra`.
// Found once, by name in the message's descriptor (sway_<x> in SwayMetrics); two rows are older
// than the table and carry other names on the wire.
// Indices, not pointers: the table is a vector that MetricFieldExtension may still grow.
const std::vector<std::size_t>& untyped_metric_rows() {
  static const std::vector<std::size_t> rows = [] {
    constexpr std::pair<std::string_view, std::string_view> kWireNames[] = {
        {"ppi_mmhg", "peak_pressure_index_mmhg"}, {"movement_index_per_s", "movement_index"}};
    constexpr std::string_view kSwayPrefix = "sway_";
    const auto* metrics = v1::PressureMetrics::descriptor();
    const auto* sway = v1::SwayMetrics::descriptor();
    std::vector<std::size_t> out;
    const auto fields = pressure_metric_fields();
    for (std::size_t row = 0; row < fields.size(); ++row) {
      const Field<PressureResult>& field = fields[row];
      std::string name(field.name);
      for (const auto& [table_name, wire_name] : kWireNames)
        if (field.name == table_name) name = wire_name;
      const bool typed = metrics->FindFieldByName(name) != nullptr ||
                         (name.starts_with(kSwayPrefix) && sway->FindFieldByName(name.substr(kSwayPrefix.size())));
      if (!typed) out.push_back(row);
    }
    return out;
  }();
  return rows;
}

// SerializeToString, into whatever `out` is.
void serialize(const google::protobuf::MessageLite& m, PayloadOut& out) {
  const std::size_t bytes = m.ByteSizeLong();
  m.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(out.reserve(bytes)));
}

}  // namespace

void encode_pressure_frame(const MessageHeader& h, const MatFrame& frame, std::span<const float> pressure_mmhg,
                           float pitch_cm, std::uint32_t gap_before, bool suspect, std::uint32_t saturated,
                           PayloadOut out) {
  // PressureFrame's wire form written field by field, as its generated _InternalSerialize writes
  // it (field order, proto3's omitted defaults, a float omitted only when all its bits are 0), so
  // that raw and pressures go from the frame into the outgoing buffer in one copy, not through
  // the message's own fields first: at 100 Hz every extra 24 KiB pass is a pass over cold cache
  // lines. Same bytes as the generated code (test PressureFrameMessage.*).
  using google::protobuf::io::CodedOutputStream;
  constexpr auto tag = [](std::uint32_t field, std::uint32_t wire_type) { return (field << 3) | wire_type; };
  constexpr std::uint32_t kVarint = 0, kFixed32 = 5, kLengthDelimited = 2;
  thread_local v1::Header header;  // reused: its strings keep their capacity
  fill(header, h);
  const auto header_bytes = static_cast<std::uint32_t>(header.ByteSizeLong());
  const std::size_t raw_bytes = frame.raw.size() * 2, pressure_bytes = pressure_mmhg.size() * 4;
  const std::uint32_t pitch_bits = std::bit_cast<std::uint32_t>(pitch_cm);
  const auto varint_field = [](std::uint32_t value) -> std::size_t {
    return value != 0 ? 1 + CodedOutputStream::VarintSize32(value) : 0;
  };
  const auto bytes_field = [](std::size_t bytes) -> std::size_t {
    return bytes != 0 ? 1 + CodedOutputStream::VarintSize64(bytes) + bytes : 0;
  };
  const std::size_t total = 1 + CodedOutputStream::VarintSize32(header_bytes) + header_bytes + varint_field(frame.rows) +
                            varint_field(frame.cols) + bytes_field(raw_bytes) + bytes_field(pressure_bytes) +
                            (pitch_bits != 0 ? 5 : 0) + varint_field(gap_before) + (suspect ? 2 : 0) +
                            varint_field(saturated);
  std::uint8_t* const begin = reinterpret_cast<std::uint8_t*>(out.reserve(total));
  std::uint8_t* t = begin;
  const auto put_varint = [&](std::uint32_t field, std::uint32_t value) {
    if (value == 0) return;
    t = CodedOutputStream::WriteTagToArray(tag(field, kVarint), t);
    t = CodedOutputStream::WriteVarint32ToArray(value, t);
  };
  const auto put_length = [&](std::uint32_t field, std::size_t bytes) {
    t = CodedOutputStream::WriteTagToArray(tag(field, kLengthDelimited), t);
    t = CodedOutputStream::WriteVarint64ToArray(bytes, t);
  };
  put_length(1, header_bytes);
  t = header.SerializeWithCachedSizesToArray(t);
  put_varint(2, frame.rows);
  put_varint(3, frame.cols);
  if (raw_bytes != 0) {
    put_length(4, raw_bytes);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(t, frame.raw.data(), raw_bytes);  // the wire is little-endian too
      t += raw_bytes;
    } else {
      for (const std::uint16_t v : frame.raw) {
        *t++ = static_cast<std::uint8_t>(v & 0xFF);
        *t++ = static_cast<std::uint8_t>(v >> 8);
      }
    }
  }
  if (pressure_bytes != 0) {  // packed
    put_length(5, pressure_bytes);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(t, pressure_mmhg.data(), pressure_bytes);
      t += pressure_bytes;
    } else {
      for (const float p : pressure_mmhg) t = CodedOutputStream::WriteLittleEndian32ToArray(std::bit_cast<std::uint32_t>(p), t);
    }
  }
  if (pitch_bits != 0) {
    t = CodedOutputStream::WriteTagToArray(tag(6, kFixed32), t);
    t = CodedOutputStream::WriteLittleEndian32ToArray(pitch_bits, t);
  }
  put_varint(7, gap_before);
  put_varint(8, suspect ? 1 : 0);
  put_varint(9, saturated);
  if (t != begin + total) throw std::logic_error("encode_pressure_frame: wrote a different size than it reserved");
}

void encode_session_event(const MessageHeader& h, const EventFields& e, PayloadOut out) {
  v1::SessionEvent m;
  fill(*m.mutable_header(), h);
  m.set_kind(std::string(e.kind));
  m.set_label(std::string(e.label));
  m.set_value(e.value);
  m.set_detail(std::string(e.detail));
  serialize(m, out);
}

void encode_status(const MessageHeader& h, const DaemonHealth& health, PayloadOut out) {
  v1::Status m;
  fill(*m.mutable_header(), h);
  m.set_state(health.state);
  m.set_uptime_s(health.uptime_s);
  m.set_software_version(kSoftwareVersion);
  for (const auto& d : health.devices) {
    auto* s = m.add_devices();
    s->set_id(d.id);
    s->set_kind(d.kind);
    s->set_driver(d.driver);
    s->set_port(d.port);
    s->set_state(d.state);
    // By name through the descriptor (looked up once): kDeviceCounters is the one list.
    static const auto counter_fields = [] {
      std::vector<const google::protobuf::FieldDescriptor*> fields;
      for (const DeviceCounter& c : kDeviceCounters)
        fields.push_back(v1::DeviceStatus::descriptor()->FindFieldByName(std::string(c.name)));
      return fields;
    }();
    const google::protobuf::Reflection* reflection = s->GetReflection();
    for (std::size_t k = 0; k < std::size(kDeviceCounters); ++k)
      if (counter_fields[k]) reflection->SetUInt64(s, counter_fields[k], d.*kDeviceCounters[k].value);
    s->set_clock_offset_ns(d.clock.offset_ns);
    s->set_clock_drift_ppm(d.clock.drift_ppm);
    s->set_clock_residual_ns(d.clock.residual_ns);
    s->set_clock_settled(d.clock.settled);
    s->set_clock_segment(d.clock.segment);
  }
  for (const auto& c : health.consumers) {
    auto* s = m.add_consumers();
    s->set_name(c.name);
    s->set_queue_depth(c.queue_depth);
    s->set_queue_capacity(c.queue_capacity);
    s->set_dropped(c.dropped);
  }
  auto* a = m.mutable_archive();
  a->set_path(health.archive.path);
  a->set_bytes_written(health.archive.bytes_written);
  a->set_last_flush_ns(health.archive.last_flush_ns);
  a->set_free_disk_bytes(health.archive.free_disk_bytes);
  a->set_error(health.archive.error);
  a->set_frames_written(health.archive.frames_written);
  for (const auto& l : health.latency) {
    auto* s = m.add_latency();
    s->set_device_id(l.device_id);
    s->set_stage(std::string(l.stage));
    s->set_window(std::string(l.window));
    s->set_count(l.count);
    s->set_p50_us(l.p50_us);
    s->set_p99_us(l.p99_us);
    s->set_p999_us(l.p999_us);
    s->set_max_us(l.max_us);
  }
  serialize(m, out);
}

}  // namespace plinth

namespace plinth {

void encode_pressure_metrics(const MessageHeader& h, const PressureResult& r, PayloadOut out) {
  thread_local v1::PressureMetrics m;
  fill(*m.mutable_header(), h);
  const FrameMetrics& f = r.frame;
  m.set_total_load_n(f.total_load_n);
  m.set_contact_area_cm2(f.contact_area_cm2);
  m.set_mean_pressure_mmhg(f.mean_pressure_mmhg);
  m.set_peak_pressure_mmhg(f.peak_pressure_mmhg);
  m.set_cop_row_cm(f.cop_row_cm);
  m.set_cop_col_cm(f.cop_col_cm);
  m.set_contact_sensels(f.contact_sensels);
  m.set_peak_pressure_index_mmhg(f.ppi_mmhg);
  m.set_ppi_row(f.ppi_row);
  m.set_ppi_col(f.ppi_col);
  m.set_coefficient_of_variation(f.coefficient_of_variation);
  m.set_gradient_max_mmhg_per_cm(f.gradient_max_mmhg_per_cm);
  m.set_saturated_count(f.saturated_count);
  m.set_occupied(r.occupied);
  // Region messages are reused in place so their strings keep their capacity.
  auto* regions = m.mutable_regions();
  while (regions->size() > static_cast<int>(r.regions.size())) regions->RemoveLast();
  for (std::size_t i = 0; i < r.regions.size(); ++i) {
    v1::RegionLoad* out_region = static_cast<int>(i) < regions->size() ? regions->Mutable(static_cast<int>(i))
                                                                       : regions->Add();
    out_region->set_name(r.regions[i].name);
    out_region->set_load_n(r.regions[i].load_n);
    out_region->set_contact_area_cm2(r.regions[i].contact_area_cm2);
    out_region->set_peak_pressure_mmhg(r.regions[i].peak_pressure_mmhg);
  }
  m.set_symmetry_index_pct(r.symmetry.symmetry_index_pct);
  m.set_left_load_n(r.symmetry.left_load_n);
  m.set_right_load_n(r.symmetry.right_load_n);
  m.set_midline_row_cm(r.symmetry.midline_row_cm);
  m.set_midline_col_cm(r.symmetry.midline_col_cm);
  m.set_axis_angle_deg(r.symmetry.axis_angle_deg);
  auto* sway = m.mutable_sway();
  sway->set_window_s(r.sway.window_s);
  sway->set_path_length_cm(r.sway.path_length_cm);
  sway->set_mean_velocity_cm_s(r.sway.mean_velocity_cm_s);
  sway->set_rms_distance_cm(r.sway.rms_distance_cm);
  sway->set_ellipse95_area_cm2(r.sway.ellipse95_area_cm2);
  m.set_movement_index(r.movement_index_per_s);
  // Reused in place, like the regions: after the first frame the names keep their storage.
  const auto& untyped = untyped_metric_rows();
  const auto fields = pressure_metric_fields();
  auto* extra = m.mutable_extra();
  while (extra->size() > static_cast<int>(untyped.size())) extra->RemoveLast();
  for (std::size_t i = 0; i < untyped.size(); ++i) {
    v1::NamedValue* value = static_cast<int>(i) < extra->size() ? extra->Mutable(static_cast<int>(i)) : extra->Add();
    const Field<PressureResult>& field = fields[untyped[i]];
    value->mutable_name()->assign(field.name);
    value->set_value(field.value(r));
  }
  serialize(m, out);
}

void encode_pressure_exposure(const MessageHeader& h, const ExposureMap& exposure, PayloadOut out) {
  thread_local v1::PressureExposure m;
  fill(*m.mutable_header(), h);
  m.set_rows(exposure.rows);
  m.set_cols(exposure.cols);
  m.set_threshold_mmhg(exposure.threshold_mmhg);
  auto copy = [](const std::vector<double>& from, google::protobuf::RepeatedField<float>* to) {
    to->Resize(static_cast<int>(from.size()), 0.0f);
    std::transform(from.begin(), from.end(), to->mutable_data(), [](double v) { return static_cast<float>(v); });
  };
  copy(exposure.pti_mmhg_s, m.mutable_pressure_time_integral_mmhg_s());
  copy(exposure.time_above_s, m.mutable_time_above_threshold_s());
  m.set_max_pressure_time_integral_mmhg_s(exposure.max_pti_mmhg_s);
  m.set_max_time_above_threshold_s(exposure.max_time_above_s);
  m.set_sensels_above(exposure.sensels_above);
  m.set_duration_s(exposure.duration_s);
  serialize(m, out);
}

}  // namespace plinth

#include "daemon/hrv/beat_record.hpp"
#include "daemon/hrv/hrv_metrics.hpp"

namespace plinth {

void encode_heart_beat(const MessageHeader& h, const BeatRecord& beat, std::uint32_t missing, bool contact,
                       bool final_decision, PayloadOut out) {
  thread_local v1::HeartBeat m;
  fill(*m.mutable_header(), h);
  m.set_rr_ms(beat.rr_ms);
  m.set_nn_ms(beat.nn_ms);
  m.set_hr_bpm(beat.hr_bpm);
  m.set_artifact_flags(beat.flags);
  m.set_missing_beats(missing);
  m.set_contact(contact);
  m.set_nn_count(beat.nn_count);
  m.set_beat_index(beat.beat_index);
  m.set_final_decision(final_decision);
  m.set_provisional_flags(final_decision ? beat.provisional_flags : 0);
  serialize(m, out);
}

void encode_heart_hrv(const MessageHeader& h, const HrvMetrics& r, PayloadOut out) {
  thread_local v1::HeartHrv m;
  fill(*m.mutable_header(), h);
  m.set_window_s(r.window_s);
  m.set_beats(r.beat_count);
  m.set_mean_nn_ms(r.time.mean_nn_ms);
  m.set_hr_bpm(r.time.hr_bpm);
  m.set_sdnn_ms(r.time.sdnn_ms);
  m.set_rmssd_ms(r.time.rmssd_ms);
  m.set_ln_rmssd(r.time.ln_rmssd);
  m.set_pnn50_pct(r.time.pnn50_pct);
  m.set_sd1_ms(r.time.sd1_ms);
  m.set_sd2_ms(r.time.sd2_ms);
  m.set_sd1_sd2(r.time.sd1_sd2);
  m.set_vlf_ms2(r.frequency.vlf_ms2);
  m.set_lf_ms2(r.frequency.lf_ms2);
  m.set_hf_ms2(r.frequency.hf_ms2);
  m.set_lf_hf(r.frequency.lf_hf);
  m.set_lf_nu(r.frequency.lf_nu);
  m.set_hf_nu(r.frequency.hf_nu);
  m.set_hf_peak_hz(r.frequency.hf_peak_hz);
  m.set_resp_rate_bpm(r.frequency.resp_rate_bpm);
  m.set_pns_index(r.pns_index);
  m.set_d_ln_rmssd(r.baseline.delta_ln_rmssd);
  m.set_rmssd_change_pct(r.baseline.rmssd_change_pct);
  m.set_d_hf_pct(r.baseline.hf_change_pct);
  m.set_artifact_pct(r.artifact_pct);
  m.set_window_kind(std::string(to_string(r.kind)));
  serialize(m, out);
}

}  // namespace plinth

#include "daemon/relaxation/relaxation.hpp"

namespace plinth {

void encode_relaxation(const MessageHeader& h, const RelaxationReading& r, PayloadOut out) {
  v1::Relaxation m;
  fill(*m.mutable_header(), h);
  m.set_index(r.index);
  m.set_trend(r.trend);
  m.set_heart_available(r.heart_available);
  m.set_state(r.state);
  m.set_note(r.note);
  for (const auto& [name, value] : r.inputs) {
    auto* v = m.add_inputs();
    v->set_name(name);
    v->set_value(value);
  }
  for (const auto& [name, value] : r.weights) {
    auto* v = m.add_weights();
    v->set_name(name);
    v->set_value(value);
  }
  serialize(m, out);
}

}  // namespace plinth
