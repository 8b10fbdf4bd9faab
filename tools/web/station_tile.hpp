#pragma once
// One treatment table's tile on the clinic overview (schemas/dashboard.md §Clinic overview):
// what the newest messages of its station say (occupied, load, heart rate, relaxation, device
// and archive health) and which alarms a therapist walking past should see. Pure: fed with
// parsed messages and the time they came, asked at a given time; tested in tests/unit.
#include <google/protobuf/message.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "plinth/proto/plinth.pb.h"

namespace plinth::web {

struct TileThresholds {
  double station_silent_s = 5.0;  // nothing at all from the station: its daemon or its link is gone
  double status_stale_s = 3.5;    // `status` comes once a second
  double mat_no_data_s = 2.0;     // a connected mat without metrics (the page's stale-frame limit)
  double beat_absent_s = 10.0;    // heart rate from a beat this recent ...
  double hrv_absent_s = 15.0;     // ... else from the 5-s HRV update
  double relaxation_stale_s = 15.0;
  double errors_recent_s = 30.0;  // transmission errors this recent raise a warning
};

class StationTile {
 public:
  explicit StationTile(std::string station) : station_(std::move(station)) {}

  // `now_s`: seconds on a monotonic clock.
  void observe(std::string_view topic, const google::protobuf::Message& message, double now_s);

  // {"station","level":"ok|warn|bad","silent_s","recording","session_id","mat","occupied","load_n",
  //  "hr_bpm","rmssd_ms","relaxation":{index,state,trend}|null,"devices":[...],"archive":{...}|null,
  //  "alarms":[{"kind","level","text","device"?}]}; a reading whose source went stale is null.
  nlohmann::json to_json(double now_s, const TileThresholds& limits) const;

  double last_message_s() const { return last_message_s_; }

 private:
  struct Reading {
    double at_s = -1;  // < 0: never
    bool fresh(double now_s, double limit_s) const { return at_s >= 0 && now_s - at_s <= limit_s; }
  };
  struct DeviceErrors {
    std::uint64_t total = 0;
    double last_increase_s = -1;
  };
  void observe_status(const v1::Status& status, double now_s);
  nlohmann::json alarms(double now_s, const TileThresholds& limits) const;

  std::string station_;
  double last_message_s_ = -1;
  std::string session_id_;
  std::string mat_;  // the first mat seen is the one whose load the tile shows
  v1::PressureMetrics metrics_;
  Reading metrics_at_;
  std::map<std::string, double> mat_metrics_at_;  // every mat's newest metrics (for "no data")
  v1::HeartBeat beat_;
  Reading beat_at_;
  v1::HeartHrv hrv_;
  Reading hrv_at_;
  v1::Relaxation relaxation_;
  Reading relaxation_at_;
  v1::Status status_;
  Reading status_at_;
  std::map<std::string, DeviceErrors> device_errors_;
};

}  // namespace plinth::web
