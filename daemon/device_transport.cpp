#include "daemon/device_transport.hpp"

#include "daemon/bluez_transport.hpp"
#include "daemon/device_link.hpp"

namespace plinth {

std::shared_ptr<DeviceTransport> make_transport(boost::asio::io_context& io, const HostClock& clock,
                                                const DeviceConfig& device, TransportCallbacks callbacks) {
  if (device.driver == kBluezDriver)
    return std::make_shared<BluezTransport>(io, clock, device.options, std::move(callbacks));
  return std::make_shared<DeviceLink>(
      io, clock, DeviceLinkConfig{device.id, find_driver(device.driver), device.options, device.selector},
      std::move(callbacks));
}

}  // namespace plinth
