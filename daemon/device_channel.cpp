#include "daemon/device_channel.hpp"

#include <limits>

#include "daemon/session_outlet.hpp"

namespace plinth {

void DeviceChannel::report_link_state(std::string_view state, const std::string& detail) {
  outlet_.event("device." + std::string(state), id(), std::numeric_limits<double>::quiet_NaN(), detail, id());
}

}  // namespace plinth
