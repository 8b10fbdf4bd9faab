// plinth web's pure parts: per-client mailbox, message conversion, command validation, routes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/topics.hpp"
#include "plinth/proto/plinth.pb.h"
#include "tools/proto_json.hpp"
#include "tools/web/browser_command.hpp"
#include "tools/web/client_mailbox.hpp"
#include "tools/web/dashboard_json.hpp"
#include "tools/web/http_routes.hpp"
#include "tools/web/web_server.hpp"

namespace plinth::web {
namespace {

using nlohmann::json;

SharedText text(const std::string& s) { return std::make_shared<const std::string>(s); }

TEST(ClientMailbox, KeepsOnlyTheNewestMessagePerTopicAndCountsTheRest) {
  ClientMailbox box;
  EXPECT_TRUE(box.put_latest("pressure.frame.mat0", text("f1")));   // idle writer: wake it
  EXPECT_FALSE(box.put_latest("pressure.frame.mat0", text("f2")));  // already woken
  EXPECT_FALSE(box.put_latest("pressure.metrics.mat0", text("m1")));
  EXPECT_FALSE(box.put_latest("pressure.frame.mat0", text("f3")));
  EXPECT_EQ(box.dropped(), 2u);
  EXPECT_EQ(*box.take(), "f3");  // the frame topic became pending first
  EXPECT_EQ(*box.take(), "m1");
  EXPECT_EQ(box.take(), nullptr);  // now idle ...
  EXPECT_TRUE(box.put_latest("pressure.frame.mat0", text("f4")));  // ... so the next put wakes
}

TEST(ClientMailbox, SessionEventsAreNeverCoalescedAndGoFirst) {
  ClientMailbox box(3);
  box.put_latest("status", text("s"));
  box.put_event(text("e1"));
  box.put_event(text("e2"));
  EXPECT_EQ(*box.take(), "e1");
  EXPECT_EQ(*box.take(), "e2");
  EXPECT_EQ(*box.take(), "s");
  EXPECT_EQ(box.dropped(), 0u);
}

TEST(ClientMailbox, EventQueueIsBoundedDroppingTheOldest) {
  ClientMailbox box(2);
  for (const char* e : {"e1", "e2", "e3", "e4"}) box.put_event(text(e));
  EXPECT_EQ(box.dropped(), 2u);
  EXPECT_EQ(*box.take(), "e3");
  EXPECT_EQ(*box.take(), "e4");
  EXPECT_EQ(box.take(), nullptr);
}

TEST(ClientMailbox, RefusesMoreTopicsThanItsBound) {
  ClientMailbox box(4, 2);
  box.put_latest("a", text("1"));
  box.put_latest("b", text("2"));
  box.put_latest("c", text("3"));
  EXPECT_EQ(box.dropped(), 1u);
  EXPECT_EQ(*box.take(), "1");
  EXPECT_EQ(*box.take(), "2");
  EXPECT_EQ(box.take(), nullptr);
}

v1::PressureFrame sample_frame() {
  v1::PressureFrame frame;
  frame.mutable_header()->set_session_id("S1");
  frame.mutable_header()->set_device_seq(42);
  frame.set_rows(2);
  frame.set_cols(3);
  frame.set_raw(std::string(12, '\x01'));
  for (float v : {0.0f, 12.4f, 12.6f, -3.0f, std::numeric_limits<float>::quiet_NaN(), 300.2f}) frame.add_pressure_mmhg(v);
  frame.set_pitch_cm(2.54f);
  return frame;
}

TEST(DashboardJson, FrameCarriesWholeMmhgAndNoRawBytes) {
  const auto frame = sample_frame();
  const DashboardMessage m = decode_for_dashboard("pressure.frame.mat0", frame.SerializeAsString());
  const json envelope = json::parse(m.envelope);
  EXPECT_EQ(envelope["type"], "data");
  EXPECT_EQ(envelope["topic"], "pressure.frame.mat0");
  const json& data = envelope["data"];
  EXPECT_EQ(data["mmhg"], json({0, 12, 13, 0, 0, 300}));
  EXPECT_FALSE(data.contains("raw"));
  EXPECT_FALSE(data.contains("pressure_mmhg"));
  EXPECT_EQ(data["rows"], 2);
  EXPECT_EQ(data["header"]["device_seq"], 42);
  EXPECT_EQ(m.session_id, "S1");
}

TEST(DashboardJson, FrameWithWrongMapSizeIsRefused) {
  auto frame = sample_frame();
  frame.add_pressure_mmhg(1.0f);
  EXPECT_THROW(decode_for_dashboard("pressure.frame.mat0", frame.SerializeAsString()), std::invalid_argument);
}

TEST(DashboardJson, MetricsKeepTheirFields) {
  v1::PressureMetrics metrics;
  metrics.mutable_header()->set_device_seq(7);
  metrics.set_total_load_n(812.5);
  metrics.set_symmetry_index_pct(-3.25);
  metrics.set_ppi_row(10);
  const json data = json::parse(decode_for_dashboard("pressure.metrics.mat0", metrics.SerializeAsString()).envelope)["data"];
  EXPECT_DOUBLE_EQ(data["total_load_n"].get<double>(), 812.5);
  EXPECT_DOUBLE_EQ(data["symmetry_index_pct"].get<double>(), -3.25);
  EXPECT_EQ(data["ppi_row"], 10);
  EXPECT_EQ(data["header"]["device_seq"], 7);
}

TEST(DashboardJson, UnknownTopicsAndBadPayloadsAreRefused) {
  EXPECT_THROW(decode_for_dashboard("nonsense", ""), std::invalid_argument);
  EXPECT_THROW(decode_for_dashboard("pressure.metrics.mat0", std::string("\xff\xff\xff", 3)), std::invalid_argument);
}

// Every topic of daemon/topics.hpp decodes (heart.beat_final.<id> did not: "heart.beat." is not
// its prefix), and each to the message schemas/topics.md names.
TEST(DashboardJson, EveryPublishedTopicDecodes) {
  const std::pair<std::string, std::string> expected[] = {
      {topics::for_device(topics::pressure_frame, "mat0"), "plinth.v1.PressureFrame"},
      {topics::for_device(topics::pressure_metrics, "mat0"), "plinth.v1.PressureMetrics"},
      {topics::for_device(topics::pressure_exposure, "mat0"), "plinth.v1.PressureExposure"},
      {topics::for_device(topics::pressure_risk, "mat0"), "plinth.v1.PressureExposure"},
      {topics::for_device(topics::heart_beat, "strap0"), "plinth.v1.HeartBeat"},
      {topics::for_device(topics::heart_beat_final, "strap0"), "plinth.v1.HeartBeat"},
      {topics::for_device(topics::heart_hrv, "strap0"), "plinth.v1.HeartHrv"},
      {std::string(topics::relaxation), "plinth.v1.Relaxation"},
      {std::string(topics::session_event), "plinth.v1.SessionEvent"},
      {std::string(topics::status), "plinth.v1.Status"},
  };
  for (const auto& [topic, type] : expected) {
    const auto message = tools::message_for_topic(topic);
    ASSERT_NE(message, nullptr) << topic;
    EXPECT_EQ(message->GetTypeName(), type) << topic;
  }
}

TEST(DashboardJson, OnlySessionEventsAreDeliveredEveryTime) {
  EXPECT_EQ(delivery_for_topic("session.event"), Delivery::every_message);
  EXPECT_EQ(delivery_for_topic("pressure.frame.mat0"), Delivery::latest_only);
  EXPECT_EQ(delivery_for_topic("relaxation"), Delivery::latest_only);
}

TEST(BrowserCommand, MarkerIsForwardedWithOnlyKnownFields) {
  const auto c = parse_browser_command(R"({"type":"control","id":5,"request":{"cmd":"marker","label":"effleurage"}})");
  EXPECT_EQ(c.id, 5u);
  EXPECT_EQ(c.request, json({{"cmd", "marker"}, {"label", "effleurage"}}));
}

TEST(BrowserCommand, PainScoreWithinZeroToTen) {
  EXPECT_EQ(parse_browser_command(R"({"type":"control","request":{"cmd":"pain","score":4}})").request["score"], 4.0);
  EXPECT_THROW(parse_browser_command(R"({"type":"control","request":{"cmd":"pain","score":11}})"), std::invalid_argument);
  EXPECT_THROW(parse_browser_command(R"({"type":"control","request":{"cmd":"pain","score":"4"}})"), std::invalid_argument);
  EXPECT_THROW(parse_browser_command(R"({"type":"control","request":{"cmd":"pain"}})"), std::invalid_argument);
}

TEST(BrowserCommand, EverythingElseIsRefusedWithAReason) {
  const char* bad[] = {
      "not json",
      "[]",
      R"({"type":"hello"})",
      R"({"type":"control"})",
      R"({"type":"control","request":{"cmd":"session.stop"}})",
      R"({"type":"control","request":{"cmd":"marker"}})",
      R"({"type":"control","request":{"cmd":"marker","label":"  "}})",
      R"({"type":"control","request":{"cmd":"marker","label":"x","colour":"red"}})",
      R"({"type":"control","request":{"cmd":"marker","label":7}})",
      R"({"type":"control","id":-1,"request":{"cmd":"marker","label":"x"}})",
  };
  for (const char* text : bad) {
    try {
      parse_browser_command(text);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_GT(std::string(e.what()).size(), 5u) << text;
    }
  }
  const std::string long_label(201, 'a');
  EXPECT_THROW(parse_browser_command(json{{"type", "control"}, {"request", {{"cmd", "marker"}, {"label", long_label}}}}.dump()),
               std::invalid_argument);
}

TEST(HttpRoutes, ServesThePageAssetsAndHealth) {
  const auto health = [] { return std::string(R"({"ok":true})"); };
  const HttpAnswer page = route_request("GET", "/", health);
  EXPECT_EQ(page.status, 200u);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body().find("<canvas id=\"heatmap\""), std::string_view::npos);
  EXPECT_EQ(route_request("GET", "/index.html?x=1", health).body(), page.body());
  EXPECT_EQ(route_request("GET", "/app.js", health).content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(route_request("HEAD", "/style.css", health).content_type, "text/css; charset=utf-8");
  EXPECT_EQ(route_request("GET", "/vendor/uplot.js", health).status, 200u);
  const HttpAnswer h = route_request("GET", "/healthz", health);
  EXPECT_EQ(h.content_type, "application/json");
  EXPECT_EQ(h.body(), R"({"ok":true})");
}

TEST(HttpRoutes, UnknownPathsAndMethods) {
  const auto health = [] { return std::string(); };
  EXPECT_EQ(route_request("GET", "/nope", health).status, 404u);
  EXPECT_EQ(route_request("GET", "/../etc/passwd", health).status, 404u);
  const HttpAnswer post = route_request("POST", "/", health);
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.allow, "GET, HEAD");
}

TEST(ListenAddress, ParsesHostAndPort) {
  EXPECT_EQ(parse_listen_address("127.0.0.1:7480").host, "127.0.0.1");
  EXPECT_EQ(parse_listen_address("127.0.0.1:7480").port, 7480);
  EXPECT_EQ(parse_listen_address("[::1]:0").host, "::1");
  EXPECT_THROW(parse_listen_address("7480"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("host:99999"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("host:"), std::invalid_argument);
  EXPECT_THROW(parse_listen_address("host:80x"), std::invalid_argument);
}

}  // namespace
}  // namespace plinth::web
