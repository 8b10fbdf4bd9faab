#pragma once
// The pressure pipeline's pure core: raw frame + host time in, calibrated map and every
// metric out (schemas/pressure-metrics.md). No I/O, no clocks, no heap allocation per frame
// after the first; the same frames and times always give the same results.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "daemon/pressure/calibration.hpp"
#include "daemon/pressure/frame_metrics.hpp"
#include "daemon/pressure/occupancy.hpp"
#include "daemon/pressure/pressure_config.hpp"
#include "daemon/pressure/region_metrics.hpp"
#include "daemon/pressure/exposure_map.hpp"
#include "daemon/pressure/sway_window.hpp"
#include "daemon/util/field_table.hpp"
#include "drivers/samples.hpp"

namespace plinth {

struct PressureResult {
  std::int64_t host_time_ns = 0;
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  std::vector<float> pressure_mmhg;    // rows*cols, row-major; kPa = mmHg * kKpaPerMmhg
  std::vector<std::uint8_t> saturated; // rows*cols, 1 where raw >= saturation_raw
  bool suspect = false;                // decoder flag or looks_corrupt(): not fed to the
                                       // time-based state (sway, movement, exposure, occupancy)
  FrameMetrics frame;
  std::vector<RegionLoad> regions;     // in config order
  SymmetryResult symmetry;
  double dispersion_index_pct = 0.0;   // 0 when no dispersion region is configured
  SwayMetrics sway;
  double movement_index_per_s = 0.0;
  bool occupied = false;
  // The last step between consecutive non-suspect frames (0 < dt <= risk_max_gap_s), for
  // consumers that judge steps one by one (the relaxation readout leaves out the steps the
  // therapist's hands made): its length, the map's relative change m_k (§Movement) and the
  // CoP's displacement (NaN when either map is empty). step_dt_s = 0: no step.
  double step_dt_s = 0.0;
  double step_movement = 0.0;
  double step_cop_cm = 0.0;
};

class PressurePipeline {
 public:
  explicit PressurePipeline(PressureConfig config);  // throws std::invalid_argument

  // Throws std::invalid_argument if the frame's geometry differs from the config.
  const PressureResult& process(const MatFrame& frame, std::int64_t host_time_ns);
  const PressureResult& result() const { return result_; }

  // Session exposure; snapshot() copies into the caller's map (reusing its buffers). Both
  // include the last frame processed.
  void exposure_snapshot(ExposureMap& out) {
    settle_exposure();
    exposure_.snapshot(out);
  }
  const ExposureMap& exposure_map() {
    settle_exposure();
    return exposure_.current();
  }
  // process() leaves the frame's share of the exposure map (no part of its result) for later, so
  // that the daemon publishes the frame first; this adds it now. Otherwise the next process(),
  // the accessors above or reset_session() do.
  void settle_exposure();
  // Starts a new session: clears sway, movement, exposure and occupancy.
  void reset_session();

  const PressureConfig& config() const { return config_; }
  const PpiWindow& ppi_window() const { return ppi_window_; }

  // Scalar metrics in a fixed order (the archive's compound fields, all float64).
  static const std::vector<std::string>& metric_field_names();
  // Per-region scalars: "region.<name>.load_n", ".contact_area_cm2", ".peak_pressure_mmhg",
  // ".mean_pressure_mmhg" for every configured region, in config order.
  std::vector<std::string> region_field_names() const;

 private:
  PressureConfig config_;
  Calibrator calibrator_;
  PpiWindow ppi_window_;
  int dispersion_region_ = -1;
  std::vector<double> integral_;
  std::vector<float> previous_mmhg_;
  bool have_previous_ = false;
  std::int64_t previous_ns_ = 0;
  double previous_cop_row_cm_ = 0.0;
  double previous_cop_col_cm_ = 0.0;
  SwayWindow sway_;
  MovementWindow movement_;
  OccupancyTracker occupancy_;
  ExposureAccumulator exposure_;
  bool exposure_pending_ = false;  // result_ holds a frame not yet added to exposure_
  PressureResult result_;
};

// The per-frame metrics table (names, values, restore): kMetricFields in pressure_pipeline.cpp,
// then any MetricFieldExtension rows. A metric added there reaches the archive's metrics columns,
// the CSV export, `plinth analyze`, the replay as recorded and the stream (PressureMetrics.extra
// under its column name, until it is given a typed field in schemas/proto and encode_pressure_metrics).
std::span<const Field<PressureResult>> pressure_metric_fields();

// Rows appended to the metrics table from outside this library, before main() runs: a static
// MetricFieldExtension in a file linked into the executable (a lab's own metric in its build; the
// test build that shows a metric row is a one-place change, tests/one_place_metric).
class MetricFieldExtension {
 public:
  explicit MetricFieldExtension(std::span<const Field<PressureResult>> rows);
};
// out.size() must equal metric_field_names().size(); throws std::invalid_argument otherwise.
void flatten_metrics(const PressureResult& result, std::span<double> out);
// out.size() must equal 4 * result.regions.size().
void flatten_region_metrics(const PressureResult& result, std::span<double> out);

}  // namespace plinth
