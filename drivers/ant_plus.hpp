#pragma once
// "ant-hrm": an ANT USB stick (serial message protocol) receiving an ANT+ heart-rate strap,
// schemas/heart-protocols.md section 3. Everything here is pure: framing, the page-to-RR
// tracker, the channel set-up state machine and the encoders the simulator uses.
#include <array>
#include <memory>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth::ant {

inline constexpr std::uint8_t kSync = 0xA4;
inline constexpr std::size_t kMaxPayload = 40;  // longest message an ANT USB stick sends

namespace msg {
inline constexpr std::uint8_t kChannelEvent = 0x40;  // channel response or channel event
inline constexpr std::uint8_t kAssignChannel = 0x42;
inline constexpr std::uint8_t kChannelPeriod = 0x43;
inline constexpr std::uint8_t kRfFrequency = 0x45;
inline constexpr std::uint8_t kSetNetworkKey = 0x46;
inline constexpr std::uint8_t kResetSystem = 0x4A;
inline constexpr std::uint8_t kOpenChannel = 0x4B;
inline constexpr std::uint8_t kCloseChannel = 0x4C;
inline constexpr std::uint8_t kBroadcastData = 0x4E;
inline constexpr std::uint8_t kAcknowledgedData = 0x4F;
inline constexpr std::uint8_t kChannelId = 0x51;
inline constexpr std::uint8_t kStartup = 0x6F;
}  // namespace msg

// In a 0x40 message, byte 1 == kEventMarker means "channel event", else it names the
// request being answered.
inline constexpr std::uint8_t kEventMarker = 0x01;
inline constexpr std::uint8_t kResponseNoError = 0x00;
inline constexpr std::uint8_t kEventRxSearchTimeout = 0x01;
inline constexpr std::uint8_t kEventRxFail = 0x02;
inline constexpr std::uint8_t kEventChannelClosed = 0x07;
inline constexpr std::uint8_t kEventRxFailGoToSearch = 0x08;
inline constexpr std::uint8_t kChannelInWrongState = 0x15;
inline constexpr std::uint8_t kInvalidMessage = 0x28;

// ANT+ heart-rate monitor profile constants.
inline constexpr std::uint8_t kHrmDeviceType = 120;
inline constexpr std::uint16_t kHrmChannelPeriod = 8070;  // 32768/8070 = 4.06 Hz
inline constexpr std::uint8_t kAntPlusRfChannel = 57;     // 2457 MHz

std::uint8_t checksum(std::span<const std::uint8_t> bytes);  // XOR of all bytes
// Append A4, length, id, payload, checksum.
void encode_message(std::uint8_t id, std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out);

// One framed message, pointing into the step's input.
struct Message {
  std::uint8_t id = 0;
  std::span<const std::uint8_t> payload;
};
// Framing only: a `control` outcome fills `message`; skips garbage before A4, and one byte
// on a bad length or checksum so that the next A4 is found (resync).
StepResult frame_step(std::span<const std::uint8_t> in, Message& message);

// Heart-rate data pages (8 bytes) to RR intervals. Repeated pages are dropped; beats that
// were not received are counted in HeartSample::missing_beats, never invented.
class HrmPageTracker {
 public:
  // True when `page` reports a new beat whose RR interval is known; `sample` is then set.
  bool on_page(std::span<const std::uint8_t, 8> page, HeartSample& sample);
  // The channel lost the strap (search timeout, closed, stick reset): start afresh.
  void reset();

  std::uint64_t repeats() const { return repeats_; }
  std::uint64_t anomalies() const { return anomalies_; }  // pages inconsistent with the last

 private:
  bool have_beat_ = false;
  std::uint8_t count_ = 0;
  std::uint16_t time_ = 0;
  std::uint64_t sensor_time_ = 0;  // beat time unwrapped past 16 bits (while the channel holds)
  std::uint32_t pending_missing_ = 0;
  std::optional<std::uint8_t> last_toggle_;
  bool toggle_seen_ = false;  // page numbers are meaningful only once the toggle bit moved
  std::uint64_t repeats_ = 0;
  std::uint64_t anomalies_ = 0;
};

struct DecoderState {
  std::uint8_t channel = 0;
  HrmPageTracker tracker;
};

// The decoder step: broadcast pages on `state.channel` become heart samples; every other
// message (responses, events, repeats) is a `control` outcome with control_code = message
// id and control_payload = its payload.
StepResult step(std::span<const std::uint8_t> in, DecodedOutput& out, DecoderState& state);

// The driver's config keys (DriverOptions): the network key, which the project never ships,
// and the strap to pair with.
inline constexpr std::string_view kNetworkKeyOption = "ant_network_key";      // 16 hex digits
inline constexpr std::string_view kDeviceNumberOption = "ant_device_number";  // 0 = any strap

// "00 11 22 ..." / "0011:22.." / "001122..." -> 8 bytes. Error text names the config key.
std::optional<std::array<std::uint8_t, 8>> parse_network_key(std::string_view hex, std::string* error);

struct HrmChannelConfig {
  std::array<std::uint8_t, 8> network_key{};
  std::uint16_t device_number = 0;  // 0 = any strap
  std::uint8_t channel = 0;
  std::uint8_t network = 0;
};

// The host's side of the set-up: reset, network key, assign (receive), channel id,
// period, RF frequency, open; each answer checked before the next request.
class HrmChannelSetup {
 public:
  enum class Status { in_progress, ready, failed };
  static constexpr int kMaxAttempts = 3;

  explicit HrmChannelSetup(const HrmChannelConfig& config) : config_(config) {}
  std::vector<std::uint8_t> start();
  std::vector<std::uint8_t> on_message(std::uint8_t id, std::span<const std::uint8_t> payload);
  std::vector<std::uint8_t> on_timeout();
  Status status() const { return status_; }
  const std::string& error() const { return error_; }
  std::size_t step_index() const { return step_; }

 private:
  std::vector<std::uint8_t> request(std::size_t step) const;
  std::vector<std::uint8_t> advance();
  std::vector<std::uint8_t> fail(std::string why);

  HrmChannelConfig config_;
  std::size_t step_ = 0;
  int attempts_ = 0;
  Status status_ = Status::in_progress;
  std::string error_;
};

// Encoders for the simulated stick.
void encode_broadcast(std::uint8_t channel, std::span<const std::uint8_t, 8> page, std::vector<std::uint8_t>& out);
void encode_channel_response(std::uint8_t channel, std::uint8_t request_id, std::uint8_t code,
                             std::vector<std::uint8_t>& out);

// The driver's two faces beyond decoding (ant_channel_setup.cpp, ant_stick_sim.cpp): the checked
// set-up conversation with a real stick, and a stick with a strap in range for `plinth sim`.
std::unique_ptr<HostSession> make_host_session(const DriverOptions& options);
std::unique_ptr<SimEncoder> make_stick_sim();

}  // namespace plinth::ant

namespace plinth {
extern const DriverDescriptor ant_hrm_driver;
}
