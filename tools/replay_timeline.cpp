#include "tools/replay_timeline.hpp"

#include <algorithm>
#include <cmath>

namespace plinth {

std::vector<ReplayItem> merge_timeline(std::span<const ReplaySeries> series) {
  std::vector<ReplayItem> items;
  std::size_t total = 0;
  for (const ReplaySeries& s : series) total += s.times.size();
  items.reserve(total);
  for (const ReplaySeries& s : series)
    for (std::size_t i = 0; i < s.times.size(); ++i)
      items.push_back({s.times[i], s.kind, s.source, static_cast<std::uint32_t>(i)});
  std::stable_sort(items.begin(), items.end(),
                   [](const ReplayItem& a, const ReplayItem& b) { return a.time_ns < b.time_ns; });
  return items;
}

std::size_t first_at_or_after(std::span<const ReplayItem> items, std::int64_t time_ns) {
  auto it = std::lower_bound(items.begin(), items.end(), time_ns,
                             [](const ReplayItem& item, std::int64_t t) { return item.time_ns < t; });
  return static_cast<std::size_t>(it - items.begin());
}

std::int64_t due_after_ns(std::int64_t time_ns, std::int64_t origin_ns, double speed) {
  if (!(speed > 0.0) || time_ns <= origin_ns) return 0;
  return static_cast<std::int64_t>(std::llround(static_cast<double>(time_ns - origin_ns) / speed));
}

std::vector<std::int64_t> match_rows_by_time(std::span<const std::int64_t> rows, std::span<const std::int64_t> frames) {
  std::vector<std::int64_t> match(rows.size(), -1);
  std::size_t f = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    while (f < frames.size() && frames[f] < rows[r]) ++f;
    // Frames decoded from one serial read share their arrival time: rows with the same time
    // take those frames in order, one each (both tables are written in frame order).
    if (f < frames.size() && frames[f] == rows[r]) match[r] = static_cast<std::int64_t>(f++);
  }
  return match;
}

std::vector<std::int64_t> final_decision_times(std::span<const std::int64_t> final_index,
                                               std::span<const std::int64_t> beat_times, std::size_t delay_beats) {
  std::vector<std::int64_t> out;
  out.reserve(final_index.size());
  std::int64_t latest = beat_times.empty() ? 0 : beat_times.front();
  for (const std::int64_t index : final_index) {
    const std::size_t deciding = index < 0 ? 0 : static_cast<std::size_t>(index) + delay_beats;
    const std::int64_t t = beat_times.empty() ? latest : beat_times[std::min(deciding, beat_times.size() - 1)];
    latest = std::max(latest, t);
    out.push_back(latest);
  }
  return out;
}

std::vector<double> exposure_durations_s(std::span<const std::int64_t> frame_times,
                                         std::span<const std::int64_t> snapshot_times, double max_gap_s) {
  std::vector<double> out;
  out.reserve(snapshot_times.size());
  double duration = 0.0;
  std::size_t next = 0;  // frames before `next` are integrated
  for (const std::int64_t snapshot : snapshot_times) {
    for (; next < frame_times.size() && frame_times[next] <= snapshot; ++next) {
      if (next == 0) continue;
      const double dt = static_cast<double>(frame_times[next] - frame_times[next - 1]) * 1e-9;
      if (dt > 0.0 && dt <= max_gap_s) duration += dt;
    }
    out.push_back(duration);
  }
  return out;
}

}  // namespace plinth
