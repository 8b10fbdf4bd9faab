#pragma once
// A BlueZ heart-rate strap as a DeviceTransport: each notification's beats become one
// heart_sample message stamped on arrival.
#include <memory>
#include <string>

#include "daemon/device_transport.hpp"
#include "drivers/bluez/bluez_heart_strap.hpp"

namespace plinth {

class BluezTransport final : public DeviceTransport {
 public:
  BluezTransport(boost::asio::io_context& io, const HostClock& clock, const DriverOptions& options,
                 TransportCallbacks callbacks);

  void start() override { strap_->start(); }
  void stop() override { strap_->stop(); }
  void reopen() override {}  // the strap reconnects on its own; there is no port to reopen
  void fill_health(DeviceHealth& health) const override;
  void describe(ArchiveDeviceLayout& layout) const override;

 private:
  std::string device_;  // as configured: an address or a name prefix
  TransportCallbacks callbacks_;
  std::string state_ = "searching";
  DecodedOutput message_;  // reused for every notification
  std::unique_ptr<BluezHeartStrap> strap_;
};

}  // namespace plinth
