#pragma once
// `plinthd --simulate`: built-in simulated devices on pseudo-terminals, and the config
// that points the daemon at them, so a new user sees the whole system without hardware.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace plinth {

class SimulatedDevice;

struct SimulationOptions {
  double mat_rate_hz = 50.0;
  int rows = 64;
  int cols = 32;
  std::uint64_t seed = 1;
};

class Simulation {
 public:
  explicit Simulation(const SimulationOptions& options);
  ~Simulation();
  // The daemon config (TOML) for the simulated devices, with their pty paths filled in.
  const std::string& config_text() const { return config_text_; }
  std::vector<std::string> ports() const;

 private:
  std::vector<std::unique_ptr<SimulatedDevice>> devices_;
  std::string config_text_;
};

}  // namespace plinth
