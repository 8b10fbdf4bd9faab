#include "daemon/hrv/final_artifact_pass.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "daemon/hrv/beat_series.hpp"

namespace plinth {

std::size_t final_delay_beats(const ArtifactSettings& s) {
  return s.threshold_window / 2 + s.median_window / 2 + 2;
}

FinalArtifactPass::FinalArtifactPass(const ArtifactSettings& settings) : settings_(settings) {
  validate(settings_);
  delay_ = final_delay_beats(settings_);
  // The oldest beat still read: a threshold window's start behind the beat before the one
  // being decided, and a median window behind that.
  ring_.resize(std::bit_ceil(settings_.threshold_window + settings_.median_window + delay_ + 16));
  mask_ = ring_.size() - 1;
  scratch_.reserve(settings_.threshold_window + 1);
  invalid_.reserve(64);
}

void FinalArtifactPass::reset() {
  pushed_ = decided_ = released_ = input_count_ = 0;
  held_.reset();
  flushing_ = break_next_ = false;
  invalid_.clear();
}

void FinalArtifactPass::push(const RawBeat& beat, std::vector<BeatRecord>& out) {
  const std::uint64_t input_index = input_count_++;
  if (!std::isfinite(beat.rr_ms) || beat.rr_ms <= 0.0) {
    BeatRecord record;
    record.beat_index = input_index;
    record.time_ns = beat.time_ns;
    record.rr_ms = beat.rr_ms;
    record.nn_count = 0;
    record.flags = beat_invalid | beat_dropped | (beat.strap_missing > 0 ? beat_strap_missing : 0u);
    break_next_ = true;
    invalid_.push_back({record, pushed_});
    emit_invalid(out);
    return;
  }
  const std::uint64_t k = pushed_++;
  Beat& b = at(k);
  b = Beat{};
  b.rr = b.nn = beat.rr_ms;
  b.time_ns = beat.time_ns;
  b.input_index = input_index;
  b.segment_start = beat.strap_missing > 0 || break_next_;
  if (b.segment_start) b.flags |= beat_strap_missing | beat_segment_start;
  break_next_ = false;
  // A successive difference across lost beats says nothing about the rhythm: treat as 0.
  b.drr = (k == 0 || b.segment_start) ? 0.0 : beat.rr_ms - at(k - 1).rr;
  // A beat is decided once delay_ - 1 later beats exist; its record goes out with the next decision.
  while (decided_ + delay_ - 1 < pushed_) decide_next(out);
}

void FinalArtifactPass::flush(std::vector<BeatRecord>& out) {
  flushing_ = true;
  while (decided_ < pushed_) decide_next(out);
  release_held(out);
  for (const auto& p : invalid_) out.push_back(p.record);
  invalid_.clear();
}

double FinalArtifactPass::quartile_deviation_over(std::uint64_t k, bool of_mrr) {
  const std::uint64_t half = settings_.threshold_window / 2;
  const std::uint64_t from = k >= half ? k - half : 0;
  const std::uint64_t to = std::min(k + half, pushed_ - 1);
  scratch_.clear();
  for (std::uint64_t j = from; j <= to; ++j) {
    if (of_mrr) {
      normalised_mrr(j);  // makes sure mRR(j) is known
      scratch_.push_back(std::abs(at(j).mrr));
    } else {
      scratch_.push_back(std::abs(at(j).drr));
    }
  }
  std::sort(scratch_.begin(), scratch_.end());
  return 0.5 * (quantile_sorted(scratch_, 0.75) - quantile_sorted(scratch_, 0.25));
}

double FinalArtifactPass::th1_of(std::uint64_t k) {
  Beat& b = at(k);
  if (!b.has_th1) {
    b.th1 = std::max(settings_.alpha * quartile_deviation_over(k, false), settings_.threshold_floor_ms);
    b.has_th1 = true;
  }
  return b.th1;
}

double FinalArtifactPass::median_of(std::uint64_t k) {
  Beat& b = at(k);
  if (!b.has_median) {
    const std::uint64_t half = settings_.median_window / 2;
    const std::uint64_t from = k >= half ? k - half : 0;
    const std::uint64_t to = std::min(k + half, pushed_ - 1);
    std::vector<double>& v = scratch_;
    const std::size_t base = v.size();  // scratch may hold a window being filled: use its tail
    for (std::uint64_t j = from; j <= to; ++j) v.push_back(at(j).rr);
    const auto first = v.begin() + static_cast<std::ptrdiff_t>(base);
    std::sort(first, v.end());
    const std::size_t n = v.size() - base;
    b.median = n % 2 == 1 ? first[static_cast<std::ptrdiff_t>(n / 2)]
                          : 0.5 * (first[static_cast<std::ptrdiff_t>(n / 2 - 1)] + first[static_cast<std::ptrdiff_t>(n / 2)]);
    v.resize(base);
    const double m = b.rr - b.median;
    b.mrr = m < 0.0 ? 2.0 * m : m;
    b.has_median = true;
  }
  return b.median;
}

double FinalArtifactPass::th2_of(std::uint64_t k) {
  Beat& b = at(k);
  if (!b.has_th2) {
    b.th2 = std::max(settings_.alpha * quartile_deviation_over(k, true), settings_.threshold_floor_ms);
    b.has_th2 = true;
  }
  return b.th2;
}

double FinalArtifactPass::normalised_mrr(std::uint64_t k) {
  median_of(k);
  return at(k).mrr;
}

// dRR(k)/Th1(k). Beyond the first and last known beat the series is mirrored (the paper's
// subspaces read one and two beats on either side; at the ends there is nothing else).
double FinalArtifactPass::normalised_drr(std::uint64_t k_unsigned) {
  const auto last = static_cast<std::int64_t>(pushed_) - 1;
  auto k = static_cast<std::int64_t>(k_unsigned);
  if (k < 0) k = -k;
  if (k > last) k = 2 * last - k;
  k = std::clamp<std::int64_t>(k, 0, last);
  const auto u = static_cast<std::uint64_t>(k);
  return at(u).drr / th1_of(u);
}

FinalArtifactPass::BeatClass FinalArtifactPass::classify_candidate(std::uint64_t j) {
  const double dj = normalised_drr(j);
  const double a = normalised_drr(j + 1), b = normalised_drr(j + 2);
  const double s22 = dj >= 0.0 ? std::min(a, b) : std::max(a, b);
  const bool long_beat = dj > 1.0 && s22 < -1.0;
  const bool far_from_median = std::abs(normalised_mrr(j) / th2_of(j)) > 3.0;
  const bool short_beat = dj < -1.0 && s22 > 1.0;
  if (!long_beat && !far_from_median && !short_beat) return BeatClass::normal;
  const Beat& beat = at(j);
  const double th2 = th2_of(j);
  const bool halves_fit = std::abs(beat.rr / 2.0 - beat.median) < th2;
  const bool sum_fits = j + 1 < pushed_ && std::abs(beat.rr + at(j + 1).rr - beat.median) < th2;
  if (short_beat && sum_fits) return BeatClass::extra;
  if (long_beat && halves_fit) return BeatClass::missed;
  return BeatClass::long_short;
}

// The decision flow of the paper (Fig. 1). Like the published implementations, the last two
// beats of a recording are never classified (their subspaces would be all mirror).
void FinalArtifactPass::decide_next(std::vector<BeatRecord>& out) {
  const std::uint64_t i = decided_;
  if (i + 2 >= pushed_) {
    emit(i, BeatClass::normal, out);
    return;
  }
  const double d = normalised_drr(i);
  if (std::abs(d) <= 1.0) {
    emit(i, BeatClass::normal, out);
    return;
  }
  const double before = i == 0 ? normalised_drr(1) : normalised_drr(i - 1);
  const double after = normalised_drr(i + 1);
  const double s12 = d > 0.0 ? std::max(before, after) : std::min(before, after);
  const bool premature = d > 1.0 && s12 < -settings_.c1 * d - settings_.c2;
  const bool compensatory = d < -1.0 && s12 > -settings_.c1 * d + settings_.c2;
  if (premature || compensatory) {
    emit(i, BeatClass::ectopic, out);
    return;
  }
  // The beat is a long/short candidate; so is the next one when its own jump is smaller than
  // the one after it. A candidate decided here is not decided again on its own.
  const bool next_too = std::abs(normalised_drr(i + 1)) < std::abs(normalised_drr(i + 2));
  emit(i, classify_candidate(i), out);
  if (next_too) emit(i + 1, classify_candidate(i + 1), out);
}

// Corrections follow the published implementations: an extra beat is deleted (its interval
// joins the next), a missed beat is inserted halfway, and a misplaced R wave (ectopic,
// long/short) is moved to the midpoint of its neighbours, so the two intervals it bounds become
// equal and every other beat time stays. Which wave is misplaced: an ectopic interval is the
// second of its pair (the compensatory pause after a premature beat, or the short interval
// after a late one), so the wave ending the previous interval moves; a long or short interval
// pairs with the next one once that one is known to be normal. A partner that is itself an
// artifact, or lies across a gap, is no partner: the interval then takes the local median.
void FinalArtifactPass::emit(std::uint64_t j, BeatClass cls, std::vector<BeatRecord>& out) {
  Beat& b = at(j);
  BeatRecord record;
  record.beat_index = b.input_index;
  record.time_ns = b.time_ns;
  record.rr_ms = b.rr;
  record.flags = b.flags;
  if (flushing_ && pushed_ - 1 - j < delay_ - 1) record.flags |= beat_short_context;
  const bool has_next = j + 1 < pushed_ && !at(j + 1).segment_start;
  // An interval that absorbed an extra beat was classified on its raw piece; judged as a whole
  // it may be fine (the published implementations get there by running the detection again).
  if ((b.flags & beat_merged) != 0 && cls != BeatClass::normal && std::abs(b.nn - median_of(j)) < th2_of(j))
    cls = BeatClass::normal;
  if (cls == BeatClass::normal && !(b.nn >= settings_.min_rr_ms && b.nn <= settings_.max_rr_ms)) {
    record.flags |= beat_out_of_range;
    cls = BeatClass::long_short;
  }
  if (cls == BeatClass::extra && !has_next) cls = BeatClass::long_short;  // nothing to merge into

  // The held record (the previous beat) learns whether this beat can be its partner.
  const bool follows_held = held_ && held_->record.beat_index + 1 == b.input_index && !b.segment_start;
  // A long/short interval followed by an ectopic one is one misplaced wave between them: the
  // ectopic case below pairs them.
  if (held_ && held_->pending_partner && !(follows_held && cls == BeatClass::ectopic)) {
    if (follows_held && cls == BeatClass::normal) {
      const double midpoint = 0.5 * (held_->record.nn_ms + b.nn);
      held_->record.nn_ms = b.nn = midpoint;
      b.flags |= beat_interpolated;
      record.flags |= beat_interpolated;
    } else {
      held_->record.nn_ms = held_->median;
    }
    held_->pending_partner = false;
  }

  double nn = b.nn;
  bool pending_partner = false;
  switch (cls) {
    case BeatClass::normal:
      break;
    case BeatClass::ectopic:
      record.flags |= beat_ectopic | beat_interpolated;
      if (follows_held && (held_->is_normal || held_->pending_partner)) {
        nn = 0.5 * (held_->record.nn_ms + b.nn);
        held_->record.nn_ms = nn;
        held_->record.flags |= beat_interpolated;
        held_->pending_partner = false;
      } else {
        nn = median_of(j);
      }
      break;
    case BeatClass::long_short:
      record.flags |= (b.rr > median_of(j) ? beat_long : beat_short) | beat_interpolated;
      pending_partner = true;  // decided with the next beat's class
      break;
    case BeatClass::missed:
      record.flags |= beat_missed | beat_split;
      record.nn_count = 2;
      nn = b.nn / 2.0;
      break;
    case BeatClass::extra:
      record.flags |= beat_extra | beat_dropped;
      record.nn_count = 0;
      at(j + 1).nn += b.nn;
      at(j + 1).flags |= beat_merged;
      break;
  }
  record.nn_ms = nn;
  ++decided_;
  release_held(out);
  held_ = Held{record, median_of(j), pending_partner, cls == BeatClass::normal};
}

void FinalArtifactPass::release_held(std::vector<BeatRecord>& out) {
  if (held_) {
    BeatRecord& r = held_->record;
    if (held_->pending_partner) r.nn_ms = held_->median;  // no next beat: the local median
    if (r.nn_count > 0) {
      r.hr_bpm = 60000.0 / r.nn_ms;
    } else {
      r.nn_ms = std::numeric_limits<double>::quiet_NaN();
    }
    out.push_back(r);
    held_.reset();
    ++released_;
  }
  emit_invalid(out);
}

void FinalArtifactPass::emit_invalid(std::vector<BeatRecord>& out) {
  std::size_t emitted = 0;
  while (emitted < invalid_.size() && invalid_[emitted].after_valid <= released_) {
    out.push_back(invalid_[emitted].record);
    ++emitted;
  }
  if (emitted > 0) invalid_.erase(invalid_.begin(), invalid_.begin() + static_cast<std::ptrdiff_t>(emitted));
}

std::vector<BeatRecord> final_corrected_series(std::span<const double> rr_ms, const ArtifactSettings& settings) {
  return decide_series<FinalArtifactPass>(rr_ms, settings);
}

}  // namespace plinth
