#include "tools/hub/station_traffic.hpp"

namespace plinth::hub {

void StationTraffic::count(std::string_view station, std::size_t bytes, std::int64_t now_ns) {
  auto it = stations_.find(station);
  if (it == stations_.end()) it = stations_.emplace(std::string(station), Tally{}).first;
  ++it->second.messages;
  it->second.bytes += bytes;
  it->second.last_seen_ns = now_ns;
  if (previous_snapshot_ns_ < 0) previous_snapshot_ns_ = now_ns;
}

TrafficSnapshot StationTraffic::snapshot(std::int64_t now_ns) {
  TrafficSnapshot out;
  const double seconds = previous_snapshot_ns_ < 0 ? 0.0 : static_cast<double>(now_ns - previous_snapshot_ns_) * 1e-9;
  auto per_second = [seconds](std::uint64_t delta) { return seconds > 0 ? static_cast<double>(delta) / seconds : 0.0; };
  for (auto& [name, tally] : stations_) {
    StationFigures f;
    f.station = name;
    f.messages = tally.messages;
    f.bytes = tally.bytes;
    f.rate_hz = per_second(tally.messages - tally.messages_at_snapshot);
    f.bytes_per_s = per_second(tally.bytes - tally.bytes_at_snapshot);
    f.last_seen_ns = tally.last_seen_ns;
    f.connected = now_ns - tally.last_seen_ns <= kStationSilenceNs;
    tally.messages_at_snapshot = tally.messages;
    tally.bytes_at_snapshot = tally.bytes;
    out.messages += tally.messages;
    out.bytes += tally.bytes;
    out.stations.push_back(std::move(f));
  }
  out.messages_per_s = per_second(out.messages - messages_at_snapshot_);
  out.bytes_per_s = per_second(out.bytes - bytes_at_snapshot_);
  messages_at_snapshot_ = out.messages;
  bytes_at_snapshot_ = out.bytes;
  if (previous_snapshot_ns_ >= 0) previous_snapshot_ns_ = now_ns;
  return out;
}

}  // namespace plinth::hub
