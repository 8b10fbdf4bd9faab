#pragma once
// Feeding helpers shared by the third-party mat protocol tests.
#include <algorithm>
#include <string>
#include <vector>

#include "drivers/stream_decoder.hpp"

namespace plinth::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

inline void append(Bytes& a, const Bytes& b) { a.insert(a.end(), b.begin(), b.end()); }

// Feeds `bytes` in reads of `chunk` bytes; returns every frame delivered.
inline std::vector<MatFrame> decode_frames(StreamDecoder& d, const Bytes& bytes, std::size_t chunk) {
  std::vector<MatFrame> frames;
  auto sink = [&](StepOutcome o, const DecodedOutput& out) {
    if (o == StepOutcome::mat_frame) frames.push_back(out.frame);
  };
  for (std::size_t i = 0; i < bytes.size(); i += chunk)
    d.feed({bytes.data() + i, std::min(chunk, bytes.size() - i)}, sink);
  return frames;
}

inline MatFrame pattern_frame(std::uint32_t seq, std::uint16_t rows, std::uint16_t cols, std::uint16_t max_value = 4095) {
  MatFrame f;
  f.device_seq = seq;
  f.rows = rows;
  f.cols = cols;
  for (std::size_t i = 0; i < std::size_t{rows} * cols; ++i)
    f.raw.push_back(static_cast<std::uint16_t>((seq * 131 + i * 257 + i / 7) % (max_value + 1u)));
  return f;
}

}  // namespace plinth::test
