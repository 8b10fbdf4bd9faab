#include "daemon/archive/chunk_codec.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace plinth::h5 {
namespace {

bool shuffles(std::size_t bytes, std::size_t element_size) {
  return element_size > 1 && bytes / element_size > 1;
}

}  // namespace

void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out) {
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  if (!shuffles(in.size(), element_size)) {
    std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  const std::byte* src = in.data();
  if (element_size == 2) {  // raw frames: the hot case, kept simple enough to vectorise
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
  std::copy(in.begin() + static_cast<std::ptrdiff_t>(whole), in.end(), out.begin() + static_cast<std::ptrdiff_t>(whole));
}

void unshuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out) {
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  if (!shuffles(in.size(), element_size)) {
    std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  for (std::size_t b = 0; b < element_size; ++b) {
    const std::byte* plane = in.data() + b * n;
    for (std::size_t i = 0; i < n; ++i) out[i * element_size + b] = plane[i];
  }
  const std::size_t whole = n * element_size;
  std::copy(in.begin() + static_cast<std::ptrdiff_t>(whole), in.end(), out.begin() + static_cast<std::ptrdiff_t>(whole));
}

ChunkDeflater::ChunkDeflater(int level)
    : level_(std::clamp(level, 1, 12)), compressor_(libdeflate_alloc_compressor(level_)) {
  if (compressor_ == nullptr) throw std::bad_alloc();
}

ChunkDeflater::~ChunkDeflater() { libdeflate_free_compressor(compressor_); }

std::uint32_t ChunkDeflater::encode(std::span<const std::byte> chunk, std::size_t element_size,
                                    std::vector<std::byte>& out) {
  shuffled_.resize(chunk.size());
  shuffle_bytes(chunk, element_size, shuffled_);
  const std::size_t start = out.size();
  const std::size_t bound = libdeflate_zlib_compress_bound(compressor_, chunk.size());
  out.resize(start + bound);
  const std::size_t written =
      libdeflate_zlib_compress(compressor_, shuffled_.data(), shuffled_.size(), out.data() + start, bound);
  if (written == 0) {
    out.resize(start);
    out.insert(out.end(), shuffled_.begin(), shuffled_.end());
    return kSkippedDeflate;
  }
  out.resize(start + written);
  return 0;
}

}  // namespace plinth::h5
