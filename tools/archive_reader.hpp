#pragma once
// Reads a session archive (schemas/archive-layout.md) for replay, inspect and export.
// Fields are looked up by name, never by position, and what the reader does not know is
// ignored, as the layout's versioning rules ask. A file that is still being recorded, or
// whose writer was killed, is opened as an HDF5 SWMR reader; refresh() then sees what the
// writer has flushed since. HDF5 stays behind this header (pimpl).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace plinth {

// Anything wrong with the file: missing, not HDF5, not a Plinth session, damaged.
class ArchiveReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using ArchiveValue = std::variant<std::string, std::int64_t, double>;
using ArchiveValues = std::map<std::string, ArchiveValue>;

std::string to_text(const ArchiveValue& value);
// The attribute as text / number, or the fallback if absent or of another kind.
std::string text_of(const ArchiveValues& values, const std::string& name, const std::string& fallback = {});
std::optional<std::int64_t> integer_of(const ArchiveValues& values, const std::string& name);
std::optional<double> number_of(const ArchiveValues& values, const std::string& name);  // integers too

// A compound dataset: time_ns, and every numeric field (as float64) in file order.
struct ArchiveTable {
  std::vector<std::int64_t> time_ns;
  std::vector<std::int64_t> timeline_ns;     // the rows on the session's timeline, where the table has it
  std::vector<std::string> names;
  std::vector<std::vector<double>> columns;  // columns[k][row] is field names[k]
  std::vector<std::string> units;            // per name, "" if the file says nothing

  std::size_t size() const { return time_ns.size(); }
  // Null if the table has no such field.
  const std::vector<double>* column(std::string_view name) const;
  double value(std::string_view name, std::size_t row, double fallback) const;
};

struct ArchiveEvent {
  std::int64_t time_ns = 0;
  std::string kind;
  std::string label;
  double value = 0.0;
  std::string detail;
};

struct ArchiveDevice {
  std::string id;
  std::string kind;  // "mat" or "heart" (or whatever a later writer uses)
  std::uint16_t rows = 0;  // mats
  std::uint16_t cols = 0;
  ArchiveValues attributes;
};

class ArchiveReader {
 public:
  // Throws ArchiveReadError with the path and the reason.
  static ArchiveReader open(const std::filesystem::path& path);

  ArchiveReader(ArchiveReader&&) noexcept;
  ArchiveReader& operator=(ArchiveReader&&) noexcept;
  ~ArchiveReader();

  const std::filesystem::path& path() const;
  bool opened_as_swmr_reader() const;
  // Re-reads dataset sizes (a live file grows). Cheap; tables are read on request.
  void refresh();

  const ArchiveValues& attributes() const;  // the root group's
  const std::vector<ArchiveDevice>& devices() const;
  const ArchiveDevice* device(std::string_view id) const;

  // Mats. Frame index i is shared by raw, time_ns, seq and device_time_us; frame_count() is
  // the length all of them have reached (they grow one after the other in a live file).
  std::size_t frame_count(std::string_view mat) const;
  std::vector<std::int64_t> frame_times(std::string_view mat) const;  // host arrival
  // The frames on the session's timeline (clock model, schemas/clock-model.md); the arrival
  // times for archives written before it was recorded. has_frame_timeline() tells which.
  std::vector<std::int64_t> frame_timeline(std::string_view mat) const;
  bool has_frame_timeline(std::string_view mat) const;
  std::vector<std::uint32_t> frame_seqs(std::string_view mat) const;
  std::vector<std::uint64_t> frame_device_times(std::string_view mat) const;  // zeros if absent
  // One frame, rows*cols row-major, into `out` (resized).
  void read_frame(std::string_view mat, std::size_t index, std::vector<std::uint16_t>& out) const;
  // Frames [first, first + count) in one read (count*rows*cols values into `out`, resized):
  // far fewer HDF5 calls than frame by frame when a whole session is streamed.
  void read_frames(std::string_view mat, std::size_t first, std::size_t count, std::vector<std::uint16_t>& out) const;
  // `only`: read just these fields (absent ones are skipped); empty = every field.
  ArchiveTable metrics(std::string_view mat, std::span<const std::string> only = {}) const;
  // Exposure map snapshots (/pressure/<id>/exposure_*, or risk_* in format 1): how many, their
  // times, and one snapshot's two maps (rows*cols, mmHg*s and s). No snapshots: count 0.
  std::size_t exposure_count(std::string_view mat) const;
  std::vector<std::int64_t> exposure_times(std::string_view mat) const;
  void read_exposure(std::string_view mat, std::size_t index, std::vector<float>& pti_mmhg_s,
                     std::vector<float>& time_above_s) const;

  // Heart-rate straps (empty tables when the archive has none).
  ArchiveTable beats(std::string_view heart) const;
  ArchiveTable beats_final(std::string_view heart) const;  // final decisions (format 2; empty before)
  ArchiveTable hrv(std::string_view heart) const;

  std::vector<ArchiveEvent> events() const;
  ArchiveTable status() const;      // counters and gauges, all as float64
  ArchiveTable relaxation() const;  // empty when the session had none

 private:
  struct Impl;
  explicit ArchiveReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth
