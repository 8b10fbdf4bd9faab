#include "tools/web/station_tile.hpp"

#include <algorithm>
#include <cmath>

#include "daemon/topics.hpp"

namespace plinth::web {
namespace {

using nlohmann::json;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// What a broken link costs: frames that failed their checks or never came.
std::uint64_t transmission_errors(const v1::DeviceStatus& d) { return d.crc_errors() + d.framing_errors() + d.frames_lost(); }

json alarm(std::string kind, std::string level, std::string text, std::string device = {}) {
  json a{{"kind", std::move(kind)}, {"level", std::move(level)}, {"text", std::move(text)}};
  if (!device.empty()) a["device"] = std::move(device);
  return a;
}

std::string seconds(double s) { return std::to_string(static_cast<long long>(std::floor(s))) + " s"; }

}  // namespace

void StationTile::observe(std::string_view topic, const google::protobuf::Message& message, double now_s) {
  last_message_s_ = std::max(last_message_s_, now_s);
  if (starts_with(topic, topics::pressure_metrics)) {
    const auto* m = dynamic_cast<const v1::PressureMetrics*>(&message);
    if (!m) return;
    const std::string mat(topic.substr(topics::pressure_metrics.size()));
    mat_metrics_at_[mat] = now_s;
    if (mat_.empty()) mat_ = mat;
    if (mat != mat_) return;
    metrics_ = *m;
    metrics_at_.at_s = now_s;
  } else if (starts_with(topic, topics::heart_beat)) {
    if (const auto* b = dynamic_cast<const v1::HeartBeat*>(&message)) {
      beat_ = *b;
      beat_at_.at_s = now_s;
    }
  } else if (starts_with(topic, topics::heart_hrv)) {
    // The sliding window is the live one; the others (baseline, standard) only fill a gap.
    const auto* h = dynamic_cast<const v1::HeartHrv*>(&message);
    if (h && (h->window_kind() == "sliding" || hrv_.window_kind() != "sliding")) {
      hrv_ = *h;
      hrv_at_.at_s = now_s;
    }
  } else if (topic == topics::relaxation) {
    if (const auto* r = dynamic_cast<const v1::Relaxation*>(&message)) {
      relaxation_ = *r;
      relaxation_at_.at_s = now_s;
    }
  } else if (topic == topics::status) {
    if (const auto* s = dynamic_cast<const v1::Status*>(&message)) observe_status(*s, now_s);
  }
}

void StationTile::observe_status(const v1::Status& status, double now_s) {
  for (const auto& d : status.devices()) {
    DeviceErrors& errors = device_errors_[d.id()];
    const std::uint64_t total = transmission_errors(d);
    // A daemon restart starts its counters at 0 again: only a rise counts.
    if (total > errors.total && status_at_.at_s >= 0) errors.last_increase_s = now_s;
    errors.total = total;
  }
  if (device_errors_.size() > 64) device_errors_.clear();  // devices come and go by id; never grows without bound
  status_ = status;
  status_at_.at_s = now_s;
  session_id_ = status.header().session_id();  // empty between sessions
}

json StationTile::alarms(double now_s, const TileThresholds& limits) const {
  json out = json::array();
  if (now_s - last_message_s_ > limits.station_silent_s) {
    // Everything else on the tile is as old as this; one alarm says it all.
    out.push_back(alarm("silent", "bad", "No data from " + station_ + " for " + seconds(now_s - last_message_s_)));
    return out;
  }
  const bool status_fresh = status_at_.fresh(now_s, limits.status_stale_s);
  if (!status_fresh) out.push_back(alarm("status", "warn", "No status from the daemon: device states unknown"));
  if (status_fresh) {
    for (const auto& d : status_.devices()) {
      if (d.state() != "connected") {
        out.push_back(alarm("device", "bad", (d.kind() == "heart" ? "STRAP " : "MAT ") + d.id() + " " + upper(d.state()), d.id()));
        continue;
      }
      if (d.kind() == "mat") {
        const auto seen = mat_metrics_at_.find(d.id());
        const double age = seen == mat_metrics_at_.end() ? -1 : now_s - seen->second;
        if (age < 0 || age > limits.mat_no_data_s)
          out.push_back(alarm("no_data", "bad",
                              "No pressure data from " + d.id() + (age < 0 ? "" : " for " + seconds(age)), d.id()));
      }
      const auto errors = device_errors_.find(d.id());
      if (errors != device_errors_.end() && errors->second.last_increase_s >= 0 &&
          now_s - errors->second.last_increase_s <= limits.errors_recent_s)
        out.push_back(alarm("errors", "warn",
                            d.id() + ": transmission errors (CRC " + std::to_string(d.crc_errors()) + ", framing " +
                                std::to_string(d.framing_errors()) + ", lost frames " + std::to_string(d.frames_lost()) + ")",
                            d.id()));
    }
    if (!status_.archive().error().empty())
      out.push_back(alarm("archive", "warn", "Session is NOT being archived: " + status_.archive().error()));
  }
  return out;
}

json StationTile::to_json(double now_s, const TileThresholds& limits) const {
  json tile{{"station", station_}, {"silent_s", now_s - last_message_s_}, {"session_id", session_id_}};
  // A silent station's last readings are history, not the table's state: none is shown.
  const bool silent = now_s - last_message_s_ > limits.station_silent_s;
  const auto live = [&](const Reading& r, double limit_s) { return !silent && r.fresh(now_s, limit_s); };
  const bool status_fresh = live(status_at_, limits.status_stale_s);
  tile["recording"] = status_fresh ? json(status_.state() == "recording") : json(nullptr);
  tile["mat"] = mat_;
  const bool metrics_fresh = live(metrics_at_, limits.mat_no_data_s);
  tile["occupied"] = metrics_fresh ? json(metrics_.occupied()) : json(nullptr);
  tile["load_n"] = metrics_fresh ? number_or_null(metrics_.total_load_n()) : json(nullptr);
  tile["load_seq"] = metrics_fresh ? json(metrics_.header().device_seq()) : json(nullptr);
  const bool hrv_fresh = live(hrv_at_, limits.hrv_absent_s);
  tile["hr_bpm"] = live(beat_at_, limits.beat_absent_s) ? number_or_null(beat_.hr_bpm())
                   : hrv_fresh                                   ? number_or_null(hrv_.hr_bpm())
                                                                 : json(nullptr);
  tile["rmssd_ms"] = hrv_fresh ? number_or_null(hrv_.rmssd_ms()) : json(nullptr);
  tile["relaxation"] = live(relaxation_at_, limits.relaxation_stale_s)
                           ? json{{"index", number_or_null(relaxation_.index())},
                                  {"state", relaxation_.state()},
                                  {"trend", relaxation_.trend()}}
                           : json(nullptr);
  json devices = json::array();
  for (const auto& d : status_.devices())
    devices.push_back({{"id", d.id()},
                       {"kind", d.kind()},
                       {"state", status_fresh ? json(d.state()) : json("unknown")},
                       {"crc_errors", d.crc_errors()},
                       {"framing_errors", d.framing_errors()},
                       {"frames_lost", d.frames_lost()},
                       {"reconnects", d.reconnects()}});
  tile["devices"] = std::move(devices);
  tile["archive"] = !status_fresh ? json(nullptr)
                                        : json{{"ok", status_.archive().error().empty()},
                                               {"error", status_.archive().error()},
                                               {"free_disk_bytes", status_.archive().free_disk_bytes()}};
  json alarm_list = alarms(now_s, limits);
  std::string level = "ok";
  for (const auto& a : alarm_list) {
    if (a["level"] == "bad") level = "bad";
    if (a["level"] == "warn" && level == "ok") level = "warn";
  }
  tile["level"] = level;
  tile["alarms"] = std::move(alarm_list);
  return tile;
}

}  // namespace plinth::web
