#pragma once
// What `plinth replay` was asked for: its command line (tools/cmd_replay.cpp).
#include <string>
#include <vector>

namespace plinth::tools {

struct ReplayOptions {
  std::string file;
  std::string endpoint = "tcp://127.0.0.1:7460";
  std::string speed = "1";
  double start_s = 0.0;
  bool loop = false;
  bool recompute = false;
  std::string config_path;
  std::vector<std::string> devices;  // empty: every device in the archive
  double wait_subscriber_s = 0.0;
  int hwm = -1;  // -1: 1000, or no limit at --speed max
};

}  // namespace plinth::tools
