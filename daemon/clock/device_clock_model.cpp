#include "daemon/clock/device_clock_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace plinth {

const char* to_string(ClockRestart restart) {
  switch (restart) {
    case ClockRestart::none: return "none";
    case ClockRestart::first_sample: return "first_sample";
    case ClockRestart::device_clock_reset: return "device_clock_reset";
    case ClockRestart::device_clock_jump: return "device_clock_jump";
    case ClockRestart::device_lost_time: return "device_lost_time";
    case ClockRestart::requested: return "requested";
  }
  return "unknown";
}

DeviceClockModel::DeviceClockModel(DeviceClockSettings settings)
    : settings_(settings),
      envelope_(std::max<std::uint32_t>(settings.window_blocks, 2)),
      blocks_(std::max<std::uint32_t>(settings.window_blocks, 2)),
      residuals_(std::max<std::uint32_t>(settings.residual_samples, 1)) {
  window_.reserve(blocks_.size());
  residual_scratch_.reserve(residuals_.size());
}

const ClockEstimate& DeviceClockModel::observe(std::int64_t device_ns, std::int64_t host_arrival_ns) {
  const std::int64_t device = place_in_segment(device_ns, host_arrival_ns);
  const bool admitted = estimate_.restart != ClockRestart::none || admits(device, host_arrival_ns);
  last_device_ns_ = device;
  last_host_ns_ = host_arrival_ns;
  if (admitted) {
    const EnvelopePoint p = point(device, host_arrival_ns);
    add_to_block(p);
    residuals_[residuals_next_] = std::llround(p.v - line_.at(p.u));
    residuals_next_ = (residuals_next_ + 1) % residuals_.size();
    residuals_count_ = std::min(residuals_count_ + 1, residuals_.size());
  }
  fill_estimate(device_ns, host_arrival_ns);
  return estimate_;
}

std::int64_t DeviceClockModel::place_in_segment(std::int64_t device_ns, std::int64_t host_ns) {
  estimate_.restart = ClockRestart::none;
  if (!started_) {
    begin_segment(device_ns, host_ns, ClockRestart::first_sample);
  } else if (restart_requested_) {
    begin_segment(device_ns + wrap_base_ns_, host_ns, ClockRestart::requested);
  } else if (device_ns + wrap_base_ns_ < last_device_ns_) {
    if (unwraps(device_ns, host_ns)) {
      wrap_base_ns_ += settings_.counter_wrap_ns;
    } else {
      wrap_base_ns_ = 0;  // a restarted counter starts from its own zero again
      begin_segment(device_ns, host_ns, ClockRestart::device_clock_reset);
    }
  }
  return device_ns + wrap_base_ns_;
}

bool DeviceClockModel::admits(std::int64_t device, std::int64_t host_ns) {
  const EnvelopePoint p = point(device, host_ns);
  const double beyond_fit = p.v - line_.at(p.u);
  if (beyond_fit < -static_cast<double>(settings_.early_limit_ns)) {
    begin_segment(device, host_ns, ClockRestart::device_clock_jump);
    return true;
  }
  if (beyond_fit <= static_cast<double>(settings_.late_limit_ns)) {
    late_streak_ = 0;
    return true;
  }
  // Left out of the fit: most likely a delivery stall, which the next samples will show.
  if (++late_streak_ < settings_.late_streak_limit) return false;
  begin_segment(device, host_ns, ClockRestart::device_lost_time);
  return true;
}

EnvelopePoint DeviceClockModel::point(std::int64_t device, std::int64_t host_ns) const {
  const double u = static_cast<double>(device - origin_device_ns_);
  return EnvelopePoint{u, static_cast<double>(host_ns - origin_host_ns_) - u};
}

std::int64_t DeviceClockModel::to_host_ns(std::int64_t device_ns) const {
  const std::int64_t device = device_ns + wrap_base_ns_;
  return origin_host_ns_ + (device - origin_device_ns_) +
         std::llround(line_.at(static_cast<double>(device - origin_device_ns_)));
}

bool DeviceClockModel::unwraps(std::int64_t device_ns, std::int64_t host_ns) const {
  if (settings_.counter_wrap_ns <= 0) return false;
  // A wrap, not a restart, if the device advanced across it about as far as the host did.
  const std::int64_t device_step = device_ns + wrap_base_ns_ + settings_.counter_wrap_ns - last_device_ns_;
  const std::int64_t host_step = host_ns - last_host_ns_;
  const std::int64_t tolerance = 1'000'000'000 + host_step / 1000;
  return device_step > 0 && std::llabs(device_step - host_step) <= tolerance;
}

void DeviceClockModel::begin_segment(std::int64_t device_ns, std::int64_t host_ns, ClockRestart why) {
  if (started_) ++estimate_.segment;
  started_ = true;
  restart_requested_ = false;
  origin_device_ns_ = device_ns;
  origin_host_ns_ = host_ns;
  last_device_ns_ = device_ns;
  last_host_ns_ = host_ns;
  if (settled_.span > 0.0) carried_ = settled_;
  settled_ = SlopeEvidence{};
  line_ = EnvelopeLine{0.0, carried_.slope};
  line_from_hull_ = false;
  blocks_head_ = blocks_count_ = 0;
  window_samples_ = 0;
  block_open_ = false;
  late_streak_ = 0;
  residuals_next_ = residuals_count_ = 0;
  estimate_.settled = false;
  estimate_.residual_ns = 0;
  estimate_.restart = why;
}

void DeviceClockModel::add_to_block(const EnvelopePoint& p) {
  const std::int64_t index = static_cast<std::int64_t>(p.u) / settings_.block_ns;
  if (block_open_ && index != open_block_index_) close_block();
  const double height = p.v - line_.slope * p.u;
  if (!block_open_) {
    block_open_ = true;
    open_block_index_ = index;
    open_block_ = Block{p, 0};
    open_block_best_ = height;
  } else if (height < open_block_best_) {
    open_block_.earliest = p;
    open_block_best_ = height;
  }
  ++open_block_.samples;
  ++window_samples_;
  // Until the window can carry a slope, the fit is the held drift under the earliest arrival.
  if (!line_from_hull_ && height < line_.intercept) line_.intercept = height;
}

void DeviceClockModel::close_block() {
  if (blocks_count_ == blocks_.size()) {
    window_samples_ -= blocks_[blocks_head_].samples;
    blocks_head_ = (blocks_head_ + 1) % blocks_.size();
    --blocks_count_;
  }
  blocks_[(blocks_head_ + blocks_count_) % blocks_.size()] = open_block_;
  ++blocks_count_;
  block_open_ = false;
  refit();
  update_residual();
}

void DeviceClockModel::refit() {
  window_.clear();
  for (std::size_t k = 0; k < blocks_count_; ++k)
    window_.push_back(blocks_[(blocks_head_ + k) % blocks_.size()].earliest);
  const double span = window_.back().u - window_.front().u;
  // Each block moves the window little: the last fit's slope is a better start than a hull edge.
  const std::optional<double> start_slope = line_from_hull_ ? std::optional<double>(line_.slope) : std::nullopt;
  line_from_hull_ = false;
  if (span >= static_cast<double>(settings_.min_drift_span_ns)) {
    const auto hull = envelope_.fit(window_, settings_.envelope_fraction, start_slope);
    if (hull && std::abs(hull->slope) * 1e6 <= settings_.max_drift_ppm) {
      line_ = LowerEnvelopeFit::under(window_, blended_slope(hull->slope, span));
      line_from_hull_ = true;
    }
  }
  if (!line_from_hull_) line_ = LowerEnvelopeFit::under(window_, carried_.slope);
  estimate_.settled = line_from_hull_ && span >= static_cast<double>(settings_.settle_span_ns) &&
                      blocks_count_ >= settings_.settle_blocks;
  if (estimate_.settled) settled_ = SlopeEvidence{line_.slope, std::max(span, carried_.span)};
}

double DeviceClockModel::blended_slope(double fitted, double span) const {
  // A slope's variance from a window of span T (points ∝ T) goes as 1/T³: weight each estimate
  // by the cube of the span it came from, so a young segment leans on the previous one's drift.
  const double own = span * span * span;
  const double carried = carried_.span * carried_.span * carried_.span;
  return (own * fitted + carried * carried_.slope) / (own + carried);
}

void DeviceClockModel::update_residual() {
  if (residuals_count_ == 0) return;
  residual_scratch_.assign(residuals_.begin(), residuals_.begin() + static_cast<std::ptrdiff_t>(residuals_count_));
  const auto middle = residual_scratch_.begin() + static_cast<std::ptrdiff_t>(residuals_count_ / 2);
  std::nth_element(residual_scratch_.begin(), middle, residual_scratch_.end());
  estimate_.residual_ns = *middle;
}

void DeviceClockModel::fill_estimate(std::int64_t device_ns, std::int64_t host_ns) {
  const std::int64_t fitted = to_host_ns(device_ns);
  estimate_.host_ns = std::min(fitted, host_ns);
  estimate_.offset_ns = fitted - device_ns;
  // The fit's slope is host per device; the device's own rate error is its reciprocal's.
  estimate_.drift_ppm = (1.0 / (1.0 + line_.slope) - 1.0) * 1e6;
  estimate_.points = window_samples_;
}

}  // namespace plinth
