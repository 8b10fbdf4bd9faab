#pragma once
// Plain values that every device decoder produces. No I/O, no clocks: the shell adds the
// host arrival time when it hands a sample on.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace plinth {

enum class DeviceKind { mat, heart };

// One pressure frame exactly as the device sent it (before calibration).
struct MatFrame {
  std::uint32_t device_seq = 0;      // device's own frame counter (wraps at 2^32)
  std::uint64_t device_time_us = 0;  // device clock, microseconds since device start; 0 if unknown
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  std::vector<std::uint16_t> raw;    // rows*cols values, row-major
  bool suspect = false;              // decoder saw something odd (e.g. all values multiples of 256)
};

// What a device says about itself in answer to an identify request.
struct DeviceInfo {
  std::string model;
  std::string serial;
  std::string firmware;
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  std::uint8_t adc_bits = 0;
  float pitch_mm = 0.0f;       // sensel pitch; 0 if the device does not know
  std::uint32_t frame_rate_mhz = 0;  // nominal frame rate in milli-hertz; 0 if unknown
};

// One heart beat interval as a strap reports it.
struct HeartSample {
  std::uint16_t rr_1024 = 0;                   // RR interval in 1/1024 s
  std::optional<std::uint64_t> sensor_time_1024;  // sensor-side beat time in 1/1024 s, if known
  std::uint32_t missing_beats = 0;             // beats known to be lost before this one
  std::optional<std::uint16_t> hr_bpm;         // rate the strap reports, if any
  std::optional<bool> contact;                 // sensor contact, if the strap reports it
};

}  // namespace plinth
