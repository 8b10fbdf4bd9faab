#pragma once
// What each station sent through the hub: counts and rates for hub.status (schemas/hub.md).
// Pure: the caller passes the clock, so tests drive it with made-up times.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace plinth::hub {

// A station counts as connected while its messages arrive: the daemons publish `status` every
// second, so two seconds of silence means it is gone (or has nothing subscribed).
inline constexpr std::int64_t kStationSilenceNs = 2'000'000'000;

struct StationFigures {
  std::string station;
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  double rate_hz = 0;        // since the previous snapshot
  double bytes_per_s = 0;
  std::int64_t last_seen_ns = 0;
  bool connected = false;
};

struct TrafficSnapshot {
  std::vector<StationFigures> stations;  // by name
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  double messages_per_s = 0;
  double bytes_per_s = 0;
};

class StationTraffic {
 public:
  void count(std::string_view station, std::size_t bytes, std::int64_t now_ns);
  // Rates cover the time since the previous snapshot (or the first message counted).
  TrafficSnapshot snapshot(std::int64_t now_ns);

 private:
  struct Tally {
    std::uint64_t messages = 0, bytes = 0;
    std::uint64_t messages_at_snapshot = 0, bytes_at_snapshot = 0;
    std::int64_t last_seen_ns = 0;
  };
  std::map<std::string, Tally, std::less<>> stations_;
  std::int64_t previous_snapshot_ns_ = -1;
  std::uint64_t messages_at_snapshot_ = 0, bytes_at_snapshot_ = 0;
};

}  // namespace plinth::hub
