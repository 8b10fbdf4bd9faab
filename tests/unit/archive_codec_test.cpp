// The archive's own shuffle + deflate (chunk_codec), its compression threads
// (chunk_compressor) and the direct chunk writes of AppendableDataset: the chunks they write
// must be exactly what HDF5's built-in filters decode, so that plain H5Dread (h5py, h5dump,
// HDFView) reads the frames back with no plugin.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <zlib.h>

#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "daemon/archive/chunk_codec.hpp"
#include "daemon/archive/chunk_compressor.hpp"
#include "daemon/archive/h5_appendable.hpp"
#include "daemon/archive/lz4_filter.hpp"
#include "tests/unit/archive_test_support.hpp"

namespace plinth {
namespace {

using archive_test::TempDir;

std::vector<std::uint16_t> frame(std::size_t n, std::uint32_t seed) {
  std::vector<std::uint16_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint16_t>((seed * 31 + i * 7 + (i / 32) * 13) % 4000);
  return v;
}

std::vector<std::uint16_t> noise(std::size_t n, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<std::uint16_t> v(n);
  for (auto& x : v) x = static_cast<std::uint16_t>(random());
  return v;
}

// A file with one chunked, shuffle + deflate dataset of `rows` x 64 x 32 uint16 (one row per chunk).
class Scratch {
 public:
  explicit Scratch(const TempDir& dir, hid_t type = H5T_STD_U16LE) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    file_ = H5Fcreate((dir.path() / "codec.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hsize_t dims[3] = {0, 64, 32}, max[3] = {H5S_UNLIMITED, 64, 32}, chunk[3] = {1, 64, 32};
    const hid_t space = H5Screate_simple(3, dims, max);
    const hid_t create = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(create, 3, chunk);
    H5Pset_shuffle(create);
    H5Pset_deflate(create, 1);
    data_ = H5Dcreate2(file_, "raw", type, space, H5P_DEFAULT, create, H5P_DEFAULT);
    H5Pclose(create);
    H5Sclose(space);
  }
  ~Scratch() {
    H5Dclose(data_);
    H5Fclose(file_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  hid_t data() const { return data_; }
  hid_t file() const { return file_; }

  void extend(hsize_t rows) {
    const hsize_t dims[3] = {rows, 64, 32};
    ASSERT_GE(H5Dset_extent(data_, dims), 0);
  }
  template <typename T>
  std::vector<T> read_row(hsize_t row, hid_t memory_type) {
    std::vector<T> out(64 * 32);
    const hid_t file_space = H5Dget_space(data_);
    const hsize_t start[3] = {row, 0, 0}, count[3] = {1, 64, 32};
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t memory_space = H5Screate_simple(3, count, nullptr);
    EXPECT_GE(H5Dread(data_, memory_type, memory_space, file_space, H5P_DEFAULT, out.data()), 0);
    H5Sclose(memory_space);
    H5Sclose(file_space);
    return out;
  }

 private:
  hid_t file_ = H5I_INVALID_HID;
  hid_t data_ = H5I_INVALID_HID;
};

TEST(ChunkCodec, ShuffleIsHdf5sShuffle) {
  // HDF5 filters a chunk itself; H5Dread_chunk returns the stored (filtered) bytes; zlib
  // undoes the deflate: what is left is HDF5's shuffle, which ours must equal.
  TempDir dir;
  Scratch scratch(dir);
  scratch.extend(1);
  const auto values = frame(64 * 32, 5);
  ASSERT_GE(H5Dwrite(scratch.data(), H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), 0);
  ASSERT_GE(H5Fflush(scratch.file(), H5F_SCOPE_GLOBAL), 0);
  const hsize_t offset[3] = {0, 0, 0};
  hsize_t stored = 0;
  ASSERT_GE(H5Dget_chunk_storage_size(scratch.data(), offset, &stored), 0);
  std::vector<Bytef> filtered(stored);
  std::uint32_t mask = 0;
  ASSERT_GE(H5Dread_chunk(scratch.data(), H5P_DEFAULT, offset, &mask, filtered.data()), 0);
  EXPECT_EQ(mask, 0u);
  std::vector<std::byte> hdf5_shuffled(values.size() * 2);
  uLongf size = static_cast<uLongf>(hdf5_shuffled.size());
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(hdf5_shuffled.data()), &size, filtered.data(), stored), Z_OK);
  ASSERT_EQ(size, hdf5_shuffled.size());

  std::vector<std::byte> ours(values.size() * 2);
  h5::shuffle_bytes(std::as_bytes(std::span(values)), 2, ours);
  EXPECT_EQ(ours, hdf5_shuffled);
}

TEST(ChunkCodec, ShuffleEdgeCasesAsHdf5) {
  // 4-byte elements, a tail that is not a whole element, and chunks HDF5 leaves alone.
  std::vector<std::byte> in(10);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::byte(i);
  std::vector<std::byte> out(in.size());
  h5::shuffle_bytes(in, 4, out);
  const std::vector<std::byte> expected{std::byte(0), std::byte(4), std::byte(1), std::byte(5), std::byte(2),
                                        std::byte(6), std::byte(3), std::byte(7), std::byte(8), std::byte(9)};
  EXPECT_EQ(out, expected);
  h5::shuffle_bytes(std::span(in).first(4), 4, std::span(out).first(4));  // one element
  EXPECT_TRUE(std::equal(in.begin(), in.begin() + 4, out.begin()));
  h5::shuffle_bytes(in, 1, out);
  EXPECT_EQ(out, in);
}

TEST(ChunkCodec, TwoByteShuffleOfEveryLengthAroundTheVectorWidth) {
  // The 2-byte case goes 16 values at a time, then one by one: every split, and an odd byte.
  for (std::size_t bytes = 0; bytes <= 101; ++bytes) {
    std::vector<std::byte> in(bytes);
    for (std::size_t i = 0; i < bytes; ++i) in[i] = std::byte(static_cast<unsigned char>(i * 37 + 11));
    const std::size_t n = bytes / 2;
    std::vector<std::byte> expected = in;  // one element, or none, is left as it is
    if (n > 1)
      for (std::size_t i = 0; i < n; ++i) {
        expected[i] = in[2 * i];
        expected[n + i] = in[2 * i + 1];
      }
    std::vector<std::byte> out(bytes);
    h5::shuffle_bytes(in, 2, out);
    EXPECT_EQ(out, expected) << bytes << " bytes";
  }
}

TEST(ChunkCodec, DirectChunksReadBackThroughPlainH5Dread) {
  TempDir dir;
  Scratch scratch(dir);
  const std::vector<std::vector<std::uint16_t>> frames = {frame(2048, 1), frame(2048, 2), noise(2048, 3),
                                                          std::vector<std::uint16_t>(2048, 0)};
  const int levels[] = {1, 6, 12, 1};
  scratch.extend(frames.size());
  std::vector<std::byte> out;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    h5::ChunkDeflater deflater(levels[i]);
    deflater.encode(std::as_bytes(std::span(frames[i])), 2, out);
    const hsize_t offset[3] = {i, 0, 0};
    ASSERT_GE(H5Dwrite_chunk(scratch.data(), H5P_DEFAULT, 0, offset, out.size(), out.data()), 0);
  }
  ASSERT_GE(H5Fflush(scratch.file(), H5F_SCOPE_GLOBAL), 0);
  for (std::size_t i = 0; i < frames.size(); ++i)
    EXPECT_EQ(scratch.read_row<std::uint16_t>(i, H5T_NATIVE_UINT16), frames[i]) << "frame " << i;
}

TEST(ChunkCodec, FourByteElements) {
  TempDir dir;
  Scratch scratch(dir, H5T_IEEE_F32LE);
  std::vector<float> values(2048);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25f * static_cast<float>(i % 97);
  std::vector<std::byte> out;
  h5::ChunkDeflater(1).encode(std::as_bytes(std::span(values)), 4, out);
  scratch.extend(1);
  const hsize_t offset[3] = {0, 0, 0};
  ASSERT_GE(H5Dwrite_chunk(scratch.data(), H5P_DEFAULT, 0, offset, out.size(), out.data()), 0);
  EXPECT_EQ(scratch.read_row<float>(0, H5T_NATIVE_FLOAT), values);
}

TEST(ChunkCompressor, CompressesOnItsThreadsAndWhileWaiting) {
  h5::ChunkCompressor pool(2);
  EXPECT_EQ(pool.threads(), 2u);
  std::vector<h5::ChunkJob> jobs(40);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto values = frame(2048, static_cast<std::uint32_t>(i));
    jobs[i].input.resize(values.size() * 2);
    std::memcpy(jobs[i].input.data(), values.data(), jobs[i].input.size());
    jobs[i].element_size = 2;
    jobs[i].level = 1 + static_cast<int>(i % 3);
    pool.submit(jobs[i]);
  }
  std::vector<std::byte> expected;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    pool.wait(jobs[i]);
    EXPECT_TRUE(pool.finished(jobs[i]));
    EXPECT_FALSE(jobs[i].failed);
    h5::ChunkDeflater(jobs[i].level).encode(jobs[i].input, 2, expected);
    EXPECT_EQ(jobs[i].output, expected) << "job " << i;  // libdeflate is deterministic
  }
  // Forgetting takes queued work back; a job forgotten after it is done is simply released.
  h5::ChunkJob late;
  late.input.resize(4096);
  pool.submit(late);
  pool.forget(late);
  EXPECT_TRUE(pool.finished(late));
}

TEST(ChunkCompressor, DefaultThreadsFromTheCores) {
  EXPECT_GE(h5::ChunkCompressor::default_threads(), 1u);
  EXPECT_LE(h5::ChunkCompressor::default_threads(), 4u);
  EXPECT_EQ(h5::ChunkCompressor(0).threads(), h5::ChunkCompressor::default_threads());
}

// AppendableDataset with a compressor: whole chunks go through the pool and H5Dwrite_chunk, a
// chunk the flush catches part full through H5Dwrite, and everything reads back in order.
void check_appendable(hsize_t chunk_rows) {
  TempDir dir;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_libver_bounds(access, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  const auto path = dir.path() / "appendable.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
  H5Pclose(access);
  ASSERT_GE(file, 0);
  std::vector<std::vector<std::uint16_t>> rows;
  std::uint64_t direct = 0;
  {
    auto pool = std::make_shared<h5::ChunkCompressor>(1);
    h5::AppendableDataset data(file, {"raw", H5T_STD_U16LE, H5T_NATIVE_UINT16, {64, 32}, chunk_rows, 1, pool});
    ASSERT_GE(H5Fstart_swmr_write(file), 0);
    for (std::uint32_t i = 0; i < 100; ++i) {
      rows.push_back(i % 10 == 9 ? noise(2048, i) : frame(2048, i));
      data.append(rows.back().data());
      if (i == 41 || i == 42 || i == 70) data.write_pending();  // flushes, some mid-chunk
    }
    data.write_pending();
    EXPECT_EQ(data.rows_on_disk(), 100u);
    EXPECT_EQ(data.pending_rows(), 0u);
    direct = data.direct_chunks();
  }
  ASSERT_GE(H5Fclose(file), 0);
  EXPECT_GT(direct, 100 / chunk_rows - 6);

  archive_test::Reader reader(path);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader.filters("/raw"), (std::vector<H5Z_filter_t>{H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE}));
  const hid_t d = H5Dopen2(reader.id(), "/raw", H5P_DEFAULT);
  std::vector<std::uint16_t> all(100 * 2048);
  ASSERT_GE(H5Dread(d, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()), 0);
  H5Dclose(d);
  for (std::size_t i = 0; i < rows.size(); ++i)
    EXPECT_TRUE(std::equal(rows[i].begin(), rows[i].end(), all.begin() + static_cast<std::ptrdiff_t>(i * 2048)))
        << "row " << i;
}

TEST(AppendableDirectChunks, OneRowPerChunk) { check_appendable(1); }
TEST(AppendableDirectChunks, FourRowsPerChunkWithPartialFlushes) { check_appendable(4); }

}  // namespace
}  // namespace plinth

namespace plinth {
namespace {

std::vector<std::byte> bytes_of(const std::vector<std::uint16_t>& values) {
  const auto b = std::as_bytes(std::span(values));
  return {b.begin(), b.end()};
}

// The chunk layout of HDF5 filter 32004: 8-byte big-endian size, 4-byte big-endian block size,
// then per block a 4-byte big-endian stored size and the block.
TEST(Lz4Filter, ChunkLayoutAndRoundTrip) {
  std::vector<std::uint16_t> values(2048, 0);  // a body on an empty mat: runs LZ4 shortens
  for (std::size_t i = 1024; i < values.size(); ++i) values[i] = static_cast<std::uint16_t>(1000 + i % 7);
  const auto in = bytes_of(values);
  std::vector<std::byte> filtered, back;
  h5::lz4_filter_encode(in, filtered);
  ASSERT_GE(filtered.size(), 16u);
  auto be = [&](std::size_t at, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | std::to_integer<std::uint64_t>(filtered[at + static_cast<std::size_t>(i)]);
    return v;
  };
  EXPECT_EQ(be(0, 8), in.size());
  EXPECT_EQ(be(8, 4), in.size());  // one block
  EXPECT_EQ(be(12, 4), filtered.size() - 16);
  EXPECT_LT(filtered.size(), in.size());  // smooth frames compress
  EXPECT_LE(filtered.size(), h5::lz4_filter_max_output(in.size()));
  ASSERT_TRUE(h5::lz4_filter_decode(filtered, back));
  EXPECT_EQ(back, in);
}

TEST(Lz4Filter, IncompressibleBlocksAreStoredAsTheyAre) {
  std::vector<std::byte> in(4096);
  std::mt19937 random(3);
  for (auto& b : in) b = std::byte(static_cast<unsigned char>(random()));
  std::vector<std::byte> filtered, back;
  h5::lz4_filter_encode(in, filtered);
  ASSERT_EQ(filtered.size(), in.size() + 16);
  EXPECT_TRUE(std::equal(in.begin(), in.end(), filtered.begin() + 16));
  ASSERT_TRUE(h5::lz4_filter_decode(filtered, back));
  EXPECT_EQ(back, in);
}

TEST(Lz4Filter, MalformedChunksAreRefused) {
  const auto in = bytes_of(frame(2048, 9));
  std::vector<std::byte> filtered, back;
  h5::lz4_filter_encode(in, filtered);
  EXPECT_FALSE(h5::lz4_filter_decode(std::span(filtered).first(10), back));                  // no header
  EXPECT_FALSE(h5::lz4_filter_decode(std::span(filtered).first(filtered.size() - 5), back));  // cut short
  auto corrupt = filtered;
  corrupt[12] = std::byte{0x7f};  // stored size beyond the chunk
  EXPECT_FALSE(h5::lz4_filter_decode(corrupt, back));
}

// A dataset with shuffle + LZ4: whole chunks go through the compressor threads and
// H5Dwrite_chunk; a chunk a flush caught part full is completed through H5Dwrite, which
// filters it with the filter this process registered. Every frame reads back through H5Dread.
TEST(Lz4Filter, DatasetWithDirectAndFlushedChunksReadsBack) {
  TempDir dir;
  const auto path = dir.path() / "lz4.h5";
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  auto compressor = std::make_shared<h5::ChunkCompressor>(1);
  std::vector<std::vector<std::uint16_t>> frames;
  {
    h5::AppendableDataset raw(file, {"raw", H5T_STD_U16LE, H5T_NATIVE_UINT16, {64, 32}, 4, 1, compressor,
                                     h5::ChunkFilter::lz4});
    for (std::uint32_t i = 0; i < 19; ++i) {
      frames.push_back(i % 5 == 4 ? noise(2048, i) : frame(2048, i));
      raw.append(frames.back().data());
      if (i == 9) raw.write_pending();  // rows 8, 9 of chunk 2 written unfiltered, completed by H5Dwrite
    }
    raw.write_pending();
    EXPECT_GT(raw.direct_chunks(), 0u);
  }
  const hid_t data = H5Dopen2(file, "raw", H5P_DEFAULT);
  const hid_t create = H5Dget_create_plist(data);
  ASSERT_EQ(H5Pget_nfilters(create), 2);
  unsigned flags = 0, cd[8] = {};
  std::size_t values = 8;
  EXPECT_EQ(H5Pget_filter2(create, 0, &flags, &values, cd, 0, nullptr, nullptr), H5Z_FILTER_SHUFFLE);
  values = 8;
  EXPECT_EQ(H5Pget_filter2(create, 1, &flags, &values, cd, 0, nullptr, nullptr), h5::kLz4FilterId);
  H5Pclose(create);
  std::vector<std::uint16_t> all(19 * 2048);
  ASSERT_GE(H5Dread(data, H5T_NATIVE_UINT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, all.data()), 0);
  for (std::size_t i = 0; i < frames.size(); ++i)
    EXPECT_TRUE(std::equal(frames[i].begin(), frames[i].end(), all.begin() + static_cast<std::ptrdiff_t>(i * 2048)))
        << "frame " << i;
  // Chunk 2 (rows 8-11) was completed by H5Dwrite: filtered by this process's LZ4 filter.
  const hsize_t offset[3] = {8, 0, 0};
  std::uint32_t mask = 1;
  hsize_t stored = 0;
  ASSERT_GE(H5Dget_chunk_storage_size(data, offset, &stored), 0);
  std::vector<std::byte> chunk(stored), back;
  ASSERT_GE(H5Dread_chunk(data, H5P_DEFAULT, offset, &mask, chunk.data()), 0);
  EXPECT_EQ(mask, 0u);
  ASSERT_TRUE(h5::lz4_filter_decode(chunk, back));
  EXPECT_EQ(back.size(), 4u * 2048 * 2);
  H5Dclose(data);
  H5Fclose(file);
}

}  // namespace
}  // namespace plinth
