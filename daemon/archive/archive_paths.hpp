#pragma once
// Where things are in a session archive (schemas/archive-layout.md), named once for the writer
// (SessionArchive) and the readers (tools/archive_reader, repair). No HDF5 here: plain names.
#include <string>
#include <string_view>

namespace plinth::archive_paths {

// Groups and root datasets.
inline constexpr std::string_view kDevices = "devices";
inline constexpr std::string_view kPressure = "pressure";
inline constexpr std::string_view kHeart = "heart";
inline constexpr std::string_view kEvents = "events";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kRelaxation = "relaxation";

// A mat's datasets, in pressure/<id>/.
inline constexpr std::string_view kRaw = "raw";
inline constexpr std::string_view kTimeNs = "time_ns";
inline constexpr std::string_view kSeq = "seq";
inline constexpr std::string_view kDeviceTimeUs = "device_time_us";
inline constexpr std::string_view kMetrics = "metrics";
// The exposure snapshots: a prefix and one of three names ("exposure_pti", ...; format 1 "risk_pti").
inline constexpr std::string_view kExposurePrefix = "exposure_";
inline constexpr std::string_view kExposurePrefixV1 = "risk_";
inline constexpr std::string_view kExposurePti = "pti";
inline constexpr std::string_view kExposureTimeAbove = "time_above";
inline constexpr std::string_view kExposureTimeNs = "time_ns";
inline std::string exposure(std::string_view name, std::string_view prefix = kExposurePrefix) {
  return std::string(prefix).append(name);
}

inline constexpr std::string_view kTimelineNs = "timeline_ns";
// Either kind of device: its clock model's rows, in pressure/<id>/ or heart/<id>/.
inline constexpr std::string_view kClock = "clock";

// A heart strap's datasets, in heart/<id>/.
inline constexpr std::string_view kBeats = "beats";
inline constexpr std::string_view kBeatsFinal = "beats_final";
inline constexpr std::string_view kHrv = "hrv";

// "<group>/<id>/<dataset>" (or without the dataset). Built by append(): GCC 12's -Wrestrict
// misreads the operator+ chain at -O3 (a false positive that fails the Release build).
inline std::string device_path(std::string_view group, std::string_view id, std::string_view dataset) {
  std::string path;
  path.reserve(group.size() + id.size() + dataset.size() + 2);
  path.append(group).append("/").append(id);
  if (!dataset.empty()) path.append("/").append(dataset);
  return path;
}
// "pressure/<id>/<dataset>" (or just the group, without a dataset).
inline std::string mat(std::string_view id, std::string_view dataset = {}) { return device_path(kPressure, id, dataset); }
// "heart/<id>/<dataset>".
inline std::string heart(std::string_view id, std::string_view dataset = {}) { return device_path(kHeart, id, dataset); }
// The same from the file's root ("/pressure/<id>/..."), as HDF5 calls on a file handle take it.
inline std::string absolute(std::string_view path) { return std::string("/").append(path); }

}  // namespace plinth::archive_paths
