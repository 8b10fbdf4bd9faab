#pragma once
// One pressure mat: its serial link, its pipeline, gap tracking, publishing and archiving.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/device_link.hpp"
#include "daemon/messages.hpp"
#include "daemon/sequence_tracker.hpp"

namespace plinth {

class PressurePipeline;
struct PressureResult;
class SessionOutlet;

class MatChannel {
 public:
  using FrameObserver = std::function<void(const PressureResult&)>;
  MatChannel(boost::asio::io_context& io, const HostClock& clock, const MatConfig& config, SessionOutlet& outlet,
             std::uint32_t archive_index);
  ~MatChannel();

  void start() { link_->start(); }
  void stop() { link_->stop(); }
  void reopen() { link_->reopen(); }
  void reset_session();
  // Called after each processed frame (the relaxation readout watches stillness).
  void set_observer(FrameObserver observer) { observer_ = std::move(observer); }

  const std::string& id() const { return config_.device.id; }
  ArchiveDeviceLayout archive_layout() const;
  DeviceHealth health() const;

 private:
  void on_message(StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns);
  void on_frame(const MatFrame& frame, std::int64_t host_ns);

  MatConfig config_;
  SessionOutlet& outlet_;
  std::uint32_t archive_index_;
  std::unique_ptr<PressurePipeline> pipeline_;
  std::unique_ptr<DeviceLink> link_;
  SequenceTracker tracker_;
  std::uint64_t gaps_ = 0, frames_lost_ = 0, duplicates_ = 0, wrong_geometry_ = 0;
  std::optional<DeviceInfo> info_;
  std::string frame_topic_, metrics_topic_;
  std::vector<double> metric_values_;
  FrameObserver observer_;
};

}  // namespace plinth
