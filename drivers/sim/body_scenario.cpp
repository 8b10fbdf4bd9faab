#include "drivers/sim/body_scenario.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace plinth::sim {
namespace {

using std::numbers::pi;

// splitmix64: a tiny, well-mixed generator; all randomness here derives from the seed.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
double uniform01(std::uint64_t& state) { return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53; }
double standard_normal(std::uint64_t& state) {
  const double u1 = std::max(uniform01(state), 1e-300);
  const double u2 = uniform01(state);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * pi * u2);
}
double smoothstep(double u) {
  u = std::clamp(u, 0.0, 1.0);
  return u * u * (3.0 - 2.0 * u);
}
constexpr double kLieDownS = 5.0;
constexpr double kPelvisFrac = 0.50;
constexpr double kBreathShiftCm = 0.6;
// Rolling by `roll` scales a lateral region's load by 1 ± kRollLoadShare·roll.
constexpr double kRollLoadShare = 0.5;
constexpr std::size_t kRegionCount = 7;

// Each region's load ramps in over [start, end] seconds after the client starts lying
// down: seated on the pelvis first, then legs, then the back and the head.
constexpr double kLieDownRamp[kRegionCount][2] = {
    {3.0, 5.0},  // head
    {2.5, 4.5},  // shoulders
    {2.0, 4.0},  // torso
    {0.0, 2.0},  // pelvis
    {1.0, 3.0},  // legs
    {1.0, 3.0},  // feet
    {2.0, 4.0},  // arms
};

using B = BodyScenario::Blob;
using R = BodyRegion;

// Broad, low "slab" regions give the continuous contact a lying body makes between the
// bony prominences; the smaller regions on top of them carry the peaks.
std::vector<B> supine_blobs() {
  return {
      {R::torso, 0.34, 0, 30, 17, 10, 0.5},
      {R::legs, 0.73, -9, 26, 7, 8, 0},
      {R::legs, 0.73, 9, 26, 7, 8, 0},
      {R::head, 0.065, 0, 6, 6, 45, 0},
      {R::shoulders, 0.20, -10, 7, 6, 38, 0},
      {R::shoulders, 0.20, 10, 7, 6, 38, 0},
      {R::torso, 0.28, 0, 12, 13, 18, 1.0},
      {R::torso, 0.385, 0, 7, 11, 12, 0.5},
      {R::pelvis, 0.50, 0, 5, 5.5, 78, 0},  // sacrum: the highest pressure of the trunk
      {R::pelvis, 0.52, -8, 8, 7, 38, 0},
      {R::pelvis, 0.52, 8, 8, 7, 38, 0},
      {R::legs, 0.64, -9, 12, 6, 18, 0},
      {R::legs, 0.64, 9, 12, 6, 18, 0},
      {R::legs, 0.82, -9, 10, 4.5, 24, 0},
      {R::legs, 0.82, 9, 10, 4.5, 24, 0},
      {R::feet, 0.965, -9, 3.5, 3.5, 92, 0},
      {R::feet, 0.965, 9, 3.5, 3.5, 92, 0},
      {R::arms, 0.30, -24, 10, 4, 14, 0},
      {R::arms, 0.30, 24, 10, 4, 14, 0},
      {R::arms, 0.40, -25, 3.5, 3.5, 40, 0},
      {R::arms, 0.40, 25, 3.5, 3.5, 40, 0},
      {R::arms, 0.50, -26, 8, 3.5, 12, 0},
      {R::arms, 0.50, 26, 8, 3.5, 12, 0},
  };
}

std::vector<B> prone_blobs() {
  return {
      {R::torso, 0.33, 0, 30, 16, 10, 0.8},
      {R::legs, 0.74, -9, 26, 7, 8, 0},
      {R::legs, 0.74, 9, 26, 7, 8, 0},
      {R::head, 0.06, 0, 6, 5, 28, 0},
      {R::torso, 0.25, -9, 9, 8, 26, 1.0},
      {R::torso, 0.25, 9, 9, 8, 26, 1.0},
      {R::torso, 0.28, 0, 12, 12, 14, 1.0},
      {R::torso, 0.40, 0, 8, 11, 14, 0.8},
      {R::pelvis, 0.50, -10, 4, 4, 55, 0},  // anterior iliac spines
      {R::pelvis, 0.50, 10, 4, 4, 55, 0},
      {R::pelvis, 0.54, 0, 5, 7, 35, 0},
      {R::legs, 0.64, -9, 12, 6, 20, 0},
      {R::legs, 0.64, 9, 12, 6, 20, 0},
      {R::legs, 0.745, -9, 4, 4, 60, 0},  // knees
      {R::legs, 0.745, 9, 4, 4, 60, 0},
      {R::legs, 0.84, -9, 9, 4, 15, 0},
      {R::legs, 0.84, 9, 9, 4, 15, 0},
      {R::feet, 0.96, -10, 4, 3, 45, 0},
      {R::feet, 0.96, 10, 4, 3, 45, 0},
      {R::arms, 0.32, -24, 12, 4, 14, 0},
      {R::arms, 0.32, 24, 12, 4, 14, 0},
      {R::arms, 0.50, -25, 5, 4, 18, 0},
      {R::arms, 0.50, 25, 5, 4, 18, 0},
  };
}

// Lying on one side; `front` is +1 when the client faces higher columns.
std::vector<B> side_blobs(double front) {
  return {
      {R::torso, 0.35, 0, 30, 8, 8, 0.5},
      {R::legs, 0.73, 3 * front, 25, 6, 8, 0},
      {R::head, 0.065, 0, 6, 5, 40, 0},
      {R::shoulders, 0.19, 0, 6, 5.5, 65, 0},  // acromion / lateral deltoid
      {R::arms, 0.30, 10 * front, 10, 4, 15, 0},
      {R::torso, 0.30, 0, 11, 6, 24, 1.0},
      {R::torso, 0.40, 0, 6, 5, 8, 0.5},
      {R::pelvis, 0.52, 0, 6, 5.5, 88, 0},  // greater trochanter
      {R::legs, 0.63, 2 * front, 11, 5, 24, 0},
      {R::legs, 0.73, 6 * front, 4.5, 4.5, 55, 0},  // knees, bent forwards
      {R::legs, 0.84, 5 * front, 9, 4, 20, 0},
      {R::feet, 0.955, 3 * front, 3.5, 3, 62, 0},  // lateral malleolus
  };
}

}  // namespace

std::string_view posture_name(Posture p) {
  switch (p) {
    case Posture::supine: return "supine";
    case Posture::prone: return "prone";
    case Posture::left_side: return "left";
    case Posture::right_side: return "right";
  }
  return "?";
}

Posture parse_posture(std::string_view s) {
  if (s == "supine") return Posture::supine;
  if (s == "prone") return Posture::prone;
  if (s == "left" || s == "left_side") return Posture::left_side;
  if (s == "right" || s == "right_side") return Posture::right_side;
  throw std::invalid_argument("unknown posture '" + std::string(s) + "' (supine, prone, left, right)");
}

std::string_view region_name(BodyRegion r) {
  static constexpr std::string_view names[] = {"head", "shoulders", "torso", "pelvis", "legs", "feet", "arms"};
  return names[static_cast<std::size_t>(r)];
}

BodyScenario::BodyScenario(std::uint16_t rows, std::uint16_t cols, double pitch_cm, double frame_rate_hz,
                           std::uint64_t seed, BodyScenarioOptions options)
    : rows_(rows), cols_(cols), pitch_cm_(pitch_cm), rate_hz_(frame_rate_hz), seed_(seed), options_(options) {
  if (rows < 8 || cols < 8) throw std::invalid_argument("body scenario needs at least 8x8 sensels");
  if (!(pitch_cm > 0.1 && pitch_cm < 20)) throw std::invalid_argument("body scenario: pitch must be 0.1..20 cm");
  if (!(frame_rate_hz > 0 && frame_rate_hz <= 10000)) throw std::invalid_argument("body scenario: rate must be 0..10000 Hz");
  if (!(options_.breaths_per_minute >= 2 && options_.breaths_per_minute <= 60))
    throw std::invalid_argument("body scenario: breaths_per_minute must be 2..60");
  if (options_.mean_shift_interval_s < 0 || options_.shift_duration_s <= 0)
    throw std::invalid_argument("body scenario: shift interval must be >= 0 and duration > 0");
  if (options_.mean_shift_interval_s > 0 && options_.mean_shift_interval_s <= options_.shift_duration_s)
    throw std::invalid_argument("body scenario: mean shift interval must exceed the shift duration");

  switch (options_.posture) {
    case Posture::supine: blobs_ = supine_blobs(); break;
    case Posture::prone: blobs_ = prone_blobs(); break;
    case Posture::left_side: blobs_ = side_blobs(1.0); break;
    case Posture::right_side: blobs_ = side_blobs(-1.0); break;
  }
  const double mat_length = rows_ * pitch_cm_;
  const double needed = options_.body_length_cm + 2 * head_top_cm_;
  if (mat_length < needed) scale_ = (mat_length - 2 * head_top_cm_) / options_.body_length_cm;
  if (scale_ <= 0.05) throw std::invalid_argument("body scenario: mat too short for a body");

  const std::size_t n = std::size_t{rows_} * cols_;
  static_layer_.assign(n, 0.0f);
  pressure_.assign(n, 0.0f);

  std::uint64_t s = seed_ ^ 0x6A09E667F3BCC908ull;
  gaussian_table_.resize(1u << 16);
  for (float& g : gaussian_table_) g = static_cast<float>(standard_normal(s));
  // Stuck sensels: distinct, fixed for the seed.
  std::vector<std::uint32_t> order(n);
  for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
  const std::size_t stuck = std::min<std::size_t>(n, std::size_t{options_.dead_sensels} + options_.hot_sensels);
  for (std::size_t i = 0; i < stuck; ++i) std::swap(order[i], order[i + splitmix64(s) % (n - i)]);
  dead_.assign(order.begin(), order.begin() + std::min<std::size_t>(stuck, options_.dead_sensels));
  hot_.assign(order.begin() + static_cast<std::ptrdiff_t>(dead_.size()), order.begin() + static_cast<std::ptrdiff_t>(stuck));

  shift_rng_state_ = seed_ ^ 0xBB67AE8584CAA73Bull;
  shifts_until_s_ = lies_down() ? options_.empty_before_s + kLieDownS : 0.0;
}

// Shifts form a renewal process: each gap is the movement itself plus an exponential rest,
// so the mean interval is the configured one and movements never overlap. Generated in
// time order on demand, so any frame can be asked for in any order.
void BodyScenario::extend_shifts(double until_s) {
  if (options_.mean_shift_interval_s <= 0) return;
  const double duration = options_.shift_duration_s;
  const double rest_mean = options_.mean_shift_interval_s - duration;
  while (shifts_until_s_ <= until_s) {
    std::uint64_t& s = shift_rng_state_;
    const double start = shifts_until_s_ - rest_mean * std::log(std::max(uniform01(s), 1e-300));
    const Pose from = shifts_.empty() ? Pose{} : shifts_.back().to;
    Pose to;
    to.along_cm = std::clamp(0.5 * from.along_cm + 1.5 * standard_normal(s), -6.0, 6.0);
    to.across_cm = std::clamp(0.5 * from.across_cm + 2.5 * standard_normal(s), -8.0, 8.0);
    to.angle_rad = std::clamp(0.5 * from.angle_rad + 2.5 * pi / 180 * standard_normal(s), -0.14, 0.14);
    const double side = uniform01(s) < 0.5 ? -1.0 : 1.0;
    if (std::abs(from.roll) > 0.1 && uniform01(s) < 0.5)
      to.roll = 0.05 * standard_normal(s);  // back to lying flat
    else
      to.roll = side * (0.15 + 0.2 * uniform01(s));
    to.roll = std::clamp(to.roll, -0.4, 0.4);
    shifts_.push_back({start, to});
    shifts_until_s_ = start + duration;
  }
}

std::vector<double> BodyScenario::shift_times(double until_s) {
  extend_shifts(until_s);
  std::vector<double> t;
  for (const Shift& s : shifts_)
    if (s.start_s < until_s) t.push_back(s.start_s);
  return t;
}

BodyState BodyScenario::state_at_time(double t) {
  BodyState st;
  st.time_s = t;
  st.occupancy = lies_down() ? std::clamp((t - options_.empty_before_s) / kLieDownS, 0.0, 1.0) : 1.0;

  // Breathing: a slowly wandering rate (two slow sinusoids in the phase, seeded offsets),
  // so the spectrum has a clear peak at the configured rate but is not a pure tone.
  std::uint64_t s = seed_ ^ 0x3C6EF372FE94F82Bull;
  const double th1 = 2 * pi * uniform01(s), th2 = 2 * pi * uniform01(s);
  const double f0 = options_.breaths_per_minute / 60.0;
  const double a1 = 0.6, w1 = 2 * pi * 0.013, a2 = 0.3, w2 = 2 * pi * 0.031;
  st.breath_phase_rad = 2 * pi * f0 * t + a1 * std::sin(w1 * t + th1) + a2 * std::sin(w2 * t + th2);
  st.breaths_per_minute = 60.0 * (f0 + (a1 * w1 * std::cos(w1 * t + th1) + a2 * w2 * std::cos(w2 * t + th2)) / (2 * pi));

  extend_shifts(t);
  auto after = std::upper_bound(shifts_.begin(), shifts_.end(), t,
                                [](double x, const Shift& sh) { return x < sh.start_s; });
  st.shifts_started = static_cast<std::uint32_t>(after - shifts_.begin());
  if (after != shifts_.begin()) {
    const Shift& cur = *(after - 1);
    const Pose from = (after - 1 == shifts_.begin()) ? Pose{} : (after - 2)->to;
    const double u = (t - cur.start_s) / options_.shift_duration_s;
    if (u < 1.0) {
      const double k = smoothstep(u);
      st.pose.along_cm = from.along_cm + k * (cur.to.along_cm - from.along_cm);
      st.pose.across_cm = from.across_cm + k * (cur.to.across_cm - from.across_cm);
      st.pose.angle_rad = from.angle_rad + k * (cur.to.angle_rad - from.angle_rad);
      // Rolling over lifts one side first: overshoot the roll mid-movement.
      const double dir = cur.to.roll >= from.roll ? 1.0 : -1.0;
      st.pose.roll = from.roll + k * (cur.to.roll - from.roll) + 0.3 * dir * std::sin(pi * u);
      st.shifting = true;
      st.shift_progress = u;
    } else {
      st.pose = cur.to;
    }
  }
  return st;
}

BodyState BodyScenario::state_at(std::uint64_t frame_index) {
  return state_at_time(static_cast<double>(frame_index) / rate_hz_);
}

void BodyScenario::render_blob(const Blob& blob, const Pose& pose, double gain, double along_extra_cm,
                               std::vector<float>& layer) const {
  const double lateral = std::clamp(blob.across_cm / 12.0, -1.0, 1.0);
  const double peak = blob.peak_mmhg * gain * std::max(0.0, 1.0 + kRollLoadShare * pose.roll * lateral);
  if (peak <= 0) return;
  const double length = options_.body_length_cm * scale_;
  const double rel_s = (blob.along_frac - kPelvisFrac) * length + along_extra_cm * scale_;
  const double x = (blob.across_cm + 8.0 * pose.roll) * scale_;  // rolling moves contact sideways
  const double c = std::cos(pose.angle_rad), sn = std::sin(pose.angle_rad);
  const double pivot_y = head_top_cm_ + kPelvisFrac * length + pose.along_cm;
  const double pivot_x = 0.5 * cols_ * pitch_cm_ + pose.across_cm;
  const double cy = pivot_y + rel_s * c - x * sn;
  const double cx = pivot_x + rel_s * sn + x * c;
  const double a = blob.half_length_cm * scale_, b = blob.half_width_cm * scale_;
  const double reach = std::max(a, b);
  const int r0 = std::max(0, static_cast<int>(std::floor((cy - reach) / pitch_cm_)));
  const int r1 = std::min<int>(rows_ - 1, static_cast<int>(std::ceil((cy + reach) / pitch_cm_)));
  const int c0 = std::max(0, static_cast<int>(std::floor((cx - reach) / pitch_cm_)));
  const int c1 = std::min<int>(cols_ - 1, static_cast<int>(std::ceil((cx + reach) / pitch_cm_)));
  const double inv_a2 = 1.0 / (a * a), inv_b2 = 1.0 / (b * b);
  for (int r = r0; r <= r1; ++r) {
    const double dy = (r + 0.5) * pitch_cm_ - cy;
    float* row = layer.data() + static_cast<std::size_t>(r) * cols_;
    for (int col = c0; col <= c1; ++col) {
      const double dx = (col + 0.5) * pitch_cm_ - cx;
      const double u = dy * c + dx * sn, v = -dy * sn + dx * c;
      const double q = 1.0 - (u * u * inv_a2 + v * v * inv_b2);
      if (q > 0) row[col] += static_cast<float>(peak * q * std::sqrt(q));
    }
  }
}

void BodyScenario::render_body(double t) {
  const BodyState st = state_at_time(t);
  RenderKey key{};
  key.pose = st.pose;
  const double since = t - options_.empty_before_s;
  for (std::size_t g = 0; g < kRegionCount; ++g)
    key.gains[g] = lies_down() ? smoothstep((since - kLieDownRamp[g][0]) / (kLieDownRamp[g][1] - kLieDownRamp[g][0])) : 1.0;
  if (st.shifting) {
    // Limbs move while the client shifts: legs and arms sway across by a few cm.
    std::uint64_t s = seed_ ^ (0x510E527FADE682D1ull * st.shifts_started);
    key.limb_wiggle = std::sin(pi * st.shift_progress) *
                      std::sin(2 * pi * (1.3 * st.shift_progress * options_.shift_duration_s + uniform01(s)));
  }
  if (!static_valid_ || !(key == static_key_)) {
    std::fill(static_layer_.begin(), static_layer_.end(), 0.0f);
    for (const Blob& blob : blobs_) {
      if (blob.breathing != 0) continue;
      Pose p = key.pose;
      if (blob.region == BodyRegion::legs || blob.region == BodyRegion::feet || blob.region == BodyRegion::arms)
        p.across_cm += 4.0 * key.limb_wiggle;
      render_blob(blob, p, key.gains[static_cast<std::size_t>(blob.region)], 0.0, static_layer_);
    }
    static_key_ = key;
    static_valid_ = true;
  }
  pressure_ = static_layer_;
  const double breath = std::sin(st.breath_phase_rad);
  for (const Blob& blob : blobs_) {
    if (blob.breathing == 0) continue;
    const double gain = key.gains[static_cast<std::size_t>(blob.region)] *
                        (1.0 + options_.breath_depth * blob.breathing * breath);
    // Inhaling lifts the chest towards the head end of the contact.
    render_blob(blob, key.pose, gain, -kBreathShiftCm * blob.breathing * breath, pressure_);
  }
}

const std::vector<float>& BodyScenario::pressure_mmhg_at(std::uint64_t frame_index) {
  render_body(static_cast<double>(frame_index) / rate_hz_);
  return pressure_;
}

void BodyScenario::fill_frame(std::uint64_t frame_index, MatFrame& out) {
  render_body(static_cast<double>(frame_index) / rate_hz_);
  const std::size_t n = pressure_.size();
  out.device_seq = static_cast<std::uint32_t>(frame_index);
  out.device_time_us = static_cast<std::uint64_t>(std::llround(static_cast<double>(frame_index) * 1e6 / rate_hz_));
  out.rows = rows_;
  out.cols = cols_;
  out.suspect = false;
  out.raw.resize(n);
  std::uint64_t frame_state = seed_ ^ (frame_index * 0xD1B54A32D192ED03ull);
  std::uint64_t x = splitmix64(frame_state) | 1;
  const float sigma = static_cast<float>(options_.noise_sigma_counts);
  const float offset = static_cast<float>(options_.adc_offset_counts) + 0.5f;
  const float gain = static_cast<float>(kCountsPerMmHg);
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;  // xorshift64: a fresh table index per sensel, cheap enough for 100 Hz
    x ^= x >> 7;
    x ^= x << 17;
    const float v = offset + gain * pressure_[i] + sigma * gaussian_table_[x >> 48];
    out.raw[i] = v <= 0.0f ? 0 : v >= static_cast<float>(kAdcMax) ? kAdcMax : static_cast<std::uint16_t>(v);
  }
  for (std::uint32_t i : dead_) out.raw[i] = 0;
  for (std::uint32_t i : hot_) out.raw[i] = kAdcMax;
}

MatFrame BodyScenario::frame_at(std::uint64_t frame_index) {
  MatFrame f;
  fill_frame(frame_index, f);
  return f;
}

}  // namespace plinth::sim
