#include "daemon/daemon.hpp"

#include "daemon/daemon_impl.hpp"

namespace plinth {

void Daemon::Impl::setup_devices() {
  std::uint32_t index = 0;
  for (const MatConfig& mc : config.mats) mats.push_back(std::make_unique<MatChannel>(io, clock, mc, *this, index++));
  for (const HeartConfig& hc : config.hearts)
    hearts.push_back(std::make_unique<HeartChannel>(io, clock, hc, *this, index++));
  for (const auto& ch : mats) channels.push_back(ch.get());
  for (const auto& ch : hearts) channels.push_back(ch.get());
  // The relaxation readout watches stillness on the first mat and HRV on the first strap.
  if (!mats.empty())
    mats.front()->set_observer([this](const PressureResult& r) {
      if (!r.suspect)
        relaxation.on_pressure(StillnessSample{r.host_time_ns, r.occupied, r.frame.total_load_n, r.step_dt_s,
                                               r.step_movement, r.step_cop_cm});
    });
  if (!hearts.empty())
    hearts.front()->set_observer([this](const HrvMetrics& m) { relaxation.on_hrv(clock.now_unix_ns(), m); });
}

void Daemon::Impl::publish_relaxation() {
  const std::int64_t now = clock.now_unix_ns();
  // The automatic baseline (after the settling time on the table) becomes every strap's too.
  if (const auto segment = relaxation.take_completed_baseline(now)) {
    for (auto& ch : hearts) {
      try {
        ch->set_baseline(segment->first, segment->second);
      } catch (const std::exception& e) {
        spdlog::warn("{}: automatic baseline not set: {}", ch->id(), e.what());
      }
    }
    publish_event("baseline", "automatic", static_cast<double>(segment->second - segment->first) / 1e9,
                  "the baseline after settling on the table");
  }
  const RelaxationReading r = relaxation.reading(now);
  publish<archived::Relaxation>(
      topics::relaxation, {.host_time_ns = now},
      [&](const MessageHeader& h, PayloadOut buffer) { encode_relaxation(h, r, buffer); },
      [&](archived::Relaxation& record) {
        record.time_ns = now;
        RelaxationTracker::flatten(r, record.values);
      });
}

void Daemon::Impl::schedule_relaxation() {
  relaxation_timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(config.relaxation_interval_s)));
  relaxation_timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (!session_id_.empty()) publish_relaxation();
    schedule_relaxation();
  });
}

void Daemon::Impl::publish_event(std::string_view kind, std::string_view label, double value,
                                 std::string_view detail, std::string_view device_id) {
  const std::int64_t now = clock.now_unix_ns();
  publish<archived::Event>(
      topics::session_event, {.host_time_ns = now, .device_id = device_id},
      [&](const MessageHeader& h, PayloadOut buffer) { encode_session_event(h, {kind, label, value, detail}, buffer); },
      [&](archived::Event& r) {
        r.time_ns = now;
        r.kind.assign(kind);
        r.label.assign(label);
        r.value = value;
        r.detail.assign(detail);
      });
}

void Daemon::Impl::shutdown() {
  spdlog::info("shutting down");
  notifier.stopping();
  status_timer.cancel();
  relaxation_timer.cancel();
  signals.cancel();
  for (DeviceChannel* device : channels) device->stop();
  if (!session_id_.empty()) stop_session();
  io.stop();
}

void Daemon::Impl::wait_for_signals() {
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal != SIGHUP) {
      shutdown();
      return;
    }
    spdlog::info("SIGHUP: reopening devices");
    for (DeviceChannel* device : channels) device->reopen();
    wait_for_signals();
  });
}

namespace {

std::optional<ControlServer::HubControl> hub_control(const DaemonConfig& config) {
  if (config.hub.control.empty()) return std::nullopt;
  return ControlServer::HubControl{config.hub.control, config.station, config.security.server_keys,
                                   config.hub.server_public_key};
}

}  // namespace

Daemon::Daemon(DaemonConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Daemon::~Daemon() = default;

int Daemon::run() {
  Impl& d = *impl_;
  d.setup_devices();
  // The session starts before the devices: a port opened with bytes already waiting completes
  // its first read before anything posted later, and those frames would fall outside it.
  if (d.config.auto_start) {
    try {
      d.start_session(std::nullopt);
    } catch (const std::exception& e) {
      spdlog::error("cannot start a session: {}", e.what());
    }
  }
  for (DeviceChannel* device : d.channels) device->start();
  // The control thread hands each request to the loop and waits a bounded time for it.
  d.control = std::make_unique<ControlServer>(d.zmq_context, d.config.control_endpoint,
                                              [&d](const ControlRequest& request) {
                                                std::packaged_task<std::string()> task(
                                                    [&d, request] { return d.handle_control(request); });
                                                auto result = task.get_future();
                                                asio::post(d.io, std::move(task));
                                                if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready)
                                                  return control_error_reply("daemon did not answer within 5 s");
                                                try {
                                                  return result.get();
                                                } catch (const std::exception& e) {
                                                  return control_error_reply(e.what());
                                                }
                                              },
                                              d.config.security.server_keys.secret_key, hub_control(d.config));
  d.wait_for_signals();
  d.schedule_status();
  d.schedule_relaxation();
  d.notifier.start([&d] {
    const DaemonHealth h = d.health();
    std::size_t connected = 0;
    for (const auto& dev : h.devices) connected += dev.state == "connected";
    return h.state + (d.session_id_.empty() ? "" : " " + d.session_id_) + ", " + std::to_string(connected) + "/" +
           std::to_string(h.devices.size()) + " devices connected";
  });
  spdlog::info("plinthd {}: data on {}, control on {}", kSoftwareVersion, d.config.data_endpoint,
               d.config.control_endpoint);
  if (d.config.hub.enabled())
    spdlog::info("station {} joins the hub: data to {}, control from {}", d.config.station,
                 d.config.hub.data.empty() ? "-" : d.config.hub.data,
                 d.config.hub.control.empty() ? "-" : d.config.hub.control);
  d.io.run();
  d.control->stop();
  return 0;
}

}  // namespace plinth
