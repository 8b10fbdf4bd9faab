#include "tools/hub/data_proxy.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

namespace plinth::hub {
namespace {

constexpr const char* kSteeringEndpoint = "inproc://plinth-hub-steering";
// Enough for a few seconds of eight stations at full rate should the statistics stall.
constexpr int kCaptureHighWaterMark = 100000;

}  // namespace

DataProxy::DataProxy(zmq::context_t& context, zmq::socket_t& daemons_xsub, zmq::socket_t& consumers_xpub)
    : capture_(context, zmq::socket_type::pub),
      steering_(context, zmq::socket_type::rep),
      steer_(context, zmq::socket_type::req) {
  capture_.set(zmq::sockopt::sndhwm, kCaptureHighWaterMark);
  capture_.set(zmq::sockopt::linger, 0);
  capture_.bind(kCaptureEndpoint);
  steering_.bind(kSteeringEndpoint);
  steer_.set(zmq::sockopt::linger, 0);
  steer_.connect(kSteeringEndpoint);
  thread_ = std::thread([this, &daemons_xsub, &consumers_xpub] {
    try {
      zmq::proxy_steerable(zmq::socket_ref(daemons_xsub), zmq::socket_ref(consumers_xpub), zmq::socket_ref(capture_),
                           zmq::socket_ref(steering_));
    } catch (const zmq::error_t& e) {
      if (e.num() != ETERM) spdlog::error("hub: the data proxy stopped: {}", e.what());
    }
  });
}

DataProxy::~DataProxy() {
  // The proxy does not answer TERMINATE; the REQ socket is closed with it.
  (void)steer_.send(zmq::str_buffer("TERMINATE"), zmq::send_flags::dontwait);
  if (thread_.joinable()) thread_.join();
}

ProxyStatistics DataProxy::statistics() {
  ProxyStatistics figures{};
  steer_.send(zmq::str_buffer("STATISTICS"), zmq::send_flags::none);
  for (auto& figure : figures) {
    zmq::message_t part;
    if (!steer_.recv(part, zmq::recv_flags::none)) break;
    if (part.size() == sizeof figure) std::memcpy(&figure, part.data(), sizeof figure);
  }
  return figures;
}

}  // namespace plinth::hub
