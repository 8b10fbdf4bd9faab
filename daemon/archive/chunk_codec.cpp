#include "daemon/archive/chunk_codec.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <new>
#include <stdexcept>

namespace plinth::h5 {

void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out) {
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  // H5Z_filter_shuffle leaves a chunk alone when there is nothing to reorder.
  if (element_size <= 1 || n <= 1) {
    std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  const std::byte* src = in.data();
  if (element_size == 2) {  // raw frames: the hot case, simple enough for the compiler to vectorise
    std::byte* low = out.data();
    std::byte* high = out.data() + n;
    for (std::size_t i = 0; i < n; ++i) {
      low[i] = src[2 * i];
      high[i] = src[2 * i + 1];
    }
  } else {
    for (std::size_t b = 0; b < element_size; ++b) {
      std::byte* plane = out.data() + b * n;
      for (std::size_t i = 0; i < n; ++i) plane[i] = src[i * element_size + b];
    }
  }
  const std::size_t whole = n * element_size;
  std::copy(in.begin() + static_cast<std::ptrdiff_t>(whole), in.end(),
            out.begin() + static_cast<std::ptrdiff_t>(whole));
}

ChunkDeflater::ChunkDeflater(int level)
    : compressor_(libdeflate_alloc_compressor(std::clamp(level, 1, 12))) {
  if (compressor_ == nullptr) throw std::bad_alloc();
}

ChunkDeflater::~ChunkDeflater() { libdeflate_free_compressor(compressor_); }

std::size_t ChunkDeflater::max_output(std::size_t bytes) { return libdeflate_zlib_compress_bound(nullptr, bytes); }

void ChunkDeflater::encode(std::span<const std::byte> chunk, std::size_t element_size, std::vector<std::byte>& out,
                           std::vector<std::byte>& shuffled) {
  shuffled.resize(chunk.size());
  shuffle_bytes(chunk, element_size, shuffled);
  // The bound is for any input, so the zlib stream always fits (HDF5's own filter would fall
  // back to storing an incompressible chunk unfiltered; a slightly longer stream reads the same).
  const std::size_t bound = libdeflate_zlib_compress_bound(compressor_, shuffled.size());
  out.resize(bound);
  const std::size_t written =
      libdeflate_zlib_compress(compressor_, shuffled.data(), shuffled.size(), out.data(), out.size());
  if (written == 0) throw std::length_error("deflate: chunk larger than its bound");  // cannot happen
  out.resize(written);
}

ChunkDeflater& ChunkDeflaters::at(int level) {
  const auto i = static_cast<std::size_t>(std::clamp(level, 1, 12));
  if (!by_level_[i]) by_level_[i] = std::make_unique<ChunkDeflater>(static_cast<int>(i));
  return *by_level_[i];
}

}  // namespace plinth::h5
