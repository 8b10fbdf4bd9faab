#pragma once
// Plain-text mat protocol (schemas/text-mat-protocol.md): what DIY Arduino/FSR mats print.
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth::text_mat {

struct Geometry {
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
};

// Longest line accepted: 6 bytes per value (5 digits and a separator) plus 64 spare.
std::size_t max_line_bytes(const Geometry& g);

// The decoder step for a fixed geometry. Frames it delivers carry device_seq = 0 and
// device_time_us = 0: the wire has neither; make_step numbers frames itself.
StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, const Geometry& g);
// The step the daemon uses: step() plus the host's own frame numbering (0, 1, 2, ...).
// Throws std::invalid_argument if rows or cols is 0.
StepFunction make_step(const DriverOptions& options);

// One frame as one line: values joined by `separator`, ended by CR LF.
void encode_frame_line(const MatFrame& frame, char separator, std::vector<std::uint8_t>& out);
// One frame as `rows` lines of `cols` values, then a blank line.
void encode_row_block(const MatFrame& frame, char separator, std::vector<std::uint8_t>& out);

}  // namespace plinth::text_mat

namespace plinth {
extern const DriverDescriptor text_mat_driver;
}
