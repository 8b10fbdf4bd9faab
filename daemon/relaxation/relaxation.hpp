#pragma once
// The relaxation readout (schemas/relaxation.md): one 0-100 indicator of change against the
// session's own baseline, fusing vagally mediated HRV (lnRMSSD and HF power of the 300-s
// window of final beat decisions) with bodily stillness (movement index and centre-of-pressure
// sway). Pure: the daemon feeds it values with their times and asks for a reading every few
// seconds. An indicator for the therapist, not a diagnosis.
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace plinth {

struct HrvMetrics;

struct RelaxationSettings {
  double settle_s = 180.0;            // occupied time before the baseline starts (lying-down transient)
  double baseline_s = 180.0;          // then the baseline lasts this long
  double current_window_s = 30.0;     // stillness now = mean over this window
  double heart_stale_s = 30.0;        // an accepted HRV update older than this means "no heart data"
  double artifact_limit_pct = 5.0;    // an HRV window with more corrected beats does not move the readout
  double weight_parasympathetic = 0.6;
  double weight_stillness = 0.4;
  double weight_ln_rmssd = 0.6;       // within the HRV part
  double weight_hf = 0.4;
  double weight_movement = 0.5;       // within the stillness part
  double weight_sway = 0.5;
  double ln_rmssd_scale = 0.4;        // change of lnRMSSD that moves its term by tanh(1) of 50 points
  double hf_log_scale = 1.0;          // same for ln(HF / baseline HF)
  double stillness_log_scale = 1.0;   // same for ln(baseline movement / movement now)
  double movement_floor_per_s = 0.005;  // below this the client counts as perfectly still
  double sway_floor_cm_s = 0.05;
  // The therapist's hands: a frame whose total load exceeds the resting load by more than
  // max(hands_load_fraction * resting, hands_min_load_n) is "hands on" and not a client movement.
  double hands_load_fraction = 0.05;
  double hands_min_load_n = 15.0;
  double resting_load_window_s = 20.0;   // resting load = 20th percentile of per-second load over this
  // A technique marker (any marker label but the rest labels) down-weights stillness until a
  // rest marker or this long after the last technique marker.
  double technique_timeout_s = 600.0;
  double technique_stillness_factor = 0.25;
  double trend_window_s = 60.0;
  double trend_threshold_per_min = 2.0;  // index points per minute that count as a trend
};
void validate(const RelaxationSettings& settings);  // throws std::invalid_argument

// Marker labels that end an active technique (case-insensitive).
bool is_rest_marker(const std::string& label);

struct RelaxationReading {
  std::int64_t time_ns = 0;
  std::string state;              // settling, baseline, live, no_data
  double index = 50.0;            // 0-100; 50 = as at baseline
  int trend = 0;                  // -1, 0, +1
  bool heart_available = false;
  std::string note;
  std::vector<std::pair<std::string, double>> inputs;   // published and archived beside the index
  std::vector<std::pair<std::string, double>> weights;  // effective weights (renormalised)
};

// One processed pressure frame, as the readout needs it (suspect frames are not fed). The
// step fields are PressureResult's: the change since the previous frame.
struct StillnessSample {
  std::int64_t time_ns = 0;
  bool occupied = false;
  double total_load_n = 0.0;
  double step_dt_s = 0.0;      // 0: no step (first frame, a gap)
  double step_movement = 0.0;  // relative change of the map over the step
  double step_cop_cm = 0.0;    // centre-of-pressure displacement over the step
};

class RelaxationTracker {
 public:
  explicit RelaxationTracker(RelaxationSettings settings = {});

  // has_mat: occupancy comes from a mat; without one the settling time runs from the start.
  void start_session(std::int64_t t_ns, bool has_mat = true);
  void on_pressure(const StillnessSample& sample);
  // Per HRV update, with the time it was received (a standard window ends at its newest final
  // beat decision, about a minute back). Only standard (300-s, final decisions) windows compared
  // with the baseline count.
  void on_hrv(std::int64_t received_ns, const HrvMetrics& hrv);
  void on_marker(std::int64_t t_ns, const std::string& label);
  // The therapist marks [begin, end] as the baseline instead of the automatic one.
  void mark_baseline(std::int64_t begin_ns, std::int64_t end_ns);
  // The automatic baseline segment, once, when it has ended (the daemon hands it to the straps).
  std::optional<std::pair<std::int64_t, std::int64_t>> take_completed_baseline(std::int64_t now_ns);
  RelaxationReading reading(std::int64_t now_ns);

  const RelaxationSettings& settings() const { return settings_; }
  static const std::vector<std::string>& archive_fields();  // names of the archived values
  // index, trend, heart_available, live, then inputs and weights in archive_fields() order.
  static void flatten(const RelaxationReading& reading, std::vector<double>& out);

 private:
  struct Second {  // pressure values binned per second
    std::int64_t second = 0;
    double movement_sum = 0, cop_path_cm = 0, step_s = 0;  // over the steps between hands-off frames
    double load_sum = 0;
    std::uint32_t load_count = 0;   // occupied frames
    std::uint32_t frames = 0;       // occupied frames with the hands off
    std::uint32_t hands_on = 0;     // occupied frames excluded as hands on
  };
  struct Stillness {
    double movement = 0, sway = 0;
    std::uint32_t frames = 0, hands_on = 0;
  };
  Stillness stillness_over(std::int64_t begin_ns, std::int64_t end_ns) const;
  double resting_load(std::int64_t now_ns) const;
  std::optional<std::pair<std::int64_t, std::int64_t>> baseline_window() const;

  RelaxationSettings settings_;
  std::int64_t session_start_ns_ = 0;
  bool has_mat_ = true;
  std::optional<std::int64_t> occupied_since_ns_;
  bool previous_counts_ = false;  // the previous frame was occupied with the hands off
  std::optional<std::int64_t> settled_at_ns_;
  std::optional<std::pair<std::int64_t, std::int64_t>> marked_baseline_;
  bool baseline_handed_out_ = false;
  std::optional<std::pair<double, double>> baseline_;  // mean movement and sway over the baseline
  std::deque<Second> seconds_;          // bounded: the longer of baseline and 15 minutes
  std::int64_t last_hrv_ns_ = 0;
  double delta_ln_rmssd_ = 0, hf_change_pct_ = 0, hrv_artifact_pct_ = 0;
  double rejected_artifact_pct_ = 0;    // the last window held back, for the note
  std::int64_t rejected_at_ns_ = 0;
  std::int64_t awaiting_baseline_ns_ = 0;  // a standard window came before the HRV baseline
  std::optional<std::int64_t> technique_since_ns_;
  std::deque<std::pair<std::int64_t, double>> history_;  // (time, index) for the trend
};

}  // namespace plinth
