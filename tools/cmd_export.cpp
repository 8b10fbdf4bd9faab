// plinth export: a session archive as CSV files for spreadsheets, R and pandas: per mat its
// metrics (with the frame's device seq), per strap its beats and HRV, and the events, status
// and relaxation series. Numbers at full precision; NaN is an empty cell.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tools/archive_reader.hpp"
#include "tools/commands.hpp"
#include "tools/progress_bar.hpp"
#include "tools/replay_timeline.hpp"

namespace plinth::tools {
namespace {

namespace fs = std::filesystem;

std::string csv_number(double v) {
  if (!std::isfinite(v)) return std::isnan(v) ? "" : (v > 0 ? "inf" : "-inf");
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

// RFC 4180: quote when the text has a separator, a quote or a line break.
std::string csv_text(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::ofstream open_csv(const fs::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return out;
}

// Where the export is, file by file and within a file row by row, on a terminal. A file's
// step starts before its records are read from the archive, so a slow read shows its name.
class ExportProgress {
 public:
  explicit ExportProgress(std::size_t files) : files_(std::max<std::size_t>(files, 1)) {}

  void start_file(const fs::path& path) {
    ++started_;
    name_ = path.filename().string();
    show(0.0, true);
  }
  void rows_written(std::size_t done, std::size_t rows) {
    show(static_cast<double>(done) / static_cast<double>(std::max<std::size_t>(rows, 1)), false);
  }
  // The file's line on stdout; the bar steps aside so that the two never share a line.
  void file_written(const fs::path& path, std::size_t rows) {
    bar_.clear();
    std::cout << path.string() << "  " << rows << " rows\n";
  }
  void finish() { bar_.clear(); }

 private:
  void show(double within_file, bool force) {
    bar_.update((static_cast<double>(started_ - 1) + within_file) / static_cast<double>(files_), [&] {
      return name_ + "  (" + std::to_string(started_) + " of up to " + std::to_string(files_) + " files)";
    }, force);
  }

  ProgressBar bar_{"export"};
  std::size_t files_;
  std::size_t started_ = 0;
  std::string name_;
};

void finish(std::ofstream& out, const fs::path& path, std::size_t rows, ExportProgress& progress) {
  out.flush();
  if (!out) throw std::runtime_error("writing " + path.string() + " failed (disk full?)");
  progress.file_written(path, rows);
}

// time_ns, then `extra` columns (one value per row, or empty cells), then every table field.
void write_table(const fs::path& path, const ArchiveTable& table, ExportProgress& progress,
                 const std::vector<std::pair<std::string, std::vector<std::string>>>& extra = {}) {
  std::ofstream out = open_csv(path);
  const bool timeline = !table.timeline_ns.empty();
  out << "time_ns";
  if (timeline) out << ",timeline_ns";
  for (const auto& [name, values] : extra) out << ',' << csv_text(name);
  for (const std::string& name : table.names) out << ',' << csv_text(name);
  out << '\n';
  for (std::size_t r = 0; r < table.size(); ++r) {
    out << table.time_ns[r];
    if (timeline) out << ',' << table.timeline_ns[r];
    for (const auto& [name, values] : extra) out << ',' << (r < values.size() ? values[r] : "");
    for (const auto& column : table.columns) out << ',' << csv_number(column[r]);
    out << '\n';
    progress.rows_written(r + 1, table.size());
  }
  finish(out, path, table.size(), progress);
}

void write_events(const fs::path& path, const std::vector<ArchiveEvent>& events, ExportProgress& progress) {
  std::ofstream out = open_csv(path);
  out << "time_ns,kind,label,value,detail\n";
  for (const ArchiveEvent& e : events)
    out << e.time_ns << ',' << csv_text(e.kind) << ',' << csv_text(e.label) << ',' << csv_number(e.value) << ','
        << csv_text(e.detail) << '\n';
  finish(out, path, events.size(), progress);
}

// metrics_<mat>.csv: the metrics rows with the seq, device time and index of their frame.
void write_mat_metrics(const fs::path& path, const ArchiveReader& reader, const std::string& mat,
                       ExportProgress& progress) {
  const ArchiveTable metrics = reader.metrics(mat);
  const std::vector<std::int64_t> times = reader.frame_times(mat);
  const std::vector<std::uint32_t> seqs = reader.frame_seqs(mat);
  const std::vector<std::uint64_t> device_times = reader.frame_device_times(mat);
  const std::vector<std::int64_t> frame_timeline = reader.frame_timeline(mat);
  const std::vector<std::int64_t> match = match_rows_by_time(metrics.time_ns, times);
  std::vector<std::string> seq(match.size()), device_time(match.size()), frame(match.size()), timeline(match.size());
  for (std::size_t r = 0; r < match.size(); ++r) {
    if (match[r] < 0) continue;
    const auto f = static_cast<std::size_t>(match[r]);
    frame[r] = std::to_string(f);
    seq[r] = std::to_string(seqs[f]);
    if (f < device_times.size()) device_time[r] = std::to_string(device_times[f]);
    if (f < frame_timeline.size()) timeline[r] = std::to_string(frame_timeline[f]);
  }
  write_table(path, metrics, progress,
              {{"seq", seq}, {"device_time_us", device_time}, {"frame", frame}, {"frame_timeline_ns", timeline}});
}

int run_export(const std::string& file, const fs::path& dir) {
  const ArchiveReader reader = ArchiveReader::open(file);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) throw std::runtime_error("cannot create the directory " + dir.string() + ": " + ec.message());
  // Per mat one file, per strap two; then events, and status and relaxation if recorded.
  std::size_t files = 3;
  for (const ArchiveDevice& d : reader.devices()) files += d.kind == "mat" ? 1 : d.kind == "heart" ? 2 : 0;
  ExportProgress progress(files);
  for (const ArchiveDevice& d : reader.devices()) {
    if (d.kind == "mat") {
      const fs::path metrics = dir / ("metrics_" + d.id + ".csv");
      progress.start_file(metrics);
      write_mat_metrics(metrics, reader, d.id, progress);
    } else if (d.kind == "heart") {
      const fs::path beats = dir / ("beats_" + d.id + ".csv");
      progress.start_file(beats);
      write_table(beats, reader.beats(d.id), progress);
      const fs::path hrv = dir / ("hrv_" + d.id + ".csv");
      progress.start_file(hrv);
      write_table(hrv, reader.hrv(d.id), progress);
    }
  }
  progress.start_file(dir / "events.csv");
  write_events(dir / "events.csv", reader.events(), progress);
  progress.start_file(dir / "status.csv");
  const ArchiveTable status = reader.status();
  if (status.size() > 0 || !status.names.empty()) write_table(dir / "status.csv", status, progress);
  progress.start_file(dir / "relaxation.csv");
  const ArchiveTable relaxation = reader.relaxation();
  if (!relaxation.names.empty()) write_table(dir / "relaxation.csv", relaxation, progress);
  progress.finish();
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("export", "Write a session archive's metrics, beats, HRV and events as CSV files");
  cmd->add_option("file", *file, "session archive (.h5)")->required();
  cmd->add_option("--csv", *dir, "directory for the CSV files (created if missing)")->required();
  cmd->callback([file, dir] { run_export(*file, *dir); });
}

}  // namespace plinth::tools
