#include "tools/hub/control_broker.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "daemon/control_request.hpp"

namespace plinth::hub {
namespace {

std::vector<zmq::message_t> receive_all(zmq::socket_t& socket) {
  std::vector<zmq::message_t> frames;
  zmq::message_t frame;
  do {
    if (!socket.recv(frame, zmq::recv_flags::dontwait)) break;
    frames.push_back(std::move(frame));
  } while (frames.back().more());
  return frames;
}

}  // namespace

void ControlBroker::reply_to_client(const std::string& client, const std::string& reply) {
  // [client, empty, reply]: what the client's REQ socket expects.
  (void)clients_.send(zmq::buffer(client), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  (void)clients_.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
  (void)clients_.send(zmq::buffer(reply), zmq::send_flags::dontwait);
}

void ControlBroker::on_client_message(std::int64_t now_ns) {
  auto frames = receive_all(clients_);
  // A REQ client's request: [client id, empty, request].
  if (frames.size() != 3 || frames[1].size() != 0) return;
  const std::string client = frames[0].to_string();
  const auto decision = route_request(frames[2].to_string_view(), routes_.reachable_stations(now_ns));
  if (const auto* now = std::get_if<ReplyNow>(&decision)) {
    reply_to_client(client, now->reply);
    return;
  }
  const auto& forward = std::get<ForwardRequest>(decision);
  // [station, client id, empty, request]: the daemon's DEALER receives [client id, empty,
  // request] and sends the reply back with the same envelope.
  try {
    if (!daemons_.send(zmq::buffer(forward.station), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      reply_to_client(client, control_error_reply("station '" + forward.station + "' is busy: its queue is full"));
      return;
    }
    daemons_.send(zmq::buffer(client), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    daemons_.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    daemons_.send(zmq::buffer(forward.request), zmq::send_flags::dontwait);
    pending_.add(client, forward.station, now_ns + kReplyTimeoutNs);
  } catch (const zmq::error_t& e) {
    // ROUTER_MANDATORY: the station's connection is gone (EHOSTUNREACH).
    reply_to_client(client, control_error_reply("station '" + forward.station + "' cannot be reached: " + e.what()));
  }
}

void ControlBroker::on_daemon_message(std::int64_t now_ns) {
  auto frames = receive_all(daemons_);
  if (frames.empty()) return;
  const std::string station = frames[0].to_string();
  routes_.heard_from(station, now_ns);
  // [station, hello] or [station, client id, empty, reply].
  if (frames.size() != 4 || frames[2].size() != 0) return;
  const std::string client = frames[1].to_string();
  if (!pending_.take(client)) return;  // answered already (timed out): the client has moved on
  reply_to_client(client, frames[3].to_string());
}

void ControlBroker::expire(std::int64_t now_ns) {
  for (const auto& [client, station] : pending_.expire(now_ns)) {
    spdlog::warn("hub: station {} did not answer a control request within {} s", station, kReplyTimeoutNs / 1000000000);
    reply_to_client(client, control_error_reply("station '" + station + "' did not answer within " +
                                                std::to_string(kReplyTimeoutNs / 1000000000) + " s"));
  }
}

}  // namespace plinth::hub
