#include <gtest/gtest.h>

#include "drivers/stream_decoder.hpp"

namespace plinth {
namespace {

// A toy protocol: 'F' followed by one value byte is a frame; anything else is garbage.
StepResult toy_step(std::span<const std::uint8_t> in, DecodedOutput& out) {
  if (in[0] != 'F') return {StepOutcome::skip, 1, SkipReason::garbage};
  if (in.size() < 2) return {StepOutcome::need_more, 0};
  out.frame.raw.assign(1, in[1]);
  return {StepOutcome::mat_frame, 2};
}

TEST(StreamDecoder, CountsGarbageAndResyncs) {
  StreamDecoder d(&toy_step);
  std::vector<int> values;
  auto sink = [&](StepOutcome, const DecodedOutput& o) { values.push_back(o.frame.raw[0]); };
  const std::string input = "F1xxF2F";
  d.feed({reinterpret_cast<const std::uint8_t*>(input.data()), input.size()}, sink);
  EXPECT_EQ(values, (std::vector<int>{'1', '2'}));
  const std::string rest = "3";
  d.feed({reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()}, sink);
  EXPECT_EQ(values.size(), 3u);
  EXPECT_EQ(d.counters().garbage_bytes, 2u);
  EXPECT_EQ(d.counters().resyncs, 1u);
  EXPECT_EQ(d.counters().frames, 3u);
  EXPECT_EQ(d.counters().bytes, 8u);
}

TEST(StreamDecoder, NeverCompletingMessageDoesNotGrowWithoutBound) {
  auto never = [](std::span<const std::uint8_t>, DecodedOutput&) { return StepResult{StepOutcome::need_more, 0}; };
  StreamDecoder d(never, 100);
  std::vector<std::uint8_t> chunk(64, 0);
  for (int i = 0; i < 10; ++i) d.feed(chunk, [](StepOutcome, const DecodedOutput&) {});
  EXPECT_GE(d.counters().framing_errors, 1u);
}

TEST(StreamDecoder, ResetDropsPartialMessage) {
  StreamDecoder d(&toy_step);
  int n = 0;
  auto sink = [&](StepOutcome, const DecodedOutput&) { ++n; };
  const std::uint8_t f = 'F';
  d.feed({&f, 1}, sink);
  d.reset();
  const std::string rest = "F9";
  d.feed({reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()}, sink);
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace plinth
