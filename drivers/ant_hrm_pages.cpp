#include "drivers/ant_plus.hpp"

#include <algorithm>

// ANT+ heart-rate pages to RR intervals (HrmPageTracker; schemas/heart-protocols.md section 3).
namespace plinth::ant {
namespace {

std::uint16_t get_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

}  // namespace

void HrmPageTracker::reset() {
  have_beat_ = false;
  pending_missing_ = 0;
  last_toggle_.reset();
  toggle_seen_ = false;
}

bool HrmPageTracker::on_page(std::span<const std::uint8_t, 8> page, HeartSample& sample) {
  const std::uint8_t toggle = page[0] >> 7;
  if (last_toggle_ && *last_toggle_ != toggle) toggle_seen_ = true;
  last_toggle_ = toggle;
  // Legacy straps send page 0 with bytes 1-3 reserved and never move the toggle bit; only
  // a strap that does move it has meaningful page numbers (ANT+ HRM profile).
  const bool page4 = toggle_seen_ && (page[0] & 0x7F) == 4;
  const std::uint16_t time = get_u16(&page[4]);
  const std::uint16_t previous = get_u16(&page[2]);
  const std::uint8_t count = page[6];
  const std::uint8_t hr = page[7];

  auto emit = [&](std::uint16_t rr, std::uint32_t missing) {
    sample = HeartSample{};
    sample.rr_1024 = rr;
    sample.sensor_time_1024 = sensor_time_;
    sample.missing_beats = missing;
    if (hr != 0) sample.hr_bpm = hr;
    return true;
  };

  if (!have_beat_) {
    // The first page only sets the baseline: its interval would need the previous page.
    have_beat_ = true;
    count_ = count;
    time_ = time;
    sensor_time_ = time;
    pending_missing_ = 0;
    return false;
  }
  if (count == count_) {
    if (time == time_) {
      ++repeats_;
      return false;
    }
    // Same count, different time: the strap restarted or 256 beats went by unseen.
    ++anomalies_;
    time_ = time;
    pending_missing_ = 0;
    return false;
  }
  const std::uint8_t beats = static_cast<std::uint8_t>(count - count_);
  const std::uint16_t elapsed = static_cast<std::uint16_t>(time - time_);
  // No heart beats faster than 300 bpm (205/1024 s): a shorter span means the 64 s time
  // counter wrapped during a long gap, so neither the interval nor the count can be trusted.
  if (elapsed < std::uint32_t{beats} * 205u) {
    ++anomalies_;
    count_ = count;
    time_ = time;
    pending_missing_ = 0;
    return false;
  }
  count_ = count;
  time_ = time;
  sensor_time_ += elapsed;
  if (beats == 1) {
    const std::uint32_t missing = pending_missing_;
    pending_missing_ = 0;
    return emit(elapsed, missing);
  }
  // Beats went unseen. Page 4 still gives the last one's interval when its previous beat
  // time lies inside the gap; otherwise this beat's interval is unknown too.
  const std::uint16_t since_previous = static_cast<std::uint16_t>(time - previous);
  if (page4 && since_previous != 0 && since_previous < elapsed) {
    const std::uint32_t missing = pending_missing_ + beats - 1u;
    pending_missing_ = 0;
    return emit(since_previous, missing);
  }
  pending_missing_ += beats;
  return false;
}

}  // namespace plinth::ant
