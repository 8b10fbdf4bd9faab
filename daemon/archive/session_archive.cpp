#include "daemon/archive/session_archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <set>
#include <system_error>

#include "daemon/archive/archive_paths.hpp"
#include "daemon/archive/archive_record.hpp"
#include "daemon/archive/chunk_compressor.hpp"
#include "daemon/archive/h5_appendable.hpp"
#include "daemon/archive/h5_attributes.hpp"
#include "daemon/archive/h5_compound.hpp"
#include "daemon/archive/h5_support.hpp"
#include "daemon/archive/session_file.hpp"

namespace plinth {
namespace {

constexpr std::size_t kEventKindWidth = 32;
constexpr std::size_t kEventLabelWidth = 64;
constexpr std::size_t kEventDetailWidth = 256;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* kind_name(DeviceKind kind) { return kind == DeviceKind::mat ? "mat" : "heart"; }

// A dataset together with the types and row buffer its records are packed with.
struct Table {
  Table(hid_t parent, const std::string& name, const h5::CompoundLayout& layout, hsize_t chunk, int deflate)
      : memory_type(layout.build_memory_type()),
        file_type(layout.build_file_type()),
        data(parent, {name, file_type.get(), memory_type.get(), {}, chunk, deflate, nullptr}),
        row(layout.size()) {
    h5::write_string_array_attribute(data.id(), "units", layout.units());
  }
  h5::Handle memory_type;
  h5::Handle file_type;
  h5::AppendableDataset data;
  std::vector<std::byte> row;
};

h5::AppendableDataset scalar_series(hid_t parent, const std::string& name, hid_t memory_type, hid_t file_type,
                                    const ArchiveOptions& options, const std::string& units) {
  h5::AppendableDataset data(
      parent, {name, file_type, memory_type, {}, options.chunk_records, options.series_deflate_level, nullptr});
  h5::write_attribute(data.id(), "units", units);
  return data;
}

void add_float_fields(h5::CompoundLayout& layout, const std::vector<ArchiveField>& fields) {
  for (const ArchiveField& f : fields) layout.add(f.name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, f.units);
}

h5::CompoundLayout timed_float_layout(const std::vector<ArchiveField>& fields) {
  h5::CompoundLayout layout;
  layout.add("time_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  add_float_fields(layout, fields);
  return layout;
}

struct MatTables {
  MatTables(hid_t group, const ArchiveDeviceLayout& device, const ArchiveOptions& options,
            const std::shared_ptr<h5::ChunkCompressor>& compressor)
      : raw(group, {std::string(archive_paths::kRaw),
                    H5T_STD_U16LE,
                    H5T_NATIVE_UINT16,
                    {device.rows, device.cols},
                    options.chunk_frames,
                    options.deflate_level,
                    compressor,
                    options.frames_lz4 ? h5::ChunkFilter::lz4 : h5::ChunkFilter::deflate}),
        time_ns(scalar_series(group, std::string(archive_paths::kTimeNs), H5T_NATIVE_INT64, H5T_STD_I64LE, options, "ns")),
        seq(scalar_series(group, std::string(archive_paths::kSeq), H5T_NATIVE_UINT32, H5T_STD_U32LE, options, "1")),
        device_time_us(
            scalar_series(group, std::string(archive_paths::kDeviceTimeUs), H5T_NATIVE_UINT64, H5T_STD_U64LE, options, "us")),
        timeline_ns(scalar_series(group, std::string(archive_paths::kTimelineNs), H5T_NATIVE_INT64, H5T_STD_I64LE,
                                  options, "ns")),
        metrics(group, std::string(archive_paths::kMetrics), timed_float_layout(device.metric_fields), options.chunk_records,
                options.series_deflate_level),
        exposure_time_ns(scalar_series(group, archive_paths::exposure(archive_paths::kExposureTimeNs), H5T_NATIVE_INT64, H5T_STD_I64LE, options, "ns")),
        exposure_pti(group, {archive_paths::exposure(archive_paths::kExposurePti),
                         H5T_IEEE_F32LE,
                         H5T_NATIVE_FLOAT,
                         {device.rows, device.cols},
                         options.chunk_frames,
                         options.deflate_level,
                         compressor}),
        exposure_time_above(group, {archive_paths::exposure(archive_paths::kExposureTimeAbove),
                                H5T_IEEE_F32LE,
                                H5T_NATIVE_FLOAT,
                                {device.rows, device.cols},
                                options.chunk_frames,
                                options.deflate_level,
                                compressor}),
        metric_count(device.metric_fields.size()),
        values_per_frame(std::size_t{device.rows} * device.cols) {
    h5::write_attribute(raw.id(), "units", std::string("raw ADC counts"));
    h5::write_attribute(raw.id(), "dimensions", std::string("frame, row, col"));
    h5::write_attribute(
        time_ns.id(), "clock",
        std::string("host arrival, UNIX epoch (UTC), monotonic clock mapped once to wall time"));
    h5::write_attribute(seq.id(), "clock", std::string("device frame counter, wraps at 2^32"));
    h5::write_attribute(device_time_us.id(), "clock",
                        std::string("device clock since device start; 0 if unknown"));
    h5::write_attribute(timeline_ns.id(), "clock",
                        std::string("device clock mapped to host time by the clock model (schemas/clock-model.md); "
                                    "time_ns where the device has no clock"));
    h5::write_attribute(exposure_time_ns.id(), "clock", std::string("host time of the frame the snapshot ends at"));
    h5::write_attribute(exposure_pti.id(), "units", std::string("mmHg*s"));
    h5::write_attribute(exposure_pti.id(), "dimensions", std::string("snapshot, row, col"));
    h5::write_attribute(exposure_time_above.id(), "units", std::string("s"));
    h5::write_attribute(exposure_time_above.id(), "dimensions", std::string("snapshot, row, col"));
  }
  h5::AppendableDataset raw;
  h5::AppendableDataset time_ns;
  h5::AppendableDataset seq;
  h5::AppendableDataset device_time_us;
  h5::AppendableDataset timeline_ns;  // the clock model's time per frame (schemas/clock-model.md)
  Table metrics;
  // Exposure map snapshots (schemas/pressure-metrics.md §Exposure map), one row per snapshot.
  h5::AppendableDataset exposure_time_ns;
  h5::AppendableDataset exposure_pti;
  h5::AppendableDataset exposure_time_above;
  std::size_t metric_count;
  std::size_t values_per_frame;
};

h5::CompoundLayout beat_layout(const std::vector<ArchiveField>& extra) {
  h5::CompoundLayout layout;
  layout.add("time_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  layout.add("rr_ms", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, "ms");
  layout.add("nn_ms", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, "ms");
  layout.add("hr_bpm", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, "1/min");
  layout.add("flags", H5T_NATIVE_UINT32, H5T_STD_U32LE, "bit set");
  layout.add("missing", H5T_NATIVE_UINT32, H5T_STD_U32LE, "beats");
  layout.add("timeline_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  add_float_fields(layout, extra);
  return layout;
}

// The final artifact decision of every beat (schemas/hrv.md §3.2), beside the live record.
const std::vector<ArchiveField>& final_beat_fields() {
  static const std::vector<ArchiveField> fields = {{"beat_index", ""}, {"nn_count", "intervals"},
                                                   {"provisional_flags", "bit set"}};
  return fields;
}

struct HeartTables {
  HeartTables(hid_t group, const ArchiveDeviceLayout& device, const ArchiveOptions& options)
      : beats(group, std::string(archive_paths::kBeats), beat_layout(device.beat_extra_fields), options.chunk_records,
              options.series_deflate_level),
        beats_final(group, std::string(archive_paths::kBeatsFinal), beat_layout(final_beat_fields()), options.chunk_records,
                    options.series_deflate_level),
        hrv(group, std::string(archive_paths::kHrv), timed_float_layout(device.hrv_fields), options.chunk_records,
            options.series_deflate_level),
        extra_count(device.beat_extra_fields.size()),
        hrv_count(device.hrv_fields.size()) {}
  Table beats;
  Table beats_final;
  Table hrv;
  std::size_t extra_count;
  std::size_t hrv_count;
};

h5::CompoundLayout clock_layout() {
  h5::CompoundLayout layout;
  layout.add("time_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  layout.add("timeline_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  layout.add("offset_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  layout.add("drift_ppm", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, "ppm");
  layout.add("residual_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  layout.add("points", H5T_NATIVE_UINT32, H5T_STD_U32LE, "samples");
  layout.add("segment", H5T_NATIVE_UINT32, H5T_STD_U32LE, "count");
  layout.add("settled", H5T_NATIVE_UINT32, H5T_STD_U32LE, "0/1");
  layout.add("restart", H5T_NATIVE_UINT32, H5T_STD_U32LE, "code");
  return layout;
}

h5::CompoundLayout event_layout() {
  h5::CompoundLayout layout;
  layout.add("time_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  layout.add_text("kind", kEventKindWidth);
  layout.add_text("label", kEventLabelWidth);
  layout.add("value", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, "depends on kind");
  layout.add_text("detail", kEventDetailWidth);
  return layout;
}

h5::CompoundLayout status_layout(const ArchiveStatusLayout& status) {
  h5::CompoundLayout layout;
  layout.add("time_ns", H5T_NATIVE_INT64, H5T_STD_I64LE, "ns");
  for (const ArchiveField& f : status.counters) layout.add(f.name, H5T_NATIVE_UINT64, H5T_STD_U64LE, f.units);
  add_float_fields(layout, status.gauges);
  return layout;
}

void check_names(const std::string& what, const std::vector<std::string>& fixed,
                 const std::vector<ArchiveField>& fields) {
  std::set<std::string> seen(fixed.begin(), fixed.end());
  for (const ArchiveField& f : fields) {
    if (f.name.empty()) throw std::invalid_argument(what + ": empty field name");
    if (!seen.insert(f.name).second) {
      throw std::invalid_argument(what + ": duplicate field name '" + f.name + "'");
    }
  }
}

void validate(const SessionMeta& meta, const std::vector<ArchiveDeviceLayout>& devices,
              const ArchiveStatusLayout& status, const ArchiveOptions& options) {
  if (meta.session_id.empty()) throw std::invalid_argument("session_id is empty");
  if (options.chunk_frames == 0 || options.chunk_records == 0) {
    throw std::invalid_argument("chunk sizes must be at least 1");
  }
  if (options.deflate_level < 0 || options.deflate_level > 9 || options.series_deflate_level < 0 ||
      options.series_deflate_level > 9) {
    throw std::invalid_argument("deflate levels must be 0..9");
  }
  std::set<std::string> ids;
  for (const ArchiveDeviceLayout& d : devices) {
    if (d.id.empty() || d.id.find('/') != std::string::npos || d.id == "." || d.id == "..") {
      throw std::invalid_argument("invalid device id '" + d.id + "'");
    }
    if (!ids.insert(d.id).second) throw std::invalid_argument("duplicate device id '" + d.id + "'");
    if (d.kind == DeviceKind::mat && (d.rows == 0 || d.cols == 0)) {
      throw std::invalid_argument("mat '" + d.id + "' needs rows and cols");
    }
    check_names("metrics of " + d.id, {"time_ns"}, d.metric_fields);
    check_names("beats of " + d.id, {"time_ns", "rr_ms", "nn_ms", "hr_bpm", "flags", "missing", "timeline_ns"},
                d.beat_extra_fields);
    check_names("hrv of " + d.id, {"time_ns"}, d.hrv_fields);
  }
  std::vector<ArchiveField> all_status = status.counters;
  all_status.insert(all_status.end(), status.gauges.begin(), status.gauges.end());
  check_names("status", {"time_ns"}, all_status);
  check_names("relaxation", {"time_ns"}, status.relaxation);
}

constexpr std::size_t kChunkCacheSlots = 521;  // a prime, as HDF5 advises for its hash table
constexpr std::size_t kChunkCacheBytes = 64 << 10;
constexpr double kChunkCacheW0 = 0.75;  // HDF5's default preference for evicting fully written chunks
constexpr std::size_t kMetadataCacheBytes = 128 << 10;
constexpr int kFreeListBytes = 64 << 10;

// HDF5 keeps the memory of freed internal objects on its own free lists, by default up to
// megabytes per kind, process-wide; past these limits it hands it back to malloc.
void limit_hdf5_free_lists() {
  static std::once_flag once;
  std::call_once(once, [] {
    H5set_free_list_limits(kFreeListBytes, kFreeListBytes, kFreeListBytes, kFreeListBytes, kFreeListBytes,
                           kFreeListBytes);
  });
}

h5::Handle latest_format_access() {
  h5::Handle access = h5::plist(H5Pcreate(H5P_FILE_ACCESS), "cannot create file access list");
  // SWMR needs the 1.10 file format; it also gives the extensible-array chunk index that makes
  // appending cheap.
  h5::check_status(H5Pset_libver_bounds(access.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST),
                   "cannot select the latest file format");
  // The chunk cache is sized here, file-wide, because H5Fstart_swmr_write reopens every open
  // dataset with the file's defaults, dropping per-dataset settings (HDFGroup/hdf5#1730, fixed
  // after 1.10). HDF5 keeps written chunks until a dataset's cache is full, and the archive only
  // appends, so the default 1 MiB per dataset slowly filled with chunks never wanted again: in
  // bench_pipeline --memory the heap grew by ~9 MB over the first 45 session-minutes. 64 KiB
  // holds 16 frames of a 64x32 mat and 32 chunks of each per-frame series; chunks larger than
  // that (events, status, metrics at some sizes) are uncompressed and written straight through.
  h5::check_status(H5Pset_cache(access.get(), 0, kChunkCacheSlots, kChunkCacheBytes, kChunkCacheW0),
                   "cannot size the chunk cache");
  // The metadata cache at a fixed 128 KiB instead of HDF5's adaptive 1-32 MiB: the chunk index
  // of every per-frame dataset (an extensible array) grows by a data block every few thousand
  // chunks, and the adaptive cache kept them all, written and never wanted again, so the heap
  // grew by ~3 MB over a session's first hour (64x64 at 50 Hz, bench_pipeline --memory; 1 MiB
  // still grew ~2.5 MB). The cache fills once and then stays full, so the smaller it is the
  // sooner memory is flat: heap flat after session minute ~12 with 512 KiB (+1.3 MB from
  // minute 1), after ~6 with 128 KiB (+0.5 MB). Appending only touches the newest blocks of
  // each index, and archive CPU per frame was the same at both sizes (bench_pipeline, 4 runs
  // alternated, 64x32 and 64x64).
  H5AC_cache_config_t metadata{};
  metadata.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  h5::check_status(H5Pget_mdc_config(access.get(), &metadata), "cannot read the metadata cache settings");
  metadata.set_initial_size = true;
  metadata.initial_size = metadata.min_size = metadata.max_size = kMetadataCacheBytes;
  metadata.incr_mode = H5C_incr__off;
  metadata.flash_incr_mode = H5C_flash_incr__off;
  metadata.decr_mode = H5C_decr__off;
  h5::check_status(H5Pset_mdc_config(access.get(), &metadata), "cannot size the metadata cache");
  limit_hdf5_free_lists();
  return access;
}

h5::Handle open_group(hid_t parent, const std::string& name) {
  return h5::group(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   "cannot create group " + name);
}

}  // namespace

struct SessionArchive::Impl {
  struct Device {
    std::string id;
    DeviceKind kind;
    std::optional<MatTables> mat;
    std::optional<HeartTables> heart;
    std::optional<Table> clock;  // in the device's pressure/ or heart/ group
  };
  bool write(const archived::Clock& r);

  std::filesystem::path path;
  h5::Handle file;
  // Deflates the mats' chunks on its threads; shared by their datasets (which outlive it here).
  std::shared_ptr<h5::ChunkCompressor> compressor;
  std::vector<Device> devices;
  std::optional<Table> events;
  std::optional<Table> status;
  std::size_t status_counters = 0;
  std::size_t status_gauges = 0;
  std::optional<Table> relaxation;
  std::size_t relaxation_count = 0;
  std::string last_error;
  bool healthy = true;
  bool closed = false;
  std::uint64_t frames = 0;
  std::uint64_t rejected = 0;

  void build(const SessionMeta& meta, const std::vector<ArchiveDeviceLayout>& layouts,
             const ArchiveStatusLayout& status_layout_in, const ArchiveOptions& options);

  // One per record kind (archive_record.hpp): validate, then append; HDF5 failures throw.
  bool write(const archived::Frame& r);
  bool write(const archived::Metrics& r);
  bool write(const archived::Exposure& r);
  bool write(const archived::Beat& r);
  bool write(const archived::Hrv& r);
  bool write(const archived::Event& r);
  bool write(const archived::Status& r);
  bool write(const archived::Relaxation& r);
  // The device at `index` if it is of `kind`; otherwise refuses the record and returns null.
  Device* device_of(std::uint32_t index, DeviceKind kind, std::string_view record);
  // A row of `time_ns` then `values`, refused unless there are `expected` values.
  bool write_timed_values(std::string_view record, std::string_view owner, Table& table, std::size_t expected,
                          std::int64_t time_ns, std::span<const double> values);

  bool refuse(std::string message) {
    ++rejected;
    last_error = std::move(message);
    return false;
  }
  // An I/O or HDF5 failure: the archive stops writing for good.
  bool fail(std::string message) {
    healthy = false;
    last_error = std::move(message);
    abandon();
    return false;
  }
  // Makes sure HDF5 never writes this file again, so it stays as the last successful flush left
  // it (a SWMR-consistent state), and never closes it: closing would flush, which on a full disk
  // fails, and a failed close corrupts the superblock's end-of-file address and crashes HDF5 1.10
  // at exit (see h5::disable_close_at_exit). The descriptor HDF5 writes through is replaced by
  // a read-only one; the library's memory for this file (a few MB) is leaked on purpose.
  void abandon() {
    if (!file) return;
    void* handle = nullptr;
    if (H5Fget_vfd_handle(file.get(), H5P_DEFAULT, &handle) >= 0 && handle != nullptr) {
      const int fd = *static_cast<int*>(handle);
      int read_only = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (read_only < 0) read_only = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (read_only >= 0) {
        ::dup3(read_only, fd, O_CLOEXEC);
        ::close(read_only);
      }
    }
    for_each_dataset([](h5::AppendableDataset& dataset) { dataset.abandon(); });
    devices.clear();
    events.reset();
    status.reset();
    relaxation.reset();
    compressor.reset();
    file.release();
    H5Eclear2(H5E_DEFAULT);
  }
  // Common prologue of the append methods: refuses when the archive can't take records.
  bool writable() {
    h5::silence_automatic_error_printing();
    return healthy && file;
  }
  // Every appendable dataset of the file, in one place so that no new table is forgotten.
  template <class Visit>
  void for_each_dataset(Visit&& visit) {
    for (Device& d : devices) {
      if (d.mat) {
        for (h5::AppendableDataset* dataset :
             {&d.mat->raw, &d.mat->time_ns, &d.mat->seq, &d.mat->device_time_us, &d.mat->timeline_ns,
              &d.mat->metrics.data,
              &d.mat->exposure_time_ns, &d.mat->exposure_pti, &d.mat->exposure_time_above})
          visit(*dataset);
      }
      if (d.clock) visit(d.clock->data);
      if (d.heart) {
        visit(d.heart->beats.data);
        visit(d.heart->beats_final.data);
        visit(d.heart->hrv.data);
      }
    }
    for (std::optional<Table>* table : {&events, &status, &relaxation})
      if (*table) visit((*table)->data);
  }
  void write_all_pending() {
    for_each_dataset([](h5::AppendableDataset& dataset) { dataset.write_pending(); });
  }
  // Closes every dataset and the file; false if HDF5 could not close the file cleanly.
  bool close_file() {
    devices.clear();
    events.reset();
    status.reset();
    relaxation.reset();
    compressor.reset();
    return file.reset();
  }
};

void SessionArchive::Impl::build(const SessionMeta& meta, const std::vector<ArchiveDeviceLayout>& layouts,
                                 const ArchiveStatusLayout& status_layout_in, const ArchiveOptions& options) {
  const h5::Handle access = latest_format_access();
  file = h5::Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose,
                    "cannot create HDF5 file " + path.string());
  const hid_t root = file.get();
  h5::write_attribute(root, "format", std::string("plinth-session"));
  h5::write_attribute(root, "format_version", std::int64_t{kArchiveFormatVersion});
  h5::write_attribute(root, "session_id", meta.session_id);
  h5::write_attribute(root, "subject", meta.subject);
  h5::write_attribute(root, "started_at", iso8601_utc(meta.started_at_ns));
  h5::write_attribute(root, "started_at_ns", std::int64_t{meta.started_at_ns});
  h5::write_attribute(root, "software_version", meta.software_version);
  h5::write_attribute(root, "software_revision", meta.software_revision);
  h5::write_attribute(root, "config", meta.config_toml);
  h5::write_attributes(root, meta.extra);

  // Only datasets may stay open when SWMR writing starts, so the groups live in this block.
  {
    const h5::Handle devices_group = open_group(root, std::string(archive_paths::kDevices));
    const h5::Handle pressure_group = open_group(root, std::string(archive_paths::kPressure));
    const h5::Handle heart_group = open_group(root, std::string(archive_paths::kHeart));
    for (const ArchiveDeviceLayout& layout : layouts) {
      const h5::Handle info = open_group(devices_group.get(), layout.id);
      h5::write_attributes(info.get(), layout.attributes);
      h5::write_attribute(info.get(), "kind", std::string(kind_name(layout.kind)));
      Device device{layout.id, layout.kind, std::nullopt, std::nullopt, std::nullopt};
      if (layout.kind == DeviceKind::mat) {
        h5::write_attribute(info.get(), "rows", std::int64_t{layout.rows});
        h5::write_attribute(info.get(), "cols", std::int64_t{layout.cols});
        const h5::Handle group = open_group(pressure_group.get(), layout.id);
        if (!compressor && options.deflate_level > 0)
          compressor = std::make_shared<h5::ChunkCompressor>(options.compression_threads);
        device.mat.emplace(group.get(), layout, options, compressor);
        device.clock.emplace(group.get(), std::string(archive_paths::kClock), clock_layout(), options.chunk_records,
                             options.series_deflate_level);
      } else {
        const h5::Handle group = open_group(heart_group.get(), layout.id);
        device.heart.emplace(group.get(), layout, options);
        device.clock.emplace(group.get(), std::string(archive_paths::kClock), clock_layout(), options.chunk_records,
                             options.series_deflate_level);
      }
      devices.push_back(std::move(device));
    }
  }
  events.emplace(root, std::string(archive_paths::kEvents), event_layout(), options.chunk_records, options.series_deflate_level);
  status.emplace(root, std::string(archive_paths::kStatus), status_layout(status_layout_in), options.chunk_records,
                 options.series_deflate_level);
  status_counters = status_layout_in.counters.size();
  status_gauges = status_layout_in.gauges.size();
  if (!status_layout_in.relaxation.empty()) {
    relaxation.emplace(root, std::string(archive_paths::kRelaxation), timed_float_layout(status_layout_in.relaxation), options.chunk_records,
                       options.series_deflate_level);
    relaxation_count = status_layout_in.relaxation.size();
  }
  h5::check_status(H5Fstart_swmr_write(root), "cannot start SWMR writing");
}

SessionArchive SessionArchive::create(const std::filesystem::path& path, const SessionMeta& meta,
                                      const std::vector<ArchiveDeviceLayout>& devices,
                                      const ArchiveStatusLayout& status, const ArchiveOptions& options) {
  h5::disable_close_at_exit();
  h5::silence_automatic_error_printing();
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  try {
    validate(meta, devices, status, options);
    create_exclusive_file(path);
  } catch (const std::exception& e) {
    impl->fail(std::string("cannot create archive: ") + e.what());
    return SessionArchive(std::move(impl));
  }
  try {
    impl->build(meta, devices, status, options);
  } catch (const std::exception& e) {
    // Nothing readable was written yet: do not leave a broken file behind.
    impl->fail(e.what());
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
  return SessionArchive(std::move(impl));
}

SessionArchive SessionArchive::create_in(const std::filesystem::path& archive_dir, const SessionMeta& meta,
                                         const std::vector<ArchiveDeviceLayout>& devices,
                                         const ArchiveStatusLayout& status, const ArchiveOptions& options) {
  std::filesystem::path path;
  try {
    validate(meta, devices, status, options);
    path = reserve_session_file(archive_dir, meta.session_id);
    // create() insists on a new file; the reserved one is empty and ours, so hand over the name.
    std::filesystem::remove(path);
  } catch (const std::exception& e) {
    auto impl = std::make_unique<Impl>();
    impl->path = archive_dir / (meta.session_id + ".h5");
    impl->fail(std::string("cannot create archive: ") + e.what());
    return SessionArchive(std::move(impl));
  }
  return create(path, meta, devices, status, options);
}

SessionArchive::SessionArchive() : impl_(std::make_unique<Impl>()) {
  impl_->healthy = false;
  impl_->last_error = "no archive file";
}
SessionArchive::SessionArchive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SessionArchive::SessionArchive(SessionArchive&&) noexcept = default;
SessionArchive& SessionArchive::operator=(SessionArchive&&) noexcept = default;

SessionArchive::~SessionArchive() {
  if (!impl_ || !impl_->file) return;
  h5::silence_automatic_error_printing();
  try {
    impl_->write_all_pending();
    h5::check_status(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "cannot flush");
  } catch (const std::exception& e) {
    // A destructor has nobody to report to; what was flushed before stays readable.
    impl_->fail(e.what());
    return;
  }
  impl_->close_file();
  H5Eclear2(H5E_DEFAULT);
}

std::optional<std::size_t> SessionArchive::device_index(std::string_view id) const {
  for (std::size_t i = 0; i < impl_->devices.size(); ++i) {
    if (impl_->devices[i].id == id) return i;
  }
  return std::nullopt;
}

// The writes, one per record kind. Each validates its record (refusing bad arguments) and may
// throw on HDF5 failures; SessionArchive::append() adds the common guard and catch.
namespace {

std::string count_mismatch(std::string_view what, std::string_view id, std::size_t expected, std::size_t got,
                           std::string_view unit) {
  return std::string(what) + ": " + std::string(id) + " expects " + std::to_string(expected) + " " +
         std::string(unit) + ", got " + std::to_string(got);
}

void append_timed_row(Table& table, std::int64_t time_ns, std::span<const double> values) {
  h5::RecordPacker packer(table.row);
  packer.put(time_ns);
  for (const double v : values) packer.put(v);
  table.data.append(table.row.data());
}

}  // namespace

SessionArchive::Impl::Device* SessionArchive::Impl::device_of(std::uint32_t index, DeviceKind kind,
                                                               std::string_view record) {
  if (index < devices.size() && devices[index].kind == kind) return &devices[index];
  refuse(std::string(record) + ": device " + std::to_string(index) + " is not a " +
         (kind == DeviceKind::mat ? "mat" : "heart strap"));
  return nullptr;
}

bool SessionArchive::Impl::write(const archived::Frame& r) {
  Device* device = device_of(r.device, DeviceKind::mat, "frame");
  if (!device) return false;
  MatTables& mat = *device->mat;
  if (r.raw.size() != mat.values_per_frame)
    return refuse(count_mismatch("frame", device->id, mat.values_per_frame, r.raw.size(), "values"));
  if (!r.metrics.empty() && r.metrics.size() != mat.metric_count)
    return refuse(count_mismatch("frame", device->id, mat.metric_count, r.metrics.size(), "metrics"));
  mat.raw.append(r.raw.data());
  mat.time_ns.append(&r.time_ns);
  mat.seq.append(&r.seq);
  mat.device_time_us.append(&r.device_time_us);
  mat.timeline_ns.append(r.timeline_ns != 0 ? &r.timeline_ns : &r.time_ns);
  ++frames;
  if (!r.metrics.empty()) append_timed_row(mat.metrics, r.time_ns, r.metrics);
  return true;
}

bool SessionArchive::Impl::write_timed_values(std::string_view record, std::string_view owner, Table& table,
                                              std::size_t expected, std::int64_t time_ns,
                                              std::span<const double> values) {
  if (values.size() != expected) return refuse(count_mismatch(record, owner, expected, values.size(), "values"));
  append_timed_row(table, time_ns, values);
  return true;
}

bool SessionArchive::Impl::write(const archived::Metrics& r) {
  Device* device = device_of(r.device, DeviceKind::mat, r.kName);
  return device && write_timed_values(r.kName, device->id, device->mat->metrics, device->mat->metric_count,
                                      r.time_ns, r.metrics);
}

bool SessionArchive::Impl::write(const archived::Exposure& r) {
  Device* device = device_of(r.device, DeviceKind::mat, "exposure");
  if (!device) return false;
  MatTables& mat = *device->mat;
  if (r.pti_mmhg_s.size() != mat.values_per_frame || r.time_above_s.size() != mat.values_per_frame) {
    return refuse("exposure: " + device->id + " expects " + std::to_string(mat.values_per_frame) +
                  " values per map, got " + std::to_string(r.pti_mmhg_s.size()) + " and " +
                  std::to_string(r.time_above_s.size()));
  }
  // Maps first, time last: a SWMR reader takes min(len) rows, so a time is never paired
  // with a map that is not there yet.
  mat.exposure_pti.append(r.pti_mmhg_s.data());
  mat.exposure_time_above.append(r.time_above_s.data());
  mat.exposure_time_ns.append(&r.time_ns);
  return true;
}

bool SessionArchive::Impl::write(const archived::Beat& r) {
  Device* device = device_of(r.device, DeviceKind::heart, "beat");
  if (!device) return false;
  HeartTables& heart = *device->heart;
  const ArchiveBeat& beat = r.beat;
  Table& table = beat.final_decision ? heart.beats_final : heart.beats;
  const std::size_t extra_count = beat.final_decision ? final_beat_fields().size() : heart.extra_count;
  if (!r.extra.empty() && r.extra.size() != extra_count)
    return refuse(count_mismatch("beat", device->id, extra_count, r.extra.size(), "extra values"));
  h5::RecordPacker packer(table.row);
  packer.put(beat.time_ns).put(beat.rr_ms).put(beat.nn_ms).put(beat.hr_bpm);
  packer.put(beat.flags).put(beat.missing).put(beat.timeline_ns != 0 ? beat.timeline_ns : beat.time_ns);
  for (std::size_t i = 0; i < extra_count; ++i) packer.put(r.extra.empty() ? kNaN : r.extra[i]);
  table.data.append(table.row.data());
  return true;
}

bool SessionArchive::Impl::write(const archived::Hrv& r) {
  Device* device = device_of(r.device, DeviceKind::heart, r.kName);
  return device && write_timed_values(r.kName, device->id, device->heart->hrv, device->heart->hrv_count, r.time_ns,
                                      r.values);
}

bool SessionArchive::Impl::write(const archived::Clock& r) {
  if (r.device >= devices.size()) return refuse("clock: no device " + std::to_string(r.device));
  Table& table = *devices[r.device].clock;
  h5::RecordPacker packer(table.row);
  packer.put(r.time_ns).put(r.timeline_ns).put(r.offset_ns).put(r.drift_ppm).put(r.residual_ns);
  packer.put(r.points).put(r.segment).put(r.settled).put(r.restart);
  table.data.append(table.row.data());
  return true;
}

bool SessionArchive::Impl::write(const archived::Event& r) {
  h5::RecordPacker packer(events->row);
  packer.put(r.time_ns).put_text(r.kind, kEventKindWidth).put_text(r.label, kEventLabelWidth);
  packer.put(r.value).put_text(r.detail, kEventDetailWidth);
  events->data.append(events->row.data());
  return true;
}

bool SessionArchive::Impl::write(const archived::Status& r) {
  if (r.counters.size() != status_counters || r.gauges.size() != status_gauges) {
    return refuse("status: expects " + std::to_string(status_counters) + " counters and " +
                  std::to_string(status_gauges) + " gauges, got " + std::to_string(r.counters.size()) + " and " +
                  std::to_string(r.gauges.size()));
  }
  h5::RecordPacker packer(status->row);
  packer.put(r.time_ns);
  for (const std::uint64_t v : r.counters) packer.put(v);
  for (const double v : r.gauges) packer.put(v);
  status->data.append(status->row.data());
  return true;
}

bool SessionArchive::Impl::write(const archived::Relaxation& r) {
  if (!relaxation) return refuse("relaxation: the session's layout has no relaxation fields");
  return write_timed_values(r.kName, "the session", *relaxation, relaxation_count, r.time_ns, r.values);
}

bool SessionArchive::append(const ArchiveRecord& record) {
  if (!impl_->writable()) return false;
  try {
    return record.visit([this](const auto& r) { return impl_->write(r); });
  } catch (const std::exception& e) {
    return impl_->fail(e.what());
  }
}

bool SessionArchive::flush() {
  if (!impl_->writable()) return false;
  try {
    impl_->write_all_pending();
    h5::check_status(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "cannot flush " + impl_->path.string());
    return true;
  } catch (const std::exception& e) {
    return impl_->fail(e.what());
  }
}

bool SessionArchive::close(std::int64_t ended_at_ns, const ArchiveAttributes& closing) {
  h5::silence_automatic_error_printing();
  if (impl_->closed) return impl_->healthy;
  if (!impl_->file) return false;  // never opened, or abandoned after a failure
  try {
    // Flush first: a failure here can still be handled by abandoning the file, whereas a
    // failure inside H5Fclose cannot (see abandon()).
    impl_->write_all_pending();
    h5::check_status(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "cannot flush " + impl_->path.string());
  } catch (const std::exception& e) {
    return impl_->fail(e.what());
  }
  if (!impl_->close_file()) {
    impl_->healthy = false;
    impl_->last_error = h5::take_error_stack("cannot close " + impl_->path.string());
    return false;
  }
  try {
    // Attributes cannot be added in SWMR mode: the file is closed now, so reopen it normally.
    const h5::Handle access = latest_format_access();
    // Held by impl_ so that a failure abandons it like any other (see abandon()).
    impl_->file = h5::Handle(H5Fopen(impl_->path.c_str(), H5F_ACC_RDWR, access.get()), H5Fclose,
                             "cannot reopen " + impl_->path.string() + " to write ended_at");
    const hid_t file = impl_->file.get();
    h5::write_attribute(file, "ended_at", iso8601_utc(ended_at_ns));
    h5::write_attribute(file, "ended_at_ns", std::int64_t{ended_at_ns});
    h5::write_attributes(file, closing);
    h5::check_status(H5Fflush(file, H5F_SCOPE_GLOBAL), "cannot flush " + impl_->path.string());
    if (!impl_->file.reset()) {
      impl_->healthy = false;
      impl_->last_error = h5::take_error_stack("cannot close " + impl_->path.string());
      return false;
    }
    impl_->closed = true;
    return true;
  } catch (const std::exception& e) {
    return impl_->fail(e.what());
  }
}

bool SessionArchive::is_open() const { return static_cast<bool>(impl_->file); }
bool SessionArchive::healthy() const { return impl_->healthy; }
const std::string& SessionArchive::last_error() const { return impl_->last_error; }
const std::filesystem::path& SessionArchive::path() const { return impl_->path; }
std::uint64_t SessionArchive::frames_appended() const { return impl_->frames; }
std::uint64_t SessionArchive::rejected() const { return impl_->rejected; }

std::uint64_t SessionArchive::file_bytes() const {
  std::error_code ec;
  const auto size = std::filesystem::file_size(impl_->path, ec);
  return ec ? 0 : static_cast<std::uint64_t>(size);
}

std::pair<std::size_t, std::size_t> SessionArchive::metadata_cache_bytes() const {
  if (!impl_->file) return {0, 0};
  H5AC_cache_config_t config{};
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  std::size_t max_size = 0, min_clean = 0, current = 0;
  int entries = 0;
  if (H5Fget_mdc_config(impl_->file.get(), &config) < 0 ||
      H5Fget_mdc_size(impl_->file.get(), &max_size, &min_clean, &current, &entries) < 0)
    return {0, 0};
  return {current, config.max_size};
}

std::size_t SessionArchive::chunk_cache_bytes(const std::string& dataset) const {
  if (!impl_->file) return 0;
  h5::silence_automatic_error_printing();
  try {
    const h5::Handle open =
        h5::dataset(H5Dopen2(impl_->file.get(), dataset.c_str(), H5P_DEFAULT), "cannot open " + dataset);
    const h5::Handle access = h5::plist(H5Dget_access_plist(open.get()), "cannot read the access list of " + dataset);
    std::size_t slots = 0, bytes = 0;
    double w0 = 0;
    h5::check_status(H5Pget_chunk_cache(access.get(), &slots, &bytes, &w0), "cannot read the chunk cache of " + dataset);
    return bytes;
  } catch (const h5::Failure&) {
    return 0;
  }
}

}  // namespace plinth
