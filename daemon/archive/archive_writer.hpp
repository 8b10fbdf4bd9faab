#pragma once
// The archive's own thread. Acquisition hands records over with submit<Record>(), which fills a
// slot of a bounded queue in place and never waits for the disk: when the queue is full the record is dropped and
// counted per kind (and the drop is recorded as an "archive.dropped" event at the next flush).
// The thread appends to the SessionArchive, flushes at least once per flush_interval, and on
// stop() drains the queue and closes the file.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "daemon/archive/archive_record.hpp"
#include "daemon/archive/session_archive.hpp"
#include "daemon/util/bounded_queue.hpp"

namespace plinth {

struct ArchiveWriterOptions {
  std::size_t queue_capacity = 1024;  // records; see archive_queue_records() for a byte budget
  std::chrono::milliseconds flush_interval{1000};
  // The thread is woken once this many records wait (or at the flush), not for each: at 100
  // frames/s that spares acquisition a futex wake-up per frame. Nothing waits longer than the
  // flush interval, and a flush writes everything queued before it.
  std::size_t wake_every = 8;
};

// How many records the queue between acquisition and the archive may hold: at most
// `max_records`, and no more than `max_bytes` once every slot has held the largest frame
// of `devices` (a slot keeps its buffers, so the ring's memory is slots x largest frame);
// at least 8. max_bytes 0: no byte limit.
std::size_t archive_queue_records(std::span<const ArchiveDeviceLayout> devices, std::size_t max_records,
                                  std::size_t max_bytes);

// For the `status` topic (ArchiveStatus and ConsumerStatus "archive").
struct ArchiveWriterStats {
  std::string path;
  bool healthy = false;
  std::string error;           // empty when healthy
  std::string last_rejection;  // last record refused for bad arguments, if any
  std::size_t queue_depth = 0;
  std::size_t queue_capacity = 0;
  std::uint64_t dropped = 0;                                           // all kinds: queue full
  std::array<std::uint64_t, kArchiveRecordKinds> dropped_by_kind{};  // index: archive_record_kind<Record>
  std::uint64_t discarded = 0;        // taken from the queue but not written (after an error)
  std::uint64_t rejected = 0;         // refused by the archive for bad arguments
  std::uint64_t frames_written = 0;   // frames accepted into the file (on disk after a flush)
  std::uint64_t bytes_written = 0;    // size of the file
  std::uint64_t free_disk_bytes = 0;  // on the archive's file system
  std::int64_t last_flush_ns = 0;     // UNIX ns of the last successful flush; 0 if none
};

class ArchiveWriter {
 public:
  explicit ArchiveWriter(SessionArchive archive, ArchiveWriterOptions options = {});
  ~ArchiveWriter();  // stop() with the current time if still running
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // Starts the thread. Records submitted before start() wait in the queue.
  void start();

  // Producer side: fills a queue slot in place with `fill(Record&)` and returns at once; false
  // means dropped (queue full or stopped), counted per kind. `fill` gets the slot's `Record` as
  // the last one left it: assign() into its vectors (keeping their capacity) rather than replace them.
  template <typename Record, typename Fill>
  bool submit(Fill&& fill) {
    constexpr std::size_t kind = archive_record_kind<Record>;
    static_assert(kind < kArchiveRecordKinds, "not a record kind listed in ArchiveRecord");
    const bool queued = queue_.try_push_with([&](ArchiveRecord& slot) { fill(slot.emplace<Record>()); });
    if (!queued) dropped_[kind].fetch_add(1, std::memory_order_relaxed);
    return queued;
  }
  // A whole record moved in, for tests and tools (its vectors replace the slot's).
  template <typename Record>
  bool submit(Record record) {
    return submit<Record>([&](Record& slot) { slot = std::move(record); });
  }

  // Thread-safe snapshot; counters written by the thread are as of its last flush.
  ArchiveWriterStats stats() const;

  // Stops taking records, writes everything queued, closes the file with ended_at and the
  // drop counters as closing attributes, joins the thread. Returns the archive's health.
  // Idempotent; later calls return the same result.
  bool stop(std::int64_t ended_at_ns, ArchiveAttributes closing = {});

 private:
  void run();
  void apply(const ArchiveRecord& record);
  void flush_and_publish(bool record_drops);

  SessionArchive archive_;
  ArchiveWriterOptions options_;
  BoundedQueue<ArchiveRecord> queue_;
  std::array<std::atomic<std::uint64_t>, kArchiveRecordKinds> dropped_{};
  std::array<std::uint64_t, kArchiveRecordKinds> dropped_recorded_{};  // thread only
  std::uint64_t discarded_ = 0;                                          // thread only
  std::string last_rejection_;                                           // thread only
  std::int64_t ended_at_ns_ = 0;
  ArchiveAttributes closing_;

  mutable std::mutex stats_mutex_;
  ArchiveWriterStats published_;  // guarded by stats_mutex_

  std::mutex lifecycle_mutex_;
  std::thread thread_;
  bool stopped_ = false;
  bool result_ = false;
};

}  // namespace plinth
