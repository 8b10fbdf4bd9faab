// Config errors must name the file, the line and the key.
#include <gtest/gtest.h>

#include <algorithm>

#include "daemon/config/daemon_config.hpp"
#include "drivers/bluez/bluez_heart_strap.hpp"

namespace plinth {
namespace {

const char* kGood = R"(subject = "c-001"
archive_dir = "/tmp/plinth-test"
[network]
data = "tcp://127.0.0.1:17460"
[[mat]]
id = "mat0"
driver = "plinth-mat"
port = "/dev/ttyACM0"
rows = 64
cols = 32
pitch_cm = 2.54
[mat.calibration]
curve = "linear"
unit = "mmHg"
scale = 0.025
)";

ConfigError error_for(const std::string& text) {
  try {
    parse_daemon_config(text, "test.toml");
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return ConfigError("", 0, "", "");
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(DaemonConfig, ParsesAGoodConfig) {
  DaemonConfig c = parse_daemon_config(kGood, "test.toml");
  EXPECT_EQ(c.subject, "c-001");
  EXPECT_EQ(c.data_endpoint, "tcp://127.0.0.1:17460");
  EXPECT_EQ(c.control_endpoint, "tcp://127.0.0.1:7461");
  ASSERT_EQ(c.mats.size(), 1u);
  EXPECT_EQ(c.mats[0].device.id, "mat0");
  EXPECT_EQ(c.mats[0].device.selector.port, "/dev/ttyACM0");
  EXPECT_EQ(c.mats[0].device.selector.baud, 921600u);
  EXPECT_EQ(c.mats[0].device.options.rows, 64);
  EXPECT_EQ(c.mats[0].pressure.geometry.cols, 32);
}

// The "risk" keys were renamed "exposure" (schemas/pressure-metrics.md §Exposure map); the old
// names still work, each with a warning naming file and line, and may not be mixed with the new.
TEST(DaemonConfig, DeprecatedRiskKeysStillWorkWithAWarning) {
  DaemonConfig c = parse_daemon_config(
      replace(kGood, "pitch_cm = 2.54\n", "pitch_cm = 2.54\nrisk_threshold_mmhg = 40\nrisk_max_gap_s = 2\nrisk_publish_interval_s = 3\n"),
      "test.toml");
  EXPECT_DOUBLE_EQ(c.mats[0].pressure.exposure_threshold_mmhg, 40.0);
  EXPECT_DOUBLE_EQ(c.mats[0].pressure.exposure_max_gap_s, 2.0);
  EXPECT_DOUBLE_EQ(c.mats[0].exposure_publish_interval_s, 3.0);
  ASSERT_EQ(c.deprecations.size(), 3u);
  EXPECT_EQ(c.deprecations[0], "test.toml:12: mat[0].risk_threshold_mmhg is deprecated, use exposure_threshold_mmhg");
  EXPECT_NE(c.deprecations[2].find("risk_publish_interval_s is deprecated, use exposure_publish_interval_s"), std::string::npos);
  const auto warnings = startup_warnings(c);
  EXPECT_NE(std::find(warnings.begin(), warnings.end(), c.deprecations[1]), warnings.end());

  c = parse_daemon_config(replace(kGood, "pitch_cm = 2.54\n", "pitch_cm = 2.54\nexposure_threshold_mmhg = 40\n"), "test.toml");
  EXPECT_TRUE(c.deprecations.empty());
  EXPECT_DOUBLE_EQ(c.mats[0].pressure.exposure_threshold_mmhg, 40.0);
  auto e = error_for(replace(kGood, "pitch_cm = 2.54\n", "pitch_cm = 2.54\nexposure_max_gap_s = 2\nrisk_max_gap_s = 2\n"));
  EXPECT_EQ(e.key(), "mat[0].risk_max_gap_s");
}

TEST(DaemonConfig, ArchiveQueueHasARecordAndAByteLimit) {
  DaemonConfig c = parse_daemon_config(kGood, "test.toml");
  EXPECT_EQ(c.archive_queue_frames, 1024u);
  EXPECT_EQ(c.archive_queue_bytes, 4u << 20);
  c = parse_daemon_config(std::string(kGood) + "[archive]\nqueue_frames = 300\nqueue_bytes = 0\n", "test.toml");
  EXPECT_EQ(c.archive_queue_frames, 300u);
  EXPECT_EQ(c.archive_queue_bytes, 0u);
  const ConfigError e = error_for(std::string(kGood) + "[archive]\nqueue_bytes = -1\n");
  EXPECT_NE(std::string(e.what()).find("queue_bytes"), std::string::npos) << e.what();
}

TEST(DaemonConfig, ArchiveCompressionIsDeflateOrLz4) {
  EXPECT_FALSE(parse_daemon_config(kGood, "test.toml").archive_frames_lz4);
  EXPECT_TRUE(parse_daemon_config(std::string(kGood) + "[archive]\ncompression = \"lz4\"\n", "t.toml").archive_frames_lz4);
  EXPECT_FALSE(
      parse_daemon_config(std::string(kGood) + "[archive]\ncompression = \"deflate\"\n", "t.toml").archive_frames_lz4);
  const ConfigError e = error_for(std::string(kGood) + "[archive]\ncompression = \"zstd\"\n");
  EXPECT_NE(std::string(e.what()).find("compression"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("zstd"), std::string::npos) << e.what();
}

TEST(DaemonConfig, PublishQueueHasAMessageAndAByteLimit) {
  // kGood has one 64x32 mat: a frame message is at most 64*32*6 + 256 = 12544 bytes, so the
  // default 16 MiB holds the default 1000 messages.
  DaemonConfig c = parse_daemon_config(kGood, "test.toml");
  EXPECT_EQ(c.publish_high_water_bytes, 16u << 20);
  EXPECT_EQ(effective_publish_high_water_mark(c), 1000);
  c = parse_daemon_config(replace(kGood, "cols = 32", "cols = 64"), "test.toml");
  EXPECT_EQ(effective_publish_high_water_mark(c), (16 << 20) / (64 * 64 * 6 + 256));  // 675
  c = parse_daemon_config(kGood, "test.toml");
  c.publish_high_water_bytes = 1 << 20;
  EXPECT_EQ(effective_publish_high_water_mark(c), (1 << 20) / (64 * 32 * 6 + 256));
  c.publish_high_water_bytes = 1000;
  EXPECT_EQ(effective_publish_high_water_mark(c), 16);  // never fewer than 16
  c.publish_high_water_mark = 5;
  EXPECT_EQ(effective_publish_high_water_mark(c), 5);  // a smaller message limit still holds
  c.publish_high_water_bytes = 0;
  c.publish_high_water_mark = 50;
  EXPECT_EQ(effective_publish_high_water_mark(c), 50);  // 0: the message count alone
  const DaemonConfig parsed = parse_daemon_config(
      replace(kGood, "[network]\n", "[network]\nhigh_water_bytes = 2000000\n"), "test.toml");
  EXPECT_EQ(parsed.publish_high_water_bytes, 2000000u);
}

TEST(DaemonConfig, SyntaxErrorNamesTheLine) {
  auto e = error_for(replace(kGood, "rows = 64", "rows = = 64"));
  EXPECT_EQ(e.file(), "test.toml");
  EXPECT_EQ(e.line(), 9u);
}

TEST(DaemonConfig, UnknownKeysAreErrorsWithTheirLine) {
  auto e = error_for(replace(kGood, "subject", "subjekt"));
  EXPECT_EQ(e.line(), 1u);
  EXPECT_EQ(e.key(), "subjekt");
  auto m = error_for(replace(kGood, "driver = \"plinth-mat\"", "driver = \"plinth-mat\"\nbaudrate = 9600"));
  EXPECT_EQ(m.line(), 8u);
  EXPECT_EQ(m.key(), "mat[0].baudrate");
}

TEST(DaemonConfig, UnknownDriverListsTheKnownOnes) {
  auto e = error_for(replace(kGood, "\"plinth-mat\"", "\"tekscan\""));
  EXPECT_EQ(e.line(), 7u);
  EXPECT_NE(std::string(e.what()).find("plinth-mat"), std::string::npos);
}

TEST(DaemonConfig, WrongTypesAndRanges) {
  EXPECT_EQ(error_for(replace(kGood, "rows = 64", "rows = \"64\"")).key(), "mat[0].rows");
  EXPECT_EQ(error_for(replace(kGood, "port = \"/dev/ttyACM0\"", "port = \"/dev/ttyACM0\"\nbaud = 7")).key(),
            "mat[0].baud");
  EXPECT_EQ(error_for(replace(kGood, "id = \"mat0\"", "id = \"mat 0\"")).key(), "mat[0].id");
}

TEST(DaemonConfig, HeartSpectrumPreset) {
  const std::string heart = std::string(kGood) + "[[heart]]\nid = \"strap\"\ndriver = \"rr-line\"\nport = \"/dev/ttyUSB0\"\n";
  EXPECT_EQ(parse_daemon_config(heart, "test.toml").hearts.at(0).spectrum, "default");
  EXPECT_EQ(parse_daemon_config(heart + "spectrum = \"kubios\"\n", "test.toml").hearts.at(0).spectrum, "kubios");
  const ConfigError e = error_for(heart + "spectrum = \"lomb\"\n");
  EXPECT_EQ(e.key(), "heart[0].spectrum");
  EXPECT_NE(std::string(e.what()).find("kubios"), std::string::npos) << e.what();
}

// A driver's own keys (DriverDescriptor::option_specs) land in its DriverOptions, checked as
// the driver declares them; another driver's keys are accepted and ignored, unknown ones are not.
TEST(DaemonConfig, DriverOptionsAreTheDriversOwnKeys) {
  const std::string ant = std::string(kGood) +
                          "[[heart]]\nid = \"strap\"\ndriver = \"ant-hrm\"\nport = \"/dev/ttyUSB0\"\n"
                          "ant_network_key = \"00 11 22 33 44 55 66 77\"\nant_device_number = 4242\n";
  const DaemonConfig c = parse_daemon_config(ant, "test.toml");
  const DriverOptions& o = c.hearts.at(0).device.options;
  EXPECT_EQ(o.text_or("ant_network_key", ""), "00 11 22 33 44 55 66 77");
  EXPECT_EQ(o.integer_or("ant_device_number", 0), 4242);
  EXPECT_EQ(error_for(replace(ant, "4242", "70000")).key(), "heart[0].ant_device_number");

  const std::string rr = std::string(kGood) +
                         "[[heart]]\nid = \"strap\"\ndriver = \"rr-line\"\nport = \"/dev/ttyUSB0\"\n"
                         "ant_device_number = 7\n";
  EXPECT_TRUE(parse_daemon_config(rr, "test.toml").hearts.at(0).device.options.values.empty());
  EXPECT_EQ(error_for(rr + "ant_channel = 1\n").key(), "heart[0].ant_channel");

  const std::string bluez =
      std::string(kGood) + "[[heart]]\nid = \"strap\"\ndriver = \"bluez\"\ndevice = \"Polar H10\"\n";
  const BluezStrapConfig strap = bluez_strap_config(parse_daemon_config(bluez, "test.toml").hearts.at(0).device.options);
  EXPECT_EQ(strap.device, "Polar H10");
  EXPECT_EQ(strap.adapter, "hci0");
  EXPECT_EQ(error_for(replace(bluez, "device = \"Polar H10\"\n", "")).key(), "heart[0].device");
}

TEST(DaemonConfig, DeviceNeedsAPortOrUsbIds) {
  // USB ids alone are fine; none at all is not.
  EXPECT_NO_THROW(parse_daemon_config(replace(kGood, "port = \"/dev/ttyACM0\"", "usb_vid = 0x1209"), "t.toml"));
  auto f = error_for(replace(kGood, "port = \"/dev/ttyACM0\"\n", ""));
  EXPECT_EQ(f.key(), "mat[0].port");
}

TEST(DaemonConfig, NonLoopbackNeedsExplicitInsecure) {
  auto e = error_for(replace(kGood, "tcp://127.0.0.1:17460", "tcp://0.0.0.0:17460"));
  EXPECT_EQ(e.key(), "network.data");
  EXPECT_EQ(e.line(), 4u);
  EXPECT_NO_THROW(parse_daemon_config(replace(kGood, "tcp://127.0.0.1:17460\"", "tcp://0.0.0.0:17460\"\ninsecure = true"),
                                      "test.toml"));
}

TEST(DaemonConfig, DuplicateIdsAndNoDevices) {
  std::string two = std::string(kGood) + R"([[mat]]
id = "mat0"
driver = "plinth-mat"
port = "/dev/ttyACM1"
rows = 64
cols = 32
pitch_cm = 2.54
[mat.calibration]
curve = "linear"
scale = 0.1
)";
  auto e = error_for(two);
  EXPECT_EQ(e.key(), "mat[1].id");
  EXPECT_EQ(e.line(), 17u);
  auto none = error_for("subject = \"x\"\n");
  EXPECT_EQ(none.key(), "mat");
}

}  // namespace
}  // namespace plinth

namespace plinth {
namespace {

TEST(DaemonConfig, StationDefaultsToTheShortHostNameAndMustBeAName) {
  const DaemonConfig c = parse_daemon_config(kGood, "test.toml");
  EXPECT_EQ(c.station, default_station());
  EXPECT_TRUE(is_valid_name(c.station)) << c.station;
  EXPECT_EQ(c.station.find('.'), std::string::npos);
  EXPECT_EQ(parse_daemon_config(std::string("station = \"room3\"\n") + kGood, "test.toml").station, "room3");
  for (const char* bad : {"\"\"", "\"room 3\"", "\"room/3\""}) {
    const auto e = error_for(std::string("station = ") + bad + "\n" + kGood);
    EXPECT_EQ(e.key(), "station") << bad;
    EXPECT_EQ(e.line(), 1u) << bad;
  }
}

TEST(DaemonConfig, HubLinkIsOptionalAndChecked) {
  EXPECT_FALSE(parse_daemon_config(kGood, "test.toml").hub.enabled());
  const DaemonConfig c = parse_daemon_config(
      std::string(kGood) + "[hub]\ndata = \"tcp://127.0.0.1:7570\"\ncontrol = \"tcp://127.0.0.1:7571\"\n", "test.toml");
  EXPECT_EQ(c.hub.data, "tcp://127.0.0.1:7570");
  EXPECT_EQ(c.hub.control, "tcp://127.0.0.1:7571");
  EXPECT_TRUE(c.hub.server_public_key.empty());

  const auto typo = error_for(std::string(kGood) + "[hub]\ndata = \"tcp://127.0.0.1:7570\"\ncontorl = \"x\"\n");
  EXPECT_EQ(typo.key(), "hub.contorl");
  EXPECT_EQ(typo.line(), 18u);
  EXPECT_EQ(error_for(std::string(kGood) + "[hub]\n").key(), "hub.data");
  // A hub on another machine carries health data: CURVE or an explicit insecure = true.
  const auto remote = error_for(std::string(kGood) + "[hub]\ndata = \"tcp://192.168.1.9:7570\"\n");
  EXPECT_EQ(remote.key(), "hub.data");
  EXPECT_NE(std::string(remote.what()).find("CURVE"), std::string::npos) << remote.what();
  // The hub's key is useless without the daemon's own key pair, its client key there.
  const auto key = error_for(std::string(kGood) + "[hub]\ndata = \"tcp://127.0.0.1:7570\"\nserver_key = \"hub.pub\"\n");
  EXPECT_EQ(key.key(), "hub.server_key");
}

TEST(DaemonConfig, LoopbackEndpoints) {
  for (const char* local : {"tcp://127.0.0.1:7460", "tcp://localhost:1", "tcp://[::1]:2", "ipc:///tmp/x", "inproc://a"})
    EXPECT_TRUE(is_loopback_endpoint(local)) << local;
  for (const char* remote : {"tcp://0.0.0.0:7460", "tcp://*:1", "tcp://192.168.1.2:3", "tcp://127.host:4", "tcp://eth0:5"})
    EXPECT_FALSE(is_loopback_endpoint(remote)) << remote;
}

}  // namespace
}  // namespace plinth
