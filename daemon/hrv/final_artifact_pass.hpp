#pragma once
// The final artifact decision for each beat: Lipponen & Tarvainen (2019) as the paper runs it
// over a recording, with both thresholds from 91-beat windows centred on the beat, made as
// soon as enough later beats exist (final_delay_beats(), 52 with the defaults). The live
// ArtifactCorrector's provisional decision (trailing windows, 6 beats) serves the 60-s
// display; this one serves the 300-s window, the baseline, the relaxation readout and the
// archive. Over a whole series it equals the batch algorithm. The settings' mode is not read:
// only Lipponen correction has a second stage. Spec: schemas/hrv.md §3.2.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "daemon/hrv/artifact_corrector.hpp"

namespace plinth {

// Later beats before a beat's final record: half the threshold window (45) so that the
// thresholds of the beat are centred, half the median window (5) so that the last |mRR| inside
// that window is known, one more for the paper's "check the following beat too", and one more
// because a record waits for the next decision (which may move the R wave ending it).
std::size_t final_delay_beats(const ArtifactSettings& settings);

class FinalArtifactPass {
 public:
  explicit FinalArtifactPass(const ArtifactSettings& settings = {});

  // Appends the records of every beat this push decides (in input order) to `out`.
  void push(const RawBeat& beat, std::vector<BeatRecord>& out);
  // Decides every pending beat with the beats there are (end of a session).
  void flush(std::vector<BeatRecord>& out);
  void reset();

  std::size_t delay_beats() const { return delay_; }

 private:
  enum class BeatClass : std::uint8_t { normal, ectopic, long_short, missed, extra };
  struct Beat {
    double rr = 0.0;          // as reported
    double drr = 0.0;         // RR(k) - RR(k-1); 0 at a segment start
    double median = 0.0;      // medRR: median RR of the median window centred on k
    double mrr = 0.0;         // RR - medRR, negative values doubled
    double th1 = 0.0;         // alpha * QD(|dRR|) over the threshold window centred on k
    double th2 = 0.0;         // alpha * QD(|mRR|) over the same window
    double nn = 0.0;          // current NN value, changed by corrections of this beat or the one before
    std::int64_t time_ns = 0;
    std::uint64_t input_index = 0;
    std::uint32_t flags = 0;  // flags set before the beat's own decision (strap, merged, interpolated)
    bool segment_start = false;
    bool has_median = false, has_th1 = false, has_th2 = false;
  };
  struct PendingInvalid {
    BeatRecord record;
    std::uint64_t after_valid = 0;  // emit once this many valid records are out
  };

  Beat& at(std::uint64_t k) { return ring_[k & mask_]; }
  double normalised_drr(std::uint64_t k);  // dRR(k)/Th1(k), reflected beyond the known beats
  double normalised_mrr(std::uint64_t k);
  double median_of(std::uint64_t k);
  double th1_of(std::uint64_t k);
  double th2_of(std::uint64_t k);
  double quartile_deviation_over(std::uint64_t k, bool of_mrr);
  BeatClass classify_candidate(std::uint64_t j);
  void decide_next(std::vector<BeatRecord>& out);
  void emit(std::uint64_t j, BeatClass cls, std::vector<BeatRecord>& out);
  void release_held(std::vector<BeatRecord>& out);
  void emit_invalid(std::vector<BeatRecord>& out);

  ArtifactSettings settings_;
  std::size_t delay_ = 0;
  std::vector<Beat> ring_;
  std::uint64_t mask_ = 0;
  std::uint64_t pushed_ = 0;   // valid beats
  std::uint64_t decided_ = 0;  // valid beats decided
  std::uint64_t released_ = 0; // valid beats whose records are out
  struct Held {             // the last decided record, until the next decision
    BeatRecord record;
    double median = 0.0;     // its medRR, the fallback value
    bool pending_partner = false;  // long/short: waits for the next beat's class
    bool is_normal = false;
  };
  std::optional<Held> held_;
  std::uint64_t input_count_ = 0;
  bool flushing_ = false;      // no more beats come: windows and neighbours end at the last one
  bool break_next_ = false;
  std::vector<PendingInvalid> invalid_;
  std::vector<double> scratch_;
};

// Offline: the final decisions over a whole RR series (what `plinth hrv` reports).
std::vector<BeatRecord> final_corrected_series(std::span<const double> rr_ms, const ArtifactSettings& settings);

}  // namespace plinth
