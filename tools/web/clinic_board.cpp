#include "tools/web/clinic_board.hpp"

#include <algorithm>

namespace plinth::web {

void ClinicBoard::observe(const std::string& station, std::string_view topic, const google::protobuf::Message& message,
                          double now_s) {
  std::lock_guard lock(mutex_);
  auto it = tiles_.find(station);
  if (it == tiles_.end()) {
    if (tiles_.size() >= settings_.max_stations)
      tiles_.erase(std::min_element(tiles_.begin(), tiles_.end(), [](const auto& a, const auto& b) {
        return a.second.last_message_s() < b.second.last_message_s();
      }));
    it = tiles_.emplace(station, StationTile(station)).first;
  }
  it->second.observe(topic, message, now_s);
}

nlohmann::json ClinicBoard::to_json(double now_s) const {
  std::lock_guard lock(mutex_);
  nlohmann::json stations = nlohmann::json::array();
  for (const auto& [name, tile] : tiles_) stations.push_back(tile.to_json(now_s, settings_.thresholds));
  return {{"stations", std::move(stations)}, {"station_silent_s", settings_.thresholds.station_silent_s}};
}

}  // namespace plinth::web
