#pragma once
// The clinic overview's state (GET /clinic.json): one tile per station heard on the data
// stream (tools/web/station_tile.hpp), at most `max_stations` of them (the longest silent is
// forgotten first). Fed by the subscriber thread, read by the network thread.
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "tools/web/station_tile.hpp"

namespace plinth::web {

// The clock both sides use in `plinth web`; tests pass their own times.
inline double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct ClinicSettings {
  std::size_t max_stations = 32;  // a clinic has a few to 20 tables
  TileThresholds thresholds;
};

class ClinicBoard {
 public:
  explicit ClinicBoard(ClinicSettings settings = {}) : settings_(settings) {}

  // One message of `station` ("" for a daemon older than stream v1.2); `now_s` monotonic.
  void observe(const std::string& station, std::string_view topic, const google::protobuf::Message& message, double now_s);

  // {"stations":[tile, ...] by station name, "station_silent_s":N}
  nlohmann::json to_json(double now_s) const;

 private:
  const ClinicSettings settings_;
  mutable std::mutex mutex_;
  std::map<std::string, StationTile> tiles_;
};

}  // namespace plinth::web
