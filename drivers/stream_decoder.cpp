#include "drivers/stream_decoder.hpp"

#include <algorithm>

namespace plinth {

StreamDecoder::StreamDecoder(StepFunction step, std::size_t max_buffer)
    : step_(std::move(step)), max_buffer_(max_buffer) {}

void StreamDecoder::reset() {
  buffer_.clear();
  start_ = 0;
  in_garbage_ = false;
}

void StreamDecoder::feed(std::span<const std::uint8_t> bytes, const Sink& sink) {
  counters_.bytes += bytes.size();
  // Compact lazily: move the tail to the front only when the consumed head is large, so a
  // stream of whole frames costs one copy per read, not one per frame.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
    start_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());

  while (start_ < buffer_.size()) {
    std::span<const std::uint8_t> pending(buffer_.data() + start_, buffer_.size() - start_);
    StepResult r = step_(pending, out_);
    if (r.outcome == StepOutcome::need_more) {
      if (pending.size() > max_buffer_) {
        // A peer that never completes a message must not grow memory without bound.
        ++counters_.framing_errors;
        in_garbage_ = true;
        start_ = buffer_.size();
      }
      break;
    }
    std::size_t consumed = std::clamp<std::size_t>(r.consumed, 1, pending.size());
    start_ += consumed;
    if (r.outcome == StepOutcome::skip) {
      switch (r.reason) {
        case SkipReason::bad_crc: ++counters_.crc_errors; break;
        case SkipReason::garbage: counters_.garbage_bytes += consumed; break;
        default: ++counters_.framing_errors; break;
      }
      in_garbage_ = true;
      continue;
    }
    if (in_garbage_) {
      ++counters_.resyncs;
      in_garbage_ = false;
    }
    if (r.outcome == StepOutcome::mat_frame) ++counters_.frames;
    if (r.outcome == StepOutcome::heart_sample) counters_.frames += out_.heart_samples.size();
    if (r.outcome == StepOutcome::device_info) ++counters_.infos;
    sink(r.outcome, out_);
  }
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
}

}  // namespace plinth
