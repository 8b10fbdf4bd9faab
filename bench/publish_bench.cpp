// One pressure frame encoded and handed to ZeroMQ on the acquisition thread, the two ways
// Publisher offers: into a reused std::string that Publisher::send then copies (`copy`), or into the
// ZeroMQ message's own buffer (`in_place`, what SessionOutlet::send uses). A subscriber on
// another thread drains an ipc socket, so ZeroMQ's I/O thread does its real work meanwhile.
//
//   build/bench/bench_publish --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "daemon/messages.hpp"
#include "daemon/publisher.hpp"
#include "drivers/sim/body_scenario.hpp"

namespace plinth {
namespace {

enum class Path { copy = 0, in_place = 1 };

void BM_PublishPressureFrame(benchmark::State& state) {
  const auto path = static_cast<Path>(state.range(0));
  const int rows = static_cast<int>(state.range(1)), cols = static_cast<int>(state.range(2));
  const auto gap = std::chrono::milliseconds(state.range(3));
  zmq::context_t context;
  PublisherOptions options;
  options.endpoint = "ipc:///tmp/plinth-bench-publish-" + std::to_string(::getpid());
  Publisher publisher(context, options);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "");
  sub.set(zmq::sockopt::rcvtimeo, 50);
  sub.set(zmq::sockopt::rcvhwm, 0);
  sub.connect(options.endpoint);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> received{0};
  std::thread subscriber([&] {
    zmq::message_t m;
    while (!stop.load(std::memory_order_relaxed))
      if (sub.recv(m)) received.fetch_add(1, std::memory_order_relaxed);
  });
  while (received.load() == 0) {  // slow joiner: until the subscription has arrived
    publisher.send("hello", "x");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  sim::BodyScenario scenario(rows, cols, 2.54, 100.0, 1);
  MatFrame frame;
  scenario.fill_frame(0, frame);
  std::vector<float> pressure(frame.raw.size());
  for (std::size_t i = 0; i < pressure.size(); ++i) pressure[i] = 0.05f * frame.raw[i];
  const std::string session(24, 's'), device = "mat0";
  std::string scratch;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    const MessageHeader h{.session_id = session, .seq = seq, .host_time_ns = 1, .device_id = device, .device_seq = seq};
    ++seq;
    if (path == Path::copy) {
      encode_pressure_frame(h, frame, pressure, 2.54f, 0, false, 0, scratch);
      publisher.send("pressure.frame.mat0", scratch);
    } else {
      encode_pressure_frame(h, frame, pressure, 2.54f, 0, false, 0, publisher.payload());
      publisher.send_payload("pressure.frame.mat0");
    }
    if (gap.count() > 0) {  // as at 100 Hz: the caches go cold between frames, the I/O thread idles
      state.PauseTiming();
      std::this_thread::sleep_for(gap);
      state.ResumeTiming();
    }
  }
  stop = true;
  subscriber.join();
  state.SetLabel(path == Path::copy ? "copy" : "in_place");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PublishPressureFrame)
    ->ArgNames({"in_place", "rows", "cols", "gap_ms"})
    ->ArgsProduct({{0, 1}, {64}, {32, 64}, {0}});  // CPU: the publishing thread's own
BENCHMARK(BM_PublishPressureFrame)
    ->ArgNames({"in_place", "rows", "cols", "gap_ms"})
    ->ArgsProduct({{0, 1}, {64}, {64}, {10}})
    ->Iterations(300);

}  // namespace
}  // namespace plinth

BENCHMARK_MAIN();
