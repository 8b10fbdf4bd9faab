// text-mat: lines of values from DIY mats (schemas/text-mat-protocol.md).
#include <gtest/gtest.h>

#include <random>

#include "drivers/driver_registry.hpp"
#include "drivers/text_mat.hpp"
#include "tests/unit/mats_test_support.hpp"

namespace plinth {
namespace {

using namespace plinth::test;

StreamDecoder decoder(std::uint16_t rows, std::uint16_t cols) {
  DriverOptions o;
  o.rows = rows;
  o.cols = cols;
  return StreamDecoder(text_mat_driver.make_step(o));
}

TEST(TextMat, IsRegistered) {
  const DriverDescriptor* d = find_driver("text-mat");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->kind, DeviceKind::mat);
}

TEST(TextMat, FramePerLineWithEverySeparator) {
  for (const std::string line : {"1,2,3,4,5,6\n", "1\t2\t3\t4\t5\t6\n", "1 2  3 4 5 6\n", "1;2;3;4;5;6\r\n",
                                 "1, 2, 3, 4, 5, 6,\r\n", "  1 ; 2;3 ;4;5;6 \t\r\n"}) {
    StreamDecoder d = decoder(2, 3);
    auto frames = decode_frames(d, bytes_of(line), 1000);
    ASSERT_EQ(frames.size(), 1u) << line;
    EXPECT_EQ(frames[0].rows, 2);
    EXPECT_EQ(frames[0].cols, 3);
    EXPECT_EQ(frames[0].raw, (std::vector<std::uint16_t>{1, 2, 3, 4, 5, 6})) << line;
    EXPECT_EQ(d.counters().framing_errors, 0u) << line;
  }
}

TEST(TextMat, RowBlocksSeparatedByBlankLines) {
  StreamDecoder d = decoder(3, 2);
  auto frames = decode_frames(d, bytes_of("1,2\n3,4\n5,6\n\n7,8\n9,10\n11,12\r\n\r\n"), 1000);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].raw, (std::vector<std::uint16_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(frames[1].raw, (std::vector<std::uint16_t>{7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(frames[1].device_seq, 1u);
  EXPECT_EQ(d.counters().framing_errors, 0u);
}

TEST(TextMat, HostNumbersFramesAndSimEncoderRoundTrips) {
  DriverOptions o;
  o.rows = 64;
  o.cols = 32;
  auto sim = text_mat_driver.make_sim(o, DeviceInfo{});
  Bytes wire;
  std::vector<MatFrame> sent;
  for (std::uint32_t s = 0; s < 20; ++s) {
    sent.push_back(pattern_frame(1000 + s, 64, 32));
    sim->encode_frame(sent.back(), wire);
  }
  EXPECT_TRUE(sim->streaming());
  StreamDecoder d(text_mat_driver.make_step(o));
  auto frames = decode_frames(d, wire, wire.size());  // many frames in one read
  ASSERT_EQ(frames.size(), 20u);
  for (std::uint32_t s = 0; s < 20; ++s) {
    EXPECT_EQ(frames[s].raw, sent[s].raw);
    EXPECT_EQ(frames[s].device_seq, s);  // the wire has no counter: the host counts
    EXPECT_EQ(frames[s].device_time_us, 0u);
  }
  EXPECT_EQ(d.counters().frames, 20u);
}

TEST(TextMat, SplitReadsOneByteAtATime) {
  const MatFrame f = pattern_frame(3, 8, 5);
  Bytes lines, blocks;
  text_mat::encode_frame_line(f, ';', lines);
  text_mat::encode_frame_line(f, ';', lines);
  text_mat::encode_row_block(f, '\t', blocks);
  text_mat::encode_row_block(f, '\t', blocks);
  for (const Bytes* wire : {&lines, &blocks}) {
    for (std::size_t chunk : {1u, 2u, 7u, 64u}) {
      StreamDecoder d = decoder(8, 5);
      auto frames = decode_frames(d, *wire, chunk);
      ASSERT_EQ(frames.size(), 2u) << "chunk " << chunk;
      EXPECT_EQ(frames[1].raw, f.raw);
      EXPECT_EQ(d.counters().framing_errors + d.counters().garbage_bytes, 0u);
    }
  }
}

TEST(TextMat, BadLinesAreSkippedCountedAndCostOnlyThemselves) {
  // Each bad line sits between two good frames; every good frame must survive.
  const std::vector<std::string> bad = {
      "1,2,3,4,5\n",        // too few values
      "1,2,3,4,5,6,7\n",    // too many
      "hello world\n",      // junk
      "1,2,x,4,5,6\n",      // a non-numeric value
      "1,,3,4,5,6,7\n",     // empty field
      "1,2,3,-4,5,6\n",     // negative
      "1,2,3,70000,5,6\n",  // beyond 16 bits
      "1,2,3,4,5,6x\n",     // number glued to junk
      "\x01\x02\xff\n",     // binary noise
  };
  for (const std::string& line : bad) {
    StreamDecoder d = decoder(2, 3);
    auto frames = decode_frames(d, bytes_of("1,2,3,4,5,6\n" + line + "6,5,4,3,2,1\n"), 3);
    ASSERT_EQ(frames.size(), 2u) << line;
    EXPECT_EQ(frames[1].raw, (std::vector<std::uint16_t>{6, 5, 4, 3, 2, 1}));
    EXPECT_EQ(frames[1].device_seq, 1u);  // skipped lines are not frames
    EXPECT_EQ(d.counters().framing_errors, 1u) << line;
    EXPECT_EQ(d.counters().resyncs, 1u) << line;
  }
}

TEST(TextMat, OverlongLineIsDroppedWithBoundedBuffer) {
  const std::size_t bound = text_mat::max_line_bytes({2, 3});
  std::string endless(bound * 5, '7');
  StreamDecoder d = decoder(2, 3);
  auto frames = decode_frames(d, bytes_of("1,2,3,4,5,6\n" + endless + "\n6,5,4,3,2,1\n"), 17);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].raw[0], 6);
  EXPECT_GE(d.counters().garbage_bytes, bound * 4);
  // The tail of the overlong line after the dropped chunks is judged as one bad line.
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(TextMat, RowBlockWithMissingRowIsRejected) {
  StreamDecoder d = decoder(3, 2);
  auto frames = decode_frames(d, bytes_of("1,2\n3,4\n\n7,8\n9,10\n11,12\n\n"), 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].raw[0], 7);
  EXPECT_EQ(frames[0].device_seq, 0u);
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(TextMat, LostBlankLineKeepsTheFrameBeforeTheNextBlank) {
  // The blank line after the first frame was lost: the decoder keeps the last 3 rows
  // before a blank line (the second frame) and drops the first frame's rows.
  StreamDecoder d = decoder(3, 2);
  auto frames = decode_frames(d, bytes_of("1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n\n13,14\n15,16\n17,18\n\n"), 4);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].raw, (std::vector<std::uint16_t>{7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(frames[1].raw[0], 13);
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(TextMat, TruncatedBlockFollowedByFullBlock) {
  // The mat reset after two rows; the next frame arrives whole.
  StreamDecoder d = decoder(3, 2);
  auto frames = decode_frames(d, bytes_of("1,2\n3,4\n7,8\n9,10\n11,12\n\n"), 1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].raw, (std::vector<std::uint16_t>{7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(TextMat, BadLineInsideBlockCostsThatBlockOnly) {
  StreamDecoder d = decoder(3, 2);
  auto frames = decode_frames(d, bytes_of("1,2\nbad\n5,6\n\n7,8\n9,10\n11,12\n\n"), 2);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].raw[0], 7);
  // The first row (broken run), the junk line, and the lone third row.
  EXPECT_EQ(d.counters().framing_errors, 3u);
}

TEST(TextMat, RowsWithoutAnyBlankLineDoNotGrowTheBuffer) {
  // A mat configured for row blocks that never prints a blank line: rejected in bounded
  // steps (at most 2·rows lines are looked at), never delivered, never buffered forever.
  StreamDecoder d = decoder(4, 2);
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "1,2\n";
  auto frames = decode_frames(d, bytes_of(text), 10);
  EXPECT_TRUE(frames.empty());
  EXPECT_GE(d.counters().framing_errors, 1000u / 4 - 2);
  // Once blank lines appear, frames flow again: the last 4 rows before the first blank
  // line form a frame, then the next block.
  frames = decode_frames(d, bytes_of("\n1,2\n3,4\n5,6\n7,8\n\n"), 10);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].raw, (std::vector<std::uint16_t>{1, 2, 1, 2, 1, 2, 1, 2}));
  EXPECT_EQ(frames[1].raw[7], 8);
}

TEST(TextMat, RandomNoiseThenCleanFramesDecode) {
  // Noise drawn from the characters of the protocol itself, so it looks almost valid.
  std::mt19937 rng(5);
  const std::string alphabet = "0123456789,; \t\r\n\n9x-";
  std::string noise;
  for (int i = 0; i < 50000; ++i) noise += alphabet[rng() % alphabet.size()];
  StreamDecoder d = decoder(4, 4);
  const MatFrame f = pattern_frame(0, 4, 4);
  Bytes clean;
  text_mat::encode_frame_line(f, ',', clean);
  text_mat::encode_row_block(f, ' ', clean);
  Bytes wire = bytes_of(noise + "\n\n");
  append(wire, clean);
  auto frames = decode_frames(d, wire, 97);
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[frames.size() - 1].raw, f.raw);
  EXPECT_EQ(frames[frames.size() - 2].raw, f.raw);
  EXPECT_GT(d.counters().framing_errors, 100u);
}

TEST(TextMat, GeometryIsRequired) {
  EXPECT_THROW(text_mat_driver.make_step(DriverOptions{}), std::invalid_argument);
}

TEST(TextMat, NoHostCommands) {
  EXPECT_TRUE(text_mat_driver.open_request({}).empty());
  EXPECT_TRUE(text_mat_driver.close_request({}).empty());
}

}  // namespace
}  // namespace plinth
