#pragma once
// What the pipeline and latency benchmarks share: the daemon config of one simulated mat
// (the same calibration `plinthd --simulate` uses), scenario frames, clocks and RSS.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "drivers/samples.hpp"
#include "drivers/sim/body_scenario.hpp"

namespace plinth::bench {

struct MatBenchSetup {
  int rows = 64;
  int cols = 32;
  double rate_hz = 100.0;
  std::string port = "/dev/null";  // the pty path for plinthd; unused in-process
  std::string archive_dir = "/tmp";
  int data_port = 0;
  int control_port = 0;
  bool auto_start = true;
  std::uint32_t archive_queue_frames = 1024;
};

// TOML for plinthd (schemas/config-reference.md) with one plinth-mat device "mat0".
std::string mat_config_toml(const MatBenchSetup& setup);

// The simulated body scenario the benchmarks feed (drivers/sim/body_scenario.hpp).
sim::BodyScenario body_scenario(int rows, int cols, double rate_hz);
// `count` frames of the simulated body scenario (drivers/sim/body_scenario.hpp), seq 0..count-1.
std::vector<MatFrame> scenario_frames(int rows, int cols, double rate_hz, std::size_t count);

std::int64_t realtime_ns();   // CLOCK_REALTIME: the one clock the sim and the subscriber share
std::int64_t thread_cpu_ns(); // CLOCK_THREAD_CPUTIME_ID
std::uint64_t rss_bytes();    // resident set size now (/proc/self/statm)
std::uint64_t heap_in_use_bytes();  // malloc'd and not freed (or in a thread's cache), all arenas (malloc_info)
double process_cpu_s();       // all threads, including those that have exited (getrusage)
// CPU seconds of each live thread of this process, summed by thread name (/proc/self/task).
std::vector<std::pair<std::string, double>> live_thread_cpu_s();
std::uint64_t peak_rss_bytes();  // VmHWM
double load_average_1min();
int free_tcp_port();
// Pins the calling thread to one CPU; false (with errno) if the machine refuses.
bool pin_this_thread(int cpu);
// Percentile (0..100) of an unsorted sample, nearest-rank; NaN when empty.
double percentile(std::vector<double> values, double pct);

}  // namespace plinth::bench
