#pragma once
// The order and pace of a replay, as pure functions: every archived record (frames, metrics
// rows, beats, HRV updates, events) merged by host time into one timeline, and the wall-clock
// moment each is due at a speed factor.
#include <cstdint>
#include <span>
#include <vector>

namespace plinth {

enum class ReplayItemKind : std::uint8_t { event, frame, metrics, exposure, beat, beat_final, hrv };

struct ReplayItem {
  std::int64_t time_ns = 0;
  ReplayItemKind kind = ReplayItemKind::event;
  std::uint32_t source = 0;  // device index in the caller's list (0 for events)
  std::uint32_t row = 0;     // record index in that device's dataset
};

// One series of record times and what they are.
struct ReplaySeries {
  ReplayItemKind kind;
  std::uint32_t source;
  std::span<const std::int64_t> times;
};

// All records in time order. Records with equal times keep the order of `series` (so list
// events first, then each mat's frames before its metrics), and within a series their order.
std::vector<ReplayItem> merge_timeline(std::span<const ReplaySeries> series);

// Index of the first item at or after `time_ns` (items.size() if none).
std::size_t first_at_or_after(std::span<const ReplayItem> items, std::int64_t time_ns);

// Nanoseconds after the replay's start at which a record of session time `time_ns` is due:
// (time_ns - origin_ns) / speed. speed <= 0 means as fast as possible (always 0).
std::int64_t due_after_ns(std::int64_t time_ns, std::int64_t origin_ns, double speed);

// For each row of a metrics table, the frame with the same time (-1 if none). Both time
// series must be non-decreasing, as the archive writes them.
std::vector<std::int64_t> match_rows_by_time(std::span<const std::int64_t> rows, std::span<const std::int64_t> frames);

// The exposure map's integrated time at each snapshot, as the live accumulator sums it
// (daemon/pressure/exposure_map.cpp: sample-and-hold between frames, steps longer than
// max_gap_s or backwards add nothing): the archive keeps the maps but not this duration.
std::vector<double> exposure_durations_s(std::span<const std::int64_t> frame_times,
                                         std::span<const std::int64_t> snapshot_times, double max_gap_s);

// When each final beat decision was made live: on the arrival of the beat `delay_beats` after it
// (schemas/hrv.md §3.2), or at the last beat for those the session's end decided. `final_index`
// holds each final row's beat_index, `beat_times` the live beats' arrival times (row = beat_index).
// Non-decreasing, like every replay series.
std::vector<std::int64_t> final_decision_times(std::span<const std::int64_t> final_index,
                                               std::span<const std::int64_t> beat_times, std::size_t delay_beats);

}  // namespace plinth
