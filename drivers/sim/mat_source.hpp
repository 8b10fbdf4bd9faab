#pragma once
// Where a simulated mat's frames come from: the body scenario, or a recording played back
// in a loop at a chosen rate. `plinth sim` and `plinthd --simulate` hand a source to
// MatFrameEmitter (drivers/sim_device.hpp) via as_generator().
#include <cstdint>
#include <functional>
#include <memory>

#include "drivers/samples.hpp"
#include "drivers/sim/body_scenario.hpp"
#include "drivers/sim/recording_reader.hpp"

namespace plinth::sim {

class MatSource {
 public:
  virtual ~MatSource() = default;
  // Fill the next frame (reusing its storage); false when the source has run out.
  virtual bool next(MatFrame& frame) = 0;
  virtual double rate_hz() const = 0;
  virtual std::uint16_t rows() const = 0;
  virtual std::uint16_t cols() const = 0;
  // What a device playing this source would say about itself (model, geometry, pitch...).
  virtual DeviceInfo device_info() const = 0;
};

class ScenarioSource final : public MatSource {
 public:
  explicit ScenarioSource(BodyScenario scenario) : scenario_(std::move(scenario)) {}
  bool next(MatFrame& frame) override;
  double rate_hz() const override { return scenario_.frame_rate_hz(); }
  std::uint16_t rows() const override { return scenario_.rows(); }
  std::uint16_t cols() const override { return scenario_.cols(); }
  DeviceInfo device_info() const override;
  BodyScenario& scenario() { return scenario_; }

 private:
  BodyScenario scenario_;
  std::uint64_t index_ = 0;
};

struct PlaybackOptions {
  double rate_hz = 0;          // 0 = the recording's nominal rate (1 Hz if unknown)
  bool loop = true;            // start again after the last frame
  bool skip_suspect = false;   // leave out frames the reader flagged as suspect
};

// Plays recorded frames as a device would: device_seq counts every frame sent (it keeps
// counting across loops), device_time_us follows the playback rate, and values are sent
// as recorded (clamped to 12 bits by the 12-bit wire protocols, not here).
class RecordingSource final : public MatSource {
 public:
  RecordingSource(Recording recording, PlaybackOptions options = {});
  bool next(MatFrame& frame) override;
  double rate_hz() const override { return rate_hz_; }
  std::uint16_t rows() const override { return recording_.rows; }
  std::uint16_t cols() const override { return recording_.cols; }
  DeviceInfo device_info() const override;
  const Recording& recording() const { return recording_; }

 private:
  Recording recording_;
  PlaybackOptions options_;
  double rate_hz_;
  std::size_t position_ = 0;
  std::uint64_t sent_ = 0;
};

// For MatFrameEmitter: MatFrameEmitter(as_generator(source), source->rate_hz()).
std::function<bool(MatFrame&)> as_generator(std::shared_ptr<MatSource> source);

}  // namespace plinth::sim
