#include "daemon/hrv/hrv_monitor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace plinth {

namespace {
constexpr double ns_per_s = 1e9;
std::int64_t to_ns(double seconds) { return static_cast<std::int64_t>(std::llround(seconds * ns_per_s)); }
}  // namespace

void validate(const HrvMonitorSettings& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("HRV monitor settings: " + what); };
  validate(s.artifacts);
  validate(s.frequency);
  if (!(s.window_s >= 10.0 && s.window_s <= 900.0)) fail("window_s must be 10..900");
  if (!(s.step_s >= 0.5 && s.step_s <= 600.0)) fail("step_s must be 0.5..600");
  if (!(s.standard_window_s >= 60.0 && s.standard_window_s <= 900.0)) fail("standard_window_s must be 60..900");
  if (!(s.baseline_s >= 0.0 && s.baseline_s <= s.max_baseline_s)) fail("baseline_s must be 0..max_baseline_s");
  if (!(s.max_baseline_s >= 10.0 && s.max_baseline_s <= 1800.0)) fail("max_baseline_s must be 10..1800");
}

HrvMonitor::HrvMonitor(const HrvMonitorSettings& settings)
    : settings_((validate(settings), settings)),
      corrector_(settings_.artifacts),
      calculator_(settings_.frequency, settings_.pns) {
  const double longest_s = std::max({settings_.window_s, settings_.standard_window_s, settings_.max_baseline_s});
  // Every beat is at least min_rr_ms long (shorter ones are corrected or dropped); a
  // dropped beat still takes a slot, hence the margin.
  const auto capacity = static_cast<std::size_t>(std::ceil(longest_s * 1000.0 / settings_.artifacts.min_rr_ms)) + 256;
  history_.resize(capacity);
  nn_.reserve(2 * capacity);
  segment_start_.reserve(2 * capacity);
  decided_.reserve(64);
  calculator_.frequency().reserve(2 * capacity, longest_s + 10.0);
}

void HrvMonitor::push(const RawBeat& beat, HrvMonitorOutput& out) {
  decided_.clear();
  corrector_.push(beat, decided_);
  for (const BeatRecord& record : decided_) on_decided(record, out);
}

void HrvMonitor::flush(HrvMonitorOutput& out) {
  decided_.clear();
  corrector_.flush(decided_);
  for (const BeatRecord& record : decided_) on_decided(record, out);
}

void HrvMonitor::on_decided(const BeatRecord& beat, HrvMonitorOutput& out) {
  out.beats.push_back(beat);
  if (!started_) {
    started_ = true;
    next_update_ns_ = beat.time_ns + to_ns(settings_.step_s);
    if (settings_.baseline_s > 0.0 && !baseline_pending_ && !baseline_) {
      baseline_pending_ = true;
      // The first beat's interval began before its arrival; include it.
      baseline_begin_ns_ = beat.time_ns - 1;
      baseline_end_ns_ = beat.time_ns + to_ns(settings_.baseline_s);
    }
  }
  history_[head_] = Entry{beat.time_ns, beat.nn_ms, beat.nn_count, beat.flags};
  head_ = (head_ + 1) % history_.size();
  size_ = std::min(size_ + 1, history_.size());
  last_time_ns_ = std::max(last_time_ns_, beat.time_ns);

  if (baseline_pending_ && last_time_ns_ >= baseline_end_ns_) finish_baseline(out);
  if (last_time_ns_ >= next_update_ns_) {
    out.updates.push_back(
        compute_window(last_time_ns_ - to_ns(settings_.window_s), last_time_ns_, HrvWindowKind::sliding, settings_.window_s));
    if (settings_.emit_standard) {
      out.updates.push_back(compute_window(last_time_ns_ - to_ns(settings_.standard_window_s), last_time_ns_,
                                           HrvWindowKind::standard, settings_.standard_window_s));
    }
    const std::int64_t step = to_ns(settings_.step_s);
    while (next_update_ns_ <= last_time_ns_) next_update_ns_ += step;
  }
}

void HrvMonitor::finish_baseline(HrvMonitorOutput& out) {
  baseline_pending_ = false;
  HrvMetrics base = compute_window(baseline_begin_ns_, baseline_end_ns_, HrvWindowKind::baseline,
                                   static_cast<double>(baseline_end_ns_ - baseline_begin_ns_) / ns_per_s);
  base.baseline = BaselineComparison{};
  baseline_ = base;
  compare_with_baseline(*baseline_, base);
  out.updates.push_back(*baseline_);
}

HrvMetrics HrvMonitor::compute_window(std::int64_t begin_exclusive_ns, std::int64_t end_ns, HrvWindowKind kind,
                                      double window_s) {
  // Walk back from the newest beat to the first one inside the window, then forward.
  std::size_t count = 0;
  std::size_t skipped_newer = 0;
  for (std::size_t back = 0; back < size_; ++back) {
    const Entry& e = history_[(head_ + history_.size() - 1 - back) % history_.size()];
    if (e.time_ns > end_ns) {
      if (count == 0) {
        ++skipped_newer;
        continue;
      }
    }
    if (e.time_ns <= begin_exclusive_ns) break;
    ++count;
  }
  nn_.clear();
  segment_start_.clear();
  HrvMetrics m;
  std::uint32_t artifacts = 0;
  bool break_next = true;  // the first NN of a window has no predecessor inside it
  for (std::size_t j = count; j-- > 0;) {
    const Entry& e = history_[(head_ + history_.size() - 1 - skipped_newer - j) % history_.size()];
    if ((e.flags & beat_artifact_mask) != 0) ++artifacts;
    if ((e.flags & beat_segment_start) != 0) break_next = true;
    for (std::uint32_t c = 0; c < e.nn_count; ++c) {
      nn_.push_back(e.nn_ms);
      segment_start_.push_back(break_next ? 1 : 0);
      break_next = false;
    }
  }
  m = calculator_.compute(nn_, segment_start_);
  m.time_ns = end_ns;
  m.kind = kind;
  m.window_s = window_s;
  m.beat_count = static_cast<std::uint32_t>(count);
  m.artifact_count = artifacts;
  if (count > 0) m.artifact_pct = 100.0 * artifacts / static_cast<double>(count);
  if (baseline_ && kind != HrvWindowKind::baseline) compare_with_baseline(m, *baseline_);
  return m;
}

HrvMetrics HrvMonitor::compute_now(double window_s) {
  if (!(window_s > 0.0)) throw std::invalid_argument("compute_now: window must be > 0 s");
  return compute_window(last_time_ns_ - to_ns(window_s), last_time_ns_, HrvWindowKind::on_demand, window_s);
}

void HrvMonitor::set_baseline_segment(std::int64_t begin_ns, std::int64_t end_ns, HrvMonitorOutput& out) {
  if (end_ns <= begin_ns) throw std::invalid_argument("baseline segment: end must be after begin");
  if (static_cast<double>(end_ns - begin_ns) / ns_per_s > settings_.max_baseline_s) {
    throw std::invalid_argument("baseline segment longer than max_baseline_s (" + std::to_string(settings_.max_baseline_s) + " s)");
  }
  if (size_ == history_.size()) {
    const Entry& oldest = history_[head_];
    if (begin_ns < oldest.time_ns) throw std::invalid_argument("baseline segment starts before the kept beat history");
  }
  baseline_begin_ns_ = begin_ns;
  baseline_end_ns_ = end_ns;
  baseline_pending_ = true;
  if (started_ && last_time_ns_ >= end_ns) finish_baseline(out);
}

}  // namespace plinth
