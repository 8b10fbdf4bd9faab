#pragma once
// Reads one session archive and computes everything `plinth report` shows (the I/O shell
// around report_numbers.hpp and hrv_windows.hpp). Frames are streamed in blocks, so memory
// does not grow with the session's length beyond its per-frame metrics and beats.
#include <cstddef>
#include <filesystem>

#include "tools/report/report_model.hpp"

namespace plinth::report {

struct ReportOptions {
  double compare_minutes = 5.0;   // first vs last N min, and the windows around markers
  std::size_t max_bins = 300;     // chart resolution
  std::size_t frame_block = 256;  // frames per HDF5 read
  bool read_frames = true;        // false: no mean map and no region loads (fast: history)
};

// Throws plinth::ArchiveReadError (unreadable file) or std::runtime_error.
SessionReport build_session_report(const std::filesystem::path& archive, const ReportOptions& options = {});

}  // namespace plinth::report
