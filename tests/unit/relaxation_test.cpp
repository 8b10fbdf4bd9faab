// The relaxation readout on synthetic inputs whose answer is known.
#include <gtest/gtest.h>

#include <cmath>

#include "daemon/relaxation/relaxation.hpp"

namespace plinth {
namespace {

constexpr std::int64_t kS = 1'000'000'000;
constexpr std::int64_t kT0 = 1'800'000'000 * kS;

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

// Feeds `seconds` of pressure at 10 Hz with the given movement and sway.
void feed(RelaxationTracker& t, std::int64_t from, double seconds, double movement, double sway) {
  for (int k = 0; k < static_cast<int>(seconds * 10); ++k) t.on_pressure(from + k * kS / 10, movement, sway, true);
}

TEST(Relaxation, ReportsBaselineUntilTheBaselineEnds) {
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
  t.start_session(kT0);
  feed(t, kT0, 30, 0.2, 1.0);
  auto r = t.reading(kT0 + 30 * kS);
  EXPECT_EQ(r.state, "baseline");
  EXPECT_DOUBLE_EQ(r.index, 50.0);
}

TEST(Relaxation, SameAsBaselineIsFifty) {
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
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
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
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
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
  t.start_session(kT0);
  feed(t, kT0, 120, 0.2, 1.0);  // stillness unchanged: 50
  t.on_hrv(kT0 + 118 * kS, 0.4, 100.0);  // lnRMSSD +0.4, HF doubled
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
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
  t.start_session(kT0);
  feed(t, kT0, 200, 0.2, 1.0);
  t.on_hrv(kT0 + 100 * kS, 1.0, 50.0);
  auto r = t.reading(kT0 + 200 * kS);  // 100 s after the last HRV update
  EXPECT_FALSE(r.heart_available);
  EXPECT_NEAR(r.index, 50.0, 1e-9);
}

TEST(Relaxation, TrendFollowsTheIndex) {
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
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
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
  t.start_session(kT0);
  feed(t, kT0, 100, 1.0, 2.0);
  feed(t, kT0 + 100 * kS, 100, 0.25, 0.5);
  EXPECT_GT(t.reading(kT0 + 200 * kS).index, 80);
  t.mark_baseline(kT0 + 150 * kS, kT0 + 200 * kS);  // the calm part is now the baseline
  EXPECT_NEAR(t.reading(kT0 + 200 * kS).index, 50.0, 1e-6);
}

TEST(Relaxation, EmptyTableIsNoData) {
  RelaxationSettings s;
  s.baseline_s = 60;
  RelaxationTracker t(s);
  t.start_session(kT0);
  feed(t, kT0, 60, 0.2, 1.0);
  for (int k = 0; k < 600; ++k) t.on_pressure(kT0 + 60 * kS + k * kS / 10, 0.2, 1.0, false);
  EXPECT_EQ(t.reading(kT0 + 120 * kS).state, "no_data");
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
