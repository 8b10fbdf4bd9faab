// Test-only program: writes archives for tests/python/test_archive_h5py.py, each mode in a
// fresh process (HDF5 refuses to open a file twice in one process, and the full-disk mode must
// show that a normal exit after a write failure does not crash).
//   archive_sample_writer session <dir>   complete session; prints the file path
//   archive_sample_writer session-lz4 <dir>  the same with archive.compression = "lz4"
//   archive_sample_writer live <path>     20 frames, flush, "ready 20"; waits for a line on
//                                         stdin; 30 more, flush, "ready 50"; waits; closes
//   archive_sample_writer killed <path>   flushes 60 frames, prints "flushed 60", appends 7
//                                         more without flushing and kills itself with SIGKILL
//   archive_sample_writer full <path>     limits the file size to 512 KiB, writes until the
//                                         archive fails, prints "flushed N" and exits normally
#include <signal.h>
#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_archive.hpp"

namespace {

using namespace plinth;

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;

SessionMeta meta() {
  SessionMeta m;
  m.session_id = "20261123T091500Z-7f3a";
  m.subject = "P-017";
  m.started_at_ns = kT0;
  m.software_version = "0.1.0-test";
  m.config_toml = "[session]\nsubject = \"P-017\"\n";
  return m;
}

std::vector<ArchiveDeviceLayout> devices() {
  ArchiveDeviceLayout mat;
  mat.id = "mat0";
  mat.rows = 64;
  mat.cols = 32;
  mat.attributes = {{"driver", std::string("plinth-mat")},
                    {"pitch_cm", 2.54},
                    {"calibration", std::string(R"({"model":"linear"})")}};
  mat.metric_fields = {{"total_load_n", "N"}, {"peak_pressure_mmhg", "mmHg"}};
  ArchiveDeviceLayout small = mat;
  small.id = "mat1";
  small.rows = 16;
  small.cols = 16;
  ArchiveDeviceLayout strap;
  strap.id = "h10";
  strap.kind = DeviceKind::heart;
  strap.hrv_fields = {{"rmssd_ms", "ms"}, {"sdnn_ms", "ms"}};
  return {mat, small, strap};
}

// Value of sensel i of frame n: deterministic, so the Python side can recompute it.
std::vector<std::uint16_t> frame(std::size_t values, std::uint32_t n) {
  std::vector<std::uint16_t> f(values);
  for (std::size_t i = 0; i < values; ++i) f[i] = static_cast<std::uint16_t>((n * 31 + i * 7) % 4000);
  return f;
}

std::vector<std::uint16_t> noise(std::uint32_t n) {
  std::vector<std::uint16_t> f(2048);
  std::uint32_t x = n * 2654435761u + 12345u;
  for (auto& v : f) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v = static_cast<std::uint16_t>(x);
  }
  return f;
}

void append_frames(SessionArchive& archive, std::uint32_t from, std::uint32_t to) {
  for (std::uint32_t n = from; n < to; ++n) {
    const std::vector<double> metrics = {1.5 * n, 100.0 + n};
    archive.append(archived::Frame{0, kT0 + n * 100'000'000LL, n, n * 100'000ULL, frame(2048, n), metrics});
  }
}

int write_session(const std::string& dir, const ArchiveOptions& options = {}) {
  ArchiveWriter writer(
      SessionArchive::create_in(dir, meta(), devices(), {{{"frames", "frames"}}, {{"queue_fill", "1"}}, {}}, options));
  writer.start();
  for (std::uint32_t n = 0; n < 50; ++n) {
    const std::vector<double> metrics = {1.5 * n, 100.0 + n};
    writer.submit(archived::Frame{0, kT0 + n * 100'000'000LL, n, n * 100'000ULL, frame(2048, n), metrics});
    writer.submit(archived::Frame{1, kT0 + n * 100'000'000LL, n, 0, frame(256, n), metrics});
  }
  for (int b = 0; b < 4; ++b)
    writer.submit(archived::Beat{2, {kT0 + b * 1'000'000'000LL, 1000.0 + b, 1000.0 + b, 60.0, 0, 0}});
  const std::vector<double> hrv = {45.0, std::nan("")};
  writer.submit(archived::Hrv{2, kT0 + 5'000'000'000LL, hrv});
  writer.submit(archived::Event{kT0, "session.start", "", std::nan(""), ""});
  writer.submit(archived::Event{kT0 + 1, "pain", "lower back \xC3\xA9", 6.0, "reported 6/10"});
  const std::vector<std::uint64_t> counters = {50};
  const std::vector<double> gauges = {0.0};
  writer.submit(archived::Status{kT0 + 1'000'000'000LL, counters, gauges});
  const std::string path = writer.stats().path;
  if (!writer.stop(kT0 + 5'000'000'000LL)) {
    std::cerr << writer.stats().error << "\n";
    return 1;
  }
  std::cout << path << std::endl;
  return 0;
}

int write_live(const std::string& path) {
  SessionArchive archive = SessionArchive::create(path, meta(), devices());
  std::string line;
  append_frames(archive, 0, 20);
  if (!archive.flush()) return 1;
  std::cout << "ready 20" << std::endl;
  std::getline(std::cin, line);
  append_frames(archive, 20, 50);
  if (!archive.flush()) return 1;
  std::cout << "ready 50" << std::endl;
  std::getline(std::cin, line);
  return archive.close(kT0 + 10'000'000'000LL) ? 0 : 1;
}

int write_killed(const std::string& path) {
  SessionArchive archive = SessionArchive::create(path, meta(), devices());
  for (std::uint32_t n = 0; n < 60; n += 10) {
    append_frames(archive, n, n + 10);
    if (!archive.flush()) return 1;
  }
  std::cout << "flushed 60" << std::endl;
  append_frames(archive, 60, 67);
  ::raise(SIGKILL);
  return 1;
}

int write_until_full(const std::string& path) {
  ::signal(SIGXFSZ, SIG_IGN);
  const rlimit limit{512 * 1024, 512 * 1024};
  ::setrlimit(RLIMIT_FSIZE, &limit);
  SessionArchive archive = SessionArchive::create(path, meta(), devices());
  std::uint32_t flushed = 0;
  for (std::uint32_t n = 0; n < 100'000 && archive.healthy(); ++n) {
    archive.append(archived::Frame{0, kT0 + n, n, 0, noise(n)});
    if ((n + 1) % 8 == 0 && archive.flush()) flushed = n + 1;
  }
  archive.close(kT0 + 1);
  std::cout << "flushed " << flushed << "\nerror " << archive.last_error() << std::endl;
  return archive.healthy() ? 1 : 0;  // a normal exit: HDF5 must not crash on the failed file
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: archive_sample_writer session|session-lz4|live|killed|full <path>\n";
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "session") return write_session(argv[2]);
  if (mode == "session-lz4") {
    ArchiveOptions lz4;
    lz4.frames_lz4 = true;
    return write_session(argv[2], lz4);
  }
  if (mode == "live") return write_live(argv[2]);
  if (mode == "killed") return write_killed(argv[2]);
  if (mode == "full") return write_until_full(argv[2]);
  std::cerr << "unknown mode " << mode << "\n";
  return 2;
}
