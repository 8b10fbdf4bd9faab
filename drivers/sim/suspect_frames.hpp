#pragma once
// Pure checks for frames a mat recorded while something was wrong, so replay and analysis
// can flag them (MatFrame::suspect) instead of trusting them.
//
// Two rules, measured on the Vista FSA recordings in ../shared/data/pressure/pmatdata:
//  1. Byte-shifted values: among values >= 256, more than `byte_shift_fraction` are exact
//     multiples of 256 (a frame read with its bytes misaligned: the low byte is lost).
//     Frame 1 of every recording: 93–99 %; recording 8 frame 2: 96 %; every other frame
//     of the 17 recordings: at most 4.4 %.
//  2. Load outlier (recording-level): total load below `low_load_fraction` or above
//     `high_load_factor` times the recording's median total load. Frame 0 of every
//     recording is a near-empty reading (0–29 % of the median); all other frames lie
//     between 0.73 and 1.07 of the median. This rule suits recordings of one settled
//     posture (like these data sets); disable it for sessions where the table is empty
//     part of the time.
#include <cstddef>
#include <cstdint>
#include <span>

#include "drivers/samples.hpp"

namespace plinth::sim {

struct SuspectCheck {
  double byte_shift_fraction = 0.5;
  std::size_t byte_shift_min_values = 16;  // fewer large values than this: no verdict
  bool load_outliers = true;
  double low_load_fraction = 0.5;
  double high_load_factor = 3.0;
};

// Rule 1 on one frame.
bool looks_byte_shifted(const MatFrame& frame, const SuspectCheck& check = {});

// Sets `suspect` on frames failing rule 1 or (if enabled) rule 2; clears it on the others.
// Returns how many frames are suspect.
std::size_t mark_suspect_frames(std::span<MatFrame> frames, const SuspectCheck& check = {});

}  // namespace plinth::sim
