#pragma once
// Row-addressed binary matrix protocol of commercial seating mats
// (schemas/row-matrix-protocol.md): frame start, counter, rows of 12-bit values, checksum.
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth::row_matrix {

inline constexpr std::uint8_t kFrameStart = 0xFE;
inline constexpr std::uint8_t kRowMarker = 0xFF;
inline constexpr std::uint8_t kFrameEnd = 0xFD;
inline constexpr std::uint8_t kStart = 'S';  // host → device: start streaming
inline constexpr std::uint8_t kStop = 'X';   // host → device: stop streaming
inline constexpr std::uint16_t kMaxValue = 4095;

struct Geometry {
  std::uint16_t rows = 0;  // 1..255
  std::uint16_t cols = 0;  // 1..255
};

std::size_t frame_bytes(const Geometry& g);

// The decoder step for a fixed geometry. device_seq = the 8-bit frame counter as sent;
// make_step widens it to 32 bits.
StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, const Geometry& g);
// Throws std::invalid_argument unless 1 <= rows, cols <= 255.
StepFunction make_step(const DriverOptions& options);

// Append one frame; values above 4095 are sent as 4095, counter = device_seq mod 256.
// Frames with more than 255 rows or cols cannot be expressed and append nothing.
void encode_frame(const MatFrame& frame, std::vector<std::uint8_t>& out);

}  // namespace plinth::row_matrix

namespace plinth {
extern const DriverDescriptor row_matrix_driver;
}
