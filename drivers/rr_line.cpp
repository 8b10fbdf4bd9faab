#include "drivers/rr_line.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace plinth::rr_line {
namespace {

bool is_terminator(std::uint8_t c) { return c == '\n' || c == '\r'; }
bool is_separator(char c) { return c == ' ' || c == '\t' || c == ':' || c == '=' || c == ','; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'a' && x <= 'z' ? x - 32 : x) == (y >= 'a' && y <= 'z' ? y - 32 : y);
         });
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

StepResult control(Control code, std::size_t consumed, DecodedOutput& out) {
  out.control_code = static_cast<std::uint8_t>(code);
  out.control_payload.clear();
  return {StepOutcome::control, consumed};
}

// A complete line without its terminator; `consumed` covers the terminator too.
StepResult decode_line(std::string_view line, std::size_t consumed, DecodedOutput& out, LineState& state) {
  while (!line.empty() && is_blank(line.front())) line.remove_prefix(1);
  while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
  if (line.empty()) return control(Control::blank, consumed, out);
  if (line.front() == '#') return control(Control::comment, consumed, out);

  std::size_t key_end = 0;
  while (key_end < line.size() && !is_separator(line[key_end])) ++key_end;
  const std::string_view key = line.substr(0, key_end);
  std::string_view value = line.substr(key_end);
  if (value.empty()) return {StepOutcome::skip, consumed, SkipReason::bad_payload};
  while (!value.empty() && is_separator(value.front())) value.remove_prefix(1);
  if (value.empty() || std::any_of(value.begin(), value.end(), is_separator))
    return {StepOutcome::skip, consumed, SkipReason::bad_payload};

  if (iequals(key, "RR")) {
    unsigned rr = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), rr);
    if (ec != std::errc{} || end != value.data() + value.size() || rr == 0 || rr > 65535)
      return {StepOutcome::skip, consumed, SkipReason::bad_payload};
    out.heart_samples.clear();
    HeartSample s;
    s.rr_1024 = static_cast<std::uint16_t>(rr);
    out.heart_samples.push_back(s);
    return {StepOutcome::heart_sample, consumed};
  }
  if (iequals(key, "HRM")) {
    std::array<std::uint8_t, kMaxLineLength / 2> payload{};
    if (value.size() % 2 != 0 || value.size() / 2 > payload.size())
      return {StepOutcome::skip, consumed, SkipReason::bad_payload};
    for (std::size_t i = 0; i < value.size(); i += 2) {
      const int hi = hex_digit(value[i]), lo = hex_digit(value[i + 1]);
      if (hi < 0 || lo < 0) return {StepOutcome::skip, consumed, SkipReason::bad_payload};
      payload[i / 2] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    if (!parse_heart_rate_measurement({payload.data(), value.size() / 2}, state.scratch))
      return {StepOutcome::skip, consumed, SkipReason::bad_payload};
    if (state.scratch.rr_1024.empty()) return control(Control::rate_only, consumed, out);
    out.heart_samples.clear();
    append_heart_samples(state.scratch, out.heart_samples);
    return {StepOutcome::heart_sample, consumed};
  }
  return {StepOutcome::skip, consumed, SkipReason::bad_payload};
}

}  // namespace

StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, LineState& state) {
  if (state.discarding) {
    // The tail of an overlong line: garbage up to and including its terminator.
    const auto eol = std::find_if(in.begin(), in.end(), is_terminator);
    if (eol == in.end()) return {StepOutcome::skip, in.size(), SkipReason::garbage};
    state.discarding = false;
    return {StepOutcome::skip, static_cast<std::size_t>(eol - in.begin()) + 1, SkipReason::garbage};
  }
  // Terminators before a line (the LF of a CRLF, blank lines) are consumed with it.
  std::size_t begin = 0;
  while (begin < in.size() && is_terminator(in[begin])) ++begin;
  const auto eol = std::find_if(in.begin() + static_cast<std::ptrdiff_t>(begin), in.end(), is_terminator);
  const std::size_t end = static_cast<std::size_t>(eol - in.begin());

  if (end - begin > kMaxLineLength) {
    state.discarding = end == in.size();
    return {StepOutcome::skip, end == in.size() ? in.size() : end + 1, SkipReason::bad_length};
  }
  if (end == in.size()) {
    if (begin == in.size() && begin > 0) return control(Control::blank, begin, out);
    return {StepOutcome::need_more, 0};
  }
  const std::string_view line(reinterpret_cast<const char*>(in.data() + begin), end - begin);
  const bool crlf = in[end] == '\r' && end + 1 < in.size() && in[end + 1] == '\n';
  return decode_line(line, end + (crlf ? 2 : 1), out, state);
}

void encode_rr(std::uint16_t rr_1024, std::vector<std::uint8_t>& out) {
  std::array<char, 16> text{};
  const auto r = std::to_chars(text.data(), text.data() + text.size(), rr_1024);
  out.insert(out.end(), {'R', 'R', ' '});
  out.insert(out.end(), text.data(), r.ptr);
  out.insert(out.end(), {'\r', '\n'});
}

void encode_hrm(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.insert(out.end(), {'H', 'R', 'M', ' '});
  for (std::uint8_t b : payload) {
    out.push_back(static_cast<std::uint8_t>(kHex[b >> 4]));
    out.push_back(static_cast<std::uint8_t>(kHex[b & 15]));
  }
  out.insert(out.end(), {'\r', '\n'});
}

}  // namespace plinth::rr_line

namespace plinth {
namespace {

// A bridge as `plinth sim` plays it: a banner, then one HRM line per beat when the beat
// carries a rate (as a BLE relay would), else a bare RR line. The wire cannot say that
// beats went missing; a bridge simply reports the next one.
class RrLineSim final : public SimEncoder {
 public:
  void encode_heart(const HeartSample& s, std::vector<std::uint8_t>& out) override {
    if (!banner_sent_) {
      static constexpr std::string_view kBanner = "# plinth sim rr-line bridge v1\r\n";
      out.insert(out.end(), kBanner.begin(), kBanner.end());
      banner_sent_ = true;
    }
    if (!s.hr_bpm) {
      rr_line::encode_rr(s.rr_1024, out);
      return;
    }
    HeartRateMeasurement m;
    m.hr_bpm = *s.hr_bpm;
    m.contact = s.contact.value_or(true);
    m.rr_1024.push_back(s.rr_1024);
    rr_line::encode_hrm(encode_heart_rate_measurement(m), out);
  }
  void on_host_bytes(std::span<const std::uint8_t>, std::vector<std::uint8_t>&) override {}

 private:
  bool banner_sent_ = false;
};

}  // namespace

const DriverDescriptor rr_line_driver = {
    .name = "rr-line",
    .kind = DeviceKind::heart,
    .summary = "Text lines from a strap bridge: 'RR <1/1024 s>' or 'HRM <0x2A37 hex>' (schemas/heart-protocols.md)",
    .default_baud = 115200,
    .make_step = [](const DriverOptions&) -> StepFunction {
      return [state = rr_line::LineState{}](std::span<const std::uint8_t> in, DecodedOutput& out) mutable {
        return rr_line::step(in, out, state);
      };
    },
    .open_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{}; },
    .close_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{}; },
    .make_sim = [](const DriverOptions&, const DeviceInfo&) -> std::unique_ptr<SimEncoder> {
      return std::make_unique<RrLineSim>();
    },
};

}  // namespace plinth
