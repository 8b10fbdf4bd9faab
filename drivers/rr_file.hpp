#pragma once
// RR/NN interval files: one interval in milliseconds per line; blank lines and lines
// starting with '#' are ignored. Used by `plinth hrv` and by the simulated strap's playback.
#include <string>
#include <string_view>
#include <vector>

namespace plinth {

// Throws std::runtime_error naming source:line for anything that is not an interval.
std::vector<double> parse_rr_text(std::string_view text, const std::string& source);
std::vector<double> read_rr_file(const std::string& path);

}  // namespace plinth
