#include "drivers/text_mat.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace plinth::text_mat {
namespace {

enum class LineKind { values, blank, junk };

struct ParsedLine {
  LineKind kind = LineKind::junk;
  std::size_t count = 0;  // values seen (stops counting once past the capacity)
};

bool is_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_delimiter(std::uint8_t c) { return c == ',' || c == ';'; }
bool is_digit(std::uint8_t c) { return c >= '0' && c <= '9'; }

// Values are unsigned decimal integers 0..65535 separated by one comma or semicolon
// (spaces around it allowed) or by runs of spaces/tabs. A trailing delimiter is allowed
// (Arduino sketches often print one); an empty field ("1,,2") is junk.
ParsedLine parse_line(const std::uint8_t* p, const std::uint8_t* end, std::uint16_t* dst, std::size_t capacity) {
  ParsedLine r;
  while (p < end && is_space(*p)) ++p;
  if (p == end) {
    r.kind = LineKind::blank;
    return r;
  }
  for (;;) {
    if (p == end || !is_digit(*p)) return r;  // junk
    std::uint32_t v = 0;
    auto [next, ec] = std::from_chars(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(end), v);
    if (ec != std::errc() || v > 65535) return r;
    p = reinterpret_cast<const std::uint8_t*>(next);
    if (r.count < capacity) dst[r.count] = static_cast<std::uint16_t>(v);
    ++r.count;
    if (r.count > capacity) return r;  // too many: the kind stays junk
    const std::uint8_t* before = p;
    while (p < end && is_space(*p)) ++p;
    if (p == end) break;
    if (is_delimiter(*p)) {
      ++p;
      while (p < end && is_space(*p)) ++p;
      if (p == end) break;  // trailing delimiter
      continue;
    }
    if (p == before) return r;  // a number glued to something that is not a separator
  }
  r.kind = LineKind::values;
  return r;
}

// Where the line starting at `from` ends: index of its '\n', or npos if not in `in`.
std::size_t find_line_end(std::span<const std::uint8_t> in, std::size_t from, std::size_t max_line) {
  const std::size_t limit = std::min(in.size(), from + max_line + 1);
  const void* nl = std::memchr(in.data() + from, '\n', limit - from);
  if (!nl) return std::span<const std::uint8_t>::extent;
  return static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - in.data());
}

constexpr std::size_t npos = std::span<const std::uint8_t>::extent;

}  // namespace

std::size_t max_line_bytes(const Geometry& g) { return std::size_t{g.rows} * g.cols * 6 + 64; }

StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, const Geometry& g) {
  const std::size_t n = std::size_t{g.rows} * g.cols;
  const std::size_t max_line = max_line_bytes(g);
  const std::size_t first_end = find_line_end(in, 0, max_line);
  if (first_end == npos) {
    // An overlong line is dropped in bounded chunks; its tail then fails as a bad line.
    if (in.size() > max_line) return {StepOutcome::skip, max_line, SkipReason::garbage};
    return {StepOutcome::need_more, 0};
  }
  MatFrame& f = out.frame;
  f.raw.resize(n);
  const ParsedLine first = parse_line(in.data(), in.data() + first_end, f.raw.data(), n);
  const std::size_t first_size = first_end + 1;
  if (first.kind == LineKind::blank) {
    out.control_code = 0;  // a separator with nothing for the pipeline
    return {StepOutcome::control, first_size};
  }
  if (first.kind == LineKind::junk) return {StepOutcome::skip, first_size, SkipReason::bad_payload};
  auto deliver = [&](std::size_t consumed) {
    f.rows = g.rows;
    f.cols = g.cols;
    f.device_seq = 0;
    f.device_time_us = 0;
    f.suspect = false;
    return StepResult{StepOutcome::mat_frame, consumed};
  };
  if (first.count == n) return deliver(first_size);
  if (first.count != g.cols) return {StepOutcome::skip, first_size, SkipReason::bad_length};

  // A row block. The blank line is the only frame marker on this wire, so a frame is the
  // `rows` row lines right before a blank line: scan the run of row lines (into a ring of
  // `rows` slots) up to the line that ends it, at most 2·rows lines ahead.
  std::size_t run = 1;
  std::size_t at = first_size;
  // Byte offset where the last `rows` lines of the run begin (the lines before it can only
  // be leftovers of a broken frame).
  std::size_t excess_cut = 0;
  for (;;) {
    if (run == 2 * std::size_t{g.rows}) {
      // No blank line in sight: the older half cannot belong to the next frame.
      return {StepOutcome::skip, excess_cut, SkipReason::bad_payload};
    }
    const std::size_t end = find_line_end(in, at, max_line);
    if (end == npos) {
      if (in.size() - at > max_line) return {StepOutcome::skip, at, SkipReason::bad_payload};
      return {StepOutcome::need_more, 0};
    }
    const std::size_t slot = (run % g.rows) * g.cols;
    const ParsedLine line = parse_line(in.data() + at, in.data() + end, f.raw.data() + slot, g.cols);
    if (line.kind == LineKind::blank) {
      if (run == g.rows) return deliver(end + 1);
      if (run < g.rows) return {StepOutcome::skip, at, SkipReason::bad_payload};  // rows missing
      return {StepOutcome::skip, excess_cut, SkipReason::bad_payload};  // extra rows in front
    }
    if (line.kind == LineKind::junk || line.count != g.cols) {
      // The run is broken; drop it, and let the bad line be judged (and counted) alone.
      return {StepOutcome::skip, at, SkipReason::bad_payload};
    }
    ++run;
    at = end + 1;
    if (run > g.rows) {
      // Lines before the last `rows` of the run: advance the cut by one line.
      const std::size_t cut_end = find_line_end(in, excess_cut, max_line);
      excess_cut = cut_end + 1;
    }
  }
}

StepFunction make_step(const DriverOptions& options) {
  if (options.rows == 0 || options.cols == 0)
    throw std::invalid_argument("text-mat needs the mat's rows and cols in the device config");
  const Geometry g{options.rows, options.cols};
  return [g, next_seq = std::uint32_t{0}](std::span<const std::uint8_t> in, DecodedOutput& out) mutable {
    StepResult r = step(in, out, g);
    if (r.outcome == StepOutcome::mat_frame) out.frame.device_seq = next_seq++;
    return r;
  };
}

namespace {
void append_value(std::uint16_t v, std::vector<std::uint8_t>& out) {
  char buf[8];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.insert(out.end(), buf, end);
}
}  // namespace

void encode_frame_line(const MatFrame& frame, char separator, std::vector<std::uint8_t>& out) {
  const std::size_t n = std::size_t{frame.rows} * frame.cols;
  for (std::size_t i = 0; i < n; ++i) {
    if (i) out.push_back(static_cast<std::uint8_t>(separator));
    append_value(i < frame.raw.size() ? frame.raw[i] : 0, out);
  }
  out.push_back('\r');
  out.push_back('\n');
}

void encode_row_block(const MatFrame& frame, char separator, std::vector<std::uint8_t>& out) {
  for (std::size_t r = 0; r < frame.rows; ++r) {
    for (std::size_t c = 0; c < frame.cols; ++c) {
      if (c) out.push_back(static_cast<std::uint8_t>(separator));
      const std::size_t i = r * frame.cols + c;
      append_value(i < frame.raw.size() ? frame.raw[i] : 0, out);
    }
    out.push_back('\r');
    out.push_back('\n');
  }
  out.push_back('\r');
  out.push_back('\n');
}

}  // namespace plinth::text_mat

namespace plinth {
namespace {

// DIY mats just print: nothing to answer, no start/stop.
class TextMatSim final : public SimEncoder {
 public:
  void encode_frame(const MatFrame& frame, std::vector<std::uint8_t>& out) override {
    text_mat::encode_frame_line(frame, ',', out);
  }
  void on_host_bytes(std::span<const std::uint8_t>, std::vector<std::uint8_t>&) override {}
};

}  // namespace

const DriverDescriptor text_mat_driver = {
    .name = "text-mat",
    .kind = DeviceKind::mat,
    .summary = "plain-text lines of values from DIY/Arduino FSR mats (schemas/text-mat-protocol.md)",
    .default_baud = 115200,
    .make_step = &text_mat::make_step,
    .open_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{}; },
    .close_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{}; },
    .make_sim = [](const DriverOptions&, const DeviceInfo&) -> std::unique_ptr<SimEncoder> {
      return std::make_unique<TextMatSim>();
    },
};

}  // namespace plinth
