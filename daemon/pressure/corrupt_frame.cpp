#include "daemon/pressure/corrupt_frame.hpp"

namespace plinth {

bool looks_corrupt(std::span<const std::uint16_t> raw) {
  std::size_t nonzero = 0, high_byte_only = 0;
  for (std::uint16_t v : raw) {
    nonzero += v != 0;
    high_byte_only += v != 0 && (v & 0xFFu) == 0;
  }
  return high_byte_only >= 8 && high_byte_only * 10 >= nonzero;
}

}  // namespace plinth
