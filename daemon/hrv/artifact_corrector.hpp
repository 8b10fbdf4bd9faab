#pragma once
// Beat-by-beat artifact detection and correction on a live RR stream: Lipponen & Tarvainen
// (2019) adapted to a trailing window, with a simple running-median rule as fallback.
// Every beat is decided exactly once, delay_beats() beats after it arrived. Spec and the
// exact rules: schemas/hrv.md ("Artifact correction").
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/hrv/beat_record.hpp"

namespace plinth {

struct ArtifactSettings {
  CorrectionMode mode = CorrectionMode::lipponen;
  // Lipponen & Tarvainen (2019) parameters.
  double alpha = 5.2;                    // threshold = alpha * quartile deviation
  double c1 = 0.13;                      // ectopic subspace slope
  double c2 = 0.17;                      // ectopic subspace offset
  std::size_t threshold_window = 91;     // beats in the quartile-deviation window
  std::size_t median_window = 11;        // beats in the mRR median (odd)
  std::size_t lipponen_min_beats = 12;   // fewer beats known: use the simple rule
  double threshold_floor_ms = 20.0;      // thresholds never below this (flat synthetic series)
  // Simple rule (Malik-type): deviation from the running median of median_window beats.
  double simple_tolerance = 0.20;
  // Physiological range; outside it a beat is an artifact whatever the rules say.
  double min_rr_ms = 250.0;
  double max_rr_ms = 3000.0;
};

void validate(const ArtifactSettings& settings);  // throws std::invalid_argument

class ArtifactCorrector {
 public:
  explicit ArtifactCorrector(const ArtifactSettings& settings = {});

  // Appends the records of every beat this push decides (in input order) to `out`.
  void push(const RawBeat& beat, std::vector<BeatRecord>& out);
  // Decides every pending beat with the context there is (end of a recording).
  void flush(std::vector<BeatRecord>& out);
  void reset();

  // Following beats needed before a beat is decided: 0 (none), 1 (simple), 6 (lipponen).
  std::size_t delay_beats() const { return delay_; }
  const ArtifactSettings& settings() const { return settings_; }

 private:
  enum class BeatClass : std::uint8_t { normal, ectopic, long_beat, short_beat, missed, extra };
  struct Slot {
    double rr = 0.0;
    double drr = 0.0;
    double median = 0.0;     // mRR reference: median of the median window around the beat
    double mrr_abs = 0.0;    // |mRR| (negative values doubled) for the threshold window
    double merge_ms = 0.0;   // interval of a dropped extra beat to add to this one
    std::int64_t time_ns = 0;
    std::uint64_t input_index = 0;
    bool strap_missing = false;
    BeatClass pending = BeatClass::normal;  // class set while deciding an earlier beat
  };
  struct Thresholds {
    double drr = 0.0;  // Th1 in ms
    double mrr = 0.0;  // Th2 in ms
  };

  Slot& slot(std::uint64_t k) { return ring_[k & ring_mask_]; }
  const Slot& slot(std::uint64_t k) const { return ring_[k & ring_mask_]; }
  std::uint64_t oldest_kept() const;
  void decide(std::uint64_t i, std::uint64_t newest, std::vector<BeatRecord>& out);
  void emit_invalid_up_to(std::uint64_t valid_index, std::vector<BeatRecord>& out);
  double median_rr(std::uint64_t from, std::uint64_t to);
  double quartile_deviation(std::span<double> values);
  void update_mrr(std::uint64_t up_to, std::uint64_t newest);
  Thresholds thresholds(std::uint64_t i, std::uint64_t newest);
  BeatClass classify_lipponen(std::uint64_t i, std::uint64_t newest, const Thresholds& th);
  BeatClass classify_simple(std::uint64_t i, std::uint64_t newest, double reference) const;
  double running_median(std::uint64_t i, std::uint64_t newest);
  double interpolate(std::uint64_t i, std::uint64_t newest, double reference, double tolerance_ms) const;

  ArtifactSettings settings_;
  std::size_t delay_ = 0;
  std::vector<Slot> ring_;
  std::uint64_t ring_mask_ = 0;
  std::uint64_t pushed_ = 0;        // valid beats pushed
  std::uint64_t decided_ = 0;       // valid beats decided
  std::uint64_t mrr_done_ = 0;      // beats whose median/mRR are computed
  std::uint64_t input_count_ = 0;   // every beat including invalid ones
  double last_nn_ = 0.0;
  bool have_last_nn_ = false;
  bool break_next_ = false;         // an invalid beat interrupts the successive differences
  struct PendingInvalid {
    BeatRecord record;
    std::uint64_t after_valid = 0;  // emit after this many valid beats are decided
  };
  std::vector<PendingInvalid> invalid_;
  std::vector<double> scratch_;
};

// Offline helper: runs the live corrector over a whole series and flushes.
std::vector<BeatRecord> correct_rr_series(std::span<const double> rr_ms, const ArtifactSettings& settings);

}  // namespace plinth
