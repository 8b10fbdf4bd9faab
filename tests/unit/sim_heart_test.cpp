// The simulated strap's RR generator (drivers/sim_heart.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <numeric>

#include "drivers/sim_heart.hpp"
#include "drivers/sim_heart_emitter.hpp"

namespace plinth {
namespace {

SimHeartConfig no_artifacts() {
  SimHeartConfig c;
  c.ectopic_per_hour = c.missed_as_long_per_hour = c.missed_reported_per_hour = c.extra_per_hour = 0;
  c.dropout_per_hour = 0;
  return c;
}

std::vector<SimBeat> run(SimHeart& h, double seconds) {
  std::vector<SimBeat> beats;
  while (beats.empty() || beats.back().time_s < seconds) beats.push_back(*h.next_beat());
  return beats;
}

std::vector<SimBeat> window(const std::vector<SimBeat>& beats, double from_s, double to_s) {
  std::vector<SimBeat> w;
  for (const auto& b : beats)
    if (b.time_s >= from_s && b.time_s < to_s) w.push_back(b);
  return w;
}

double mean_rr(const std::vector<SimBeat>& w) {
  double s = 0;
  for (const auto& b : w) s += b.rr_ms;
  return s / static_cast<double>(w.size());
}

double rmssd(const std::vector<SimBeat>& w) {
  double s = 0;
  for (std::size_t i = 1; i < w.size(); ++i) s += std::pow(w[i].rr_ms - w[i - 1].rr_ms, 2);
  return std::sqrt(s / static_cast<double>(w.size() - 1));
}

// Amplitude of the RR series' sinusoid at f_hz (after removing a linear trend): the
// least-squares estimate for beats sampled at their own times.
double amplitude_at(const std::vector<SimBeat>& w, double f_hz) {
  const double n = static_cast<double>(w.size());
  double st = 0, sr = 0, stt = 0, str = 0;
  for (const auto& b : w) {
    st += b.time_s;
    sr += b.rr_ms;
    stt += b.time_s * b.time_s;
    str += b.time_s * b.rr_ms;
  }
  const double slope = (n * str - st * sr) / (n * stt - st * st);
  const double icpt = (sr - slope * st) / n;
  std::complex<double> acc = 0;
  for (const auto& b : w)
    acc += (b.rr_ms - icpt - slope * b.time_s) * std::polar(1.0, -2 * std::numbers::pi * f_hz * b.time_s);
  return 2.0 * std::abs(acc) / n;
}

TEST(SimHeart, MeanRateAndSettling) {
  SimHeart h(no_artifacts());
  const auto beats = run(h, 1800);
  const double hr = 60000.0 / mean_rr(beats);
  EXPECT_GT(hr, 65.0);
  EXPECT_LT(hr, 75.0);
  const auto first = window(beats, 0, 300), last = window(beats, 1500, 1800);
  EXPECT_GT(mean_rr(last) - mean_rr(first), 60.0);  // heart rate settles down
  EXPECT_GT(rmssd(last), rmssd(first) * 1.3);        // vagal tone rises
  EXPECT_GT(rmssd(first), 8.0);
  EXPECT_LT(rmssd(last), 80.0);
}

TEST(SimHeart, RespiratorySinusArrhythmiaAtTheBreathingRate) {
  for (double per_min : {12.0, 15.0}) {
    SCOPED_TRACE(per_min);
    SimHeartConfig c = no_artifacts();
    c.breathing_per_min = per_min;
    c.breathing_jitter = 0.02;
    c.seed = 7;
    SimHeart h(c);
    const auto beats = run(h, 1800);
    const auto late = window(beats, 1500, 1800);
    const double at_breathing = amplitude_at(late, per_min / 60.0);
    EXPECT_GT(at_breathing, 20.0);
    EXPECT_LT(at_breathing, 45.0);
    EXPECT_LT(amplitude_at(late, per_min / 60.0 + 0.07), at_breathing / 4);
    const double early = amplitude_at(window(beats, 0, 300), per_min / 60.0);
    EXPECT_GT(at_breathing, early * 1.4);  // RSA grows as the subject relaxes
  }
}

TEST(SimHeart, DeterministicForASeed) {
  SimHeartConfig c;
  c.seed = 42;
  SimHeart a(c), b(c);
  c.seed = 43;
  SimHeart other(c);
  int differ = 0;
  for (int i = 0; i < 2000; ++i) {
    const SimBeat x = *a.next_beat(), y = *b.next_beat(), z = *other.next_beat();
    ASSERT_EQ(x.rr_ms, y.rr_ms);
    ASSERT_EQ(x.time_s, y.time_s);
    ASSERT_EQ(x.injected, y.injected);
    differ += x.rr_ms != z.rr_ms;
  }
  EXPECT_GT(differ, 1900);
}

TEST(SimHeart, InjectedArtifactsFlaggedCountedAndAtTheConfiguredRates) {
  SimHeartConfig c;
  c.seed = 3;
  c.ectopic_per_hour = 60;
  c.missed_as_long_per_hour = 40;
  c.missed_reported_per_hour = 40;
  c.extra_per_hour = 30;
  c.dropout_per_hour = 10;
  c.dropout_s = 5;
  SimHeart h(c);
  const double hours = 4;
  std::uint64_t flags[7] = {};
  std::uint64_t missing = 0;
  double previous_time = 0;
  std::size_t n = 0;
  while (true) {
    const SimBeat b = *h.next_beat();
    ++n;
    for (int i = 0; i < 7; ++i) flags[i] += (b.injected >> i) & 1;
    missing += b.missing_beats;
    ASSERT_GT(b.time_s, previous_time);
    // A beat that follows its predecessor directly ends exactly rr_ms after it.
    if (b.missing_beats == 0) {
      ASSERT_NEAR(b.time_s - previous_time, b.rr_ms / 1000.0, 1e-9) << n;
    }
    if (b.injected & sim_artifact::kAfterDropout) {
      EXPECT_GE(b.time_s - previous_time, c.dropout_s);
      EXPECT_GE(b.missing_beats, 4u);
    }
    previous_time = b.time_s;
    if (b.time_s > hours * 3600) break;
  }
  const auto& k = h.counts();
  EXPECT_EQ(k.beats, n);
  EXPECT_EQ(flags[0], k.ectopic);
  EXPECT_EQ(flags[1], k.ectopic);  // each ectopic beat is followed by its pause
  EXPECT_EQ(flags[2], k.missed_as_long);
  EXPECT_EQ(flags[3], k.missed_reported);
  EXPECT_EQ(flags[4], k.extra);
  EXPECT_EQ(flags[5], k.extra);
  EXPECT_EQ(flags[6], k.dropouts);
  EXPECT_EQ(missing, k.missed_reported + k.dropout_beats);
  // Poisson counts within 4 sd of rate * hours.
  auto near_rate = [&](std::uint64_t count, double per_hour) {
    const double expected = per_hour * hours;
    EXPECT_NEAR(static_cast<double>(count), expected, 4 * std::sqrt(expected)) << per_hour;
  };
  near_rate(k.ectopic, c.ectopic_per_hour);
  near_rate(k.missed_as_long, c.missed_as_long_per_hour);
  near_rate(k.missed_reported, c.missed_reported_per_hour);
  near_rate(k.extra, c.extra_per_hour);
  near_rate(k.dropouts, c.dropout_per_hour);
}

TEST(SimHeart, ZeroRatesInjectNothing) {
  SimHeart h(no_artifacts());
  for (int i = 0; i < 5000; ++i) {
    const SimBeat b = *h.next_beat();
    ASSERT_EQ(b.injected, 0u);
    ASSERT_EQ(b.missing_beats, 0u);
  }
}

TEST(SimHeart, PlaysBackTheRecordedFile) {
  const auto rr = read_rr_file("../shared/data/hrv/nsr_5min_nn_ms.txt");
  ASSERT_GT(rr.size(), 200u);
  EXPECT_EQ(rr[0], 859.0);
  EXPECT_EQ(rr[1], 867.0);
  SimHeart h = SimHeart::playback(rr);
  double t = 0;
  for (std::size_t i = 0; i < rr.size(); ++i) {
    const SimBeat b = *h.next_beat();
    t += rr[i] / 1000.0;
    ASSERT_EQ(b.rr_ms, rr[i]);
    ASSERT_NEAR(b.time_s, t, 1e-9);
  }
  EXPECT_FALSE(h.next_beat());
  EXPECT_NEAR(t, 300.0, 30.0);  // a five-minute recording
  SimHeart looping = SimHeart::playback(rr, true);
  for (std::size_t i = 0; i < rr.size(); ++i) looping.next_beat();
  EXPECT_EQ(looping.next_beat()->rr_ms, rr[0]);
}

TEST(SimHeart, RrTextErrorsNameTheLine) {
  EXPECT_EQ(parse_rr_text("# header\n800\r\n\n 900.5 \n", "x"), (std::vector<double>{800, 900.5}));
  auto message = [](std::string_view text) {
    try {
      parse_rr_text(text, "f.txt");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("800\n8oo\n"), "f.txt:2: '8oo' is not an RR interval in ms");
  EXPECT_EQ(message("800\n-5\n"), "f.txt:2: RR -5 ms is outside 0..63999 ms");
  EXPECT_EQ(message("# nothing\n"), "f.txt: no RR intervals");
  EXPECT_THROW(read_rr_file("/nonexistent/rr.txt"), std::runtime_error);
}

TEST(SimHeart, HeartSampleCarriesUnitsOf1024) {
  const HeartSample s = to_heart_sample({1000.0, 2.5, 1, 0});
  EXPECT_EQ(s.rr_1024, 1024);
  EXPECT_EQ(s.sensor_time_1024, std::optional<std::uint64_t>(2560));
  EXPECT_EQ(s.missing_beats, 1u);
  EXPECT_EQ(s.hr_bpm, std::optional<std::uint16_t>(60));
}

// Recording the encoder's calls shows what a simulated device writes and when.
class RecordingEncoder final : public SimEncoder {
 public:
  std::vector<HeartSample> beats;
  void encode_heart(const HeartSample& s, std::vector<std::uint8_t>& out) override {
    beats.push_back(s);
    out.push_back(1);
  }
  void on_host_bytes(std::span<const std::uint8_t>, std::vector<std::uint8_t>&) override {}
};

TEST(HeartBeatEmitter, WritesEachBeatAndWaitsTheIntervalToTheNext) {
  HeartBeatEmitter e(SimHeart::playback({800, 1000, 900}));
  RecordingEncoder enc;
  std::vector<std::uint8_t> out;
  EXPECT_EQ(e.emit(enc, out), std::chrono::milliseconds(1000));
  EXPECT_EQ(e.emit(enc, out), std::chrono::milliseconds(900));
  EXPECT_FALSE(e.finished());
  e.emit(enc, out);
  EXPECT_TRUE(e.finished());
  ASSERT_EQ(enc.beats.size(), 3u);
  EXPECT_EQ(enc.beats[1].rr_1024, 1024);
}

}  // namespace
}  // namespace plinth
