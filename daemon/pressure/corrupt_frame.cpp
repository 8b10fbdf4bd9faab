#include "daemon/pressure/corrupt_frame.hpp"

namespace plinth {

bool looks_corrupt(std::span<const std::uint16_t> raw) {
  // 32-bit counts (a frame has far fewer than 2^32 values) and no short-circuit branch.
  std::uint32_t nonzero = 0, high_byte_only = 0;
  for (std::uint16_t v : raw) {
    const std::uint32_t set = v != 0;
    nonzero += set;
    high_byte_only += set & static_cast<std::uint32_t>((v & 0xFFu) == 0);
  }
  return high_byte_only >= 8 && std::uint64_t{high_byte_only} * 10 >= nonzero;
}

}  // namespace plinth
