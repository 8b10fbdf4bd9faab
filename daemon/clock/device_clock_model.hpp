#pragma once
// One device's clock on the host timeline. Fed (device time, host arrival) per sample, it fits
// host = device + offset + drift · device under the arrivals' lower envelope (delivery only ever
// delays), so a sample's host time is what its arrival would be with no delivery delay.
// Pure: no clocks, threads or I/O; no allocation per sample once constructed.
// Estimator, window, outlier rule and settling: schemas/clock-model.md.
#include <cstdint>
#include <vector>

#include "daemon/clock/clock_estimate.hpp"
#include "daemon/clock/lower_envelope.hpp"

namespace plinth {

class DeviceClockModel {
 public:
  explicit DeviceClockModel(DeviceClockSettings settings = {});

  // One sample: its device time and when it reached the host (both ns, host on its timeline).
  const ClockEstimate& observe(std::int64_t device_ns, std::int64_t host_arrival_ns);

  // Where the current fit puts a device time on the host timeline (extrapolating if need be).
  std::int64_t to_host_ns(std::int64_t device_ns) const;

  // The next sample begins a new segment (ClockRestart::requested), keeping the drift.
  void restart() { restart_requested_ = true; }

  const ClockEstimate& last() const { return estimate_; }
  const DeviceClockSettings& settings() const { return settings_; }

 private:
  struct Block {
    EnvelopePoint earliest;  // the sample of the block that arrived soonest relative to the fit
    std::uint32_t samples = 0;
  };

  // The sample's device time unwrapped, after starting a segment if the device clock restarted.
  std::int64_t place_in_segment(std::int64_t device_ns, std::int64_t host_ns);
  // Whether the sample may join the fit; starts a segment if it shows the device time jumped.
  bool admits(std::int64_t device, std::int64_t host_ns);
  EnvelopePoint point(std::int64_t device, std::int64_t host_ns) const;
  void begin_segment(std::int64_t device_ns, std::int64_t host_ns, ClockRestart why);
  bool unwraps(std::int64_t device_ns, std::int64_t host_ns) const;
  void add_to_block(const EnvelopePoint& p);
  void close_block();
  void refit();
  void update_residual();
  double blended_slope(double fitted, double span) const;
  void fill_estimate(std::int64_t device_ns, std::int64_t host_ns);

  DeviceClockSettings settings_;
  LowerEnvelopeFit envelope_;

  // Segment frame: u = device − origin_device, v = host − origin_host − u (both ns, as double).
  bool started_ = false;
  bool restart_requested_ = false;
  std::int64_t origin_device_ns_ = 0;
  std::int64_t origin_host_ns_ = 0;
  std::int64_t wrap_base_ns_ = 0;
  std::int64_t last_device_ns_ = 0;  // unwrapped
  std::int64_t last_host_ns_ = 0;

  EnvelopeLine line_;
  bool line_from_hull_ = false;
  // The crystal outlives a restart: the last settled drift carries into the next segment and
  // is blended with that segment's own until its window is as long.
  struct SlopeEvidence {
    double slope = 0.0;
    double span = 0.0;  // device ns the slope was fitted over; 0: no evidence
  };
  SlopeEvidence settled_;
  SlopeEvidence carried_;

  std::vector<Block> blocks_;  // ring of closed blocks, oldest at blocks_head_
  std::size_t blocks_head_ = 0;
  std::size_t blocks_count_ = 0;
  std::uint32_t window_samples_ = 0;
  std::vector<EnvelopePoint> window_;  // the ring in order, for the fit

  bool block_open_ = false;
  std::int64_t open_block_index_ = 0;
  Block open_block_;
  double open_block_best_ = 0.0;  // earliest's v − slope·u

  std::uint32_t late_streak_ = 0;

  std::vector<std::int64_t> residuals_;  // ring of arrival − fit
  std::size_t residuals_next_ = 0;
  std::size_t residuals_count_ = 0;
  std::vector<std::int64_t> residual_scratch_;

  ClockEstimate estimate_;
};

}  // namespace plinth
