#pragma once
// What one device protocol provides (after gpsd's driver structure): a decoder step function,
// the host's open/close requests, a simulator, its own config keys, and optionally a checked
// set-up and a test that recognises a capture. Each protocol lives in one file under drivers/
// and exports one DriverDescriptor; the registry (driver_registry.hpp) lists them and sits
// above the protocols.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/driver_options.hpp"
#include "drivers/host_session.hpp"
#include "drivers/samples.hpp"
#include "drivers/stream_decoder.hpp"

namespace plinth {

// What `plinth sim` needs to speak a protocol as a device would.
class SimEncoder {
 public:
  virtual ~SimEncoder() = default;
  // Append the wire bytes of one frame (mat protocols) or one beat (heart protocols).
  virtual void encode_frame(const MatFrame&, std::vector<std::uint8_t>&) {}
  virtual void encode_heart(const HeartSample&, std::vector<std::uint8_t>&) {}
  // The host wrote `in`; append any answer (identify, acknowledgements, set-up replies).
  virtual void on_host_bytes(std::span<const std::uint8_t> in, std::vector<std::uint8_t>& out) = 0;
  // False while the host has stopped the stream (protocols with start/stop commands).
  virtual bool streaming() const { return true; }
};

struct DriverDescriptor {
  std::string_view name;     // config `driver = "..."`
  DeviceKind kind;
  std::string_view summary;  // one line for `plinth sim --list` and docs
  std::uint32_t default_baud;
  StepFunction (*make_step)(const DriverOptions&);
  // Bytes the host writes after opening the port (identify, start streaming, set-up).
  std::vector<std::uint8_t> (*open_request)(const DriverOptions&);
  // Bytes the host writes before closing (stop streaming); may be empty.
  std::vector<std::uint8_t> (*close_request)(const DriverOptions&);
  std::unique_ptr<SimEncoder> (*make_sim)(const DriverOptions&, const DeviceInfo&);
  // Set-up that must check each answer (drivers/host_session.hpp); null for most protocols.
  std::unique_ptr<HostSession> (*make_host_session)(const DriverOptions&) = nullptr;
  // Whether a capture of unknown protocol looks like this one (`plinth analyze` asks each
  // driver in table order); null for protocols that cannot be told from their bytes.
  bool (*sniff)(std::span<const std::uint8_t> capture) = nullptr;
  // The keys this protocol reads from the device's config table (drivers/driver_options.hpp).
  std::span<const DriverOptionSpec> option_specs = {};
};

}  // namespace plinth
