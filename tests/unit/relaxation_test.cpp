// The relaxation readout on synthetic inputs whose answer is known.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/hrv/hrv_monitor.hpp"
#include "hrv_test_data.hpp"
#include "daemon/relaxation/relaxation.hpp"

namespace plinth {
namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kT0 = 1'800'000'000 * kS;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double input(const RelaxationReading& r, const std::string& name) {
  for (const auto& [n, v] : r.inputs)
    if (n == name) return v;
  ADD_FAILURE() << name;
  return 0;
}
double weight(const RelaxationReading& r, const std::string& name) {
  for (const auto& [n, v] : r.weights)
    if (n == name) return v;
  ADD_FAILURE() << name;
  return 0;
}

constexpr double kBodyN = 700.0;  // a resting client's load on the mat

// Feeds `seconds` of pressure at 10 Hz with the given movement index (1/s), CoP velocity (cm/s)
// and load.
void feed(RelaxationTracker& t, std::int64_t from, double seconds, double movement, double sway, double load = kBodyN) {
  for (int k = 0; k < static_cast<int>(seconds * 10); ++k)
    t.on_pressure(StillnessSample{from + k * kS / 10, true, load, 0.1, movement * 0.1, sway * 0.1});
}

void leave(RelaxationTracker& t, std::int64_t from, double seconds) {
  for (int k = 0; k < static_cast<int>(seconds * 10); ++k) t.on_pressure(StillnessSample{from + k * kS / 10, false, 0, 0.1, 0, 0});
}

// A standard (300-s, final decisions) HRV window compared with the baseline.
HrvMetrics standard_window(double delta_ln_rmssd, double hf_change_pct, double artifact_pct = 0.0) {
  HrvMetrics m;
  m.kind = HrvWindowKind::standard;
  m.baseline.delta_ln_rmssd = delta_ln_rmssd;
  m.baseline.hf_change_pct = hf_change_pct;
  m.artifact_pct = artifact_pct;
  return m;
}

// The first tests check the fusion itself: no settling time, so the baseline is the first minute.
RelaxationSettings immediate(double baseline_s = 60) {
  RelaxationSettings s;
  s.settle_s = 0;
  s.baseline_s = baseline_s;
  return s;
}

TEST(Relaxation, ReportsBaselineUntilTheBaselineEnds) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 30, 0.2, 1.0);
  auto r = t.reading(kT0 + 30 * kS);
  EXPECT_EQ(r.state, "baseline");
  EXPECT_DOUBLE_EQ(r.index, 50.0);
}

TEST(Relaxation, SameAsBaselineIsFifty) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 120, 0.2, 1.0);
  auto r = t.reading(kT0 + 120 * kS);
  EXPECT_EQ(r.state, "live");
  EXPECT_FALSE(r.heart_available);
  EXPECT_NEAR(r.index, 50.0, 1e-9);
  EXPECT_NEAR(input(r, "movement_ratio"), 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(weight(r, "stillness"), 1.0);  // no strap: stillness alone
  EXPECT_NE(r.note.find("stillness only"), std::string::npos);
}

TEST(Relaxation, StillerThanBaselineRaisesTheIndexByTheDocumentedFormula) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 60, 0.4, 2.0);
  feed(t, kT0 + 60 * kS, 60, 0.1, 0.5);  // a quarter of the baseline movement and sway
  auto r = t.reading(kT0 + 120 * kS);
  // stillness = 50 + 50 tanh(ln 4 / 1) for both parts.
  const double expected = 50 + 50 * std::tanh(std::log(4.0));
  EXPECT_NEAR(input(r, "stillness_score"), expected, 1e-6);
  EXPECT_NEAR(r.index, expected, 1e-6);
  EXPECT_GT(r.index, 90);
}

TEST(Relaxation, HeartDataFusesWithDocumentedWeights) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 120, 0.2, 1.0);  // stillness unchanged: 50
  t.on_hrv(kT0 + 118 * kS, standard_window(0.4, 100.0));  // lnRMSSD +0.4, HF doubled
  auto r = t.reading(kT0 + 120 * kS);
  ASSERT_TRUE(r.heart_available);
  const double rmssd_term = 50 + 50 * std::tanh(0.4 / 0.4);
  const double hf_term = 50 + 50 * std::tanh(std::log(2.0) / 1.0);
  const double parasympathetic = 0.6 * rmssd_term + 0.4 * hf_term;
  EXPECT_NEAR(input(r, "parasympathetic_score"), parasympathetic, 1e-9);
  EXPECT_NEAR(r.index, 0.6 * parasympathetic + 0.4 * 50.0, 1e-9);
  EXPECT_DOUBLE_EQ(weight(r, "parasympathetic"), 0.6);
}

TEST(Relaxation, StaleHeartDataFallsBackToStillness) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 200, 0.2, 1.0);
  t.on_hrv(kT0 + 100 * kS, standard_window(1.0, 50.0));
  auto r = t.reading(kT0 + 200 * kS);  // 100 s after the last HRV update
  EXPECT_FALSE(r.heart_available);
  EXPECT_NEAR(r.index, 50.0, 1e-9);
}

TEST(Relaxation, TrendFollowsTheIndex) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 60, 1.0, 2.0);
  int last_trend = 0;
  // Movement falls steadily: the index rises, the trend says so.
  for (int step = 0; step < 12; ++step) {
    const std::int64_t from = kT0 + (60 + step * 5) * kS;
    feed(t, from, 5, 1.0 / (1 + step), 2.0 / (1 + step));
    last_trend = t.reading(from + 5 * kS).trend;
  }
  EXPECT_EQ(last_trend, 1);
}

TEST(Relaxation, MarkedBaselineReplacesTheFirstMinutes) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 100, 1.0, 2.0);
  feed(t, kT0 + 100 * kS, 100, 0.25, 0.5);
  EXPECT_GT(t.reading(kT0 + 200 * kS).index, 80);
  t.mark_baseline(kT0 + 150 * kS, kT0 + 200 * kS);  // the calm part is now the baseline
  EXPECT_NEAR(t.reading(kT0 + 200 * kS).index, 50.0, 1e-6);
}

TEST(Relaxation, EmptyTableIsNoData) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 60, 0.2, 1.0);
  leave(t, kT0 + 60 * kS, 60);
  EXPECT_EQ(t.reading(kT0 + 120 * kS).state, "no_data");
}

TEST(Relaxation, BaselineStartsAfterTheSettlingTimeOnTheTable) {
  RelaxationSettings s;  // defaults: 180 s settling, 180 s baseline
  RelaxationTracker t(s);
  t.start_session(kT0);
  EXPECT_EQ(t.reading(kT0 + 10 * kS).state, "settling");
  feed(t, kT0 + 20 * kS, 100, 0.2, 1.0);
  // The client gets up and lies down again: settling starts again.
  leave(t, kT0 + 120 * kS, 5);
  feed(t, kT0 + 125 * kS, 179, 0.2, 1.0);
  auto r = t.reading(kT0 + 304 * kS);
  EXPECT_EQ(r.state, "settling") << r.note;
  EXPECT_NE(r.note.find("settling on the table"), std::string::npos) << r.note;
  feed(t, kT0 + 304 * kS, 10, 0.2, 1.0);  // 180 s on the table at 305 s
  EXPECT_EQ(t.reading(kT0 + 310 * kS).state, "baseline");
  EXPECT_FALSE(t.take_completed_baseline(kT0 + 400 * kS).has_value());
  feed(t, kT0 + 314 * kS, 200, 0.2, 1.0);
  const auto segment = t.take_completed_baseline(kT0 + 486 * kS);
  ASSERT_TRUE(segment.has_value());
  EXPECT_NEAR(static_cast<double>(segment->first - kT0) / 1e9, 305.0, 0.11);
  EXPECT_EQ(segment->second - segment->first, 180 * kS);
  EXPECT_FALSE(t.take_completed_baseline(kT0 + 490 * kS).has_value());  // handed out once
  EXPECT_EQ(t.reading(kT0 + 490 * kS).state, "live");
}

TEST(Relaxation, WithoutAMatTheSettlingRunsFromTheStartAndHrvAloneIsLive) {
  RelaxationSettings s;
  s.settle_s = 60;
  s.baseline_s = 60;
  RelaxationTracker t(s);
  t.start_session(kT0, false);
  EXPECT_EQ(t.reading(kT0 + 30 * kS).state, "settling");
  EXPECT_EQ(t.reading(kT0 + 90 * kS).state, "baseline");
  ASSERT_TRUE(t.take_completed_baseline(kT0 + 121 * kS).has_value());
  t.on_hrv(kT0 + 200 * kS, standard_window(0.4, kNaN));
  const auto r = t.reading(kT0 + 201 * kS);
  EXPECT_EQ(r.state, "live");
  EXPECT_NEAR(r.index, 50 + 50 * std::tanh(1.0), 1e-9);
  EXPECT_DOUBLE_EQ(weight(r, "parasympathetic"), 1.0);
}

TEST(Relaxation, SaysWhenHrvWaitsForItsBaseline) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 120, 0.2, 1.0);
  t.on_hrv(kT0 + 119 * kS, standard_window(kNaN, kNaN));  // beats, but no HRV baseline yet
  const auto r = t.reading(kT0 + 120 * kS);
  EXPECT_FALSE(r.heart_available);
  EXPECT_NE(r.note.find("HRV joins once the baseline's beats are finally decided"), std::string::npos) << r.note;
}

TEST(Relaxation, OnlyStandardWindowsWithFewArtifactsMoveTheReadout) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 120, 0.2, 1.0);
  HrvMetrics sliding = standard_window(1.0, 0.0);
  sliding.kind = HrvWindowKind::sliding;
  t.on_hrv(kT0 + 100 * kS, sliding);  // the 60-s display window is not an input
  EXPECT_FALSE(t.reading(kT0 + 101 * kS).heart_available);
  t.on_hrv(kT0 + 105 * kS, standard_window(0.2, 10.0, 2.0));
  const double accepted = t.reading(kT0 + 106 * kS).index;
  // A window with 7.5 % corrected beats (limit 5 %) does not move it, and the note says why.
  t.on_hrv(kT0 + 110 * kS, standard_window(1.5, 300.0, 7.5));
  const auto r = t.reading(kT0 + 111 * kS);
  EXPECT_NEAR(r.index, accepted, 1e-9);
  EXPECT_NEAR(input(r, "delta_ln_rmssd"), 0.2, 1e-12);
  EXPECT_NE(r.note.find("HRV held: 7.5 % corrected beats"), std::string::npos) << r.note;
  // Once only held windows come, the heart part goes stale.
  t.on_hrv(kT0 + 150 * kS, standard_window(1.5, 300.0, 7.5));
  EXPECT_FALSE(t.reading(kT0 + 151 * kS).heart_available);
}

TEST(Relaxation, TheTherapistsHandsDoNotReadAsTheClientMoving) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 120, 0.1, 0.5);
  const double before = t.reading(kT0 + 120 * kS).index;
  // Strokes: 2 s of hands pressing (+80 N, the map changing fast) then 1 s without, for 30 s.
  for (int stroke = 0; stroke < 10; ++stroke) {
    const std::int64_t at = kT0 + (120 + 3 * stroke) * kS;
    feed(t, at, 2, 2.0, 5.0, kBodyN + 80);
    feed(t, at + 2 * kS, 1, 0.1, 0.5);
  }
  const auto r = t.reading(kT0 + 150 * kS);
  EXPECT_NEAR(r.index, before, 1e-6);
  // 200 hands-on frames against 100 still ones, plus the still second before the window's start.
  EXPECT_NEAR(input(r, "hands_on_pct"), 100.0 * 200 / 310, 1e-9);
  EXPECT_NEAR(input(r, "resting_load_n"), kBodyN, 1e-9);
  // The client shifting on the table (load unchanged) does count.
  feed(t, kT0 + 150 * kS, 30, 2.0, 5.0);
  EXPECT_LT(t.reading(kT0 + 180 * kS).index, before - 20);
}

TEST(Relaxation, ATechniqueMarkerDownweightsStillnessUntilRest) {
  RelaxationTracker t(immediate());
  t.start_session(kT0);
  feed(t, kT0, 120, 0.2, 1.0);
  t.on_hrv(kT0 + 119 * kS, standard_window(0.0, 0.0));
  EXPECT_NEAR(weight(t.reading(kT0 + 120 * kS), "stillness"), 0.4, 1e-12);
  t.on_marker(kT0 + 120 * kS, "effleurage");
  feed(t, kT0 + 120 * kS, 5, 0.2, 1.0);
  t.on_hrv(kT0 + 124 * kS, standard_window(0.0, 0.0));
  auto r = t.reading(kT0 + 125 * kS);
  EXPECT_NEAR(weight(r, "stillness"), 0.4 * 0.25 / (0.6 + 0.4 * 0.25), 1e-12);
  EXPECT_DOUBLE_EQ(input(r, "technique_active"), 1.0);
  t.on_marker(kT0 + 126 * kS, "Rest");
  EXPECT_NEAR(weight(t.reading(kT0 + 127 * kS), "stillness"), 0.4, 1e-12);
  EXPECT_TRUE(is_rest_marker("hands off"));
  EXPECT_FALSE(is_rest_marker("petrissage"));
}

TEST(Relaxation, BadSettingsAreRejected) {
  RelaxationSettings s;
  s.weight_parasympathetic = 0;
  s.weight_stillness = 0;
  EXPECT_THROW(RelaxationTracker{s}, std::invalid_argument);
  s = {};
  s.technique_stillness_factor = 2;
  EXPECT_THROW(validate(s), std::invalid_argument);
}

// Real beats through the live HRV engine into the readout (no mat): the automatic baseline is
// handed to the strap, the 300-s window's lnRMSSD and HF arrive. Expected values from an
// independent NumPy computation on ../shared/data/hrv/nsr_60min_nn_ms.txt: beats at the
// cumulative RR times, baseline = beats ending in (180 s, 360 s], the last standard window =
// the 300 s ending at the last 5-s step (3595.881 s): RMSSD 47.067903 and 52.903845 ms.
TEST(Relaxation, HrvFromRealBeatsReachesTheReadout) {
  HrvMonitorSettings hs;
  hs.artifacts.mode = CorrectionMode::none;  // the NumPy side has no corrections
  hs.baseline_s = 0;                         // the tracker decides the baseline
  HrvMonitor monitor(hs);
  RelaxationTracker t;  // defaults: 180 s settling, 180 s baseline
  t.start_session(kT0, false);
  HrvMonitorOutput out;
  std::int64_t now = kT0;
  HrvMetrics last_standard;
  for (const double rr : test::nn_60min()) {
    now += static_cast<std::int64_t>(std::llround(rr * 1e6));
    monitor.push(RawBeat{rr, now, 0}, out);
    if (const auto segment = t.take_completed_baseline(now)) monitor.set_baseline_segment(segment->first, segment->second, out);
    for (const HrvMetrics& u : out.updates) {
      t.on_hrv(now, u);
      if (u.kind == HrvWindowKind::standard) last_standard = u;
    }
    out.clear();
  }
  ASSERT_TRUE(monitor.baseline().has_value());
  EXPECT_NEAR(monitor.baseline()->time.rmssd_ms, 47.067903076, 1e-6);
  EXPECT_NEAR(last_standard.time.rmssd_ms, 52.903844793, 1e-6);
  const auto r = t.reading(now);
  EXPECT_EQ(r.state, "live");
  EXPECT_TRUE(r.heart_available);
  EXPECT_NEAR(input(r, "delta_ln_rmssd"), 0.116884711250, 1e-9);
  ASSERT_TRUE(std::isfinite(input(r, "hf_change_pct")));  // HF reaches the readout
  EXPECT_DOUBLE_EQ(input(r, "hf_change_pct"), last_standard.baseline.hf_change_pct);
  EXPECT_DOUBLE_EQ(weight(r, "hf"), 0.4);
  EXPECT_DOUBLE_EQ(weight(r, "parasympathetic"), 1.0);  // no mat: no stillness part
}

TEST(Relaxation, FlattenMatchesTheArchiveFields) {
  RelaxationTracker t;
  t.start_session(kT0);
  std::vector<double> values;
  RelaxationTracker::flatten(t.reading(kT0), values);
  EXPECT_EQ(values.size(), RelaxationTracker::archive_fields().size());
}

}  // namespace
}  // namespace plinth
