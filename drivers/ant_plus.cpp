#include "drivers/ant_plus.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace plinth::ant {
namespace {

std::uint16_t get_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }

struct SetupStep {
  std::uint8_t id;
  const char* name;
};
constexpr std::array<SetupStep, 7> kSetupSteps = {{
    {msg::kResetSystem, "reset system"},
    {msg::kSetNetworkKey, "set network key"},
    {msg::kAssignChannel, "assign channel"},
    {msg::kChannelId, "set channel id"},
    {msg::kChannelPeriod, "set channel period"},
    {msg::kRfFrequency, "set RF frequency"},
    {msg::kOpenChannel, "open channel"},
}};
constexpr std::size_t kNetworkKeyStep = 1;
constexpr std::size_t kOpenStep = 6;

const char* response_name(std::uint8_t code) {
  switch (code) {
    case 0x15: return "CHANNEL_IN_WRONG_STATE";
    case 0x16: return "CHANNEL_NOT_OPENED";
    case 0x18: return "CHANNEL_ID_NOT_SET";
    case 0x19: return "CLOSE_ALL_CHANNELS";
    case 0x1F: return "TRANSFER_IN_PROGRESS";
    case 0x28: return "INVALID_MESSAGE";
    case 0x29: return "INVALID_NETWORK_NUMBER";
    case 0x33: return "INVALID_PARAMETER_PROVIDED";
    default: return "unknown response code";
  }
}

std::string hex2(std::uint8_t v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", v);
  return text;
}

}  // namespace

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

void HrmPageTracker::reset() {
  have_beat_ = false;
  pending_missing_ = 0;
  last_toggle_.reset();
  toggle_seen_ = false;
}

bool HrmPageTracker::on_page(std::span<const std::uint8_t, 8> page, HeartSample& sample) {
  const std::uint8_t toggle = page[0] >> 7;
  if (last_toggle_ && *last_toggle_ != toggle) toggle_seen_ = true;
  last_toggle_ = toggle;
  // Legacy straps send page 0 with bytes 1-3 reserved and never move the toggle bit; only
  // a strap that does move it has meaningful page numbers (ANT+ HRM profile).
  const bool page4 = toggle_seen_ && (page[0] & 0x7F) == 4;
  const std::uint16_t time = get_u16(&page[4]);
  const std::uint16_t previous = get_u16(&page[2]);
  const std::uint8_t count = page[6];
  const std::uint8_t hr = page[7];

  auto emit = [&](std::uint16_t rr, std::uint32_t missing) {
    sample = HeartSample{};
    sample.rr_1024 = rr;
    sample.sensor_time_1024 = sensor_time_;
    sample.missing_beats = missing;
    if (hr != 0) sample.hr_bpm = hr;
    return true;
  };

  if (!have_beat_) {
    // The first page only sets the baseline: its interval would need the previous page.
    have_beat_ = true;
    count_ = count;
    time_ = time;
    sensor_time_ = time;
    pending_missing_ = 0;
    return false;
  }
  if (count == count_) {
    if (time == time_) {
      ++repeats_;
      return false;
    }
    // Same count, different time: the strap restarted or 256 beats went by unseen.
    ++anomalies_;
    time_ = time;
    pending_missing_ = 0;
    return false;
  }
  const std::uint8_t beats = static_cast<std::uint8_t>(count - count_);
  const std::uint16_t elapsed = static_cast<std::uint16_t>(time - time_);
  // No heart beats faster than 300 bpm (205/1024 s): a shorter span means the 64 s time
  // counter wrapped during a long gap, so neither the interval nor the count can be trusted.
  if (elapsed < std::uint32_t{beats} * 205u) {
    ++anomalies_;
    count_ = count;
    time_ = time;
    pending_missing_ = 0;
    return false;
  }
  count_ = count;
  time_ = time;
  sensor_time_ += elapsed;
  if (beats == 1) {
    const std::uint32_t missing = pending_missing_;
    pending_missing_ = 0;
    return emit(elapsed, missing);
  }
  // Beats went unseen. Page 4 still gives the last one's interval when its previous beat
  // time lies inside the gap; otherwise this beat's interval is unknown too.
  const std::uint16_t since_previous = static_cast<std::uint16_t>(time - previous);
  if (page4 && since_previous != 0 && since_previous < elapsed) {
    const std::uint32_t missing = pending_missing_ + beats - 1u;
    pending_missing_ = 0;
    return emit(since_previous, missing);
  }
  pending_missing_ += beats;
  return false;
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

std::optional<std::array<std::uint8_t, 8>> parse_network_key(std::string_view hex, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<std::array<std::uint8_t, 8>> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (hex.empty())
    return fail(
        "ant_network_key is not set: Plinth does not ship the ANT+ network key. Get it as an ANT+ "
        "adopter from thisisant.com and set ant_network_key = \"<16 hex digits>\" in the device's table");
  std::array<std::uint8_t, 8> key{};
  std::size_t digits = 0;
  for (char c : hex) {
    if (c == ' ' || c == ':' || c == '-' || c == ',') continue;
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) return fail(std::string("ant_network_key: '") + c + "' is not a hex digit");
    if (digits == 16) return fail("ant_network_key: more than 16 hex digits (the key is 8 bytes)");
    key[digits / 2] = static_cast<std::uint8_t>(key[digits / 2] | (v << (digits % 2 ? 0 : 4)));
    ++digits;
  }
  if (digits != 16) return fail("ant_network_key: " + std::to_string(digits) + " hex digits, need 16 (8 bytes)");
  return key;
}

std::vector<std::uint8_t> HrmChannelSetup::request(std::size_t step) const {
  const std::uint8_t ch = config_.channel;
  std::vector<std::uint8_t> payload;
  switch (kSetupSteps[step].id) {
    case msg::kResetSystem: payload = {0x00}; break;
    case msg::kSetNetworkKey:
      payload = {config_.network};
      payload.insert(payload.end(), config_.network_key.begin(), config_.network_key.end());
      break;
    case msg::kAssignChannel: payload = {ch, 0x00 /* bidirectional slave: receive */, config_.network}; break;
    case msg::kChannelId:
      payload = {ch, static_cast<std::uint8_t>(config_.device_number), static_cast<std::uint8_t>(config_.device_number >> 8),
                 kHrmDeviceType, 0x00 /* any transmission type */};
      break;
    case msg::kChannelPeriod:
      payload = {ch, static_cast<std::uint8_t>(kHrmChannelPeriod), static_cast<std::uint8_t>(kHrmChannelPeriod >> 8)};
      break;
    case msg::kRfFrequency: payload = {ch, kAntPlusRfChannel}; break;
    case msg::kOpenChannel: payload = {ch}; break;
  }
  std::vector<std::uint8_t> out;
  encode_message(kSetupSteps[step].id, payload, out);
  return out;
}

std::vector<std::uint8_t> HrmChannelSetup::start() {
  step_ = 0;
  attempts_ = 1;
  status_ = Status::in_progress;
  error_.clear();
  return request(0);
}

std::vector<std::uint8_t> HrmChannelSetup::advance() {
  ++step_;
  attempts_ = 1;
  if (step_ == kSetupSteps.size()) {
    status_ = Status::ready;
    return {};
  }
  return request(step_);
}

std::vector<std::uint8_t> HrmChannelSetup::fail(std::string why) {
  status_ = Status::failed;
  error_ = std::move(why);
  return {};
}

std::vector<std::uint8_t> HrmChannelSetup::on_message(std::uint8_t id, std::span<const std::uint8_t> payload) {
  if (status_ == Status::failed) return {};
  if (id == msg::kStartup) {
    if (status_ == Status::in_progress && step_ == 0) return advance();
    // The stick reset itself (USB glitch, brown-out): its configuration is gone; redo it.
    status_ = Status::in_progress;
    step_ = kNetworkKeyStep;
    attempts_ = 1;
    return request(step_);
  }
  if (id != msg::kChannelEvent || payload.size() < 3) return {};
  if (status_ == Status::ready) {
    // The stick closed our channel (it does after a search timeout): open it again.
    if (payload[0] == config_.channel && payload[1] == kEventMarker && payload[2] == kEventChannelClosed) {
      status_ = Status::in_progress;
      step_ = kOpenStep;
      attempts_ = 1;
      return request(step_);
    }
    return {};
  }
  const SetupStep& s = kSetupSteps[step_];
  if (step_ == 0 || payload[1] != s.id) return {};
  const std::uint8_t addressee = s.id == msg::kSetNetworkKey ? config_.network : config_.channel;
  if (payload[0] != addressee) return {};
  if (payload[2] != kResponseNoError)
    return fail("ANT stick rejected '" + std::string(s.name) + "' (" + hex2(s.id) + "): response " +
                hex2(payload[2]) + " " + response_name(payload[2]));
  return advance();
}

std::vector<std::uint8_t> HrmChannelSetup::on_timeout() {
  if (status_ != Status::in_progress) return {};
  // Some sticks send no startup message after a reset; ANT asks hosts to wait 500 ms.
  if (step_ == 0) return advance();
  if (attempts_ >= kMaxAttempts)
    return fail("ANT stick did not answer '" + std::string(kSetupSteps[step_].name) + "' (" +
                hex2(kSetupSteps[step_].id) + ") after " + std::to_string(kMaxAttempts) + " tries");
  ++attempts_;
  return request(step_);
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
namespace {

using namespace ant;

class AntHrmHostSession final : public HostSession {
 public:
  explicit AntHrmHostSession(const DriverOptions& options) : setup_(HrmChannelConfig{}) {
    std::string why;
    auto key = parse_network_key(options.ant_network_key, &why);
    if (!key) {
      error_ = why;
      return;
    }
    HrmChannelConfig config;
    config.network_key = *key;
    config.device_number = options.ant_device_number;
    setup_ = HrmChannelSetup(config);
  }
  std::vector<std::uint8_t> start() override { return error_.empty() ? setup_.start() : std::vector<std::uint8_t>{}; }
  std::vector<std::uint8_t> on_control(const DecodedOutput& m) override {
    if (!error_.empty()) return {};
    return setup_.on_message(m.control_code, m.control_payload);
  }
  std::vector<std::uint8_t> on_timeout() override { return error_.empty() ? setup_.on_timeout() : std::vector<std::uint8_t>{}; }
  Status status() const override {
    if (!error_.empty()) return Status::failed;
    switch (setup_.status()) {
      case HrmChannelSetup::Status::in_progress: return Status::in_progress;
      case HrmChannelSetup::Status::ready: return Status::ready;
      case HrmChannelSetup::Status::failed: return Status::failed;
    }
    return Status::failed;
  }
  const std::string& error() const override { return error_.empty() ? setup_.error() : error_; }

 private:
  HrmChannelSetup setup_;
  std::string error_;  // configuration error: the session never starts
};

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
      return std::make_unique<AntStickSim>();
    },
    .make_host_session = [](const DriverOptions& options) -> std::unique_ptr<HostSession> {
      return std::make_unique<AntHrmHostSession>(options);
    },
};

}  // namespace plinth
