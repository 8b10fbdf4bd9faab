#include "drivers/ant_plus.hpp"

#include <algorithm>
#include <cmath>

namespace plinth::ant {
namespace {

// An ANT USB stick with a strap in range, as `plinth sim` plays it. Answers the set-up
// like a stick (including CHANNEL_IN_WRONG_STATE for an open before assign), then sends
// page 4 at the strap's 4.06 Hz message rate with background pages 1-3 every 65th
// message and the toggle bit flipping every 4 messages. The simulator is driven per beat,
// so each beat writes the pages the strap would send until the next one at once; beats
// marked missing advance the beat count without pages, as a radio dropout would.
class AntStickSim final : public SimEncoder {
 public:
  AntStickSim() : host_(&frame_only_step) {}

  void on_host_bytes(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) override {
    host_.feed(in, [&](StepOutcome o, const DecodedOutput& d) {
      if (o != StepOutcome::control) return;
      answer(d.control_code, d.control_payload, out);
    });
  }
  bool streaming() const override { return open_; }

  void encode_heart(const HeartSample& s, std::vector<std::uint8_t>& out) override {
    const std::uint16_t rr = std::max<std::uint16_t>(s.rr_1024, 1);
    const std::uint32_t beats = s.missing_beats + 1;
    count_ = static_cast<std::uint8_t>(count_ + beats);
    beat_time_ = s.sensor_time_1024 ? static_cast<std::uint16_t>(*s.sensor_time_1024)
                                    : static_cast<std::uint16_t>(beat_time_ + rr * beats);
    const std::uint16_t previous = static_cast<std::uint16_t>(beat_time_ - rr);
    const std::uint8_t hr = s.hr_bpm ? static_cast<std::uint8_t>(std::min<std::uint16_t>(*s.hr_bpm, 255))
                                     : static_cast<std::uint8_t>(std::lround(61440.0 / rr));
    slot_phase_ += rr / 1024.0 * (32768.0 / kHrmChannelPeriod);
    const int pages = std::max(1, static_cast<int>(slot_phase_));
    slot_phase_ -= std::floor(slot_phase_);
    for (int i = 0; i < pages; ++i) {
      std::array<std::uint8_t, 8> page{};
      const bool background = message_index_ % 65 == 64;
      const std::uint8_t number = background ? static_cast<std::uint8_t>(1 + (message_index_ / 65) % 3) : 4;
      page[0] = static_cast<std::uint8_t>(number | (((message_index_ / 4) & 1) << 7));
      if (number == 4) {
        page[1] = 0xFF;
        page[2] = static_cast<std::uint8_t>(previous);
        page[3] = static_cast<std::uint8_t>(previous >> 8);
      } else if (number == 1) {
        page[1] = page[2] = page[3] = 0;  // cumulative operating time, 2 s units
      } else if (number == 2) {
        page[1] = 0xFF;  // manufacturer: development
        page[2] = 0x34;
        page[3] = 0x12;  // serial number, upper 16 bits
      } else {
        page[1] = 1;  // hardware version
        page[2] = 1;  // software version
        page[3] = 1;  // model
      }
      page[4] = static_cast<std::uint8_t>(beat_time_);
      page[5] = static_cast<std::uint8_t>(beat_time_ >> 8);
      page[6] = count_;
      page[7] = hr;
      encode_broadcast(0, page, out);
      ++message_index_;
    }
  }

 private:
  static StepResult frame_only_step(std::span<const std::uint8_t> in, DecodedOutput& out) {
    Message m;
    StepResult r = frame_step(in, m);
    if (r.outcome == StepOutcome::control) {
      out.control_code = m.id;
      out.control_payload.assign(m.payload.begin(), m.payload.end());
    }
    return r;
  }

  void answer(std::uint8_t id, const std::vector<std::uint8_t>& p, std::vector<std::uint8_t>& out) {
    const std::uint8_t addressee = p.empty() ? 0 : p[0];
    switch (id) {
      case msg::kResetSystem: {
        assigned_ = open_ = false;
        const std::uint8_t reason[] = {0x20};  // command reset
        encode_message(msg::kStartup, reason, out);
        return;
      }
      case msg::kAssignChannel:
        assigned_ = true;
        return encode_channel_response(addressee, id, kResponseNoError, out);
      case msg::kSetNetworkKey:
      case msg::kChannelId:
      case msg::kChannelPeriod:
      case msg::kRfFrequency:
        return encode_channel_response(addressee, id, assigned_ || id == msg::kSetNetworkKey ? kResponseNoError
                                                                                            : kChannelInWrongState,
                                       out);
      case msg::kOpenChannel:
        if (!assigned_) return encode_channel_response(addressee, id, kChannelInWrongState, out);
        open_ = true;
        return encode_channel_response(addressee, id, kResponseNoError, out);
      case msg::kCloseChannel: {
        encode_channel_response(addressee, id, open_ ? kResponseNoError : kChannelInWrongState, out);
        open_ = false;
        const std::uint8_t closed[] = {addressee, kEventMarker, kEventChannelClosed};
        encode_message(msg::kChannelEvent, closed, out);
        return;
      }
      default: return encode_channel_response(addressee, id, kInvalidMessage, out);
    }
  }

  StreamDecoder host_;
  bool assigned_ = false;
  bool open_ = false;
  std::uint8_t count_ = 0;
  std::uint16_t beat_time_ = 0;
  double slot_phase_ = 0.0;
  std::uint64_t message_index_ = 0;
};

}  // namespace

std::unique_ptr<SimEncoder> make_stick_sim() { return std::make_unique<AntStickSim>(); }

}  // namespace plinth::ant
