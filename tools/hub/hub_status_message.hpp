#pragma once
// hub.status (HubStatus in schemas/proto/plinth.proto) from the hub's figures. Pure.
#include <cstdint>
#include <string>
#include <vector>

#include "tools/hub/proxy_statistics.hpp"
#include "tools/hub/station_traffic.hpp"

namespace plinth::hub {

struct HubFigures {
  std::string hub_name;
  std::uint64_t seq = 0;
  std::int64_t now_ns = 0;
  double uptime_s = 0;
  TrafficSnapshot traffic;
  std::vector<std::string> control_stations;  // reachable for control now
  std::size_t subscribers = 0;
  ProxyStatistics proxy{};
  std::uint64_t captured = 0;  // daemon-side messages the statistics saw (the hub's own included)
};

std::string encode_hub_status(const HubFigures& figures);

}  // namespace plinth::hub
