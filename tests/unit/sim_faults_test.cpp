// Line faults for simulated devices (drivers/sim_faults.hpp): each kind does what it says,
// the same seed gives the same faults, and the Plinth mat decoder delivers every frame the
// injector left intact while refusing every frame it damaged.
#include <gtest/gtest.h>

#include <bit>
#include <map>
#include <set>

#include "drivers/plinth_mat.hpp"
#include "drivers/sim_faults.hpp"

namespace plinth {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes message(std::size_t n) {
  Bytes m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = static_cast<std::uint8_t>(i * 37 + 11);
  return m;
}

TEST(StreamFaultInjector, RateZeroChangesNothing) {
  StreamFaultInjector faults(0.0, 1);
  for (int i = 0; i < 1000; ++i) {
    Bytes m = message(100);
    EXPECT_EQ(faults.apply(m), StreamFault::none);
    EXPECT_EQ(m, message(100));
  }
  EXPECT_EQ(faults.counts().messages, 1000u);
  EXPECT_EQ(faults.counts().faulted(), 0u);
}

TEST(StreamFaultInjector, EachKindDoesWhatItSays) {
  StreamFaultInjector faults(1.0, 7);
  std::map<StreamFault, int> seen;
  for (int i = 0; i < 400; ++i) {
    const Bytes original = message(64);
    Bytes m = original;
    const StreamFault kind = faults.apply(m);
    ++seen[kind];
    switch (kind) {
      case StreamFault::garbage:
        ASSERT_GT(m.size(), original.size());
        ASSERT_LE(m.size(), original.size() + 64);
        EXPECT_TRUE(std::equal(original.begin(), original.end(), m.end() - 64)) << "the message follows the noise";
        break;
      case StreamFault::bit_flip: {
        ASSERT_EQ(m.size(), original.size());
        int bits = 0;
        for (std::size_t k = 0; k < m.size(); ++k) bits += std::popcount(static_cast<unsigned>(m[k] ^ original[k]));
        EXPECT_EQ(bits, 1);
        break;
      }
      case StreamFault::truncate:
        ASSERT_GE(m.size(), 1u);
        ASSERT_LT(m.size(), original.size());
        EXPECT_TRUE(std::equal(m.begin(), m.end(), original.begin()));
        break;
      case StreamFault::duplicate:
        ASSERT_EQ(m.size(), 2 * original.size());
        EXPECT_TRUE(std::equal(original.begin(), original.end(), m.begin()));
        EXPECT_TRUE(std::equal(original.begin(), original.end(), m.begin() + 64));
        break;
      case StreamFault::none: ADD_FAILURE() << "rate 1 must fault every message"; break;
    }
  }
  for (StreamFault k : {StreamFault::garbage, StreamFault::bit_flip, StreamFault::truncate, StreamFault::duplicate})
    EXPECT_GT(seen[k], 50) << to_string(k);
  const StreamFaultCounts& c = faults.counts();
  EXPECT_EQ(c.garbage + c.bit_flip + c.truncate + c.duplicate, 400u);
}

TEST(StreamFaultInjector, OneByteMessagesAreNeverCutToNothing) {
  StreamFaultInjector faults(1.0, 3);
  for (int i = 0; i < 200; ++i) {
    Bytes m{0x42};
    EXPECT_NE(faults.apply(m), StreamFault::truncate);
    EXPECT_FALSE(m.empty());
  }
}

TEST(StreamFaultInjector, SameSeedSameFaults) {
  StreamFaultInjector a(0.3, 99), b(0.3, 99), c(0.3, 100);
  bool differs = false;
  for (int i = 0; i < 500; ++i) {
    Bytes ma = message(50), mb = message(50), mc = message(50);
    EXPECT_EQ(a.apply(ma), b.apply(mb));
    EXPECT_EQ(ma, mb);
    c.apply(mc);
    differs = differs || mc != ma;
  }
  EXPECT_TRUE(differs) << "another seed should give other faults";
}

TEST(StreamFaultInjector, RejectsRatesOutsideZeroToOne) {
  EXPECT_THROW(StreamFaultInjector(-0.1, 1), std::invalid_argument);
  EXPECT_THROW(StreamFaultInjector(1.5, 1), std::invalid_argument);
}

// The promise end to end, without processes: 5% of 2000 frames damaged, and the decoder
// delivers exactly the intact ones (a duplicate once more, which the daemon then drops).
TEST(StreamFaultInjector, MatDecoderDeliversEveryIntactFrame) {
  StreamFaultInjector faults(0.05, 2024);
  Bytes wire;
  std::set<std::uint32_t> intact, damaged;
  for (std::uint32_t seq = 0; seq < 2000; ++seq) {
    MatFrame f;
    f.device_seq = seq;
    f.rows = 8;
    f.cols = 6;
    for (int i = 0; i < 48; ++i) f.raw.push_back(static_cast<std::uint16_t>((seq * 13 + i * 101) % 4096));
    Bytes m;
    mat_protocol::encode_frame(f, mat_protocol::Encoding::raw16, m);
    (leaves_message_intact(faults.apply(m)) ? intact : damaged).insert(seq);
    wire.insert(wire.end(), m.begin(), m.end());
  }
  ASSERT_GT(damaged.size(), 20u);
  StreamDecoder decoder(&mat_protocol::step);
  std::set<std::uint32_t> delivered;
  for (std::size_t at = 0; at < wire.size(); at += 333) {
    const std::size_t n = std::min<std::size_t>(333, wire.size() - at);
    decoder.feed({wire.data() + at, n}, [&](StepOutcome o, const DecodedOutput& out) {
      if (o == StepOutcome::mat_frame) delivered.insert(out.frame.device_seq);
    });
  }
  // A truncated frame near the end may still be waiting for bytes that never come and hold
  // the frames behind it; everything before the last 16 frames must be out.
  std::set<std::uint32_t> expected;
  for (std::uint32_t s : intact)
    if (s < 1984) expected.insert(s);
  std::set<std::uint32_t> missing;
  for (std::uint32_t s : expected)
    if (!delivered.count(s)) missing.insert(s);
  EXPECT_TRUE(missing.empty()) << missing.size() << " intact frames lost, first " << *missing.begin();
  for (std::uint32_t s : damaged) EXPECT_FALSE(delivered.count(s)) << "damaged frame " << s << " delivered";
  EXPECT_GT(decoder.counters().crc_errors + decoder.counters().framing_errors, 0u);
  EXPECT_GT(decoder.counters().resyncs, 0u);
}

}  // namespace
}  // namespace plinth
