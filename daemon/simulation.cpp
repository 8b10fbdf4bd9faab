#include "daemon/simulation.hpp"

#include <sstream>

#include "drivers/sim/body_scenario.hpp"
#include "drivers/sim/mat_source.hpp"
#include "drivers/sim_device.hpp"
#include "drivers/sim_heart_emitter.hpp"
#include "drivers/driver_registry.hpp"

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
  const std::string mat_port = devices_.back()->host_path();

  // The strap speaks the bridge line protocol (RR in 1/1024 s), as an ESP32 relay would.
  SimHeartConfig heart;
  heart.seed = o.seed;
  DeviceInfo strap_info;
  strap_info.model = "Plinth SimStrap";
  devices_.push_back(std::make_unique<SimulatedDevice>(*find_driver("rr-line"), DriverOptions{}, strap_info,
                                                       std::make_unique<HeartBeatEmitter>(SimHeart(heart))));
  devices_.back()->start();
  const std::string strap_port = devices_.back()->host_path();

  // The simulated mat's ADC is linear (drivers/sim/body_scenario.hpp), so the calibration is too.
  std::ostringstream c;
  c << "# Built-in configuration of plinthd --simulate (devices on pseudo-terminals)\n"
    << "subject = \"demo\"\n"
    << "archive_dir = \"./sessions\"\n\n"
    << "[[mat]]\n"
    << "id = \"mat0\"\n"
    << "driver = \"plinth-mat\"\n"
    << "port = \"" << mat_port << "\"\n"
    << "rows = " << o.rows << "\ncols = " << o.cols << "\npitch_cm = " << kPitchCm << "\n"
    << "saturation_raw = " << sim::kAdcMax << "\n"
    << "noise_threshold_mmhg = 5.0\n"
    << "[mat.calibration]\ncurve = \"linear\"\nunit = \"mmHg\"\nscale = " << 1.0 / sim::kCountsPerMmHg << "\n\n"
    << "[[heart]]\nid = \"strap0\"\ndriver = \"rr-line\"\nport = \"" << strap_port << "\"\n"
    << "\n"
    << "# A short settling time and baseline so that a demo shows the readout within minutes.\n"
    << "[relaxation]\nsettle_s = 30\nbaseline_s = 60\n";
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
