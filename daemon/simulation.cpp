#include "daemon/simulation.hpp"

#include <sstream>

#include "drivers/sim/body_scenario.hpp"
#include "drivers/sim/mat_source.hpp"
#include "drivers/sim_device.hpp"

namespace plinth {

Simulation::Simulation(const SimulationOptions& o) {
  constexpr double kPitchCm = 2.54;
  auto source = std::make_shared<sim::ScenarioSource>(sim::BodyScenario(
      static_cast<std::uint16_t>(o.rows), static_cast<std::uint16_t>(o.cols), kPitchCm, o.mat_rate_hz, o.seed));
  DriverOptions options;
  options.rows = source->rows();
  options.cols = source->cols();
  const DriverDescriptor& driver = *find_driver("plinth-mat");
  devices_.push_back(std::make_unique<SimulatedDevice>(
      driver, options, source->device_info(), std::make_unique<MatFrameEmitter>(sim::as_generator(source), o.mat_rate_hz)));
  devices_.back()->start();

  // The simulated mat's ADC is linear (drivers/sim/body_scenario.hpp), so the calibration is too.
  std::ostringstream c;
  c << "# Built-in configuration of plinthd --simulate (devices on pseudo-terminals)\n"
    << "subject = \"demo\"\n"
    << "archive_dir = \"./sessions\"\n\n"
    << "[[mat]]\n"
    << "id = \"mat0\"\n"
    << "driver = \"plinth-mat\"\n"
    << "port = \"" << devices_.back()->host_path() << "\"\n"
    << "rows = " << o.rows << "\ncols = " << o.cols << "\npitch_cm = " << kPitchCm << "\n"
    << "saturation_raw = " << sim::kAdcMax << "\n"
    << "noise_threshold_mmhg = 5.0\n"
    << "[mat.calibration]\ncurve = \"linear\"\nunit = \"mmHg\"\nscale = " << 1.0 / sim::kCountsPerMmHg << "\n";
  config_text_ = c.str();
}

Simulation::~Simulation() {
  for (auto& d : devices_) d->stop();
}

std::vector<std::string> Simulation::ports() const {
  std::vector<std::string> out;
  for (const auto& d : devices_) out.push_back(d->host_path());
  return out;
}

}  // namespace plinth
