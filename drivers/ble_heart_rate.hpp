#pragma once
// Bluetooth Heart Rate Measurement characteristic (UUID 0x2A37), pure decode and encode.
// Wire format and error policy: schemas/heart-protocols.md section 1. Used by the BlueZ
// client (payloads from D-Bus PropertiesChanged "Value"), by the rr-line driver (hex lines)
// and by simulators. No I/O, no clocks.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "drivers/samples.hpp"

namespace plinth {

struct HeartRateMeasurement {
  std::uint16_t hr_bpm = 0;
  std::optional<bool> contact;          // empty when the strap does not support contact detection
  std::optional<std::uint16_t> energy_kj;
  std::vector<std::uint16_t> rr_1024;   // RR intervals in 1/1024 s, oldest first
};

namespace hrm_flags {
inline constexpr std::uint8_t kRate16 = 0x01;
inline constexpr std::uint8_t kContactDetected = 0x02;
inline constexpr std::uint8_t kContactSupported = 0x04;
inline constexpr std::uint8_t kEnergyPresent = 0x08;
inline constexpr std::uint8_t kRrPresent = 0x10;
}  // namespace hrm_flags

// Decode one payload. Malformed payloads (empty, truncated rate or energy, RR flag with no
// RR bytes, an odd trailing byte, bytes after the fields when the RR flag is clear) yield
// nullopt and, if `error` is given, a one-line reason. The whole payload is rejected on any
// of these: a misaligned payload cannot be trusted for any of its RR values.
std::optional<HeartRateMeasurement> parse_heart_rate_measurement(std::span<const std::uint8_t> payload,
                                                                 std::string* error = nullptr);

// The same, reusing `into` (and its RR vector's storage) for decoders on a hot path.
// On failure `into` holds no meaningful values.
bool parse_heart_rate_measurement(std::span<const std::uint8_t> payload, HeartRateMeasurement& into,
                                  std::string* error = nullptr);

// Append one HeartSample per RR value (none for a rate-only payload), each carrying the
// payload's rate and contact. The 0x2A37 payload has no beat times and no missed-beat count.
void append_heart_samples(const HeartRateMeasurement& m, std::vector<HeartSample>& out);

// Encode for simulators: 8-bit rate unless hr_bpm > 255 or force_rate16; contact bits from
// `contact`; energy field if present; RR flag iff rr_1024 is non-empty. Callers keep within
// their link's MTU (default ATT MTU 23 leaves room for 9 RR values with an 8-bit rate).
std::vector<std::uint8_t> encode_heart_rate_measurement(const HeartRateMeasurement& m, bool force_rate16 = false);

}  // namespace plinth
