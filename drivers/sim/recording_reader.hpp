#pragma once
// Readers for recorded pressure-mat data sets in text form, used by `plinth sim --play`
// and `plinth analyze`. The file shell reads bytes; parse_recording_text is pure.
//
// Formats (detected by shape unless overridden):
//  - frame_per_line: one frame per line, rows·cols whitespace/comma/semicolon-separated
//    values, row-major. The Vista Medical FSA recordings (pmatdata: 2048 values = 64 rows
//    × 32 columns, head at row 0, 2.54 cm pitch, ~1 Hz).
//  - row_blocks: one row per line, frames as blocks of lines separated by blank lines (or
//    one frame per file). Once the row count is known (given, or from the first block), a
//    frame also ends after that many rows without a blank line. The BodiTrak BT3510
//    exports (pmatdata-exp2: 64 lines × 27).
// Auto-detection: if rows/cols are given, a first line of rows·cols values means
// frame_per_line and one of cols values means row_blocks; otherwise 2048 values means
// frame_per_line 64×32 and anything else row_blocks with the block's shape.
// Tolerated: CRLF, trailing whitespace or separators, blank lines (between frame_per_line
// frames), a UTF-8 BOM. Values are non-negative integers 0..65535 (a ".0" fraction is
// accepted and rounded).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/samples.hpp"
#include "drivers/sim/suspect_frames.hpp"

namespace plinth::sim {

enum class RecordingFormat { automatic, frame_per_line, row_blocks };
std::string_view format_name(RecordingFormat);
RecordingFormat parse_format(std::string_view);  // "auto", "frame-per-line", "row-blocks"

struct RecordingReadOptions {
  RecordingFormat format = RecordingFormat::automatic;
  std::uint16_t rows = 0;  // 0 = from the format / the file's shape
  std::uint16_t cols = 0;
  bool skip_malformed = false;  // false: the first malformed line throws RecordingError
  bool mark_suspect = true;     // run mark_suspect_frames over the result
  SuspectCheck suspect_check;
};

class RecordingError : public std::runtime_error {
 public:
  RecordingError(std::string file, std::size_t line, const std::string& what);
  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }  // 1-based; 0 = the whole file

 private:
  std::string file_;
  std::size_t line_;
};

struct Recording {
  std::string source;  // file or directory path
  RecordingFormat format = RecordingFormat::automatic;
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  double pitch_cm = 0;          // known for the Vista FSA shape (2.54); 0 if unknown
  double nominal_rate_hz = 0;   // ~1 Hz for the Vista FSA shape; 0 if unknown
  std::vector<MatFrame> frames; // device_seq = frame index; device_time_us from the rate
  std::size_t skipped_lines = 0;   // malformed lines skipped (skip_malformed)
  std::size_t skipped_frames = 0;  // row blocks with a wrong number of rows (skip_malformed)
  std::size_t suspect_frames = 0;
};

// Pure: parse the text of one file. `name` only labels errors.
Recording parse_recording_text(std::string_view text, std::string_view name, const RecordingReadOptions& = {});
// A file, or a directory of *.txt files read in natural order ("B2" before "B10") and
// concatenated (every file must have the same shape).
Recording read_recording(const std::filesystem::path& path, const RecordingReadOptions& = {});

}  // namespace plinth::sim
