// The dashboard's fan-out (tools/web/hub.hpp) behind a `plinth hub`: one stream, several
// stations with the same topics; a browser must only ever get one station's messages.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "tools/web/http_routes.hpp"
#include "plinth/proto/plinth.pb.h"
#include "tools/web/hub.hpp"
#include "tools/web/session_reports.hpp"

namespace plinth::web {
namespace {

using nlohmann::json;

class FakeBrowser : public WebClient {
 public:
  ClientMailbox& mailbox() override { return box_; }
  void wake() override {}
  // Everything delivered so far, parsed.
  std::vector<json> drain() {
    std::vector<json> out;
    while (auto text = box_.take()) out.push_back(json::parse(*text));
    return out;
  }

 private:
  ClientMailbox box_;
};

std::string metrics_envelope(const std::string& station, double load) {
  return json{{"type", "data"}, {"topic", "pressure.metrics.mat0"},
              {"data", {{"header", {{"station", station}}}, {"total_load_n", load}}}}
      .dump();
}

std::vector<double> loads(const std::vector<json>& messages) {
  std::vector<double> out;
  for (const auto& m : messages)
    if (m["type"] == "data") out.push_back(m["data"]["total_load_n"]);
  return out;
}

HubSettings quick_handover() {
  HubSettings settings;
  settings.station_handover = std::chrono::milliseconds(50);
  return settings;
}

TEST(HubStations, ABrowserForOneStationGetsOnlyThatStation) {
  Hub hub(HubSettings{});
  auto room1 = std::make_shared<FakeBrowser>(), room2 = std::make_shared<FakeBrowser>();
  hub.join(room1, "room1");
  hub.join(room2, "room2");
  hub.publish("pressure.metrics.mat0", "s1", "room1", metrics_envelope("room1", 100));
  hub.publish("pressure.metrics.mat0", "s2", "room2", metrics_envelope("room2", 200));
  EXPECT_EQ(loads(room1->drain()), std::vector<double>{100});
  EXPECT_EQ(loads(room2->drain()), std::vector<double>{200});
  // One that connects later gets the newest message of its own station only.
  auto late = std::make_shared<FakeBrowser>();
  hub.join(late, "room2");
  const auto messages = late->drain();
  EXPECT_EQ(messages[0]["type"], "hello");
  EXPECT_EQ(messages[0]["station"], "room2");
  EXPECT_EQ(messages[1]["type"], "history");
  EXPECT_EQ(messages[1]["session_id"], "s2");
  EXPECT_EQ(loads(messages), std::vector<double>{200});
}

TEST(HubStations, WithoutAStationABrowserFollowsTheFirstAndOnlyASuccessorOfIt) {
  Hub hub(quick_handover());
  auto browser = std::make_shared<FakeBrowser>();
  hub.join(browser);
  hub.publish("pressure.metrics.mat0", "s1", "room1", metrics_envelope("room1", 100));
  hub.publish("pressure.metrics.mat0", "s2", "room2", metrics_envelope("room2", 200));
  hub.publish("pressure.metrics.mat0", "s1", "room1", metrics_envelope("room1", 101));
  auto messages = browser->drain();
  EXPECT_EQ(loads(messages), std::vector<double>{101});  // latest-only: 100 was replaced, 200 never came
  std::this_thread::sleep_for(std::chrono::milliseconds(80));  // room1's daemon dies
  hub.publish("pressure.metrics.mat0", "s2", "room2", metrics_envelope("room2", 201));
  EXPECT_TRUE(browser->drain().empty());  // room2 was live beside it: another client, not room1's successor
  hub.publish("pressure.metrics.mat0", "s3", "room3", metrics_envelope("room3", 300));  // a daemon restarted as room3
  messages = browser->drain();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0]["type"], "history");  // the new station's story before this message: none yet
  EXPECT_EQ(messages[0]["session_id"], "");
  EXPECT_EQ(loads(messages), std::vector<double>{300});
}

TEST(HubStations, StationsAreBoundedForgettingTheLongestSilent) {
  HubSettings settings;
  settings.max_stations = 2;
  Hub hub(settings);
  hub.publish("pressure.metrics.mat0", "", "room1", metrics_envelope("room1", 1));
  hub.publish("pressure.metrics.mat0", "", "room2", metrics_envelope("room2", 2));
  hub.publish("pressure.metrics.mat0", "", "room3", metrics_envelope("room3", 3));
  EXPECT_EQ(json::parse(hub.health_json())["stations"], 2);
  auto browser = std::make_shared<FakeBrowser>();
  hub.join(browser, "room1");
  EXPECT_TRUE(loads(browser->drain()).empty());
}

TEST(HttpRoutes, StationParameterComesFromTheQuery) {
  EXPECT_EQ(station_parameter("/ws?station=room3"), "room3");
  EXPECT_EQ(station_parameter("/?x=1&station=table-2#top"), "table-2");
  EXPECT_EQ(station_parameter("/ws"), std::nullopt);
  EXPECT_EQ(station_parameter("/ws?station="), std::nullopt);
  EXPECT_EQ(station_parameter("/ws?stations=a"), std::nullopt);
}

TEST(HttpRoutes, ClinicJsonOnlyWithABoard) {
  const auto health = [] { return std::string("{}"); };
  EXPECT_EQ(route_request("GET", "/clinic.json", health).status, 404u);
  const HttpAnswer clinic = route_request("GET", "/clinic.json", health, [] { return std::string(R"({"stations":[]})"); });
  EXPECT_EQ(clinic.content_type, "application/json");
  EXPECT_EQ(clinic.body(), R"({"stations":[]})");
}

TEST(SessionReportsStations, AStationsPageNeverGetsAnotherStationsSession) {
  SessionReports reports(SessionReportsOptions{});
  v1::SessionEvent start;
  start.set_kind("session.start");
  start.mutable_header()->set_session_id("20261206T140000Z-ab12");
  start.mutable_header()->set_station("room1");
  reports.on_session_event(start.SerializeAsString());
  const auto state = [&](std::string_view target) {
    return json::parse(reports.answer("GET", target).body())["state"].get<std::string>();
  };
  EXPECT_EQ(state("/session/summary.json"), "recording");
  EXPECT_EQ(state("/session/summary.json?station=room1"), "recording");
  EXPECT_EQ(state("/session/summary.json?station=room2"), "none");
  EXPECT_EQ(reports.answer("GET", "/session/report.html?station=room2").status, 404u);
}

}  // namespace
}  // namespace plinth::web
