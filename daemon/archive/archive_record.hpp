#pragma once
// The archive's record kinds (layout: schemas/archive-layout.md), listed once: `ArchiveRecord`
// below is the list. A kind is a plain struct with its name; SessionArchive writes each kind
// with one overload (a missing one fails to compile where ArchiveWriter visits the variant),
// and the writer's queue, drop counters and closing attributes follow from the list.
//
// Records live in the writer queue's preallocated slots and are filled in place, so a slot that
// held the same kind before keeps its vectors' capacity: nothing is allocated per frame once warm.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <tuple>
#include <vector>

#include "daemon/archive/archive_layout.hpp"

namespace plinth {
namespace archived {

// time_ns everywhere: host arrival time, UNIX ns. `device`: position in the layout given to
// SessionArchive::create().
struct Frame {
  static constexpr std::string_view kName = "frame";
  std::uint32_t device = 0;
  std::int64_t time_ns = 0;
  std::uint32_t seq = 0;
  std::uint64_t device_time_us = 0;
  std::vector<std::uint16_t> raw{};  // rows*cols, row-major
  std::vector<double> metrics{};     // one per layout metric field, or empty: no metrics row
  std::int64_t timeline_ns = 0;      // the clock model's time for the frame (0: time_ns)
};

// A metrics row on its own, for metrics computed apart from the frame.
struct Metrics {
  static constexpr std::string_view kName = "metrics";
  std::uint32_t device = 0;
  std::int64_t time_ns = 0;
  std::vector<double> metrics{};
};

struct Beat {
  static constexpr std::string_view kName = "beat";
  std::uint32_t device = 0;
  ArchiveBeat beat{};            // provisional, or final_decision
  std::vector<double> extra{};   // one per layout beat_extra_fields (final: final_beat_fields) entry, or empty: NaN
};

struct Hrv {
  static constexpr std::string_view kName = "hrv";
  std::uint32_t device = 0;
  std::int64_t time_ns = 0;
  std::vector<double> values{};  // one per layout hrv_fields entry
};

// Text longer than the stored width (kind 32, label 64, detail 256 bytes of UTF-8) is cut at a
// character boundary. `value` is NaN where meaningless. Sequence gaps are events of kind "gap"
// (label = device id, value = frames lost).
struct Event {
  static constexpr std::string_view kName = "event";
  std::int64_t time_ns = 0;
  std::string kind{};
  std::string label{};
  double value = 0.0;
  std::string detail{};
};

struct Status {
  static constexpr std::string_view kName = "status";
  std::int64_t time_ns = 0;
  std::vector<std::uint64_t> counters{};  // one per status layout counter
  std::vector<double> gauges{};           // one per status layout gauge
};

struct Relaxation {
  static constexpr std::string_view kName = "relaxation";
  std::int64_t time_ns = 0;
  std::vector<double> values{};  // one per status layout relaxation field
};

// One exposure map snapshot of a mat, as accumulated up to the frame at time_ns; rows*cols
// values each, row-major. Released after writing: a snapshot every few seconds must not leave
// a map's worth of memory in every queue slot.
struct Exposure {
  static constexpr std::string_view kName = "exposure";
  std::uint32_t device = 0;
  std::int64_t time_ns = 0;
  std::vector<float> pti_mmhg_s{};    // pressure-time integral
  std::vector<float> time_above_s{};  // time above the exposure threshold
};

// One device's clock model (schemas/clock-model.md) as of the sample that arrived at time_ns:
// a row about once a second and at every restart of the model.
struct Clock {
  static constexpr std::string_view kName = "clock";
  std::uint32_t device = 0;
  std::int64_t time_ns = 0;      // the sample's host arrival
  std::int64_t timeline_ns = 0;  // the sample on the timeline
  std::int64_t offset_ns = 0;
  double drift_ppm = 0.0;
  std::int64_t residual_ns = 0;
  std::uint32_t points = 0;
  std::uint32_t segment = 0;
  std::uint32_t settled = 0;  // 0 or 1
  std::uint32_t restart = 0;  // ClockRestart: 0 none, 1 first sample, 2 reset, 3 jump, 4 lost time, 5 requested
};

}  // namespace archived

// A queue slot that holds one record of any of `Kinds`. Unlike a std::variant it keeps every
// kind's record (and so its vectors' capacity) when the slot switches kind: a slot that once
// held a frame and then a beat still holds a frame's buffers for the next frame.
template <typename... Kinds>
class RecordSlot {
 public:
  static constexpr std::size_t kKinds = sizeof...(Kinds);

  // The index of `Record` among Kinds; kKinds if it is not one of them.
  template <typename Record>
  static constexpr std::size_t kind_of = [] {
    std::size_t index = 0;
    ((std::is_same_v<Record, Kinds> ? false : (++index, true)) && ...);
    return index;
  }();

  RecordSlot() = default;
  template <typename Record>
  RecordSlot(Record record) {  // NOLINT(google-explicit-constructor): a record is a slot's content
    emplace<Record>() = std::move(record);
  }

  // Makes `Record` the active kind and returns it as it was last left (clear or assign into it).
  template <typename Record>
  Record& emplace() {
    active_ = kind_of<Record>;
    return std::get<Record>(records_);
  }
  template <typename Record>
  Record* get_if() {
    return active_ == kind_of<Record> ? &std::get<Record>(records_) : nullptr;
  }

  // visit(record) on the active record; every kind must give the same result type.
  template <typename Visit>
  auto visit(Visit&& visit) const {
    return visit_at(std::forward<Visit>(visit), std::index_sequence_for<Kinds...>{});
  }

 private:
  template <typename Visit, std::size_t... I>
  auto visit_at(Visit&& visit, std::index_sequence<I...>) const {
    using Result = decltype(visit(std::get<0>(records_)));
    Result result{};
    ((active_ == I ? (result = visit(std::get<I>(records_)), true) : false) || ...);
    return result;
  }

  std::size_t active_ = 0;
  std::tuple<Kinds...> records_;
};

// The one list of record kinds. A new kind: its struct above, its name here, a
// SessionArchive::Impl::write overload and its datasets (schemas/archive-layout.md).
using ArchiveRecord = RecordSlot<archived::Frame, archived::Metrics, archived::Beat, archived::Hrv, archived::Event,
                                 archived::Status, archived::Relaxation, archived::Exposure, archived::Clock>;

inline constexpr std::size_t kArchiveRecordKinds = ArchiveRecord::kKinds;

// The index of kind `Record` in ArchiveRecord (and in every per-kind array).
template <typename Record>
inline constexpr std::size_t archive_record_kind = ArchiveRecord::kind_of<Record>;

// Names by kind index: the "archive.dropped" event labels and `archive_dropped_<name>` attributes.
inline constexpr auto kArchiveRecordKindNames = []<typename... Kinds>(RecordSlot<Kinds...>*) {
  return std::array<std::string_view, sizeof...(Kinds)>{Kinds::kName...};
}(static_cast<ArchiveRecord*>(nullptr));

}  // namespace plinth
