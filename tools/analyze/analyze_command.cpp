#include "tools/analyze/analyze_command.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "daemon/config/daemon_config.hpp"
#include "tools/analyze/offline_pipeline.hpp"

namespace plinth {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open config " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const MatConfig& choose_mat(const DaemonConfig& config, const std::string& wanted, const std::string& where) {
  if (config.mats.empty()) throw std::runtime_error(where + " configures no [[mat]]");
  if (wanted.empty()) {
    if (config.mats.size() == 1) return config.mats.front();
    std::string ids;
    for (const auto& m : config.mats) ids += (ids.empty() ? "" : ", ") + m.device.id;
    throw std::runtime_error(where + " configures several mats (" + ids + "): choose one with --device");
  }
  for (const auto& m : config.mats)
    if (m.device.id == wanted) return m;
  throw std::runtime_error(where + " has no mat '" + wanted + "'");
}

PressureConfig command_line_config(const AnalyzeOptions& o, const MatData& data) {
  PressureConfig c;
  c.geometry.rows = data.rows;
  c.geometry.cols = data.cols;
  const double row_pitch = o.pitch_cm > 0 ? o.pitch_cm : data.pitch_row_cm;
  const double col_pitch = o.pitch_cm > 0 ? o.pitch_cm : data.pitch_col_cm;
  if (!(row_pitch > 0) || !(col_pitch > 0))
    throw std::runtime_error(data.source + " does not say its sensel pitch: give --pitch (cm)");
  c.geometry.pitch_row_cm = row_pitch;
  c.geometry.pitch_col_cm = col_pitch;
  c.calibration.curve.kind = CurveKind::linear;
  c.calibration.curve.scale = o.scale;
  if (o.unit == "kPa") {
    c.calibration.curve.unit = PressureUnit::kpa;
  } else if (o.unit == "mmHg") {
    c.calibration.curve.unit = PressureUnit::mmhg;
  } else {
    throw std::runtime_error("--unit must be kPa or mmHg, not " + o.unit);
  }
  c.calibration.source = "command line: linear " + std::to_string(o.scale) + " " + o.unit + " per count";
  if (o.saturation_raw > 0) c.saturation_raw = o.saturation_raw;
  c.noise_threshold_mmhg = o.noise_threshold_mmhg;
  validate(c);
  return c;
}

void check_geometry(const PressureConfig& c, const MatData& data, const std::string& origin) {
  if (c.geometry.rows != data.rows || c.geometry.cols != data.cols)
    throw std::runtime_error(data.source + " holds " + std::to_string(data.rows) + "x" + std::to_string(data.cols) +
                             " frames but " + origin + " says " + std::to_string(c.geometry.rows) + "x" +
                             std::to_string(c.geometry.cols));
}

void append_number(std::string& line, double v) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  line.append(buffer, ec == std::errc() ? end : buffer);
}

}  // namespace

PreparedAnalysis prepare_analysis(const AnalyzeOptions& o) {
  PreparedAnalysis a;
  MatDataOptions data_options;
  data_options.input = o.input;
  data_options.device = o.device;
  data_options.rows = o.rows;
  data_options.cols = o.cols;
  data_options.rate_hz = o.rate_hz;

  if (!o.config_path.empty()) {
    const DaemonConfig config = parse_daemon_config(read_text(o.config_path), o.config_path);
    const MatConfig& mat = choose_mat(config, o.device, o.config_path);
    data_options.driver_hint = mat.device.driver;
    if (data_options.rows == 0) data_options.rows = mat.pressure.geometry.rows;
    if (data_options.cols == 0) data_options.cols = mat.pressure.geometry.cols;
    a.data = load_mat_data(o.file, data_options);
    a.config = mat.pressure;
    a.config_origin = o.config_path + " (mat " + mat.device.id + ")";
    a.warnings = config.deprecations;
  } else {
    a.data = load_mat_data(o.file, data_options);
    if (o.scale > 0) {
      a.config = command_line_config(o, a.data);
      a.config_origin = "the command line";
    } else if (!a.data.archived_config.empty()) {
      try {
        const DaemonConfig config = parse_daemon_config(a.data.archived_config, o.file);
        a.config = choose_mat(config, a.data.device_id, "the archived config").pressure;
        a.config_origin = "the config archived with the session";
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("the config archived in ") + o.file +
                                 " cannot be used here: " + e.what() + "; give --config or --scale");
      }
    } else {
      throw std::runtime_error("no calibration: give --config plinthd.toml (and --device) or --scale with --unit");
    }
  }
  if (a.data.frames.empty()) throw std::runtime_error(a.data.source + " holds no frames");
  check_geometry(a.config, a.data, a.config_origin);
  return a;
}

void write_analysis(const PreparedAnalysis& a, const std::string& format, std::ostream& out) {
  if (format != "jsonl" && format != "csv") throw std::runtime_error("--format must be jsonl or csv, not " + format);
  const std::vector<std::string> columns = offline_metric_columns(a.config);
  const std::int64_t t0 = a.data.time_ns.empty() ? 0 : a.data.time_ns.front();
  const bool csv = format == "csv";
  std::string line;
  if (csv) {
    line = "frame,time_ns,time_s,device_seq";
    for (const auto& c : columns) line += "," + c;
    out << line << '\n';
  }
  run_offline_pipeline(a.config, a.data.frames, a.data.time_ns,
                       [&](std::size_t index, std::int64_t t, const MatFrame& frame, std::span<const double> values) {
                         const double time_s = static_cast<double>(t - t0) * 1e-9;
                         if (csv) {
                           line = std::to_string(index) + "," + std::to_string(t) + ",";
                           append_number(line, time_s);
                           line += "," + std::to_string(frame.device_seq);
                           for (const double v : values) {
                             line += ',';
                             if (std::isfinite(v)) append_number(line, v);
                           }
                           out << line << '\n';
                           return;
                         }
                         nlohmann::ordered_json j;
                         j["frame"] = index;
                         j["time_ns"] = t;
                         j["time_s"] = time_s;
                         j["device_seq"] = frame.device_seq;
                         for (std::size_t k = 0; k < columns.size(); ++k) {
                           if (columns[k] == "suspect" || columns[k] == "occupied") {
                             j[columns[k]] = values[k] != 0.0;
                           } else if (std::isfinite(values[k])) {
                             j[columns[k]] = values[k];
                           } else {
                             j[columns[k]] = nullptr;
                           }
                         }
                         out << j.dump() << '\n';
                       });
}

}  // namespace plinth
