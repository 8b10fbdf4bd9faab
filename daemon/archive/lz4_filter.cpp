#include "daemon/archive/lz4_filter.hpp"

#include <lz4.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "daemon/archive/h5_support.hpp"

namespace plinth::h5 {
namespace {

constexpr std::size_t kHeaderBytes = 8 + 4;
constexpr std::size_t kBlockPrefixBytes = 4;
constexpr std::size_t kMaxChunkBytes = std::size_t{1} << 30;  // the filter's own block size

void put_be(std::byte* at, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) at[i] = std::byte(static_cast<unsigned char>(value >> (8 * (bytes - 1 - i))));
}

std::uint64_t get_be(const std::byte* at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | std::to_integer<std::uint64_t>(at[i]);
  return value;
}

// HDF5's filter callback: forward when a chunk the archive completed through H5Dwrite is
// filtered, reverse whenever a reader in this process reads an LZ4 chunk.
std::size_t filter(unsigned int flags, std::size_t, const unsigned int[], std::size_t nbytes, std::size_t* buf_size,
                   void** buf) {
  try {
    std::vector<std::byte> out;
    const std::span<const std::byte> in(static_cast<const std::byte*>(*buf), nbytes);
    if ((flags & H5Z_FLAG_REVERSE) != 0) {
      if (!lz4_filter_decode(in, out)) return 0;
    } else {
      if (nbytes > kMaxChunkBytes) return 0;
      lz4_filter_encode(in, out);
    }
    void* replacement = H5allocate_memory(std::max<std::size_t>(out.size(), 1), false);
    if (replacement == nullptr) return 0;
    std::memcpy(replacement, out.data(), out.size());
    H5free_memory(*buf);
    *buf = replacement;
    *buf_size = std::max<std::size_t>(out.size(), 1);
    return out.size();
  } catch (const std::exception&) {
    return 0;  // HDF5 reports the filter's failure
  }
}

const H5Z_class2_t kLz4Class = {
    H5Z_CLASS_T_VERS, static_cast<H5Z_filter_t>(kLz4FilterId), 1, 1, "lz4 (HDF5 filter 32004, plinth)", nullptr,
    nullptr, filter,
};

}  // namespace

std::size_t lz4_filter_max_output(std::size_t bytes) {
  return kHeaderBytes + kBlockPrefixBytes + static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(bytes)));
}

void lz4_filter_encode(std::span<const std::byte> chunk, std::vector<std::byte>& out) {
  if (chunk.size() > kMaxChunkBytes) throw std::length_error("lz4 filter: chunk above 1 GiB");
  out.resize(lz4_filter_max_output(chunk.size()));
  put_be(out.data(), chunk.size(), 8);
  put_be(out.data() + 8, chunk.size(), 4);  // one block: the whole chunk
  std::size_t stored = 0;
  if (!chunk.empty()) {
    const int packed = LZ4_compress_default(reinterpret_cast<const char*>(chunk.data()),
                                            reinterpret_cast<char*>(out.data() + kHeaderBytes + kBlockPrefixBytes),
                                            static_cast<int>(chunk.size()),
                                            static_cast<int>(out.size() - kHeaderBytes - kBlockPrefixBytes));
    stored = static_cast<std::size_t>(packed);
    // As the filter itself: a block LZ4 cannot shrink is stored as it is, and readers tell it
    // by its stored size equal to the block's.
    if (packed <= 0 || stored >= chunk.size()) {
      stored = chunk.size();
      std::memcpy(out.data() + kHeaderBytes + kBlockPrefixBytes, chunk.data(), chunk.size());
    }
  }
  put_be(out.data() + kHeaderBytes, stored, 4);
  out.resize(kHeaderBytes + kBlockPrefixBytes + stored);
}

bool lz4_filter_decode(std::span<const std::byte> filtered, std::vector<std::byte>& out) {
  if (filtered.size() < kHeaderBytes) return false;
  const std::uint64_t original = get_be(filtered.data(), 8);
  std::uint64_t block = get_be(filtered.data() + 8, 4);
  if (original > kMaxChunkBytes * 2 || (block == 0 && original > 0)) return false;
  if (block > original) block = original;
  out.resize(original);
  std::size_t at = kHeaderBytes, written = 0;
  while (written < original) {
    const std::size_t this_block = std::min<std::size_t>(block, original - written);
    if (filtered.size() - at < kBlockPrefixBytes) return false;
    const std::size_t stored = get_be(filtered.data() + at, 4);
    at += kBlockPrefixBytes;
    if (stored > filtered.size() - at) return false;
    if (stored == this_block) {
      std::memcpy(out.data() + written, filtered.data() + at, stored);
    } else {
      const int made = LZ4_decompress_safe(reinterpret_cast<const char*>(filtered.data() + at),
                                           reinterpret_cast<char*>(out.data() + written), static_cast<int>(stored),
                                           static_cast<int>(this_block));
      if (made < 0 || static_cast<std::size_t>(made) != this_block) return false;
    }
    at += stored;
    written += this_block;
  }
  return true;
}

void register_lz4_filter() {
  static std::once_flag once;
  std::call_once(once, [] { check_status(H5Zregister(&kLz4Class), "cannot register the LZ4 filter with HDF5"); });
}

}  // namespace plinth::h5
