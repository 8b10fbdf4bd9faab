#pragma once
// The shape every device protocol follows (after gpsd's packet lexers): a pure step
// function looks at the bytes buffered so far and says what the first of them are.
// StreamDecoder keeps the buffer and calls the step until it needs more bytes, so a
// protocol file only writes the step and never deals with reads of odd sizes.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "drivers/samples.hpp"

namespace plinth {

enum class StepOutcome {
  need_more,     // the buffer holds the start of a message; wait for more bytes
  mat_frame,     // out.frame holds a complete pressure frame
  device_info,   // out.info holds an identify answer
  heart_sample,  // out.heart holds one or more RR intervals (out.heart_samples)
  control,       // a well-formed message with nothing for the pipeline (ack, status)
  skip,          // `consumed` bytes are not a message (garbage, bad CRC, bad length)
};

enum class SkipReason { none, garbage, bad_crc, bad_length, bad_version, bad_type, bad_payload };

struct StepResult {
  StepOutcome outcome = StepOutcome::need_more;
  std::size_t consumed = 0;  // bytes of the input this result accounts for
  SkipReason reason = SkipReason::none;
};

// Where a step writes what it decoded. Reused between steps so that the hot path does not
// allocate once the vectors have grown to the frame size.
struct DecodedOutput {
  MatFrame frame;
  DeviceInfo info;
  std::vector<HeartSample> heart_samples;
  std::uint8_t control_code = 0;  // protocol-specific message type of a `control` outcome
  std::vector<std::uint8_t> control_payload;  // its body, where a HostSession needs it (ANT responses)
};

// Counters a decoder keeps; published on `status` and archived.
struct DecodeCounters {
  std::uint64_t bytes = 0;
  std::uint64_t frames = 0;        // mat frames and heart samples delivered
  std::uint64_t infos = 0;
  std::uint64_t crc_errors = 0;
  std::uint64_t framing_errors = 0;  // bad length/version/type/payload
  std::uint64_t garbage_bytes = 0;   // bytes skipped while hunting for a sync
  std::uint64_t resyncs = 0;         // times the decoder lost and re-found the framing
};

// One protocol's step: pure, looks at `in`, fills `out` for a message outcome.
using StepFunction = std::function<StepResult(std::span<const std::uint8_t> in, DecodedOutput& out)>;

class StreamDecoder {
 public:
  using Sink = std::function<void(StepOutcome, const DecodedOutput&)>;

  // max_buffer bounds memory if a peer sends a never-ending message.
  explicit StreamDecoder(StepFunction step, std::size_t max_buffer = 1u << 20);

  // Feed bytes as they arrive; calls sink for every complete message.
  void feed(std::span<const std::uint8_t> bytes, const Sink& sink);
  // Forget buffered bytes (after a reconnect the stream starts afresh).
  void reset();

  const DecodeCounters& counters() const { return counters_; }

 private:
  StepFunction step_;
  std::size_t max_buffer_;
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;  // first unconsumed byte in buffer_
  bool in_garbage_ = false;
  DecodedOutput out_;
  DecodeCounters counters_;
};

}  // namespace plinth
