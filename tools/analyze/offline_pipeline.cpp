#include "tools/analyze/offline_pipeline.hpp"

#include <stdexcept>

namespace plinth {

std::vector<std::string> offline_metric_columns(const PressureConfig& config) {
  std::vector<std::string> columns = PressurePipeline::metric_field_names();
  const PressurePipeline pipeline(config);
  for (auto& name : pipeline.region_field_names()) columns.push_back(std::move(name));
  return columns;
}

ExposureMap run_offline_pipeline(const PressureConfig& config, std::span<const MatFrame> frames,
                             std::span<const std::int64_t> time_ns, const AnalyzedFrameSink& sink) {
  if (frames.size() != time_ns.size())
    throw std::invalid_argument("run_offline_pipeline: " + std::to_string(frames.size()) + " frames but " +
                                std::to_string(time_ns.size()) + " times");
  PressurePipeline pipeline(config);
  const std::size_t metric_count = PressurePipeline::metric_field_names().size();
  std::vector<double> values(metric_count + 4 * config.regions.size());
  const std::span<double> all(values);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const PressureResult& result = pipeline.process(frames[i], time_ns[i]);
    flatten_metrics(result, all.first(metric_count));
    flatten_region_metrics(result, all.subspan(metric_count));
    if (sink) sink(i, time_ns[i], frames[i], values);
  }
  ExposureMap exposure;
  pipeline.exposure_snapshot(exposure);
  return exposure;
}

std::size_t MetricTable::column_index(std::string_view name) const {
  for (std::size_t k = 0; k < columns.size(); ++k)
    if (columns[k] == name) return k;
  throw std::out_of_range("no metric column '" + std::string(name) + "'");
}

double MetricTable::at(std::size_t frame, std::string_view name) const {
  if (frame >= frames()) throw std::out_of_range("frame " + std::to_string(frame) + " out of range");
  return values[frame * columns.size() + column_index(name)];
}

std::vector<double> MetricTable::column(std::string_view name) const {
  const std::size_t k = column_index(name);
  std::vector<double> out(frames());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = values[i * columns.size() + k];
  return out;
}

MetricTable analyze_frames(const PressureConfig& config, std::span<const MatFrame> frames,
                           std::span<const std::int64_t> time_ns) {
  MetricTable table;
  table.columns = offline_metric_columns(config);
  table.values.reserve(frames.size() * table.columns.size());
  table.exposure = run_offline_pipeline(config, frames, time_ns,
                                    [&](std::size_t, std::int64_t t, const MatFrame& f, std::span<const double> v) {
                                      table.time_ns.push_back(t);
                                      table.device_seq.push_back(f.device_seq);
                                      table.values.insert(table.values.end(), v.begin(), v.end());
                                    });
  return table;
}

}  // namespace plinth
