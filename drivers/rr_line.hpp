#pragma once
// "rr-line": the plain-text line protocol of serial bridges (an ESP32/nRF52 relaying a
// strap), schemas/heart-protocols.md section 2. Pure step and encoders.
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/ble_heart_rate.hpp"
#include "drivers/driver.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth::rr_line {

// Longest accepted line, terminator excluded: an HRM line with a 124-byte payload.
inline constexpr std::size_t kMaxLineLength = 256;

// control_code of a `control` outcome.
enum class Control : std::uint8_t { blank = 0, comment = '#', rate_only = 'H' };

// What the step remembers between calls: whether it is discarding the rest of an
// overlong line (so that its tail is never read as a line of its own), and scratch space.
struct LineState {
  bool discarding = false;
  HeartRateMeasurement scratch;
};

// One line per call. Never reads past `in`, never throws, does not allocate once warm.
StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, LineState& state);

// Encoders (bridges and `plinth sim`): append one line ending in "\r\n".
void encode_rr(std::uint16_t rr_1024, std::vector<std::uint8_t>& out);
void encode_hrm(std::span<const std::uint8_t> payload_2a37, std::vector<std::uint8_t>& out);

}  // namespace plinth::rr_line

namespace plinth {
extern const DriverDescriptor rr_line_driver;
}
