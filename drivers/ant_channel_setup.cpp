#include "drivers/ant_plus.hpp"

#include <cstdio>

// The ANT USB stick's channel set-up for an ANT+ heart-rate strap: the network key, the checked
// request/response state machine (HrmChannelSetup) and its HostSession face for the daemon.
namespace plinth::ant {
namespace {

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

class AntHrmHostSession final : public HostSession {
 public:
  explicit AntHrmHostSession(const DriverOptions& options) : setup_(HrmChannelConfig{}) {
    std::string why;
    auto key = parse_network_key(options.text_or(kNetworkKeyOption, ""), &why);
    if (!key) {
      error_ = why;
      return;
    }
    HrmChannelConfig config;
    config.network_key = *key;
    config.device_number = static_cast<std::uint16_t>(options.integer_or(kDeviceNumberOption, 0));  // 0: any strap
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

}  // namespace

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

std::unique_ptr<HostSession> make_host_session(const DriverOptions& options) {
  return std::make_unique<AntHrmHostSession>(options);
}

}  // namespace plinth::ant
