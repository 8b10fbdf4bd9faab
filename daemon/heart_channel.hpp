#pragma once
// One heart-rate strap: its transport (a serial protocol through DeviceLink, or BlueZ over
// D-Bus; daemon/device_transport.hpp), the live HRV engine, publishing of beats and HRV
// updates, and archiving.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/archive/archive_layout.hpp"
#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/device_channel.hpp"
#include "daemon/host_clock.hpp"
#include "daemon/messages.hpp"

namespace boost::asio {
class io_context;
}

namespace plinth {

class SessionOutlet;
class HrvMonitor;
struct HrvMonitorOutput;
struct HrvMetrics;

class RrBeatClock;

class HeartChannel final : public DeviceChannel {
 public:
  using HrvObserver = std::function<void(const HrvMetrics&)>;
  HeartChannel(boost::asio::io_context& io, const HostClock& clock, const HeartConfig& config,
               SessionOutlet& outlet, std::uint32_t archive_index);
  ~HeartChannel() override;

  // Decides the beats the artifact corrector still holds back (end of a session).
  void flush();
  // A new session: a new baseline, a new beat count.
  void reset_session() override;
  // Marks [begin, end] as the baseline (the therapist's choice instead of the first minutes).
  void set_baseline(std::int64_t begin_ns, std::int64_t end_ns);
  // HRV over the last window_s now (published and archived like the periodic updates).
  HrvMetrics compute_now(double window_s);
  void set_observer(HrvObserver observer) { observer_ = std::move(observer); }

  const std::string& id() const override { return config_.device.id; }
  ArchiveDeviceLayout archive_layout() const override;
  DeviceHealth health() const override;
  void on_message(StepOutcome outcome, const DecodedOutput& out, std::int64_t host_ns) override;

 private:
  void on_samples(const std::vector<HeartSample>& samples, std::int64_t arrival_ns);
  void deliver(HrvMonitorOutput& out);
  std::int64_t timeline_of(const BeatRecord& beat) const;  // the beat on the timeline, by input position
  MessageHeader beat_header(const BeatRecord& beat) const;

  HeartConfig config_;
  std::unique_ptr<HrvMonitor> monitor_;
  std::unique_ptr<HrvMonitorOutput> out_;
  std::string beat_topic_, final_beat_topic_, hrv_topic_;
  // What the decisions need of each input beat, by input position: they come out up to ~51 beats
  // later (final decisions), and the monitor's records do not carry it.
  struct InputBeat {
    std::uint32_t missing = 0;     // beats the strap reported lost before this one
    std::int64_t timeline_ns = 0;  // the beat on the session's timeline
  };
  std::array<InputBeat, 512> input_by_index_{};
  std::uint64_t input_beats_ = 0;
  std::vector<double> hrv_values_;
  std::uint64_t beats_ = 0, strap_missing_ = 0, artifacts_ = 0;
  bool contact_ = true;
  std::uint32_t pending_missing_ = 0;
  HrvObserver observer_;
  // The strap's RR sum as its clock, on the session's timeline (schemas/clock-model.md §6); kept
  // across sessions like the device.
  std::unique_ptr<RrBeatClock> rr_clock_;
  // One notification's intervals and beat times, reused from one notification to the next.
  std::vector<double> notification_rr_ms_;
  std::vector<std::int64_t> notification_arrival_ns_;
  std::vector<std::int64_t> notification_timeline_ns_;
};

}  // namespace plinth
