// The control server's hub link (schemas/hub.md): a DEALER named after the station says hello,
// and answers routed requests through the same handler as the REP endpoint, envelope intact.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "daemon/control_server.hpp"

namespace plinth {
namespace {

std::vector<std::string> receive_frames(zmq::socket_t& socket, std::chrono::milliseconds wait) {
  std::vector<std::string> frames;
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  if (zmq::poll(&item, 1, wait) <= 0) return frames;
  zmq::message_t frame;
  do {
    if (!socket.recv(frame, zmq::recv_flags::none)) break;
    frames.push_back(frame.to_string());
  } while (frame.more());
  return frames;
}

void send_frames(zmq::socket_t& socket, const std::vector<std::string>& frames) {
  for (std::size_t i = 0; i < frames.size(); ++i)
    socket.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
}

TEST(ControlServerHub, SaysHelloAndAnswersRoutedRequestsWithTheirEnvelope) {
  zmq::context_t context;
  zmq::socket_t hub(context, zmq::socket_type::router);
  hub.set(zmq::sockopt::linger, 0);
  hub.bind("inproc://hub-daemons-control");
  int handled = 0;
  ControlServer server(
      context, "inproc://daemon-control",
      [&handled](const ControlRequest& request) {
        ++handled;
        return nlohmann::json{{"ok", true}, {"marker", std::holds_alternative<MarkerRequest>(request)}}.dump();
      },
      {}, ControlServer::HubControl{"inproc://hub-daemons-control", "room3", {}, {}});

  auto hello = receive_frames(hub, std::chrono::seconds(3));
  ASSERT_EQ(hello.size(), 2u);
  EXPECT_EQ(hello[0], "room3");  // the routing id is the station
  EXPECT_EQ(nlohmann::json::parse(hello[1]), (nlohmann::json{{"hello", "room3"}}));

  send_frames(hub, {"room3", "client-7", "", R"({"cmd":"marker","label":"effleurage"})"});
  std::vector<std::string> reply;
  do reply = receive_frames(hub, std::chrono::seconds(3));
  while (reply.size() == 2);  // a hello in between
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(reply[0], "room3");
  EXPECT_EQ(reply[1], "client-7");
  EXPECT_EQ(reply[2], "");
  EXPECT_EQ(nlohmann::json::parse(reply[3]), (nlohmann::json{{"ok", true}, {"marker", true}}));

  // A malformed request is answered by the parser, as on the REP endpoint.
  send_frames(hub, {"room3", "client-8", "", R"({"cmd":"marker"})"});
  do reply = receive_frames(hub, std::chrono::seconds(3));
  while (reply.size() == 2);
  ASSERT_EQ(reply.size(), 4u);
  EXPECT_EQ(reply[1], "client-8");
  EXPECT_FALSE(nlohmann::json::parse(reply[3])["ok"].get<bool>());
  EXPECT_EQ(handled, 1);

  // The REP endpoint keeps working beside it.
  zmq::socket_t client(context, zmq::socket_type::req);
  client.set(zmq::sockopt::linger, 0);
  client.connect("inproc://daemon-control");
  send_frames(client, {R"({"cmd":"status"})"});
  const auto direct = receive_frames(client, std::chrono::seconds(3));
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_TRUE(nlohmann::json::parse(direct[0])["ok"].get<bool>());
  server.stop();
}

}  // namespace
}  // namespace plinth
