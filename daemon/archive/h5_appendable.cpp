#include "daemon/archive/h5_appendable.hpp"

#include <algorithm>
#include <cstring>

namespace plinth::h5 {

AppendableDataset::AppendableDataset(hid_t parent, const AppendableSpec& spec)
    : name_(spec.name),
      row_shape_(spec.row_shape),
      chunk_rows_(std::max<hsize_t>(spec.chunk_rows, 1)),
      // Several small chunks per H5Dwrite; always whole chunks, so a batch never splits one.
      batch_rows_((kMinBatchRows + chunk_rows_ - 1) / chunk_rows_ * chunk_rows_) {
  const std::string what = "cannot create dataset " + name_;
  row_bytes_ = H5Tget_size(spec.memory_type);
  if (row_bytes_ == 0) throw Failure(take_error_stack(what + " (bad memory type)"));
  for (const hsize_t d : row_shape_) row_bytes_ *= d;
  memory_type_ = datatype(H5Tcopy(spec.memory_type), what);

  std::vector<hsize_t> dims{0};
  std::vector<hsize_t> max_dims{H5S_UNLIMITED};
  std::vector<hsize_t> chunk{chunk_rows_};
  for (const hsize_t d : row_shape_) {
    dims.push_back(d);
    max_dims.push_back(d);
    chunk.push_back(d);
  }
  const int rank = static_cast<int>(dims.size());
  const Handle space = dataspace(H5Screate_simple(rank, dims.data(), max_dims.data()), what);
  const Handle create = plist(H5Pcreate(H5P_DATASET_CREATE), what);
  check_status(H5Pset_chunk(create.get(), rank, chunk.data()), what);
  if (spec.deflate_level > 0) {
    // Shuffle groups the bytes of each value by significance, which is what makes slowly
    // varying sensor values and timestamps compress well with deflate.
    check_status(H5Pset_shuffle(create.get()), what);
    check_status(H5Pset_deflate(create.get(), static_cast<unsigned>(spec.deflate_level)), what);
    check_status(H5Pset_chunk_opts(create.get(), H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS), what);
  }
  // The chunk cache comes from the file (see latest_format_access in session_archive.cpp).
  dataset_ = dataset(
      H5Dcreate2(parent, name_.c_str(), spec.file_type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
      what);
  pending_.resize(row_bytes_ * batch_rows_);
}

void AppendableDataset::append(const void* row) {
  // Only reachable after a failed write left the batch full: retry (and throw) before copying.
  if (pending_rows_ == batch_rows_) write_pending();
  std::memcpy(pending_.data() + pending_rows_ * row_bytes_, row, row_bytes_);
  ++pending_rows_;
  // Write when a batch ends on a chunk boundary (after a flush wrote a partial chunk the
  // batch realigns itself), so a chunk is normally written once, whole.
  if ((rows_on_disk_ + pending_rows_) % batch_rows_ == 0 || pending_rows_ == batch_rows_) write_pending();
}

void AppendableDataset::write_pending() {
  if (pending_rows_ == 0) return;
  const std::string what = "cannot append to " + name_;
  std::vector<hsize_t> new_dims{rows_on_disk_ + pending_rows_};
  std::vector<hsize_t> start{rows_on_disk_};
  std::vector<hsize_t> count{pending_rows_};
  for (const hsize_t d : row_shape_) {
    new_dims.push_back(d);
    start.push_back(0);
    count.push_back(d);
  }
  const int rank = static_cast<int>(new_dims.size());
  check_status(H5Dset_extent(dataset_.get(), new_dims.data()), what);
  const Handle file_space = dataspace(H5Dget_space(dataset_.get()), what);
  check_status(
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
      what);
  const Handle memory_space = dataspace(H5Screate_simple(rank, count.data(), nullptr), what);
  check_status(H5Dwrite(dataset_.get(), memory_type_.get(), memory_space.get(), file_space.get(), H5P_DEFAULT,
                        pending_.data()),
               what);
  rows_on_disk_ += pending_rows_;
  pending_rows_ = 0;
}

}  // namespace plinth::h5
