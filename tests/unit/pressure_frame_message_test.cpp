// encode_pressure_frame writes PressureFrame's wire form by hand (one copy of the frame instead
// of three): it must give exactly the bytes protobuf's generated code gives for the same message.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "daemon/messages.hpp"
#include "plinth/proto/plinth.pb.h"

namespace plinth {
namespace {

struct Case {
  std::uint16_t rows, cols;
  float pitch_cm;
  std::uint32_t gap_before;
  bool suspect;
  std::uint32_t saturated;
  std::string session, device, station;
  std::uint64_t seq, device_seq, device_time_us;
  std::int64_t host_ns, timeline_ns;
};

std::string generated(const Case& c, const MatFrame& frame, const std::vector<float>& pressure) {
  v1::PressureFrame m;
  v1::Header& h = *m.mutable_header();
  h.set_session_id(c.session);
  h.set_seq(c.seq);
  h.set_host_time_ns(c.host_ns);
  h.set_device_id(c.device);
  h.set_device_seq(c.device_seq);
  h.set_device_time_us(c.device_time_us);
  h.set_station(c.station);
  h.set_timeline_ns(c.timeline_ns != 0 ? c.timeline_ns : c.host_ns);
  m.set_rows(frame.rows);
  m.set_cols(frame.cols);
  m.set_raw(std::string(reinterpret_cast<const char*>(frame.raw.data()), frame.raw.size() * 2));
  for (const float p : pressure) m.add_pressure_mmhg(p);
  m.set_pitch_cm(c.pitch_cm);
  m.set_gap_before(c.gap_before);
  m.set_suspect(c.suspect);
  m.set_saturated_count(c.saturated);
  return m.SerializeAsString();
}

TEST(PressureFrameMessage, HandWrittenWireFormIsTheGeneratedCodesByteForByte) {
  const std::vector<Case> cases = {
      {64, 64, 2.54f, 0, false, 0, "20261206T120000Z-a11c", "mat0", "room-1", 0, 0, 0, 1'765'000'000'000'000'000, 0},
      {64, 32, 1.27f, 300, true, 17, "s", "a-long-device-name", "", 123456789, 4'000'000'000u, 99, -5, 7},
      {1, 1, 0.0f, 1, false, 1, "", "", "", 1, 1, 1, 1, 1},        // pitch 0: left out
      {0, 0, -0.0f, 0, false, 0, "", "", "", 0, 0, 0, 0, 0},       // -0.0 is written; no raw, no pressures
      {255, 255, std::numeric_limits<float>::quiet_NaN(), 0x7fffffff, true, 0xffffffff, "x", "y", "z",
       std::numeric_limits<std::uint64_t>::max(), 1, 2, std::numeric_limits<std::int64_t>::min(), 3},
  };
  std::string encoded;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    MatFrame frame;
    frame.rows = c.rows;
    frame.cols = c.cols;
    frame.raw.resize(static_cast<std::size_t>(c.rows) * c.cols);
    std::vector<float> pressure(frame.raw.size());
    for (std::size_t i = 0; i < frame.raw.size(); ++i) {
      frame.raw[i] = static_cast<std::uint16_t>((i * 2654435761u) >> 16);
      pressure[i] = i % 7 == 0 ? 0.0f : 0.05f * static_cast<float>(frame.raw[i]) - 3.0f;
    }
    const MessageHeader h{.session_id = c.session, .seq = c.seq, .host_time_ns = c.host_ns, .device_id = c.device,
                          .device_seq = c.device_seq, .device_time_us = c.device_time_us, .station = c.station,
                          .timeline_ns = c.timeline_ns};
    encode_pressure_frame(h, frame, pressure, c.pitch_cm, c.gap_before, c.suspect, c.saturated, encoded);
    EXPECT_EQ(encoded, generated(c, frame, pressure)) << "case " << k;
    v1::PressureFrame back;
    ASSERT_TRUE(back.ParseFromString(encoded)) << "case " << k;
    EXPECT_EQ(back.pressure_mmhg_size(), static_cast<int>(pressure.size()));
    EXPECT_EQ(back.raw().size(), frame.raw.size() * 2);
  }
}

}  // namespace
}  // namespace plinth
