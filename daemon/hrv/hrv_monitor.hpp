#pragma once
// The live HRV engine for one heart-rate device: beats in, corrected beat records and HRV
// updates out. Single-threaded (the owner calls it from one thread); bounded memory; after
// construction and the first updates it allocates nothing (output vectors are the caller's
// and are reused). Spec: schemas/hrv.md ("Live engine").
#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/hrv/artifact_corrector.hpp"
#include "daemon/hrv/hrv_metrics.hpp"

namespace plinth {

struct HrvMonitorSettings {
  ArtifactSettings artifacts{};
  FrequencySettings frequency{};
  PnsNorms pns{};
  double window_s = 60.0;            // sliding window
  double step_s = 5.0;               // one sliding (and standard) update per step of beat time
  double standard_window_s = 300.0;  // the standard short-term window, updated with each step
  bool emit_standard = true;
  double baseline_s = 180.0;         // automatic baseline: the first baseline_s of beats; 0 = off
  double max_baseline_s = 600.0;     // longest explicit baseline segment (sizes the history)
};
void validate(const HrvMonitorSettings& settings);  // throws std::invalid_argument

struct HrvMonitorOutput {
  std::vector<BeatRecord> beats;     // decided beats, in input order
  std::vector<HrvMetrics> updates;   // sliding / standard / baseline results
  void clear() { beats.clear(); updates.clear(); }
};

class HrvMonitor {
 public:
  explicit HrvMonitor(const HrvMonitorSettings& settings = {});

  // Appends what this beat causes to `out` (does not clear it).
  void push(const RawBeat& beat, HrvMonitorOutput& out);
  // End of session: decides the beats still waiting for following beats.
  void flush(HrvMonitorOutput& out);

  // HRV now, over the last window_s seconds of decided beats (at most the history kept).
  HrvMetrics compute_now(double window_s);
  // Marks [begin_ns, end_ns] (beat host times) as the baseline, replacing the automatic one.
  // Computed at once if decided beats already cover end_ns, otherwise when they do (the
  // result then appears in `updates` as kind baseline). Throws std::invalid_argument if the
  // segment is empty, longer than max_baseline_s or already dropped from the history.
  void set_baseline_segment(std::int64_t begin_ns, std::int64_t end_ns, HrvMonitorOutput& out);
  const std::optional<HrvMetrics>& baseline() const { return baseline_; }

  std::size_t delay_beats() const { return corrector_.delay_beats(); }
  const HrvMonitorSettings& settings() const { return settings_; }

 private:
  struct Entry {
    std::int64_t time_ns = 0;
    double nn_ms = 0.0;
    std::uint32_t nn_count = 0;
    std::uint32_t flags = 0;
  };
  void on_decided(const BeatRecord& beat, HrvMonitorOutput& out);
  HrvMetrics compute_window(std::int64_t begin_exclusive_ns, std::int64_t end_ns, HrvWindowKind kind, double window_s);
  void finish_baseline(HrvMonitorOutput& out);

  HrvMonitorSettings settings_;
  ArtifactCorrector corrector_;
  HrvCalculator calculator_;
  std::vector<Entry> history_;       // ring of decided beats
  std::size_t head_ = 0;             // next write position
  std::size_t size_ = 0;
  std::vector<double> nn_;           // window scratch
  std::vector<std::uint8_t> segment_start_;
  std::vector<BeatRecord> decided_;  // scratch for the corrector
  bool started_ = false;
  std::int64_t last_time_ns_ = 0;
  std::int64_t next_update_ns_ = 0;
  std::optional<HrvMetrics> baseline_;
  bool baseline_pending_ = false;
  std::int64_t baseline_begin_ns_ = 0;  // exclusive
  std::int64_t baseline_end_ns_ = 0;
};

}  // namespace plinth
