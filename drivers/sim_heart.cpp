#include "drivers/sim_heart.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace plinth {
namespace {
constexpr double kTwoPi = 2.0 * std::numbers::pi;
}

SimHeart::SimHeart(const SimHeartConfig& config) : config_(config), rng_(config.seed) {
  breath_hz_ = config_.breathing_per_min / 60.0;
  lf_phase_ = uniform_(rng_) * kTwoPi;
  phase_ = uniform_(rng_) * kTwoPi;
}

SimHeart SimHeart::playback(std::vector<double> rr_ms, bool loop) {
  SimHeart h;
  h.playback_ = std::move(rr_ms);
  h.is_playback_ = true;
  h.loop_ = loop;
  return h;
}

double SimHeart::true_interval_ms() {
  const double t = true_time_s_;
  const double settle = std::exp(-t / config_.settle_time_s);
  const double hr = config_.hr_settled_bpm + (config_.hr_start_bpm - config_.hr_settled_bpm) * settle;
  const double rsa = config_.rsa_settled_ms - (config_.rsa_settled_ms - config_.rsa_start_ms) * settle;
  double rr = 60000.0 / hr + rsa * std::sin(phase_) + config_.lf_ms * std::sin(kTwoPi * 0.1 * t + lf_phase_) +
              config_.noise_ms * normal_(rng_);
  rr = std::clamp(rr, 300.0, 2000.0);
  // Advance breathing; each new breath gets its own rate.
  phase_ += kTwoPi * breath_hz_ * rr / 1000.0;
  if (phase_ >= kTwoPi) {
    phase_ = std::fmod(phase_, kTwoPi);
    const double base = config_.breathing_per_min / 60.0;
    breath_hz_ = std::max(0.3 * base, base * (1.0 + config_.breathing_jitter * normal_(rng_)));
  }
  true_time_s_ += rr / 1000.0;
  return rr;
}

bool SimHeart::chance(double per_hour, double rr_ms) {
  return per_hour > 0.0 && uniform_(rng_) < per_hour * rr_ms / 3.6e6;
}

std::optional<SimBeat> SimHeart::next_beat() {
  if (is_playback_) {
    if (playback_at_ == playback_.size()) {
      if (!loop_ || playback_.empty()) return std::nullopt;
      playback_at_ = 0;
    }
    SimBeat b;
    b.rr_ms = playback_[playback_at_++];
    true_time_s_ += b.rr_ms / 1000.0;
    b.time_s = true_time_s_;
    ++counts_.beats;
    return b;
  }
  using namespace sim_artifact;
  SimBeat b;
  if (!queued_.empty()) {
    b = queued_.front();
    queued_.erase(queued_.begin());
    ++counts_.beats;
    return b;
  }
  const double rr = true_interval_ms();
  b.rr_ms = rr;
  b.time_s = true_time_s_;
  // One draw decides which event, if any, starts at this beat.
  const double per_hour[] = {config_.ectopic_per_hour, config_.missed_as_long_per_hour,
                             config_.missed_reported_per_hour, config_.extra_per_hour, config_.dropout_per_hour};
  double total = 0.0;
  for (double r : per_hour) total += std::max(0.0, r);
  int event = -1;
  if (chance(total, rr)) {
    double pick = uniform_(rng_) * total;
    for (int i = 0; i < 5; ++i) {
      pick -= std::max(0.0, per_hour[i]);
      if (pick < 0.0) {
        event = i;
        break;
      }
    }
    if (event < 0) event = 4;
  }
  switch (event) {
    case 0: {  // ectopic: premature beat, then the pause that restores the rhythm
      const double premature = rr * (0.55 + 0.15 * uniform_(rng_));
      const double next = true_interval_ms();
      b.rr_ms = premature;
      b.time_s = true_time_s_ - next / 1000.0 - (rr - premature) / 1000.0;
      b.injected = kEctopic;
      queued_.push_back({rr - premature + next, true_time_s_, 0, kCompensatory});
      ++counts_.ectopic;
      break;
    }
    case 1: {  // missed detection: two intervals reported as one
      b.rr_ms = rr + true_interval_ms();
      b.time_s = true_time_s_;
      b.injected = kMissedAsLong;
      ++counts_.missed_as_long;
      break;
    }
    case 2: {  // this beat's report is lost; the next one knows
      b.rr_ms = true_interval_ms();
      b.time_s = true_time_s_;
      b.missing_beats = 1;
      b.injected = kMissedReported;
      ++counts_.missed_reported;
      break;
    }
    case 3: {  // spurious detection inside the interval
      const double u = 0.3 + 0.4 * uniform_(rng_);
      b.rr_ms = u * rr;
      b.time_s = true_time_s_ - (1.0 - u) * rr / 1000.0;
      b.injected = kExtra;
      queued_.push_back({(1.0 - u) * rr, true_time_s_, 0, kExtraRemainder});
      ++counts_.extra;
      break;
    }
    case 4: {  // nothing arrives for dropout_s; this beat is the first lost one
      const double end = true_time_s_ + config_.dropout_s;
      std::uint32_t lost = 1;
      double last = true_interval_ms();
      while (true_time_s_ < end) {
        ++lost;
        last = true_interval_ms();
      }
      b.rr_ms = last;
      b.time_s = true_time_s_;
      b.missing_beats = lost;
      b.injected = kAfterDropout;
      ++counts_.dropouts;
      counts_.dropout_beats += lost;
      break;
    }
    default: break;
  }
  ++counts_.beats;
  return b;
}

HeartSample to_heart_sample(const SimBeat& beat) {
  HeartSample s;
  s.rr_1024 = static_cast<std::uint16_t>(std::clamp(std::lround(beat.rr_ms * 1.024), 1L, 65535L));
  s.sensor_time_1024 = static_cast<std::uint64_t>(std::llround(std::max(0.0, beat.time_s) * 1024.0));
  s.missing_beats = beat.missing_beats;
  s.hr_bpm = static_cast<std::uint16_t>(std::clamp(std::lround(60000.0 / std::max(beat.rr_ms, 1.0)), 1L, 65535L));
  s.contact = true;
  return s;
}

}  // namespace plinth
