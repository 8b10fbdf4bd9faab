#include "daemon/hrv/artifact_corrector.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

#include "daemon/hrv/beat_series.hpp"

namespace plinth {

CorrectionMode parse_correction_mode(std::string_view text) {
  if (text == "none") return CorrectionMode::none;
  if (text == "lipponen") return CorrectionMode::lipponen;
  if (text == "simple") return CorrectionMode::simple;
  throw std::invalid_argument("unknown correction mode '" + std::string(text) + "' (expected none, lipponen or simple)");
}

std::string_view to_string(CorrectionMode mode) {
  switch (mode) {
    case CorrectionMode::none: return "none";
    case CorrectionMode::lipponen: return "lipponen";
    case CorrectionMode::simple: return "simple";
  }
  return "unknown";
}

void validate(const ArtifactSettings& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("artifact settings: " + what); };
  if (!(s.alpha > 0.0)) fail("alpha must be > 0");
  if (!(s.c1 >= 0.0) || !(s.c2 >= 0.0)) fail("c1 and c2 must be >= 0");
  if (s.threshold_window < 5 || s.threshold_window > 1001) fail("threshold_window must be 5..1001 beats");
  if (s.median_window < 3 || s.median_window > 101 || s.median_window % 2 == 0) fail("median_window must be odd, 3..101 beats");
  if (!(s.threshold_floor_ms >= 0.0)) fail("threshold_floor_ms must be >= 0");
  if (!(s.simple_tolerance > 0.0 && s.simple_tolerance < 1.0)) fail("simple_tolerance must be in (0, 1)");
  if (!(s.min_rr_ms > 0.0 && s.max_rr_ms > s.min_rr_ms)) fail("need 0 < min_rr_ms < max_rr_ms");
}

namespace {

std::size_t delay_for(const ArtifactSettings& s) {
  switch (s.mode) {
    case CorrectionMode::none: return 0;
    case CorrectionMode::simple: return 1;
    // The mRR median of the candidate beat i+1 is centred, so it needs median_window/2
    // beats after i+1; the dRR subspaces need three (s22 of i+1 reads dRR[i+3]).
    case CorrectionMode::lipponen: return std::max<std::size_t>(s.median_window / 2 + 1, 3);
  }
  return 0;
}

double median_of(std::span<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::uint32_t class_flag(int cls) {
  constexpr std::uint32_t flags[] = {0, beat_ectopic, beat_long, beat_short, beat_missed, beat_extra};
  return flags[cls];
}

}  // namespace

ArtifactCorrector::ArtifactCorrector(const ArtifactSettings& settings) : settings_(settings) {
  validate(settings_);
  delay_ = delay_for(settings_);
  const std::size_t needed = settings_.threshold_window + settings_.median_window + delay_ + 8;
  ring_.resize(std::bit_ceil(needed));
  ring_mask_ = ring_.size() - 1;
  scratch_.reserve(std::max(settings_.threshold_window, settings_.median_window) + 2 * delay_ + 2);
  invalid_.reserve(64);
}

void ArtifactCorrector::reset() {
  pushed_ = decided_ = mrr_done_ = input_count_ = 0;
  have_last_nn_ = break_next_ = false;
  last_nn_ = 0.0;
  invalid_.clear();
}

std::uint64_t ArtifactCorrector::oldest_kept() const {
  return pushed_ > ring_.size() ? pushed_ - ring_.size() : 0;
}

void ArtifactCorrector::push(const RawBeat& beat, std::vector<BeatRecord>& out) {
  const std::uint64_t input_index = input_count_++;
  if (!std::isfinite(beat.rr_ms) || beat.rr_ms <= 0.0) {
    BeatRecord record;
    record.beat_index = input_index;
    record.time_ns = beat.time_ns;
    record.rr_ms = beat.rr_ms;
    record.nn_count = 0;
    record.flags = beat_invalid | beat_dropped | (beat.strap_missing > 0 ? beat_strap_missing : 0u);
    break_next_ = true;
    if (decided_ == pushed_ || invalid_.size() >= invalid_.capacity()) {
      out.push_back(record);  // nothing pending before it (or a pathological stream): no reordering needed
    } else {
      invalid_.push_back({record, pushed_});
    }
    return;
  }
  const std::uint64_t k = pushed_++;
  Slot& s = slot(k);
  s = Slot{};
  s.rr = beat.rr_ms;
  s.time_ns = beat.time_ns;
  s.input_index = input_index;
  s.strap_missing = beat.strap_missing > 0 || break_next_;
  break_next_ = false;
  // A successive difference across lost beats says nothing about the rhythm: treat as 0.
  s.drr = (k == 0 || s.strap_missing) ? 0.0 : beat.rr_ms - slot(k - 1).rr;
  while (decided_ + delay_ < pushed_) decide(decided_, pushed_ - 1, out);
}

void ArtifactCorrector::flush(std::vector<BeatRecord>& out) {
  while (decided_ < pushed_) decide(decided_, pushed_ - 1, out);
  for (const auto& p : invalid_) out.push_back(p.record);
  invalid_.clear();
}

void ArtifactCorrector::emit_invalid_up_to(std::uint64_t valid_count, std::vector<BeatRecord>& out) {
  std::size_t emitted = 0;
  while (emitted < invalid_.size() && invalid_[emitted].after_valid <= valid_count) {
    out.push_back(invalid_[emitted].record);
    ++emitted;
  }
  if (emitted > 0) invalid_.erase(invalid_.begin(), invalid_.begin() + static_cast<std::ptrdiff_t>(emitted));
}

double ArtifactCorrector::median_rr(std::uint64_t from, std::uint64_t to) {
  scratch_.clear();
  for (std::uint64_t k = from; k <= to; ++k) scratch_.push_back(slot(k).rr);
  return median_of(scratch_);
}

double ArtifactCorrector::quartile_deviation(std::span<double> values) {
  std::sort(values.begin(), values.end());
  return 0.5 * (quantile_sorted(values, 0.75) - quantile_sorted(values, 0.25));
}

// mRR(k) = RR(k) - median of the median window centred on k (clipped to known beats),
// negative values doubled (the paper's asymmetry: short beats are likelier artifacts).
void ArtifactCorrector::update_mrr(std::uint64_t up_to, std::uint64_t newest) {
  const std::uint64_t half = settings_.median_window / 2;
  mrr_done_ = std::max(mrr_done_, oldest_kept());
  for (; mrr_done_ <= up_to; ++mrr_done_) {
    const std::uint64_t k = mrr_done_;
    const std::uint64_t from = std::max(k >= half ? k - half : 0, oldest_kept());
    const std::uint64_t to = std::min(k + half, newest);
    Slot& s = slot(k);
    s.median = median_rr(from, to);
    const double m = s.rr - s.median;
    s.mrr_abs = m < 0.0 ? -2.0 * m : m;
  }
}

// Th1 over the trailing threshold window of |dRR| ending at the newest beat; Th2 over the
// trailing window of |mRR| ending at the last beat whose mRR is known (i+1).
ArtifactCorrector::Thresholds ArtifactCorrector::thresholds(std::uint64_t i, std::uint64_t newest) {
  const std::uint64_t w = settings_.threshold_window;
  Thresholds th;
  scratch_.clear();
  const std::uint64_t from1 = std::max<std::uint64_t>({newest + 1 >= w ? newest + 1 - w : 0, 1, oldest_kept()});
  for (std::uint64_t k = from1; k <= newest; ++k) scratch_.push_back(std::abs(slot(k).drr));
  th.drr = scratch_.empty() ? 0.0 : settings_.alpha * quartile_deviation(scratch_);
  const std::uint64_t last_m = std::min(i + 1, newest);
  scratch_.clear();
  const std::uint64_t from2 = std::max<std::uint64_t>(last_m + 1 >= w ? last_m + 1 - w : 0, oldest_kept());
  for (std::uint64_t k = from2; k <= last_m; ++k) scratch_.push_back(slot(k).mrr_abs);
  th.mrr = settings_.alpha * quartile_deviation(scratch_);
  th.drr = std::max(th.drr, settings_.threshold_floor_ms);
  th.mrr = std::max(th.mrr, settings_.threshold_floor_ms);
  return th;
}

// The decision flow of Lipponen & Tarvainen (2019), Fig. 1 and 2, for beat i; may also
// classify beat i+1 (the paper's "check the following beat too"), stored as its pending class.
ArtifactCorrector::BeatClass ArtifactCorrector::classify_lipponen(std::uint64_t i, std::uint64_t newest,
                                                                  const Thresholds& th) {
  auto nd = [&](std::uint64_t k) { return (k < 1 || k > newest) ? 0.0 : slot(k).drr / th.drr; };
  const double d = nd(i);
  if (std::abs(d) <= 1.0) return BeatClass::normal;
  const double s12 = d > 0.0 ? std::max(nd(i - 1), nd(i + 1)) : std::min(nd(i - 1), nd(i + 1));
  const bool eq1 = d > 1.0 && s12 < -settings_.c1 * d - settings_.c2;
  const bool eq2 = d < -1.0 && s12 > -settings_.c1 * d + settings_.c2;
  if (eq1 || eq2) return BeatClass::ectopic;

  auto classify_candidate = [&](std::uint64_t j) {
    const double dj = nd(j);
    const double s22 = dj >= 0.0 ? std::min(nd(j + 1), nd(j + 2)) : std::max(nd(j + 1), nd(j + 2));
    const Slot& sj = slot(j);
    const bool eq3 = dj > 1.0 && s22 < -1.0;
    const bool eq4 = sj.mrr_abs / th.mrr > 3.0;
    const bool eq5 = dj < -1.0 && s22 > 1.0;
    if (!eq3 && !eq4 && !eq5) return BeatClass::normal;
    const bool eq6 = std::abs(sj.rr / 2.0 - sj.median) < th.mrr;
    const bool eq7 = j + 1 <= newest && std::abs(sj.rr + slot(j + 1).rr - sj.median) < th.mrr;
    if (eq5 && eq7) return BeatClass::extra;
    if (eq3 && eq6) return BeatClass::missed;
    return sj.rr > sj.median ? BeatClass::long_beat : BeatClass::short_beat;
  };
  const BeatClass own = classify_candidate(i);
  if (std::abs(nd(i + 1)) < std::abs(nd(i + 2))) {
    Slot& next = slot(i + 1);
    if (next.pending == BeatClass::normal) next.pending = classify_candidate(i + 1);
  }
  return own;
}

double ArtifactCorrector::running_median(std::uint64_t i, std::uint64_t newest) {
  const std::uint64_t half = settings_.median_window / 2;
  const std::uint64_t from = std::max(i >= half ? i - half : 0, oldest_kept());
  return median_rr(from, std::min(i + delay_, newest));
}

ArtifactCorrector::BeatClass ArtifactCorrector::classify_simple(std::uint64_t i, std::uint64_t newest,
                                                                double reference) const {
  const double tol = settings_.simple_tolerance * reference;
  const double rr = slot(i).rr;
  if (std::abs(rr - reference) <= tol) return BeatClass::normal;
  if (rr > reference) return std::abs(rr / 2.0 - reference) <= tol ? BeatClass::missed : BeatClass::long_beat;
  if (i + 1 <= newest && std::abs(rr + slot(i + 1).rr - reference) <= tol) return BeatClass::extra;
  return BeatClass::short_beat;
}

// Linear interpolation between the last emitted NN and the first following beat that
// looks normal; the reference (local median) when there is neither.
double ArtifactCorrector::interpolate(std::uint64_t i, std::uint64_t newest, double reference,
                                      double tolerance_ms) const {
  const double previous = have_last_nn_ ? last_nn_ : reference;
  for (std::uint64_t k = i + 1; k <= newest; ++k) {
    const Slot& s = slot(k);
    if (s.pending != BeatClass::normal || s.strap_missing) continue;
    if (std::abs(s.rr - reference) <= tolerance_ms && s.rr >= settings_.min_rr_ms && s.rr <= settings_.max_rr_ms) {
      return previous + (s.rr - previous) / static_cast<double>(k - i + 1);
    }
  }
  return have_last_nn_ ? 0.5 * (previous + reference) : reference;
}

void ArtifactCorrector::decide(std::uint64_t i, std::uint64_t newest, std::vector<BeatRecord>& out) {
  Slot& s = slot(i);
  BeatRecord record;
  record.beat_index = s.input_index;
  record.time_ns = s.time_ns;
  record.rr_ms = s.rr;
  if (s.strap_missing) record.flags |= beat_strap_missing | beat_segment_start;
  if (s.merge_ms > 0.0) record.flags |= beat_merged;
  const double merged_rr = s.rr + s.merge_ms;
  const bool in_range = merged_rr >= settings_.min_rr_ms && merged_rr <= settings_.max_rr_ms;
  double nn = merged_rr;
  BeatClass cls = BeatClass::normal;

  if (settings_.mode == CorrectionMode::none) {
    if (!in_range) record.flags |= beat_out_of_range;
  } else {
    const bool full_context = newest - i >= delay_;
    if (!full_context) record.flags |= beat_short_context;
    // At the end of a recording the missing following dRR count as 0 (no evidence).
    const bool use_lipponen = settings_.mode == CorrectionMode::lipponen && pushed_ >= settings_.lipponen_min_beats && i >= 1;
    double reference = 0.0;
    double tolerance_ms = 0.0;
    if (use_lipponen) {
      update_mrr(std::min(i + 1, newest), newest);
      const Thresholds th = thresholds(i, newest);
      reference = s.median;
      tolerance_ms = th.mrr;
      if (s.merge_ms > 0.0) {
        // The merged interval replaces the two pieces; judge it, not the raw piece.
        if (std::abs(merged_rr - reference) > tolerance_ms) cls = merged_rr > reference ? BeatClass::long_beat : BeatClass::short_beat;
      } else {
        cls = classify_lipponen(i, newest, th);
      }
    } else {
      record.flags |= beat_simple_rule;
      reference = running_median(i, newest);
      tolerance_ms = settings_.simple_tolerance * reference;
      if (s.merge_ms > 0.0) {
        if (std::abs(merged_rr - reference) > tolerance_ms) cls = merged_rr > reference ? BeatClass::long_beat : BeatClass::short_beat;
      } else {
        cls = classify_simple(i, newest, reference);
      }
    }
    if (cls == BeatClass::normal) cls = s.pending;
    if (cls == BeatClass::extra && i + 1 > newest) cls = BeatClass::short_beat;  // nothing to merge into
    if (cls == BeatClass::normal && !in_range) {
      record.flags |= beat_out_of_range;
      cls = merged_rr > settings_.max_rr_ms ? BeatClass::long_beat : BeatClass::short_beat;
    }
    record.flags |= class_flag(static_cast<int>(cls));
    switch (cls) {
      case BeatClass::normal: break;
      case BeatClass::ectopic:
      case BeatClass::long_beat:
      case BeatClass::short_beat:
        nn = interpolate(i, newest, reference, tolerance_ms);
        record.flags |= beat_interpolated;
        break;
      case BeatClass::missed:
        record.nn_count = 2;
        nn = merged_rr / 2.0;
        record.flags |= beat_split;
        break;
      case BeatClass::extra:
        slot(i + 1).merge_ms += merged_rr;
        record.nn_count = 0;
        record.flags |= beat_dropped;
        break;
    }
  }
  if (record.nn_count > 0) {
    record.nn_ms = nn;
    record.hr_bpm = 60000.0 / nn;
    last_nn_ = nn;
    have_last_nn_ = true;
  }
  out.push_back(record);
  ++decided_;
  emit_invalid_up_to(decided_, out);
}

std::vector<BeatRecord> correct_rr_series(std::span<const double> rr_ms, const ArtifactSettings& settings) {
  return decide_series<ArtifactCorrector>(rr_ms, settings);
}

}  // namespace plinth
