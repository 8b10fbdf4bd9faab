// Throughput and memory of the mat path the daemon runs per frame, without a pty:
// plinth-mat bytes -> StreamDecoder (read-sized chunks) -> MatChannel (sequence tracking,
// PressurePipeline: calibration and every metric, protobuf encoding, ZeroMQ PUB with one
// subscriber draining in a process of its own) -> ArchiveWriter (HDF5 on its own thread).
//
// The processing thread is pinned to one CPU; ZeroMQ's I/O thread and the subscriber run on
// the other; the archive thread (and its compression workers) may run on any CPU, as in the
// daemon, which pins nothing. Host times are synthetic (seq / rate), so time windows
// (sway, movement, exposure) behave as in a real session of the same length.
//
//   bench_pipeline --rows 64 --cols 64 --frames 20000 [--no-archive]
//   bench_pipeline --memory --rate 50 --frames 360000   (a two-hour session, RSS sampled)
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <zmq.hpp>

#include "bench/bench_setup.hpp"
#include "bench/subscriber_process.hpp"
#include "daemon/allocator_tuning.hpp"
#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_file.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/mat_channel.hpp"
#include "daemon/messages.hpp"
#include "daemon/publisher.hpp"
#include "daemon/session_outlet.hpp"
#include "drivers/plinth_mat.hpp"

namespace plinth::bench {
namespace {

constexpr std::int64_t kT0 = 1'795'425'300'000'000'000;

struct Options {
  int rows = 64;
  int cols = 64;
  std::size_t frames = 20000;
  std::size_t distinct = 1000;  // scenario frames generated up front and cycled
  double rate_hz = 100.0;       // sets the synthetic host times
  std::size_t chunk = 4096;     // bytes per feed(), as a pty read delivers them
  bool archive = true;
  bool memory = false;          // encode on the fly and sample RSS once per session minute
  bool lagging_subscriber = false;  // memory run: let the subscriber fall behind instead of waiting for it
  int cpu = 0;
  int deflate = -1;             // archive raw-frame deflate level; -1 = the daemon's default
  unsigned compress_threads = 0;  // archive compression threads; 0 = the daemon's default (from the cores)
  long long queue_bytes = -1;   // archive queue byte budget; -1 = the daemon's default
  bool lz4 = false;             // archive.compression = "lz4"
  std::string endpoint;         // default: tcp on a free loopback port
};

// The daemon's SessionOutlet, minus the daemon: publish and archive events like Daemon::Impl.
class BenchOutlet final : public SessionOutlet {
 public:
  explicit BenchOutlet(Publisher& publisher) : publisher_(publisher) {}
  void set_archive(ArchiveWriter* archive) { archive_ = archive; }
  const std::string& session_id() const override { return session_id_; }
  const std::string& station() const override { return station_; }
  Publisher& publisher() override { return publisher_; }
  ArchiveWriter* archive() override { return archive_; }
  void event(std::string_view kind, std::string_view label, double value, std::string_view detail,
             std::string_view device_id) override {
    send("session.event", MessageHeader{.host_time_ns = kT0, .device_id = device_id},
         [&](const MessageHeader& h, PayloadOut payload) { encode_session_event(h, {kind, label, value, detail}, payload); });
    if (archive_) archive_->submit(archived::Event{kT0, std::string(kind), std::string(label), value, std::string(detail)});
    ++events_;
  }
  std::uint64_t events() const { return events_; }

 private:
  Publisher& publisher_;
  ArchiveWriter* archive_ = nullptr;
  std::string session_id_ = make_session_id(kT0);  // as long as a real one (no small-string luck)
  std::string station_ = "bench-station";
  std::uint64_t events_ = 0;
};

struct RssSample {
  double session_minutes;
  std::uint64_t rss;
  std::uint64_t heap;  // malloc'd and not freed: tells the heap's growth from the rest of RSS
};

struct RunResult {
  std::size_t frames = 0;
  double process_wall_s = 0;   // processing thread, first byte to last frame handed on
  double process_cpu_s = 0;    // its CPU time
  double total_wall_s = 0;     // until the archive is closed (everything on disk)
  double backpressure_s = 0;   // time the feeder waited for the archive queue to drain
  double subscriber_wait_s = 0;  // time the feeder waited for the subscriber to catch up
  std::uint64_t max_backlog = 0; // messages published and not yet received, largest seen at a check
  double process_thread_total_cpu_s = 0;
  double archive_cpu_s = 0;    // the archive threads, from start to close (they have exited: by difference)
  double zmq_io_cpu_s = 0;
  std::vector<RssSample> rss;
};

std::filesystem::path make_scratch_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "plinth-pipeline-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

void run(const Options& o) {
  // Everything created from here on (ZeroMQ's I/O thread, the subscriber) inherits the
  // "other" CPU; only the processing thread gets `o.cpu`; the archive gets the CPUs we started with.
  cpu_set_t all_cpus;
  CPU_ZERO(&all_cpus);
  ::pthread_getaffinity_np(::pthread_self(), sizeof all_cpus, &all_cpus);
  const int other_cpu = (o.cpu + 1) % static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  pin_this_thread(other_cpu);

  MatBenchSetup setup;
  setup.rows = o.rows;
  setup.cols = o.cols;
  setup.rate_hz = o.rate_hz;
  const DaemonConfig config = parse_daemon_config(mat_config_toml(setup), "bench");
  const MatConfig& mat = config.mats.at(0);

  const std::string endpoint =
      o.endpoint.empty() ? "tcp://127.0.0.1:" + std::to_string(free_tcp_port()) : o.endpoint;
  // Forked first, while this process has no thread and no ZeroMQ context.
  SubscriberProcess subscriber(endpoint);
  zmq::context_t context;
  start_bulk_io_threads(context);  // as plinthd
  PublisherOptions publisher_options;
  publisher_options.endpoint = endpoint;
  publisher_options.send_high_water_mark = effective_publish_high_water_mark(config);  // as plinthd
  Publisher publisher(context, publisher_options);
  // Slow joiner: wait until the subscription has reached the publisher.
  bool subscribed = false;
  for (int i = 0; i < 200 && !subscribed; ++i) {
    publisher.send("bench.hello", "x");
    subscribed = subscriber.wait_for_first(std::chrono::milliseconds(5));
  }
  if (!subscribed) throw std::runtime_error("the subscriber process received nothing from " + endpoint);
  // Hellos sent before the subscription arrived were dropped by PUB unseen, yet counted as sent.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::uint64_t unsubscribed_hellos = publisher.sent() - std::min(publisher.sent(), subscriber.received());

  boost::asio::io_context io;  // never run: the bench drives MatChannel directly, not its DeviceLink
  HostClock clock;
  const std::filesystem::path dir = make_scratch_dir();
  std::unique_ptr<ArchiveWriter> archive;
  BenchOutlet outlet(publisher);
  MatChannel channel(io, clock, mat, outlet, 0);
  if (o.archive) {
    SessionMeta meta;
    meta.session_id = make_session_id(kT0);
    meta.subject = "bench";
    meta.started_at_ns = kT0;
    meta.config_toml = config.text;
    ArchiveOptions archive_options;
    if (o.deflate >= 0) archive_options.deflate_level = o.deflate;
    archive_options.frames_lz4 = o.lz4;
    archive_options.compression_threads = o.compress_threads;
    const ArchiveDeviceLayout layout = channel.archive_layout();
    const std::size_t queue_records = archive_queue_records(
        std::span(&layout, 1), config.archive_queue_frames,
        o.queue_bytes >= 0 ? static_cast<std::size_t>(o.queue_bytes) : config.archive_queue_bytes);
    archive = std::make_unique<ArchiveWriter>(SessionArchive::create_in(dir, meta, {layout}, {}, archive_options),
                                              ArchiveWriterOptions{.queue_capacity = queue_records});
    // Threads take their creator's name: this one is told apart in /proc/self/task by it.
    ::pthread_setname_np(::pthread_self(), "archive");
    ::pthread_setaffinity_np(::pthread_self(), sizeof all_cpus, &all_cpus);
    archive->start();
    pin_this_thread(other_cpu);
    ::pthread_setname_np(::pthread_self(), "main");
    outlet.set_archive(archive.get());
  }

  // The memory run makes each frame when it is sent, as a device would, so that the figure is
  // the pipeline's and not also the megabytes of a pre-made scenario (8 MB at 64x64).
  const std::vector<MatFrame> frames = scenario_frames(o.rows, o.cols, o.rate_hz, o.memory ? 0 : o.distinct);
  sim::BodyScenario scenario = body_scenario(o.rows, o.cols, o.rate_hz);
  std::vector<std::uint8_t> encoded;  // all distinct frames back to back (throughput mode)
  if (!o.memory) {
    encoded.reserve(frames.size() * (frames[0].raw.size() * 2 + 64));  // encode_frame reserves per frame
    for (const MatFrame& f : frames) mat_protocol::encode_frame(f, mat_protocol::Encoding::raw16, encoded);
  }

  RunResult r;
  const auto period_ns = static_cast<std::int64_t>(1e9 / o.rate_hz);
  const std::size_t frames_per_minute = static_cast<std::size_t>(o.rate_hz * 60.0);
  std::thread processing([&] {
    if (!pin_this_thread(o.cpu)) std::fprintf(stderr, "warning: cannot pin to CPU %d\n", o.cpu);
    ::pthread_setname_np(::pthread_self(), "processing");  // perf report --comm processing
    StreamDecoder decoder(&mat_protocol::step);
    std::size_t handed = 0;
    // Bench-only back-pressure: once `depth()` is above `pause_above`, wait until it is down to
    // `resume_at`, and add the wait to `waited_s`.
    const auto wait_until_drained = [](const auto& depth, std::uint64_t pause_above, std::uint64_t resume_at,
                                       double& waited_s, const char* what) {
      if (depth() <= pause_above) return;
      const auto start = std::chrono::steady_clock::now();
      while (depth() > resume_at) {
        if (std::chrono::steady_clock::now() - start > std::chrono::seconds(10))
          throw std::runtime_error(std::string(what) + " stopped draining");
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      waited_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    auto wait_for_archive = [&] {
      // The daemon drops (and counts) when the queue is full; to measure the archive's own rate
      // we wait instead of dropping.
      if (!archive) return;
      const std::size_t capacity = archive->stats().queue_capacity;
      wait_until_drained([&] { return archive->stats().queue_depth; }, capacity / 2, capacity / 4, r.backpressure_s,
                         "the archive queue");
    };
    // Memory runs only (the throughput run leaves the subscriber alone: reading its reports
    // costs the measured thread syscalls). A subscriber at 100 Hz keeps up; at full speed it
    // falls behind and ZeroMQ queues up to network.high_water_bytes for it, so by default the
    // run waits for it and measures the pipeline's own memory, not that queue's depth.
    auto wait_for_subscriber = [&] {
      const auto backlog = [&] {
        const std::uint64_t accounted = subscriber.received() + publisher.dropped() + unsubscribed_hellos;
        return publisher.sent() - std::min(publisher.sent(), accounted);
      };
      r.max_backlog = std::max(r.max_backlog, backlog());
      if (!o.lagging_subscriber) wait_until_drained(backlog, 32, 8, r.subscriber_wait_s, "the subscriber process");
    };
    const StreamDecoder::Sink sink = [&](StepOutcome outcome, const DecodedOutput& out) {
      channel.on_message(outcome, out, kT0 + static_cast<std::int64_t>(handed) * period_ns);
      if (outcome == StepOutcome::mat_frame) ++handed;
    };
    const auto wall0 = std::chrono::steady_clock::now();
    const std::int64_t cpu0 = thread_cpu_ns();
    std::vector<std::uint8_t> one;
    MatFrame frame;
    while (handed < o.frames) {
      if (o.memory) {
        // Fresh seq and CRC per frame, so the session is one unbroken device stream.
        scenario.fill_frame(handed % o.distinct, frame);
        frame.device_seq = static_cast<std::uint32_t>(handed);
        frame.device_time_us = static_cast<std::uint64_t>(handed) * static_cast<std::uint64_t>(period_ns / 1000);
        one.clear();
        mat_protocol::encode_frame(frame, mat_protocol::Encoding::raw16, one);
        for (std::size_t at = 0; at < one.size(); at += o.chunk)
          decoder.feed({one.data() + at, std::min(o.chunk, one.size() - at)}, sink);
        if (handed % frames_per_minute == 0)
          r.rss.push_back(
              {static_cast<double>(handed) / static_cast<double>(frames_per_minute), rss_bytes(), heap_in_use_bytes()});
        if (handed % 16 == 0) {
          wait_for_archive();
          wait_for_subscriber();
        }
        continue;
      }
      // Throughput: cycle over the pre-encoded frames (the device counter restarts once per cycle).
      for (std::size_t at = 0; at < encoded.size() && handed < o.frames; at += o.chunk) {
        decoder.feed({encoded.data() + at, std::min(o.chunk, encoded.size() - at)}, sink);
        if ((at / o.chunk) % 16 == 0) wait_for_archive();
      }
    }
    r.process_cpu_s = static_cast<double>(thread_cpu_ns() - cpu0) * 1e-9;
    r.process_thread_total_cpu_s = static_cast<double>(thread_cpu_ns()) * 1e-9;
    r.process_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    r.frames = handed;
  });
  const auto total0 = std::chrono::steady_clock::now();
  processing.join();
  ArchiveWriterStats archive_stats;
  if (archive) {
    archive->stop(kT0 + static_cast<std::int64_t>(r.frames) * period_ns);
    archive_stats = archive->stats();
  }
  r.total_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - total0).count();
  {
    double live = 0;
    for (const auto& [name, cpu] : live_thread_cpu_s()) {
      live += cpu;
      if (name.starts_with("ZMQbg/IO")) r.zmq_io_cpu_s += cpu;
    }
    // Everything that ran and has exited is the processing thread and the archive threads.
    if (archive) r.archive_cpu_s = std::max(0.0, process_cpu_s() - live - r.process_thread_total_cpu_s);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::uint64_t received = subscriber.stop();

  std::printf("%dx%d (rows x cols), %zu frames, chunk %zu B, archive %s, processing pinned to CPU %d, load %.2f\n",
              o.rows, o.cols, r.frames, o.chunk, o.archive ? "on" : "off", o.cpu, load_average_1min());
  std::printf("  processing thread: %.3f s wall, %.3f s CPU = %.1f us CPU/frame -> %.0f frames/s per core\n",
              r.process_wall_s, r.process_cpu_s, r.process_cpu_s / static_cast<double>(r.frames) * 1e6,
              static_cast<double>(r.frames) / r.process_cpu_s);
  std::printf("  end to end (last frame %s): %.3f s -> %.0f frames/s%s\n",
              o.archive ? "on disk, file closed" : "published", r.total_wall_s,
              static_cast<double>(r.frames) / r.total_wall_s,
              o.archive ? "" : "");
  const double per_frame = 1e6 / static_cast<double>(r.frames);
  if (o.archive)
    std::printf("  archive threads (any CPU): %.3f s CPU = %.1f us CPU/frame -> %.0f frames/s per core\n",
                r.archive_cpu_s, r.archive_cpu_s * per_frame, static_cast<double>(r.frames) / r.archive_cpu_s);
  std::printf("  ZeroMQ I/O thread (other CPU): %.1f us CPU/frame\n", r.zmq_io_cpu_s * per_frame);
  if (o.archive)
    std::printf("  archive: %llu frames written, %llu dropped, %.1f MB file, queue of %zu records, feeder waited %.3f s for it%s\n",
                static_cast<unsigned long long>(archive_stats.frames_written),
                static_cast<unsigned long long>(archive_stats.dropped),
                static_cast<double>(archive_stats.bytes_written) / 1e6, archive_stats.queue_capacity, r.backpressure_s,
                archive_stats.error.empty() ? "" : (" ERROR " + archive_stats.error).c_str());
  std::printf("  published %llu messages (%llu dropped by zmq), subscriber process drained %llu (both with the hello "
              "handshake), %llu events\n",
              static_cast<unsigned long long>(publisher.sent()), static_cast<unsigned long long>(publisher.dropped()),
              static_cast<unsigned long long>(received), static_cast<unsigned long long>(outlet.events()));
  if (o.memory)
    std::printf("  subscriber behind by up to %llu messages at the checks, feeder waited %.3f s for it\n",
                static_cast<unsigned long long>(r.max_backlog), r.subscriber_wait_s);
  // Each stage has a CPU of its own, so the pipeline's rate is that of its slowest stage.
  const double bound_fps = static_cast<double>(r.frames) / std::max(r.process_cpu_s, r.archive_cpu_s);
  std::printf("RESULT throughput rows=%d cols=%d archive=%d frames=%zu fps_cpu_bound=%.0f fps_wall=%.0f "
              "us_cpu_per_frame=%.2f archive_us_cpu_per_frame=%.2f load=%.2f\n",
              o.rows, o.cols, o.archive ? 1 : 0, r.frames, bound_fps, static_cast<double>(r.frames) / r.total_wall_s,
              r.process_cpu_s * per_frame, r.archive_cpu_s * per_frame, load_average_1min());
  if (o.memory && !r.rss.empty()) {
    std::uint64_t after_first_min_min = ~0ull, after_first_min_max = 0;
    std::printf("  RSS (heap in use) by session minute:");
    for (std::size_t i = 0; i < r.rss.size(); ++i) {
      const auto& s = r.rss[i];
      // Every minute at first, where growth shows; then every ten.
      if (i < 12 || i % 10 == 0 || i + 1 == r.rss.size())
        std::printf(" %.0f:%.1fMB(%.1f)", s.session_minutes, static_cast<double>(s.rss) / 1e6,
                    static_cast<double>(s.heap) / 1e6);
      if (s.session_minutes >= 1.0) {
        after_first_min_min = std::min(after_first_min_min, s.rss);
        after_first_min_max = std::max(after_first_min_max, s.rss);
      }
    }
    std::printf("\n");
    const double session_h = static_cast<double>(r.frames) / o.rate_hz / 3600.0;
    std::printf("RESULT memory session_h=%.2f rows=%d cols=%d rate_hz=%.0f peak_rss_mb=%.1f rss_after_1min_min_mb=%.1f "
                "rss_after_1min_max_mb=%.1f growth_after_1min_mb=%.1f load=%.2f\n",
                session_h, o.rows, o.cols, o.rate_hz, static_cast<double>(peak_rss_bytes()) / 1e6,
                static_cast<double>(after_first_min_min) / 1e6, static_cast<double>(after_first_min_max) / 1e6,
                static_cast<double>(after_first_min_max - after_first_min_min) / 1e6, load_average_1min());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace plinth::bench

int main(int argc, char** argv) {
  plinth::bench::Options o;
  bool no_archive = false;
  CLI::App app{"bench_pipeline: frames/s and memory of decode -> calibrate -> metrics -> publish -> archive"};
  app.add_option("--rows", o.rows)->check(CLI::Range(4, 256));
  app.add_option("--cols", o.cols)->check(CLI::Range(4, 256));
  app.add_option("--frames", o.frames, "frames to push through");
  app.add_option("--distinct", o.distinct, "distinct scenario frames to cycle");
  app.add_option("--rate", o.rate_hz, "nominal frame rate for the synthetic host times, Hz");
  app.add_option("--chunk", o.chunk, "bytes per StreamDecoder::feed");
  app.add_option("--cpu", o.cpu, "CPU for the processing thread");
  app.add_option("--endpoint", o.endpoint, "ZeroMQ PUB endpoint, tcp:// or ipc:// (default tcp on a free loopback port)")
      ->check([](const std::string& e) {
        return e.starts_with("inproc://") ? "the subscriber runs in a process of its own: use tcp:// or ipc://" : "";
      });
  app.add_flag("--no-archive", no_archive, "leave the HDF5 archive out");
  app.add_option("--deflate", o.deflate, "deflate level of archived frames (default: the daemon's)")->check(CLI::Range(0, 9));
  app.add_option("--compress-threads", o.compress_threads, "archive compression threads (default: from the cores)");
  app.add_flag("--lz4", o.lz4, "archive frames with LZ4 instead of deflate (archive.compression = \"lz4\")");
  app.add_option("--queue-bytes", o.queue_bytes, "archive queue byte budget (default: the daemon's, archive.queue_bytes)");
  app.add_flag("--memory", o.memory, "encode each frame afresh (unbroken seq) and sample RSS every session minute");
  app.add_flag("--lagging-subscriber", o.lagging_subscriber,
               "memory run: do not wait for the subscriber (ZeroMQ queues what it has not taken)");
  CLI11_PARSE(app, argc, argv);
  o.archive = !no_archive;
  o.chunk = std::max<std::size_t>(o.chunk, 1);
  o.distinct = std::max<std::size_t>(o.distinct, 1);
  plinth::tune_allocator_for_archiving();  // as plinthd does
  try {
    plinth::bench::run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_pipeline: %s\n", e.what());
    return 1;
  }
  return 0;
}
