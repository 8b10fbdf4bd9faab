#include "daemon/pressure/pressure_pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "daemon/pressure/corrupt_frame.hpp"
#include "daemon/util/field_table.hpp"

namespace plinth {

namespace {

// Room for 128 frames a second over the window, so a normal mat never grows the rings.
std::size_t ring_capacity(double window_s) { return static_cast<std::size_t>(std::ceil(window_s * 128.0)) + 16; }

}  // namespace

PressurePipeline::PressurePipeline(PressureConfig config)
    : config_((validate(config), std::move(config))),
      calibrator_(config_.calibration, config_.geometry.sensels(), config_.saturation_raw, config_.noise_threshold_mmhg,
                  config_.noise_floor_sd),
      ppi_window_(choose_ppi_window(config_.geometry.pitch_row_cm, config_.geometry.pitch_col_cm)),
      integral_(std::size_t{config_.geometry.rows + 1u} * (config_.geometry.cols + 1u), 0.0),
      previous_mmhg_(config_.geometry.sensels(), 0.0f),
      sway_(config_.sway_window_s, ring_capacity(config_.sway_window_s)),
      movement_(config_.sway_window_s, ring_capacity(config_.sway_window_s)),
      occupancy_(config_.occupancy),
      exposure_(config_.geometry.rows, config_.geometry.cols, config_.exposure_threshold_mmhg, config_.exposure_max_gap_s) {
  for (std::size_t k = 0; k < config_.regions.size(); ++k)
    if (config_.regions[k].name == config_.dispersion_region) dispersion_region_ = static_cast<int>(k);
  result_.rows = config_.geometry.rows;
  result_.cols = config_.geometry.cols;
  result_.pressure_mmhg.assign(config_.geometry.sensels(), 0.0f);
  result_.saturated.assign(config_.geometry.sensels(), 0);
  result_.regions.resize(config_.regions.size());
  for (std::size_t k = 0; k < config_.regions.size(); ++k) result_.regions[k].name = config_.regions[k].name;
}

void PressurePipeline::reset_session() {
  sway_.clear();
  movement_.clear();
  occupancy_.reset();
  exposure_.reset();
  exposure_pending_ = false;
  have_previous_ = false;
  result_.sway = SwayMetrics{};
  result_.movement_index_per_s = 0.0;
  result_.occupied = false;
}

void PressurePipeline::settle_exposure() {
  if (!exposure_pending_) return;
  exposure_.add(result_.pressure_mmhg, result_.host_time_ns);
  exposure_pending_ = false;
}

const PressureResult& PressurePipeline::process(const MatFrame& frame, std::int64_t host_time_ns) {
  settle_exposure();  // the previous frame's, while result_ still holds it
  const MatGeometry& g = config_.geometry;
  if (frame.rows != g.rows || frame.cols != g.cols || frame.raw.size() != g.sensels())
    throw std::invalid_argument("pressure frame is " + std::to_string(frame.rows) + "x" + std::to_string(frame.cols) + " with " +
                                std::to_string(frame.raw.size()) + " values; the mat is configured as " +
                                std::to_string(g.rows) + "x" + std::to_string(g.cols));
  PressureResult& r = result_;
  r.host_time_ns = host_time_ns;
  const std::uint32_t saturated = calibrator_.apply(frame.raw, r.pressure_mmhg, r.saturated);
  r.suspect = frame.suspect || (config_.detect_corrupt_frames && looks_corrupt(frame.raw));

  r.frame = compute_frame_metrics(r.pressure_mmhg, g, config_.contact_threshold_mmhg, ppi_window_, integral_);
  r.frame.saturated_count = saturated;
  compute_region_loads(r.pressure_mmhg, g, config_.contact_threshold_mmhg, config_.regions, r.regions);
  r.symmetry = compute_symmetry(r.pressure_mmhg, g, config_.symmetry_axis, config_.contact_threshold_mmhg);
  r.dispersion_index_pct =
      dispersion_region_ >= 0 ? dispersion_index_pct(r.pressure_mmhg, config_.regions[static_cast<std::size_t>(dispersion_region_)]) : 0.0;

  // A garbled frame must not leave a trace in the time-based state: keep the last values.
  if (r.suspect) return r;

  r.occupied = occupancy_.update(r.frame.total_load_n, host_time_ns);
  if (r.occupied && std::isfinite(r.frame.cop_row_cm)) sway_.push(host_time_ns, r.frame.cop_row_cm, r.frame.cop_col_cm);
  else sway_.clear();
  r.sway = sway_.metrics();

  r.step_dt_s = 0.0;
  r.step_movement = 0.0;
  r.step_cop_cm = std::numeric_limits<double>::quiet_NaN();
  if (have_previous_) {
    const double dt = static_cast<double>(host_time_ns - previous_ns_) * 1e-9;
    if (dt > 0.0 && dt <= config_.exposure_max_gap_s) {
      r.step_dt_s = dt;
      r.step_movement = relative_change(previous_mmhg_.data(), r.pressure_mmhg.data(), g.sensels());
      r.step_cop_cm = std::hypot(r.frame.cop_row_cm - previous_cop_row_cm_, r.frame.cop_col_cm - previous_cop_col_cm_);
      movement_.push(host_time_ns, r.step_movement, dt);
    } else {
      movement_.clear();
    }
  }
  r.movement_index_per_s = movement_.index_per_s();
  std::copy(r.pressure_mmhg.begin(), r.pressure_mmhg.end(), previous_mmhg_.begin());
  previous_ns_ = host_time_ns;
  previous_cop_row_cm_ = r.frame.cop_row_cm;
  previous_cop_col_cm_ = r.frame.cop_col_cm;
  have_previous_ = true;

  exposure_pending_ = true;
  return r;
}

namespace {

// One row per archived metric (schemas/pressure-metrics.md, schemas/archive-layout.md): the
// archive's metric columns and the CSV export follow this table.
constexpr Field<PressureResult> kMetricFields[] = {
    {"total_load_n", [](const PressureResult& r) { return r.frame.total_load_n; },
     [](PressureResult& r, double v) { r.frame.total_load_n = v; }},
    {"contact_area_cm2", [](const PressureResult& r) { return r.frame.contact_area_cm2; },
     [](PressureResult& r, double v) { r.frame.contact_area_cm2 = v; }},
    {"contact_sensels", [](const PressureResult& r) { return static_cast<double>(r.frame.contact_sensels); },
     [](PressureResult& r, double v) { r.frame.contact_sensels = archived_integer<std::uint32_t>(v, 0); }},
    {"mean_pressure_mmhg", [](const PressureResult& r) { return r.frame.mean_pressure_mmhg; },
     [](PressureResult& r, double v) { r.frame.mean_pressure_mmhg = v; }},
    {"peak_pressure_mmhg", [](const PressureResult& r) { return r.frame.peak_pressure_mmhg; },
     [](PressureResult& r, double v) { r.frame.peak_pressure_mmhg = v; }},
    {"peak_row", [](const PressureResult& r) { return static_cast<double>(r.frame.peak_row); },
     [](PressureResult& r, double v) { r.frame.peak_row = archived_integer<int>(v, -1); }},
    {"peak_col", [](const PressureResult& r) { return static_cast<double>(r.frame.peak_col); },
     [](PressureResult& r, double v) { r.frame.peak_col = archived_integer<int>(v, -1); }},
    {"ppi_mmhg", [](const PressureResult& r) { return r.frame.ppi_mmhg; },
     [](PressureResult& r, double v) { r.frame.ppi_mmhg = v; }},
    {"ppi_row", [](const PressureResult& r) { return static_cast<double>(r.frame.ppi_row); },
     [](PressureResult& r, double v) { r.frame.ppi_row = archived_integer<int>(v, -1); }},
    {"ppi_col", [](const PressureResult& r) { return static_cast<double>(r.frame.ppi_col); },
     [](PressureResult& r, double v) { r.frame.ppi_col = archived_integer<int>(v, -1); }},
    {"coefficient_of_variation", [](const PressureResult& r) { return r.frame.coefficient_of_variation; },
     [](PressureResult& r, double v) { r.frame.coefficient_of_variation = v; }},
    {"cop_row_cm", [](const PressureResult& r) { return r.frame.cop_row_cm; },
     [](PressureResult& r, double v) { r.frame.cop_row_cm = v; }},
    {"cop_col_cm", [](const PressureResult& r) { return r.frame.cop_col_cm; },
     [](PressureResult& r, double v) { r.frame.cop_col_cm = v; }},
    {"gradient_max_mmhg_per_cm", [](const PressureResult& r) { return r.frame.gradient_max_mmhg_per_cm; },
     [](PressureResult& r, double v) { r.frame.gradient_max_mmhg_per_cm = v; }},
    {"saturated_count", [](const PressureResult& r) { return static_cast<double>(r.frame.saturated_count); },
     [](PressureResult& r, double v) { r.frame.saturated_count = archived_integer<std::uint32_t>(v, 0); }},
    {"suspect", [](const PressureResult& r) { return r.suspect ? 1.0 : 0.0; },
     [](PressureResult& r, double v) { r.suspect = v != 0.0 && !std::isnan(v); }},
    {"occupied", [](const PressureResult& r) { return r.occupied ? 1.0 : 0.0; },
     [](PressureResult& r, double v) { r.occupied = v != 0.0 && !std::isnan(v); }},
    {"left_load_n", [](const PressureResult& r) { return r.symmetry.left_load_n; },
     [](PressureResult& r, double v) { r.symmetry.left_load_n = v; }},
    {"right_load_n", [](const PressureResult& r) { return r.symmetry.right_load_n; },
     [](PressureResult& r, double v) { r.symmetry.right_load_n = v; }},
    {"symmetry_index_pct", [](const PressureResult& r) { return r.symmetry.symmetry_index_pct; },
     [](PressureResult& r, double v) { r.symmetry.symmetry_index_pct = v; }},
    {"axis_angle_deg", [](const PressureResult& r) { return r.symmetry.axis_angle_deg; },
     [](PressureResult& r, double v) { r.symmetry.axis_angle_deg = v; }},
    {"midline_row_cm", [](const PressureResult& r) { return r.symmetry.midline_row_cm; },
     [](PressureResult& r, double v) { r.symmetry.midline_row_cm = v; }},
    {"midline_col_cm", [](const PressureResult& r) { return r.symmetry.midline_col_cm; },
     [](PressureResult& r, double v) { r.symmetry.midline_col_cm = v; }},
    {"dispersion_index_pct", [](const PressureResult& r) { return r.dispersion_index_pct; },
     [](PressureResult& r, double v) { r.dispersion_index_pct = v; }},
    {"sway_window_s", [](const PressureResult& r) { return r.sway.window_s; },
     [](PressureResult& r, double v) { r.sway.window_s = v; }},
    {"sway_samples", [](const PressureResult& r) { return static_cast<double>(r.sway.samples); },
     [](PressureResult& r, double v) { r.sway.samples = archived_integer<std::uint32_t>(v, 0); }},
    {"sway_path_length_cm", [](const PressureResult& r) { return r.sway.path_length_cm; },
     [](PressureResult& r, double v) { r.sway.path_length_cm = v; }},
    {"sway_mean_velocity_cm_s", [](const PressureResult& r) { return r.sway.mean_velocity_cm_s; },
     [](PressureResult& r, double v) { r.sway.mean_velocity_cm_s = v; }},
    {"sway_rms_distance_cm", [](const PressureResult& r) { return r.sway.rms_distance_cm; },
     [](PressureResult& r, double v) { r.sway.rms_distance_cm = v; }},
    {"sway_ellipse95_area_cm2", [](const PressureResult& r) { return r.sway.ellipse95_area_cm2; },
     [](PressureResult& r, double v) { r.sway.ellipse95_area_cm2 = v; }},
    {"movement_index_per_s", [](const PressureResult& r) { return r.movement_index_per_s; },
     [](PressureResult& r, double v) { r.movement_index_per_s = v; }},
};

}  // namespace

const std::vector<std::string>& PressurePipeline::metric_field_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& field : pressure_metric_fields()) out.emplace_back(field.name);
    return out;
  }();
  return names;
}

std::vector<std::string> PressurePipeline::region_field_names() const {
  std::vector<std::string> names;
  for (const RegionSpec& region : config_.regions)
    for (const char* field : {"load_n", "contact_area_cm2", "peak_pressure_mmhg", "mean_pressure_mmhg"})
      names.push_back("region." + region.name + "." + field);
  return names;
}

namespace {
// kMetricFields, then the rows of every MetricFieldExtension linked in.
std::vector<Field<PressureResult>>& metric_table() {
  static std::vector<Field<PressureResult>> table(std::begin(kMetricFields), std::end(kMetricFields));
  return table;
}
}  // namespace

MetricFieldExtension::MetricFieldExtension(std::span<const Field<PressureResult>> rows) {
  metric_table().insert(metric_table().end(), rows.begin(), rows.end());
}

std::span<const Field<PressureResult>> pressure_metric_fields() { return metric_table(); }

void flatten_metrics(const PressureResult& r, std::span<double> out) {
  flatten_fields(pressure_metric_fields(), r, out, "flatten_metrics");
}

void flatten_region_metrics(const PressureResult& r, std::span<double> out) {
  if (out.size() != 4 * r.regions.size())
    throw std::invalid_argument("flatten_region_metrics: output must hold 4 values per region");
  std::size_t k = 0;
  for (const RegionLoad& region : r.regions) {
    out[k++] = region.load_n;
    out[k++] = region.contact_area_cm2;
    out[k++] = region.peak_pressure_mmhg;
    out[k++] = region.mean_pressure_mmhg;
  }
}

}  // namespace plinth
