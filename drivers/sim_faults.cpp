#include "drivers/sim_faults.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace plinth {

std::string_view to_string(StreamFault fault) {
  switch (fault) {
    case StreamFault::none: return "none";
    case StreamFault::garbage: return "garbage";
    case StreamFault::bit_flip: return "bit_flip";
    case StreamFault::truncate: return "truncate";
    case StreamFault::duplicate: return "duplicate";
  }
  return "unknown";
}

StreamFaultInjector::StreamFaultInjector(double rate, std::uint64_t seed) : rate_(rate), rng_(seed) {
  if (!(rate >= 0.0 && rate <= 1.0))
    throw std::invalid_argument("fault rate must be between 0 and 1, got " + std::to_string(rate));
}

StreamFault StreamFaultInjector::apply(std::vector<std::uint8_t>& message) {
  ++counts_.messages;
  if (message.empty() || std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= rate_) return StreamFault::none;
  auto pick = [this](std::size_t lo, std::size_t hi) { return std::uniform_int_distribution<std::size_t>(lo, hi)(rng_); };
  auto kind = static_cast<StreamFault>(pick(1, 4));
  if (kind == StreamFault::truncate && message.size() < 2) kind = StreamFault::garbage;  // nothing to cut
  switch (kind) {
    case StreamFault::garbage: {
      std::vector<std::uint8_t> noise(pick(1, 64));
      for (auto& b : noise) b = static_cast<std::uint8_t>(pick(0, 255));
      message.insert(message.begin(), noise.begin(), noise.end());
      ++counts_.garbage;
      break;
    }
    case StreamFault::bit_flip:
      message[pick(0, message.size() - 1)] ^= static_cast<std::uint8_t>(1u << pick(0, 7));
      ++counts_.bit_flip;
      break;
    case StreamFault::truncate:
      message.resize(pick(1, message.size() - 1));
      ++counts_.truncate;
      break;
    case StreamFault::duplicate: {
      const std::size_t n = message.size();
      message.resize(2 * n);  // (insert() may not take a range from the vector itself)
      std::copy_n(message.begin(), n, message.begin() + static_cast<std::ptrdiff_t>(n));
      ++counts_.duplicate;
      break;
    }
    case StreamFault::none: break;
  }
  return kind;
}

}  // namespace plinth
