#include "daemon/relaxation/relaxation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace plinth {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr std::int64_t kHistoryS = 900;  // a marked baseline may lie up to 15 minutes back

// 50 at no change; towards 100 when `x` (a log-ratio in the relaxing direction) grows.
double term(double x, double scale) { return 50.0 + 50.0 * std::tanh(x / scale); }

}  // namespace

RelaxationTracker::RelaxationTracker(RelaxationSettings settings) : settings_(settings) {}

void RelaxationTracker::start_session(std::int64_t t_ns) {
  session_start_ns_ = t_ns;
  marked_baseline_.reset();
  baseline_.reset();
  seconds_.clear();
  history_.clear();
  last_hrv_ns_ = 0;
}

void RelaxationTracker::on_pressure(std::int64_t t_ns, double movement, double sway, bool occupied) {
  if (!occupied || !std::isfinite(movement) || !std::isfinite(sway)) return;
  const std::int64_t second = t_ns / kNsPerS;
  if (seconds_.empty() || seconds_.back().second != second) seconds_.push_back({second, 0, 0, 0});
  Second& s = seconds_.back();
  s.movement_sum += movement;
  s.sway_sum += sway;
  ++s.count;
  // The baseline is cached once its window has passed, so only the span a marked baseline
  // may reach back (kHistoryS) needs keeping.
  while (!seconds_.empty() && seconds_.front().second < second - kHistoryS) seconds_.pop_front();
}

void RelaxationTracker::on_hrv(std::int64_t t_ns, double delta_ln_rmssd, double hf_change_pct) {
  if (!std::isfinite(delta_ln_rmssd)) return;
  last_hrv_ns_ = t_ns;
  delta_ln_rmssd_ = delta_ln_rmssd;
  hf_change_pct_ = hf_change_pct;
}

void RelaxationTracker::mark_baseline(std::int64_t begin_ns, std::int64_t end_ns) {
  if (end_ns <= begin_ns) return;
  marked_baseline_ = {begin_ns, end_ns};
  baseline_ = stillness_mean(begin_ns, end_ns);
}

std::optional<std::pair<double, double>> RelaxationTracker::stillness_mean(std::int64_t begin_ns,
                                                                           std::int64_t end_ns) const {
  double movement = 0, sway = 0;
  std::uint32_t n = 0;
  for (const Second& s : seconds_) {
    const std::int64_t t = s.second * kNsPerS;
    if (t < begin_ns - kNsPerS || t >= end_ns) continue;
    movement += s.movement_sum;
    sway += s.sway_sum;
    n += s.count;
  }
  if (n == 0) return std::nullopt;
  return std::make_pair(movement / n, sway / n);
}

RelaxationReading RelaxationTracker::reading(std::int64_t now_ns) {
  RelaxationReading r;
  r.time_ns = now_ns;
  const auto baseline_window = marked_baseline_.value_or(std::make_pair(
      session_start_ns_, session_start_ns_ + static_cast<std::int64_t>(settings_.baseline_s * kNsPerS)));
  r.heart_available = last_hrv_ns_ > 0 && now_ns - last_hrv_ns_ <= static_cast<std::int64_t>(settings_.heart_stale_s * kNsPerS);

  if (!baseline_ && now_ns >= baseline_window.second) baseline_ = stillness_mean(baseline_window.first, baseline_window.second);
  const auto& base = baseline_;
  const auto now = stillness_mean(now_ns - static_cast<std::int64_t>(settings_.current_window_s * kNsPerS), now_ns + 1);
  double movement_ratio = kNaN, sway_ratio = kNaN, stillness = kNaN, parasympathetic = kNaN;
  if (now_ns < baseline_window.second && !marked_baseline_) {
    r.state = "baseline";
    r.note = "collecting the baseline (" + std::to_string(static_cast<int>(settings_.baseline_s)) + " s)";
  } else if (!base || !now) {
    r.state = "no_data";
    r.note = "no one on the table";
  } else {
    r.state = "live";
    movement_ratio = std::max(now->first, settings_.movement_floor_per_s) /
                     std::max(base->first, settings_.movement_floor_per_s);
    sway_ratio = std::max(now->second, settings_.sway_floor_cm_s) / std::max(base->second, settings_.sway_floor_cm_s);
    const double wm = settings_.weight_movement, ws = settings_.weight_sway;
    stillness = (wm * term(-std::log(movement_ratio), settings_.stillness_log_scale) +
                 ws * term(-std::log(sway_ratio), settings_.stillness_log_scale)) /
                (wm + ws);
  }

  double w_p = 0, w_s = std::isfinite(stillness) ? settings_.weight_stillness : 0;
  double w_rmssd = 0, w_hf = 0;
  if (r.heart_available && r.state == "live") {
    w_rmssd = settings_.weight_ln_rmssd;
    w_hf = std::isfinite(hf_change_pct_) && hf_change_pct_ > -100 ? settings_.weight_hf : 0;
    const double rmssd_term = term(delta_ln_rmssd_, settings_.ln_rmssd_scale);
    const double hf_term = w_hf > 0 ? term(std::log1p(hf_change_pct_ / 100.0), settings_.hf_log_scale) : 0;
    parasympathetic = (w_rmssd * rmssd_term + w_hf * hf_term) / (w_rmssd + w_hf);
    w_p = settings_.weight_parasympathetic;
  } else if (r.state == "live") {
    r.note = "no heart-rate data: stillness only";
  }
  if (r.state == "live") {
    r.index = (w_p * (std::isfinite(parasympathetic) ? parasympathetic : 0) + w_s * stillness) / (w_p + w_s);
    history_.emplace_back(now_ns, r.index);
  }
  while (!history_.empty() && history_.front().first < now_ns - static_cast<std::int64_t>(settings_.trend_window_s * kNsPerS))
    history_.pop_front();
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
  const double total_p = w_p + w_s;
  r.inputs = {{"delta_ln_rmssd", r.heart_available ? delta_ln_rmssd_ : kNaN},
              {"hf_change_pct", r.heart_available ? hf_change_pct_ : kNaN},
              {"movement_ratio", movement_ratio},
              {"sway_ratio", sway_ratio},
              {"parasympathetic_score", parasympathetic},
              {"stillness_score", stillness}};
  r.weights = {{"parasympathetic", total_p > 0 ? w_p / total_p : 0},
               {"stillness", total_p > 0 ? w_s / total_p : 0},
               {"ln_rmssd", w_rmssd + w_hf > 0 ? w_rmssd / (w_rmssd + w_hf) : 0},
               {"hf", w_rmssd + w_hf > 0 ? w_hf / (w_rmssd + w_hf) : 0},
               {"movement", settings_.weight_movement / (settings_.weight_movement + settings_.weight_sway)},
               {"sway", settings_.weight_sway / (settings_.weight_movement + settings_.weight_sway)}};
  return r;
}

const std::vector<std::string>& RelaxationTracker::archive_fields() {
  static const std::vector<std::string> fields = {
      "index", "trend", "heart_available", "live",
      "delta_ln_rmssd", "hf_change_pct", "movement_ratio", "sway_ratio", "parasympathetic_score", "stillness_score",
      "w_parasympathetic", "w_stillness", "w_ln_rmssd", "w_hf", "w_movement", "w_sway"};
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
