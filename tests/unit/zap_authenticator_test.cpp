// ZAP: authorized client keys get through the CURVE handshake, any other key does not; the
// directory is re-read when it changes.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <zmq.hpp>

#include "daemon/security/zap_authenticator.hpp"
#include "tests/unit/security_test_support.hpp"

namespace plinth {
namespace {

using security_test::TempDir;
using security_test::write_file;

std::string binary_key(const std::string& z85) {
  std::string bytes(32, '\0');
  zmq_z85_decode(reinterpret_cast<std::uint8_t*>(bytes.data()), z85.c_str());
  return bytes;
}

TEST(ZapDecision, AllowsOnlyListedCurveKeys) {
  const CurveKeyPair tablet = generate_curve_key_pair(), stranger = generate_curve_key_pair();
  const std::vector<AuthorizedKey> authorized{{tablet.public_key, "tablet"}};
  auto request = [](const std::string& mechanism, std::vector<std::string> credentials) {
    std::vector<std::string> frames{"1.0", "7", "plinth-control", "192.0.2.4", "", mechanism};
    frames.insert(frames.end(), credentials.begin(), credentials.end());
    return *parse_zap_request(frames);
  };
  const ZapDecision ok = decide_zap(request("CURVE", {binary_key(tablet.public_key)}), authorized);
  EXPECT_TRUE(ok.allowed);
  EXPECT_EQ(ok.status_code, "200");
  EXPECT_EQ(ok.user_id, "tablet");
  const ZapDecision no = decide_zap(request("CURVE", {binary_key(stranger.public_key)}), authorized);
  EXPECT_FALSE(no.allowed);
  EXPECT_EQ(no.status_code, "400");
  EXPECT_FALSE(decide_zap(request("NULL", {}), authorized).allowed);
  EXPECT_FALSE(decide_zap(request("CURVE", {"short"}), authorized).allowed);
  EXPECT_FALSE(decide_zap(request("CURVE", {binary_key(tablet.public_key)}), {}).allowed);

  auto wrong_version = request("CURVE", {binary_key(tablet.public_key)});
  wrong_version.version = "2.0";
  EXPECT_EQ(decide_zap(wrong_version, authorized).status_code, "500");
  EXPECT_FALSE(parse_zap_request({"1.0", "7"}));

  const auto reply = zap_reply_frames(request("CURVE", {}), ok);
  EXPECT_EQ(reply, (std::vector<std::string>{"1.0", "7", "200", "OK", "tablet", ""}));
}

// A CURVE REP server on loopback behind the authenticator, as the control endpoint is.
class ZapLive : public ::testing::Test {
 protected:
  void SetUp() override {
    server_keys = generate_curve_key_pair();
    tablet = generate_curve_key_pair();
    write_file(tmp.path() / "tablet.pub", format_public_key_file(tablet.public_key, "tablet"));
    zap = std::make_unique<ZapAuthenticator>(context, tmp.path());
    server.set(zmq::sockopt::linger, 0);
    make_curve_server(server, server_keys.secret_key, "test");
    server.bind("tcp://127.0.0.1:*");
    endpoint = server.get(zmq::sockopt::last_endpoint);
  }
  void TearDown() override {
    server.close();
    zap.reset();
  }

  // Sends "ping" with `client` keys; true if the server got it and the reply came back.
  bool round_trip(const CurveKeyPair& client, std::chrono::milliseconds wait = std::chrono::milliseconds(3000)) {
    zmq::socket_t req(context, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.set(zmq::sockopt::curve_serverkey, server_keys.public_key);
    req.set(zmq::sockopt::curve_publickey, client.public_key);
    req.set(zmq::sockopt::curve_secretkey, client.secret_key);
    req.connect(endpoint);
    req.send(zmq::str_buffer("ping"));
    zmq::pollitem_t item{server.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, wait) <= 0) return false;
    zmq::message_t m;
    (void)server.recv(m);
    EXPECT_STREQ(m.gets("User-Id"), "tablet");  // who it was, for the daemon's logs
    server.send(zmq::str_buffer("pong"));
    zmq::pollitem_t back{req.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&back, 1, wait) <= 0) return false;
    (void)req.recv(m);
    return m.to_string() == "pong";
  }

  TempDir tmp;
  zmq::context_t context;
  std::unique_ptr<ZapAuthenticator> zap;
  zmq::socket_t server{context, zmq::socket_type::rep};
  CurveKeyPair server_keys, tablet;
  std::string endpoint;
};

TEST_F(ZapLive, AuthorizedClientIsServedStrangerIsNot) {
  EXPECT_TRUE(round_trip(tablet));
  EXPECT_EQ(zap->allowed(), 1u);
  EXPECT_FALSE(round_trip(generate_curve_key_pair(), std::chrono::milliseconds(1000)));
  EXPECT_GE(zap->refused(), 1u);
}

TEST_F(ZapLive, RemovingThePubFileRevokesWithoutRestart) {
  EXPECT_TRUE(round_trip(tablet));
  std::filesystem::remove(tmp.path() / "tablet.pub");
  EXPECT_FALSE(round_trip(tablet, std::chrono::milliseconds(1000)));
}

}  // namespace
}  // namespace plinth
