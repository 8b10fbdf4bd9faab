#pragma once
// Puts a SimHeart on a SimulatedDevice: one encode_heart() per delivered beat, each
// written at its beat time (the device thread sleeps for the interval to the next one).
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

#include "drivers/sim_device.hpp"
#include "drivers/sim_heart.hpp"

namespace plinth {

class HeartBeatEmitter final : public SimEmitter {
 public:
  explicit HeartBeatEmitter(SimHeart heart) : heart_(std::move(heart)), next_(heart_.next_beat()) {}

  std::chrono::nanoseconds emit(SimEncoder& encoder, std::vector<std::uint8_t>& out) override {
    if (!next_) return std::chrono::seconds(1);
    const SimBeat beat = *next_;
    encoder.encode_heart(to_heart_sample(beat), out);
    next_ = heart_.next_beat();
    if (!next_) return std::chrono::seconds(1);
    return std::chrono::nanoseconds(std::llround((next_->time_s - beat.time_s) * 1e9));
  }
  bool finished() const override { return !next_; }
  const SimHeart& heart() const { return heart_; }

 private:
  SimHeart heart_;
  std::optional<SimBeat> next_;
};

}  // namespace plinth
