#pragma once
// Internal to the archive: the chunk format of HDF5's registered LZ4 filter (id 32004; the
// HDF5-External-Filter-Plugins filter that Debian ships as hdf5-filter-plugin and pip as
// hdf5plugin), so that frames can be stored with LZ4 instead of deflate where readers have the
// plugin (ArchiveOptions::frames_lz4, `archive.compression = "lz4"`; off by default).
//
// A filtered chunk is: the original size (8 bytes, big-endian), the block size (4 bytes,
// big-endian), then per block its stored size (4 bytes, big-endian) and its bytes, which are an
// LZ4 block, or the block itself when LZ4 did not make it smaller. The archive's chunks are far
// below the filter's 1 GiB block, so it writes one block and reads any number.
#include <cstddef>
#include <span>
#include <vector>

namespace plinth::h5 {

inline constexpr int kLz4FilterId = 32004;

// Replaces `out` with the filtered chunk (its capacity is kept). Never fails for chunks below 1 GiB.
void lz4_filter_encode(std::span<const std::byte> chunk, std::vector<std::byte>& out);
// The longest lz4_filter_encode output for `bytes` bytes.
std::size_t lz4_filter_max_output(std::size_t bytes);
// Replaces `out` with the original chunk; false if `filtered` is not a well-formed chunk.
bool lz4_filter_decode(std::span<const std::byte> filtered, std::vector<std::byte>& out);

// Registers the filter with this process's HDF5 (once; later calls do nothing), so the
// archive and plinth's own readers handle LZ4 chunks without the plugin. Throws h5::Failure.
void register_lz4_filter();

}  // namespace plinth::h5
