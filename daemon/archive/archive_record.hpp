#pragma once
// What travels from acquisition to the archive thread: one record of any kind. Records live
// in the queue's preallocated slots and are filled in place, so the vectors and strings keep
// their capacity from one use to the next and nothing is allocated per frame once warm.
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/archive/archive_layout.hpp"

namespace plinth {

struct ArchiveRecord {
  enum class Kind : std::uint8_t { frame, metrics, beat, hrv, event, status, relaxation, exposure };
  static constexpr std::size_t kKinds = 8;

  Kind kind = Kind::frame;
  std::uint32_t device = 0;
  std::int64_t time_ns = 0;
  std::uint32_t seq = 0;                // frame
  std::uint64_t device_time_us = 0;     // frame
  ArchiveBeat beat;                     // beat (its time_ns is used)
  double value = 0.0;                   // event
  std::vector<std::uint16_t> raw;       // frame
  std::vector<double> values;           // frame/metrics: metrics; beat: extras; hrv; status: gauges; relaxation
  std::vector<std::uint64_t> counters;  // status
  std::vector<float> exposure;          // exposure: pressure-time integral map, then time-above map
                                        // (released after writing: a snapshot every few seconds
                                        // must not leave a map's worth of memory in every slot)
  std::string event_kind;               // event
  std::string label;                    // event
  std::string detail;                   // event
};

const char* archive_record_kind_name(ArchiveRecord::Kind kind);

}  // namespace plinth
