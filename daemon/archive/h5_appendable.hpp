#pragma once
// Internal to the archive: a dataset that grows along its first dimension. Rows are buffered
// and written in one H5Dwrite when they reach a chunk boundary (so each chunk is compressed
// once in the common case) or when the archive flushes.
#include <cstddef>
#include <string>
#include <vector>

#include "daemon/archive/h5_support.hpp"

namespace plinth::h5 {

struct AppendableSpec {
  std::string name;
  hid_t file_type = H5I_INVALID_HID;  // borrowed; copied by HDF5 at creation
  hid_t memory_type = H5I_INVALID_HID;
  std::vector<hsize_t> row_shape;  // trailing dimensions; empty for a 1-D dataset
  hsize_t chunk_rows = 512;
  int deflate_level = 1;  // 0: no filters; otherwise shuffle + deflate(level)
};

class AppendableDataset {
 public:
  AppendableDataset(hid_t parent, const AppendableSpec& spec);

  // Copies one row (row_bytes() bytes) into the batch; may write the batch.
  void append(const void* row);
  // Writes the buffered rows, if any.
  void write_pending();
  // Forgets the dataset without closing it: closing would try to write (see abandon()).
  void abandon() { dataset_.release(); }

  hid_t id() const { return dataset_.get(); }
  std::size_t row_bytes() const { return row_bytes_; }
  hsize_t rows_on_disk() const { return rows_on_disk_; }
  hsize_t pending_rows() const { return pending_rows_; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
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
};

}  // namespace plinth::h5
