// Archive write speed and compression on the real Vista FSA recordings (64x32 frames of
// ../shared/data/pressure/pmatdata/S1, all 17 files). Chooses ArchiveOptions: see the
// "Storage and compression" section of schemas/archive-layout.md for the figures.
//   cd <repo> && build/bench/bench_archive --benchmark_counters_tabular=true
// Counters: frames/s and raw MB/s (uint16 sensel data, MB = 1e6 bytes) through SessionArchive,
// per wall-clock second (before the compression threads: per second of the calling thread's CPU);
// ratio = raw frame bytes / bytes the raw dataset occupies in the file; file_ratio = raw frame
// bytes / whole file size (includes time_ns, seq, metrics, metadata).
#include <benchmark/benchmark.h>
#include <hdf5.h>
#include <stdlib.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/bench_setup.hpp"
#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/chunk_codec.hpp"
#include "daemon/archive/session_archive.hpp"
#include "drivers/sim/recording_reader.hpp"

namespace plinth {
namespace {

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;
constexpr std::size_t kMetricFields = 12;

const std::vector<MatFrame>& recorded_frames() {
  static const std::vector<MatFrame> frames = [] {
    const char* dir = std::getenv("PLINTH_PMATDATA");
    return sim::read_recording(dir != nullptr ? dir : "../shared/data/pressure/pmatdata/S1").frames;
  }();
  return frames;
}

std::filesystem::path scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "plinth-archive-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return std::filesystem::path(pattern);
  }();
  return dir;
}

std::vector<ArchiveDeviceLayout> mat_layout() {
  ArchiveDeviceLayout mat;
  mat.id = "mat0";
  mat.rows = 64;
  mat.cols = 32;
  for (std::size_t i = 0; i < kMetricFields; ++i) mat.metric_fields.push_back("metric_" + std::to_string(i));
  return {mat};
}

SessionMeta bench_meta(const std::string& id) {
  SessionMeta meta;
  meta.session_id = id;
  meta.subject = "bench";
  meta.started_at_ns = kT0;
  return meta;
}

std::uint64_t raw_storage_bytes(const std::filesystem::path& path) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t raw = H5Dopen2(file, "/pressure/mat0/raw", H5P_DEFAULT);
  const hsize_t bytes = H5Dget_storage_size(raw);
  H5Dclose(raw);
  H5Fclose(file);
  return bytes;
}

// Args: frames per chunk, deflate level, frames between flushes (0 = only at close).
void BM_ArchiveWrite(benchmark::State& state) {
  const auto& frames = recorded_frames();
  ArchiveOptions options;
  options.chunk_frames = static_cast<std::uint32_t>(state.range(0));
  options.deflate_level = static_cast<int>(state.range(1));
  const auto flush_every = static_cast<std::size_t>(state.range(2));
  const std::vector<double> metrics(kMetricFields, 1.25);
  std::filesystem::path path;
  ArchiveRecord record;
  int run = 0;
  for (auto _ : state) {
    path = scratch_dir() / ("write-" + std::to_string(run++) + ".h5");
    std::filesystem::remove(path);
    SessionArchive archive = SessionArchive::create(path, bench_meta("bench"), mat_layout(), {}, options);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      auto& frame = record.emplace<archived::Frame>();
      frame.time_ns = kT0 + static_cast<std::int64_t>(i) * 1'000'000'000;
      frame.seq = frames[i].device_seq;
      frame.device_time_us = frames[i].device_time_us;
      frame.raw.assign(frames[i].raw.begin(), frames[i].raw.end());
      frame.metrics.assign(metrics.begin(), metrics.end());
      archive.append(record);
      if (flush_every != 0 && (i + 1) % flush_every == 0) archive.flush();
    }
    if (!archive.close(kT0 + 1)) state.SkipWithError(archive.last_error().c_str());
  }
  const double raw_bytes = static_cast<double>(frames.size() * 64 * 32 * sizeof(std::uint16_t));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(frames.size()));
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(raw_bytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ratio"] = raw_bytes / static_cast<double>(raw_storage_bytes(path));
  state.counters["file_ratio"] = raw_bytes / static_cast<double>(std::filesystem::file_size(path));
  for (int i = 0; i < run; ++i)
    std::filesystem::remove(scratch_dir() / ("write-" + std::to_string(i) + ".h5"));
}
BENCHMARK(BM_ArchiveWrite)
    ->ArgNames({"chunk", "deflate", "flush_every"})
    ->ArgsProduct({{1, 16, 64}, {0}, {0}})
    ->ArgsProduct({{1, 4, 16}, {1, 2, 4, 6}, {0, 1, 10}})
    ->ArgsProduct({{1}, {9}, {1}})
    ->UseRealTime()  // chunks are compressed on other threads too: rates are per wall-clock second
    ->Unit(benchmark::kMillisecond);

// One frame's chunk through shuffle + deflate, as the archive's compression threads do it
// (libdeflate) and as HDF5's own filter did before (zlib, as compress2 but keeping its state), per
// level. Args: codec (0 zlib, 1 libdeflate, 2 zlib run-length only, 3 zlib Huffman only), level,
// frames (0: the real recording, 64x32; 32 / 64: the synthetic body scenario bench_pipeline
// feeds, 64 rows x that many cols). Counters: us per frame,
// ratio = raw bytes / compressed bytes.
const std::vector<MatFrame>& codec_frames(std::int64_t which) {
  static const std::vector<MatFrame> scenario32 = bench::scenario_frames(64, 32, 100.0, 1000);
  static const std::vector<MatFrame> scenario64 = bench::scenario_frames(64, 64, 100.0, 1000);
  return which == 0 ? recorded_frames() : which == 32 ? scenario32 : scenario64;
}

void BM_ChunkCodec(benchmark::State& state) {
  const auto& frames = codec_frames(state.range(2));
  const int level = static_cast<int>(state.range(1));
  const bool libdeflate = state.range(0) == 1;
  const bool lz4 = state.range(0) == 4;  // shuffle + HDF5's LZ4 filter (archive.compression = "lz4")
  // zlib strategies that still write standard deflate: 2 = Z_RLE, 3 = Z_HUFFMAN_ONLY.
  const int strategy = state.range(0) == 2 ? Z_RLE : state.range(0) == 3 ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
  h5::ChunkDeflater deflater(std::max(level, 1));
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, 15, 8, strategy);
  std::vector<std::byte> shuffled, out;
  std::size_t i = 0;
  double raw_bytes = 0, compressed_bytes = 0;
  for (auto _ : state) {
    const MatFrame& f = frames[i++ % frames.size()];
    const auto chunk = std::as_bytes(std::span<const std::uint16_t>(f.raw));
    if (lz4) {
      h5::lz4_encode_chunk(chunk, sizeof(std::uint16_t), out, shuffled);
    } else if (libdeflate) {
      deflater.encode(chunk, sizeof(std::uint16_t), out);
    } else {
      shuffled.resize(chunk.size());
      h5::shuffle_bytes(chunk, sizeof(std::uint16_t), shuffled);
      // As compress2 (which HDF5's filter calls), with the state kept: deflateReset, one deflate.
      out.resize(deflateBound(&z, static_cast<uLong>(chunk.size())));
      deflateReset(&z);
      z.next_in = reinterpret_cast<Bytef*>(shuffled.data());
      z.avail_in = static_cast<uInt>(shuffled.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      deflate(&z, Z_FINISH);
      out.resize(z.total_out);
    }
    raw_bytes += static_cast<double>(chunk.size());
    compressed_bytes += static_cast<double>(out.size());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["us/frame"] = benchmark::Counter(static_cast<double>(state.iterations()) * 1e-6,
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["ratio"] = raw_bytes / compressed_bytes;
  deflateEnd(&z);
}
BENCHMARK(BM_ChunkCodec)
    ->ArgNames({"codec", "level", "frames"})
    ->ArgsProduct({{0}, {1, 4, 6}, {0, 32, 64}})
    ->ArgsProduct({{2, 3}, {1}, {0, 32, 64}})
    ->ArgsProduct({{1}, {1, 2, 3, 4, 6, 9}, {0, 32, 64}})
    ->ArgsProduct({{4}, {1}, {0, 32, 64}});

// The whole path the daemon uses: submit<archived::Frame> from the acquisition thread, the writer thread
// appending and flushing once a second; time until stop() has closed the file.
void BM_ArchiveWriterThread(benchmark::State& state) {
  const auto& frames = recorded_frames();
  const std::vector<double> metrics(kMetricFields, 1.25);
  int run = 0;
  std::uint64_t dropped = 0;
  for (auto _ : state) {
    const auto dir = scratch_dir() / ("writer-" + std::to_string(run++));
    ArchiveWriter writer(SessionArchive::create_in(dir, bench_meta("bench"), mat_layout()),
                         {.queue_capacity = 256, .flush_interval = std::chrono::milliseconds(1000)});
    writer.start();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      // A real mat delivers frames far slower than this loop: retry instead of dropping, to
      // measure the consumer's throughput.
      const auto fill = [&](archived::Frame& r) {
        r.time_ns = kT0 + static_cast<std::int64_t>(i);
        r.seq = frames[i].device_seq;
        r.raw.assign(frames[i].raw.begin(), frames[i].raw.end());
        r.metrics.assign(metrics.begin(), metrics.end());
      };
      while (!writer.submit<archived::Frame>(fill)) {
        ++dropped;
      }
    }
    if (!writer.stop(kT0 + 1)) state.SkipWithError(writer.stats().error.c_str());
    std::filesystem::remove_all(dir);
  }
  const double raw_bytes = static_cast<double>(frames.size() * 64 * 32 * sizeof(std::uint16_t));
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(frames.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["MB/s"] = benchmark::Counter(raw_bytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["queue_full_retries"] =
      static_cast<double>(dropped) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ArchiveWriterThread)->UseRealTime()->Unit(benchmark::kMillisecond);

// What acquisition pays per frame once the queue is warm: the copy into a recycled slot that
// ArchiveWriter::submit<archived::Frame> does (same fill), plus the consumer's swap-out. No allocation.
void BM_QueueFrameHandOver(benchmark::State& state) {
  const auto& frames = recorded_frames();
  const std::vector<double> metrics(kMetricFields, 1.25);
  BoundedQueue<ArchiveRecord> queue(64);
  ArchiveRecord consumer;
  std::size_t i = 0;
  for (auto _ : state) {
    const MatFrame& f = frames[i++ % frames.size()];
    queue.try_push_with([&](ArchiveRecord& slot) {
      auto& r = slot.emplace<archived::Frame>();
      r.time_ns = kT0;
      r.seq = f.device_seq;
      r.raw.assign(f.raw.begin(), f.raw.end());
      r.metrics.assign(metrics.begin(), metrics.end());
    });
    queue.try_pop(consumer);
    benchmark::DoNotOptimize(consumer.get_if<archived::Frame>()->raw.data());
  }
}
BENCHMARK(BM_QueueFrameHandOver);

}  // namespace
}  // namespace plinth

BENCHMARK_MAIN();
