#pragma once
// Line faults for simulated devices: what a noisy cable, a flaky USB-serial adapter or a
// device's buffer overrun does to a byte stream, injected into `plinth sim`'s output so that
// the daemon's resynchronisation, gap accounting and counters can be tested end to end.
// Pure and seeded: the same seed and rate give the same faults.
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace plinth {

enum class StreamFault {
  none,       // the message goes out as encoded
  garbage,    // 1-64 random bytes before the message; the message itself is intact
  bit_flip,   // one bit of the message inverted
  truncate,   // the message cut short (its tail never sent)
  duplicate,  // the message sent twice in a row; the first copy is intact
};
std::string_view to_string(StreamFault fault);

// True if the message's own bytes reach the wire unchanged (a decoder must deliver it).
constexpr bool leaves_message_intact(StreamFault f) {
  return f == StreamFault::none || f == StreamFault::garbage || f == StreamFault::duplicate;
}

struct StreamFaultCounts {
  std::uint64_t messages = 0;
  std::uint64_t garbage = 0;
  std::uint64_t bit_flip = 0;
  std::uint64_t truncate = 0;
  std::uint64_t duplicate = 0;
  std::uint64_t faulted() const { return garbage + bit_flip + truncate + duplicate; }
};

class StreamFaultInjector {
 public:
  // rate: probability that a message gets one fault (the four kinds equally likely), 0..1.
  StreamFaultInjector(double rate, std::uint64_t seed);

  // Rewrites one encoded message in place as the faulty line carries it; says what it did.
  StreamFault apply(std::vector<std::uint8_t>& message);
  const StreamFaultCounts& counts() const { return counts_; }
  double rate() const { return rate_; }

 private:
  double rate_;
  std::mt19937_64 rng_;
  StreamFaultCounts counts_;
};

}  // namespace plinth
