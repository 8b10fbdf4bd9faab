#include "drivers/row_matrix_mat.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace plinth::row_matrix {
namespace {

std::size_t row_bytes(const Geometry& g) { return 3 + 2 * std::size_t{g.cols}; }

void check_geometry(std::uint16_t rows, std::uint16_t cols) {
  if (rows == 0 || cols == 0 || rows > 255 || cols > 255)
    throw std::invalid_argument("row-matrix needs rows and cols of 1..255 in the device config (got " +
                                std::to_string(rows) + "x" + std::to_string(cols) + ")");
}

}  // namespace

std::size_t frame_bytes(const Geometry& g) { return 2 + std::size_t{g.rows} * row_bytes(g) + 2; }

StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, const Geometry& g) {
  // Hunt for a frame start; everything before it is garbage.
  if (in[0] != kFrameStart) {
    const void* p = std::memchr(in.data(), kFrameStart, in.size());
    const std::size_t skip = p ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(p) - in.data()) : in.size();
    return {StepOutcome::skip, skip, SkipReason::garbage};
  }
  // A 0xFE is only taken for a frame start if a row marker and the configured column count
  // follow it. Inside valid values every other byte is a high byte (0x00-0x0F), so a 0xFE
  // low byte can only pass this test when cols <= 15; false starts cost one garbage byte.
  if ((in.size() > 2 && in[2] != kRowMarker) || (in.size() > 3 && in[3] != g.cols))
    return {StepOutcome::skip, 1, SkipReason::garbage};

  // From here on a failure is a broken frame. Drop only its start byte, so that a frame
  // that begins inside the broken one's bytes (the device reset mid-frame) is still found.
  const std::size_t rb = row_bytes(g);
  for (std::size_t r = 0; r < g.rows; ++r) {
    const std::size_t at = 2 + r * rb;
    if (in.size() < at + 3) return {StepOutcome::need_more, 0};
    if (in[at] != kRowMarker || in[at + 1] != g.cols) return {StepOutcome::skip, 1, SkipReason::bad_length};
    if (in[at + 2] != r) return {StepOutcome::skip, 1, SkipReason::bad_payload};  // missing or out-of-order row
    const std::size_t values = at + 3;
    const std::size_t available = std::min(in.size(), values + 2 * std::size_t{g.cols});
    for (std::size_t i = values + 1; i < available; i += 2)
      if (in[i] > (kMaxValue >> 8)) return {StepOutcome::skip, 1, SkipReason::bad_payload};  // upper nibble set
    if (available < values + 2 * std::size_t{g.cols}) return {StepOutcome::need_more, 0};
  }
  const std::size_t end = 2 + g.rows * rb;
  if (in.size() < end + 2) return {StepOutcome::need_more, 0};
  if (in[end] != kFrameEnd) return {StepOutcome::skip, 1, SkipReason::bad_length};  // extra rows, lost end
  std::uint8_t check = 0;
  for (std::size_t i = 0; i <= end; ++i) check ^= in[i];
  if (check != in[end + 1]) return {StepOutcome::skip, 1, SkipReason::bad_crc};

  MatFrame& f = out.frame;
  f.rows = g.rows;
  f.cols = g.cols;
  f.device_seq = in[1];
  f.device_time_us = 0;
  f.suspect = false;
  f.raw.resize(std::size_t{g.rows} * g.cols);
  for (std::size_t r = 0; r < g.rows; ++r) {
    const std::uint8_t* v = in.data() + 2 + r * rb + 3;
    std::uint16_t* dst = f.raw.data() + r * g.cols;
    for (std::size_t c = 0; c < g.cols; ++c) dst[c] = static_cast<std::uint16_t>(v[2 * c] | (v[2 * c + 1] << 8));
  }
  return {StepOutcome::mat_frame, end + 2};
}

StepFunction make_step(const DriverOptions& options) {
  check_geometry(options.rows, options.cols);
  const Geometry g{options.rows, options.cols};
  // Widen the 8-bit counter: each frame advances by (counter − last) mod 256, so gaps of
  // up to 255 frames show as jumps of device_seq; longer gaps alias (documented).
  return [g, have_last = false, last8 = std::uint8_t{0}, seq = std::uint32_t{0}](
             std::span<const std::uint8_t> in, DecodedOutput& out) mutable {
    StepResult r = step(in, out, g);
    if (r.outcome != StepOutcome::mat_frame) return r;
    const auto counter = static_cast<std::uint8_t>(out.frame.device_seq);
    seq = have_last ? seq + static_cast<std::uint8_t>(counter - last8) : counter;
    have_last = true;
    last8 = counter;
    out.frame.device_seq = seq;
    return r;
  };
}

void encode_frame(const MatFrame& frame, std::vector<std::uint8_t>& out) {
  if (frame.rows == 0 || frame.cols == 0 || frame.rows > 255 || frame.cols > 255) return;
  const std::size_t begin = out.size();
  out.push_back(kFrameStart);
  out.push_back(static_cast<std::uint8_t>(frame.device_seq));
  for (std::size_t r = 0; r < frame.rows; ++r) {
    out.push_back(kRowMarker);
    out.push_back(static_cast<std::uint8_t>(frame.cols));
    out.push_back(static_cast<std::uint8_t>(r));
    for (std::size_t c = 0; c < frame.cols; ++c) {
      const std::size_t i = r * frame.cols + c;
      const std::uint16_t v = std::min<std::uint16_t>(i < frame.raw.size() ? frame.raw[i] : 0, kMaxValue);
      out.push_back(static_cast<std::uint8_t>(v));
      out.push_back(static_cast<std::uint8_t>(v >> 8));
    }
  }
  out.push_back(kFrameEnd);
  std::uint8_t check = 0;
  for (std::size_t i = begin; i < out.size(); ++i) check ^= out[i];
  out.push_back(check);
}

}  // namespace plinth::row_matrix

namespace plinth {
namespace {

// The device side: silent until the host sends 'S', stops on 'X'.
class RowMatrixSim final : public SimEncoder {
 public:
  void encode_frame(const MatFrame& frame, std::vector<std::uint8_t>& out) override {
    row_matrix::encode_frame(frame, out);
  }
  void on_host_bytes(std::span<const std::uint8_t> in, std::vector<std::uint8_t>&) override {
    for (std::uint8_t b : in) {
      if (b == row_matrix::kStart) streaming_ = true;
      if (b == row_matrix::kStop) streaming_ = false;
    }
  }
  bool streaming() const override { return streaming_; }

 private:
  bool streaming_ = false;
};

}  // namespace

const DriverDescriptor row_matrix_driver = {
    .name = "row-matrix",
    .kind = DeviceKind::mat,
    .summary = "row-addressed binary matrix of commercial seating mats (schemas/row-matrix-protocol.md)",
    .default_baud = 115200,
    .make_step = &row_matrix::make_step,
    .open_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{row_matrix::kStart}; },
    .close_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{row_matrix::kStop}; },
    .make_sim = [](const DriverOptions&, const DeviceInfo& info) -> std::unique_ptr<SimEncoder> {
      if (info.rows > 255 || info.cols > 255)
        throw std::invalid_argument("row-matrix carries at most 255x255 sensels");
      return std::make_unique<RowMatrixSim>();
    },
    // The frame-start byte is not unique in the stream, so only a capture that begins with it counts.
    .sniff = [](std::span<const std::uint8_t> capture) {
      return !capture.empty() && capture.front() == row_matrix::kFrameStart;
    },
};

}  // namespace plinth
