// row-matrix: the row-addressed binary matrix protocol (schemas/row-matrix-protocol.md).
#include <gtest/gtest.h>

#include <random>

#include "drivers/driver_registry.hpp"
#include "drivers/row_matrix_mat.hpp"
#include "tests/unit/mats_test_support.hpp"

namespace plinth {
namespace {

using namespace plinth::test;
using namespace plinth::row_matrix;

DriverOptions geometry(std::uint16_t rows, std::uint16_t cols) {
  DriverOptions o;
  o.rows = rows;
  o.cols = cols;
  return o;
}

StreamDecoder decoder(std::uint16_t rows, std::uint16_t cols) { return StreamDecoder(make_step(geometry(rows, cols))); }

Bytes encode(const MatFrame& f) {
  Bytes out;
  encode_frame(f, out);
  return out;
}

// Offset of value `col` of row `row` (its low byte) in an encoded frame.
std::size_t value_offset(std::uint16_t cols, std::size_t row, std::size_t col) {
  return 2 + row * (3 + 2 * std::size_t{cols}) + 3 + 2 * col;
}

void fix_checksum(Bytes& frame) {
  std::uint8_t x = 0;
  for (std::size_t i = 0; i + 1 < frame.size(); ++i) x ^= frame[i];
  frame.back() = x;
}

TEST(RowMatrix, IsRegistered) {
  const DriverDescriptor* d = find_driver("row-matrix");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->kind, DeviceKind::mat);
}

TEST(RowMatrix, WireLayoutIsAsSpecified) {
  MatFrame f = pattern_frame(7, 2, 2);
  f.raw = {0x0123, 0x0FFF, 0, 0x0A05};
  const Bytes expected = {0xFE, 7,                            // start, counter
                          0xFF, 2, 0, 0x23, 0x01, 0xFF, 0x0F,  // row 0
                          0xFF, 2, 1, 0x00, 0x00, 0x05, 0x0A,  // row 1
                          0xFD, 0xD8};                         // end, XOR check (spec example)
  Bytes wire = encode(f);
  ASSERT_EQ(wire.size(), frame_bytes({2, 2}));
  EXPECT_EQ(wire, expected);
}

TEST(RowMatrix, RoundTripAndManyFramesInOneRead) {
  Bytes wire;
  std::vector<MatFrame> sent;
  for (std::uint32_t s = 0; s < 30; ++s) {
    sent.push_back(pattern_frame(s, 64, 27));
    encode_frame(sent.back(), wire);
  }
  StreamDecoder d = decoder(64, 27);
  auto frames = decode_frames(d, wire, wire.size());
  ASSERT_EQ(frames.size(), 30u);
  for (std::uint32_t s = 0; s < 30; ++s) {
    EXPECT_EQ(frames[s].raw, sent[s].raw);
    EXPECT_EQ(frames[s].device_seq, s);
    EXPECT_EQ(frames[s].rows, 64);
    EXPECT_EQ(frames[s].cols, 27);
  }
  EXPECT_EQ(d.counters().framing_errors + d.counters().garbage_bytes + d.counters().crc_errors, 0u);
}

TEST(RowMatrix, SplitReadsOneByteAtATime) {
  const MatFrame f = pattern_frame(1, 16, 16);
  Bytes wire = encode(f);
  append(wire, encode(pattern_frame(2, 16, 16)));
  for (std::size_t chunk : {1u, 2u, 3u, 35u, 36u, 37u}) {
    StreamDecoder d = decoder(16, 16);
    auto frames = decode_frames(d, wire, chunk);
    ASSERT_EQ(frames.size(), 2u) << chunk;
    EXPECT_EQ(frames[0].raw, f.raw);
    EXPECT_EQ(frames[1].device_seq, 2u);
  }
}

TEST(RowMatrix, CounterIsWidenedAcrossWrapsAndShowsGaps) {
  Bytes wire;
  for (std::uint32_t s = 250; s < 600; ++s)
    if (s != 300 && s != 301) encode_frame(pattern_frame(s, 2, 3), wire);  // two frames lost
  StreamDecoder d = decoder(2, 3);
  auto frames = decode_frames(d, wire, 100);
  ASSERT_EQ(frames.size(), 348u);
  EXPECT_EQ(frames.front().device_seq, 250u);
  EXPECT_EQ(frames.back().device_seq, 599u);  // 8-bit counter widened: wrapped twice
  std::size_t jumps = 0;
  for (std::size_t i = 1; i < frames.size(); ++i) jumps += frames[i].device_seq != frames[i - 1].device_seq + 1;
  EXPECT_EQ(jumps, 1u);
}

TEST(RowMatrix, GarbageAroundFramesIsSkipped) {
  Bytes wire = {0x00, 0xFE, 0x13, 0xFF, 0xFD, 0xFE};
  append(wire, encode(pattern_frame(1, 8, 16)));
  append(wire, {0xFE, 0xFE, 0xFF, 0x10, 0x42});
  append(wire, encode(pattern_frame(2, 8, 16)));
  append(wire, {0xDE, 0xAD});
  StreamDecoder d = decoder(8, 16);
  auto frames = decode_frames(d, wire, 5);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].device_seq, 2u);
  EXPECT_GT(d.counters().garbage_bytes, 0u);
  EXPECT_GE(d.counters().resyncs, 2u);
}

TEST(RowMatrix, ValueWithUpperNibbleSetRejectsTheFrame) {
  Bytes bad = encode(pattern_frame(1, 8, 16));
  bad[value_offset(16, 3, 5) + 1] |= 0x40;  // > 4095
  fix_checksum(bad);                        // checksum is right: only the value is wrong
  Bytes wire = bad;
  append(wire, encode(pattern_frame(2, 8, 16)));
  StreamDecoder d = decoder(8, 16);
  auto frames = decode_frames(d, wire, 7);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().framing_errors, 1u);
  EXPECT_EQ(d.counters().crc_errors, 0u);
}

TEST(RowMatrix, BadChecksumRejectsTheFrame) {
  Bytes bad = encode(pattern_frame(1, 8, 16));
  bad[value_offset(16, 2, 2)] ^= 0x01;
  Bytes wire = bad;
  append(wire, encode(pattern_frame(2, 8, 16)));
  StreamDecoder d = decoder(8, 16);
  auto frames = decode_frames(d, wire, wire.size());
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().crc_errors, 1u);
}

TEST(RowMatrix, MissingRowRejectsTheFrame) {
  const std::uint16_t rows = 8, cols = 16;
  Bytes bad = encode(pattern_frame(1, rows, cols));
  const std::size_t row_size = 3 + 2 * cols;
  bad.erase(bad.begin() + 2 + 4 * row_size, bad.begin() + 2 + 5 * row_size);  // row 4 lost
  fix_checksum(bad);
  Bytes wire = bad;
  append(wire, encode(pattern_frame(2, rows, cols)));
  StreamDecoder d = decoder(rows, cols);
  auto frames = decode_frames(d, wire, 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(RowMatrix, RowsOutOfOrderRejectTheFrame) {
  const std::uint16_t rows = 8, cols = 16;
  Bytes bad = encode(pattern_frame(1, rows, cols));
  const std::size_t row_size = 3 + 2 * cols;
  std::swap_ranges(bad.begin() + 2 + 2 * row_size, bad.begin() + 2 + 3 * row_size, bad.begin() + 2 + 3 * row_size);
  fix_checksum(bad);
  Bytes wire = bad;
  append(wire, encode(pattern_frame(2, rows, cols)));
  StreamDecoder d = decoder(rows, cols);
  auto frames = decode_frames(d, wire, 64);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(RowMatrix, ExtraRowRejectsTheFrame) {
  const std::uint16_t rows = 4, cols = 16;
  Bytes five = encode(pattern_frame(1, 5, cols));  // a 5-row frame where 4 are configured
  Bytes wire = five;
  append(wire, encode(pattern_frame(2, rows, cols)));
  StreamDecoder d = decoder(rows, cols);
  auto frames = decode_frames(d, wire, 9);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(RowMatrix, TruncatedFrameThenIntactFrame) {
  // The device reset in the middle of a row: the next frame starts inside the values.
  for (std::size_t cut : {5u, 40u, 41u, 100u, 200u}) {
    Bytes wire = encode(pattern_frame(1, 8, 16));
    wire.resize(cut);
    append(wire, encode(pattern_frame(2, 8, 16)));
    StreamDecoder d = decoder(8, 16);
    auto frames = decode_frames(d, wire, 13);
    ASSERT_EQ(frames.size(), 1u) << cut;
    EXPECT_EQ(frames[0].device_seq, 2u);
    EXPECT_EQ(d.counters().framing_errors + d.counters().crc_errors, 1u) << cut;
  }
}

TEST(RowMatrix, WrongColumnCountNeverDelivers) {
  // A mat with 20 columns read with a 16-column config: nothing is delivered.
  Bytes wire;
  for (std::uint32_t s = 0; s < 5; ++s) encode_frame(pattern_frame(s, 8, 20), wire);
  StreamDecoder d = decoder(8, 16);
  auto frames = decode_frames(d, wire, wire.size());
  EXPECT_TRUE(frames.empty());
  EXPECT_GE(d.counters().garbage_bytes + 3, wire.size());  // a 0xFE in the last 3 bytes may wait
  EXPECT_EQ(d.counters().framing_errors, 0u);
}

TEST(RowMatrix, RandomCorruptionNeverLosesAnIntactFrame) {
  std::mt19937 rng(99);
  Bytes stream;
  std::vector<std::uint32_t> intact;
  for (std::uint32_t s = 0; s < 300; ++s) {
    Bytes f = encode(pattern_frame(s, 6, 16));
    switch (rng() % 8) {
      case 0: f.resize(rng() % f.size()); break;
      case 1: f[rng() % f.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;
      case 2:
        for (int i = 0; i < 25; ++i) stream.push_back(static_cast<std::uint8_t>(rng()));
        intact.push_back(s);
        break;
      default: intact.push_back(s);
    }
    append(stream, f);
  }
  StreamDecoder d = decoder(6, 16);
  auto frames = decode_frames(d, stream, 61);
  std::vector<std::uint32_t> got;
  for (auto& f : frames) got.push_back(f.raw[0]);
  for (std::uint32_t s : intact) {
    const auto want = pattern_frame(s, 6, 16).raw[0];
    EXPECT_NE(std::find(got.begin(), got.end(), want), got.end()) << s;
  }
  // An 8-bit XOR lets roughly 1 in 256 corrupt frames through at worst.
  EXPECT_LE(frames.size(), intact.size() + 3);
}

TEST(RowMatrix, SimStartsStoppedAndObeysStartStop) {
  DeviceInfo info;
  info.rows = 8;
  info.cols = 16;
  auto sim = row_matrix_driver.make_sim(geometry(8, 16), info);
  Bytes answer;
  EXPECT_FALSE(sim->streaming());
  sim->on_host_bytes(row_matrix_driver.open_request(geometry(8, 16)), answer);
  EXPECT_TRUE(sim->streaming());
  sim->on_host_bytes(row_matrix_driver.close_request(geometry(8, 16)), answer);
  EXPECT_FALSE(sim->streaming());
  sim->on_host_bytes(bytes_of("zzS"), answer);
  EXPECT_TRUE(sim->streaming());
  EXPECT_TRUE(answer.empty());
  Bytes wire;
  sim->encode_frame(pattern_frame(4, 8, 16), wire);
  StreamDecoder d = decoder(8, 16);
  EXPECT_EQ(decode_frames(d, wire, 1).size(), 1u);
}

TEST(RowMatrix, EncoderClampsTo12Bits) {
  MatFrame f = pattern_frame(0, 2, 2);
  f.raw = {5000, 65535, 4095, 0};
  StreamDecoder d = decoder(2, 2);
  auto frames = decode_frames(d, encode(f), 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].raw, (std::vector<std::uint16_t>{4095, 4095, 4095, 0}));
}

TEST(RowMatrix, GeometryMustFitTheWire) {
  EXPECT_THROW(make_step(geometry(0, 16)), std::invalid_argument);
  EXPECT_THROW(make_step(geometry(256, 16)), std::invalid_argument);
  EXPECT_NO_THROW(make_step(geometry(255, 255)));
}

}  // namespace
}  // namespace plinth
