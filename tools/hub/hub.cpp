#include "tools/hub/hub.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <zmq.hpp>

#include "daemon/control_request.hpp"
#include "daemon/host_clock.hpp"
#include "daemon/security/curve_keys.hpp"
#include "daemon/security/zap_authenticator.hpp"
#include "daemon/topics.hpp"
#include "tools/hub/control_broker.hpp"
#include "tools/hub/data_proxy.hpp"
#include "tools/hub/hub_status_message.hpp"
#include "tools/hub/traffic_watch.hpp"

namespace plinth::hub {
namespace {

// hub.status enters the stream at the daemons' side, so it reaches consumers exactly like a
// station's messages (and only those that subscribed to it).
constexpr const char* kStatusEndpoint = "inproc://plinth-hub-status";

// One ZeroMQ context per side: ZAP is per context, and the daemons and the consumers are
// admitted from different directories (a consumer's key must not be able to publish).
struct Side {
  Side(const HubOptions& o, const std::string& authorized_dir) {
    if (o.curve()) zap.emplace(context, authorized_dir);
  }
  zmq::context_t context;
  std::optional<ZapAuthenticator> zap;  // before the sockets: it answers their first handshake
};

void secure(zmq::socket_t& socket, const std::optional<CurveKeyPair>& keys, const char* zap_domain) {
  socket.set(zmq::sockopt::linger, 0);
  if (keys) make_curve_server(socket, keys->secret_key, zap_domain);
}

}  // namespace

struct Hub::Impl {
  explicit Impl(const HubOptions& o)
      : options(o),
        keys(o.curve() ? std::optional(read_secret_key_file(o.key_file)) : std::nullopt),
        daemons(o, o.authorized_daemons),
        consumers(o, o.authorized_clients),
        daemons_data(daemons.context, zmq::socket_type::xsub),
        daemons_control(daemons.context, zmq::socket_type::router),
        consumers_data(consumers.context, zmq::socket_type::xpub),
        consumers_control(consumers.context, zmq::socket_type::router),
        status(daemons.context, zmq::socket_type::pub) {
    secure(daemons_data, keys, "plinth-hub-daemons");
    daemons_data.bind(o.daemons_data);
    daemons_data.bind(kStatusEndpoint);
    secure(daemons_control, keys, "plinth-hub-daemons");
    // A restarted daemon comes back with the same routing id (its station) before ZeroMQ has
    // noticed the old connection is dead: the new one takes over.
    daemons_control.set(zmq::sockopt::router_handover, 1);
    daemons_control.set(zmq::sockopt::router_mandatory, 1);
    daemons_control.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(kMaxControlRequestBytes * 4));
    daemons_control.bind(o.daemons_control);
    secure(consumers_data, keys, "plinth-hub-data");
    consumers_data.set(zmq::sockopt::sndhwm, o.high_water_mark);
    consumers_data.bind(o.consumers_data);
    secure(consumers_control, keys, "plinth-hub-control");
    consumers_control.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(kMaxControlRequestBytes * 4));
    consumers_control.bind(o.consumers_control);
    status.set(zmq::sockopt::linger, 0);
    status.connect(kStatusEndpoint);
    watch.emplace(consumers.context, consumers_data, o.name);
    proxy.emplace(consumers.context, daemons_data, consumers_data);
    broker.emplace(consumers_control, daemons_control);
  }

  void publish_status(std::int64_t now_ns) {
    HubFigures f;
    f.hub_name = options.name;
    f.seq = status_seq++;
    f.now_ns = now_ns;
    f.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    f.traffic = watch->traffic().snapshot(now_ns);
    f.control_stations = broker->routes().reachable_stations(now_ns);
    f.subscribers = watch->subscribers();
    f.proxy = proxy->statistics();
    f.captured = watch->captured();
    const std::string payload = encode_hub_status(f);
    (void)status.send(zmq::buffer(topics::hub_status), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    (void)status.send(zmq::buffer(payload), zmq::send_flags::dontwait);
  }

  HubOptions options;
  std::optional<CurveKeyPair> keys;
  Side daemons, consumers;
  zmq::socket_t daemons_data, daemons_control, consumers_data, consumers_control, status;
  std::optional<TrafficWatch> watch;
  std::optional<DataProxy> proxy;
  std::optional<ControlBroker> broker;
  std::uint64_t status_seq = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

Hub::Hub(const HubOptions& options) : impl_(std::make_unique<Impl>(options)) {}

Hub::~Hub() {
  if (!impl_) return;
  impl_->broker.reset();
  impl_->proxy.reset();  // stops the proxy thread before its sockets close
}

void Hub::run(const std::atomic<bool>& stop) {
  Impl& d = *impl_;
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(d.options.status_interval_s));
  auto next_status = std::chrono::steady_clock::now() + interval;
  while (!stop) {
    zmq::pollitem_t items[] = {{d.watch->capture().handle(), 0, ZMQ_POLLIN, 0},
                               {d.watch->monitor().handle(), 0, ZMQ_POLLIN, 0},
                               {d.consumers_control.handle(), 0, ZMQ_POLLIN, 0},
                               {d.daemons_control.handle(), 0, ZMQ_POLLIN, 0}};
    const auto wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(next_status -
                                                                                        std::chrono::steady_clock::now()),
                                 std::chrono::milliseconds(0), std::chrono::milliseconds(100));
    try {
      zmq::poll(items, 4, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    const std::int64_t now_ns = wall_clock_unix_ns();
    // Drain the capture in bursts: it carries every station's messages.
    if (items[0].revents & ZMQ_POLLIN)
      for (int i = 0; i < 1000 && (d.watch->capture().get(zmq::sockopt::events) & ZMQ_POLLIN); ++i)
        d.watch->on_capture(now_ns);
    if (items[1].revents & ZMQ_POLLIN) d.watch->on_monitor();
    if (items[2].revents & ZMQ_POLLIN) d.broker->on_client_message(now_ns);
    if (items[3].revents & ZMQ_POLLIN) d.broker->on_daemon_message(now_ns);
    d.broker->expire(now_ns);
    if (std::chrono::steady_clock::now() >= next_status) {
      next_status += interval;
      d.publish_status(now_ns);
    }
  }
}

}  // namespace plinth::hub
