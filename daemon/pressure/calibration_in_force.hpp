#pragma once
// The calibration a mat is measured with, as one compact JSON text (schemas/calibration.md
// §Calibration in force): archived as the /devices/<id> attribute `calibration` and published
// once per session as a `calibration` session event, so that every number a session holds
// can be traced to the curve, thresholds and equilibration that produced it.
#include <cstdint>
#include <span>
#include <string>

#include "daemon/pressure/pressure_config.hpp"

namespace plinth {

std::string calibration_in_force_json(const PressureConfig& config);

// FNV-1a 64 over the little-endian IEEE bytes of every offset, then every gain, then every
// spread (if measured): identifies
// an equilibration (not a security hash). 16 lower-case hex digits.
std::string equilibration_fingerprint(const Equilibration& equilibration);

}  // namespace plinth
