// Heart Rate Measurement 0x2A37 payloads (schemas/heart-protocols.md section 1).
#include <gtest/gtest.h>

#include <cmath>

#include "drivers/ble_heart_rate.hpp"

namespace plinth {
namespace {

using Bytes = std::vector<std::uint8_t>;

double ms(std::uint16_t rr_1024) { return rr_1024 * 1000.0 / 1024.0; }

std::optional<HeartRateMeasurement> parse(const Bytes& b, std::string* error = nullptr) {
  return parse_heart_rate_measurement(b, error);
}

TEST(HeartRateMeasurement, VectorContactDetectedOneRr) {
  auto m = parse({0x16, 0x48, 0x00, 0x04});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hr_bpm, 72);
  ASSERT_TRUE(m->contact.has_value());
  EXPECT_TRUE(*m->contact);
  EXPECT_FALSE(m->energy_kj);
  ASSERT_EQ(m->rr_1024.size(), 1u);
  EXPECT_DOUBLE_EQ(ms(m->rr_1024[0]), 1000.0);
}

TEST(HeartRateMeasurement, VectorRateOnly) {
  auto m = parse({0x06, 0x48});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hr_bpm, 72);
  EXPECT_EQ(m->contact, std::optional<bool>(true));
  EXPECT_TRUE(m->rr_1024.empty());
}

TEST(HeartRateMeasurement, VectorThreeRrOldestFirst) {
  auto m = parse({0x10, 0x3C, 0x00, 0x04, 0x33, 0x03, 0xCD, 0x04});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hr_bpm, 60);
  EXPECT_FALSE(m->contact.has_value());
  ASSERT_EQ(m->rr_1024.size(), 3u);
  EXPECT_NEAR(ms(m->rr_1024[0]), 1000.0, 0.05);
  EXPECT_NEAR(ms(m->rr_1024[1]), 799.8, 0.05);
  EXPECT_NEAR(ms(m->rr_1024[2]), 1200.2, 0.05);
}

TEST(HeartRateMeasurement, VectorRate16EnergyRr) {
  auto m = parse({0x19, 0x2C, 0x01, 0x10, 0x00, 0x9A, 0x03});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hr_bpm, 300);
  EXPECT_EQ(m->energy_kj, std::optional<std::uint16_t>(16));
  ASSERT_EQ(m->rr_1024.size(), 1u);
  EXPECT_NEAR(ms(m->rr_1024[0]), 900.4, 0.05);
}

// All 32 combinations of the five defined flag bits, built by hand (not by the encoder).
TEST(HeartRateMeasurement, EveryFlagCombination) {
  for (int flags = 0; flags < 32; ++flags) {
    SCOPED_TRACE(flags);
    // Room for the longest payload (flags, 16-bit rate, energy, two intervals) up front: the
    // appends below then never reallocate, which also keeps GCC 12 at -O3 from a false
    // -Wstringop-overflow on vector::insert's reallocation path (GCC bugs 106199, 100366).
    Bytes b;
    b.reserve(9);
    b.push_back(static_cast<std::uint8_t>(flags));
    const bool rate16 = flags & 0x01;
    if (rate16) b.insert(b.end(), {0x2C, 0x01});
    else b.push_back(0x41);
    if (flags & 0x08) b.insert(b.end(), {0x34, 0x12});
    if (flags & 0x10) b.insert(b.end(), {0x00, 0x04, 0x01, 0x03});
    std::string error;
    auto m = parse(b, &error);
    ASSERT_TRUE(m) << error;
    EXPECT_EQ(m->hr_bpm, rate16 ? 300 : 0x41);
    if (flags & 0x04) EXPECT_EQ(m->contact, std::optional<bool>((flags & 0x02) != 0));
    else EXPECT_FALSE(m->contact.has_value());
    if (flags & 0x08) EXPECT_EQ(m->energy_kj, std::optional<std::uint16_t>(0x1234));
    else EXPECT_FALSE(m->energy_kj.has_value());
    if (flags & 0x10) EXPECT_EQ(m->rr_1024, (std::vector<std::uint16_t>{1024, 769}));
    else EXPECT_TRUE(m->rr_1024.empty());

    // The encoder reproduces the payload except bit 1 when contact is unsupported: a strap
    // may set "detected" without "supported", which carries no information.
    Bytes expected = b;
    if (!(flags & 0x04)) expected[0] &= static_cast<std::uint8_t>(~0x02);
    EXPECT_EQ(encode_heart_rate_measurement(*m, rate16), expected);
  }
}

TEST(HeartRateMeasurement, ReservedFlagBitsIgnored) {
  auto m = parse({0xE6, 0x48});
  ASSERT_TRUE(m);
  EXPECT_EQ(m->hr_bpm, 72);
  EXPECT_TRUE(m->rr_1024.empty());
}

TEST(HeartRateMeasurement, MalformedPayloadsRejectedWithReason) {
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {{}, "empty"},
      {{0x00}, "no rate byte"},
      {{0x01, 0x48}, "16-bit rate"},
      {{0x01}, "16-bit rate"},
      {{0x10, 0x48}, "no RR bytes"},
      {{0x18, 0x48, 0x10, 0x00}, "no RR bytes"},
      {{0x10, 0x48, 0x00, 0x04, 0x33}, "odd trailing byte"},
      {{0x10, 0x48, 0x00}, "odd trailing byte"},
      {{0x08, 0x48, 0x10}, "energy"},
      {{0x08, 0x48}, "energy"},
      {{0x06, 0x48, 0x00}, "RR flag clear"},
  };
  for (const auto& [bytes, why] : cases) {
    std::string error;
    EXPECT_FALSE(parse(bytes, &error)) << why;
    EXPECT_NE(error.find(why), std::string::npos) << error;
    EXPECT_FALSE(parse(bytes)) << "no error pointer must also be safe";
  }
}

TEST(HeartRateMeasurement, AppendsOneSamplePerRrWithRateAndContact) {
  auto m = parse({0x16, 0x48, 0x00, 0x04, 0x33, 0x03});
  ASSERT_TRUE(m);
  std::vector<HeartSample> out;
  append_heart_samples(*m, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].rr_1024, 1024);
  EXPECT_EQ(out[1].rr_1024, 819);
  EXPECT_EQ(out[1].hr_bpm, std::optional<std::uint16_t>(72));
  EXPECT_EQ(out[1].contact, std::optional<bool>(true));
  EXPECT_EQ(out[1].missing_beats, 0u);
  EXPECT_FALSE(out[1].sensor_time_1024);
  out.clear();
  append_heart_samples(*parse({0x06, 0x48}), out);
  EXPECT_TRUE(out.empty());
}

TEST(HeartRateMeasurement, EncoderPicksRateWidth) {
  HeartRateMeasurement m;
  m.hr_bpm = 256;
  m.rr_1024 = {1000};
  EXPECT_EQ(encode_heart_rate_measurement(m), (Bytes{0x11, 0x00, 0x01, 0xE8, 0x03}));
  m.hr_bpm = 255;
  EXPECT_EQ(encode_heart_rate_measurement(m), (Bytes{0x10, 0xFF, 0xE8, 0x03}));
}

}  // namespace
}  // namespace plinth
