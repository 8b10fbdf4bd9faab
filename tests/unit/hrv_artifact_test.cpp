#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "daemon/hrv/artifact_corrector.hpp"
#include "daemon/hrv/final_artifact_pass.hpp"
#include "daemon/hrv/time_domain.hpp"
#include "hrv_test_data.hpp"

namespace plinth {
namespace {

enum class Injected { ectopic, missed, extra };

struct Corruption {
  std::vector<double> rr;
  // For each injected artifact: its kind and the positions (in the corrupted series) of
  // the intervals it touched.
  std::vector<std::pair<Injected, std::vector<std::size_t>>> truth;
};

// Deterministic corruption: one artifact every `spacing` beats, cycling ectopic, missed,
// extra. Ectopic: a premature beat (interval shortened by 35 %) with full compensatory pause.
// Missed: two intervals merged. Extra: one interval split at 40 %.
Corruption corrupt(const std::vector<double>& clean, std::size_t spacing, std::size_t first) {
  Corruption c;
  std::size_t kind = 0;
  for (std::size_t i = 0; i < clean.size(); ++i) {
    const bool inject = i >= first && (i - first) % spacing == 0 && i + 2 < clean.size();
    if (!inject) {
      c.rr.push_back(clean[i]);
      continue;
    }
    const auto what = static_cast<Injected>(kind++ % 3);
    const std::size_t at = c.rr.size();
    switch (what) {
      case Injected::ectopic: {
        const double shift = 0.35 * clean[i];
        c.rr.push_back(clean[i] - shift);
        c.rr.push_back(clean[i + 1] + shift);
        c.truth.push_back({what, {at, at + 1}});
        ++i;
        break;
      }
      case Injected::missed:
        c.rr.push_back(clean[i] + clean[i + 1]);
        c.truth.push_back({what, {at}});
        ++i;
        break;
      case Injected::extra:
        c.rr.push_back(0.4 * clean[i]);
        c.rr.push_back(0.6 * clean[i]);
        c.truth.push_back({what, {at, at + 1}});
        break;
    }
  }
  return c;
}

std::vector<double> nn_series(const std::vector<BeatRecord>& beats) {
  std::vector<double> nn;
  for (const auto& b : beats) {
    for (std::uint32_t k = 0; k < b.nn_count; ++k) nn.push_back(b.nn_ms);
  }
  return nn;
}

std::size_t flagged(const std::vector<BeatRecord>& beats) {
  std::size_t n = 0;
  for (const auto& b : beats) n += (b.flags & beat_artifact_mask) != 0 ? 1 : 0;
  return n;
}

struct Scores {
  std::size_t detected = 0;
  std::size_t typed_right = 0;
  std::size_t false_positives = 0;
};

Scores score(const Corruption& c, const std::vector<BeatRecord>& beats) {
  std::set<std::size_t> touched;
  Scores s;
  for (const auto& [kind, positions] : c.truth) {
    bool hit = false;
    bool right = false;
    for (const std::size_t p : positions) {
      touched.insert(p);
      const std::uint32_t f = beats.at(p).flags;
      hit = hit || (f & beat_artifact_mask) != 0;
      if (kind == Injected::ectopic) right = right || (f & (beat_ectopic | beat_short | beat_long)) != 0;
      if (kind == Injected::missed) right = right || (f & beat_missed) != 0;
      if (kind == Injected::extra) right = right || (f & beat_extra) != 0;
    }
    s.detected += hit ? 1 : 0;
    s.typed_right += right ? 1 : 0;
  }
  for (std::size_t i = 0; i < beats.size(); ++i) {
    // A beat right after an artifact may legitimately be touched by its correction.
    const bool near = touched.count(i) || (i > 0 && touched.count(i - 1));
    if (!near && (beats[i].flags & beat_artifact_mask) != 0) ++s.false_positives;
  }
  return s;
}

ArtifactSettings with_mode(CorrectionMode mode) {
  ArtifactSettings s;
  s.mode = mode;
  return s;
}

// The clean series are real sinus rhythm with large respiratory swings (RMSSD 101 ms in
// the 5-minute one). The paper's rules flag some of those swings as long/short beats even
// in batch: a one-pass NumPy port of the published algorithm with centred windows flags
// 4 of 337 and 83 of 4684 beats. The live, trailing-window version must stay close to that.
TEST(HrvArtifacts, CleanSeriesHasFewFalsePositives) {
  struct Case {
    std::vector<double> clean;
    double max_rate;
    double max_rmssd_change;
  };
  for (const auto& c : {Case{test::nn_5min(), 0.04, 0.12}, Case{test::nn_60min(), 0.025, 0.10}}) {
    const auto beats = correct_rr_series(c.clean, with_mode(CorrectionMode::lipponen));
    ASSERT_EQ(beats.size(), c.clean.size());
    const double rate = static_cast<double>(flagged(beats)) / static_cast<double>(c.clean.size());
    EXPECT_LT(rate, c.max_rate) << flagged(beats) << " of " << c.clean.size();
    const double clean_rmssd = time_domain_metrics(c.clean).rmssd_ms;
    EXPECT_NEAR(time_domain_metrics(nn_series(beats)).rmssd_ms, clean_rmssd, c.max_rmssd_change * clean_rmssd);
  }
}

TEST(HrvArtifacts, LipponenDetectsInjectedArtifactsAndRestoresRmssd) {
  for (const auto& clean : {test::nn_5min(), test::nn_60min()}) {
    const Corruption c = corrupt(clean, 23, 30);
    const auto beats = correct_rr_series(c.rr, with_mode(CorrectionMode::lipponen));
    ASSERT_EQ(beats.size(), c.rr.size());
    const Scores s = score(c, beats);
    const double n = static_cast<double>(c.truth.size());
    EXPECT_GE(s.detected / n, 0.90) << s.detected << " of " << n;
    EXPECT_GE(s.typed_right / n, 0.80) << s.typed_right << " of " << n;
    EXPECT_LE(static_cast<double>(s.false_positives), 0.02 * static_cast<double>(c.rr.size())) << s.false_positives;
    const double clean_rmssd = time_domain_metrics(clean).rmssd_ms;
    const double corrupted_rmssd = time_domain_metrics(c.rr).rmssd_ms;
    const double corrected_rmssd = time_domain_metrics(nn_series(beats)).rmssd_ms;
    EXPECT_GT(std::abs(corrupted_rmssd - clean_rmssd), 0.3 * clean_rmssd);  // the corruption matters
    EXPECT_NEAR(corrected_rmssd, clean_rmssd, 0.05 * clean_rmssd);
  }
}

std::vector<std::uint64_t> with_flag(const std::vector<BeatRecord>& beats, std::uint32_t flag) {
  std::vector<std::uint64_t> where;
  for (const auto& b : beats)
    if (b.flags & flag) where.push_back(b.beat_index);
  return where;
}

// The final pass over a whole recording is the paper's batch algorithm. The expected beats come
// from an independent NumPy implementation of the paper's decision flow (centred 91-beat
// quartile-deviation thresholds, 11-beat median, alpha 5.2, c1 0.13, c2 0.17), written for this
// check and run on the same files; it gives the same beats as NeuroKit2's signal_fixpeaks
// (method "kubios", one iteration) apart from NeuroKit2's synthetic first interval.
TEST(HrvArtifactsFinal, EqualsThePapersBatchAlgorithmOnTheReferenceSeries) {
  ArtifactSettings s;
  const auto five = final_corrected_series(test::nn_5min(), s);
  ASSERT_EQ(five.size(), 337u);
  EXPECT_EQ(with_flag(five, beat_artifact_mask), (std::vector<std::uint64_t>{73, 118, 234, 244}));
  EXPECT_EQ(with_flag(five, beat_long | beat_short).size(), 4u);

  const auto sixty = final_corrected_series(test::nn_60min(), s);
  ASSERT_EQ(sixty.size(), 4684u);
  EXPECT_EQ(with_flag(sixty, beat_ectopic),
            (std::vector<std::uint64_t>{401, 402, 439, 2097, 2255, 2674, 2682, 2991, 3051, 4261, 4430}));
  EXPECT_EQ(with_flag(sixty, beat_missed), (std::vector<std::uint64_t>{923, 1079, 1798}));
  EXPECT_TRUE(with_flag(sixty, beat_extra).empty());
  EXPECT_EQ(with_flag(sixty, beat_long | beat_short).size(), 69u);
  EXPECT_EQ(with_flag(sixty, beat_artifact_mask).size(), 83u);
}

// Clean sinus rhythm with large respiratory swings: the paper's rules flag a few of those
// swings as long/short even in batch. Measured: 4/337 (1.19 %) with RMSSD -2.84 %, and 83/4684
// (1.77 %) with RMSSD -4.21 % (the trailing-window provisional pass: 11/337 and -9.8 %).
TEST(HrvArtifactsFinal, CleanSeriesKeepTheirRmssd) {
  struct Case {
    std::vector<double> clean;
    std::size_t max_flagged;
    double max_rmssd_change;
  };
  for (const auto& c : {Case{test::nn_5min(), 4, 0.03}, Case{test::nn_60min(), 83, 0.045}}) {
    const auto beats = final_corrected_series(c.clean, ArtifactSettings{});
    EXPECT_LE(flagged(beats), c.max_flagged);
    const double clean_rmssd = time_domain_metrics(c.clean).rmssd_ms;
    const double corrected_rmssd = time_domain_metrics(nn_series(beats)).rmssd_ms;
    EXPECT_LT(corrected_rmssd, clean_rmssd);  // the flagged swings are smoothed
    EXPECT_NEAR(corrected_rmssd, clean_rmssd, c.max_rmssd_change * clean_rmssd);
  }
}

// One artifact every 23 beats (4.3 %), cycling premature beat with compensatory pause, missed
// beat, extra detection. Measured: 13/14 detected on the 5-min series (the extra beat at 213 is
// missed by the batch algorithm too: the thresholds are inflated by the neighbouring artifacts)
// and 203/203 on the 60-min; corrected RMSSD -1.97 % and -1.26 % from the clean series.
TEST(HrvArtifactsFinal, DetectsInjectedArtifactsAndRestoresRmssd) {
  struct Case {
    std::vector<double> clean;
    double min_detected;
  };
  for (const auto& k : {Case{test::nn_5min(), 13.0 / 14.0}, Case{test::nn_60min(), 1.0}}) {
    const Corruption c = corrupt(k.clean, 23, 30);
    const auto beats = final_corrected_series(c.rr, ArtifactSettings{});
    ASSERT_EQ(beats.size(), c.rr.size());
    const Scores s = score(c, beats);
    const double n = static_cast<double>(c.truth.size());
    EXPECT_GE(s.detected / n, k.min_detected - 1e-9) << s.detected << " of " << n;
    EXPECT_GE(s.typed_right / n, 0.9) << s.typed_right << " of " << n;
    const double clean_rmssd = time_domain_metrics(k.clean).rmssd_ms;
    const double corrected_rmssd = time_domain_metrics(nn_series(beats)).rmssd_ms;
    EXPECT_NEAR(corrected_rmssd, clean_rmssd, 0.02 * clean_rmssd);
  }
}

// A premature beat is flagged on its compensatory pause; the R wave that moves is the premature
// one, so the short-long pair becomes two equal intervals and the beat times after it stay.
TEST(HrvArtifactsFinal, EctopicCorrectionMovesThePrematureWave) {
  std::vector<double> rr(120);
  for (std::size_t i = 0; i < rr.size(); ++i) rr[i] = 800.0 + 40.0 * std::sin(static_cast<double>(i) * 0.9);
  const double pair = rr[60] + rr[61];
  rr[60] -= 280.0;  // premature
  rr[61] += 280.0;  // compensatory pause
  const auto beats = final_corrected_series(rr, ArtifactSettings{});
  ASSERT_EQ(beats.size(), rr.size());
  EXPECT_TRUE((beats[60].flags | beats[61].flags) & beat_ectopic);
  EXPECT_NEAR(beats[60].nn_ms, pair / 2, 1e-9);
  EXPECT_NEAR(beats[61].nn_ms, pair / 2, 1e-9);
  EXPECT_DOUBLE_EQ(beats[62].nn_ms, rr[62]);
  double total_rr = 0, total_nn = 0;
  for (std::size_t i = 0; i < rr.size(); ++i) {
    total_rr += rr[i];
    total_nn += beats[i].nn_ms * beats[i].nn_count;
  }
  EXPECT_NEAR(total_nn, total_rr, 1e-6);  // no beat time moved but the premature one
}

TEST(HrvArtifactsFinal, DecidesFiftyTwoBeatsLaterAndKeepsInputOrder) {
  ArtifactSettings s;
  EXPECT_EQ(final_delay_beats(s), 52u);
  FinalArtifactPass pass(s);
  std::vector<BeatRecord> out;
  const auto rr = test::nn_5min();
  for (std::size_t i = 0; i < 52; ++i) pass.push(RawBeat{rr[i], static_cast<std::int64_t>(i), 0}, out);
  EXPECT_TRUE(out.empty());
  pass.push(RawBeat{rr[52], 52, 0}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].beat_index, 0u);
  pass.push(RawBeat{std::nan(""), 53, 2}, out);  // an invalid beat waits for its turn
  for (std::size_t i = 54; i < 120; ++i) pass.push(RawBeat{rr[i], static_cast<std::int64_t>(i), 0}, out);
  pass.flush(out);
  ASSERT_EQ(out.size(), 120u);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].beat_index, i);
  EXPECT_TRUE(out[53].flags & beat_invalid);
  EXPECT_TRUE(out[54].flags & beat_segment_start);
  EXPECT_TRUE(out.back().flags & beat_short_context);
  EXPECT_FALSE(out[60].flags & beat_short_context);
}

TEST(HrvArtifacts, SimpleRuleDetectsInjectedArtifacts) {
  const auto clean = test::nn_60min();
  const Corruption c = corrupt(clean, 23, 30);
  const auto beats = correct_rr_series(c.rr, with_mode(CorrectionMode::simple));
  const Scores s = score(c, beats);
  EXPECT_GE(static_cast<double>(s.detected) / static_cast<double>(c.truth.size()), 0.90);
  const double clean_rmssd = time_domain_metrics(clean).rmssd_ms;
  EXPECT_NEAR(time_domain_metrics(nn_series(beats)).rmssd_ms, clean_rmssd, 0.15 * clean_rmssd);
}

TEST(HrvArtifacts, NoneModePassesEverythingThrough) {
  const std::vector<double> rr{800, 810, 400, 1600, 805, 100};
  const auto beats = correct_rr_series(rr, with_mode(CorrectionMode::none));
  ASSERT_EQ(beats.size(), rr.size());
  for (std::size_t i = 0; i < rr.size(); ++i) {
    EXPECT_EQ(beats[i].beat_index, i);
    EXPECT_DOUBLE_EQ(beats[i].nn_ms, rr[i]);
    EXPECT_EQ(beats[i].nn_count, 1u);
  }
  EXPECT_EQ(beats[5].flags, static_cast<std::uint32_t>(beat_out_of_range));  // flagged, not corrected
  EXPECT_EQ(beats[2].flags, 0u);
}

// Hand-worked simple-rule cases on a flat 800 ms rhythm (running median 800 ms, 20 %).
TEST(HrvArtifacts, SimpleRuleHandWorked) {
  const std::vector<double> rr{800, 800, 800, 800, 1600, 800, 800, 320, 480, 800, 800, 1100, 800, 800};
  const auto beats = correct_rr_series(rr, with_mode(CorrectionMode::simple));
  ASSERT_EQ(beats.size(), rr.size());
  // 1600 = two 800 ms beats: missed, split.
  EXPECT_TRUE(beats[4].flags & beat_missed);
  EXPECT_EQ(beats[4].nn_count, 2u);
  EXPECT_DOUBLE_EQ(beats[4].nn_ms, 800.0);
  // 320 + 480 = 800: extra beat; 320 dropped and merged into the next interval.
  EXPECT_TRUE(beats[7].flags & beat_extra);
  EXPECT_EQ(beats[7].nn_count, 0u);
  EXPECT_TRUE(std::isnan(beats[7].nn_ms));
  EXPECT_TRUE(beats[8].flags & beat_merged);
  EXPECT_DOUBLE_EQ(beats[8].nn_ms, 800.0);
  // 1100 > 1.2 * 800 and not a double beat: long, interpolated between 800 and 800.
  EXPECT_TRUE(beats[11].flags & beat_long);
  EXPECT_TRUE(beats[11].flags & beat_interpolated);
  EXPECT_DOUBLE_EQ(beats[11].nn_ms, 800.0);
  for (const std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 9u, 10u, 12u, 13u}) {
    EXPECT_EQ(beats[i].flags & beat_artifact_mask, 0u) << i;
    EXPECT_DOUBLE_EQ(beats[i].nn_ms, 800.0) << i;
  }
  std::vector<double> nn = nn_series(beats);
  EXPECT_EQ(nn.size(), rr.size());  // one split (+1), one merge (-1)
}

TEST(HrvArtifacts, LiveDelayIsSixBeatsForLipponen) {
  ArtifactCorrector corrector(with_mode(CorrectionMode::lipponen));
  EXPECT_EQ(corrector.delay_beats(), 6u);
  std::vector<BeatRecord> out;
  for (int i = 0; i < 6; ++i) corrector.push(RawBeat{800.0 + i, i * 800'000'000LL, 0}, out);
  EXPECT_TRUE(out.empty());
  corrector.push(RawBeat{800.0, 6 * 800'000'000LL, 0}, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].beat_index, 0u);
  corrector.flush(out);
  ASSERT_EQ(out.size(), 7u);
  EXPECT_TRUE(out.back().flags & beat_short_context);
  EXPECT_EQ(ArtifactCorrector(with_mode(CorrectionMode::simple)).delay_beats(), 1u);
  EXPECT_EQ(ArtifactCorrector(with_mode(CorrectionMode::none)).delay_beats(), 0u);
}

TEST(HrvArtifacts, InvalidBeatsAreDroppedInOrderAndBreakTheSeries) {
  std::vector<double> rr(40, 800.0);
  rr[20] = std::nan("");
  rr[21] = 0.0;
  const auto beats = correct_rr_series(rr, with_mode(CorrectionMode::lipponen));
  ASSERT_EQ(beats.size(), rr.size());
  for (std::size_t i = 0; i < beats.size(); ++i) EXPECT_EQ(beats[i].beat_index, i);
  EXPECT_TRUE(beats[20].flags & beat_invalid);
  EXPECT_TRUE(beats[21].flags & beat_dropped);
  EXPECT_EQ(beats[21].nn_count, 0u);
  EXPECT_TRUE(beats[22].flags & beat_segment_start);
}

TEST(HrvArtifacts, StrapMissingBeatsFlagged) {
  ArtifactCorrector corrector(with_mode(CorrectionMode::lipponen));
  std::vector<BeatRecord> out;
  for (int i = 0; i < 40; ++i) corrector.push(RawBeat{800.0, i * 800'000'000LL, i == 25 ? 2u : 0u}, out);
  corrector.flush(out);
  ASSERT_EQ(out.size(), 40u);
  EXPECT_EQ(out[25].flags, static_cast<std::uint32_t>(beat_strap_missing | beat_segment_start));
  EXPECT_EQ(out[24].flags, 0u);
  EXPECT_EQ(out[26].flags, 0u);
}

TEST(HrvArtifacts, BadSettingsAndModesAreRejected) {
  EXPECT_THROW(parse_correction_mode("kubios"), std::invalid_argument);
  EXPECT_EQ(parse_correction_mode("simple"), CorrectionMode::simple);
  ArtifactSettings s;
  s.median_window = 10;
  EXPECT_THROW(ArtifactCorrector{s}, std::invalid_argument);
  s = {};
  s.min_rr_ms = 3000;
  EXPECT_THROW(validate(s), std::invalid_argument);
}

}  // namespace
}  // namespace plinth
