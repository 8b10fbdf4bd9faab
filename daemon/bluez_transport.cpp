#include "daemon/bluez_transport.hpp"

namespace plinth {

BluezTransport::BluezTransport(boost::asio::io_context& io, const HostClock& clock, const DriverOptions& options,
                               TransportCallbacks callbacks)
    : callbacks_(std::move(callbacks)) {
  const BluezStrapConfig config = bluez_strap_config(options);
  device_ = config.device;
  BluezStrapCallbacks cb;
  cb.on_samples = [this, &clock](const std::vector<HeartSample>& samples) {
    message_.heart_samples = samples;
    if (callbacks_.on_message) callbacks_.on_message(StepOutcome::heart_sample, message_, clock.now_unix_ns());
  };
  cb.on_state = [this](BluezStrapState s, const std::string& detail) {
    state_ = state_name(s);
    if (callbacks_.on_state) callbacks_.on_state(state_, detail);
  };
  strap_ = std::make_unique<BluezHeartStrap>(io, config, std::move(cb));
}

void BluezTransport::fill_health(DeviceHealth& health) const {
  const BluezStrapCounters c = strap_->counters();
  health.port = c.device_path;
  // One word for "data flows" across transports: status readers look for "connected".
  health.state = state_ == "streaming" ? "connected" : state_;
  health.framing_errors = c.decode_errors;
  health.reconnects = c.link_losses;
}

void BluezTransport::describe(ArchiveDeviceLayout& layout) const { layout.attributes["bluez_device"] = device_; }

}  // namespace plinth
