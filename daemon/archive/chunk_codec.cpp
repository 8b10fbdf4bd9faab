#include "daemon/archive/chunk_codec.hpp"

#include <libdeflate.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <new>
#include <stdexcept>

#include "daemon/archive/lz4_filter.hpp"

namespace plinth::h5 {

void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out) {
  const std::size_t n = element_size == 0 ? 0 : in.size() / element_size;
  // H5Z_filter_shuffle leaves a chunk alone when there is nothing to reorder.
  if (element_size <= 1 || n <= 1) {
    std::copy(in.begin(), in.end(), out.begin());
    return;
  }
  const std::byte* src = in.data();
  if (element_size == 2) {  // raw frames: the hot case
    std::byte* low = out.data();
    std::byte* high = out.data() + n;
    std::size_t i = 0;
#if defined(__SSE2__)
    // 16 values at a time (the compiler leaves this loop scalar at -O2): split each 16-bit lane
    // into its low and high byte and pack each kind into 16 bytes.
    const __m128i low_bytes = _mm_set1_epi16(0x00FF);
    for (; i + 16 <= n; i += 16) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i + 16));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(low + i),
                       _mm_packus_epi16(_mm_and_si128(a, low_bytes), _mm_and_si128(b, low_bytes)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(high + i), _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8)));
    }
#endif
    for (; i < n; ++i) {
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

void lz4_encode_chunk(std::span<const std::byte> chunk, std::size_t element_size, std::vector<std::byte>& out,
                      std::vector<std::byte>& scratch) {
  scratch.resize(chunk.size());
  shuffle_bytes(chunk, element_size, scratch);
  lz4_filter_encode(scratch, out);
}

ChunkDeflater& ChunkDeflaters::at(int level) {
  const auto i = static_cast<std::size_t>(std::clamp(level, 1, 12));
  if (!by_level_[i]) by_level_[i] = std::make_unique<ChunkDeflater>(static_cast<int>(i));
  return *by_level_[i];
}

}  // namespace plinth::h5
