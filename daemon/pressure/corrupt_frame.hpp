#pragma once
// Recognises frames that a mat's firmware garbled (schemas/pressure-metrics.md §Corrupt
// frames). Found in the Vista FSA recordings (pmatdata): frames whose raw values carry only
// their high byte, i.e. nearly every non-zero sensel is an exact multiple of 256.
#include <cstdint>
#include <span>

#include "drivers/samples.hpp"

namespace plinth {

// True when at least 8 non-zero sensels are multiples of 256 and they make up at least 10%
// of the non-zero sensels. Genuine maps rarely have one such value in a thousand.
bool looks_corrupt(std::span<const std::uint16_t> raw);
inline bool looks_corrupt(const MatFrame& frame) { return looks_corrupt(frame.raw); }

}  // namespace plinth
