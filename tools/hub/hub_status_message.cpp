#include "tools/hub/hub_status_message.hpp"

#include <algorithm>

#include "plinth/proto/plinth.pb.h"

namespace plinth::hub {

std::string encode_hub_status(const HubFigures& f) {
  v1::HubStatus m;
  auto* header = m.mutable_header();
  header->set_station(f.hub_name);
  header->set_seq(f.seq);
  header->set_host_time_ns(f.now_ns);
  m.set_uptime_s(f.uptime_s);
  m.set_messages(f.traffic.messages);
  m.set_bytes(f.traffic.bytes);
  m.set_messages_per_s(f.traffic.messages_per_s);
  m.set_bytes_per_s(f.traffic.bytes_per_s);
  m.set_subscribers(static_cast<std::uint32_t>(f.subscribers));
  auto has_control = [&](const std::string& s) {
    return std::find(f.control_stations.begin(), f.control_stations.end(), s) != f.control_stations.end();
  };
  for (const auto& s : f.traffic.stations) {
    auto* out = m.add_stations();
    out->set_station(s.station);
    out->set_messages(s.messages);
    out->set_bytes(s.bytes);
    out->set_rate_hz(s.rate_hz);
    out->set_bytes_per_s(s.bytes_per_s);
    out->set_last_seen_ns(s.last_seen_ns);
    out->set_connected(s.connected);
    out->set_control(has_control(s.station));
  }
  // A station reachable for control whose data has not arrived (nothing subscribed yet).
  for (const auto& name : f.control_stations) {
    const bool listed = std::any_of(f.traffic.stations.begin(), f.traffic.stations.end(),
                                    [&](const StationFigures& s) { return s.station == name; });
    if (listed) continue;
    auto* out = m.add_stations();
    out->set_station(name);
    out->set_control(true);
  }
  auto* proxy = m.mutable_proxy();
  proxy->set_frontend_messages_in(f.proxy[0]);
  proxy->set_frontend_bytes_in(f.proxy[1]);
  proxy->set_frontend_messages_out(f.proxy[2]);
  proxy->set_frontend_bytes_out(f.proxy[3]);
  proxy->set_backend_messages_in(f.proxy[4]);
  proxy->set_backend_bytes_in(f.proxy[5]);
  proxy->set_backend_messages_out(f.proxy[6]);
  proxy->set_backend_bytes_out(f.proxy[7]);
  m.set_capture_missed(f.proxy[0] > f.captured ? f.proxy[0] - f.captured : 0);
  return m.SerializeAsString();
}

}  // namespace plinth::hub
