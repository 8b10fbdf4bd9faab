#include "tools/report/report_numbers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace plinth::report {

std::vector<std::uint8_t> usable_frames(const std::vector<double>* occupied, const std::vector<double>* suspect,
                                        std::size_t rows) {
  std::vector<std::uint8_t> use(rows, 0);
  for (std::size_t i = 0; i < rows; ++i) {
    const bool on = occupied && i < occupied->size() && (*occupied)[i] == 1.0;
    const bool bad = suspect && i < suspect->size() && !((*suspect)[i] == 0.0);
    use[i] = on && !bad ? 1 : 0;
  }
  return use;
}

Stat stat_of(std::span<const double> values, std::span<const std::uint8_t> use) {
  Stat s;
  double sum = 0.0;
  double lo = INFINITY, hi = -INFINITY;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!use.empty() && (i >= use.size() || use[i] == 0)) continue;
    const double v = values[i];
    if (!std::isfinite(v)) continue;
    sum += v;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    ++s.count;
  }
  if (s.count > 0) {
    s.mean = sum / static_cast<double>(s.count);
    s.min = lo;
    s.max = hi;
  }
  return s;
}

double bin_seconds(double duration_s, double min_s, std::size_t max_bins) {
  static constexpr double kSteps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600};
  for (double step : kSteps)
    if (step >= min_s && duration_s / step <= static_cast<double>(max_bins)) return step;
  return std::max(kSteps[std::size(kSteps) - 1], std::ceil(duration_s / static_cast<double>(max_bins) / 600.0) * 600.0);
}

Series binned_series(std::string name, std::string unit, std::span<const std::int64_t> time_ns,
                     std::span<const double> values, std::span<const std::uint8_t> use, std::int64_t t0_ns,
                     double bin_s, double duration_s) {
  Series s{std::move(name), std::move(unit), {}, {}};
  if (!(bin_s > 0) || !(duration_s > 0)) return s;
  const auto bins = static_cast<std::size_t>(std::ceil(duration_s / bin_s));
  std::vector<double> sum(bins, 0.0);
  std::vector<std::size_t> n(bins, 0);
  for (std::size_t i = 0; i < values.size() && i < time_ns.size(); ++i) {
    if (!use.empty() && (i >= use.size() || use[i] == 0)) continue;
    if (!std::isfinite(values[i])) continue;
    const double t = static_cast<double>(time_ns[i] - t0_ns) * 1e-9;
    if (t < 0) continue;
    const auto k = std::min(bins - 1, static_cast<std::size_t>(t / bin_s));
    sum[k] += values[i];
    ++n[k];
  }
  s.t_s.resize(bins);
  s.value.resize(bins);
  for (std::size_t k = 0; k < bins; ++k) {
    s.t_s[k] = (static_cast<double>(k) + 0.5) * bin_s;
    s.value[k] = n[k] > 0 ? sum[k] / static_cast<double>(n[k]) : kNaN;
  }
  return s;
}

double time_on_table_s(std::span<const std::int64_t> time_ns, std::span<const std::uint8_t> use, double max_gap_s) {
  double total = 0.0;
  for (std::size_t k = 1; k < time_ns.size() && k < use.size(); ++k) {
    if (use[k - 1] == 0) continue;
    const double dt = static_cast<double>(time_ns[k] - time_ns[k - 1]) * 1e-9;
    if (dt > 0 && dt <= max_gap_s) total += dt;
  }
  return total;
}

SequenceGaps count_sequence_gaps(std::span<const std::uint32_t> seq) {
  SequenceGaps g;
  for (std::size_t i = 1; i < seq.size(); ++i) {
    const std::uint32_t step = seq[i] - seq[i - 1];
    if (step == 1) continue;
    if (step == 0 || step > (1u << 25)) {
      ++g.restarts;
    } else {
      ++g.gaps;
      g.lost += step - 1;
    }
  }
  return g;
}

void MeanMap::add(std::span<const float> mmhg) {
  const std::size_t n = std::min(mmhg.size(), sum_.size());
  for (std::size_t i = 0; i < n; ++i) sum_[i] += mmhg[i];
  ++count_;
}

std::vector<double> MeanMap::mean() const {
  std::vector<double> out(sum_.size(), 0.0);
  if (count_ == 0) return out;
  for (std::size_t i = 0; i < sum_.size(); ++i) out[i] = sum_[i] / static_cast<double>(count_);
  return out;
}

ExposureSummary summarize_exposure(std::span<const float> pti_mmhg_s, std::span<const float> time_above_s,
                                   double sensel_area_cm2, double threshold_mmhg, double duration_s) {
  ExposureSummary e;
  e.threshold_mmhg = threshold_mmhg;
  e.duration_s = duration_s;
  if (pti_mmhg_s.empty()) return e;
  e.max_pti_mmhg_s = *std::max_element(pti_mmhg_s.begin(), pti_mmhg_s.end());
  e.max_time_above_s = 0.0;
  std::size_t any = 0, long_above = 0;
  for (const float t : time_above_s) {
    e.max_time_above_s = std::max(e.max_time_above_s, static_cast<double>(t));
    if (t > 0.0f) ++any;
    if (t >= 300.0f) ++long_above;
  }
  e.area_any_above_cm2 = static_cast<double>(any) * sensel_area_cm2;
  e.area_above_5min_cm2 = static_cast<double>(long_above) * sensel_area_cm2;
  return e;
}

void region_exposure(std::span<const float> time_above_s, std::span<const std::uint8_t> mask, double sensel_area_cm2,
                     RegionRow& row) {
  if (time_above_s.empty()) return;
  double longest = 0.0;
  std::size_t any = 0;
  for (std::size_t i = 0; i < mask.size() && i < time_above_s.size(); ++i) {
    if (mask[i] == 0) continue;
    longest = std::max(longest, static_cast<double>(time_above_s[i]));
    if (time_above_s[i] > 0.0f) ++any;
  }
  row.max_time_above_s = longest;
  row.area_time_above_cm2 = static_cast<double>(any) * sensel_area_cm2;
}

void map_peak_and_area(std::span<const double> mmhg, double sensel_area_cm2, double& peak, double& area_cm2) {
  peak = 0.0;
  std::size_t n = 0;
  for (const double v : mmhg) {
    peak = std::max(peak, v);
    if (v > 0.0) ++n;
  }
  area_cm2 = static_cast<double>(n) * sensel_area_cm2;
}

namespace {

std::string number17(double v) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

double json_number(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : kNaN;
}

std::string json_text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

nlohmann::json parse_or_null(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
}

}  // namespace

std::string calibration_canonical_text(std::string_view calibration_json) {
  const nlohmann::json j = parse_or_null(calibration_json);
  if (!j.is_object()) return "unknown:" + std::string(calibration_json);
  std::string out;
  const nlohmann::json curve = j.value("curve", nlohmann::json::object());
  const std::string kind = json_text(curve, "kind");
  out += "curve=" + kind + ";unit=" + json_text(curve, "unit");
  if (kind == "linear") out += ";scale=" + number17(json_number(curve, "scale"));
  if (kind == "power") out += ";a=" + number17(json_number(curve, "a")) + ";b=" + number17(json_number(curve, "b"));
  if (kind == "table")
    for (const char* key : {"x", "p"}) {
      out += std::string(";") + key + "=";
      if (curve.contains(key) && curve[key].is_array())
        for (std::size_t i = 0; i < curve[key].size(); ++i)
          out += (i ? "," : "") + number17(curve[key][i].is_number() ? curve[key][i].get<double>() : kNaN);
    }
  for (const char* key : {"saturation_raw", "noise_threshold_mmhg", "noise_floor_sd", "contact_threshold_mmhg",
                          "pitch_row_cm", "pitch_col_cm"})
    out += std::string(";") + key + "=" + number17(json_number(j, key));
  const auto e = j.find("equilibration");
  out += ";equilibration=" + (e != j.end() && e->is_object() ? json_text(*e, "fnv1a64") : std::string("none"));
  return out;
}

std::string fnv1a64_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  char text[17];
  for (int i = 0; i < 16; ++i) text[i] = "0123456789abcdef"[(h >> (60 - 4 * i)) & 0xF];
  text[16] = '\0';
  return text;
}

std::string calibration_fingerprint(std::string_view calibration_json) {
  if (calibration_json.empty()) return "";
  return fnv1a64_hex(calibration_canonical_text(calibration_json));
}

std::string archived_equilibration_fingerprint(std::string_view calibration_json) {
  const nlohmann::json j = parse_or_null(calibration_json);
  if (!j.is_object()) return "";
  const auto e = j.find("equilibration");
  return e != j.end() && e->is_object() ? json_text(*e, "fnv1a64") : std::string("none");
}

std::string calibration_summary(std::string_view calibration_json) {
  const nlohmann::json j = parse_or_null(calibration_json);
  if (!j.is_object()) return calibration_json.empty() ? "not recorded" : "not readable";
  const nlohmann::json curve = j.value("curve", nlohmann::json::object());
  const std::string kind = json_text(curve, "kind");
  const std::string unit = json_text(curve, "unit");
  char buffer[200];
  if (kind == "linear") {
    std::snprintf(buffer, sizeof buffer, "linear, %.6g %s per count", json_number(curve, "scale"), unit.c_str());
  } else if (kind == "power") {
    std::snprintf(buffer, sizeof buffer, "power law %s = %.6g x^%.6g", unit.c_str(), json_number(curve, "a"),
                  json_number(curve, "b"));
  } else {
    std::snprintf(buffer, sizeof buffer, "%s curve (%s)", kind.c_str(), unit.c_str());
  }
  std::string out = buffer;
  const auto e = j.find("equilibration");
  if (e != j.end() && e->is_object()) {
    out += "; equilibration " + json_text(*e, "fnv1a64") + " from " + json_text(*e, "file");
  } else {
    out += "; no equilibration";
  }
  std::snprintf(buffer, sizeof buffer, "; noise floor %.3g mmHg", json_number(j, "noise_threshold_mmhg"));
  return out + buffer;
}

bool is_technique_label(std::string_view label) {
  std::string l;
  for (const char c : label) l.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return !(l == "rest" || l == "hands off" || l == "pause" || l == "end" || l == "stop");
}

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds)) return "–";
  const long s = std::lround(std::max(0.0, seconds));
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%ld:%02ld", s / 60, s % 60);
  }
  return buffer;
}

}  // namespace plinth::report
