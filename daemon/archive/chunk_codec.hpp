#pragma once
// Internal to the archive: what HDF5's shuffle and deflate filters do to one chunk, done
// outside HDF5 so that chunks can be compressed on worker threads and handed to HDF5 finished
// (H5Dwrite_chunk). The bytes are those a reader's HDF5 decodes with its built-in filters:
// the byte shuffle of H5Z_filter_shuffle, then a zlib-format (RFC 1950) deflate stream, as
// H5Z_filter_deflate writes with zlib's compress2. The deflate encoder is libdeflate's.
#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

struct libdeflate_compressor;

namespace plinth::h5 {

// The second filter of a compressed dataset's pipeline, after the shuffle: deflate (built into
// every HDF5) or LZ4 (HDF5's registered filter 32004; readers need its plugin, lz4_filter.hpp).
enum class ChunkFilter { deflate, lz4 };

// HDF5's shuffle filter: byte b of element i goes to out[b * n + i] (n whole elements); bytes
// past the last whole element are copied as they are; chunks of one element, or of one-byte
// elements, are copied unchanged. `out` must be as long as `in`.
void shuffle_bytes(std::span<const std::byte> in, std::size_t element_size, std::span<std::byte> out);

// Shuffle + deflate of one chunk at one level (libdeflate levels: 1 fastest .. 12 smallest;
// 1..9 are comparable to zlib's). Holds its compressor and scratch: one per thread.
class ChunkDeflater {
 public:
  explicit ChunkDeflater(int level);  // throws std::bad_alloc
  ~ChunkDeflater();
  ChunkDeflater(const ChunkDeflater&) = delete;
  ChunkDeflater& operator=(const ChunkDeflater&) = delete;

  // Replaces `out` with the filtered chunk (its capacity is kept: no allocation once warm).
  void encode(std::span<const std::byte> chunk, std::size_t element_size, std::vector<std::byte>& out) {
    encode(chunk, element_size, out, shuffled_);
  }
  // The same with the caller's scratch for the shuffled bytes: nothing is allocated if `out`
  // has max_output(chunk.size()) and `scratch` chunk.size() bytes of capacity.
  void encode(std::span<const std::byte> chunk, std::size_t element_size, std::vector<std::byte>& out,
              std::vector<std::byte>& scratch);
  // The longest output for a chunk of `bytes` bytes, at any level.
  static std::size_t max_output(std::size_t bytes);

 private:
  libdeflate_compressor* compressor_;
  std::vector<std::byte> shuffled_;
};

// Shuffle + LZ4 of one chunk, in the layout of HDF5's LZ4 filter (lz4_filter.hpp): the same
// contract as ChunkDeflater::encode with the caller's scratch, and no state to hold.
void lz4_encode_chunk(std::span<const std::byte> chunk, std::size_t element_size, std::vector<std::byte>& out,
                      std::vector<std::byte>& scratch);

// One ChunkDeflater per level, made when first asked for.
class ChunkDeflaters {
 public:
  ChunkDeflater& at(int level);

 private:
  std::array<std::unique_ptr<ChunkDeflater>, 13> by_level_;
};

}  // namespace plinth::h5
