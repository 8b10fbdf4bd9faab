#include "bench/bench_setup.hpp"

#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "drivers/sim/body_scenario.hpp"

namespace plinth::bench {

namespace {
constexpr double kPitchCm = 2.54;
}

std::string mat_config_toml(const MatBenchSetup& s) {
  std::ostringstream c;
  c << "subject = \"bench\"\n"
    << "archive_dir = \"" << s.archive_dir << "\"\n"
    << "auto_start = " << (s.auto_start ? "true" : "false") << "\n\n"
    << "[network]\n"
    << "data = \"tcp://127.0.0.1:" << s.data_port << "\"\n"
    << "control = \"tcp://127.0.0.1:" << s.control_port << "\"\n\n"
    << "[archive]\nqueue_frames = " << s.archive_queue_frames << "\n\n"
    << "[[mat]]\n"
    << "id = \"mat0\"\n"
    << "driver = \"plinth-mat\"\n"
    << "port = \"" << s.port << "\"\n"
    << "rows = " << s.rows << "\ncols = " << s.cols << "\npitch_cm = " << kPitchCm << "\n"
    << "saturation_raw = " << sim::kAdcMax << "\n"
    << "noise_threshold_mmhg = 5.0\n"
    << "[mat.calibration]\ncurve = \"linear\"\nunit = \"mmHg\"\nscale = " << 1.0 / sim::kCountsPerMmHg << "\n";
  return c.str();
}

sim::BodyScenario body_scenario(int rows, int cols, double rate_hz) {
  return sim::BodyScenario(static_cast<std::uint16_t>(rows), static_cast<std::uint16_t>(cols), kPitchCm, rate_hz, 1);
}

std::vector<MatFrame> scenario_frames(int rows, int cols, double rate_hz, std::size_t count) {
  sim::BodyScenario scenario = body_scenario(rows, cols, rate_hz);
  std::vector<MatFrame> frames(count);
  for (std::size_t i = 0; i < count; ++i) scenario.fill_frame(i, frames[i]);
  return frames;
}

std::int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::uint64_t rss_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  in >> size >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t heap_in_use_bytes() {
  // malloc_info's closing totals cover every arena; mallinfo2 counts the main arena only, which
  // hid what the archive's and ZeroMQ's threads hold.
  char* text = nullptr;
  std::size_t length = 0;
  FILE* out = ::open_memstream(&text, &length);
  if (out == nullptr) return 0;
  ::malloc_info(0, out);
  std::fclose(out);
  const std::string xml(text, length);
  std::free(text);
  const std::size_t totals = xml.rfind("</heap>");
  const auto value = [&](std::string_view tag) -> std::uint64_t {
    const std::size_t at = xml.find(tag, totals == std::string::npos ? 0 : totals);
    const std::size_t size = at == std::string::npos ? at : xml.find("size=\"", at);
    return size == std::string::npos ? 0 : std::stoull(xml.substr(size + 6, 24));
  };
  const std::uint64_t system = value(R"(<system type="current")"), mapped = value(R"(<total type="mmap")");
  const std::uint64_t free = value(R"(<total type="fast")") + value(R"(<total type="rest")");
  return system - std::min(system, free) + mapped;
}

double process_cpu_s() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

std::vector<std::pair<std::string, double>> live_thread_cpu_s() {
  std::vector<std::pair<std::string, double>> out;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string line;
    std::getline(in, line);
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    const std::string name = line.substr(open + 1, close - open - 1);
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {  // stat(5) numbering: utime 14, stime 15
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == name; });
    if (it == out.end()) out.emplace_back(name, (utime + stime) / tick);
    else it->second += (utime + stime) / tick;
  }
  return out;
}

std::uint64_t peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

double load_average_1min() {
  double load[1] = {0};
  return ::getloadavg(load, 1) == 1 ? load[0] : std::numeric_limits<double>::quiet_NaN();
}

int free_tcp_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free TCP port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool pin_this_thread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set) == 0;
}

double percentile(std::vector<double> v, double pct) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

}  // namespace plinth::bench
