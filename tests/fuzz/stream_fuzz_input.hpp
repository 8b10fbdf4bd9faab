#pragma once
// How a driver fuzz input is laid out, shared by the fuzz targets and the corpus generator:
//   [rows byte] [cols byte] [chunk count byte] [chunk size bytes...] [wire bytes...]
// rows/cols give the geometry of protocols that need it (1..16 each, kept small so that a
// whole frame fits in a short input); the chunk sizes (1..256, used in turn) say how the
// wire bytes are cut into reads, so that the fuzzer explores odd read sizes as well as
// odd bytes. No chunk sizes means one read.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "drivers/driver_registry.hpp"

namespace plinth::fuzz {

inline constexpr std::size_t kMaxChunkSizes = 7;
// A dummy key: the real ANT+ network key is never shipped with the project.
inline constexpr const char* kDummyAntKey = "00 11 22 33 44 55 66 77";

struct StreamFuzzInput {
  DriverOptions options;
  std::vector<std::size_t> chunk_sizes;
  std::span<const std::uint8_t> wire;
};

inline StreamFuzzInput split_stream_input(std::span<const std::uint8_t> data) {
  StreamFuzzInput in;
  std::size_t at = 0;
  auto next = [&]() -> std::uint8_t { return at < data.size() ? data[at++] : 0; };
  in.options.rows = static_cast<std::uint16_t>(1 + next() % 16);
  in.options.cols = static_cast<std::uint16_t>(1 + next() % 16);
  in.options.values["ant_network_key"] = std::string(kDummyAntKey);
  const std::size_t count = next() % (kMaxChunkSizes + 1);
  for (std::size_t i = 0; i < count; ++i) in.chunk_sizes.push_back(std::size_t{next()} + 1);
  in.wire = data.subspan(std::min(at, data.size()));
  return in;
}

// The inverse, for the corpus generator.
inline std::vector<std::uint8_t> make_stream_input(std::uint16_t rows, std::uint16_t cols,
                                                   std::span<const std::uint8_t> chunk_size_bytes,
                                                   std::span<const std::uint8_t> wire) {
  std::vector<std::uint8_t> out;
  out.push_back(static_cast<std::uint8_t>((rows - 1) % 16));
  out.push_back(static_cast<std::uint8_t>((cols - 1) % 16));
  out.push_back(static_cast<std::uint8_t>(chunk_size_bytes.size()));
  out.insert(out.end(), chunk_size_bytes.begin(), chunk_size_bytes.end());
  out.insert(out.end(), wire.begin(), wire.end());
  return out;
}

}  // namespace plinth::fuzz
