#pragma once
// The ZeroMQ topic names (schemas/topics.md) in one place, for the daemon, `plinth replay`,
// `calibrate`, `sub` and the dashboard. A device's topic is its prefix plus the device id; a
// subscriber matches by prefix, so no prefix may begin another ("heart.beat." does not begin
// "heart.beat_final.").
#include <string>
#include <string_view>

namespace plinth::topics {

inline constexpr std::string_view pressure_frame = "pressure.frame.";
inline constexpr std::string_view pressure_metrics = "pressure.metrics.";
inline constexpr std::string_view pressure_exposure = "pressure.exposure.";
inline constexpr std::string_view pressure_risk = "pressure.risk.";  // pressure_exposure before v1.1
inline constexpr std::string_view heart_beat = "heart.beat.";
inline constexpr std::string_view heart_beat_final = "heart.beat_final.";
inline constexpr std::string_view heart_hrv = "heart.hrv.";
inline constexpr std::string_view relaxation = "relaxation";
inline constexpr std::string_view session_event = "session.event";
inline constexpr std::string_view status = "status";
// Published by `plinth hub`, not by plinthd (schemas/hub.md).
inline constexpr std::string_view hub_status = "hub.status";

inline std::string for_device(std::string_view prefix, std::string_view device_id) {
  std::string name(prefix);
  name += device_id;
  return name;
}

}  // namespace plinth::topics
