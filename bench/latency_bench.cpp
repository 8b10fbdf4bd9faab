// End-to-end latency from the wire to a subscriber, with the real daemon in its own process:
//   simulated plinth-mat (this process, on a pty) -> plinthd (child process, archive on)
//   -> ZeroMQ -> 1 measuring subscriber + N extra subscribers that read everything.
// The simulator stamps each frame (CLOCK_REALTIME) right after its last byte went into the
// pty; the measuring subscriber stamps (CLOCK_REALTIME) each `pressure.frame.mat0` and
// `pressure.metrics.mat0` message as it arrives. Frames are matched by device_seq.
// The floor: the same pty carrying one frame-sized buffer between two processes (last byte
// written -> last byte read), and what a real UART at the documented baud would take.
// Beside them, the daemon's own figures from its `status` topic (StageLatency: arrival of the
// read -> end of each stage, measured inside plinthd): the whole run's from the last status
// ("session" window, warm-up included), and the spread of the per-second ("interval") p99s
// after the warm-up. What the daemon does not account for is the pty, the scheduler and ZeroMQ.
//
//   bench_latency --rows 64 --cols 64 --rate 100 --seconds 30
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string_view>
#include <thread>
#include <zmq.hpp>

#include "bench/bench_setup.hpp"
#include "drivers/driver_registry.hpp"
#include "drivers/plinth_mat.hpp"
#include "drivers/serial_port.hpp"
#include "drivers/sim/mat_source.hpp"
#include "drivers/sim_device.hpp"
#include "plinth/proto/plinth.pb.h"

extern char** environ;

namespace plinth::bench {
namespace {

struct Options {
  int rows = 64;
  int cols = 64;
  double rate_hz = 100.0;
  double seconds = 30.0;
  double warmup_s = 3.0;
  int extra_subscribers = 3;
  int floor_samples = 300;
  double uart_baud = 921600.0;  // schemas/mat-protocol.md, "Transport"
  bool archive = true;
  std::string plinthd;
  std::string dump;  // per-frame figures as CSV, to look for patterns in the tail
  int nice = 0;  // applied before any thread or child exists, so all of them inherit it
};

struct Stats {
  std::size_t n = 0;
  double p50 = NAN, p99 = NAN, p999 = NAN, max = NAN;
};

Stats stats_of(const std::vector<double>& us) {
  Stats s;
  s.n = us.size();
  if (us.empty()) return s;
  s.p50 = percentile(us, 50);
  s.p99 = percentile(us, 99);
  s.p999 = percentile(us, 99.9);
  s.max = percentile(us, 100);
  return s;
}

void print_row(const char* what, const Stats& s) {
  std::printf("  %-44s %7zu %9.0f %9.0f %9.0f %9.0f\n", what, s.n, s.p50, s.p99, s.p999, s.max);
}

// One stage of the daemon's own latency as the last status gave it (session window), and the
// p99 of each one-second interval after the warm-up.
struct DaemonStage {
  std::string stage;
  Stats session;
  std::vector<double> interval_p99;
};

std::size_t frame_bytes(int rows, int cols) {
  return mat_protocol::kHeaderSize + mat_protocol::kFrameFixedSize + std::size_t(rows) * std::size_t(cols) * 2 +
         mat_protocol::kTrailerSize;
}

// Last byte written on the master -> last byte read on the slave by another process. Runs
// before any thread exists, so fork() is safe.
std::vector<double> pty_floor_us(std::size_t bytes, int samples) {
  PseudoTerminal pty = open_pseudo_terminal();
  int stamps[2];
  int go[2];
  if (::pipe(stamps) != 0 || ::pipe(go) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = ::fork();
  if (child == 0) {
    auto port = open_serial_port(pty.slave_path, 921600);
    const int fd = port->fd();
    std::vector<std::uint8_t> buf(65536);
    for (int i = 0; i < samples; ++i) {
      char c = 0;
      if (::write(go[1], &c, 1) != 1) ::_exit(1);  // ready for the next buffer
      std::size_t got = 0;
      while (got < bytes) {
        pollfd pfd{fd, POLLIN, 0};
        ::poll(&pfd, 1, 1000);
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n > 0) got += static_cast<std::size_t>(n);
      }
      const std::int64_t t = realtime_ns();
      if (::write(stamps[1], &t, sizeof t) != sizeof t) ::_exit(1);
    }
    ::_exit(0);
  }
  std::vector<std::uint8_t> frame(bytes, 0x55);
  std::vector<double> out;
  for (int i = 0; i < samples; ++i) {
    char c = 0;
    if (::read(go[0], &c, 1) != 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::size_t sent = 0;
    while (sent < bytes) {
      const ssize_t n = ::write(pty.master_fd, frame.data() + sent, bytes - sent);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else {
        pollfd pfd{pty.master_fd, POLLOUT, 0};
        ::poll(&pfd, 1, 100);
      }
    }
    const std::int64_t written = realtime_ns();
    std::int64_t read_at = 0;
    if (::read(stamps[0], &read_at, sizeof read_at) != sizeof read_at) break;
    out.push_back(static_cast<double>(read_at - written) / 1e3);
  }
  ::waitpid(child, nullptr, 0);
  for (int fd : {stamps[0], stamps[1], go[0], go[1]}) ::close(fd);
  close_pseudo_terminal(pty);
  return out;
}

std::string default_plinthd() {
  const auto exe = std::filesystem::read_symlink("/proc/self/exe");
  return (exe.parent_path().parent_path() / "daemon" / "plinthd").string();
}

pid_t spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

int run(const Options& o) {
  if (o.nice != 0 && ::setpriority(PRIO_PROCESS, 0, o.nice) != 0)
    throw std::runtime_error("cannot set nice " + std::to_string(o.nice) + " (negative values need root)");
  const std::size_t bytes = frame_bytes(o.rows, o.cols);
  const Stats floor = stats_of(pty_floor_us(bytes, o.floor_samples));
  const double uart_us = static_cast<double>(bytes) * 10.0 / o.uart_baud * 1e6;  // 8N1: 10 bits a byte

  std::string pattern = (std::filesystem::temp_directory_path() / "plinth-latency-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::filesystem::path dir = pattern;

  // The device: the body scenario on a pty, stamping each frame once it is on the wire.
  const std::size_t capacity = static_cast<std::size_t>((o.seconds + o.warmup_s + 30.0) * o.rate_hz);
  std::vector<std::int64_t> written_ns(capacity, 0);
  auto source = std::make_shared<sim::ScenarioSource>(sim::BodyScenario(
      static_cast<std::uint16_t>(o.rows), static_cast<std::uint16_t>(o.cols), 2.54, o.rate_hz, 1));
  std::uint32_t current_seq = 0;  // device thread only
  auto generator = [source, &current_seq](MatFrame& f) {
    const bool more = source->next(f);
    current_seq = f.device_seq;
    return more;
  };
  DriverOptions driver_options;
  driver_options.rows = static_cast<std::uint16_t>(o.rows);
  driver_options.cols = static_cast<std::uint16_t>(o.cols);
  SimulatedDevice device(*find_driver("plinth-mat"), driver_options, source->device_info(),
                         std::make_unique<MatFrameEmitter>(generator, o.rate_hz));
  device.on_message_written = [&](std::uint64_t) {
    if (current_seq < written_ns.size()) written_ns[current_seq] = realtime_ns();
  };

  MatBenchSetup setup;
  setup.rows = o.rows;
  setup.cols = o.cols;
  setup.rate_hz = o.rate_hz;
  setup.port = device.host_path();
  setup.archive_dir = (dir / "sessions").string();
  setup.auto_start = o.archive;
  setup.data_port = free_tcp_port();
  setup.control_port = free_tcp_port();
  const auto config_path = dir / "plinthd.toml";
  std::ofstream(config_path) << mat_config_toml(setup);

  // Subscribers first, so that they are connected (and retrying) when the daemon binds.
  zmq::context_t context;
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(setup.data_port);
  std::atomic<bool> done{false};
  std::vector<std::int64_t> frame_at(capacity, 0), metrics_at(capacity, 0), host_ns(capacity, 0);
  std::atomic<std::int64_t> first_arrival{0};
  std::mutex status_mutex;
  std::vector<std::pair<std::int64_t, v1::Status>> statuses;  // (received at, status) with latency
  std::thread measuring([&] {
    zmq::socket_t sub(context, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, "pressure.frame.");
    sub.set(zmq::sockopt::subscribe, "pressure.metrics.");
    sub.set(zmq::sockopt::subscribe, "status");
    sub.set(zmq::sockopt::rcvtimeo, 100);
    sub.connect(endpoint);
    zmq::message_t topic, payload;
    v1::PressureFrame frame;
    v1::PressureMetrics metrics;
    while (!done) {
      if (!sub.recv(topic)) continue;
      const std::int64_t at = realtime_ns();
      if (!sub.recv(payload)) continue;
      if (topic.to_string_view() == "status") {
        v1::Status s;
        if (s.ParseFromArray(payload.data(), static_cast<int>(payload.size())) && s.latency_size() > 0) {
          std::lock_guard lock(status_mutex);
          statuses.emplace_back(at, std::move(s));
        }
        continue;
      }
      const bool is_frame = topic.to_string_view().starts_with("pressure.frame.");
      const v1::Header* h = nullptr;
      if (is_frame && frame.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) h = &frame.header();
      if (!is_frame && metrics.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) h = &metrics.header();
      if (h == nullptr || h->device_seq() >= capacity) continue;
      (is_frame ? frame_at : metrics_at)[h->device_seq()] = at;
      host_ns[h->device_seq()] = static_cast<std::int64_t>(h->host_time_ns());
      std::int64_t none = 0;
      first_arrival.compare_exchange_strong(none, at);
    }
  });
  std::atomic<std::uint64_t> extra_messages{0};
  std::thread extras([&] {
    std::vector<zmq::socket_t> subs;
    std::vector<zmq::pollitem_t> items;
    for (int i = 0; i < o.extra_subscribers; ++i) {
      subs.emplace_back(context, zmq::socket_type::sub);
      subs.back().set(zmq::sockopt::subscribe, "");
      subs.back().connect(endpoint);
    }
    for (auto& s : subs) items.push_back({s.handle(), 0, ZMQ_POLLIN, 0});
    zmq::message_t m;
    while (!done) {
      if (items.empty() || zmq::poll(items, std::chrono::milliseconds(100)) <= 0) {
        if (items.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      for (auto& s : subs)
        while (s.recv(m, zmq::recv_flags::dontwait))
          if (!m.more()) ++extra_messages;
    }
  });

  const std::string plinthd = o.plinthd.empty() ? default_plinthd() : o.plinthd;
  const pid_t daemon = spawn({plinthd, "--config", config_path.string(), "--log-level", "warn"});
  device.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.seconds + o.warmup_s);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status = 0;
    if (::waitpid(daemon, &status, WNOHANG) == daemon) {
      done = true;
      measuring.join();
      extras.join();
      throw std::runtime_error("plinthd exited early (status " + std::to_string(status) + ")");
    }
  }
  device.stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the last frames arrive
  const double load = load_average_1min();
  ::kill(daemon, SIGTERM);
  int status = 0;
  ::waitpid(daemon, &status, 0);
  done = true;
  measuring.join();
  extras.join();

  // Frames written after the warm-up (subscription settled, archive file open, caches warm).
  const std::int64_t cutoff =
      first_arrival.load() + static_cast<std::int64_t>(o.warmup_s * 1e9);
  std::vector<double> to_frame, to_metrics, to_host, host_to_sub;
  std::size_t stamped = 0, lost_frames = 0, lost_metrics = 0;
  for (std::size_t seq = 0; seq < capacity; ++seq) {
    if (written_ns[seq] == 0 || first_arrival == 0 || written_ns[seq] < cutoff) continue;
    ++stamped;
    if (frame_at[seq] != 0) {
      to_frame.push_back(static_cast<double>(frame_at[seq] - written_ns[seq]) / 1e3);
      to_host.push_back(static_cast<double>(host_ns[seq] - written_ns[seq]) / 1e3);
      host_to_sub.push_back(static_cast<double>(frame_at[seq] - host_ns[seq]) / 1e3);
    } else {
      ++lost_frames;
    }
    if (metrics_at[seq] != 0) to_metrics.push_back(static_cast<double>(metrics_at[seq] - written_ns[seq]) / 1e3);
    else ++lost_metrics;
  }
  if (!o.dump.empty()) {
    std::ofstream dump(o.dump);
    dump << "device_seq,written_ns,wire_to_frame_us,wire_to_host_us\n";
    for (std::size_t seq = 0; seq < capacity; ++seq)
      if (written_ns[seq] >= cutoff && frame_at[seq] != 0)
        dump << seq << ',' << written_ns[seq] << ',' << (frame_at[seq] - written_ns[seq]) / 1e3 << ','
             << (host_ns[seq] - written_ns[seq]) / 1e3 << '\n';
  }
  // The daemon's own figures for mat0: the last status's session window; the interval p99s
  // of the statuses received after the warm-up (each covers the second before it).
  std::vector<DaemonStage> daemon_stages;
  for (const auto& [at, s] : statuses)
    for (const auto& l : s.latency()) {
      if (l.device_id() != "mat0") continue;
      auto it = std::find_if(daemon_stages.begin(), daemon_stages.end(),
                             [&](const DaemonStage& d) { return d.stage == l.stage(); });
      if (it == daemon_stages.end()) it = daemon_stages.insert(daemon_stages.end(), DaemonStage{l.stage(), {}, {}});
      if (l.window() == "session") {
        it->session = Stats{static_cast<std::size_t>(l.count()), l.p50_us(), l.p99_us(), l.p999_us(), l.max_us()};
      } else if (l.window() == "interval" && at >= cutoff + 1'000'000'000 && l.count() > 0) {
        it->interval_p99.push_back(l.p99_us());
      }
    }
  auto daemon_stage = [&](std::string_view name) {
    for (const auto& d : daemon_stages)
      if (d.stage == name) return d;
    return DaemonStage{std::string(name), {}, {}};
  };
  const DaemonStage own_published = daemon_stage("published"), own_archived = daemon_stage("archive_queued");

  const SimDeviceStats sim = device.stats();
  const Stats f = stats_of(to_frame), m = stats_of(to_metrics);
  std::printf("%dx%d (rows x cols) at %.0f Hz, %.0f s after %.0f s warm-up, archive %s, %d extra subscribers "
              "(%llu messages), nice %d, load %.2f\n",
              o.rows, o.cols, o.rate_hz, o.seconds, o.warmup_s, o.archive ? "on" : "off", o.extra_subscribers,
              static_cast<unsigned long long>(extra_messages.load()), o.nice, load);
  std::printf("  frame on the wire: %zu bytes; %zu frames measured, %zu/%zu never reached the subscriber "
              "(frame/metrics), device dropped %llu\n",
              bytes, stamped, lost_frames, lost_metrics, static_cast<unsigned long long>(sim.messages_dropped));
  std::printf("  %-44s %7s %9s %9s %9s %9s\n", "microseconds", "n", "p50", "p99", "p99.9", "max");
  print_row("floor: pty, last byte written -> read", floor);
  print_row("wire -> subscriber, pressure.frame", f);
  print_row("wire -> subscriber, pressure.metrics", m);
  print_row("  of which wire -> daemon host_time_ns (*)", stats_of(to_host));
  print_row("  of which host_time_ns -> subscriber (*)", stats_of(host_to_sub));
  for (const auto& d : daemon_stages)
    print_row(("daemon's own: arrival -> " + d.stage + " (**)").c_str(), d.session);
  for (const auto& d : daemon_stages) {
    if (d.interval_p99.empty()) continue;
    const Stats spread = stats_of(d.interval_p99);
    std::printf("  daemon's own p99 per second after the warm-up, %-15s median %6.0f, worst %6.0f (%zu s)\n",
                d.stage.c_str(), spread.p50, spread.max, spread.n);
  }
  std::printf("  floor on a real UART at %.0f baud 8N1: %.0f us per frame%s\n", o.uart_baud, uart_us,
              uart_us * o.rate_hz > 1e6 ? " (longer than the frame period: this rate needs USB CDC)" : "");
  std::printf("  (*) host_time_ns is the daemon's monotonic clock mapped to UNIX time at its start: "
              "a split, not a measurement\n");
  std::printf("  (**) measured inside plinthd from the read's arrival (StageLatency on `status`), the whole "
              "session including the warm-up; percentiles within 0.2 %%\n");
  std::printf("RESULT latency rows=%d cols=%d rate_hz=%.0f archive=%d extra_subs=%d frame_p50_us=%.0f "
              "frame_p99_us=%.0f frame_p999_us=%.0f frame_max_us=%.0f metrics_p50_us=%.0f metrics_p99_us=%.0f "
              "metrics_p999_us=%.0f metrics_max_us=%.0f floor_pty_p50_us=%.0f floor_pty_p99_us=%.0f "
              "floor_uart_us=%.0f lost=%zu nice=%d load=%.2f daemon_published_p50_us=%.1f "
              "daemon_published_p99_us=%.1f daemon_published_p999_us=%.1f daemon_published_max_us=%.1f "
              "daemon_archived_p50_us=%.1f daemon_archived_p99_us=%.1f daemon_archived_p999_us=%.1f "
              "daemon_archived_max_us=%.1f\n",
              o.rows, o.cols, o.rate_hz, o.archive ? 1 : 0, o.extra_subscribers, f.p50, f.p99, f.p999, f.max, m.p50,
              m.p99, m.p999, m.max, floor.p50, floor.p99, uart_us, lost_frames + lost_metrics, o.nice, load,
              own_published.session.p50, own_published.session.p99, own_published.session.p999,
              own_published.session.max, own_archived.session.p50, own_archived.session.p99,
              own_archived.session.p999, own_archived.session.max);
  std::filesystem::remove_all(dir);
  return (status == 0 && !to_frame.empty()) ? 0 : 1;
}

}  // namespace
}  // namespace plinth::bench

int main(int argc, char** argv) {
  plinth::bench::Options o;
  bool no_archive = false;
  CLI::App app{"bench_latency: wire -> subscriber latency through plinthd"};
  app.add_option("--rows", o.rows)->check(CLI::Range(4, 256));
  app.add_option("--cols", o.cols)->check(CLI::Range(4, 256));
  app.add_option("--rate", o.rate_hz, "frames per second")->check(CLI::Range(1.0, 1000.0));
  app.add_option("--seconds", o.seconds, "measured run time");
  app.add_option("--warmup", o.warmup_s, "seconds left out after the first message arrives");
  app.add_option("--extra-subscribers", o.extra_subscribers);
  app.add_option("--floor-samples", o.floor_samples);
  app.add_option("--uart-baud", o.uart_baud);
  app.add_option("--plinthd", o.plinthd, "daemon binary (default: ../daemon/plinthd next to this one)");
  app.add_flag("--no-archive", no_archive, "run without a session (no HDF5 archive)");
  app.add_option("--dump", o.dump, "write per-frame latencies to this CSV file");
  app.add_option("--nice", o.nice, "nice value for this process, its threads and plinthd (e.g. -10 on a shared machine)")
      ->check(CLI::Range(-20, 19));
  CLI11_PARSE(app, argc, argv);
  o.archive = !no_archive;
  try {
    return plinth::bench::run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_latency: %s\n", e.what());
    return 1;
  }
}
