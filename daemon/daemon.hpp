#pragma once
// plinthd's shell: owns the Asio loop (acquisition, publishing, status), the control
// thread and the archive writer, and wires devices to the pipeline. The pipeline itself
// (decoders, calibration, metrics) is pure code in drivers/ and daemon/pressure/.
#include <memory>

#include "daemon/config/daemon_config.hpp"

namespace plinth {

class Daemon {
 public:
  explicit Daemon(DaemonConfig config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGINT/SIGTERM; returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace plinth
