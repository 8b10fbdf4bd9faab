// libFuzzer target: the pure ANT+ pieces the stream decoder does not reach on its own:
// the heart-rate page tracker fed any sequence of pages and resets, the channel set-up
// state machine fed any answers and timeouts, and the network-key parser.
// Input: a sequence of operations, each an opcode byte and its operands:
//   0 page(8 bytes)   1 tracker reset   2 set-up answer(id, length, payload)
//   3 set-up timeout  4 set-up restart  5 network key text(length, text)
// Promises: no crash or UB; a beat has an interval > 0 and sensor time that only moves
// forward while the channel holds; every request the set-up writes is one well-framed ANT
// message; the set-up never leaves its table of steps; a failure has a reason and is final
// until restarted.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/ant_plus.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using namespace plinth;
using namespace plinth::ant;

constexpr std::size_t kSetupSteps = 7;

void check_request(const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) return;
  Message m;
  const StepResult r = frame_step(bytes, m);
  PLINTH_FUZZ_CHECK(r.outcome == StepOutcome::control);
  PLINTH_FUZZ_CHECK(r.consumed == bytes.size());
}

void check_setup(const HrmChannelSetup& setup) {
  PLINTH_FUZZ_CHECK(setup.step_index() <= kSetupSteps);
  if (setup.status() == HrmChannelSetup::Status::failed) PLINTH_FUZZ_CHECK(!setup.error().empty());
  if (setup.status() == HrmChannelSetup::Status::ready) PLINTH_FUZZ_CHECK(setup.step_index() == kSetupSteps);
  if (setup.status() == HrmChannelSetup::Status::in_progress) PLINTH_FUZZ_CHECK(setup.step_index() < kSetupSteps);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  std::size_t at = 0;
  auto take = [&](std::size_t n) {
    n = std::min(n, in.size() - at);
    auto s = in.subspan(at, n);
    at += n;
    return s;
  };

  HrmChannelConfig config;
  config.network_key = {1, 2, 3, 4, 5, 6, 7, 8};
  if (!in.empty()) {
    // The first byte picks the channel and network, so answers addressed elsewhere are tried too.
    const std::uint8_t b = take(1)[0];
    config.channel = b & 0x07;
    config.network = (b >> 3) & 0x03;
    config.device_number = static_cast<std::uint16_t>(b * 257);
  }
  HrmChannelSetup setup(config);
  check_request(setup.start());
  check_setup(setup);

  HrmPageTracker tracker;
  std::optional<std::uint64_t> last_sensor_time;
  while (at < in.size()) {
    const std::uint8_t op = take(1)[0] % 6;
    switch (op) {
      case 0: {
        std::array<std::uint8_t, 8> page{};
        const auto bytes = take(8);
        std::copy(bytes.begin(), bytes.end(), page.begin());
        HeartSample sample;
        sample.rr_1024 = 0xDEAD;
        const std::uint64_t repeats = tracker.repeats(), anomalies = tracker.anomalies();
        if (tracker.on_page(page, sample)) {
          PLINTH_FUZZ_CHECK(sample.rr_1024 > 0);
          PLINTH_FUZZ_CHECK(sample.sensor_time_1024.has_value());
          if (last_sensor_time) PLINTH_FUZZ_CHECK(*sample.sensor_time_1024 > *last_sensor_time);
          last_sensor_time = sample.sensor_time_1024;
        }
        PLINTH_FUZZ_CHECK(tracker.repeats() >= repeats && tracker.anomalies() >= anomalies);
        break;
      }
      case 1:
        tracker.reset();
        last_sensor_time.reset();
        break;
      case 2: {
        const auto header = take(2);
        const std::uint8_t id = header.empty() ? 0 : header[0];
        const std::size_t length = header.size() < 2 ? 0 : header[1] % (kMaxPayload + 1);
        const bool was_failed = setup.status() == HrmChannelSetup::Status::failed;
        const auto reply = setup.on_message(id, take(length));
        check_request(reply);
        if (was_failed) PLINTH_FUZZ_CHECK(reply.empty() && setup.status() == HrmChannelSetup::Status::failed);
        break;
      }
      case 3:
        check_request(setup.on_timeout());
        break;
      case 4:
        check_request(setup.start());
        break;
      case 5: {
        const auto length = take(1);
        const auto text = take(length.empty() ? 0 : length[0] % 64);
        std::string error;
        const auto key = parse_network_key(
            std::string_view(reinterpret_cast<const char*>(text.data()), text.size()), &error);
        PLINTH_FUZZ_CHECK(key.has_value() == error.empty());
        break;
      }
    }
    check_setup(setup);
  }
  return 0;
}
