// The clinic overview's per-station tile and board (tools/web/station_tile.hpp, clinic_board.hpp):
// what a tile shows and which alarms it raises, at given times.
#include <gtest/gtest.h>

#include "tools/web/clinic_board.hpp"

namespace plinth::web {
namespace {

using nlohmann::json;

v1::Status status(const std::string& state, const std::string& mat_state, std::uint64_t crc = 0,
                  const std::string& archive_error = "") {
  v1::Status s;
  s.set_state(state);
  s.mutable_header()->set_session_id(state == "recording" ? "20261206T140000Z-ab12" : "");
  auto* mat = s.add_devices();
  mat->set_id("mat0");
  mat->set_kind("mat");
  mat->set_state(mat_state);
  mat->set_crc_errors(crc);
  mat->set_reconnects(2);
  auto* strap = s.add_devices();
  strap->set_id("strap0");
  strap->set_kind("heart");
  strap->set_state("connected");
  s.mutable_archive()->set_error(archive_error);
  return s;
}

v1::PressureMetrics metrics(double load_n, bool occupied) {
  v1::PressureMetrics m;
  m.set_total_load_n(load_n);
  m.set_occupied(occupied);
  m.mutable_header()->set_device_seq(42);
  return m;
}

std::vector<std::string> alarm_kinds(const json& tile) {
  std::vector<std::string> kinds;
  for (const auto& a : tile["alarms"]) kinds.push_back(a["kind"]);
  return kinds;
}

// A healthy recording station at t = 10 s.
StationTile healthy_station() {
  StationTile tile("room3");
  tile.observe("status", status("recording", "connected"), 9.5);
  tile.observe("pressure.metrics.mat0", metrics(712.4, true), 9.9);
  v1::HeartBeat beat;
  beat.set_hr_bpm(61.2);
  tile.observe("heart.beat.strap0", beat, 9.0);
  v1::HeartHrv hrv;
  hrv.set_window_kind("sliding");
  hrv.set_hr_bpm(60.0);
  hrv.set_rmssd_ms(48.0);
  tile.observe("heart.hrv.strap0", hrv, 8.0);
  v1::Relaxation relax;
  relax.set_index(63.0);
  relax.set_state("live");
  relax.set_trend(1);
  tile.observe("relaxation", relax, 7.0);
  return tile;
}

TEST(StationTile, ShowsTheNewestReadingsOfAHealthyStation) {
  const json tile = healthy_station().to_json(10.0, {});
  EXPECT_EQ(tile["station"], "room3");
  EXPECT_EQ(tile["level"], "ok");
  EXPECT_TRUE(tile["alarms"].empty()) << tile.dump();
  EXPECT_EQ(tile["recording"], true);
  EXPECT_EQ(tile["session_id"], "20261206T140000Z-ab12");
  EXPECT_EQ(tile["occupied"], true);
  EXPECT_DOUBLE_EQ(tile["load_n"].get<double>(), 712.4);
  EXPECT_EQ(tile["load_seq"], 42);
  EXPECT_DOUBLE_EQ(tile["hr_bpm"].get<double>(), 61.2);  // the beat, not the HRV window
  EXPECT_DOUBLE_EQ(tile["rmssd_ms"].get<double>(), 48.0);
  EXPECT_DOUBLE_EQ(tile["relaxation"]["index"].get<double>(), 63.0);
  EXPECT_EQ(tile["relaxation"]["trend"], 1);
  ASSERT_EQ(tile["devices"].size(), 2u);
  EXPECT_EQ(tile["devices"][0]["reconnects"], 2);
  EXPECT_EQ(tile["archive"]["ok"], true);
}

TEST(StationTile, HeartRateFallsBackToTheHrvWindowThenToNothing) {
  StationTile tile = healthy_station();
  tile.observe("status", status("recording", "connected"), 19.4);  // the station itself is live
  EXPECT_DOUBLE_EQ(tile.to_json(19.5, {})["hr_bpm"].get<double>(), 60.0);  // beat 10.5 s old, HRV 11.5 s
  tile.observe("status", status("recording", "connected"), 23.4);
  EXPECT_TRUE(tile.to_json(23.5, {})["hr_bpm"].is_null());                 // HRV 15.5 s old too
}

TEST(StationTile, ASilentStationRaisesOneAlarmAndBlanksItsReadings) {
  const json tile = healthy_station().to_json(16.0, {});
  EXPECT_EQ(alarm_kinds(tile), std::vector<std::string>{"silent"});
  EXPECT_EQ(tile["level"], "bad");
  EXPECT_EQ(tile["alarms"][0]["text"], "No data from room3 for 6 s");
  EXPECT_TRUE(tile["load_n"].is_null());
  EXPECT_TRUE(tile["occupied"].is_null());
  EXPECT_TRUE(tile["recording"].is_null());
  EXPECT_TRUE(tile["hr_bpm"].is_null());  // the beat is 7 s old: fresh for a live station, not for a silent one
  EXPECT_TRUE(tile["relaxation"].is_null());
  EXPECT_TRUE(tile["archive"].is_null());
}

TEST(StationTile, ADisconnectedDeviceIsAnAlarmNamingIt) {
  StationTile tile = healthy_station();
  tile.observe("status", status("recording", "searching"), 10.0);
  const json j = tile.to_json(10.2, {});
  EXPECT_EQ(alarm_kinds(j), std::vector<std::string>{"device"});
  EXPECT_EQ(j["alarms"][0]["text"], "MAT mat0 SEARCHING");
  EXPECT_EQ(j["alarms"][0]["device"], "mat0");
  EXPECT_EQ(j["level"], "bad");
}

TEST(StationTile, AConnectedMatWithoutDataIsAnAlarm) {
  StationTile tile = healthy_station();
  tile.observe("status", status("recording", "connected"), 12.5);  // metrics last came at 9.9
  const json j = tile.to_json(12.6, {});
  EXPECT_EQ(alarm_kinds(j), std::vector<std::string>{"no_data"});
  EXPECT_EQ(j["alarms"][0]["text"], "No pressure data from mat0 for 2 s");
  EXPECT_TRUE(j["load_n"].is_null());
}

TEST(StationTile, ArchiveErrorsAndNewTransmissionErrorsWarn) {
  StationTile tile = healthy_station();
  tile.observe("pressure.metrics.mat0", metrics(700, true), 10.4);
  tile.observe("status", status("recording", "connected", 5, "No space left on device"), 10.5);
  json j = tile.to_json(10.6, {});
  EXPECT_EQ(alarm_kinds(j), (std::vector<std::string>{"errors", "archive"}));
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["archive"]["ok"], false);
  // The counters stay where they are: after 30 s only the archive warning is left.
  for (double t = 11.5; t <= 41.5; t += 1.0) {
    tile.observe("pressure.metrics.mat0", metrics(700, true), t);
    tile.observe("status", status("recording", "connected", 5, "No space left on device"), t);
  }
  EXPECT_EQ(alarm_kinds(tile.to_json(41.6, {})), std::vector<std::string>{"archive"});
}

TEST(StationTile, NoStatusIsAWarningAndDeviceStatesAreUnknown) {
  StationTile tile("room1");
  tile.observe("pressure.metrics.mat0", metrics(10, false), 1.0);
  json j = tile.to_json(1.1, {});
  EXPECT_EQ(alarm_kinds(j), std::vector<std::string>{"status"});
  EXPECT_EQ(j["occupied"], false);
  EXPECT_TRUE(j["archive"].is_null());
  tile.observe("status", status("idle", "connected"), 2.0);
  tile.observe("pressure.metrics.mat0", metrics(10, false), 6.0);
  j = tile.to_json(6.0, {});
  EXPECT_EQ(alarm_kinds(j), std::vector<std::string>{"status"});
  EXPECT_EQ(j["devices"][0]["state"], "unknown");
  EXPECT_TRUE(j["archive"].is_null());
}

TEST(StationTile, OnlyTheFirstMatSeenGivesTheLoad) {
  StationTile tile("room2");
  tile.observe("pressure.metrics.mat0", metrics(500, true), 1.0);
  tile.observe("pressure.metrics.mat1", metrics(20, false), 1.1);
  EXPECT_DOUBLE_EQ(tile.to_json(1.2, {})["load_n"].get<double>(), 500.0);
  EXPECT_EQ(tile.to_json(1.2, {})["mat"], "mat0");
}

TEST(ClinicBoard, OneTilePerStationByNameAndBounded) {
  ClinicBoard board(ClinicSettings{3, {}});
  const auto m = metrics(100, true);
  board.observe("room3", "pressure.metrics.mat0", m, 1.0);
  board.observe("room1", "pressure.metrics.mat0", m, 2.0);
  board.observe("room2", "pressure.metrics.mat0", m, 3.0);
  board.observe("room3", "pressure.metrics.mat0", m, 4.0);
  json j = board.to_json(4.0);
  ASSERT_EQ(j["stations"].size(), 3u);
  EXPECT_EQ(j["stations"][0]["station"], "room1");
  EXPECT_EQ(j["stations"][2]["station"], "room3");
  board.observe("room4", "pressure.metrics.mat0", m, 5.0);  // room1 has been silent longest
  j = board.to_json(5.0);
  ASSERT_EQ(j["stations"].size(), 3u);
  EXPECT_EQ(j["stations"][0]["station"], "room2");
  EXPECT_EQ(j["stations"][2]["station"], "room4");
}

}  // namespace
}  // namespace plinth::web
