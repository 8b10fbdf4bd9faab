#pragma once
// What a session archive contains, decided before the file is created: HDF5 1.10 cannot add
// groups, datasets or attributes once single-writer/multiple-reader (SWMR) writing has
// started, so every device and every field name must be known up front.
// The layout itself is specified in schemas/archive-layout.md.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "drivers/samples.hpp"

namespace plinth {

inline constexpr int kArchiveFormatVersion = 2;  // 2: risk_* renamed exposure_* (schemas/archive-layout.md)

// An attribute value: text, an integer or a real number.
using ArchiveAttribute = std::variant<std::string, std::int64_t, double>;
using ArchiveAttributes = std::map<std::string, ArchiveAttribute>;

// One named float64 (or, in status, uint64) field of a compound dataset and its unit.
struct ArchiveField {
  ArchiveField(const char* field_name, std::string field_units = {})
      : name(field_name), units(std::move(field_units)) {}
  ArchiveField(std::string field_name, std::string field_units = {})
      : name(std::move(field_name)), units(std::move(field_units)) {}
  std::string name;
  std::string units;
};

struct ArchiveDeviceLayout {
  std::string id;  // configured device name; becomes /devices/<id>, /pressure/<id>, /heart/<id>
  DeviceKind kind = DeviceKind::mat;
  std::uint16_t rows = 0;  // mats only: frame geometry
  std::uint16_t cols = 0;
  // Written as attributes of /devices/<id> next to `kind` (and rows/cols for mats), e.g.
  // driver, port, usb_vendor, usb_product, usb_serial, pitch_cm, calibration (JSON text),
  // model, serial, firmware. Add whatever else helps a reader years later.
  ArchiveAttributes attributes;
  std::vector<ArchiveField> metric_fields;      // mats: /pressure/<id>/metrics (after time_ns)
  std::vector<ArchiveField> beat_extra_fields;  // heart: /heart/<id>/beats, after the fixed fields
  std::vector<ArchiveField> hrv_fields;         // heart: /heart/<id>/hrv (after time_ns)
};

// The daemon-wide series. /status: health counters over time (after time_ns): counters are
// uint64, gauges float64. /relaxation: the relaxation readout with its inputs and weights
// (float64 fields after time_ns; no dataset when empty).
struct ArchiveStatusLayout {
  std::vector<ArchiveField> counters;
  std::vector<ArchiveField> gauges;
  std::vector<ArchiveField> relaxation;
};

struct SessionMeta {
  std::string session_id;          // e.g. "20261123T091500Z-7f3a" (see make_session_id)
  std::string subject;             // a pseudonym, never a name
  std::int64_t started_at_ns = 0;  // UNIX ns, UTC
  std::string software_version;
  std::string software_revision;  // the source revision plinthd was built from (plinth/version.hpp)
  std::string config_toml;  // the effective configuration
  ArchiveAttributes extra;  // more root attributes, if the daemon has any
};

// Storage tuning; the defaults were chosen with bench/archive_bench.cpp on real recordings
// (figures in schemas/archive-layout.md). Why one frame per chunk: with SWMR, HDF5 1.10 does not
// reuse freed file space, so a compressed chunk that is rewritten because a flush caught it
// half full leaves its old copy behind as dead space. A frame per chunk is compressed once and
// never rewritten, whatever the frame rate and flush interval. The 1-D series are small and
// always caught half full by the once-a-second flush, so they are stored uncompressed.
struct ArchiveOptions {
  std::uint32_t chunk_frames = 1;     // frames per chunk of /pressure/<id>/raw
  // Raw frames and exposure maps: 0 = no filters, else shuffle + deflate(level); written by
  // libdeflate, whose level 1 compresses these frames as well as zlib's 4 at a third of the CPU.
  int deflate_level = 1;
  // Raw frames with LZ4 (HDF5 filter 32004) instead of deflate, after the same shuffle, when
  // deflate_level > 0: a fifth to a third of the CPU, files 1.4-1.5x larger, and readers
  // outside plinth need the LZ4 plugin (schemas/archive-layout.md §LZ4). Off by default.
  bool frames_lz4 = false;
  std::uint32_t chunk_records = 256;  // records per chunk of the 1-D datasets
  int series_deflate_level = 0;       // 1-D datasets: as deflate_level
  // Threads that deflate whole chunks of raw frames and exposure maps, beside the thread that
  // appends (which helps when it would wait); 0: one less than the CPUs, 1 to 4.
  unsigned compression_threads = 0;
};

// One beat interval as /heart/<id>/beats (the live, provisional decision) or, with
// final_decision, /heart/<id>/beats_final stores it (extra fields come separately; for the
// final table: beat_index, nn_count, provisional_flags).
struct ArchiveBeat {
  std::int64_t time_ns = 0;
  double rr_ms = 0.0;
  double nn_ms = 0.0;
  double hr_bpm = 0.0;
  std::uint32_t flags = 0;    // artifact flags, bits in schemas/hrv.md
  std::uint32_t missing = 0;  // beats the strap says were lost before this one
  bool final_decision = false;
  std::int64_t timeline_ns = 0;  // the beat on the session's timeline (RR-sum clock model); 0: time_ns
};

}  // namespace plinth
