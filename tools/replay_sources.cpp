#include "tools/replay_sources.hpp"

#include <iostream>
#include <optional>
#include <set>

#include "daemon/config/daemon_config.hpp"
#include "daemon/topics.hpp"
#include "tools/replay_timeline.hpp"

namespace plinth::tools {
namespace {

DaemonConfig config_for_replay(const ArchiveReader& reader, const std::string& config_path) {
  if (!config_path.empty()) {
    DaemonConfig config = load_daemon_config(config_path);
    for (const std::string& warning : config.deprecations) std::cerr << "plinth replay: warning: " << warning << "\n";
    return config;
  }
  const std::string text = text_of(reader.attributes(), "config");
  if (text.empty()) throw std::runtime_error("the archive carries no config to calibrate its frames with; give --config FILE");
  try {
    // A relative calibration file is looked for next to the archive.
    return parse_daemon_config(text, reader.path().string() + " (archived config)");
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot use the archived config: ") + e.what() +
                             "; give the config to use with --config FILE");
  }
}

std::string device_list(const ArchiveReader& reader) {
  std::string list = "devices:";
  for (const ArchiveDevice& d : reader.devices()) list += " " + d.id;
  return list;
}

std::unique_ptr<MatSource> load_mat(const ArchiveReader& reader, const ArchiveDevice& d, const DaemonConfig& config,
                                    bool recompute) {
  const MatConfig* mc = nullptr;
  for (const MatConfig& m : config.mats)
    if (m.device.id == d.id) mc = &m;
  if (!mc) throw std::runtime_error("the config has no mat '" + d.id + "' to replay the archived one with");
  const MatGeometry& g = mc->pressure.geometry;
  if (g.rows != d.rows || g.cols != d.cols)
    throw std::runtime_error("mat '" + d.id + "' is " + std::to_string(d.rows) + "x" + std::to_string(d.cols) +
                             " in the archive but " + std::to_string(g.rows) + "x" + std::to_string(g.cols) +
                             " in the config");
  auto m = std::make_unique<MatSource>();
  m->id = d.id;
  m->frame_topic = topics::for_device(topics::pressure_frame, d.id);
  m->metrics_topic = topics::for_device(topics::pressure_metrics, d.id);
  m->exposure_topic = topics::for_device(topics::pressure_exposure, d.id);
  m->config = mc->pressure;
  m->times = reader.frame_times(d.id);
  m->timeline = reader.frame_timeline(d.id);
  m->seqs = reader.frame_seqs(d.id);
  m->device_times = reader.frame_device_times(d.id);
  m->metrics = reader.metrics(d.id);
  m->metrics_frame = match_rows_by_time(m->metrics.time_ns, m->times);
  m->frame_metrics.assign(m->times.size(), -1);
  for (std::size_t r = 0; r < m->metrics_frame.size(); ++r)
    if (m->metrics_frame[r] >= 0) m->frame_metrics[static_cast<std::size_t>(m->metrics_frame[r])] = static_cast<std::int64_t>(r);
  if (recompute) {
    m->pipeline = std::make_unique<PressurePipeline>(mc->pressure);
  } else {
    const PressureConfig& p = mc->pressure;
    m->calibrator = std::make_unique<Calibrator>(p.calibration, g.sensels(), p.saturation_raw, p.noise_threshold_mmhg,
                                                 p.noise_floor_sd);
    m->recorded.rows = g.rows;
    m->recorded.cols = g.cols;
    m->recorded.pressure_mmhg.assign(g.sensels(), 0.0f);
    m->recorded.saturated.assign(g.sensels(), 0);
    for (const RegionSpec& r : p.regions) m->recorded.regions.push_back(RegionLoad{r.name, 0, 0, 0, 0});
  }
  m->frame.rows = g.rows;
  m->frame.cols = g.cols;
  m->exposure_times = reader.exposure_times(d.id);
  m->exposure_durations = exposure_durations_s(m->times, m->exposure_times, mc->pressure.exposure_max_gap_s);
  m->exposure.rows = g.rows;
  m->exposure.cols = g.cols;
  m->exposure.threshold_mmhg = mc->pressure.exposure_threshold_mmhg;
  return m;
}

HeartSource load_heart(const ArchiveReader& reader, const ArchiveDevice& d) {
  HeartSource h;
  h.id = d.id;
  h.beat_topic = topics::for_device(topics::heart_beat, d.id);
  h.final_topic = topics::for_device(topics::heart_beat_final, d.id);
  h.hrv_topic = topics::for_device(topics::heart_hrv, d.id);
  h.beats = reader.beats(d.id);
  h.finals = reader.beats_final(d.id);
  h.hrv = reader.hrv(d.id);
  const auto delay = number_of(d.attributes, "final_delay_beats");
  std::vector<std::int64_t> final_index(h.finals.size());
  for (std::size_t r = 0; r < final_index.size(); ++r)
    final_index[r] = static_cast<std::int64_t>(h.finals.value("beat_index", r, static_cast<double>(r)));
  h.final_times = final_decision_times(final_index, h.beats.time_ns,
                                       delay && *delay >= 0 ? static_cast<std::size_t>(*delay) : 0);
  return h;
}

}  // namespace

ReplaySources load_replay_sources(const ArchiveReader& reader, const ReplayOptions& options) {
  ReplaySources sources;
  sources.session_id = text_of(reader.attributes(), "session_id");
  sources.station = text_of(reader.attributes(), "station");  // empty in archives before it was recorded
  const std::set<std::string> wanted(options.devices.begin(), options.devices.end());
  for (const std::string& id : wanted)
    if (!reader.device(id)) throw std::runtime_error("the archive has no device '" + id + "' (" + device_list(reader) + ")");
  // Read only if a mat needs it: an archive of straps alone replays without any config.
  std::optional<DaemonConfig> config;
  for (const ArchiveDevice& d : reader.devices()) {
    if (!wanted.empty() && !wanted.count(d.id)) continue;
    if (d.kind == "mat") {
      if (!config) config = config_for_replay(reader, options.config_path);
      sources.mats.push_back(load_mat(reader, d, *config, options.recompute));
    } else if (d.kind == "heart") {
      sources.hearts.push_back(load_heart(reader, d));
    }
  }
  sources.events = reader.events();
  return sources;
}

}  // namespace plinth::tools
