#include "daemon/relaxation/relaxation.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "daemon/hrv/hrv_metrics.hpp"

namespace plinth {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kHistoryS = 900;  // a marked baseline may lie up to 15 minutes back

// The one list of published inputs and weights: reading() fills them in this order and the
// archive names its columns from it.
constexpr std::array<const char*, 10> kInputs = {
    "delta_ln_rmssd", "hf_change_pct", "hrv_artifact_pct", "movement_ratio", "sway_ratio",
    "hands_on_pct",   "technique_active", "resting_load_n", "parasympathetic_score", "stillness_score"};
constexpr std::array<const char*, 6> kWeights = {"parasympathetic", "stillness", "ln_rmssd", "hf", "movement", "sway"};

// 50 at no change; towards 100 when `x` (a log-ratio in the relaxing direction) grows.
double term(double x, double scale) { return 50.0 + 50.0 * std::tanh(x / scale); }

std::int64_t to_ns(double s) { return static_cast<std::int64_t>(s * static_cast<double>(kNsPerS)); }

std::string whole_seconds(double s) { return std::to_string(static_cast<long long>(std::llround(s))); }

std::string one_decimal(double v) {
  const long long tenths = std::llround(v * 10.0);
  return std::to_string(tenths / 10) + "." + std::to_string(std::llabs(tenths % 10));
}

}  // namespace

void validate(const RelaxationSettings& s) {
  auto fail = [](const std::string& what) { throw std::invalid_argument("relaxation settings: " + what); };
  if (!(s.settle_s >= 0.0 && s.settle_s <= 3600.0)) fail("settle_s must be 0..3600");
  if (!(s.baseline_s >= 10.0 && s.baseline_s <= 1800.0)) fail("baseline_s must be 10..1800");
  if (!(s.current_window_s > 0.0 && s.current_window_s <= 600.0)) fail("current_window_s must be in (0, 600]");
  if (!(s.artifact_limit_pct >= 0.0 && s.artifact_limit_pct <= 100.0)) fail("artifact_limit_pct must be 0..100");
  if (!(s.weight_parasympathetic >= 0.0 && s.weight_stillness >= 0.0 &&
        s.weight_parasympathetic + s.weight_stillness > 0.0))
    fail("weights must be >= 0 and not both 0");
  if (!(s.hands_load_fraction >= 0.0 && s.hands_min_load_n >= 0.0)) fail("hands thresholds must be >= 0");
  if (!(s.technique_stillness_factor >= 0.0 && s.technique_stillness_factor <= 1.0))
    fail("technique_stillness_factor must be 0..1");
  if (!(s.technique_timeout_s >= 0.0)) fail("technique_timeout_s must be >= 0");
}

bool is_rest_marker(const std::string& label) {
  std::string l;
  for (const char c : label) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return l == "rest" || l == "hands off" || l == "pause" || l == "end" || l == "stop";
}

RelaxationTracker::RelaxationTracker(RelaxationSettings settings) : settings_((validate(settings), settings)) {}

void RelaxationTracker::start_session(std::int64_t t_ns, bool has_mat) {
  session_start_ns_ = t_ns;
  has_mat_ = has_mat;
  occupied_since_ns_.reset();
  settled_at_ns_.reset();
  marked_baseline_.reset();
  baseline_handed_out_ = false;
  baseline_.reset();
  seconds_.clear();
  history_.clear();
  technique_since_ns_.reset();
  last_hrv_ns_ = rejected_at_ns_ = awaiting_baseline_ns_ = 0;
  previous_counts_ = false;
}

// The 20th percentile of the per-second mean load: hands come and go with the strokes, so most
// seconds show the body alone; a client who turns over changes it within the window.
double RelaxationTracker::resting_load(std::int64_t now_ns) const {
  std::vector<double> loads;
  const std::int64_t from = now_ns / kNsPerS - static_cast<std::int64_t>(settings_.resting_load_window_s);
  for (auto it = seconds_.rbegin(); it != seconds_.rend() && it->second >= from; ++it)
    if (it->load_count > 0) loads.push_back(it->load_sum / it->load_count);
  if (loads.empty()) return kNaN;
  const std::size_t k = loads.size() / 5;
  std::nth_element(loads.begin(), loads.begin() + static_cast<std::ptrdiff_t>(k), loads.end());
  return loads[k];
}

void RelaxationTracker::on_pressure(const StillnessSample& f) {
  if (!f.occupied) {
    occupied_since_ns_.reset();  // getting up before settling starts the settling again
    previous_counts_ = false;
    return;
  }
  if (!occupied_since_ns_) occupied_since_ns_ = f.time_ns;
  if (!settled_at_ns_ && f.time_ns - *occupied_since_ns_ >= to_ns(settings_.settle_s)) settled_at_ns_ = f.time_ns;
  if (!std::isfinite(f.total_load_n)) return;
  const std::int64_t second = f.time_ns / kNsPerS;
  const double resting = resting_load(f.time_ns);
  if (seconds_.empty() || seconds_.back().second != second) seconds_.push_back({second, 0, 0, 0, 0, 0, 0, 0});
  Second& s = seconds_.back();
  s.load_sum += f.total_load_n;
  ++s.load_count;
  const bool hands_on =
      std::isfinite(resting) &&
      f.total_load_n > resting + std::max(settings_.hands_load_fraction * resting, settings_.hands_min_load_n);
  if (hands_on) {
    ++s.hands_on;
  } else {
    ++s.frames;
    // A step counts only between two hands-off frames: the step onto or off a hand is the hand.
    if (previous_counts_ && f.step_dt_s > 0.0 && std::isfinite(f.step_movement) && std::isfinite(f.step_cop_cm)) {
      s.movement_sum += f.step_movement;
      s.cop_path_cm += f.step_cop_cm;
      s.step_s += f.step_dt_s;
    }
  }
  previous_counts_ = !hands_on;
  while (!seconds_.empty() && seconds_.front().second < second - kHistoryS) seconds_.pop_front();
}

void RelaxationTracker::on_hrv(std::int64_t received, const HrvMetrics& m) {
  if (m.kind != HrvWindowKind::standard) return;
  if (!std::isfinite(m.baseline.delta_ln_rmssd)) {
    awaiting_baseline_ns_ = received;  // beats arrive; the HRV baseline is not computed yet
    return;
  }
  if (std::isfinite(m.artifact_pct) && m.artifact_pct > settings_.artifact_limit_pct) {
    rejected_artifact_pct_ = m.artifact_pct;
    rejected_at_ns_ = received;
    return;
  }
  last_hrv_ns_ = received;
  delta_ln_rmssd_ = m.baseline.delta_ln_rmssd;
  hf_change_pct_ = m.baseline.hf_change_pct;
  hrv_artifact_pct_ = m.artifact_pct;
}

void RelaxationTracker::on_marker(std::int64_t t_ns, const std::string& label) {
  if (is_rest_marker(label)) technique_since_ns_.reset();
  else technique_since_ns_ = t_ns;
}

void RelaxationTracker::mark_baseline(std::int64_t begin_ns, std::int64_t end_ns) {
  if (end_ns <= begin_ns) return;
  marked_baseline_ = {begin_ns, end_ns};
  baseline_handed_out_ = true;  // the caller hands a marked baseline to the straps itself
  const Stillness s = stillness_over(begin_ns, end_ns);
  baseline_.reset();
  if (s.frames > 0) baseline_ = std::make_pair(s.movement, s.sway);
}

std::optional<std::pair<std::int64_t, std::int64_t>> RelaxationTracker::baseline_window() const {
  if (marked_baseline_) return marked_baseline_;
  std::optional<std::int64_t> begin = settled_at_ns_;
  if (!has_mat_) begin = session_start_ns_ + to_ns(settings_.settle_s);
  if (!begin) return std::nullopt;
  return std::make_pair(*begin, *begin + to_ns(settings_.baseline_s));
}

std::optional<std::pair<std::int64_t, std::int64_t>> RelaxationTracker::take_completed_baseline(std::int64_t now_ns) {
  const auto window = baseline_window();
  if (baseline_handed_out_ || !window || now_ns < window->second) return std::nullopt;
  baseline_handed_out_ = true;
  return window;
}

// Movement index and mean CoP velocity over the steps in the window (Σ m / Σ Δt and path / Σ Δt,
// the definitions of schemas/pressure-metrics.md over this window), hands-on frames left out.
RelaxationTracker::Stillness RelaxationTracker::stillness_over(std::int64_t begin_ns, std::int64_t end_ns) const {
  Stillness r;
  double step_s = 0;
  for (const Second& s : seconds_) {
    const std::int64_t t = s.second * kNsPerS;
    if (t < begin_ns - kNsPerS || t >= end_ns) continue;
    r.movement += s.movement_sum;
    r.sway += s.cop_path_cm;
    step_s += s.step_s;
    r.frames += s.frames;
    r.hands_on += s.hands_on;
  }
  if (step_s > 0) {
    r.movement /= step_s;
    r.sway /= step_s;
  } else {
    r.frames = 0;  // no step to judge
  }
  return r;
}

RelaxationReading RelaxationTracker::reading(std::int64_t now_ns) {
  RelaxationReading r;
  r.time_ns = now_ns;
  const bool heart_fresh = last_hrv_ns_ > 0 && now_ns - last_hrv_ns_ <= to_ns(settings_.heart_stale_s);
  const bool hrv_held = rejected_at_ns_ > last_hrv_ns_ && now_ns - rejected_at_ns_ <= to_ns(settings_.heart_stale_s);
  const bool technique = technique_since_ns_ && now_ns - *technique_since_ns_ <= to_ns(settings_.technique_timeout_s);
  const auto window = baseline_window();
  const Stillness now = stillness_over(now_ns - to_ns(settings_.current_window_s), now_ns + 1);
  const double resting = resting_load(now_ns);

  double movement_ratio = kNaN, sway_ratio = kNaN, stillness = kNaN, parasympathetic = kNaN;
  double w_p = 0, w_s = 0, w_rmssd = 0, w_hf = 0;
  std::vector<std::string> notes;
  if (!window || now_ns < window->first) {
    r.state = "settling";
    if (!has_mat_) {
      notes.push_back("settling: " + whole_seconds(static_cast<double>(now_ns - session_start_ns_) / 1e9) + " of " +
                      whole_seconds(settings_.settle_s) + " s since the session start before the baseline");
    } else if (occupied_since_ns_) {
      notes.push_back("settling on the table: " + whole_seconds(static_cast<double>(now_ns - *occupied_since_ns_) / 1e9) +
                      " of " + whole_seconds(settings_.settle_s) + " s before the baseline");
    } else {
      notes.push_back("waiting for the client on the table");
    }
  } else if (now_ns < window->second && !marked_baseline_) {
    r.state = "baseline";
    notes.push_back("collecting the baseline (" + whole_seconds(settings_.baseline_s) + " s, " +
                    whole_seconds(static_cast<double>(window->second - now_ns) / 1e9) + " s to go)");
  } else {
    if (!baseline_) {
      const Stillness base = stillness_over(window->first, window->second);
      if (base.frames > 0) baseline_ = std::make_pair(base.movement, base.sway);
    }
    if (baseline_ && now.frames > 0) {
      movement_ratio = std::max(now.movement, settings_.movement_floor_per_s) /
                       std::max(baseline_->first, settings_.movement_floor_per_s);
      sway_ratio = std::max(now.sway, settings_.sway_floor_cm_s) / std::max(baseline_->second, settings_.sway_floor_cm_s);
      const double wm = settings_.weight_movement, ws = settings_.weight_sway;
      stillness = (wm * term(-std::log(movement_ratio), settings_.stillness_log_scale) +
                   ws * term(-std::log(sway_ratio), settings_.stillness_log_scale)) /
                  (wm + ws);
      w_s = settings_.weight_stillness * (technique ? settings_.technique_stillness_factor : 1.0);
      if (technique) notes.push_back("technique in progress: stillness counts less");
    } else if (now.hands_on > 0) {
      notes.push_back("therapist's hands on: stillness paused");
    }
    if (heart_fresh) {
      w_rmssd = settings_.weight_ln_rmssd;
      w_hf = std::isfinite(hf_change_pct_) && hf_change_pct_ > -100 ? settings_.weight_hf : 0;
      const double rmssd_term = term(delta_ln_rmssd_, settings_.ln_rmssd_scale);
      const double hf_term = w_hf > 0 ? term(std::log1p(hf_change_pct_ / 100.0), settings_.hf_log_scale) : 0;
      parasympathetic = (w_rmssd * rmssd_term + w_hf * hf_term) / (w_rmssd + w_hf);
      w_p = settings_.weight_parasympathetic;
    }
    if (hrv_held) {
      notes.push_back("HRV held: " + one_decimal(rejected_artifact_pct_) + " % corrected beats in the last 5 min (limit " +
                      one_decimal(settings_.artifact_limit_pct) + " %)");
    } else if (!heart_fresh && awaiting_baseline_ns_ > 0 && now_ns - awaiting_baseline_ns_ <= to_ns(settings_.heart_stale_s)) {
      notes.push_back("HRV joins once the baseline's beats are finally decided (about a minute after it)");
    } else if (!heart_fresh) {
      notes.push_back("no heart-rate data: stillness only");
    }
    if (w_p + w_s > 0) {
      r.state = "live";
      r.heart_available = heart_fresh;
      r.index = (w_p * (std::isfinite(parasympathetic) ? parasympathetic : 0) +
                 w_s * (std::isfinite(stillness) ? stillness : 0)) /
                (w_p + w_s);
      history_.emplace_back(now_ns, r.index);
    } else {
      r.state = "no_data";
      if (now.frames == 0 && now.hands_on == 0) notes = {"no one on the table"};
    }
  }
  r.heart_available = heart_fresh;
  while (!history_.empty() && history_.front().first < now_ns - to_ns(settings_.trend_window_s)) history_.pop_front();
  if (history_.size() >= 3) {  // least-squares slope of the index over the trend window
    double st = 0, sy = 0, stt = 0, sty = 0;
    const double n = static_cast<double>(history_.size());
    for (const auto& [t, y] : history_) {
      const double x = static_cast<double>(t - history_.front().first) / 60e9;
      st += x;
      sy += y;
      stt += x * x;
      sty += x * y;
    }
    const double denominator = n * stt - st * st;
    const double slope = denominator > 0 ? (n * sty - st * sy) / denominator : 0;
    r.trend = slope > settings_.trend_threshold_per_min ? 1 : slope < -settings_.trend_threshold_per_min ? -1 : 0;
  }
  for (const auto& n : notes) r.note += (r.note.empty() ? "" : "; ") + n;

  const double all_frames = now.frames + now.hands_on;
  const double values[kInputs.size()] = {heart_fresh ? delta_ln_rmssd_ : kNaN,
                                         heart_fresh ? hf_change_pct_ : kNaN,
                                         heart_fresh ? hrv_artifact_pct_ : kNaN,
                                         movement_ratio,
                                         sway_ratio,
                                         all_frames > 0 ? 100.0 * now.hands_on / all_frames : kNaN,
                                         technique ? 1.0 : 0.0,
                                         resting,
                                         parasympathetic,
                                         stillness};
  for (std::size_t k = 0; k < kInputs.size(); ++k) r.inputs.emplace_back(kInputs[k], values[k]);
  const double total = w_p + w_s;
  const double hrv_total = w_rmssd + w_hf;
  const double still_total = settings_.weight_movement + settings_.weight_sway;
  const double weights[kWeights.size()] = {total > 0 ? w_p / total : 0,
                                           total > 0 ? w_s / total : 0,
                                           hrv_total > 0 ? w_rmssd / hrv_total : 0,
                                           hrv_total > 0 ? w_hf / hrv_total : 0,
                                           still_total > 0 ? settings_.weight_movement / still_total : 0,
                                           still_total > 0 ? settings_.weight_sway / still_total : 0};
  for (std::size_t k = 0; k < kWeights.size(); ++k) r.weights.emplace_back(kWeights[k], weights[k]);
  return r;
}

const std::vector<std::string>& RelaxationTracker::archive_fields() {
  static const std::vector<std::string> fields = [] {
    std::vector<std::string> f = {"index", "trend", "heart_available", "live"};
    for (const char* name : kInputs) f.emplace_back(name);
    for (const char* name : kWeights) f.push_back(std::string("w_") + name);
    return f;
  }();
  return fields;
}

void RelaxationTracker::flatten(const RelaxationReading& r, std::vector<double>& out) {
  out.clear();
  out.push_back(r.state == "live" ? r.index : kNaN);
  out.push_back(r.trend);
  out.push_back(r.heart_available ? 1 : 0);
  out.push_back(r.state == "live" ? 1 : 0);
  for (const auto& [name, value] : r.inputs) out.push_back(value);
  for (const auto& [name, value] : r.weights) out.push_back(value);
}

}  // namespace plinth
