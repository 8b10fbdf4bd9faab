// ANT USB stick framing, ANT+ HRM pages and the channel set-up (schemas/heart-protocols.md §3).
#include <gtest/gtest.h>

#include <random>

#include "drivers/ant_plus.hpp"

namespace plinth {
namespace {

using namespace ant;
using Bytes = std::vector<std::uint8_t>;

Bytes message(std::uint8_t id, const Bytes& payload) {
  Bytes out;
  encode_message(id, payload, out);
  return out;
}

// A data page as the strap sends it.
std::array<std::uint8_t, 8> page(std::uint8_t number, bool toggle, std::uint16_t previous, std::uint16_t time,
                                 std::uint8_t count, std::uint8_t hr = 60) {
  return {static_cast<std::uint8_t>(number | (toggle ? 0x80 : 0)), 0xFF, static_cast<std::uint8_t>(previous),
          static_cast<std::uint8_t>(previous >> 8), static_cast<std::uint8_t>(time), static_cast<std::uint8_t>(time >> 8),
          count, hr};
}

Bytes broadcast(const std::array<std::uint8_t, 8>& p, std::uint8_t channel = 0) {
  Bytes out;
  encode_broadcast(channel, p, out);
  return out;
}

struct Collected {
  std::vector<HeartSample> samples;
  std::vector<std::pair<std::uint8_t, Bytes>> controls;
};

Collected decode(const Bytes& bytes, StreamDecoder& d, std::size_t chunk = 1 << 20) {
  Collected c;
  auto sink = [&](StepOutcome o, const DecodedOutput& out) {
    if (o == StepOutcome::heart_sample)
      c.samples.insert(c.samples.end(), out.heart_samples.begin(), out.heart_samples.end());
    if (o == StepOutcome::control) c.controls.emplace_back(out.control_code, out.control_payload);
  };
  for (std::size_t i = 0; i < bytes.size(); i += chunk)
    d.feed({bytes.data() + i, std::min(chunk, bytes.size() - i)}, sink);
  return c;
}

StreamDecoder make_decoder() { return StreamDecoder(ant_hrm_driver.make_step({})); }

// Tracker tests feed pages straight in.
struct Fed {
  std::vector<HeartSample> samples;
};
Fed feed(HrmPageTracker& t, const std::vector<std::array<std::uint8_t, 8>>& pages) {
  Fed f;
  for (const auto& p : pages) {
    HeartSample s;
    if (t.on_page(p, s)) f.samples.push_back(s);
  }
  return f;
}

TEST(AntFraming, ChecksumIsXorOfAllBytesFromSync) {
  EXPECT_EQ(message(msg::kResetSystem, {0x00}), (Bytes{0xA4, 0x01, 0x4A, 0x00, 0xEF}));
  EXPECT_EQ(message(msg::kOpenChannel, {0x00}), (Bytes{0xA4, 0x01, 0x4B, 0x00, 0xEE}));
}

TEST(AntFraming, ResyncsAfterGarbageBadChecksumAndBadLength) {
  Bytes bytes = {0x00, 0x13, 0xA4};                      // garbage ending in a false sync
  bytes.push_back(0xFF);                                 // ...whose "length" is impossible
  Bytes bad = broadcast(page(4, false, 0, 1024, 1));
  bad.back() ^= 0x55;                                    // checksum error
  bytes.insert(bytes.end(), bad.begin(), bad.end());
  Bytes good1 = broadcast(page(4, false, 0, 1024, 1));
  Bytes good2 = broadcast(page(4, false, 1024, 2048, 2));
  bytes.insert(bytes.end(), good1.begin(), good1.end());
  bytes.insert(bytes.end(), {0xA4, 0x09});              // truncated message start inside junk
  bytes.insert(bytes.end(), good2.begin(), good2.end());
  for (std::size_t chunk : {1u, 3u, 7u, 1000u}) {
    SCOPED_TRACE(chunk);
    auto d = make_decoder();
    auto c = decode(bytes, d, chunk);
    ASSERT_EQ(c.samples.size(), 1u);
    EXPECT_EQ(c.samples[0].rr_1024, 1024);
    EXPECT_GE(d.counters().crc_errors, 1u);
    EXPECT_GE(d.counters().framing_errors, 1u);
    EXPECT_GE(d.counters().garbage_bytes, 2u);
  }
}

TEST(AntFraming, BeatsSurviveRandomGarbageBetweenMessages) {
  std::mt19937 rng(5);
  Bytes bytes;
  const int beats = 300;
  for (int i = 1; i <= beats; ++i) {
    const Bytes m = broadcast(page(4, (i / 4) % 2, static_cast<std::uint16_t>((i - 1) * 1000),
                                   static_cast<std::uint16_t>(i * 1000), static_cast<std::uint8_t>(i)));
    bytes.insert(bytes.end(), m.begin(), m.end());
    const int junk = static_cast<int>(rng() % 20);
    for (int j = 0; j < junk; ++j) bytes.push_back(j % 5 == 0 ? kSync : static_cast<std::uint8_t>(rng()));
  }
  auto d = make_decoder();
  auto c = decode(bytes, d, 17);
  // Garbage can by chance frame a message that swallows a real one; almost all survive,
  // and page 4 keeps every reported interval exact across the lost ones.
  EXPECT_GT(c.samples.size(), beats * 9u / 10);
  for (const auto& s : c.samples) EXPECT_EQ(s.rr_1024, 1000);
  EXPECT_GT(d.counters().resyncs, 100u);
}

TEST(AntFraming, ShortBroadcastIsAFramingError) {
  auto d = make_decoder();
  auto c = decode(message(msg::kBroadcastData, {0, 1, 2, 3}), d);
  EXPECT_TRUE(c.samples.empty());
  EXPECT_EQ(d.counters().framing_errors, 1u);
}

TEST(AntHrmPages, RrFromSuccessiveBeatsRepeatsSkipped) {
  HrmPageTracker t;
  auto f = feed(t, {page(4, false, 0, 1000, 10), page(4, false, 0, 1000, 10), page(4, false, 0, 1000, 10),
                    page(4, false, 1000, 2000, 11, 61), page(4, true, 1000, 2000, 11), page(4, true, 2000, 2900, 12)});
  ASSERT_EQ(f.samples.size(), 2u);
  EXPECT_EQ(f.samples[0].rr_1024, 1000);
  EXPECT_EQ(f.samples[0].hr_bpm, std::optional<std::uint16_t>(61));
  EXPECT_EQ(f.samples[0].missing_beats, 0u);
  EXPECT_EQ(f.samples[0].sensor_time_1024, std::optional<std::uint64_t>(2000));
  EXPECT_EQ(f.samples[1].rr_1024, 900);
  EXPECT_EQ(f.samples[1].sensor_time_1024, std::optional<std::uint64_t>(2900));
  EXPECT_EQ(t.repeats(), 3u);
}

TEST(AntHrmPages, SixteenBitTimeAndEightBitCountRollOver) {
  HrmPageTracker t;
  auto f = feed(t, {page(4, false, 0, 64000, 254), page(4, false, 64000, 65000, 255),
                    page(4, false, 65000, 464, 0), page(4, false, 464, 1464, 1)});
  ASSERT_EQ(f.samples.size(), 3u);
  EXPECT_EQ(f.samples[0].rr_1024, 1000);
  EXPECT_EQ(f.samples[1].rr_1024, 1000);  // 65000 -> 65536+464
  EXPECT_EQ(f.samples[2].rr_1024, 1000);
  // The sensor time keeps counting past 16 bits.
  EXPECT_EQ(f.samples[2].sensor_time_1024, std::optional<std::uint64_t>(65536 + 1464));
}

TEST(AntHrmPages, MissedBeatsWithoutPage4AreCountedNotInvented) {
  HrmPageTracker t;
  // Legacy strap: page 0, toggle never moves, bytes 1-3 meaningless.
  auto f = feed(t, {page(0, false, 0xFFFF, 1000, 1), page(0, false, 0xFFFF, 2000, 2),
                    page(0, false, 0xFFFF, 5100, 5),   // beats 3, 4 lost; 5's interval unknown
                    page(0, false, 0xFFFF, 6100, 6)});
  ASSERT_EQ(f.samples.size(), 2u);
  EXPECT_EQ(f.samples[0].rr_1024, 1000);
  EXPECT_EQ(f.samples[0].missing_beats, 0u);
  EXPECT_EQ(f.samples[1].rr_1024, 1000);
  EXPECT_EQ(f.samples[1].missing_beats, 3u);  // intervals of beats 3, 4 and 5
  EXPECT_EQ(f.samples[1].sensor_time_1024, std::optional<std::uint64_t>(6100));
}

TEST(AntHrmPages, Page4GivesTheLastBeatsIntervalAfterAGap) {
  HrmPageTracker t;
  auto f = feed(t, {page(4, false, 0, 1000, 1), page(4, true, 1000, 2000, 2),
                    page(4, false, 4000, 5100, 5),  // beats 3, 4 lost; 5 came 1100 after 4
                    page(4, true, 5100, 6000, 6)});
  ASSERT_EQ(f.samples.size(), 3u);
  EXPECT_EQ(f.samples[1].rr_1024, 1100);
  EXPECT_EQ(f.samples[1].missing_beats, 2u);
  EXPECT_EQ(f.samples[1].sensor_time_1024, std::optional<std::uint64_t>(5100));
  EXPECT_EQ(f.samples[2].rr_1024, 900);
  EXPECT_EQ(f.samples[2].missing_beats, 0u);
}

TEST(AntHrmPages, Page4IgnoredUntilTheToggleBitMoved) {
  HrmPageTracker t;
  // Byte 0 says "page 4" but the toggle never moved: a legacy strap, bytes 2-3 are junk.
  auto f = feed(t, {page(4, false, 0, 1000, 1), page(4, false, 4000, 5100, 5), page(4, false, 5100, 6000, 6)});
  ASSERT_EQ(f.samples.size(), 1u);
  EXPECT_EQ(f.samples[0].rr_1024, 900);
  EXPECT_EQ(f.samples[0].missing_beats, 4u);
}

TEST(AntHrmPages, ImpossibleIntervalsAreAnomaliesNotBeats) {
  HrmPageTracker t;
  auto f = feed(t, {page(4, false, 0, 1000, 1), page(4, false, 0, 1100, 3),  // 2 beats in 98 ms
                    page(4, false, 0, 2100, 4), page(4, false, 0, 3000, 4)}); // same count, new time
  ASSERT_EQ(f.samples.size(), 1u);
  EXPECT_EQ(f.samples[0].rr_1024, 1000);
  EXPECT_EQ(t.anomalies(), 2u);
}

TEST(AntHrmStep, ChannelClosedStartsAfreshGoToSearchDoesNot) {
  auto d = make_decoder();
  Bytes bytes;
  for (const auto& m : {broadcast(page(4, false, 0, 1000, 1)), broadcast(page(4, false, 0, 2000, 2)),
                        message(msg::kChannelEvent, {0, kEventMarker, kEventRxFailGoToSearch}),
                        broadcast(page(4, false, 0, 4000, 4)),  // beat 3 lost during the search
                        broadcast(page(4, false, 0, 5000, 5)),
                        message(msg::kChannelEvent, {0, kEventMarker, kEventChannelClosed}),
                        broadcast(page(4, false, 0, 9000, 9)), broadcast(page(4, false, 0, 10000, 10))})
    bytes.insert(bytes.end(), m.begin(), m.end());
  auto c = decode(bytes, d);
  ASSERT_EQ(c.samples.size(), 3u);
  EXPECT_EQ(c.samples[0].rr_1024, 1000);
  EXPECT_EQ(c.samples[1].rr_1024, 1000);
  EXPECT_EQ(c.samples[1].missing_beats, 2u);  // intervals of beats 3 and 4
  EXPECT_EQ(c.samples[2].rr_1024, 1000);
  EXPECT_EQ(c.samples[2].missing_beats, 0u);  // after a close nothing is known about the gap
  ASSERT_GE(c.controls.size(), 2u);
  EXPECT_EQ(c.controls[1].first, msg::kChannelEvent);
  EXPECT_EQ(c.controls[1].second, (Bytes{0, kEventMarker, kEventRxFailGoToSearch}));
}

TEST(AntHrmStep, OtherChannelsIgnored) {
  auto d = make_decoder();
  Bytes bytes = broadcast(page(4, false, 0, 1000, 1), 3);
  Bytes more = broadcast(page(4, false, 0, 2000, 2), 3);
  bytes.insert(bytes.end(), more.begin(), more.end());
  EXPECT_TRUE(decode(bytes, d).samples.empty());
}

TEST(AntNetworkKey, ParsedOrClearlyRejected) {
  std::string error;
  auto key = parse_network_key("01 23 45 67 89:ab-CD,ef", &error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ((*key)[0], 0x01);
  EXPECT_EQ((*key)[7], 0xEF);
  EXPECT_FALSE(parse_network_key("", &error));
  EXPECT_NE(error.find("ant_network_key is not set"), std::string::npos);
  EXPECT_FALSE(parse_network_key("0123", &error));
  EXPECT_NE(error.find("need 16"), std::string::npos);
  EXPECT_FALSE(parse_network_key("0123456789abcdefaa", &error));
  EXPECT_FALSE(parse_network_key("0123456789abcdeg", &error));
  EXPECT_NE(error.find("'g'"), std::string::npos);
}

HrmChannelConfig test_config() {
  HrmChannelConfig c;
  c.network_key = {1, 2, 3, 4, 5, 6, 7, 8};
  c.device_number = 0x1234;
  return c;
}

Bytes ok(std::uint8_t id, std::uint8_t addressee = 0) { return {addressee, id, kResponseNoError}; }

TEST(AntSetup, SendsTheHrmChannelSequenceCheckingEachAnswer) {
  HrmChannelSetup s(test_config());
  EXPECT_EQ(s.start(), message(msg::kResetSystem, {0}));
  // A response to something else does not advance.
  EXPECT_TRUE(s.on_message(msg::kChannelEvent, ok(msg::kOpenChannel)).empty());
  EXPECT_EQ(s.on_message(msg::kStartup, Bytes{0x20}), message(msg::kSetNetworkKey, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(s.on_message(msg::kChannelEvent, ok(msg::kSetNetworkKey)), message(msg::kAssignChannel, {0, 0x00, 0}));
  EXPECT_EQ(s.on_message(msg::kChannelEvent, ok(msg::kAssignChannel)), message(msg::kChannelId, {0, 0x34, 0x12, 120, 0}));
  EXPECT_EQ(s.on_message(msg::kChannelEvent, ok(msg::kChannelId)), message(msg::kChannelPeriod, {0, 0x86, 0x1F}));
  // A channel event (not a response) in between is ignored.
  EXPECT_TRUE(s.on_message(msg::kChannelEvent, Bytes{0, kEventMarker, kEventRxFail}).empty());
  EXPECT_EQ(s.on_message(msg::kChannelEvent, ok(msg::kChannelPeriod)), message(msg::kRfFrequency, {0, 57}));
  EXPECT_EQ(s.on_message(msg::kChannelEvent, ok(msg::kRfFrequency)), message(msg::kOpenChannel, {0}));
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::in_progress);
  EXPECT_TRUE(s.on_message(msg::kChannelEvent, ok(msg::kOpenChannel)).empty());
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::ready);
  // The stick closes the channel after a search timeout: the session re-opens it.
  EXPECT_EQ(s.on_message(msg::kChannelEvent, Bytes{0, kEventMarker, kEventChannelClosed}), message(msg::kOpenChannel, {0}));
  EXPECT_TRUE(s.on_message(msg::kChannelEvent, ok(msg::kOpenChannel)).empty());
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::ready);
  // The stick reset itself: its configuration is gone, so the set-up runs again.
  EXPECT_EQ(s.on_message(msg::kStartup, Bytes{0x01}), message(msg::kSetNetworkKey, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::in_progress);
}

TEST(AntSetup, RejectedStepFailsWithItsNameAndCode) {
  HrmChannelSetup s(test_config());
  s.start();
  s.on_message(msg::kStartup, Bytes{0x20});
  s.on_message(msg::kChannelEvent, ok(msg::kSetNetworkKey));
  EXPECT_TRUE(s.on_message(msg::kChannelEvent, Bytes{0, msg::kAssignChannel, kChannelInWrongState}).empty());
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::failed);
  EXPECT_NE(s.error().find("assign channel"), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("0x15 CHANNEL_IN_WRONG_STATE"), std::string::npos) << s.error();
  EXPECT_TRUE(s.on_message(msg::kChannelEvent, ok(msg::kAssignChannel)).empty());
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::failed);
}

TEST(AntSetup, TimeoutsRetryThenFail) {
  HrmChannelSetup s(test_config());
  s.start();
  // No startup message: after the reset's wait the set-up goes on.
  const Bytes key = message(msg::kSetNetworkKey, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(s.on_timeout(), key);
  EXPECT_EQ(s.on_timeout(), key);
  EXPECT_EQ(s.on_timeout(), key);
  EXPECT_TRUE(s.on_timeout().empty());
  EXPECT_EQ(s.status(), HrmChannelSetup::Status::failed);
  EXPECT_NE(s.error().find("did not answer 'set network key'"), std::string::npos) << s.error();
}

TEST(AntHostSession, MissingKeyIsAClearConfigurationError) {
  auto session = ant_hrm_driver.make_host_session(DriverOptions{});
  ASSERT_TRUE(session);
  EXPECT_EQ(session->status(), HostSession::Status::failed);
  EXPECT_TRUE(session->start().empty());
  EXPECT_NE(session->error().find("ant_network_key"), std::string::npos);
}

// The host session, the decoder and the simulated stick talk to each other.
struct Loop {
  std::unique_ptr<HostSession> session;
  std::unique_ptr<SimEncoder> stick;
  StreamDecoder host{ant_hrm_driver.make_step({})};
  std::vector<HeartSample> samples;

  explicit Loop(const DriverOptions& o) : session(ant_hrm_driver.make_host_session(o)), stick(ant_hrm_driver.make_sim(o, {})) {}
  void host_reads(const Bytes& device_bytes) {
    Bytes to_device;
    host.feed(device_bytes, [&](StepOutcome out, const DecodedOutput& d) {
      if (out == StepOutcome::heart_sample) samples.insert(samples.end(), d.heart_samples.begin(), d.heart_samples.end());
      if (out == StepOutcome::control) {
        auto w = session->on_control(d);
        to_device.insert(to_device.end(), w.begin(), w.end());
      }
    });
    if (!to_device.empty()) device_reads(to_device);
  }
  void device_reads(const Bytes& host_bytes) {
    Bytes answer;
    stick->on_host_bytes(host_bytes, answer);
    if (!answer.empty()) host_reads(answer);
  }
};

TEST(AntSim, SetUpThenBeatsRoundTripWithMissedBeats) {
  DriverOptions o;
  o.values["ant_network_key"] = "0011223344556677";
  Loop loop(o);
  EXPECT_FALSE(loop.stick->streaming());
  loop.device_reads(loop.session->start());
  ASSERT_EQ(loop.session->status(), HostSession::Status::ready) << loop.session->error();
  EXPECT_TRUE(loop.stick->streaming());

  std::vector<std::uint16_t> sent;
  Bytes wire;
  std::uint64_t t = 0;
  for (int i = 0; i < 200; ++i) {  // > 64 s of beats: the time field wraps
    HeartSample s;
    s.rr_1024 = static_cast<std::uint16_t>(800 + (i * 37) % 400);
    s.missing_beats = (i == 50) ? 2 : 0;
    t += s.rr_1024 * (s.missing_beats + 1u);  // the missed beats took time too
    s.sensor_time_1024 = t;
    sent.push_back(s.rr_1024);
    loop.stick->encode_heart(s, wire);
  }
  loop.host_reads(wire);
  ASSERT_EQ(loop.samples.size(), sent.size() - 1);  // the first page is only a baseline
  std::uint32_t missing = 0;
  for (std::size_t i = 0; i < loop.samples.size(); ++i) {
    EXPECT_EQ(loop.samples[i].rr_1024, sent[i + 1]) << i;
    missing += loop.samples[i].missing_beats;
  }
  EXPECT_EQ(loop.samples[49].missing_beats, 2u);
  EXPECT_EQ(missing, 2u);
  EXPECT_EQ(loop.samples.back().sensor_time_1024, std::optional<std::uint64_t>(t));
  EXPECT_GT(loop.host.counters().bytes, 200u * 13u);  // ~4 pages per beat, most of them repeats
}

TEST(AntSim, StickRefusesOpenBeforeAssign) {
  auto stick = ant_hrm_driver.make_sim({}, {});
  Bytes answer;
  stick->on_host_bytes(message(msg::kOpenChannel, {0}), answer);
  EXPECT_EQ(answer, message(msg::kChannelEvent, {0, msg::kOpenChannel, kChannelInWrongState}));
  EXPECT_FALSE(stick->streaming());
}

}  // namespace
}  // namespace plinth
