#pragma once
// Internal to the archive: a dataset that grows along its first dimension. Rows are buffered
// and written in one H5Dwrite when they reach a chunk boundary (so each chunk is compressed
// once in the common case) or when the archive flushes.
//
// With a ChunkCompressor, a filtered dataset takes a faster path for whole chunks: each one is
// shuffled and deflated on the compressor's threads and written, finished, with
// H5Dwrite_chunk, in row order; at most a bounded number of chunks are in flight. The file is
// the same for readers (the dataset keeps its shuffle + deflate pipeline). A chunk the flush
// catches part full is written through H5Dwrite as before (stored unfiltered), and so are the
// rows that complete it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/archive/chunk_compressor.hpp"
#include "daemon/archive/h5_support.hpp"

namespace plinth::h5 {

struct AppendableSpec {
  std::string name;
  hid_t file_type = H5I_INVALID_HID;  // borrowed; copied by HDF5 at creation
  hid_t memory_type = H5I_INVALID_HID;
  std::vector<hsize_t> row_shape;  // trailing dimensions; empty for a 1-D dataset
  hsize_t chunk_rows = 512;
  int deflate_level = 1;  // 0: no filters; otherwise shuffle + deflate(level), or LZ4 (`filter`)
  // Compresses whole chunks off this thread (deflate_level > 0 only); null: HDF5 does it in H5Dwrite.
  std::shared_ptr<ChunkCompressor> compressor;
  ChunkFilter filter = ChunkFilter::deflate;  // with deflate_level > 0
};

class AppendableDataset {
 public:
  AppendableDataset(hid_t parent, const AppendableSpec& spec);
  ~AppendableDataset();  // takes its chunks back from the compressor, unwritten
  AppendableDataset(AppendableDataset&&) noexcept = default;
  AppendableDataset& operator=(AppendableDataset&&) = delete;

  // Copies one row (row_bytes() bytes) into the batch; may write the batch.
  void append(const void* row);
  // Writes the buffered rows and every chunk in flight, if any.
  void write_pending();
  // Forgets the dataset without closing it: closing would try to write (see abandon()).
  void abandon() { dataset_.release(); }

  hid_t id() const { return dataset_.get(); }
  std::size_t row_bytes() const { return row_bytes_; }
  hsize_t rows_on_disk() const { return rows_on_disk_; }
  hsize_t pending_rows() const { return pending_rows_ + fill_rows_ + in_flight_ * chunk_rows_; }
  const std::string& name() const { return name_; }
  // Chunks written whole with H5Dwrite_chunk (the rest went through H5Dwrite).
  std::uint64_t direct_chunks() const { return direct_chunks_; }

 private:
  void write_rows(const std::byte* rows, hsize_t count);  // H5Dwrite at rows_on_disk_
  bool direct_path_open() const;
  void submit_filled_chunk();
  // Writes finished chunks from the oldest on: at least `at_least` (waiting for them), then
  // those already done.
  void write_finished(std::size_t at_least);
  ChunkJob& slot(std::size_t i) { return *slots_[(head_ + i) % slots_.size()]; }

  std::string name_;
  std::string what_;  // error message prefix
  Handle dataset_;
  Handle memory_type_;
  std::vector<hsize_t> row_shape_;
  std::size_t row_bytes_ = 0;
  static constexpr hsize_t kMinBatchRows = 32;
  hsize_t chunk_rows_ = 0;
  hsize_t batch_rows_ = 0;
  hsize_t rows_on_disk_ = 0;
  hsize_t pending_rows_ = 0;
  std::vector<std::byte> pending_;

  // Direct chunk writes: a ring of jobs; in_flight_ from head_ on are with the compressor (or
  // done, not yet written); the next one is being filled (fill_rows_ rows).
  std::shared_ptr<ChunkCompressor> compressor_;
  std::vector<std::unique_ptr<ChunkJob>> slots_;
  std::size_t head_ = 0;
  std::size_t in_flight_ = 0;
  hsize_t fill_rows_ = 0;
  std::vector<hsize_t> chunk_offset_;
  std::vector<hsize_t> extent_;
  std::uint64_t direct_chunks_ = 0;
};

}  // namespace plinth::h5
