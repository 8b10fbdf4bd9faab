#include "daemon/device_channel.hpp"

#include <limits>

#include "daemon/session_outlet.hpp"

namespace plinth {

void DeviceChannel::connect(boost::asio::io_context& io, const HostClock& clock, const DeviceConfig& device) {
  TransportCallbacks callbacks;
  callbacks.on_message = [this](StepOutcome o, const DecodedOutput& out, std::int64_t t) { on_message(o, out, t); };
  callbacks.on_state = [this](std::string_view state, const std::string& detail) {
    outlet_.event("device." + std::string(state), id(), std::numeric_limits<double>::quiet_NaN(), detail, id());
  };
  transport_ = make_transport(io, clock, device, std::move(callbacks));
}

}  // namespace plinth
