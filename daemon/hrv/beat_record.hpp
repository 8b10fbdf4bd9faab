#pragma once
// What the artifact stage says about each beat the strap reported. Spec: schemas/hrv.md.
#include <cstdint>
#include <limits>
#include <string_view>

namespace plinth {

// Bit set kept with every beat; values are part of the archive format (schemas/hrv.md).
enum BeatFlag : std::uint32_t {
  beat_ectopic = 1u << 0,           // Lipponen: ectopic (premature / compensatory) beat
  beat_long = 1u << 1,              // interval too long (not a missed beat)
  beat_short = 1u << 2,             // interval too short (not an extra beat)
  beat_missed = 1u << 3,            // a beat was missed: interval spans two beats
  beat_extra = 1u << 4,             // a spurious beat split a true interval
  beat_interpolated = 1u << 5,      // NN value replaced by interpolation
  beat_split = 1u << 6,             // interval split into nn_count equal NN intervals
  beat_merged = 1u << 7,            // this interval absorbed the preceding extra beat's interval
  beat_dropped = 1u << 8,           // contributes no NN interval (extra beat or invalid)
  beat_strap_missing = 1u << 9,     // strap reported lost beats just before this one
  beat_out_of_range = 1u << 10,     // RR outside the physiological range setting
  beat_simple_rule = 1u << 11,      // decided by the simple (Malik-type) rule, not Lipponen
  beat_short_context = 1u << 12,    // decided with fewer following beats than the full delay (end of data)
  beat_invalid = 1u << 13,          // RR not finite or <= 0: no interval at all
  beat_segment_start = 1u << 14,    // successive difference to the previous NN is not valid
};

inline constexpr std::uint32_t beat_artifact_mask =
    beat_ectopic | beat_long | beat_short | beat_missed | beat_extra | beat_out_of_range | beat_invalid;

enum class CorrectionMode { none, lipponen, simple };

CorrectionMode parse_correction_mode(std::string_view text);  // throws std::invalid_argument
std::string_view to_string(CorrectionMode mode);

// One RR interval as it arrives from a strap (already converted to ms).
struct RawBeat {
  double rr_ms = 0.0;
  std::int64_t time_ns = 0;          // host arrival time (UNIX ns) of the beat ending this interval
  std::uint32_t strap_missing = 0;   // beats the strap says were lost before this one
};

// One decided beat (provisionally or finally: schemas/hrv.md §3.2). nn_count NN intervals of
// nn_ms each enter the HRV series.
struct BeatRecord {
  std::uint64_t beat_index = 0;      // position in the input stream, from 0
  std::int64_t time_ns = 0;
  double rr_ms = 0.0;                // as reported
  double nn_ms = std::numeric_limits<double>::quiet_NaN();  // corrected; NaN if dropped
  double hr_bpm = std::numeric_limits<double>::quiet_NaN(); // 60000 / nn_ms
  std::uint32_t flags = 0;           // BeatFlag bits
  std::uint32_t nn_count = 1;        // 0 (dropped), 1, or 2 (missed beat split)
  std::uint32_t provisional_flags = 0;  // final records: the flags of the beat's provisional decision
};

}  // namespace plinth
