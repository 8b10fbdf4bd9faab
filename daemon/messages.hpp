#pragma once
// Building the wire messages (schemas/proto/plinth.proto) from plain values. Protobuf stays
// behind this header so that only messages.cpp compiles its generated code.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/clock/clock_estimate.hpp"
#include "daemon/payload_out.hpp"
#include "drivers/samples.hpp"

namespace plinth {

struct MessageHeader {
  std::string_view session_id{};  // in the daemon, SessionOutlet::send() sets it and seq
  std::uint64_t seq = 0;
  std::int64_t host_time_ns = 0;
  std::string_view device_id{};
  std::uint64_t device_seq = 0;
  std::uint64_t device_time_us = 0;
  std::string_view station{};  // in the daemon, SessionOutlet::send() sets it
  std::int64_t timeline_ns = 0;  // the clock model's time for the sample; 0: host_time_ns
};

struct PressureResult;
struct BeatRecord;
struct HrvMetrics;

void encode_pressure_frame(const MessageHeader& h, const MatFrame& frame, std::span<const float> pressure_mmhg,
                           float pitch_cm, std::uint32_t gap_before, bool suspect, std::uint32_t saturated,
                           PayloadOut out);
void encode_pressure_metrics(const MessageHeader& h, const PressureResult& result, PayloadOut out);
struct ExposureMap;
void encode_pressure_exposure(const MessageHeader& h, const ExposureMap& exposure, PayloadOut out);

// final_decision: heart.beat_final.<id> (schemas/hrv.md §3.2); otherwise heart.beat.<id>.
void encode_heart_beat(const MessageHeader& h, const BeatRecord& beat, std::uint32_t missing, bool contact,
                       bool final_decision, PayloadOut out);
void encode_heart_hrv(const MessageHeader& h, const HrvMetrics& hrv, PayloadOut out);

struct RelaxationReading;
void encode_relaxation(const MessageHeader& h, const RelaxationReading& r, PayloadOut out);

struct EventFields {
  std::string_view kind;
  std::string_view label;
  double value;
  std::string_view detail;
};
void encode_session_event(const MessageHeader& h, const EventFields& e, PayloadOut out);

struct DeviceHealth {
  std::string id, kind, driver, port, state;
  std::uint64_t frames = 0, bytes = 0, crc_errors = 0, framing_errors = 0, resyncs = 0, sequence_gaps = 0,
                frames_lost = 0, reconnects = 0, duplicates = 0, garbage_bytes = 0;
  ClockEstimate clock;  // the device's clock model's last estimate (all 0: none)
};
// DeviceHealth's counters, named once: the DeviceStatus fields of the same names on `status`,
// the control reply's JSON and the archived /status columns (<id>.<name>, in this order) follow it.
struct DeviceCounter {
  std::string_view name;
  std::string_view unit;  // of the archived column
  std::uint64_t DeviceHealth::*value;
};
inline constexpr DeviceCounter kDeviceCounters[] = {
    {"frames", "count", &DeviceHealth::frames},
    {"bytes", "bytes", &DeviceHealth::bytes},
    {"crc_errors", "count", &DeviceHealth::crc_errors},
    {"framing_errors", "count", &DeviceHealth::framing_errors},
    {"resyncs", "count", &DeviceHealth::resyncs},
    {"sequence_gaps", "count", &DeviceHealth::sequence_gaps},
    {"frames_lost", "count", &DeviceHealth::frames_lost},
    {"reconnects", "count", &DeviceHealth::reconnects},
    {"duplicates", "count", &DeviceHealth::duplicates},
    {"garbage_bytes", "count", &DeviceHealth::garbage_bytes},
};
struct ConsumerHealth {
  std::string name;
  std::uint64_t queue_depth = 0, queue_capacity = 0, dropped = 0;
};
struct ArchiveHealth {
  std::string path, error;
  std::uint64_t bytes_written = 0, free_disk_bytes = 0, frames_written = 0;
  std::int64_t last_flush_ns = 0;
};
// One mat's latency for one stage and window (StageLatency in plinth.proto).
struct StageLatencySummary {
  std::string device_id;
  std::string_view stage;   // one of MatChannel::kLatencyStages
  std::string_view window;  // "interval" or "session"
  std::uint64_t count = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;  // NaN when count is 0
};
struct DaemonHealth {
  std::string state;
  double uptime_s = 0;
  std::vector<DeviceHealth> devices;
  std::vector<ConsumerHealth> consumers;
  ArchiveHealth archive;
  std::vector<StageLatencySummary> latency;
};
void encode_status(const MessageHeader& h, const DaemonHealth& health, PayloadOut out);

}  // namespace plinth
