#pragma once
// Beat-to-beat intervals for `plinth sim` and `plinthd --simulate`: a seeded model of a
// resting subject on a treatment table (respiratory sinus arrhythmia, heart rate settling
// and vagal tone rising over the session) with the artifacts real straps produce, or the
// playback of a recorded RR file. Pure: no clocks, no I/O except read_rr_file().
//
// Model (times in seconds since the start, RR in ms), for each true beat at time t:
//   settle(t) = exp(-t / settle_time_s)
//   HR(t)     = hr_settled + (hr_start - hr_settled) * settle(t)
//   A(t)      = rsa_settled - (rsa_settled - rsa_start) * settle(t)
//   RR        = 60000 / HR(t) + A(t) * sin(phi) + lf_ms * sin(2 pi 0.1 t + theta) + N(0, noise_ms)
// where phi is the respiratory phase, advancing at breathing_per_min / 60 Hz with a new
// random rate (relative sd breathing_jitter) each breath. Artifacts are injected as Poisson
// events with the configured rates per hour of beats, never overlapping:
//   ectopic        premature beat at 55-70 % of RR, then a full compensatory pause
//   missed_as_long the strap misses a beat: two intervals reported as one long RR
//   missed_reported the beat's report is lost: the next beat says missing_beats = 1
//   extra          a spurious detection splits one RR in two (u and 1-u, u in 30-70 %)
//   dropout        no data for dropout_s; the next beat says how many beats were lost
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/rr_file.hpp"
#include "drivers/samples.hpp"

namespace plinth {

struct SimHeartConfig {
  std::uint64_t seed = 1;
  double hr_start_bpm = 76.0;
  double hr_settled_bpm = 64.0;
  double settle_time_s = 900.0;      // time constant of the settling (HR down, RSA up)
  double breathing_per_min = 12.0;
  double breathing_jitter = 0.08;    // relative sd of each breath's rate
  double rsa_start_ms = 15.0;        // RSA amplitude (half peak-to-peak) at the start
  double rsa_settled_ms = 40.0;
  double lf_ms = 8.0;                // 0.1 Hz (Mayer wave) amplitude
  double noise_ms = 6.0;
  double ectopic_per_hour = 6.0;
  double missed_as_long_per_hour = 4.0;
  double missed_reported_per_hour = 4.0;
  double extra_per_hour = 3.0;
  double dropout_per_hour = 2.0;
  double dropout_s = 4.0;
};

namespace sim_artifact {
inline constexpr std::uint32_t kEctopic = 1u << 0;
inline constexpr std::uint32_t kCompensatory = 1u << 1;   // the pause after an ectopic beat
inline constexpr std::uint32_t kMissedAsLong = 1u << 2;
inline constexpr std::uint32_t kMissedReported = 1u << 3;
inline constexpr std::uint32_t kExtra = 1u << 4;          // the spurious detection
inline constexpr std::uint32_t kExtraRemainder = 1u << 5; // the rest of the split interval
inline constexpr std::uint32_t kAfterDropout = 1u << 6;
}  // namespace sim_artifact

// One beat as the strap delivers it.
struct SimBeat {
  double rr_ms = 0.0;              // the interval the strap reports
  double time_s = 0.0;             // sensor-side time of this beat since the start
  std::uint32_t missing_beats = 0; // beats before this one the strap did not deliver
  std::uint32_t injected = 0;      // sim_artifact flags
};

// Events injected so far (one per event, not per flagged beat).
struct SimHeartCounts {
  std::uint64_t beats = 0;  // delivered
  std::uint64_t ectopic = 0;
  std::uint64_t missed_as_long = 0;
  std::uint64_t missed_reported = 0;
  std::uint64_t extra = 0;
  std::uint64_t dropouts = 0;
  std::uint64_t dropout_beats = 0;  // beats lost inside dropouts
};

class SimHeart {
 public:
  explicit SimHeart(const SimHeartConfig& config = {});
  // Plays recorded intervals (ms) as they are, no artifacts added; `loop` restarts at the end.
  static SimHeart playback(std::vector<double> rr_ms, bool loop = false);

  // The next delivered beat; nullopt once a playback without loop has ended.
  std::optional<SimBeat> next_beat();
  const SimHeartCounts& counts() const { return counts_; }

 private:
  double true_interval_ms();  // the model's next true RR, advancing its state
  bool chance(double per_hour, double rr_ms);

  SimHeartConfig config_;
  std::mt19937_64 rng_;
  std::normal_distribution<double> normal_{0.0, 1.0};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  double true_time_s_ = 0.0;     // time of the last true beat
  double phase_ = 0.0;           // respiratory phase, radians
  double breath_hz_ = 0.2;
  double lf_phase_ = 0.0;
  std::vector<SimBeat> queued_;  // second halves of two-beat artifacts, delivered next
  std::vector<double> playback_;
  std::size_t playback_at_ = 0;
  bool is_playback_ = false;
  bool loop_ = false;
  SimHeartCounts counts_;
};

// For an encoder: RR and beat time in 1/1024 s, the rate the strap would compute, contact.
HeartSample to_heart_sample(const SimBeat& beat);

// One RR interval in ms per line; blank lines and '#' comments allowed. Throws
// std::runtime_error "<source>:<line>: <what>" on anything else.


}  // namespace plinth
