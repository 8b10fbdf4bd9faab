// RrBeatClock against a simulated strap: beats timed on its ±100 ppm crystal in 1/1024 s
// ticks, notifications batching up to three RR intervals, delivered with one-sided jitter.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "daemon/clock/rr_beat_clock.hpp"
#include "tests/unit/clock_simulation.hpp"

namespace plinth {
namespace {

using testing::ClockScore;

struct StrapScenario {
  double drift_ppm = 100.0;
  std::uint64_t seed = 1;
  testing::DeliveryDelay delay;
  double duration_s = 7200.0;
  double lost_from_s = -1.0;  // notifications sent in [lost_from_s, lost_from_s + lost_for_s) are lost
  double lost_for_s = 0.0;
  double ramp_ppm = 0.0;  // the crystal's drift moves by this much over the first ramp_s
  double ramp_s = 0.0;
};

struct StrapRunResult {
  std::vector<ClockScore> segments;
  std::vector<ClockRestart> restarts;
  ClockEstimate final_estimate;
  double max_error_stamped_at_arrival_ms = 0.0;  // what stamping every beat with arrival gives
  double max_settled_error_vs_r_peak_ms = 0.0;   // against the beat itself, quantisation included
  int max_batch = 0;
};

StrapRunResult run_strap(const StrapScenario& s) {
  testing::SimulatedCrystal crystal{s.drift_ppm};
  crystal.device_offset_ns = 987'654'321'000;
  crystal.ramp_ppm = s.ramp_ppm;
  crystal.ramp_s = s.ramp_s;
  testing::InOrderDelivery delivery(s.delay, s.seed);
  testing::DelaySource rhythm(testing::DeliveryDelay{}, s.seed + 1000);  // for RR variability and batching
  RrBeatClock clock;
  StrapRunResult result;
  std::vector<std::int64_t> pending_truth;   // the beats as the strap timed them: mid-tick
  std::vector<std::int64_t> pending_r_peak;  // the beats themselves
  std::vector<double> pending_rr_ms;
  std::vector<std::int64_t> beat_times;
  const auto tick = [&](std::int64_t truth) {
    return static_cast<std::int64_t>(std::floor(static_cast<double>(crystal.device_ns(truth)) * 1.024e-6));
  };
  std::int64_t truth = crystal.host_origin_ns;
  std::int64_t last_tick = tick(truth);
  std::int64_t segment_start = truth;
  const auto end = crystal.host_origin_ns + static_cast<std::int64_t>(s.duration_s * 1e9);
  while (truth < end) {
    const double t_s = static_cast<double>(truth - crystal.host_origin_ns) / 1e9;
    const double rr_ms = 850.0 + 80.0 * std::sin(t_s * 0.6283) + 40.0 * std::sin(t_s * 0.1047) +
                         40.0 * (rhythm.uniform() - 0.5);
    truth += std::llround(rr_ms * 1e6);
    const std::int64_t beat_tick = tick(truth);
    pending_rr_ms.push_back(static_cast<double>(beat_tick - last_tick) * 1000.0 / 1024.0);
    // The strap knows a beat only to its tick; the middle of the tick is the best anyone can say.
    const double tick_ns = 1e9 / 1024.0;
    pending_truth.push_back(
        crystal.true_host_ns(std::llround((static_cast<double>(beat_tick) + 0.5) * tick_ns)));
    pending_r_peak.push_back(truth);
    last_tick = beat_tick;
    if (rhythm.uniform() < 0.5 && pending_rr_ms.size() < 3) continue;  // the strap holds the batch
    const bool lost = s.lost_from_s >= 0.0 && t_s >= s.lost_from_s && t_s < s.lost_from_s + s.lost_for_s;
    if (!lost) {
      const std::int64_t arrival = delivery.arrival_ns(truth);
      const ClockEstimate& e = clock.on_notification(arrival, pending_rr_ms, beat_times);
      if (e.restart != ClockRestart::none) {
        result.restarts.push_back(e.restart);
        result.segments.emplace_back();
        segment_start = truth;
      }
      result.max_batch = std::max(result.max_batch, static_cast<int>(pending_rr_ms.size()));
      for (std::size_t k = 0; k < beat_times.size(); ++k) {
        result.segments.back().add(beat_times[k], pending_truth[k], e.settled,
                                   static_cast<double>(pending_truth[k] - segment_start) / 1e9);
        if (e.settled)
          result.max_settled_error_vs_r_peak_ms =
              std::max(result.max_settled_error_vs_r_peak_ms,
                       std::abs(static_cast<double>(beat_times[k] - pending_r_peak[k])) / 1e6);
        result.max_error_stamped_at_arrival_ms = std::max(
            result.max_error_stamped_at_arrival_ms, std::abs(static_cast<double>(arrival - pending_truth[k])) / 1e6);
      }
    }
    pending_rr_ms.clear();
    pending_truth.clear();
    pending_r_peak.clear();
  }
  result.final_estimate = clock.model().last();
  return result;
}

void report(const char* name, const StrapRunResult& r) {
  for (std::size_t k = 0; k < r.segments.size(); ++k)
    std::printf("[ clock    ] %s, segment %zu (%s): max |error| settled %.3f ms (at %.0f s; %lld beats, "
                "%lld unsettled), settled after %.1f s\n",
                name, k, to_string(r.restarts[k]), r.segments[k].max_settled_error_ms, r.segments[k].worst_at_s,
                static_cast<long long>(r.segments[k].settled_samples),
                static_cast<long long>(r.segments[k].unsettled_samples), r.segments[k].first_settled_s);
  std::printf("[ clock    ] %s: vs R peak (1/1024 s ticks included) max |error| settled %.3f ms; drift %.2f ppm, "
              "residual %.2f ms; stamped at arrival: max |error| %.1f ms\n",
              name, r.max_settled_error_vs_r_peak_ms, r.final_estimate.drift_ppm,
              static_cast<double>(r.final_estimate.residual_ns) / 1e6, r.max_error_stamped_at_arrival_ms);
}

constexpr double kToleranceMs = 1.0;
constexpr double kSettleLimitS = 125.0;  // rr_clock_settings: 120 s span plus a notification or two
// One tick of 1/1024 s either way of the mid-tick estimate is the strap's, not the model's.
constexpr double kToleranceVsRPeakMs = kToleranceMs + 0.5;

void expect_two_hours_within_a_millisecond(double drift_ppm, std::uint64_t seed) {
  StrapScenario s;
  s.drift_ppm = drift_ppm;
  s.seed = seed;
  const StrapRunResult r = run_strap(s);
  report(drift_ppm > 0 ? "strap +100 ppm" : "strap -100 ppm", r);
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_EQ(r.max_batch, 3);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);
  EXPECT_LE(r.segments[0].first_settled_s, kSettleLimitS);
  EXPECT_LE(r.max_settled_error_vs_r_peak_ms, kToleranceVsRPeakMs);
  EXPECT_NEAR(r.final_estimate.drift_ppm, drift_ppm, 2.0);
  EXPECT_GT(r.max_error_stamped_at_arrival_ms, 1000.0);  // batched beats are not arrival-timed
}

TEST(RrBeatClock, StrapDriftPlus100PpmTwoHoursWithinOneMs) { expect_two_hours_within_a_millisecond(100.0, 21); }

TEST(RrBeatClock, StrapDriftMinus100PpmTwoHoursWithinOneMs) { expect_two_hours_within_a_millisecond(-100.0, 22); }

TEST(RrBeatClock, LostNotificationsReanchor) {
  StrapScenario s;
  s.duration_s = 900.0;
  s.lost_from_s = 400.0;
  s.lost_for_s = 10.0;
  const StrapRunResult r = run_strap(s);
  report("strap, 10 s of lost notifications", r);
  ASSERT_EQ(r.restarts.size(), 2u);
  EXPECT_EQ(r.restarts[1], ClockRestart::device_lost_time);
  for (const ClockScore& segment : r.segments) {
    EXPECT_LE(segment.max_settled_error_ms, kToleranceMs);
    EXPECT_GT(segment.first_settled_s, 0.0);
    EXPECT_LE(segment.first_settled_s, kSettleLimitS);
  }
  EXPECT_LE(r.max_settled_error_vs_r_peak_ms, kToleranceVsRPeakMs);
}

// A strap warming on the skin: its drift moves 5 ppm in 10 min (a 32 kHz tuning-fork crystal
// from 25 to 33 °C moves about 2 ppm). The 14-min window lags, but stays within 1 ms; 10 ppm in
// 5 or 15 min gave 0.86 and 0.97 ms (not asserted: too near the limit to guard anything).
TEST(RrBeatClock, StrapWarmingUpStaysWithinOneMs) {
  StrapScenario s;
  s.duration_s = 3600.0;
  s.ramp_ppm = -5.0;
  s.ramp_s = 600.0;
  s.seed = 7;
  const StrapRunResult r = run_strap(s);
  report("strap, drift 100 -> 95 ppm over 10 min", r);
  ASSERT_EQ(r.segments.size(), 1u);
  EXPECT_LE(r.segments[0].max_settled_error_ms, kToleranceMs);
  EXPECT_NEAR(r.final_estimate.drift_ppm, 95.0, 2.0);
}

// The price of re-anchoring on one late notification: a stall beyond 250 ms is taken for lost
// beats, and the next on-time notification undoes it.
TEST(RrBeatClock, StallBeyondTheLimitRestartsTwice) {
  RrBeatClock clock;
  std::vector<std::int64_t> times;
  const double rr[] = {1000.0};
  std::int64_t beat = 50'000'000'000;
  for (int k = 0; k < 200; ++k) clock.on_notification(beat += 1'000'000'000, rr, times);
  EXPECT_TRUE(clock.model().last().settled);
  EXPECT_EQ(clock.on_notification(beat += 1'000'000'000, rr, times).restart, ClockRestart::none);
  EXPECT_EQ(clock.on_notification((beat += 1'000'000'000) + 400'000'000, rr, times).restart,
            ClockRestart::device_lost_time);
  const ClockEstimate& e = clock.on_notification(beat += 1'000'000'000, rr, times);
  EXPECT_EQ(e.restart, ClockRestart::device_clock_jump);
  EXPECT_EQ(times[0], beat);
  EXPECT_NEAR(e.drift_ppm, 0.0, 1e-6);  // carried over both restarts
}

TEST(RrBeatClock, BeatsOfOneNotificationAreTheirIntervalsApart) {
  RrBeatClock clock;
  std::vector<std::int64_t> times;
  const double rr[] = {800.0, 1000.0, 900.0};
  clock.on_notification(10'000'000'000, rr, times);
  ASSERT_EQ(times.size(), 3u);
  EXPECT_EQ(times[2], 10'000'000'000);
  EXPECT_EQ(times[2] - times[1], 900'000'000);
  EXPECT_EQ(times[1] - times[0], 1'000'000'000);
  const double next[] = {700.0};
  clock.on_notification(10'700'000'000 + 3'000'000, next, times);  // 3 ms later than the last
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0], 10'700'000'000);  // the earliest arrival so far anchors the sum
}

TEST(RrBeatClock, RateOnlyNotificationTimesNothing) {
  RrBeatClock clock;
  std::vector<std::int64_t> times{1, 2};
  const ClockEstimate& e = clock.on_notification(5, {}, times);
  EXPECT_TRUE(times.empty());
  EXPECT_EQ(e.points, 0u);
}

}  // namespace
}  // namespace plinth

