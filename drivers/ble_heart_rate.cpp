#include "drivers/ble_heart_rate.hpp"

namespace plinth {
namespace {

std::uint16_t get_u16(std::span<const std::uint8_t> p, std::size_t at) {
  return static_cast<std::uint16_t>(p[at] | (p[at + 1] << 8));
}
void put_u16(std::vector<std::uint8_t>& o, std::uint16_t v) {
  o.push_back(static_cast<std::uint8_t>(v));
  o.push_back(static_cast<std::uint8_t>(v >> 8));
}
bool fail(std::string* error, const char* why) {
  if (error) *error = why;
  return false;
}

}  // namespace

std::optional<HeartRateMeasurement> parse_heart_rate_measurement(std::span<const std::uint8_t> p,
                                                                 std::string* error) {
  HeartRateMeasurement m;
  if (!parse_heart_rate_measurement(p, m, error)) return std::nullopt;
  return m;
}

bool parse_heart_rate_measurement(std::span<const std::uint8_t> p, HeartRateMeasurement& m, std::string* error) {
  using namespace hrm_flags;
  m.contact.reset();
  m.energy_kj.reset();
  m.rr_1024.clear();
  if (p.empty()) return fail(error, "heart rate measurement: empty payload");
  const std::uint8_t flags = p[0];
  std::size_t at = 1;
  if (flags & kRate16) {
    if (p.size() < at + 2) return fail(error, "heart rate measurement: 16-bit rate flag set but fewer than 2 rate bytes");
    m.hr_bpm = get_u16(p, at);
    at += 2;
  } else {
    if (p.size() < at + 1) return fail(error, "heart rate measurement: no rate byte");
    m.hr_bpm = p[at];
    at += 1;
  }
  if (flags & kContactSupported) m.contact = (flags & kContactDetected) != 0;
  if (flags & kEnergyPresent) {
    if (p.size() < at + 2) return fail(error, "heart rate measurement: energy flag set but fewer than 2 energy bytes");
    m.energy_kj = get_u16(p, at);
    at += 2;
  }
  const std::size_t rest = p.size() - at;
  if (flags & kRrPresent) {
    if (rest == 0) return fail(error, "heart rate measurement: RR flag set but no RR bytes");
    if (rest % 2 != 0) return fail(error, "heart rate measurement: odd trailing byte after RR values");
    for (; at < p.size(); at += 2) m.rr_1024.push_back(get_u16(p, at));
  } else if (rest != 0) {
    return fail(error, "heart rate measurement: bytes after the last field with the RR flag clear");
  }
  return true;
}

void append_heart_samples(const HeartRateMeasurement& m, std::vector<HeartSample>& out) {
  for (std::uint16_t rr : m.rr_1024) {
    HeartSample s;
    s.rr_1024 = rr;
    s.hr_bpm = m.hr_bpm;
    s.contact = m.contact;
    out.push_back(s);
  }
}

std::vector<std::uint8_t> encode_heart_rate_measurement(const HeartRateMeasurement& m, bool force_rate16) {
  using namespace hrm_flags;
  const bool rate16 = force_rate16 || m.hr_bpm > 255;
  std::uint8_t flags = 0;
  if (rate16) flags |= kRate16;
  if (m.contact) flags |= static_cast<std::uint8_t>(kContactSupported | (*m.contact ? kContactDetected : 0));
  if (m.energy_kj) flags |= kEnergyPresent;
  if (!m.rr_1024.empty()) flags |= kRrPresent;
  std::vector<std::uint8_t> out;
  out.reserve(5 + 2 * m.rr_1024.size());
  out.push_back(flags);
  if (rate16) put_u16(out, m.hr_bpm);
  else out.push_back(static_cast<std::uint8_t>(m.hr_bpm));
  if (m.energy_kj) put_u16(out, *m.energy_kj);
  for (std::uint16_t rr : m.rr_1024) put_u16(out, rr);
  return out;
}

}  // namespace plinth
