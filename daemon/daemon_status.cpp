#include <sys/statvfs.h>

#include "daemon/daemon_impl.hpp"

// Health, the `status` topic once a second and its archived copy (/status).
namespace plinth {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

// The same counters as `status`, over time, so that years later a quiet client can be told
// from a lost packet.
ArchiveStatusLayout Daemon::Impl::status_layout() const {
  ArchiveStatusLayout layout;
  for (const DeviceHealth& d : health().devices)
    for (const DeviceCounter& c : kDeviceCounters)
      layout.counters.push_back({d.id + "." + std::string(c.name), std::string(c.unit)});
  layout.counters.push_back({"publisher.dropped", "messages"});
  layout.counters.push_back({"archive.dropped", "records"});
  layout.gauges.push_back({"archive.queue_depth", "records"});
  layout.gauges.push_back({"disk.free_bytes", "bytes"});
  // The mats' stage latencies, in the order MatChannel::take_latency() gives them.
  for (const auto& ch : mats)
    for (const char* window : {"interval", "session"})
      for (std::string_view stage : MatChannel::kLatencyStages) {
        const std::string prefix = ch->id() + ".latency." + window + "." + std::string(stage) + ".";
        layout.counters.push_back({prefix + "count", "frames"});
        for (const char* q : {"p50_us", "p99_us", "p999_us", "max_us"}) layout.gauges.push_back({prefix + q, "us"});
      }
  for (const auto& name : RelaxationTracker::archive_fields()) layout.relaxation.push_back({name, ""});
  return layout;
}

// The status row: every device's counters (kDeviceCounters order), the publisher's and the
// archive's drops, then per latency stage its count; gauges: queue depth, free disk, then per
// stage p50/p99/p99.9/max (the layout: status_layout()).
void Daemon::Impl::fill_status_record(const DaemonHealth& d, std::int64_t now, archived::Status& r) const {
  r.time_ns = now;
  r.counters.clear();
  for (const DeviceHealth& h : d.devices)
    for (const DeviceCounter& c : kDeviceCounters) r.counters.push_back(h.*c.value);
  r.counters.push_back(publisher_.dropped());
  std::uint64_t archive_dropped = 0;
  double queue_depth = 0;
  for (const ConsumerHealth& c : d.consumers)
    if (c.name == "archive") {
      archive_dropped = c.dropped;
      queue_depth = static_cast<double>(c.queue_depth);
    }
  r.counters.push_back(archive_dropped);
  r.gauges.assign({queue_depth, static_cast<double>(d.archive.free_disk_bytes)});
  for (const StageLatencySummary& l : d.latency) {
    r.counters.push_back(l.count);
    for (double v : {l.p50_us, l.p99_us, l.p999_us, l.max_us}) r.gauges.push_back(v);
  }
}

DaemonHealth Daemon::Impl::health() const {
  DaemonHealth d;
  d.state = archive_ ? "recording" : "idle";
  d.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const DeviceChannel* device : channels) d.devices.push_back(device->health());
  d.consumers.push_back({"publisher", 0, 0, publisher_.dropped()});
  d.latency = latency_;
  if (archive_) {
    const ArchiveWriterStats s = archive_->stats();
    d.consumers.push_back({"archive", s.queue_depth, s.queue_capacity, s.dropped});
    d.archive.path = s.path;
    d.archive.error = s.error;
    d.archive.bytes_written = s.bytes_written;
    d.archive.frames_written = s.frames_written;
    d.archive.last_flush_ns = s.last_flush_ns;
    d.archive.free_disk_bytes = s.free_disk_bytes;
  } else {
    struct statvfs fs {};
    if (::statvfs(config.archive_dir.c_str(), &fs) == 0)
      d.archive.free_disk_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
  }
  return d;
}

void Daemon::Impl::publish_status() {
  latency_.clear();
  for (auto& ch : mats) ch->take_latency(latency_);
  const DaemonHealth d = health();
  if (!d.archive.error.empty() && d.archive.error != last_archive_error) {
    spdlog::error("archive {}: {} (acquisition and publishing go on)", d.archive.path, d.archive.error);
    publish_event("archive.error", d.archive.path, kNaN, d.archive.error);
  }
  last_archive_error = d.archive.error;
  const std::int64_t now = clock.now_unix_ns();
  publish<archived::Status>(
      topics::status, {.host_time_ns = now},
      [&](const MessageHeader& h, PayloadOut buffer) { encode_status(h, d, buffer); },
      [&](archived::Status& r) { fill_status_record(d, now, r); });
}

void Daemon::Impl::schedule_status() {
  status_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(config.status_interval_s)));
  status_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    publish_status();
    schedule_status();
  });
}

}  // namespace plinth
