#include "tools/cmd_hrv.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "daemon/hrv/artifact_corrector.hpp"
#include "daemon/hrv/final_artifact_pass.hpp"
#include "daemon/hrv/hrv_flatten.hpp"
#include "daemon/hrv/hrv_metrics.hpp"

namespace plinth {

namespace {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json metrics_json(const HrvMetrics& m) {
  static thread_local std::vector<double> values;
  const auto names = hrv_record_fields();
  values.resize(names.size());
  flatten_hrv_record(m, values);
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string_view name = names[i];
    // Offline there is no host clock, no window kind and no baseline.
    if (name == "time_ns" || name == "kind" || name.starts_with("baseline_") || name == "delta_ln_rmssd" ||
        name.ends_with("change_pct")) {
      continue;
    }
    j[std::string(name)] = number_or_null(values[i]);
  }
  return j;
}

struct ArtifactKind {
  const char* name;
  std::uint32_t flag;
};
constexpr ArtifactKind artifact_kinds[] = {
    {"ectopic", beat_ectopic}, {"long", beat_long},   {"short", beat_short},
    {"missed", beat_missed},   {"extra", beat_extra}, {"out_of_range", beat_out_of_range},
    {"invalid", beat_invalid}, {"interpolated", beat_interpolated}, {"split", beat_split},
    {"merged", beat_merged},   {"dropped", beat_dropped}, {"simple_rule", beat_simple_rule},
};

struct Window {
  std::vector<double> nn;
  std::vector<std::uint8_t> segment_start;
  std::uint32_t beats = 0;
  std::uint32_t artifacts = 0;
};

// Beats whose end time t (cumulative raw RR, s) satisfies begin < t <= end.
Window collect(const std::vector<BeatRecord>& beats, const std::vector<double>& end_s, double begin, double end) {
  Window w;
  bool break_next = true;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    if (end_s[i] <= begin || end_s[i] > end) continue;
    const BeatRecord& b = beats[i];
    ++w.beats;
    if ((b.flags & beat_artifact_mask) != 0) ++w.artifacts;
    if ((b.flags & beat_segment_start) != 0) break_next = true;
    for (std::uint32_t c = 0; c < b.nn_count; ++c) {
      w.nn.push_back(b.nn_ms);
      w.segment_start.push_back(break_next ? 1 : 0);
      break_next = false;
    }
  }
  return w;
}

HrvMetrics window_metrics(HrvCalculator& calculator, const Window& w, double window_s) {
  HrvMetrics m = calculator.compute(w.nn, w.segment_start);
  m.window_s = window_s;
  m.beat_count = w.beats;
  m.artifact_count = w.artifacts;
  if (w.beats > 0) m.artifact_pct = 100.0 * w.artifacts / static_cast<double>(w.beats);
  return m;
}

}  // namespace

nlohmann::json hrv_report(std::span<const double> rr_ms, const HrvCommandOptions& options) {
  if (!(options.window_s >= 10.0)) throw std::invalid_argument("--window must be at least 10 s");
  if (!(options.step_s > 0.0)) throw std::invalid_argument("--step must be > 0 s");
  ArtifactSettings artifact_settings;
  artifact_settings.mode = options.correction;
  // Lipponen: the final decisions (centred windows, as the paper runs it over a recording),
  // the same the daemon archives; the other modes decide once.
  const bool final_pass = options.correction == CorrectionMode::lipponen;
  const std::vector<BeatRecord> beats =
      final_pass ? final_corrected_series(rr_ms, artifact_settings) : correct_rr_series(rr_ms, artifact_settings);
  // Beat times come from the raw intervals: the recording's own clock.
  std::vector<double> end_s(beats.size());
  double t = 0.0;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    if (std::isfinite(beats[i].rr_ms) && beats[i].rr_ms > 0.0) t += beats[i].rr_ms / 1000.0;
    end_s[i] = t;
  }
  const double total_s = t;

  const FrequencySettings frequency = frequency_settings_preset(options.spectrum);
  HrvCalculator calculator(frequency);
  nlohmann::json report;

  nlohmann::json counts = nlohmann::json::object();
  nlohmann::json indices = nlohmann::json::object();
  for (const auto& kind : artifact_kinds) {
    std::vector<std::uint64_t> where;
    for (const auto& b : beats) {
      if ((b.flags & kind.flag) != 0) where.push_back(b.beat_index);
    }
    counts[kind.name] = where.size();
    indices[kind.name] = where;
  }
  std::size_t nn_total = 0;
  for (const auto& b : beats) nn_total += b.nn_count;
  report["correction"] = {{"mode", std::string(to_string(options.correction))},
                          {"delay_beats", final_pass ? final_delay_beats(artifact_settings)
                                                     : ArtifactCorrector(artifact_settings).delay_beats()},
                          {"decision", final_pass ? "final" : "single"},
                          {"input_intervals", rr_ms.size()},
                          {"nn_intervals", nn_total},
                          {"counts", counts},
                          {"indices", indices}};
  report["settings"] = {{"spectrum", options.spectrum},
                        {"resample_hz", frequency.resample_hz},
                        {"detrend", frequency.detrend == SpectrumDetrend::smoothness_priors ? "smoothness_priors" : "mean"},
                        {"smoothness_lambda", frequency.detrend == SpectrumDetrend::smoothness_priors
                                                  ? nlohmann::json(frequency.smoothness_lambda)
                                                  : nlohmann::json(nullptr)},
                        {"welch_window", std::string(to_string(frequency.welch.window))},
                        {"welch_segment_samples", frequency.welch.segment_samples},
                        {"welch_overlap", frequency.welch.overlap},
                        {"nfft", frequency.welch.nfft},
                        {"band_integration", frequency.integration == BandIntegration::trapezoid ? "trapezoid" : "rectangle"},
                        {"vlf_hz", {frequency.vlf.low_hz, frequency.vlf.high_hz}},
                        {"lf_hz", {frequency.lf.low_hz, frequency.lf.high_hz}},
                        {"hf_hz", {frequency.hf.low_hz, frequency.hf.high_hz}},
                        {"window_s", options.window_s},
                        {"step_s", options.step_s}};
  report["duration_s"] = total_s;
  report["whole"] = metrics_json(window_metrics(calculator, collect(beats, end_s, -1.0, total_s + 1.0), total_s));

  nlohmann::json windows = nlohmann::json::array();
  auto add_window = [&](double begin, double end) {
    nlohmann::json w = metrics_json(window_metrics(calculator, collect(beats, end_s, begin, end), options.window_s));
    w["start_s"] = begin;
    w["end_s"] = end;
    windows.push_back(std::move(w));
  };
  // Windows (begin, begin + window] stepping from 0 while they fit; a recording shorter
  // than one window (within 1 %) is one window.
  const double tolerance = 0.01 * options.window_s;
  for (double begin = 0.0; begin + options.window_s <= total_s + tolerance; begin += options.step_s) {
    add_window(begin, begin + options.window_s);
  }
  if (windows.empty()) add_window(0.0, total_s);
  report["windows"] = std::move(windows);
  return report;
}

void add_hrv_command(CLI::App& app) {
  auto options = std::make_shared<HrvCommandOptions>();
  auto file = std::make_shared<std::string>();
  auto correction = std::make_shared<std::string>("lipponen");
  CLI::App* cmd = app.add_subcommand("hrv", "HRV of an interval file (one RR/NN interval in ms per line), as JSON");
  cmd->add_option("FILE", *file, "interval file")->required();
  cmd->add_option("--correction", *correction, "artifact correction")
      ->check(CLI::IsMember({"none", "lipponen", "simple"}))
      ->capture_default_str();
  cmd->add_option("--window", options->window_s, "per-window length in seconds")->capture_default_str();
  cmd->add_option("--step", options->step_s, "step between windows in seconds")->capture_default_str();
  cmd->add_option("--spectrum", options->spectrum,
                  "spectral settings: default (Hann 64 s, trapezoid), pyhrv (Hamming 300 samples, sum*df, VLF from 0 Hz) "
                  "or kubios (smoothness priors lambda 500, Hann 256 s, VLF from 0 Hz)")
      ->check(CLI::IsMember({"default", "pyhrv", "kubios"}))
      ->capture_default_str();
  cmd->callback([options, file, correction] {
    try {
      options->correction = parse_correction_mode(*correction);
      nlohmann::json report = hrv_report(read_rr_file(*file), *options);
      report["file"] = *file;
      std::cout << report.dump(2) << '\n';
    } catch (const std::exception& e) {
      std::cerr << "plinth hrv: " << e.what() << '\n';
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace plinth
