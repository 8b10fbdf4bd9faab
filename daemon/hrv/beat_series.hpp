#pragma once
// Pieces shared by the two artifact deciders (ArtifactCorrector, FinalArtifactPass).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/hrv/beat_record.hpp"

namespace plinth {

// Linear-interpolation quantile of sorted values (NumPy's default, as pandas' rolling quantile).
inline double quantile_sorted(std::span<const double> sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Runs a decider over a whole recording and flushes it. Offline there is no host clock: each
// beat arrives when its interval ends, on the recording's own time axis.
template <class Decider, class Settings>
std::vector<BeatRecord> decide_series(std::span<const double> rr_ms, const Settings& settings) {
  Decider decider(settings);
  std::vector<BeatRecord> out;
  out.reserve(rr_ms.size() + 8);
  std::int64_t t_ns = 0;
  for (const double rr : rr_ms) {
    if (std::isfinite(rr) && rr > 0.0) t_ns += static_cast<std::int64_t>(std::llround(rr * 1e6));
    decider.push(RawBeat{rr, t_ns, 0}, out);
  }
  decider.flush(out);
  return out;
}

}  // namespace plinth
