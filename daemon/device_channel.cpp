#include "daemon/device_channel.hpp"

#include <limits>

#include "daemon/archive/archive_record.hpp"
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

void DeviceChannel::archive_clock(std::int64_t arrival_ns, const ClockEstimate& clock) {
  if (clock.restart == ClockRestart::none && arrival_ns < clock_row_due_ns_) return;
  clock_row_due_ns_ = arrival_ns + 1'000'000'000;
  outlet_.archive_record<archived::Clock>([&](archived::Clock& r) {
    r.device = archive_index_;
    r.time_ns = arrival_ns;
    r.timeline_ns = clock.host_ns;
    r.offset_ns = clock.offset_ns;
    r.drift_ppm = clock.drift_ppm;
    r.residual_ns = clock.residual_ns;
    r.points = clock.points;
    r.segment = clock.segment;
    r.settled = clock.settled ? 1 : 0;
    r.restart = static_cast<std::uint32_t>(clock.restart);
  });
}

}  // namespace plinth
