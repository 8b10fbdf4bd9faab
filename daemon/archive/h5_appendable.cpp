#include "daemon/archive/h5_appendable.hpp"

#include <algorithm>
#include <cstring>

#include "daemon/archive/lz4_filter.hpp"

namespace plinth::h5 {
namespace {

// Chunks in flight per dataset: enough to keep a few compressor threads busy, and never more
// than ~4 MiB of chunk buffers (plus as much compressed) whatever the chunk size.
constexpr std::size_t kMaxInFlightChunks = 16;
constexpr std::size_t kInFlightBytes = std::size_t{4} << 20;

}  // namespace

AppendableDataset::AppendableDataset(hid_t parent, const AppendableSpec& spec)
    : name_(spec.name),
      what_("cannot append to " + name_),
      row_shape_(spec.row_shape),
      chunk_rows_(std::max<hsize_t>(spec.chunk_rows, 1)),
      // Several small chunks per H5Dwrite; always whole chunks, so a batch never splits one.
      batch_rows_((kMinBatchRows + chunk_rows_ - 1) / chunk_rows_ * chunk_rows_) {
  const std::string what = "cannot create dataset " + name_;
  row_bytes_ = H5Tget_size(spec.memory_type);
  if (row_bytes_ == 0) throw Failure(take_error_stack(what + " (bad memory type)"));
  const std::size_t element_size = row_bytes_;  // the shuffle's element
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
    if (spec.filter == ChunkFilter::lz4) {
      register_lz4_filter();  // this process's HDF5 then filters the chunks a flush completes
      check_status(H5Pset_filter(create.get(), static_cast<H5Z_filter_t>(kLz4FilterId), H5Z_FLAG_MANDATORY, 0, nullptr),
                   what);
    } else {
      check_status(H5Pset_deflate(create.get(), static_cast<unsigned>(spec.deflate_level)), what);
    }
    check_status(H5Pset_chunk_opts(create.get(), H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS), what);
  }
  // The chunk cache comes from the file (see latest_format_access in session_archive.cpp).
  dataset_ = dataset(
      H5Dcreate2(parent, name_.c_str(), spec.file_type, space.get(), H5P_DEFAULT, create.get(), H5P_DEFAULT),
      what);
  pending_.resize(row_bytes_ * batch_rows_);

  // Direct chunk writes hand HDF5 the file's bytes, so the rows must already be in the file's
  // type (true for the little-endian types the archive uses on a little-endian host).
  if (spec.compressor && spec.deflate_level > 0 && H5Tequal(spec.memory_type, spec.file_type) > 0) {
    compressor_ = spec.compressor;
    const std::size_t chunk_bytes = row_bytes_ * chunk_rows_;
    slots_.resize(std::clamp<std::size_t>(kInFlightBytes / std::max<std::size_t>(chunk_bytes, 1), 2,
                                          kMaxInFlightChunks));
    for (auto& s : slots_) {
      s = std::make_unique<ChunkJob>();
      s->element_size = element_size;
      s->level = spec.deflate_level;
      s->filter = spec.filter;
      // Sized here, once: the compressor's threads then allocate nothing (see ChunkCompressor).
      s->input.reserve(chunk_bytes);
      s->scratch.reserve(chunk_bytes);
      s->output.reserve(std::max(ChunkDeflater::max_output(chunk_bytes), lz4_filter_max_output(chunk_bytes)));
    }
    chunk_offset_.assign(dims.size(), 0);
    extent_ = dims;
  }
}

AppendableDataset::~AppendableDataset() {
  for (const auto& s : slots_) compressor_->forget(*s);
}

bool AppendableDataset::direct_path_open() const {
  // Only chunks that start empty go this way: a chunk a flush wrote part of is completed by
  // H5Dwrite, which merges the rows into it.
  return compressor_ && pending_rows_ == 0 && rows_on_disk_ % chunk_rows_ == 0;
}

void AppendableDataset::append(const void* row) {
  if (direct_path_open()) {
    ChunkJob& job = slot(in_flight_);
    if (fill_rows_ == 0) job.input.resize(row_bytes_ * chunk_rows_);
    std::memcpy(job.input.data() + fill_rows_ * row_bytes_, row, row_bytes_);
    if (++fill_rows_ == chunk_rows_) submit_filled_chunk();
    return;
  }
  // Only reachable after a failed write left the batch full: retry (and throw) before copying.
  if (pending_rows_ == batch_rows_) write_pending();
  std::memcpy(pending_.data() + pending_rows_ * row_bytes_, row, row_bytes_);
  ++pending_rows_;
  // Write when a batch ends on a chunk boundary (after a flush wrote a partial chunk the
  // batch realigns itself), so a chunk is normally written once, whole. With direct chunk
  // writes this path only completes a chunk a flush wrote part of: back to them at its end.
  const hsize_t boundary = compressor_ ? chunk_rows_ : batch_rows_;
  if ((rows_on_disk_ + pending_rows_) % boundary == 0 || pending_rows_ == batch_rows_) write_pending();
}

void AppendableDataset::submit_filled_chunk() {
  compressor_->submit(slot(in_flight_));
  ++in_flight_;
  fill_rows_ = 0;
  // Write what is finished; if every slot is taken, wait for the oldest so the next chunk has one.
  write_finished(in_flight_ == slots_.size() ? 1 : 0);
}

void AppendableDataset::write_finished(std::size_t at_least) {
  std::size_t ready = 0;
  while (ready < in_flight_) {
    ChunkJob& job = slot(ready);
    if (ready < at_least) {
      compressor_->wait(job);
    } else if (!compressor_->finished(job)) {
      break;
    }
    if (job.failed) throw Failure(what_ + ": cannot compress a chunk (out of memory)");
    ++ready;
  }
  if (ready == 0) return;
  // One extent change for all of them: H5Dwrite_chunk writes only inside the extent.
  extent_[0] = rows_on_disk_ + ready * chunk_rows_;
  check_status(H5Dset_extent(dataset_.get(), extent_.data()), what_);
  while (ready > 0) {
    ChunkJob& job = slot(0);
    chunk_offset_[0] = rows_on_disk_;
    // Filter mask 0: both filters of the dataset's pipeline were applied.
    check_status(H5Dwrite_chunk(dataset_.get(), H5P_DEFAULT, 0, chunk_offset_.data(), job.output.size(),
                                job.output.data()),
                 what_);
    rows_on_disk_ += chunk_rows_;
    ++direct_chunks_;
    head_ = (head_ + 1) % slots_.size();
    --in_flight_;
    --ready;
  }
}

void AppendableDataset::write_pending() {
  if (in_flight_ > 0) write_finished(in_flight_);
  if (fill_rows_ > 0) {
    // A part-full chunk at the flush: stored unfiltered by HDF5 until a later H5Dwrite fills it.
    write_rows(slot(in_flight_).input.data(), fill_rows_);
    fill_rows_ = 0;
  }
  if (pending_rows_ == 0) return;
  write_rows(pending_.data(), pending_rows_);
  pending_rows_ = 0;
}

void AppendableDataset::write_rows(const std::byte* rows, hsize_t count) {
  const std::string& what = what_;
  std::vector<hsize_t> new_dims{rows_on_disk_ + count};
  std::vector<hsize_t> start{rows_on_disk_};
  std::vector<hsize_t> counts{count};
  for (const hsize_t d : row_shape_) {
    new_dims.push_back(d);
    start.push_back(0);
    counts.push_back(d);
  }
  const int rank = static_cast<int>(new_dims.size());
  check_status(H5Dset_extent(dataset_.get(), new_dims.data()), what);
  const Handle file_space = dataspace(H5Dget_space(dataset_.get()), what);
  check_status(
      H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, counts.data(), nullptr),
      what);
  const Handle memory_space = dataspace(H5Screate_simple(rank, counts.data(), nullptr), what);
  check_status(H5Dwrite(dataset_.get(), memory_type_.get(), memory_space.get(), file_space.get(), H5P_DEFAULT, rows),
               what);
  rows_on_disk_ += count;
}

}  // namespace plinth::h5
