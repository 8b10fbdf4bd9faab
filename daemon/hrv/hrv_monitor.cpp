#include "daemon/hrv/hrv_monitor.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace plinth {

namespace {
constexpr double ns_per_s = 1e9;
constexpr std::size_t kProvisionalLookup = 512;  // > final delay + any run of invalid beats seen in practice
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
  if (!(s.baseline_settle_s >= 0.0 && s.baseline_settle_s <= 3600.0)) fail("baseline_settle_s must be 0..3600");
  if (!(s.max_baseline_s >= 10.0 && s.max_baseline_s <= 1800.0)) fail("max_baseline_s must be 10..1800");
}

// --- BeatHistory ------------------------------------------------------------------------------

BeatHistory::BeatHistory(std::size_t capacity) : entries_(capacity) {}

void BeatHistory::add(const BeatRecord& beat) {
  entries_[head_] = Entry{beat.time_ns, beat.nn_ms, beat.nn_count, beat.flags};
  head_ = (head_ + 1) % entries_.size();
  size_ = std::min(size_ + 1, entries_.size());
  newest_ns_ = std::max(newest_ns_, beat.time_ns);
}

std::int64_t BeatHistory::oldest_ns() const {
  return entries_[(head_ + entries_.size() - size_) % entries_.size()].time_ns;
}

void BeatHistory::window(std::int64_t begin_exclusive_ns, std::int64_t end_ns, std::vector<double>& nn,
                         std::vector<std::uint8_t>& segment_start, std::uint32_t& beat_count,
                         std::uint32_t& artifact_count) const {
  const std::size_t n = entries_.size();
  // Walk back from the newest beat to the first one inside the window, then forward.
  std::size_t count = 0;
  std::size_t skipped_newer = 0;
  for (std::size_t back = 0; back < size_; ++back) {
    const Entry& e = entries_[(head_ + n - 1 - back) % n];
    if (e.time_ns > end_ns && count == 0) {
      ++skipped_newer;
      continue;
    }
    if (e.time_ns <= begin_exclusive_ns) break;
    ++count;
  }
  nn.clear();
  segment_start.clear();
  artifact_count = 0;
  bool break_next = true;  // the first NN of a window has no predecessor inside it
  for (std::size_t j = count; j-- > 0;) {
    const Entry& e = entries_[(head_ + n - 1 - skipped_newer - j) % n];
    if ((e.flags & beat_artifact_mask) != 0) ++artifact_count;
    if ((e.flags & beat_segment_start) != 0) break_next = true;
    for (std::uint32_t c = 0; c < e.nn_count; ++c) {
      nn.push_back(e.nn_ms);
      segment_start.push_back(break_next ? 1 : 0);
      break_next = false;
    }
  }
  beat_count = static_cast<std::uint32_t>(count);
}

// --- HrvMonitor -------------------------------------------------------------------------------

namespace {
std::size_t history_capacity(const HrvMonitorSettings& s) {
  const double longest_s = std::max({s.window_s, s.standard_window_s, s.max_baseline_s});
  // Every beat is at least min_rr_ms long (shorter ones are corrected or dropped); a dropped
  // beat still takes a slot, hence the margin.
  return static_cast<std::size_t>(std::ceil(longest_s * 1000.0 / s.artifacts.min_rr_ms)) + 256;
}
}  // namespace

HrvMonitor::HrvMonitor(const HrvMonitorSettings& settings)
    : settings_((validate(settings), settings)),
      corrector_(settings_.artifacts),
      final_pass_(settings_.artifacts),
      two_stage_(settings_.artifacts.mode == CorrectionMode::lipponen),
      calculator_(settings_.frequency, settings_.pns),
      provisional_(history_capacity(settings_)),
      final_(history_capacity(settings_)),
      provisional_flags_(kProvisionalLookup) {
  const std::size_t capacity = history_capacity(settings_);
  nn_.reserve(2 * capacity);
  segment_start_.reserve(2 * capacity);
  decided_.reserve(64);
  const double longest_s = std::max({settings_.window_s, settings_.standard_window_s, settings_.max_baseline_s});
  calculator_.frequency().reserve(2 * capacity, longest_s + 10.0);
}

void HrvMonitor::push(const RawBeat& beat, HrvMonitorOutput& out) {
  decided_.clear();
  corrector_.push(beat, decided_);
  for (const BeatRecord& record : decided_) on_provisional(record, out);
  if (two_stage_) {
    decided_.clear();
    final_pass_.push(beat, decided_);
    for (const BeatRecord& record : decided_) on_final(record, out);
  }
}

void HrvMonitor::flush(HrvMonitorOutput& out) {
  decided_.clear();
  corrector_.flush(decided_);
  for (const BeatRecord& record : decided_) on_provisional(record, out);
  if (!two_stage_) return;
  decided_.clear();
  final_pass_.flush(decided_);
  for (const BeatRecord& record : decided_) on_final(record, out);
  // The last final decisions came after the last step: one more standard window covers them.
  if (settings_.emit_standard && !final_.empty()) {
    out.updates.push_back(compute_window(final_, final_.newest_ns() - to_ns(settings_.standard_window_s),
                                         final_.newest_ns(), HrvWindowKind::standard, settings_.standard_window_s));
  }
}

void HrvMonitor::on_provisional(const BeatRecord& beat, HrvMonitorOutput& out) {
  out.beats.push_back(beat);
  provisional_flags_[beat.beat_index % provisional_flags_.size()] = {beat.beat_index, beat.flags};
  if (!started_) {
    started_ = true;
    next_update_ns_ = beat.time_ns + to_ns(settings_.step_s);
    if (settings_.baseline_s > 0.0 && !baseline_pending_ && !baseline_) {
      baseline_pending_ = true;
      // Without a settling time the first beat's interval, which began before its arrival, counts.
      baseline_begin_ns_ = settings_.baseline_settle_s > 0.0 ? beat.time_ns + to_ns(settings_.baseline_settle_s)
                                                             : beat.time_ns - 1;
      baseline_end_ns_ = baseline_begin_ns_ + to_ns(settings_.baseline_s);
    }
  }
  provisional_.add(beat);
  if (!two_stage_) on_final(beat, out);

  const std::int64_t now = provisional_.newest_ns();
  if (now >= next_update_ns_) {
    out.updates.push_back(compute_window(provisional_, now - to_ns(settings_.window_s), now, HrvWindowKind::sliding,
                                         settings_.window_s));
    // The standard window ends at the newest final decision, behind the live edge by the final delay.
    if (settings_.emit_standard && !final_.empty()) {
      out.updates.push_back(compute_window(final_, final_.newest_ns() - to_ns(settings_.standard_window_s),
                                           final_.newest_ns(), HrvWindowKind::standard, settings_.standard_window_s));
    }
    const std::int64_t step = to_ns(settings_.step_s);
    while (next_update_ns_ <= now) next_update_ns_ += step;
  }
}

void HrvMonitor::on_final(BeatRecord beat, HrvMonitorOutput& out) {
  const ProvisionalDecision& p = provisional_flags_[beat.beat_index % provisional_flags_.size()];
  beat.provisional_flags = p.beat_index == beat.beat_index ? p.flags : beat.flags;
  out.final_beats.push_back(beat);
  final_.add(beat);
  if (baseline_pending_ && final_.newest_ns() >= baseline_end_ns_) finish_baseline(out);
}

void HrvMonitor::finish_baseline(HrvMonitorOutput& out) {
  baseline_pending_ = false;
  HrvMetrics base = compute_window(final_, baseline_begin_ns_, baseline_end_ns_, HrvWindowKind::baseline,
                                   static_cast<double>(baseline_end_ns_ - baseline_begin_ns_) / ns_per_s);
  base.baseline = BaselineComparison{};
  baseline_ = base;
  compare_with_baseline(*baseline_, base);
  out.updates.push_back(*baseline_);
}

HrvMetrics HrvMonitor::compute_window(const BeatHistory& history, std::int64_t begin_exclusive_ns, std::int64_t end_ns,
                                      HrvWindowKind kind, double window_s) {
  std::uint32_t beats = 0, artifacts = 0;
  history.window(begin_exclusive_ns, end_ns, nn_, segment_start_, beats, artifacts);
  HrvMetrics m = calculator_.compute(nn_, segment_start_);
  m.time_ns = end_ns;
  m.kind = kind;
  m.window_s = window_s;
  m.beat_count = beats;
  m.artifact_count = artifacts;
  if (beats > 0) m.artifact_pct = 100.0 * artifacts / static_cast<double>(beats);
  if (baseline_ && kind != HrvWindowKind::baseline) compare_with_baseline(m, *baseline_);
  return m;
}

HrvMetrics HrvMonitor::compute_now(double window_s) {
  if (!(window_s > 0.0)) throw std::invalid_argument("compute_now: window must be > 0 s");
  const std::int64_t now = provisional_.newest_ns();
  return compute_window(provisional_, now - to_ns(window_s), now, HrvWindowKind::on_demand, window_s);
}

void HrvMonitor::set_baseline_segment(std::int64_t begin_ns, std::int64_t end_ns, HrvMonitorOutput& out) {
  if (end_ns <= begin_ns) throw std::invalid_argument("baseline segment: end must be after begin");
  if (static_cast<double>(end_ns - begin_ns) / ns_per_s > settings_.max_baseline_s) {
    throw std::invalid_argument("baseline segment longer than max_baseline_s (" + std::to_string(settings_.max_baseline_s) + " s)");
  }
  if (final_.full() && begin_ns < final_.oldest_ns())
    throw std::invalid_argument("baseline segment starts before the kept beat history");
  baseline_begin_ns_ = begin_ns;
  baseline_end_ns_ = end_ns;
  baseline_pending_ = true;
  if (!final_.empty() && final_.newest_ns() >= end_ns) finish_baseline(out);
}

}  // namespace plinth
