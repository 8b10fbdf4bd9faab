#pragma once
// The daemon's pressure pipeline run offline: frames and their times in, the same per-frame
// metrics plinthd publishes and archives out. `plinth analyze` prints them; tests use this
// directly to check the pipeline on recordings without processes or sockets.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/pressure/pressure_pipeline.hpp"
#include "drivers/samples.hpp"

namespace plinth {

// Column names of one analysed frame: PressurePipeline::metric_field_names(), then the
// configured regions' fields (region_field_names()).
std::vector<std::string> offline_metric_columns(const PressureConfig& config);

// Called for every frame in order: its index, host time, the frame and the flattened values
// (one per offline_metric_columns()); the span is valid during the call only.
using AnalyzedFrameSink = std::function<void(std::size_t index, std::int64_t time_ns, const MatFrame& frame,
                                             std::span<const double> values)>;

// Runs one fresh PressurePipeline over the frames (as a session: state starts empty) and
// returns the session's exposure map at the end. time_ns.size() must equal frames.size().
// Throws std::invalid_argument on a size mismatch or a frame of another geometry.
ExposureMap run_offline_pipeline(const PressureConfig& config, std::span<const MatFrame> frames,
                             std::span<const std::int64_t> time_ns, const AnalyzedFrameSink& sink);

// Every frame's values in memory, for tests and small files.
struct MetricTable {
  std::vector<std::string> columns;
  std::vector<std::int64_t> time_ns;
  std::vector<std::uint32_t> device_seq;
  std::vector<double> values;  // frames x columns, row-major
  ExposureMap exposure;                // at the end

  std::size_t frames() const { return time_ns.size(); }
  std::size_t column_index(std::string_view name) const;  // throws std::out_of_range
  double at(std::size_t frame, std::string_view column) const;
  std::vector<double> column(std::string_view name) const;
};

MetricTable analyze_frames(const PressureConfig& config, std::span<const MatFrame> frames,
                           std::span<const std::int64_t> time_ns);

}  // namespace plinth
