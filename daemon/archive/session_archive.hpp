#pragma once
// One session's HDF5 archive (layout: schemas/archive-layout.md). Single-threaded: in the
// daemon only ArchiveWriter's thread touches it. No method throws (except std::bad_alloc);
// failures leave an error state: healthy() turns false on any I/O or HDF5 failure and every
// later append is refused, while what was flushed before stays readable. Bad arguments (an
// unknown device, a frame of the wrong size) are refused with last_error() set but keep the
// archive healthy.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/archive/archive_record.hpp"

namespace plinth {

class SessionArchive {
 public:
  // Creates `path` (which must not exist; mode 0600), writes all groups, datasets and
  // attributes for every device, then starts SWMR writing. Check healthy() afterwards.
  static SessionArchive create(const std::filesystem::path& path, const SessionMeta& meta,
                               const std::vector<ArchiveDeviceLayout>& devices,
                               const ArchiveStatusLayout& status = {}, const ArchiveOptions& options = {});
  // Same, in `archive_dir` (created 0700 if missing) as <session_id>.h5, or with a -N suffix
  // if that name is taken: never overwrites.
  static SessionArchive create_in(const std::filesystem::path& archive_dir, const SessionMeta& meta,
                                  const std::vector<ArchiveDeviceLayout>& devices,
                                  const ArchiveStatusLayout& status = {}, const ArchiveOptions& options = {});

  SessionArchive();  // no file: not healthy
  // A moved-from archive may only be assigned to or destroyed.
  SessionArchive(SessionArchive&&) noexcept;
  SessionArchive& operator=(SessionArchive&&) noexcept;
  ~SessionArchive();  // closes without ended_at if close() was not called

  // Device index = position in the layout vector given to create().
  std::optional<std::size_t> device_index(std::string_view id) const;

  // Appends one record of any kind (daemon/archive/archive_record.hpp; time_ns everywhere: host
  // arrival time, UNIX ns). Records are buffered until flush().
  bool append(const ArchiveRecord& record);

  // Writes buffered records and flushes so SWMR readers (and a reader after a crash) see them.
  bool flush();
  // Flushes, leaves SWMR mode by closing the file, reopens it read-write to write ended_at,
  // ended_at_ns and `closing` attributes on the root group, and closes it. Skips the reopen if
  // the archive is unhealthy (a missing ended_at then marks an unclean end).
  bool close(std::int64_t ended_at_ns, const ArchiveAttributes& closing = {});

  bool is_open() const;
  bool healthy() const;
  const std::string& last_error() const;
  const std::filesystem::path& path() const;
  std::uint64_t frames_appended() const;  // accepted frames, all devices
  std::uint64_t rejected() const;         // appends refused for bad arguments
  std::uint64_t file_bytes() const;       // current size of the file on disk
  // The raw-data chunk cache a dataset of the open file really uses (bytes; 0 if it cannot be
  // read), e.g. "pressure/mat0/raw": SWMR mode may replace what the archive asked for.
  std::size_t chunk_cache_bytes(const std::string& dataset) const;
  // The open file's metadata cache: its current and largest size in bytes (0, 0 if unknown).
  std::pair<std::size_t, std::size_t> metadata_cache_bytes() const;

 private:
  struct Impl;
  explicit SessionArchive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth
