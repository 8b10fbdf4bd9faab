// The Plinth mat decoder must survive any input (schemas/mat-protocol.md, resync rules).
#include <gtest/gtest.h>

#include <random>

#include "drivers/plinth_mat.hpp"

namespace plinth {
namespace {

using namespace mat_protocol;
using Bytes = std::vector<std::uint8_t>;

MatFrame make_frame(std::uint32_t seq, std::uint16_t rows = 4, std::uint16_t cols = 3) {
  MatFrame f;
  f.device_seq = seq;
  f.device_time_us = 1000ull * seq + 7;
  f.rows = rows;
  f.cols = cols;
  for (std::size_t i = 0; i < std::size_t{rows} * cols; ++i)
    f.raw.push_back(static_cast<std::uint16_t>((seq * 31 + i * 257) % 4096));
  return f;
}

Bytes encode(const MatFrame& f, Encoding e = Encoding::raw16) {
  Bytes out;
  encode_frame(f, e, out);
  return out;
}

struct Collected {
  std::vector<MatFrame> frames;
  std::vector<DeviceInfo> infos;
  std::vector<std::uint8_t> controls;
};

Collected decode_in_chunks(const Bytes& bytes, std::size_t chunk, StreamDecoder* keep = nullptr) {
  StreamDecoder local(&step);
  StreamDecoder& d = keep ? *keep : local;
  Collected c;
  auto sink = [&](StepOutcome o, const DecodedOutput& out) {
    if (o == StepOutcome::mat_frame) c.frames.push_back(out.frame);
    if (o == StepOutcome::device_info) c.infos.push_back(out.info);
    if (o == StepOutcome::control) c.controls.push_back(out.control_code);
  };
  for (std::size_t i = 0; i < bytes.size(); i += chunk)
    d.feed({bytes.data() + i, std::min(chunk, bytes.size() - i)}, sink);
  return c;
}

TEST(PlinthMatCrc, KnownCheckValues) {
  const std::string check = "123456789";
  const std::span<const std::uint8_t> s(reinterpret_cast<const std::uint8_t*>(check.data()), check.size());
  EXPECT_EQ(crc16_ccitt_false(s), 0x29B1);  // CRC-16/CCITT-FALSE check value
  EXPECT_EQ(crc32_ieee(s), 0xCBF43926u);    // CRC-32 check value
}

TEST(PlinthMat, RoundTripsRaw16Frame) {
  const MatFrame f = make_frame(42, 64, 32);
  auto c = decode_in_chunks(encode(f), 1 << 20);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].device_seq, 42u);
  EXPECT_EQ(c.frames[0].device_time_us, 42007u);
  EXPECT_EQ(c.frames[0].rows, 64);
  EXPECT_EQ(c.frames[0].cols, 32);
  EXPECT_EQ(c.frames[0].raw, f.raw);
}

TEST(PlinthMat, RoundTripsRaw8Frame) {
  MatFrame f = make_frame(5);
  for (auto& v : f.raw) v = static_cast<std::uint16_t>(v % 256);
  auto c = decode_in_chunks(encode(f, Encoding::raw8), 1 << 20);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].raw, f.raw);
}

TEST(PlinthMat, FrameSplitAcrossManyReads) {
  const MatFrame f = make_frame(9, 64, 64);
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 8u, 9u, 511u}) {
    auto c = decode_in_chunks(encode(f), chunk);
    ASSERT_EQ(c.frames.size(), 1u) << "chunk " << chunk;
    EXPECT_EQ(c.frames[0].raw, f.raw);
  }
}

TEST(PlinthMat, ManyFramesInOneRead) {
  Bytes all;
  for (std::uint32_t s = 0; s < 50; ++s) encode_frame(make_frame(s), Encoding::raw16, all);
  StreamDecoder d(&step);
  auto c = decode_in_chunks(all, all.size(), &d);
  ASSERT_EQ(c.frames.size(), 50u);
  for (std::uint32_t s = 0; s < 50; ++s) EXPECT_EQ(c.frames[s].device_seq, s);
  EXPECT_EQ(d.counters().frames, 50u);
  EXPECT_EQ(d.counters().crc_errors, 0u);
  EXPECT_EQ(d.counters().garbage_bytes, 0u);
}

TEST(PlinthMat, GarbageBeforeBetweenAndAfterFrames) {
  Bytes all = {0x00, 0xA5, 0x13, 0xFF, 0x5A, 0xA5};
  encode_frame(make_frame(1), Encoding::raw16, all);
  all.insert(all.end(), {0xA5, 0xA5, 0x5A, 0x01, 0x02});
  encode_frame(make_frame(2), Encoding::raw16, all);
  all.insert(all.end(), {0xDE, 0xAD});
  StreamDecoder d(&step);
  auto c = decode_in_chunks(all, 5, &d);
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(c.frames[0].device_seq, 1u);
  EXPECT_EQ(c.frames[1].device_seq, 2u);
  EXPECT_GT(d.counters().garbage_bytes + d.counters().crc_errors, 0u);
  EXPECT_GE(d.counters().resyncs, 2u);
}

TEST(PlinthMat, PureGarbageYieldsNothingAndBoundedBuffer) {
  std::mt19937 rng(1);
  Bytes noise(200000);
  for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
  StreamDecoder d(&step, 4096);
  auto c = decode_in_chunks(noise, 333, &d);
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(d.counters().bytes, noise.size());
}

TEST(PlinthMat, TruncatedFrameFollowedByIntactFrame) {
  Bytes a = encode(make_frame(1, 16, 16));
  a.resize(a.size() / 2);  // the device reset mid-frame
  Bytes b = encode(make_frame(2, 16, 16));
  a.insert(a.end(), b.begin(), b.end());
  StreamDecoder d(&step);
  auto c = decode_in_chunks(a, 64, &d);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().resyncs, 1u);
}

TEST(PlinthMat, BadPayloadCrcIsRejectedAndNextFrameKept) {
  Bytes a = encode(make_frame(1));
  a[20] ^= 0x04;  // a bit flip in the values
  Bytes b = encode(make_frame(2));
  a.insert(a.end(), b.begin(), b.end());
  StreamDecoder d(&step);
  auto c = decode_in_chunks(a, a.size(), &d);
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0].device_seq, 2u);
  EXPECT_EQ(d.counters().crc_errors, 1u);
}

TEST(PlinthMat, CorruptLengthIsCaughtByHeaderCrcWithoutWaiting) {
  Bytes a = encode(make_frame(1));
  a[5] = 0xFF;  // length now claims ~65 KB
  Bytes b = encode(make_frame(2));
  a.insert(a.end(), b.begin(), b.end());
  auto c = decode_in_chunks(a, a.size());
  ASSERT_EQ(c.frames.size(), 1u);  // delivered at once, not after 65 KB more
  EXPECT_EQ(c.frames[0].device_seq, 2u);
}

TEST(PlinthMat, WrongVersionIsSkipped) {
  Bytes a;
  const Bytes payload = {1, 2, 3};
  encode_message(Type::frame, payload, a);
  a[2] = 2;  // version 2, with a header CRC recomputed so only the version is wrong
  const auto crc = crc16_ccitt_false({a.data(), 6});
  a[6] = static_cast<std::uint8_t>(crc);
  a[7] = static_cast<std::uint8_t>(crc >> 8);
  StreamDecoder d(&step);
  auto c = decode_in_chunks(a, a.size(), &d);
  EXPECT_TRUE(c.frames.empty());
  EXPECT_GE(d.counters().framing_errors, 1u);
}

TEST(PlinthMat, GeometryThatDisagreesWithLengthIsRejected) {
  MatFrame f = make_frame(3);
  Bytes payload;
  encode_frame(f, Encoding::raw16, payload);
  // Re-wrap the payload claiming 5 rows instead of 4: CRCs valid, geometry wrong.
  Bytes inner(payload.begin() + kHeaderSize, payload.end() - kTrailerSize);
  inner[12] = 5;
  Bytes msg;
  encode_message(Type::frame, inner, msg);
  StreamDecoder d(&step);
  auto c = decode_in_chunks(msg, msg.size(), &d);
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(PlinthMat, DuplicatedFrameIsDeliveredTwice) {
  Bytes a = encode(make_frame(7));
  Bytes all = a;
  all.insert(all.end(), a.begin(), a.end());
  auto c = decode_in_chunks(all, 10);
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(c.frames[0].device_seq, c.frames[1].device_seq);
}

TEST(PlinthMat, InfoRoundTrip) {
  DeviceInfo info{"Plinth SimMat 64", "SIM-0001", "1.2.3", 64, 32, 12, 15.875f, 50000};
  Bytes b;
  encode_info(info, b);
  auto c = decode_in_chunks(b, 3);
  ASSERT_EQ(c.infos.size(), 1u);
  EXPECT_EQ(c.infos[0].model, info.model);
  EXPECT_EQ(c.infos[0].serial, info.serial);
  EXPECT_EQ(c.infos[0].firmware, info.firmware);
  EXPECT_EQ(c.infos[0].rows, 64);
  EXPECT_EQ(c.infos[0].cols, 32);
  EXPECT_EQ(c.infos[0].adc_bits, 12);
  EXPECT_FLOAT_EQ(c.infos[0].pitch_mm, 15.875f);
  EXPECT_EQ(c.infos[0].frame_rate_mhz, 50000u);
}

TEST(PlinthMat, TruncatedInfoStringsAreRejected) {
  Bytes payload(13, 0);
  payload.push_back(200);  // model length 200, nothing follows
  Bytes msg;
  encode_message(Type::info, payload, msg);
  StreamDecoder d(&step);
  auto c = decode_in_chunks(msg, msg.size(), &d);
  EXPECT_TRUE(c.infos.empty());
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(PlinthMat, SimAnswersIdentifyAndObeysStartStop) {
  DeviceInfo info{"M", "S", "F", 4, 3, 12, 10.0f, 0};
  auto sim = plinth_mat_driver.make_sim({}, info);
  Bytes answer;
  sim->on_host_bytes(plinth_mat_driver.close_request({}), answer);
  EXPECT_FALSE(sim->streaming());
  sim->on_host_bytes(plinth_mat_driver.open_request({}), answer);
  EXPECT_TRUE(sim->streaming());
  auto c = decode_in_chunks(answer, 1);
  ASSERT_EQ(c.infos.size(), 1u);
  EXPECT_EQ(c.infos[0].serial, "S");
}

// Every intact frame survives random corruption of the stream around it.
TEST(PlinthMat, RandomCorruptionNeverLosesAnIntactFrame) {
  std::mt19937 rng(12345);
  Bytes stream;
  std::vector<std::uint32_t> intact;
  for (std::uint32_t s = 0; s < 400; ++s) {
    Bytes f = encode(make_frame(s, 8, 8));
    switch (rng() % 10) {
      case 0: f.resize(rng() % f.size()); break;                  // truncated
      case 1: f[rng() % f.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8)); break;  // bit flip
      case 2: {                                                    // random bytes in front
        for (int i = 0; i < 20; ++i) stream.push_back(static_cast<std::uint8_t>(rng()));
        intact.push_back(s);
        break;
      }
      default: intact.push_back(s);
    }
    stream.insert(stream.end(), f.begin(), f.end());
  }
  auto c = decode_in_chunks(stream, 97);
  std::vector<std::uint32_t> got;
  for (auto& f : c.frames) got.push_back(f.device_seq);
  // Bit flips that happen to keep a valid frame are vanishingly rare with two CRCs; every
  // intact frame must be present.
  for (auto s : intact) EXPECT_NE(std::find(got.begin(), got.end(), s), got.end()) << s;
  EXPECT_LE(got.size(), 400u);
}

}  // namespace
}  // namespace plinth
