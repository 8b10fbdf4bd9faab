// The archive under stress, each case in a forked child so the parent can do what a later
// reader would: a full disk (RLIMIT_FSIZE), kill -9 mid-session, and a live SWMR reader.
// HDF5 refuses to open one file twice in the same process, so writer and reader are always
// in different processes here.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_archive.hpp"
#include "tests/unit/archive_test_support.hpp"

namespace plinth {
namespace {

using namespace std::chrono_literals;
using archive_test::Reader;
using archive_test::sample_meta;
using archive_test::TempDir;

constexpr std::int64_t kT0 = 1'795'425'300'123'000'000;
constexpr std::size_t kValues = 64 * 32;

std::vector<ArchiveDeviceLayout> one_mat() {
  ArchiveDeviceLayout mat;
  mat.id = "mat0";
  mat.rows = 64;
  mat.cols = 32;
  mat.metric_fields = {"total_load_n"};
  return {mat};
}

// Incompressible frame content (xorshift), so the file grows as fast as frames are written.
std::vector<std::uint16_t> noise_frame(std::uint32_t index) {
  std::vector<std::uint16_t> frame(kValues);
  std::uint32_t x = index * 2654435761u + 12345u;
  for (auto& v : frame) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    v = static_cast<std::uint16_t>(x);
  }
  return frame;
}

bool write_all(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  return text;
}

// Runs `child(write_fd)` in a forked process; returns what it wrote and its wait status.
template <typename Child>
std::pair<std::string, int> run_child(Child child) {
  int fds[2];
  if (::pipe(fds) != 0) return {"pipe failed", -1};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    const int code = child(fds[1]);
    ::close(fds[1]);
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string output = read_all(fds[0]);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {output, status};
}

void expect_frames_intact(const Reader& file, std::uint32_t count) {
  const auto seq = file.read<std::uint32_t>("/pressure/mat0/seq", H5T_NATIVE_UINT32);
  ASSERT_GE(seq.size(), count);
  for (std::uint32_t i = 0; i < count; ++i) ASSERT_EQ(seq[i], i);
  const auto raw = file.read<std::uint16_t>("/pressure/mat0/raw", H5T_NATIVE_UINT16);
  ASSERT_GE(raw.size(), std::size_t{count} * kValues);
  for (std::uint32_t i : {0u, count / 2, count - 1}) {
    const auto expected = noise_frame(i);
    ASSERT_TRUE(std::equal(expected.begin(), expected.end(), raw.begin() + std::ptrdiff_t{i} * kValues))
        << "frame " << i;
  }
}

void limit_file_size(rlim_t bytes) {
  ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing the process
  const rlimit limit{bytes, bytes};
  ::setrlimit(RLIMIT_FSIZE, &limit);
}

TEST(ArchiveCrash, FullDiskIsReportedAndEarlierDataStaysReadable) {
  TempDir tmp;
  const auto path = tmp.path() / "full.h5";
  const auto [output, status] = run_child([&](int out) {
    limit_file_size(512 * 1024);
    SessionArchive archive = SessionArchive::create(path, sample_meta(), one_mat());
    if (!archive.healthy()) return 2;
    std::uint32_t flushed = 0;
    for (std::uint32_t i = 0; i < 100'000 && archive.healthy(); ++i) {
      archive.append(archived::Frame{0, kT0 + i, i, 0, noise_frame(i)});
      if ((i + 1) % 8 == 0 && archive.flush()) flushed = i + 1;
    }
    const bool refused_after = !archive.append(archived::Frame{0, kT0, 0, 0, noise_frame(0)});
    const bool closed = archive.close(kT0 + 1);
    const std::string report = std::to_string(flushed) + " " + std::to_string(refused_after) + " " +
                               std::to_string(closed) + " " + archive.last_error();
    write_all(out, report.data(), report.size());
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "child died: " << status;
  ASSERT_EQ(WEXITSTATUS(status), 0);
  std::uint32_t flushed = 0;
  int refused_after = 0;
  int closed = 0;
  std::istringstream report(output);
  report >> flushed >> refused_after >> closed;
  std::string error;
  std::getline(report, error);
  EXPECT_GT(flushed, 16u);
  EXPECT_EQ(refused_after, 1);
  EXPECT_EQ(closed, 0);
  EXPECT_NE(error.find("File too large"), std::string::npos) << error;

  Reader file(path, /*swmr=*/true);
  ASSERT_TRUE(file.ok()) << "archive unreadable after the disk filled up";
  expect_frames_intact(file, flushed);
}

TEST(ArchiveCrash, WriterSurvivesAFullDisk) {
  TempDir tmp;
  const auto [output, status] = run_child([&](int out) {
    limit_file_size(512 * 1024);
    ArchiveWriter writer(SessionArchive::create_in(tmp.path(), sample_meta(), one_mat()),
                         {.queue_capacity = 64, .flush_interval = 5ms});
    writer.start();
    std::uint32_t i = 0;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (writer.stats().healthy && std::chrono::steady_clock::now() < deadline) {
      if (writer.submit(archived::Frame{0, kT0 + i, i, 0, noise_frame(i)})) ++i;
      std::this_thread::sleep_for(100us);
    }
    // After the failure the thread must keep emptying the queue, so submits keep succeeding.
    int accepted_after = 0;
    for (int n = 0; n < 200 && std::chrono::steady_clock::now() < deadline; ++n) {
      while (!writer.submit(archived::Frame{0, kT0, 0, 0, noise_frame(0)}) &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
      }
      ++accepted_after;
    }
    const bool stopped_healthy = writer.stop(kT0 + 1);
    const ArchiveWriterStats stats = writer.stats();
    const std::string report = std::to_string(accepted_after) + " " + std::to_string(stopped_healthy) + " " +
                               std::to_string(stats.discarded) + " " + stats.error;
    write_all(out, report.data(), report.size());
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "child died: " << status;
  ASSERT_EQ(WEXITSTATUS(status), 0);
  int accepted_after = 0;
  int stopped_healthy = 1;
  std::uint64_t discarded = 0;
  std::istringstream report(output);
  report >> accepted_after >> stopped_healthy >> discarded;
  std::string error;
  std::getline(report, error);
  EXPECT_EQ(accepted_after, 200);
  EXPECT_EQ(stopped_healthy, 0);
  EXPECT_GE(discarded, 200u);
  EXPECT_NE(error.find("File too large"), std::string::npos) << error;
}

TEST(ArchiveCrash, KillNineKeepsEverythingUpToTheLastFlush) {
  TempDir tmp;
  const auto path = tmp.path() / "killed.h5";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    SessionArchive archive = SessionArchive::create(path, sample_meta(), one_mat());
    for (std::uint32_t i = 0; archive.healthy(); ++i) {
      const std::vector<double> load = {1.0 * i};
      archive.append(archived::Frame{0, kT0 + i, i, 0, noise_frame(i), load});
      if ((i + 1) % 5 == 0 && archive.flush()) {
        const std::uint32_t flushed = i + 1;
        if (!write_all(fds[1], &flushed, sizeof flushed)) break;
      }
    }
    ::_exit(3);
  }
  ::close(fds[1]);
  std::uint32_t flushed = 0;
  while (flushed < 300 && ::read(fds[0], &flushed, sizeof flushed) == sizeof flushed) {
  }
  ::kill(pid, SIGKILL);  // at whatever point the child is: maybe mid-write
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::uint32_t later = 0;
  while (::read(fds[0], &later, sizeof later) == sizeof later) flushed = later;
  ::close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child ended early: " << status;
  ASSERT_GE(flushed, 300u);

  Reader file(path, /*swmr=*/true);
  ASSERT_TRUE(file.ok()) << "archive unreadable after kill -9";
  expect_frames_intact(file, flushed);
  EXPECT_EQ(file.string_attr("/", "format"), "plinth-session");
  EXPECT_FALSE(file.has_attr("/", "ended_at"));
  const auto load = file.read<double>("/pressure/mat0/metrics", H5T_NATIVE_DOUBLE, "total_load_n");
  ASSERT_GE(load.size(), flushed);
  EXPECT_DOUBLE_EQ(load[flushed - 1], flushed - 1.0);
}

TEST(ArchiveCrash, SwmrReaderSeesFramesAfterEachFlush) {
  TempDir tmp;
  const auto path = tmp.path() / "live.h5";
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(to_parent[0]);
    ::close(to_child[1]);
    SessionArchive archive = SessionArchive::create(path, sample_meta(), one_mat());
    char go = 0;
    std::uint32_t i = 0;
    for (const std::uint32_t target : {20u, 50u}) {
      for (; i < target; ++i) archive.append(archived::Frame{0, kT0 + i, i, 0, noise_frame(i)});
      archive.flush();
      const char ready = archive.healthy() ? 'y' : 'n';
      write_all(to_parent[1], &ready, 1);
      if (::read(to_child[0], &go, 1) != 1) ::_exit(4);
    }
    for (; i < 57; ++i) archive.append(archived::Frame{0, kT0 + i, i, 0, noise_frame(i)});  // never flushed
    const char ready = 'y';
    write_all(to_parent[1], &ready, 1);
    if (::read(to_child[0], &go, 1) != 1) ::_exit(4);
    ::_exit(archive.close(kT0 + 1) ? 0 : 5);
  }
  ::close(to_parent[1]);
  ::close(to_child[0]);
  auto wait_ready = [&] {
    char ready = 0;
    return ::read(to_parent[0], &ready, 1) == 1 && ready == 'y';
  };
  const char go = 'g';
  ASSERT_TRUE(wait_ready());
  {
    Reader live(path, /*swmr=*/true);
    ASSERT_TRUE(live.ok()) << "SWMR reader could not open the live file";
    EXPECT_EQ(live.dims("/pressure/mat0/raw"), (std::vector<hsize_t>{20, 64, 32}));
    expect_frames_intact(live, 20);
    write_all(to_child[1], &go, 1);
    ASSERT_TRUE(wait_ready());
    EXPECT_EQ(live.dims("/pressure/mat0/raw")[0], 50u);  // the same open reader, refreshed
    expect_frames_intact(live, 50);
    write_all(to_child[1], &go, 1);
    ASSERT_TRUE(wait_ready());
    EXPECT_EQ(live.dims("/pressure/mat0/raw")[0], 50u);  // appended but not flushed yet
  }
  write_all(to_child[1], &go, 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(to_parent[0]);
  ::close(to_child[1]);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Reader closed(path);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed.dims("/pressure/mat0/raw")[0], 57u);
}

}  // namespace
}  // namespace plinth
