#include "drivers/sim/mat_source.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace plinth::sim {

bool ScenarioSource::next(MatFrame& frame) {
  scenario_.fill_frame(index_++, frame);
  return true;
}

DeviceInfo ScenarioSource::device_info() const {
  DeviceInfo info;
  info.model = "Plinth SimMat (" + std::string(posture_name(scenario_.options().posture)) + ")";
  info.serial = "SIM-MAT-0001";
  info.firmware = "sim-1";
  info.rows = scenario_.rows();
  info.cols = scenario_.cols();
  info.adc_bits = 12;
  info.pitch_mm = static_cast<float>(scenario_.pitch_cm() * 10.0);
  info.frame_rate_mhz = static_cast<std::uint32_t>(std::lround(scenario_.frame_rate_hz() * 1000.0));
  return info;
}

RecordingSource::RecordingSource(Recording recording, PlaybackOptions options)
    : recording_(std::move(recording)), options_(options) {
  if (options_.rate_hz < 0 || options_.rate_hz > 10000) throw std::invalid_argument("playback rate must be 0..10000 Hz");
  rate_hz_ = options_.rate_hz > 0 ? options_.rate_hz
                                  : (recording_.nominal_rate_hz > 0 ? recording_.nominal_rate_hz : 1.0);
  const bool any_playable = std::any_of(recording_.frames.begin(), recording_.frames.end(),
                                        [&](const MatFrame& f) { return !(options_.skip_suspect && f.suspect); });
  if (!any_playable) throw std::invalid_argument("recording " + recording_.source + " has no frames to play");
}

bool RecordingSource::next(MatFrame& frame) {
  for (;;) {
    if (position_ == recording_.frames.size()) {
      if (!options_.loop) return false;
      position_ = 0;
    }
    const MatFrame& f = recording_.frames[position_++];
    if (options_.skip_suspect && f.suspect) continue;
    frame.rows = f.rows;
    frame.cols = f.cols;
    frame.raw.assign(f.raw.begin(), f.raw.end());
    frame.suspect = false;  // a device does not know; the daemon's own checks decide
    frame.device_seq = static_cast<std::uint32_t>(sent_);
    frame.device_time_us = static_cast<std::uint64_t>(static_cast<double>(sent_) * 1e6 / rate_hz_);
    ++sent_;
    return true;
  }
}

DeviceInfo RecordingSource::device_info() const {
  DeviceInfo info;
  info.model = "Plinth replay of " + recording_.source;
  info.serial = "SIM-REPLAY-0001";
  info.firmware = "sim-1";
  info.rows = recording_.rows;
  info.cols = recording_.cols;
  info.adc_bits = 12;
  info.pitch_mm = static_cast<float>(recording_.pitch_cm * 10.0);
  info.frame_rate_mhz = static_cast<std::uint32_t>(std::lround(rate_hz_ * 1000.0));
  return info;
}

std::function<bool(MatFrame&)> as_generator(std::shared_ptr<MatSource> source) {
  return [source = std::move(source)](MatFrame& frame) { return source->next(frame); };
}

}  // namespace plinth::sim
