#pragma once
// A simulated client lying on a treatment table, as pure code: frame index in, raw ADC
// frame out. Deterministic for a seed and random-access in time (any frame index can be
// asked for in any order), so tests, `plinth sim` and benchmarks see the same body.
//
// Model (schemas are not involved; the figures below are the documented contract):
//  - The body is a set of loaded regions (head, shoulders, torso, pelvis/sacrum, legs,
//    heels/feet, arms), each a smooth compact bump p(r) = peak·(1 − r²)^1.5 on an ellipse,
//    with peak pressures from the pressure-ulcer literature: supine sacrum ≈ 78 mmHg,
//    heels ≈ 90 mmHg, occiput ≈ 45 mmHg, thoracic back ≈ 25–30 mmHg; side-lying greater
//    trochanter ≈ 88 mmHg; prone knees ≈ 60 mmHg.
//  - ADC mapping (linear): raw = adc_offset + 40 counts/mmHg · p + gaussian noise,
//    rounded and clamped to 12 bits (0..4095, so 4095 ≈ 102 mmHg).
//  - Breathing at ~12–15 breaths/min (slowly varying) scales the chest/back load and moves
//    it by ~0.6 cm along the body, so total load and centre of pressure follow the breath.
//  - Shifts of position as a renewal process with the configured mean interval: each one
//    translates/rotates the body a little and rolls it towards one side, over a short
//    transition with limb movement.
//  - Optionally the table is empty first and the client lies down over 5 s.
//  - Rows run along the body (head at row 0); columns across. If the mat is shorter than
//    the body, the body is scaled down to fit (pressures unchanged).
#include <cstdint>
#include <string_view>
#include <vector>

#include "drivers/samples.hpp"

namespace plinth::sim {

enum class Posture { supine, prone, left_side, right_side };

struct BodyScenarioOptions {
  Posture posture = Posture::supine;
  double breaths_per_minute = 13.5;   // mean rate; the instantaneous rate wanders by ~±1/min
  double breath_depth = 0.12;         // relative change of the chest load over a breath
  double mean_shift_interval_s = 180; // mean time between shifts of position; 0 = never
  double shift_duration_s = 3.0;      // length of one shift's movement
  double empty_before_s = 0.0;        // > 0: table empty this long, then the client lies
                                      // down over 5 s; 0: lying from the first frame
  double body_length_cm = 172.0;
  double adc_offset_counts = 0.0;     // baseline added to every sensel
  double noise_sigma_counts = 4.0;    // gaussian ADC noise per sensel and frame
  std::uint32_t dead_sensels = 0;     // sensels stuck at 0 (fixed for the seed)
  std::uint32_t hot_sensels = 0;      // sensels stuck at 4095 (fixed for the seed)
};

inline constexpr double kCountsPerMmHg = 40.0;
inline constexpr std::uint16_t kAdcMax = 4095;

std::string_view posture_name(Posture);
// "supine", "prone", "left", "right" (also "left_side"/"right_side"); throws on others.
Posture parse_posture(std::string_view);

enum class BodyRegion : std::uint8_t { head, shoulders, torso, pelvis, legs, feet, arms };
std::string_view region_name(BodyRegion);

// Where the body is relative to its neutral place on the mat.
struct Pose {
  double along_cm = 0;  // towards the feet
  double across_cm = 0;
  double angle_rad = 0; // rotation about the pelvis
  double roll = 0;      // −0.4..0.4: share of load moved to one side (+ = higher columns)
  bool operator==(const Pose&) const = default;
};

// Ground truth at one instant, for tests and demos.
struct BodyState {
  double time_s = 0;
  double occupancy = 0;    // 0 empty table … 1 lying fully
  double breath_phase_rad = 0;
  double breaths_per_minute = 0;  // instantaneous
  Pose pose;
  bool shifting = false;   // inside a shift's movement
  double shift_progress = 0;  // 0..1 through the current movement
  std::uint32_t shifts_started = 0;
};

class BodyScenario {
 public:
  BodyScenario(std::uint16_t rows, std::uint16_t cols, double pitch_cm, double frame_rate_hz,
               std::uint64_t seed, BodyScenarioOptions options = {});

  // Fill `out` with frame `frame_index` (device_seq = index, device_time_us from the rate).
  // Reuses out.raw's storage; no allocation once warmed up.
  void fill_frame(std::uint64_t frame_index, MatFrame& out);
  MatFrame frame_at(std::uint64_t frame_index);

  BodyState state_at(std::uint64_t frame_index);
  // Start times (s) of the shifts that begin before `until_s`.
  std::vector<double> shift_times(double until_s);
  // Noise-free pressure (mmHg) of the current body at a frame, for tests.
  const std::vector<float>& pressure_mmhg_at(std::uint64_t frame_index);

  std::uint16_t rows() const { return rows_; }
  std::uint16_t cols() const { return cols_; }
  double pitch_cm() const { return pitch_cm_; }
  double frame_rate_hz() const { return rate_hz_; }
  const BodyScenarioOptions& options() const { return options_; }

  struct Blob {
    BodyRegion region;
    double along_frac;   // centre along the body, fraction of body length from the head top
    double across_cm;    // centre across the body (before scaling); + = higher columns
    double half_length_cm, half_width_cm;
    double peak_mmhg;
    double breathing;    // 0 = rigid; 1 = follows the breath fully
  };

 private:
  struct Shift {
    double start_s;
    Pose to;
  };
  struct RenderKey {
    Pose pose;
    double gains[7];
    double limb_wiggle;
    bool operator==(const RenderKey&) const = default;
  };

  // Without an empty phase the client is lying from frame 0.
  bool lies_down() const { return options_.empty_before_s > 0; }
  void extend_shifts(double until_s);
  BodyState state_at_time(double t);
  void render_body(double t);
  void render_blob(const Blob& blob, const Pose& pose, double gain, double along_extra_cm,
                   std::vector<float>& layer) const;

  std::uint16_t rows_, cols_;
  double pitch_cm_, rate_hz_;
  std::uint64_t seed_;
  BodyScenarioOptions options_;
  double scale_ = 1.0;          // body scale so that it fits the mat
  double head_top_cm_ = 4.0;    // neutral distance of the head top from row 0's edge
  std::vector<Blob> blobs_;
  std::vector<Shift> shifts_;
  double shifts_until_s_ = 0;
  std::uint64_t shift_rng_state_;
  std::vector<float> static_layer_;   // rigid regions, cached while the body is still
  bool static_valid_ = false;
  RenderKey static_key_{};
  std::vector<float> pressure_;       // static + breathing regions, mmHg
  std::vector<float> gaussian_table_; // N(0,1) samples indexed by a per-sensel hash
  std::vector<std::uint32_t> dead_, hot_;
};

}  // namespace plinth::sim
