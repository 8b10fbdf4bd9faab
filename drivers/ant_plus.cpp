#include "drivers/ant_plus.hpp"

#include <algorithm>

// The ANT serial framing, the decoder's step and the message encoders; the page tracker, the
// channel set-up and the simulated stick live in ant_hrm_pages.cpp, ant_channel_setup.cpp and
// ant_stick_sim.cpp (schemas/heart-protocols.md section 3).
namespace plinth::ant {

std::uint8_t checksum(std::span<const std::uint8_t> bytes) {
  std::uint8_t x = 0;
  for (std::uint8_t b : bytes) x ^= b;
  return x;
}

void encode_message(std::uint8_t id, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out) {
  const std::size_t begin = out.size();
  out.push_back(kSync);
  out.push_back(static_cast<std::uint8_t>(payload.size()));
  out.push_back(id);
  out.insert(out.end(), payload.begin(), payload.end());
  out.push_back(checksum({out.data() + begin, out.size() - begin}));
}

StepResult frame_step(std::span<const std::uint8_t> in, Message& message) {
  const auto sync = std::find(in.begin(), in.end(), kSync);
  if (sync != in.begin()) return {StepOutcome::skip, static_cast<std::size_t>(sync - in.begin()), SkipReason::garbage};
  if (in.size() < 2) return {StepOutcome::need_more, 0};
  const std::size_t length = in[1];
  if (length == 0 || length > kMaxPayload) return {StepOutcome::skip, 1, SkipReason::bad_length};
  const std::size_t total = length + 4;
  if (in.size() < total) return {StepOutcome::need_more, 0};
  if (checksum(in.first(total - 1)) != in[total - 1]) return {StepOutcome::skip, 1, SkipReason::bad_crc};
  message.id = in[2];
  message.payload = in.subspan(3, length);
  return {StepOutcome::control, total};
}

StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, DecoderState& state) {
  Message m;
  StepResult r = frame_step(in, m);
  if (r.outcome != StepOutcome::control) return r;
  if (m.id == msg::kBroadcastData || m.id == msg::kAcknowledgedData) {
    if (m.payload.size() < 9) return {StepOutcome::skip, r.consumed, SkipReason::bad_payload};
    if (m.payload[0] == state.channel) {
      out.heart_samples.resize(1);
      if (state.tracker.on_page(m.payload.subspan<1, 8>(), out.heart_samples[0]))
        return {StepOutcome::heart_sample, r.consumed};
    }
  } else if (m.id == msg::kChannelEvent && m.payload.size() >= 3 && m.payload[0] == state.channel &&
             m.payload[1] == kEventMarker) {
    // Only a search timeout or a closed channel ends the strap's stream. After "go to
    // search" the stick finds the same strap within its search timeout (< 64 s), so the
    // beat count and time still tell how many beats were lost.
    const std::uint8_t event = m.payload[2];
    if (event == kEventRxSearchTimeout || event == kEventChannelClosed) state.tracker.reset();
  } else if (m.id == msg::kStartup) {
    state.tracker.reset();
  }
  out.control_code = m.id;
  out.control_payload.assign(m.payload.begin(), m.payload.end());
  return r;
}

void encode_broadcast(std::uint8_t channel, std::span<const std::uint8_t, 8> page, std::vector<std::uint8_t>& out) {
  std::array<std::uint8_t, 9> payload{};
  payload[0] = channel;
  std::copy(page.begin(), page.end(), payload.begin() + 1);
  encode_message(msg::kBroadcastData, payload, out);
}

void encode_channel_response(std::uint8_t channel, std::uint8_t request_id, std::uint8_t code,
                             std::vector<std::uint8_t>& out) {
  const std::uint8_t payload[] = {channel, request_id, code};
  encode_message(msg::kChannelEvent, payload, out);
}

}  // namespace plinth::ant

namespace plinth {

using namespace ant;

namespace {
constexpr DriverOptionSpec kOptions[] = {
    {.key = kNetworkKeyOption, .type = DriverOptionSpec::Type::text},
    {.key = kDeviceNumberOption, .type = DriverOptionSpec::Type::integer, .min = 0, .max = 65535},
};
}  // namespace

const DriverDescriptor ant_hrm_driver = {
    .name = "ant-hrm",
    .kind = DeviceKind::heart,
    .summary = "ANT USB stick receiving an ANT+ heart-rate strap (needs ant_network_key; schemas/heart-protocols.md)",
    .default_baud = 115200,
    .make_step = [](const DriverOptions&) -> StepFunction {
      return [state = DecoderState{}](std::span<const std::uint8_t> in, DecodedOutput& out) mutable {
        return ant::step(in, out, state);
      };
    },
    // The set-up is a checked conversation: see make_host_session.
    .open_request = [](const DriverOptions&) { return std::vector<std::uint8_t>{}; },
    .close_request = [](const DriverOptions&) {
      std::vector<std::uint8_t> out;
      const std::uint8_t channel[] = {0};
      encode_message(msg::kCloseChannel, channel, out);
      return out;
    },
    .make_sim = [](const DriverOptions&, const DeviceInfo&) -> std::unique_ptr<SimEncoder> {
      return make_stick_sim();
    },
    .make_host_session = [](const DriverOptions& options) -> std::unique_ptr<HostSession> {
      return make_host_session(options);
    },
    .option_specs = kOptions,
};

}  // namespace plinth
