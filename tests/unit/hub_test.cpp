// The hub's pure parts (schemas/hub.md): per-station accounting, control routing, the header
// peek, hub.status and the option checks.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "plinth/proto/plinth.pb.h"
#include "tools/hub/control_routes.hpp"
#include "tools/hub/header_peek.hpp"
#include "tools/hub/hub_options.hpp"
#include "tools/hub/hub_status_message.hpp"
#include "tools/hub/station_traffic.hpp"
#include "tools/hub/subscriber_count.hpp"

namespace plinth::hub {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

nlohmann::json reply_of(const RouteDecision& d) {
  const auto* now = std::get_if<ReplyNow>(&d);
  EXPECT_NE(now, nullptr);
  return now ? nlohmann::json::parse(now->reply) : nlohmann::json{};
}

TEST(HubStationTraffic, CountsAndRatesPerStationSinceTheLastSnapshot) {
  StationTraffic t;
  for (int i = 0; i < 50; ++i) t.count("room1", 100, 10 * kSecond + i * kSecond / 50);
  for (int i = 0; i < 20; ++i) t.count("room2", 1000, 10 * kSecond + i * kSecond / 20);
  TrafficSnapshot s = t.snapshot(11 * kSecond);
  ASSERT_EQ(s.stations.size(), 2u);
  EXPECT_EQ(s.stations[0].station, "room1");
  EXPECT_EQ(s.stations[0].messages, 50u);
  EXPECT_EQ(s.stations[0].bytes, 5000u);
  EXPECT_DOUBLE_EQ(s.stations[0].rate_hz, 50.0);
  EXPECT_DOUBLE_EQ(s.stations[1].rate_hz, 20.0);
  EXPECT_DOUBLE_EQ(s.stations[1].bytes_per_s, 20000.0);
  EXPECT_EQ(s.messages, 70u);
  EXPECT_DOUBLE_EQ(s.messages_per_s, 70.0);
  EXPECT_TRUE(s.stations[0].connected);

  // Next second: only room1 speaks; room2's rate falls to 0 and, after 2 s of silence, it is
  // no longer connected, but its totals stay.
  for (int i = 0; i < 10; ++i) t.count("room1", 100, 11 * kSecond + i * kSecond / 10);
  s = t.snapshot(12 * kSecond);
  EXPECT_DOUBLE_EQ(s.stations[0].rate_hz, 10.0);
  EXPECT_EQ(s.stations[0].messages, 60u);
  EXPECT_DOUBLE_EQ(s.stations[1].rate_hz, 0.0);
  EXPECT_TRUE(s.stations[1].connected);
  s = t.snapshot(13 * kSecond);
  EXPECT_FALSE(s.stations[1].connected);
  EXPECT_EQ(s.stations[1].messages, 20u);
  EXPECT_EQ(s.stations[1].last_seen_ns, 10 * kSecond + 19 * kSecond / 20);
}

TEST(HubStationTraffic, NoTrafficNoRates) {
  StationTraffic t;
  const TrafficSnapshot s = t.snapshot(5 * kSecond);
  EXPECT_TRUE(s.stations.empty());
  EXPECT_EQ(s.messages_per_s, 0.0);
}

TEST(HubControlRoutes, AStationIsReachableWhileItsHellosArrive) {
  ControlRoutes routes;
  routes.heard_from("room3", 1 * kSecond);
  routes.heard_from("room1", 2 * kSecond);
  EXPECT_EQ(routes.reachable_stations(3 * kSecond), (std::vector<std::string>{"room1", "room3"}));
  EXPECT_TRUE(routes.reachable("room3", 4 * kSecond));
  EXPECT_FALSE(routes.reachable("room3", 4 * kSecond + 1));
  EXPECT_EQ(routes.reachable_stations(4 * kSecond + 1), (std::vector<std::string>{"room1"}));
  routes.heard_from("room3", 10 * kSecond);  // a restarted daemon is back at its first hello
  EXPECT_TRUE(routes.reachable("room3", 10 * kSecond));
  EXPECT_FALSE(routes.reachable("room9", 10 * kSecond));
}

TEST(HubRouteRequest, ForwardsToTheNamedStationWithoutTheStationField) {
  const auto d = route_request(R"({"cmd":"marker","label":"effleurage","station":"room3"})", {"room1", "room3"});
  const auto* f = std::get_if<ForwardRequest>(&d);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->station, "room3");
  EXPECT_EQ(nlohmann::json::parse(f->request), (nlohmann::json{{"cmd", "marker"}, {"label", "effleurage"}}));
}

TEST(HubRouteRequest, UnknownOrMissingStationsAreErrorsNamingTheConnectedOnes) {
  auto r = reply_of(route_request(R"({"cmd":"status","station":"room9"})", {"room1", "room3"}));
  EXPECT_FALSE(r["ok"].get<bool>());
  EXPECT_NE(r["error"].get<std::string>().find("room9"), std::string::npos);
  EXPECT_NE(r["error"].get<std::string>().find("room1, room3"), std::string::npos) << r;
  r = reply_of(route_request(R"({"cmd":"status"})", {"room1"}));
  EXPECT_NE(r["error"].get<std::string>().find("\"station\""), std::string::npos) << r;
  r = reply_of(route_request(R"({"cmd":"status","station":3})", {"room1"}));
  EXPECT_FALSE(r["ok"].get<bool>());
  r = reply_of(route_request("not json", {"room1"}));
  EXPECT_FALSE(r["ok"].get<bool>());
  r = reply_of(route_request(std::string(20000, ' '), {"room1"}));
  EXPECT_FALSE(r["ok"].get<bool>());
  r = reply_of(route_request(R"({"cmd":"status","station":"room1"})", {}));
  EXPECT_NE(r["error"].get<std::string>().find("none"), std::string::npos) << r;
}

TEST(HubRouteRequest, StationsIsAnsweredByTheHub) {
  auto r = reply_of(route_request(R"({"cmd":"stations"})", {"room1", "room3"}));
  EXPECT_TRUE(r["ok"].get<bool>());
  EXPECT_EQ(r["stations"], (nlohmann::json{"room1", "room3"}));
  r = reply_of(route_request(R"({"cmd":"stations","station":"room1"})", {"room1"}));
  EXPECT_FALSE(r["ok"].get<bool>());  // unknown fields are errors, as everywhere in the protocol
}

TEST(HubPendingReplies, ALateReplyIsDroppedAfterTheTimeout) {
  PendingReplies p;
  p.add("client-a", "room1", 6 * kSecond);
  p.add("client-b", "room2", 8 * kSecond);
  EXPECT_TRUE(p.take("client-a"));
  EXPECT_FALSE(p.take("client-a"));
  EXPECT_TRUE(p.expire(7 * kSecond).empty());
  const auto expired = p.expire(8 * kSecond);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0], (std::pair<std::string, std::string>{"client-b", "room2"}));
  EXPECT_FALSE(p.take("client-b"));
  EXPECT_EQ(p.size(), 0u);
}

TEST(HubHeaderPeek, ReadsTheHeaderOfAnyTopicsPayload) {
  v1::PressureFrame frame;
  frame.mutable_header()->set_station("room3");
  frame.mutable_header()->set_seq(41);
  frame.mutable_header()->set_host_time_ns(123456789);
  frame.set_rows(2);
  frame.set_raw(std::string(8, '\x7f'));
  auto h = peek_header(frame.SerializeAsString());
  ASSERT_TRUE(h);
  EXPECT_EQ(h->station, "room3");
  EXPECT_EQ(h->seq, 41u);
  EXPECT_EQ(h->host_time_ns, 123456789);

  v1::SessionEvent event;
  event.set_kind("marker");  // field 2 before the header on the wire
  event.mutable_header()->set_station("room1");
  std::string bytes = event.SerializeAsString();
  h = peek_header(bytes);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->station, "room1");

  EXPECT_FALSE(peek_header("\xff\xff\xff"));
  EXPECT_FALSE(peek_header(""));
}

TEST(HubSubscriberCount, OnlyCompletedHandshakesCount) {
  SubscriberCount c;
  c.handshake_succeeded(7);
  c.handshake_succeeded(9);
  c.disconnected(11);  // a refused CURVE client: it never counted
  EXPECT_EQ(c.count(), 2u);
  c.disconnected(7);
  EXPECT_EQ(c.count(), 1u);
}

TEST(HubStatusMessage, CarriesTotalsStationsAndProxyCounters) {
  HubFigures f;
  f.hub_name = "hub";
  f.seq = 3;
  f.now_ns = 99;
  f.traffic.messages = 70;
  f.traffic.stations = {{"room1", 50, 5000, 50.0, 5000.0, 98, true}};
  f.control_stations = {"room1", "room2"};
  f.subscribers = 2;
  f.proxy = {80, 8000, 10, 100, 12, 120, 78, 7800};
  f.captured = 75;
  v1::HubStatus m;
  ASSERT_TRUE(m.ParseFromString(encode_hub_status(f)));
  EXPECT_EQ(m.header().station(), "hub");
  EXPECT_EQ(m.header().seq(), 3u);
  EXPECT_EQ(m.messages(), 70u);
  EXPECT_EQ(m.subscribers(), 2u);
  ASSERT_EQ(m.stations_size(), 2);
  EXPECT_EQ(m.stations(0).station(), "room1");
  EXPECT_TRUE(m.stations(0).control());
  EXPECT_DOUBLE_EQ(m.stations(0).rate_hz(), 50.0);
  EXPECT_EQ(m.stations(1).station(), "room2");  // control only: nothing subscribed to it yet
  EXPECT_TRUE(m.stations(1).control());
  EXPECT_FALSE(m.stations(1).connected());
  EXPECT_EQ(m.proxy().backend_messages_out(), 78u);
  EXPECT_EQ(m.capture_missed(), 5u);
}

TEST(HubOptions, PlainTcpBeyondLoopbackNeedsKeysOrInsecure) {
  HubOptions o;
  EXPECT_FALSE(hub_options_problem(o));
  o.consumers_data = "tcp://0.0.0.0:7560";
  EXPECT_TRUE(hub_options_problem(o));
  o.insecure = true;
  EXPECT_FALSE(hub_options_problem(o));
  o.key_file = "hub.key";
  EXPECT_TRUE(hub_options_problem(o));  // contradicts --insecure
  o.insecure = false;
  EXPECT_TRUE(hub_options_problem(o));  // keys need both authorized directories
  o.authorized_daemons = "daemons";
  o.authorized_clients = "clients";
  EXPECT_FALSE(hub_options_problem(o));
  o.name = "my hub";
  EXPECT_TRUE(hub_options_problem(o));
}

}  // namespace
}  // namespace plinth::hub
