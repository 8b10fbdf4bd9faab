#pragma once
// The live HRV engine for one heart-rate device: beats in, corrected beat records and HRV
// updates out. Every beat is decided twice (schemas/hrv.md §3.2): provisionally a few beats
// after it arrives, for the live 60-s window, and finally once the centred windows of the
// paper's algorithm are complete, for the 300-s window, the baseline and the archive.
// Single-threaded (the owner calls it from one thread); bounded memory; after construction and
// the first updates it allocates nothing (output vectors are the caller's and are reused).
// Spec: schemas/hrv.md ("Live engine").
#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/hrv/artifact_corrector.hpp"
#include "daemon/hrv/final_artifact_pass.hpp"
#include "daemon/hrv/hrv_metrics.hpp"

namespace plinth {

struct HrvMonitorSettings {
  ArtifactSettings artifacts{};
  FrequencySettings frequency{};
  PnsNorms pns{};
  double window_s = 60.0;            // sliding window (provisional decisions)
  double step_s = 5.0;               // one sliding (and standard) update per step of beat time
  double standard_window_s = 300.0;  // the standard short-term window (final decisions)
  bool emit_standard = true;
  double baseline_settle_s = 180.0;  // automatic baseline: starts this long after the first beat ...
  double baseline_s = 180.0;         // ... and lasts this long; 0 = no automatic baseline
  double max_baseline_s = 600.0;     // longest explicit baseline segment (sizes the history)
};
void validate(const HrvMonitorSettings& settings);  // throws std::invalid_argument

struct HrvMonitorOutput {
  std::vector<BeatRecord> beats;        // provisional decisions, in input order
  std::vector<BeatRecord> final_beats;  // final decisions (with provisional_flags), in input order
  std::vector<HrvMetrics> updates;      // sliding / standard / baseline results
  void clear() {
    beats.clear();
    final_beats.clear();
    updates.clear();
  }
};

// Decided beats kept for windows: a ring sized for the longest window.
class BeatHistory {
 public:
  explicit BeatHistory(std::size_t capacity);
  void add(const BeatRecord& beat);
  bool empty() const { return size_ == 0; }
  std::int64_t newest_ns() const { return newest_ns_; }
  std::int64_t oldest_ns() const;
  bool full() const { return size_ == entries_.size(); }
  // The NN intervals of the beats that end in (begin, end], in order, with segment starts;
  // beat_count and artifact_count are the window's.
  void window(std::int64_t begin_exclusive_ns, std::int64_t end_ns, std::vector<double>& nn,
              std::vector<std::uint8_t>& segment_start, std::uint32_t& beat_count, std::uint32_t& artifact_count) const;

 private:
  struct Entry {
    std::int64_t time_ns = 0;
    double nn_ms = 0.0;
    std::uint32_t nn_count = 0;
    std::uint32_t flags = 0;
  };
  std::vector<Entry> entries_;
  std::size_t head_ = 0;  // next write position
  std::size_t size_ = 0;
  std::int64_t newest_ns_ = 0;
};

class HrvMonitor {
 public:
  explicit HrvMonitor(const HrvMonitorSettings& settings = {});

  // Appends what this beat causes to `out` (does not clear it).
  void push(const RawBeat& beat, HrvMonitorOutput& out);
  // End of session: decides the beats still waiting for following beats.
  void flush(HrvMonitorOutput& out);

  // HRV now, over the last window_s seconds of provisionally decided beats (at most the history kept).
  HrvMetrics compute_now(double window_s);
  // Marks [begin_ns, end_ns] (beat host times) as the baseline, replacing the automatic one.
  // Computed from final decisions at once if they already cover end_ns, otherwise when they do
  // (the result then appears in `updates` as kind baseline). Throws std::invalid_argument if
  // the segment is empty, longer than max_baseline_s or already dropped from the history.
  void set_baseline_segment(std::int64_t begin_ns, std::int64_t end_ns, HrvMonitorOutput& out);
  const std::optional<HrvMetrics>& baseline() const { return baseline_; }

  std::size_t delay_beats() const { return corrector_.delay_beats(); }
  // Beats after arrival until a beat's final decision (the provisional delay for other modes).
  std::size_t final_delay_beats() const { return two_stage_ ? final_pass_.delay_beats() : delay_beats(); }
  const HrvMonitorSettings& settings() const { return settings_; }

 private:
  void on_provisional(const BeatRecord& beat, HrvMonitorOutput& out);
  void on_final(BeatRecord beat, HrvMonitorOutput& out);
  HrvMetrics compute_window(const BeatHistory& history, std::int64_t begin_exclusive_ns, std::int64_t end_ns,
                            HrvWindowKind kind, double window_s);
  void finish_baseline(HrvMonitorOutput& out);

  HrvMonitorSettings settings_;
  ArtifactCorrector corrector_;
  FinalArtifactPass final_pass_;
  bool two_stage_ = false;           // lipponen: a final pass; other modes decide once
  HrvCalculator calculator_;
  BeatHistory provisional_;
  BeatHistory final_;
  struct ProvisionalDecision {
    std::uint64_t beat_index = UINT64_MAX;
    std::uint32_t flags = 0;
  };
  std::vector<ProvisionalDecision> provisional_flags_;  // by beat_index, for the final records
  std::vector<double> nn_;           // window scratch
  std::vector<std::uint8_t> segment_start_;
  std::vector<BeatRecord> decided_;  // scratch for the correctors
  bool started_ = false;
  std::int64_t next_update_ns_ = 0;
  std::optional<HrvMetrics> baseline_;
  bool baseline_pending_ = false;
  std::int64_t baseline_begin_ns_ = 0;  // exclusive
  std::int64_t baseline_end_ns_ = 0;
};

}  // namespace plinth
