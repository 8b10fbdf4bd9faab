#pragma once
// The `plinth calibrate` procedure (schemas/calibration.md §Calibration procedure): sensel
// equilibration and global curves fitted from frames under known uniform loads. Offline only:
// the tools use it, the daemon applies its results through calibration.hpp.
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/pressure/calibration.hpp"
#include "drivers/samples.hpp"

namespace plinth {

struct LoadedSet {
  std::vector<MatFrame> frames;  // frames recorded under one known uniform load
  double known_kpa = 0.0;
};

struct EquilibrationFit {
  Equilibration equilibration;
  std::vector<double> response;   // per loaded set: mat-average equilibrated response x
  std::vector<double> known_kpa;  // per loaded set, as given
  std::uint32_t dead_sensels = 0; // no response to any load: gain 0
};

// offset = mean unloaded raw; spread = sample SD of the unloaded raw values (needs >= 2
// unloaded frames, else left empty); gain = least-squares factor mapping each sensel's response
// to the mat-average response over all loaded sets. Throws std::invalid_argument on bad input.
EquilibrationFit compute_equilibration(std::span<const MatFrame> unloaded, std::span<const LoadedSet> loaded);

// Global curves from (response, known_kpa) points; the output unit is kPa.
CalibrationCurve fit_linear_curve(std::span<const double> response, std::span<const double> kpa);
CalibrationCurve fit_power_curve(std::span<const double> response, std::span<const double> kpa);
CalibrationCurve table_curve(std::span<const double> response, std::span<const double> kpa);

}  // namespace plinth
