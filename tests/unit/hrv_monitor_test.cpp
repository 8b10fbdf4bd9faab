#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "daemon/hrv/hrv_flatten.hpp"
#include "daemon/hrv/hrv_monitor.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

constexpr std::int64_t t0_ns = 1'700'000'000'000'000'000LL;

// Feeds a series as a live stream: each beat arrives when its interval ends.
HrvMonitorOutput feed(HrvMonitor& monitor, const std::vector<double>& rr, bool flush = true) {
  HrvMonitorOutput out;
  std::int64_t t = t0_ns;
  for (const double v : rr) {
    t += static_cast<std::int64_t>(std::llround(v * 1e6));
    monitor.push(RawBeat{v, t, 0}, out);
  }
  if (flush) monitor.flush(out);
  return out;
}

std::vector<const HrvMetrics*> of_kind(const HrvMonitorOutput& out, HrvWindowKind kind) {
  std::vector<const HrvMetrics*> r;
  for (const auto& u : out.updates) {
    if (u.kind == kind) r.push_back(&u);
  }
  return r;
}

HrvMonitorSettings no_correction() {
  HrvMonitorSettings s;
  s.artifacts.mode = CorrectionMode::none;
  s.baseline_s = 0.0;
  return s;
}

TEST(HrvMonitor, SlidingUpdatesEveryStepOverTheWindow) {
  const auto rr = test::nn_5min();
  HrvMonitor monitor(no_correction());
  const HrvMonitorOutput out = feed(monitor, rr);
  ASSERT_EQ(out.beats.size(), rr.size());
  const auto sliding = of_kind(out, HrvWindowKind::sliding);
  const auto standard = of_kind(out, HrvWindowKind::standard);
  // ~300 s of beats, one update per 5 s after the first beat.
  EXPECT_GE(sliding.size(), 57u);
  EXPECT_LE(sliding.size(), 60u);
  EXPECT_EQ(standard.size(), sliding.size());
  for (std::size_t i = 1; i < sliding.size(); ++i) {
    EXPECT_GE(sliding[i]->time_ns - sliding[i - 1]->time_ns, 5'000'000'000LL - 2'000'000'000LL);
    // Beats that END inside the window: the first interval may start up to one RR earlier.
    EXPECT_LE(sliding[i]->time.duration_s, 61.5);
    if (sliding[i]->time_ns - t0_ns > 62'000'000'000LL) {
      EXPECT_GT(sliding[i]->time.duration_s, 57.0) << i;
    }
    EXPECT_TRUE(std::isnan(sliding[i]->frequency.hf_ms2));  // < 2 min: no spectrum
  }
  // The last standard update covers (nearly) the whole 5-minute series.
  const HrvMetrics& last = *standard.back();
  const TimeDomainMetrics whole = time_domain_metrics(std::vector<double>(rr.begin() + 1, rr.end()));
  EXPECT_GE(last.time.nn_count, rr.size() - 8);
  EXPECT_NEAR(last.time.rmssd_ms, whole.rmssd_ms, 0.02 * whole.rmssd_ms);
  EXPECT_FALSE(std::isnan(last.frequency.hf_ms2));
}

TEST(HrvMonitor, ComputeNowMatchesTheBatchFunctions) {
  const auto rr = test::nn_5min();
  HrvMonitor monitor(no_correction());
  feed(monitor, rr);
  const HrvMetrics now = monitor.compute_now(600.0);
  const TimeDomainMetrics whole = time_domain_metrics(rr);
  EXPECT_EQ(now.kind, HrvWindowKind::on_demand);
  EXPECT_EQ(now.time.nn_count, rr.size());
  EXPECT_NEAR(now.time.rmssd_ms, whole.rmssd_ms, 1e-9);
  EXPECT_NEAR(now.time.sdnn_ms, whole.sdnn_ms, 1e-9);
  FrequencyAnalyzer analyzer;
  EXPECT_NEAR(now.frequency.hf_ms2, analyzer.compute(rr).hf_ms2, 1e-6);
  EXPECT_THROW(monitor.compute_now(0.0), std::invalid_argument);
}

TEST(HrvMonitor, AutomaticBaselineAndChange) {
  const auto rr = test::nn_5min();
  HrvMonitorSettings s;
  s.baseline_settle_s = 0.0;
  s.baseline_s = 150.0;
  HrvMonitor monitor(s);
  const HrvMonitorOutput out = feed(monitor, rr);
  const auto baselines = of_kind(out, HrvWindowKind::baseline);
  ASSERT_EQ(baselines.size(), 1u);
  ASSERT_TRUE(monitor.baseline().has_value());
  const HrvMetrics& base = *monitor.baseline();
  EXPECT_NEAR(base.time.duration_s, 150.0, 2.0);
  EXPECT_FALSE(std::isnan(base.frequency.hf_ms2));  // >= 2 min: spectrum available
  const HrvMetrics& last = *of_kind(out, HrvWindowKind::sliding).back();
  EXPECT_NEAR(last.baseline.delta_ln_rmssd, last.time.ln_rmssd - base.time.ln_rmssd, 1e-12);
  EXPECT_NEAR(last.baseline.rmssd_change_pct, 100.0 * (last.time.rmssd_ms / base.time.rmssd_ms - 1.0), 1e-9);
  const HrvMetrics& std_last = *of_kind(out, HrvWindowKind::standard).back();
  EXPECT_NEAR(std_last.baseline.hf_change_pct, 100.0 * (std_last.frequency.hf_ms2 / base.frequency.hf_ms2 - 1.0), 1e-9);
  // Updates before the baseline existed carry no comparison.
  EXPECT_TRUE(std::isnan(of_kind(out, HrvWindowKind::sliding).front()->baseline.delta_ln_rmssd));
}

TEST(HrvMonitor, ExplicitBaselineSegment) {
  const auto rr = test::nn_5min();
  HrvMonitor monitor(no_correction());
  HrvMonitorOutput out = feed(monitor, rr, false);
  out.clear();
  EXPECT_THROW(monitor.set_baseline_segment(t0_ns + 10, t0_ns, out), std::invalid_argument);
  EXPECT_THROW(monitor.set_baseline_segment(t0_ns, t0_ns + 700'000'000'000LL, out), std::invalid_argument);
  monitor.set_baseline_segment(t0_ns + 60'000'000'000LL, t0_ns + 120'000'000'000LL, out);
  ASSERT_EQ(out.updates.size(), 1u);
  EXPECT_EQ(out.updates[0].kind, HrvWindowKind::baseline);
  EXPECT_NEAR(out.updates[0].time.duration_s, 60.0, 2.0);
  ASSERT_TRUE(monitor.baseline().has_value());
  const HrvMetrics now = monitor.compute_now(60.0);
  EXPECT_NEAR(now.baseline.delta_ln_rmssd, now.time.ln_rmssd - monitor.baseline()->time.ln_rmssd, 1e-12);
}

TEST(HrvMonitor, HistoryIsBounded) {
  const auto rr = test::nn_60min();
  HrvMonitor monitor(no_correction());
  const HrvMonitorOutput out = feed(monitor, rr);
  EXPECT_EQ(out.beats.size(), rr.size());
  const HrvMetrics all = monitor.compute_now(3600.0);
  EXPECT_GT(all.beat_count, 600u);
  // Only the bounded history is kept: max_baseline_s (600 s) / min_rr_ms (250 ms) + 256 beats.
  EXPECT_LE(all.beat_count, 600u * 4u + 256u);
  EXPECT_LT(all.beat_count, rr.size());
}

TEST(HrvMonitor, CorrectsArtifactsLive) {
  auto rr = test::nn_60min();
  rr.resize(600);
  rr[300] += rr[301];  // a missed beat
  rr.erase(rr.begin() + 301);
  HrvMonitor monitor;  // lipponen by default
  EXPECT_EQ(monitor.delay_beats(), 6u);
  const HrvMonitorOutput out = feed(monitor, rr);
  ASSERT_EQ(out.beats.size(), rr.size());
  EXPECT_TRUE(out.beats[300].flags & beat_missed);
  EXPECT_EQ(out.beats[300].nn_count, 2u);
  EXPECT_TRUE(out.final_beats[300].flags & beat_missed);
  EXPECT_EQ(out.final_beats[300].nn_count, 2u);
  const auto standard = of_kind(out, HrvWindowKind::standard);
  EXPECT_GT(standard.back()->artifact_count, 0u);
}

TEST(HrvMonitor, AutomaticBaselineWaitsForTheSettlingTime) {
  const auto rr = test::nn_60min();
  HrvMonitorSettings s = no_correction();
  s.baseline_settle_s = 180.0;
  s.baseline_s = 180.0;
  HrvMonitor monitor(s);
  feed(monitor, rr);
  ASSERT_TRUE(monitor.baseline().has_value());
  // Beats ending in (first beat + 180 s, first beat + 360 s]: 241 (NumPy on the same file), 179.6 s.
  EXPECT_EQ(monitor.baseline()->beat_count, 241u);
  EXPECT_NEAR(monitor.baseline()->time.duration_s, 179.611, 1e-3);
}

// Two decisions per beat: the provisional one (6 beats, the live 60-s window) and the final one
// (52 beats, the 300-s window, the baseline and the archive).
TEST(HrvMonitor, FinalDecisionsFeedTheStandardWindow) {
  const auto rr = test::nn_5min();
  HrvMonitorSettings s;
  s.baseline_s = 0.0;
  HrvMonitor monitor(s);
  EXPECT_EQ(monitor.final_delay_beats(), 52u);
  HrvMonitorOutput out;
  std::int64_t t = t0_ns;
  std::size_t finals_before_60 = 0;
  for (std::size_t i = 0; i < rr.size(); ++i) {
    t += static_cast<std::int64_t>(std::llround(rr[i] * 1e6));
    monitor.push(RawBeat{rr[i], t, 0}, out);
    if (i == 59) finals_before_60 = out.final_beats.size();
  }
  EXPECT_EQ(finals_before_60, 60u - 52u);
  monitor.flush(out);
  ASSERT_EQ(out.beats.size(), rr.size());
  ASSERT_EQ(out.final_beats.size(), rr.size());
  std::size_t provisional = 0, final = 0;
  for (std::size_t i = 0; i < rr.size(); ++i) {
    EXPECT_EQ(out.final_beats[i].beat_index, i);
    EXPECT_EQ(out.final_beats[i].provisional_flags, out.beats[i].flags) << i;
    provisional += (out.beats[i].flags & beat_artifact_mask) != 0;
    final += (out.final_beats[i].flags & beat_artifact_mask) != 0;
  }
  EXPECT_EQ(provisional, 11u);  // trailing windows (schemas/hrv.md §3.2)
  EXPECT_EQ(final, 4u);         // centred windows, as the paper
  // The last standard window (emitted at the end) holds the final NN of its 300 s.
  const HrvMetrics& last = *of_kind(out, HrvWindowKind::standard).back();
  std::vector<double> nn;
  for (const auto& b : out.final_beats)
    if (b.time_ns > last.time_ns - 300'000'000'000LL)
      for (std::uint32_t k = 0; k < b.nn_count; ++k) nn.push_back(b.nn_ms);
  EXPECT_NEAR(last.time.rmssd_ms, time_domain_metrics(nn).rmssd_ms, 1e-9);
  EXPECT_EQ(last.artifact_count, 4u);
  // Sliding windows stay at the live edge; standard windows follow the final decisions.
  std::size_t pairs = 0;
  for (std::size_t i = 1; i + 1 < out.updates.size(); ++i) {
    if (out.updates[i].kind != HrvWindowKind::standard || out.updates[i - 1].kind != HrvWindowKind::sliding) continue;
    ++pairs;
    EXPECT_GT(out.updates[i - 1].time_ns - out.updates[i].time_ns, 30'000'000'000LL) << i;  // 52 beats
  }
  EXPECT_GT(pairs, 40u);
}

TEST(HrvMonitor, RejectsBadSettings) {
  HrvMonitorSettings s;
  s.window_s = 1.0;
  EXPECT_THROW(HrvMonitor{s}, std::invalid_argument);
  s = {};
  s.baseline_s = 5000.0;
  EXPECT_THROW(HrvMonitor{s}, std::invalid_argument);
}

TEST(HrvFlatten, NamesAndValuesLineUp) {
  const auto names = hrv_record_fields();
  EXPECT_EQ(std::set<std::string_view>(names.begin(), names.end()).size(), names.size());
  HrvMetrics m;
  m.time_ns = 123456789;
  m.time.rmssd_ms = 42.5;
  m.frequency.hf_ms2 = 777.0;
  m.baseline.hf_change_pct = -12.0;
  std::vector<double> values(names.size());
  flatten_hrv_record(m, values);
  auto at = [&](std::string_view name) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return values[i];
    }
    ADD_FAILURE() << "no field " << name;
    return 0.0;
  };
  EXPECT_EQ(names[0], "time_ns");
  EXPECT_DOUBLE_EQ(at("time_ns"), 123456789.0);
  EXPECT_DOUBLE_EQ(at("rmssd_ms"), 42.5);
  EXPECT_DOUBLE_EQ(at("hf_ms2"), 777.0);
  EXPECT_DOUBLE_EQ(at("hf_change_pct"), -12.0);
  EXPECT_TRUE(std::isnan(at("sdnn_ms")));
  std::vector<double> wrong(names.size() - 1);
  EXPECT_THROW(flatten_hrv_record(m, wrong), std::invalid_argument);
}

TEST(HrvFlatten, BeatRecord) {
  const auto names = beat_record_fields();
  const std::vector<std::string_view> expected{"time_ns", "beat_index", "rr_ms",   "nn_ms",
                                               "hr_bpm",  "flags",      "nn_count", "provisional_flags"};
  ASSERT_EQ(std::vector<std::string_view>(names.begin(), names.end()), expected);
  BeatRecord b;
  b.time_ns = 5;
  b.beat_index = 9;
  b.rr_ms = 1600;
  b.nn_ms = 800;
  b.hr_bpm = 75;
  b.flags = beat_missed | beat_split;
  b.nn_count = 2;
  b.provisional_flags = beat_long;
  std::vector<double> v(names.size());
  flatten_beat_record(b, v);
  EXPECT_EQ(v, (std::vector<double>{5, 9, 1600, 800, 75, static_cast<double>(beat_missed | beat_split), 2,
                                    static_cast<double>(beat_long)}));
  std::vector<double> wrong(3);
  EXPECT_THROW(flatten_beat_record(b, wrong), std::invalid_argument);
}

}  // namespace
}  // namespace plinth
