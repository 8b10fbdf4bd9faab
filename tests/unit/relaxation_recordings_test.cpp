// The stillness part of the relaxation readout on real pressure maps: a lying body from the
// Vista FSA recordings (../shared/data/pressure/pmatdata/S1, 64 x 32, 2.54 cm, ~1 Hz) through
// the daemon's own pressure pipeline, with and without a therapist's hand added on the map.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/relaxation/relaxation.hpp"
#include "tests/unit/vista_recordings.hpp"

namespace plinth {
namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kT0 = 1'800'000'000 * kS;
using vista::kMmhgPerCount;

std::vector<MatFrame> posture(int n) {
  auto frames = vista::read_posture(n);
  frames.erase(frames.begin(), frames.begin() + 3);  // frames 0-2 are unreliable (data README)
  return frames;
}

PressureConfig vista_config() {
  PressureConfig c = vista::config();
  c.occupancy.on_hold_s = 0.0;  // occupied from the first loaded frame
  return c;
}

// A palm (4 x 6 sensels, about 10 x 15 cm) pressing 60 mmHg on top of the body, `row` its top.
MatFrame with_hand(MatFrame f, int row) {
  for (int r = row; r < row + 4; ++r)
    for (int c = 13; c < 19; ++c) {
      auto& v = f.raw[static_cast<std::size_t>(r) * 32 + c];
      v = static_cast<std::uint16_t>(std::min(4095.0, v + 60.0 / kMmhgPerCount));
    }
  return f;
}

// The body moved by `columns` sensels across the mat (the body lies clear of the mat's edges).
MatFrame moved_sideways(MatFrame f, int columns) {
  MatFrame out = f;
  for (int r = 0; r < 64; ++r)
    for (int c = 0; c < 32; ++c) {
      const int from = c - columns;
      out.raw[static_cast<std::size_t>(r) * 32 + c] = from >= 0 && from < 32 ? f.raw[static_cast<std::size_t>(r) * 32 + from] : 0;
    }
  return out;
}

struct Session {
  PressurePipeline pipeline{vista_config()};
  RelaxationTracker tracker;
  std::int64_t t = kT0;
  double peak_movement = 0;
  explicit Session(RelaxationSettings s) : tracker(s) { tracker.start_session(kT0); }
  void frame(const MatFrame& f) {
    const PressureResult& r = pipeline.process(f, t);
    if (!r.suspect) {
      tracker.on_pressure(StillnessSample{t, r.occupied, r.frame.total_load_n, r.step_dt_s, r.step_movement, r.step_cop_cm});
      peak_movement = std::max(peak_movement, r.movement_index_per_s);
    }
    t += kS;
  }
};

RelaxationSettings settings() {
  RelaxationSettings s;
  s.settle_s = 0;
  s.baseline_s = 40;
  s.current_window_s = 15;
  return s;
}

TEST(RelaxationRecordings, StrokesOnARealBodyDoNotReadAsMovementButShiftingDoes) {
  const auto supine = posture(1);
  ASSERT_GE(supine.size(), 75u);

  // Baseline: 40 s of the supine body, then 20 s more of it: the readout sits at 50.
  Session still(settings());
  for (std::size_t k = 0; k < 60; ++k) still.frame(supine[k]);
  const double quiet = still.tracker.reading(still.t).index;
  EXPECT_NEAR(quiet, 50.0, 10.0);  // the same body: 50 but for 15 s of real sensor noise

  // The same 20 s with a hand stroking down the back: two frames with it, two without.
  auto stroked = [&](RelaxationSettings s) {
    Session strokes(s);
    for (std::size_t k = 0; k < 40; ++k) strokes.frame(supine[k]);
    const double before_strokes = strokes.peak_movement;
    for (std::size_t k = 40; k < 60; ++k)
      strokes.frame(k % 4 >= 2 ? supine[k] : with_hand(supine[k], 16 + 2 * static_cast<int>(k % 12)));
    EXPECT_GT(strokes.peak_movement, 3 * before_strokes);  // the map does change a lot
    return strokes.tracker.reading(strokes.t);
  };
  const auto r = stroked(settings());
  double hands_on = 0;
  for (const auto& [name, value] : r.inputs)
    if (name == "hands_on_pct") hands_on = value;
  EXPECT_GT(hands_on, 40.0);  // half the frames carry the hand
  EXPECT_LT(hands_on, 75.0);
  // ... but the client did not move: the readout stays near the quiet body's (judged on the few
  // hands-off steps), where without the rule it falls far.
  RelaxationSettings no_rule = settings();
  no_rule.hands_min_load_n = 1e9;
  const double without_rule = stroked(no_rule).index;
  EXPECT_LT(without_rule, quiet - 20.0);
  EXPECT_LT(std::abs(r.index - quiet), (quiet - without_rule) / 3.0) << r.index << " " << quiet << " " << without_rule;
  std::printf("MEASURED hands: quiet body %.1f, strokes %.1f with the rule, %.1f without\n", quiet, r.index, without_rule);

  // The client fidgeting: the same body moved by a sensel (2.5 cm) sideways and back, the load
  // unchanged. That is movement.
  Session shift(settings());
  for (std::size_t k = 0; k < 40; ++k) shift.frame(supine[k]);
  for (std::size_t k = 40; k < 60; ++k) shift.frame(moved_sideways(supine[k], static_cast<int>(k % 3) - 1));
  EXPECT_LT(shift.tracker.reading(shift.t).index, quiet - 15.0);
}

}  // namespace
}  // namespace plinth
