#include "daemon/archive/archive_writer.hpp"

#include <pthread.h>

#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>

#include "daemon/host_clock.hpp"
#include "daemon/util/batch_scheduling.hpp"

namespace plinth {
namespace {

std::uint64_t free_bytes_near(const std::filesystem::path& file) {
  struct statvfs fs {};
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  if (::statvfs(dir.c_str(), &fs) != 0) return 0;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

}  // namespace

std::size_t archive_queue_records(std::span<const ArchiveDeviceLayout> devices, std::size_t max_records,
                                  std::size_t max_bytes) {
  constexpr std::size_t kMinRecords = 8;
  std::size_t largest = sizeof(ArchiveRecord);
  for (const ArchiveDeviceLayout& d : devices) {
    if (d.kind != DeviceKind::mat) continue;
    const std::size_t frame = std::size_t{d.rows} * d.cols * sizeof(std::uint16_t) + d.metric_fields.size() * sizeof(double);
    largest = std::max(largest, sizeof(ArchiveRecord) + frame);
  }
  std::size_t records = std::max(max_records, kMinRecords);
  if (max_bytes > 0) records = std::min(records, std::max(kMinRecords, max_bytes / largest));
  return records;
}

ArchiveWriter::ArchiveWriter(SessionArchive archive, ArchiveWriterOptions options)
    : archive_(std::move(archive)), options_(options), queue_(options.queue_capacity, options.wake_every) {
  published_.path = archive_.path().string();
  published_.healthy = archive_.healthy();
  published_.error = archive_.healthy() ? std::string() : archive_.last_error();
  published_.queue_capacity = queue_.capacity();
}

ArchiveWriter::~ArchiveWriter() { stop(wall_clock_unix_ns()); }

void ArchiveWriter::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { run(); });
}

void ArchiveWriter::apply(const ArchiveRecord& record) {
  if (archive_.append(record)) return;
  if (archive_.healthy()) {
    last_rejection_ = archive_.last_error();
  } else {
    ++discarded_;
  }
}

void ArchiveWriter::flush_and_publish(bool record_drops) {
  // Drops are written into the file itself so a reader can tell missing data from a quiet device.
  if (record_drops) {
    for (std::size_t k = 0; k < kArchiveRecordKinds; ++k) {
      const std::uint64_t total = dropped_[k].load(std::memory_order_relaxed);
      if (total == dropped_recorded_[k]) continue;
      const archived::Event event{wall_clock_unix_ns(), "archive.dropped", std::string(kArchiveRecordKindNames[k]),
                                  static_cast<double>(total - dropped_recorded_[k]),
                                  "archive queue full; records of this kind dropped since the last report"};
      if (archive_.append(event)) {
        dropped_recorded_[k] = total;
      }
    }
  }
  const bool flushed = archive_.is_open() && archive_.flush();
  ArchiveWriterStats s;
  s.healthy = archive_.healthy();
  s.error = s.healthy ? std::string() : archive_.last_error();
  s.last_rejection = last_rejection_;
  s.discarded = discarded_;
  s.rejected = archive_.rejected();
  s.frames_written = archive_.frames_appended();
  s.bytes_written = archive_.file_bytes();
  s.free_disk_bytes = free_bytes_near(archive_.path());
  std::lock_guard lock(stats_mutex_);
  s.path = published_.path;
  s.queue_capacity = published_.queue_capacity;
  s.last_flush_ns = flushed ? wall_clock_unix_ns() : published_.last_flush_ns;
  published_ = std::move(s);
}

void ArchiveWriter::run() {
  ::pthread_setname_np(::pthread_self(), "archive");  // for top -H and /proc/<pid>/task
  run_as_bulk_thread();
  ArchiveRecord record;
  auto next_flush = std::chrono::steady_clock::now() + options_.flush_interval;
  for (;;) {
    // Woken for a batch (or by the flush deadline, or stop()), then takes all that is queued.
    if (queue_.pop_until(record, next_flush)) {
      do {
        apply(record);
        if (auto* exposure = record.get_if<archived::Exposure>()) *exposure = {};
      } while (queue_.try_pop(record));
    } else if (queue_.closed_and_empty()) {
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_flush) {
      flush_and_publish(true);
      // On a fixed grid, so that the time a flush takes does not push every later one back
      // (readers and a crash see at most one interval unflushed, not one plus the flush).
      next_flush += options_.flush_interval;
      if (next_flush <= now) next_flush = now + options_.flush_interval;
    }
  }
  flush_and_publish(true);
  ArchiveAttributes closing = closing_;
  for (std::size_t k = 0; k < kArchiveRecordKinds; ++k) {
    closing["archive_dropped_" + std::string(kArchiveRecordKindNames[k])] =
        static_cast<std::int64_t>(dropped_[k].load());
  }
  archive_.close(ended_at_ns_, closing);
  std::lock_guard lock(stats_mutex_);
  published_.healthy = archive_.healthy();
  published_.error = archive_.healthy() ? std::string() : archive_.last_error();
  published_.bytes_written = archive_.file_bytes();
}

ArchiveWriterStats ArchiveWriter::stats() const {
  ArchiveWriterStats s;
  {
    std::lock_guard lock(stats_mutex_);
    s = published_;
  }
  s.queue_depth = queue_.size();
  s.dropped = 0;
  for (std::size_t k = 0; k < kArchiveRecordKinds; ++k) {
    s.dropped_by_kind[k] = dropped_[k].load(std::memory_order_relaxed);
    s.dropped += s.dropped_by_kind[k];
  }
  return s;
}

bool ArchiveWriter::stop(std::int64_t ended_at_ns, ArchiveAttributes closing) {
  std::lock_guard lock(lifecycle_mutex_);
  if (stopped_) return result_;
  ended_at_ns_ = ended_at_ns;
  closing_ = std::move(closing);
  queue_.close();
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });  // drain what was queued
  thread_.join();
  stopped_ = true;
  result_ = archive_.healthy();
  return result_;
}

}  // namespace plinth
