#include "drivers/sim/suspect_frames.hpp"

#include <algorithm>
#include <vector>

namespace plinth::sim {

bool looks_byte_shifted(const MatFrame& frame, const SuspectCheck& check) {
  std::size_t large = 0, multiples = 0;
  for (std::uint16_t v : frame.raw) {
    if (v < 256) continue;
    ++large;
    if ((v & 0xFF) == 0) ++multiples;
  }
  if (large < check.byte_shift_min_values) return false;
  return static_cast<double>(multiples) > check.byte_shift_fraction * static_cast<double>(large);
}

std::size_t mark_suspect_frames(std::span<MatFrame> frames, const SuspectCheck& check) {
  std::vector<double> load(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    double sum = 0;
    for (std::uint16_t v : frames[i].raw) sum += v;
    load[i] = sum;
  }
  double median = 0;
  if (!load.empty()) {
    std::vector<double> sorted = load;
    auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
    std::nth_element(sorted.begin(), mid, sorted.end());
    median = *mid;
  }
  std::size_t suspect = 0;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    bool bad = looks_byte_shifted(frames[i], check);
    if (check.load_outliers && median > 0)
      bad = bad || load[i] < check.low_load_fraction * median || load[i] > check.high_load_factor * median;
    frames[i].suspect = bad;
    suspect += bad ? 1 : 0;
  }
  return suspect;
}

}  // namespace plinth::sim
