// rr-line text protocol (schemas/heart-protocols.md section 2).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "drivers/rr_line.hpp"

namespace plinth {
namespace {

struct Collected {
  std::vector<HeartSample> samples;
  std::vector<std::uint8_t> controls;
};

Collected decode(const std::string& text, std::size_t chunk, StreamDecoder* keep = nullptr) {
  StreamDecoder local(rr_line_driver.make_step({}));
  StreamDecoder& d = keep ? *keep : local;
  Collected c;
  auto sink = [&](StepOutcome o, const DecodedOutput& out) {
    if (o == StepOutcome::heart_sample)
      c.samples.insert(c.samples.end(), out.heart_samples.begin(), out.heart_samples.end());
    if (o == StepOutcome::control) c.controls.push_back(out.control_code);
  };
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  for (std::size_t i = 0; i < text.size(); i += chunk) d.feed({bytes + i, std::min(chunk, text.size() - i)}, sink);
  return c;
}

std::vector<std::uint16_t> rrs(const Collected& c) {
  std::vector<std::uint16_t> v;
  for (const auto& s : c.samples) v.push_back(s.rr_1024);
  return v;
}

TEST(RrLine, RrLinesWithAnyLineEnding) {
  for (const char* eol : {"\n", "\r\n", "\r", "\n\r"}) {
    SCOPED_TRACE(testing::PrintToString(std::string(eol)));
    const std::string text = std::string("RR 1024") + eol + "RR 819" + eol + "RR 1229" + eol;
    for (std::size_t chunk : {1u, 2u, 5u, 1000u}) {
      auto c = decode(text, chunk);
      EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1024, 819, 1229})) << chunk;
      EXPECT_FALSE(c.samples[0].hr_bpm);
      EXPECT_FALSE(c.samples[0].sensor_time_1024);
    }
  }
}

TEST(RrLine, TolerantSpellings) {
  auto c = decode("rr:1000\n  RR\t=  900  \nRr,800\n", 1000);
  EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1000, 900, 800}));
}

TEST(RrLine, HrmLineCarriesPayloadFields) {
  auto c = decode("HRM 103C000433 03CD04\nHRM 103C00043303CD04\nhrm 16480004\r\n", 3);
  // The first has a space inside the hex: junk. The second gives three RR, the third one.
  EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1024, 819, 1229, 1024}));
  EXPECT_EQ(c.samples[0].hr_bpm, std::optional<std::uint16_t>(60));
  EXPECT_FALSE(c.samples[0].contact.has_value());
  EXPECT_EQ(c.samples[3].hr_bpm, std::optional<std::uint16_t>(72));
  EXPECT_EQ(c.samples[3].contact, std::optional<bool>(true));
}

TEST(RrLine, RateOnlyCommentAndBlankAreControls) {
  auto c = decode("# bridge v2 booting\n\nHRM 0648\n", 1000);
  EXPECT_TRUE(c.samples.empty());
  EXPECT_EQ(c.controls, (std::vector<std::uint8_t>{'#', 'H'}));
}

TEST(RrLine, JunkLinesSkippedAndCounted) {
  StreamDecoder d(rr_line_driver.make_step({}));
  const std::string text =
      "RR 1000\n"
      "RR\n"              // no value
      "RR 0\n"            // zero interval
      "RR 65536\n"        // out of range
      "RR 12x\n"          // not a number
      "RR -5\n"           // negative
      "RR 100 200\n"      // two values
      "HRM 1048\n"        // RR flag, no RR bytes
      "HRM 16480\n"       // odd hex digits
      "HRM 16480004ZZ\n"  // not hex
      "HR 72\n"           // unknown keyword
      "\x01\xff\xfe garbage\n"
      "RR 900\n";
  auto c = decode(text, 7, &d);
  EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1000, 900}));
  EXPECT_EQ(d.counters().framing_errors, 11u);
  EXPECT_EQ(d.counters().resyncs, 1u);
  EXPECT_EQ(d.counters().frames, 2u);
}

TEST(RrLine, OverlongLineSkippedWholeEvenWhenItsTailLooksValid) {
  const std::string overlong = std::string(rr_line::kMaxLineLength + 40, 'x') + " RR 777";
  for (std::size_t chunk : {1u, 13u, 100u, 100000u}) {
    StreamDecoder d(rr_line_driver.make_step({}));
    auto c = decode("RR 1000\n" + overlong + "\nRR 900\n", chunk, &d);
    EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1000, 900})) << chunk;
    EXPECT_EQ(d.counters().framing_errors, 1u) << chunk;
  }
  // A line of exactly the maximum length is still read.
  std::string longest = "RR" + std::string(rr_line::kMaxLineLength - 6, ' ') + "1234";
  ASSERT_EQ(longest.size(), rr_line::kMaxLineLength);
  EXPECT_EQ(rrs(decode(longest + "\n", 1)), (std::vector<std::uint16_t>{1234}));
}

TEST(RrLine, LineWithoutTerminatorWaits) {
  StreamDecoder d(rr_line_driver.make_step({}));
  auto c = decode("RR 1000\nRR 9", 1000, &d);
  EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1000}));
  c = decode("00\n", 1000, &d);
  EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{900}));
}

TEST(RrLine, RandomBytesThenValidLines) {
  std::mt19937 rng(11);
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk.push_back(static_cast<char>(rng()));
  StreamDecoder d(rr_line_driver.make_step({}));
  decode(junk, 61, &d);
  auto c = decode("\nRR 1000\nHRM 16480004\n", 3, &d);
  EXPECT_EQ(rrs(c), (std::vector<std::uint16_t>{1000, 1024}));
}

TEST(RrLine, SimEncoderRoundTrips) {
  auto sim = rr_line_driver.make_sim({}, {});
  std::vector<std::uint8_t> wire;
  HeartSample a;
  a.rr_1024 = 1000;
  HeartSample b;
  b.rr_1024 = 1100;
  b.hr_bpm = 56;
  b.contact = false;
  sim->encode_heart(a, wire);
  sim->encode_heart(b, wire);
  auto c = decode(std::string(wire.begin(), wire.end()), 4);
  ASSERT_EQ(rrs(c), (std::vector<std::uint16_t>{1000, 1100}));
  EXPECT_EQ(c.samples[1].hr_bpm, std::optional<std::uint16_t>(56));
  EXPECT_EQ(c.samples[1].contact, std::optional<bool>(false));
  EXPECT_EQ(c.controls, (std::vector<std::uint8_t>{'#'}));
  EXPECT_EQ(std::string(wire.begin(), wire.end()).substr(0, 1), "#");
}

TEST(RrLine, EncodersWriteTheGrammar) {
  std::vector<std::uint8_t> out;
  rr_line::encode_rr(1024, out);
  const std::uint8_t payload[] = {0x16, 0x48, 0x00, 0x04};
  rr_line::encode_hrm(payload, out);
  EXPECT_EQ(std::string(out.begin(), out.end()), "RR 1024\r\nHRM 16480004\r\n");
}

}  // namespace
}  // namespace plinth
