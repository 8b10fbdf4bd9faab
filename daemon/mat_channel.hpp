#pragma once
// One pressure mat: its serial link, its pipeline, gap tracking, publishing and archiving.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/clock/device_clock_model.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/device_channel.hpp"
#include "daemon/messages.hpp"
#include "daemon/sequence_tracker.hpp"
#include "daemon/util/latency_histogram.hpp"

namespace plinth {

class PressurePipeline;
struct PressureResult;
struct ExposureMap;
class SessionOutlet;

class MatChannel final : public DeviceChannel {
 public:
  using FrameObserver = std::function<void(const PressureResult&)>;
  // The daemon's own latency stages of a frame, each measured from the frame's host arrival
  // (StageLatency in schemas/proto/plinth.proto).
  static constexpr std::array<std::string_view, 4> kLatencyStages{"decoded", "metrics", "published",
                                                                  "archive_queued"};
  MatChannel(boost::asio::io_context& io, const HostClock& clock, const MatConfig& config, SessionOutlet& outlet,
             std::uint32_t archive_index);
  ~MatChannel() override;

  // Starts a new session: clears the pipeline's session state and the exposure map's schedule.
  void reset_session() override;
  // Publishes the calibration in force as a `calibration` session event (once per session,
  // after session.start, so that the archive's /events holds it too).
  void announce_calibration();
  // Publishes and archives the final exposure map of the session (before session.stop).
  // Both this and reset_session() restart the "session" latency window.
  void finish_session();
  // Called after each processed frame (the relaxation readout watches stillness).
  void set_observer(FrameObserver observer) { observer_ = std::move(observer); }

  const std::string& id() const override { return config_.device.id; }
  ArchiveDeviceLayout archive_layout() const override;
  DeviceHealth health() const override;
  // Appends the latency of each stage over the interval since the previous call, then since
  // the session started (8 entries, in the order of kLatencyStages), and starts a new interval.
  void take_latency(std::vector<StageLatencySummary>& out);
  void on_message(StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns) override;

 private:
  void on_frame(const MatFrame& frame, std::int64_t host_ns);
  // The frame's time on the session's timeline; feeds the clock model and archives its rows.
  std::int64_t place_on_timeline(const MatFrame& frame, std::int64_t host_ns);
  void publish_exposure(std::int64_t host_ns, std::uint32_t device_seq, std::uint64_t device_time_us);

  MatConfig config_;
  const HostClock& clock_;
  std::unique_ptr<PressurePipeline> pipeline_;
  SequenceTracker tracker_;
  std::uint64_t gaps_ = 0, frames_lost_ = 0, duplicates_ = 0, wrong_geometry_ = 0;
  std::optional<DeviceInfo> info_;
  std::string frame_topic_, metrics_topic_, exposure_topic_;
  std::string calibration_json_;  // calibration_in_force_json(), fixed for the daemon's life
  std::unique_ptr<ExposureMap> exposure_;  // snapshot buffer, reused
  std::int64_t exposure_interval_ns_;
  bool exposure_clock_started_ = false;  // a frame arrived since the session started
  std::int64_t exposure_due_ns_ = 0;
  std::int64_t exposure_last_published_ns_ = 0;
  std::int64_t last_frame_ns_ = 0;
  std::uint32_t last_device_seq_ = 0;
  std::uint64_t last_device_time_us_ = 0;
  FrameObserver observer_;
  // Recorded per frame into `interval`; take_latency() folds it into `session`. On the heap:
  // 8 histograms of 54 KiB.
  struct Latency {
    std::array<LatencyHistogram, kLatencyStages.size()> interval;
    std::array<LatencyHistogram, kLatencyStages.size()> session;
  };
  std::unique_ptr<Latency> latency_;
  // The device clock on the session's timeline (schemas/clock-model.md); kept across sessions,
  // since it describes the device, not the session.
  std::unique_ptr<DeviceClockModel> clock_model_;
};

}  // namespace plinth
