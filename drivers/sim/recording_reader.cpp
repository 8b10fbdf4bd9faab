#include "drivers/sim/recording_reader.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace plinth::sim {
namespace {

constexpr std::size_t kVistaValues = 2048;
constexpr std::uint16_t kVistaRows = 64, kVistaCols = 32;

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '\r' || c == '\v' || c == '\f'; }

// Parses one line into `values`; returns an empty string on success, else the reason.
std::string parse_values(std::string_view line, std::vector<std::uint16_t>& values) {
  values.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_separator(line[i])) ++i;
    if (i == line.size()) break;
    std::size_t end = i;
    while (end < line.size() && !is_separator(line[end])) ++end;
    const std::string_view token = line.substr(i, end - i);
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
    bool ok = ec == std::errc() && p != token.data();
    if (ok && p != token.data() + token.size() && *p == '.') {
      // A fractional part (".0", ".5"): round to the nearest count.
      const char* q = p + 1;
      if (q < token.data() + token.size() && *q >= '5' && *q <= '9') ++v;
      while (q < token.data() + token.size() && *q >= '0' && *q <= '9') ++q;
      p = q;
    }
    if (!ok || p != token.data() + token.size())
      return "value " + std::to_string(values.size() + 1) + " is not a non-negative number: '" +
             std::string(token.substr(0, 20)) + "'";
    if (v > 65535) return "value " + std::to_string(values.size() + 1) + " is out of range: " + std::string(token);
    values.push_back(static_cast<std::uint16_t>(v));
    i = end;
  }
  return {};
}

struct Line {
  std::string_view text;
  std::size_t number;  // 1-based
};

std::vector<Line> split_lines(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<Line> lines;
  std::size_t start = 0, number = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back({text.substr(start, end - start), number++});
    start = end + 1;
  }
  return lines;
}

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return is_separator(c); });
}

void finish(Recording& rec, const RecordingReadOptions& options) {
  if (rec.rows == kVistaRows && rec.cols == kVistaCols && rec.format == RecordingFormat::frame_per_line) {
    rec.pitch_cm = 2.54;
    rec.nominal_rate_hz = 1.0;
  }
  for (std::size_t i = 0; i < rec.frames.size(); ++i) {
    MatFrame& f = rec.frames[i];
    f.device_seq = static_cast<std::uint32_t>(i);
    f.device_time_us = rec.nominal_rate_hz > 0 ? static_cast<std::uint64_t>(static_cast<double>(i) * 1e6 / rec.nominal_rate_hz) : 0;
  }
  if (options.mark_suspect) rec.suspect_frames = mark_suspect_frames(rec.frames, options.suspect_check);
}

}  // namespace

namespace {
// "file:line: what", or "file: what" without a line. Built by appending: GCC 12 at -O2 warns
// -Wrestrict about `":" + std::to_string(line)` (a false positive, GCC bug 105329).
std::string located_message(const std::string& file, std::size_t line, const std::string& what) {
  std::string message = file;
  if (line) message.append(":").append(std::to_string(line));
  return message.append(": ").append(what);
}
}  // namespace

RecordingError::RecordingError(std::string file, std::size_t line, const std::string& what)
    : std::runtime_error(located_message(file, line, what)),
      file_(std::move(file)),
      line_(line) {}

std::string_view format_name(RecordingFormat f) {
  switch (f) {
    case RecordingFormat::automatic: return "auto";
    case RecordingFormat::frame_per_line: return "frame-per-line";
    case RecordingFormat::row_blocks: return "row-blocks";
  }
  return "?";
}

RecordingFormat parse_format(std::string_view s) {
  if (s == "auto") return RecordingFormat::automatic;
  if (s == "frame-per-line" || s == "vista") return RecordingFormat::frame_per_line;
  if (s == "row-blocks" || s == "boditrak") return RecordingFormat::row_blocks;
  throw std::invalid_argument("unknown recording format '" + std::string(s) +
                              "' (auto, frame-per-line, row-blocks)");
}

Recording parse_recording_text(std::string_view text, std::string_view name, const RecordingReadOptions& options) {
  const std::string file(name);
  Recording rec;
  rec.source = file;
  rec.format = options.format;
  rec.rows = options.rows;
  rec.cols = options.cols;
  if ((rec.rows == 0) != (rec.cols == 0)) throw RecordingError(file, 0, "give both rows and cols, or neither");

  const std::vector<Line> lines = split_lines(text);
  std::vector<std::uint16_t> values;
  auto malformed = [&](const Line& line, const std::string& why) {
    if (!options.skip_malformed) throw RecordingError(file, line.number, why);
    ++rec.skipped_lines;
  };

  // Decide the format from the first line that parses.
  if (rec.format == RecordingFormat::automatic) {
    for (const Line& line : lines) {
      if (blank(line.text)) continue;
      if (std::string why = parse_values(line.text, values); !why.empty()) {
        malformed(line, why);
        continue;
      }
      if (rec.rows != 0)
        rec.format = values.size() == std::size_t{rec.rows} * rec.cols ? RecordingFormat::frame_per_line
                                                                         : RecordingFormat::row_blocks;
      else
        rec.format = values.size() == kVistaValues ? RecordingFormat::frame_per_line : RecordingFormat::row_blocks;
      break;
    }
    if (rec.format == RecordingFormat::automatic) throw RecordingError(file, 0, "no frames (empty file)");
    rec.skipped_lines = 0;  // counted again below
  }
  if (rec.format == RecordingFormat::frame_per_line && rec.rows == 0) {
    rec.rows = kVistaRows;
    rec.cols = kVistaCols;
  }

  if (rec.format == RecordingFormat::frame_per_line) {
    const std::size_t n = std::size_t{rec.rows} * rec.cols;
    for (const Line& line : lines) {
      if (blank(line.text)) continue;
      if (std::string why = parse_values(line.text, values); !why.empty()) {
        malformed(line, why);
        continue;
      }
      if (values.size() != n) {
        malformed(line, "expected " + std::to_string(n) + " values (" + std::to_string(rec.rows) + "x" +
                            std::to_string(rec.cols) + "), found " + std::to_string(values.size()));
        continue;
      }
      MatFrame& f = rec.frames.emplace_back();
      f.rows = rec.rows;
      f.cols = rec.cols;
      f.raw = values;
    }
  } else {
    // Row blocks: a frame is a run of non-blank lines; blank lines or the end separate them.
    std::vector<std::uint16_t> block;
    std::size_t block_rows = 0, block_start = 0;
    bool block_broken = false;
    auto close_block = [&]() {
      if (block_rows == 0 && !block_broken) return;
      if (rec.rows == 0 && !block_broken) rec.rows = static_cast<std::uint16_t>(std::min<std::size_t>(block_rows, 65535));
      if (!block_broken && block_rows == rec.rows) {
        MatFrame& f = rec.frames.emplace_back();
        f.rows = rec.rows;
        f.cols = rec.cols;
        f.raw = block;
      } else {
        if (!block_broken && !options.skip_malformed)
          throw RecordingError(file, block_start,
                               "frame has " + std::to_string(block_rows) + " rows, expected " + std::to_string(rec.rows));
        ++rec.skipped_frames;
      }
      block.clear();
      block_rows = 0;
      block_broken = false;
    };
    for (const Line& line : lines) {
      if (blank(line.text)) {
        close_block();
        continue;
      }
      if (block_rows == 0 && !block_broken) block_start = line.number;
      std::string why = parse_values(line.text, values);
      if (why.empty() && rec.cols == 0) rec.cols = static_cast<std::uint16_t>(std::min<std::size_t>(values.size(), 65535));
      if (why.empty() && values.size() != rec.cols)
        why = "expected " + std::to_string(rec.cols) + " values in a row, found " + std::to_string(values.size());
      if (!why.empty()) {
        malformed(line, why);
        block_broken = true;  // the frame around a bad row is not trusted
        continue;
      }
      block.insert(block.end(), values.begin(), values.end());
      ++block_rows;
      if (block_rows == rec.rows) close_block();  // frames may also follow without a blank line
    }
    close_block();
  }
  if (rec.frames.empty()) throw RecordingError(file, 0, "no complete frames");
  finish(rec, options);
  return rec;
}

namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw RecordingError(path.string(), 0, "cannot open");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw RecordingError(path.string(), 0, "read error");
  return std::move(s).str();
}

// "Matrix_Air_B2" < "Matrix_Air_B10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = a[i] >= '0' && a[i] <= '9', db = b[j] >= '0' && b[j] <= '9';
    if (da && db) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && a[ie] >= '0' && a[ie] <= '9') ++ie;
      while (je < b.size() && b[je] >= '0' && b[je] <= '9') ++je;
      const std::string_view na = std::string_view(a).substr(i, ie - i), nb = std::string_view(b).substr(j, je - j);
      const auto ta = na.substr(std::min(na.find_first_not_of('0'), na.size()));
      const auto tb = nb.substr(std::min(nb.find_first_not_of('0'), nb.size()));
      if (ta.size() != tb.size()) return ta.size() < tb.size();
      if (ta != tb) return ta < tb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

}  // namespace

Recording read_recording(const std::filesystem::path& path, const RecordingReadOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return parse_recording_text(read_file(path), path.string(), options);

  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files.push_back(entry.path().filename().string());
  if (ec) throw RecordingError(path.string(), 0, "cannot list directory: " + ec.message());
  if (files.empty()) throw RecordingError(path.string(), 0, "no .txt files in the directory");
  std::sort(files.begin(), files.end(), natural_less);

  RecordingReadOptions each = options;
  each.mark_suspect = false;
  Recording all;
  for (const std::string& name : files) {
    Recording one = parse_recording_text(read_file(path / name), (path / name).string(), each);
    if (all.frames.empty()) {
      all = std::move(one);
      each.format = all.format;  // every file must be the same kind as the first
      each.rows = all.rows;
      each.cols = all.cols;
      continue;
    }
    all.skipped_lines += one.skipped_lines;
    all.skipped_frames += one.skipped_frames;
    for (MatFrame& f : one.frames) all.frames.push_back(std::move(f));
  }
  all.source = path.string();
  finish(all, options);
  return all;
}

}  // namespace plinth::sim
