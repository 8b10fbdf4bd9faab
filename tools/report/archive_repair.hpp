#pragma once
// `plinth repair`: a clean, closed copy of a session whose writer was killed (or whose disk
// filled up), never touching the original (schemas/report.md §Repair). The copy is a
// fresh HDF5 file: every object copied by HDF5 itself (H5Ocopy) from the file opened as a SWMR
// reader, so it carries no "open for SWMR writing" mark and plain h5py.File(path), h5dump and
// HDFView open it; the frame datasets are cut to the length all of them reached; and it gets
// the closing attributes a clean end writes, plus `ended` = "crash".
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace plinth::report {

class RepairError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RepairResult {
  std::filesystem::path output;
  bool needed = true;                // false: the file had ended cleanly, nothing was written
  std::int64_t ended_at_ns = 0;      // the last record's time, now `ended_at_ns`
  std::int64_t last_frame_ns = 0;    // 0 without frames
  std::uint64_t frames = 0;          // frames kept, all mats
  std::uint64_t frames_cut = 0;      // trailing frame rows without all of raw/time/seq
};

// Default output: FILE with ".repaired.h5" in place of ".h5". Throws RepairError when the
// source cannot be read or the output exists or cannot be written (a failed copy is removed).
RepairResult repair_archive(const std::filesystem::path& source, std::filesystem::path output = {});

}  // namespace plinth::report
