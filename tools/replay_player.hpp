#pragma once
// Plays a session archive onto the data endpoint in time order: paced by a speed factor, from
// --start (the frames before it warm a recomputing pipeline up), once or in a loop.
#include <csignal>
#include <vector>

#include "tools/archive_reader.hpp"
#include "tools/replay_options.hpp"
#include "tools/replay_sources.hpp"
#include "tools/replay_timeline.hpp"

namespace plinth::tools {

class ReplayPlayer {
 public:
  ReplayPlayer(const ReplayOptions& options, ArchiveReader reader);

  // speed: a factor, or 0 for as fast as possible. Returns when done, or soon after
  // `interrupted` turns non-zero (a signal handler sets it).
  int run(double speed, const volatile std::sig_atomic_t& interrupted);

 private:
  void build_timeline();
  void start_pass();

  ReplayOptions options_;
  ArchiveReader reader_;
  ReplaySources sources_;
  std::vector<ReplayItem> items_;
};

}  // namespace plinth::tools
