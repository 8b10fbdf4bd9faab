// libFuzzer target: the Bluetooth Heart Rate Measurement (0x2A37) payload parser.
// Promises: no crash or UB on any payload; both overloads agree (the hot-path one reuses
// storage that held something else); a rejected payload has a reason; an accepted one
// encodes and decodes back to the same values, and yields one HeartSample per RR value.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "drivers/ble_heart_rate.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

bool same(const plinth::HeartRateMeasurement& a, const plinth::HeartRateMeasurement& b) {
  return a.hr_bpm == b.hr_bpm && a.contact == b.contact && a.energy_kj == b.energy_kj && a.rr_1024 == b.rr_1024;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plinth;
  const std::span<const std::uint8_t> payload(data, size);

  std::string error;
  const auto parsed = parse_heart_rate_measurement(payload, &error);
  HeartRateMeasurement reused;
  reused.hr_bpm = 1;
  reused.contact = true;
  reused.energy_kj = 7;
  reused.rr_1024 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const bool ok = parse_heart_rate_measurement(payload, reused);
  PLINTH_FUZZ_CHECK(ok == parsed.has_value());
  if (!parsed) {
    PLINTH_FUZZ_CHECK(!error.empty());
    return 0;
  }
  PLINTH_FUZZ_CHECK(same(*parsed, reused));

  const bool rate16 = (payload[0] & hrm_flags::kRate16) != 0;
  const std::vector<std::uint8_t> encoded = encode_heart_rate_measurement(*parsed, rate16);
  const auto decoded = parse_heart_rate_measurement(encoded);
  PLINTH_FUZZ_CHECK(decoded.has_value());
  PLINTH_FUZZ_CHECK(same(*parsed, *decoded));

  std::vector<HeartSample> samples;
  append_heart_samples(*parsed, samples);
  PLINTH_FUZZ_CHECK(samples.size() == parsed->rr_1024.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    PLINTH_FUZZ_CHECK(samples[i].rr_1024 == parsed->rr_1024[i]);
    PLINTH_FUZZ_CHECK(samples[i].contact == parsed->contact);
  }
  return 0;
}
