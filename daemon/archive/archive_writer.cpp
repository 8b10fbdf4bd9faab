#include "daemon/archive/archive_writer.hpp"

#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>

namespace plinth {
namespace {

std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::uint64_t free_bytes_near(const std::filesystem::path& file) {
  struct statvfs fs {};
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  if (::statvfs(dir.c_str(), &fs) != 0) return 0;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::size_t index_of(ArchiveRecord::Kind kind) { return static_cast<std::size_t>(kind); }

}  // namespace

const char* archive_record_kind_name(ArchiveRecord::Kind kind) {
  switch (kind) {
    case ArchiveRecord::Kind::frame:
      return "frame";
    case ArchiveRecord::Kind::metrics:
      return "metrics";
    case ArchiveRecord::Kind::beat:
      return "beat";
    case ArchiveRecord::Kind::hrv:
      return "hrv";
    case ArchiveRecord::Kind::event:
      return "event";
    case ArchiveRecord::Kind::status:
      return "status";
    case ArchiveRecord::Kind::relaxation:
      return "relaxation";
    case ArchiveRecord::Kind::exposure:
      return "exposure";
  }
  return "unknown";
}

ArchiveWriter::ArchiveWriter(SessionArchive archive, ArchiveWriterOptions options)
    : archive_(std::move(archive)), options_(options), queue_(options.queue_capacity) {
  published_.path = archive_.path().string();
  published_.healthy = archive_.healthy();
  published_.error = archive_.healthy() ? std::string() : archive_.last_error();
  published_.queue_capacity = queue_.capacity();
}

ArchiveWriter::~ArchiveWriter() { stop(unix_now_ns()); }

void ArchiveWriter::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { run(); });
}

template <typename Fill>
bool ArchiveWriter::submit(ArchiveRecord::Kind kind, Fill&& fill) {
  const bool queued = queue_.try_push_with([&](ArchiveRecord& r) {
    r.kind = kind;
    fill(r);
  });
  if (!queued) dropped_[index_of(kind)].fetch_add(1, std::memory_order_relaxed);
  return queued;
}

bool ArchiveWriter::submit_frame(std::uint32_t device, std::int64_t time_ns, std::uint32_t seq,
                                 std::uint64_t device_time_us, std::span<const std::uint16_t> raw,
                                 std::span<const double> metrics) {
  return submit(ArchiveRecord::Kind::frame, [&](ArchiveRecord& r) {
    r.device = device;
    r.time_ns = time_ns;
    r.seq = seq;
    r.device_time_us = device_time_us;
    r.raw.assign(raw.begin(), raw.end());
    r.values.assign(metrics.begin(), metrics.end());
  });
}

bool ArchiveWriter::submit_metrics(std::uint32_t device, std::int64_t time_ns,
                                   std::span<const double> metrics) {
  return submit(ArchiveRecord::Kind::metrics, [&](ArchiveRecord& r) {
    r.device = device;
    r.time_ns = time_ns;
    r.values.assign(metrics.begin(), metrics.end());
  });
}

bool ArchiveWriter::submit_beat(std::uint32_t device, const ArchiveBeat& beat,
                                std::span<const double> extra) {
  return submit(ArchiveRecord::Kind::beat, [&](ArchiveRecord& r) {
    r.device = device;
    r.time_ns = beat.time_ns;
    r.beat = beat;
    r.values.assign(extra.begin(), extra.end());
  });
}

bool ArchiveWriter::submit_hrv(std::uint32_t device, std::int64_t time_ns, std::span<const double> values) {
  return submit(ArchiveRecord::Kind::hrv, [&](ArchiveRecord& r) {
    r.device = device;
    r.time_ns = time_ns;
    r.values.assign(values.begin(), values.end());
  });
}

bool ArchiveWriter::submit_event(std::int64_t time_ns, std::string_view kind, std::string_view label,
                                 double value, std::string_view detail) {
  return submit(ArchiveRecord::Kind::event, [&](ArchiveRecord& r) {
    r.time_ns = time_ns;
    r.event_kind.assign(kind);
    r.label.assign(label);
    r.value = value;
    r.detail.assign(detail);
  });
}

bool ArchiveWriter::submit_status(std::int64_t time_ns, std::span<const std::uint64_t> counters,
                                  std::span<const double> gauges) {
  return submit(ArchiveRecord::Kind::status, [&](ArchiveRecord& r) {
    r.time_ns = time_ns;
    r.counters.assign(counters.begin(), counters.end());
    r.values.assign(gauges.begin(), gauges.end());
  });
}

bool ArchiveWriter::submit_relaxation(std::int64_t time_ns, std::span<const double> values) {
  return submit(ArchiveRecord::Kind::relaxation, [&](ArchiveRecord& r) {
    r.time_ns = time_ns;
    r.values.assign(values.begin(), values.end());
  });
}

bool ArchiveWriter::submit_exposure(std::uint32_t device, std::int64_t time_ns, std::span<const double> pti_mmhg_s,
                                std::span<const double> time_above_s) {
  return submit(ArchiveRecord::Kind::exposure, [&](ArchiveRecord& r) {
    r.device = device;
    r.time_ns = time_ns;
    r.seq = static_cast<std::uint32_t>(pti_mmhg_s.size());  // where the second map starts
    r.exposure.resize(pti_mmhg_s.size() + time_above_s.size());
    std::copy(pti_mmhg_s.begin(), pti_mmhg_s.end(), r.exposure.begin());
    std::copy(time_above_s.begin(), time_above_s.end(), r.exposure.begin() + static_cast<std::ptrdiff_t>(pti_mmhg_s.size()));
  });
}

void ArchiveWriter::apply(const ArchiveRecord& r) {
  bool written = false;
  switch (r.kind) {
    case ArchiveRecord::Kind::frame:
      written = archive_.append_frame(r.device, r.time_ns, r.seq, r.device_time_us, r.raw, r.values);
      break;
    case ArchiveRecord::Kind::metrics:
      written = archive_.append_metrics(r.device, r.time_ns, r.values);
      break;
    case ArchiveRecord::Kind::beat:
      written = archive_.append_beat(r.device, r.beat, r.values);
      break;
    case ArchiveRecord::Kind::hrv:
      written = archive_.append_hrv(r.device, r.time_ns, r.values);
      break;
    case ArchiveRecord::Kind::event:
      written = archive_.append_event(r.time_ns, r.event_kind, r.label, r.value, r.detail);
      break;
    case ArchiveRecord::Kind::status:
      written = archive_.append_status(r.time_ns, r.counters, r.values);
      break;
    case ArchiveRecord::Kind::relaxation:
      written = archive_.append_relaxation(r.time_ns, r.values);
      break;
    case ArchiveRecord::Kind::exposure: {
      const std::span<const float> maps(r.exposure);
      written = archive_.append_exposure(r.device, r.time_ns, maps.first(r.seq), maps.subspan(r.seq));
      break;
    }
  }
  if (written) return;
  if (archive_.healthy()) {
    last_rejection_ = archive_.last_error();
  } else {
    ++discarded_;
  }
}

void ArchiveWriter::flush_and_publish(bool record_drops) {
  // Drops are written into the file itself so a reader can tell missing data from a quiet device.
  if (record_drops) {
    for (std::size_t k = 0; k < ArchiveRecord::kKinds; ++k) {
      const std::uint64_t total = dropped_[k].load(std::memory_order_relaxed);
      if (total == dropped_recorded_[k]) continue;
      const auto kind = static_cast<ArchiveRecord::Kind>(k);
      if (archive_.append_event(unix_now_ns(), "archive.dropped", archive_record_kind_name(kind),
                                static_cast<double>(total - dropped_recorded_[k]),
                                "archive queue full; records of this kind dropped since the last report")) {
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
  s.last_flush_ns = flushed ? unix_now_ns() : published_.last_flush_ns;
  published_ = std::move(s);
}

void ArchiveWriter::run() {
  ArchiveRecord record;
  auto next_flush = std::chrono::steady_clock::now() + options_.flush_interval;
  for (;;) {
    if (queue_.pop_until(record, next_flush)) {
      apply(record);
      if (record.kind == ArchiveRecord::Kind::exposure) std::vector<float>().swap(record.exposure);
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
  for (std::size_t k = 0; k < ArchiveRecord::kKinds; ++k) {
    const auto kind = static_cast<ArchiveRecord::Kind>(k);
    closing[std::string("archive_dropped_") + archive_record_kind_name(kind)] =
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
  for (std::size_t k = 0; k < ArchiveRecord::kKinds; ++k) {
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
