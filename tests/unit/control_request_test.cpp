#include <gtest/gtest.h>

#include "daemon/control_request.hpp"

namespace plinth {
namespace {

std::string error_of(std::string_view text) {
  auto r = parse_control_request(text);
  auto* e = std::get_if<ControlParseError>(&r);
  return e ? e->message : std::string();
}

template <typename T>
T request_of(std::string_view text) {
  auto r = parse_control_request(text);
  EXPECT_TRUE(std::holds_alternative<ControlRequest>(r)) << error_of(text);
  return std::get<T>(std::get<ControlRequest>(r));
}

TEST(ControlRequest, ParsesEveryCommand) {
  request_of<StatusRequest>(R"({"cmd":"status"})");
  EXPECT_EQ(request_of<SessionStartRequest>(R"({"cmd":"session.start","subject":"c-042"})").subject, "c-042");
  EXPECT_FALSE(request_of<SessionStartRequest>(R"({"cmd":"session.start"})").subject);
  request_of<SessionStopRequest>(R"({"cmd":"session.stop"})");
  auto m = request_of<MarkerRequest>(R"({"cmd":"marker","label":"effleurage","value":2,"detail":"back"})");
  EXPECT_EQ(m.label, "effleurage");
  EXPECT_EQ(m.value, 2.0);
  EXPECT_EQ(m.detail, "back");
  EXPECT_EQ(request_of<PainRequest>(R"({"cmd":"pain","score":7.5})").score, 7.5);
  EXPECT_EQ(request_of<BaselineRequest>(R"({"cmd":"baseline","seconds":120})").seconds, 120.0);
  EXPECT_EQ(request_of<HrvRequest>(R"({"cmd":"hrv"})").window_s, 60.0);
  EXPECT_EQ(request_of<HrvRequest>(R"({"cmd":"hrv","window_s":300})").window_s, 300.0);
}

TEST(ControlRequest, RejectsMalformedInputWithAReason) {
  EXPECT_NE(error_of("").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("{\"cmd\":").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of("[1,2]").find("JSON object"), std::string::npos);
  EXPECT_NE(error_of("{}").find("'cmd'"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":5})").find("'cmd'"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"reboot"})").find("unknown cmd"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"status","x":1})").find("unknown field 'x'"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"marker"})").find("missing field 'label'"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"marker","label":""})").find("must not be empty"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"marker","label":7})").find("must be a string"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"pain","score":11})").find("between 0 and 10"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"pain","score":"high"})").find("must be a number"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"baseline","seconds":5})").find("between 10 and 900"), std::string::npos);
  EXPECT_NE(error_of(R"({"cmd":"marker","label":"x","value":1e13})").find("between"), std::string::npos);
}

TEST(ControlRequest, RejectsOversizedRequestsBeforeParsing) {
  std::string big = R"({"cmd":"marker","label":")" + std::string(kMaxControlRequestBytes, 'a') + "\"}";
  EXPECT_NE(error_of(big).find("larger than"), std::string::npos);
  std::string long_label = R"({"cmd":"marker","label":")" + std::string(500, 'a') + "\"}";
  EXPECT_NE(error_of(long_label).find("longer than"), std::string::npos);
}

TEST(ControlRequest, ErrorReplyIsJson) {
  EXPECT_EQ(control_error_reply("bad \"thing\""), R"({"error":"bad \"thing\"","ok":false})");
}

// Found by fuzz_control_request (tests/fuzz/regressions/control_request/): the unknown-cmd
// message cut a multi-byte character at byte 64, and the reply's dump threw on the control
// thread, which ended plinthd.
TEST(ControlRequest, UnknownCommandWithLongUnicodeNameGetsAJsonReply) {
  std::string name = "a";
  for (int i = 0; i < 40; ++i) name += "\xc3\xa9";  // U+00E9, two bytes each
  const std::string message = error_of(R"({"cmd":")" + name + "\"}");
  EXPECT_NE(message.find("unknown cmd 'a\xc3\xa9"), std::string::npos);
  std::string reply;
  ASSERT_NO_THROW(reply = control_error_reply(message));
  EXPECT_EQ(reply.find("\xef\xbf\xbd"), std::string::npos);  // nothing needed replacing
}

TEST(ControlRequest, ErrorReplyReplacesBytesThatAreNotUtf8) {
  std::string reply;
  ASSERT_NO_THROW(reply = control_error_reply("bad \xff byte"));
  EXPECT_EQ(reply, "{\"error\":\"bad \xef\xbf\xbd byte\",\"ok\":false}");
}

}  // namespace
}  // namespace plinth
