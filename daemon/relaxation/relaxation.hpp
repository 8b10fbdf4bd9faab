#pragma once
// The relaxation readout (schemas/relaxation.md): one 0-100 indicator that fuses the
// parasympathetic change against the session baseline (lnRMSSD and HF) with bodily
// stillness (movement index and centre-of-pressure sway against baseline). Pure: the
// daemon feeds it values with their times and asks for a reading every few seconds.
// An indicator for the therapist, not a diagnosis.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace plinth {

struct RelaxationSettings {
  double baseline_s = 180.0;          // the first minutes of the session form the baseline
  double current_window_s = 30.0;     // stillness now = mean over this window
  double heart_stale_s = 30.0;        // an HRV update older than this means "no heart data"
  double weight_parasympathetic = 0.6;
  double weight_stillness = 0.4;
  double weight_ln_rmssd = 0.6;       // within the parasympathetic part
  double weight_hf = 0.4;
  double weight_movement = 0.5;       // within the stillness part
  double weight_sway = 0.5;
  double ln_rmssd_scale = 0.4;        // change of lnRMSSD that moves its term by tanh(1) of 50 points
  double hf_log_scale = 1.0;          // same for ln(HF / baseline HF)
  double stillness_log_scale = 1.0;   // same for ln(baseline movement / movement now)
  double movement_floor_per_s = 0.005;  // below this the client counts as perfectly still
  double sway_floor_cm_s = 0.05;
  double trend_window_s = 60.0;
  double trend_threshold_per_min = 2.0;  // index points per minute that count as a trend
};

struct RelaxationReading {
  std::int64_t time_ns = 0;
  std::string state;              // baseline, live, no_data
  double index = 50.0;            // 0-100; 50 = as relaxed as at baseline
  int trend = 0;                  // -1, 0, +1
  bool heart_available = false;
  std::string note;
  std::vector<std::pair<std::string, double>> inputs;   // published and archived beside the index
  std::vector<std::pair<std::string, double>> weights;  // effective weights (renormalised)
};

class RelaxationTracker {
 public:
  explicit RelaxationTracker(RelaxationSettings settings = {});

  void start_session(std::int64_t t_ns);
  // Per processed pressure frame (suspect frames are not fed).
  void on_pressure(std::int64_t t_ns, double movement_index_per_s, double sway_velocity_cm_s, bool occupied);
  // Per sliding-window HRV update: the change against the HRV baseline (NaN while unknown).
  void on_hrv(std::int64_t t_ns, double delta_ln_rmssd, double hf_change_pct);
  // The therapist marks [begin, end] as the baseline instead of the first minutes.
  void mark_baseline(std::int64_t begin_ns, std::int64_t end_ns);
  RelaxationReading reading(std::int64_t now_ns);

  const RelaxationSettings& settings() const { return settings_; }
  static const std::vector<std::string>& archive_fields();  // names of the archived values
  // index, trend, heart_available, then inputs and weights in archive_fields() order.
  static void flatten(const RelaxationReading& reading, std::vector<double>& out);

 private:
  struct Second {  // pressure values binned per second, for baseline and current means
    std::int64_t second = 0;
    double movement_sum = 0, sway_sum = 0;
    std::uint32_t count = 0;
  };
  std::optional<std::pair<double, double>> stillness_mean(std::int64_t begin_ns, std::int64_t end_ns) const;

  RelaxationSettings settings_;
  std::int64_t session_start_ns_ = 0;
  std::optional<std::pair<std::int64_t, std::int64_t>> marked_baseline_;
  std::optional<std::pair<double, double>> baseline_;  // mean movement and sway over the baseline
  std::deque<Second> seconds_;          // bounded: the longer of baseline and 15 minutes
  std::int64_t last_hrv_ns_ = 0;
  double delta_ln_rmssd_ = 0, hf_change_pct_ = 0;
  std::deque<std::pair<std::int64_t, double>> history_;  // (time, index) for the trend
};

}  // namespace plinth
