#pragma once
// plinthd's state and its parts (Daemon::Impl), shared by the files that implement it:
// daemon.cpp (devices, sessions' events, relaxation, signals, run), daemon_status.cpp (health,
// the status topic and /status) and daemon_control.cpp (the control requests and their
// replies). Internal: only those three include it.
#include "daemon/daemon.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <zmq.hpp>

#include "daemon/archive/archive_writer.hpp"
#include "daemon/archive/session_file.hpp"
#include "daemon/control_server.hpp"
#include "daemon/heart_channel.hpp"
#include "daemon/hrv/hrv_metrics.hpp"
#include "daemon/pressure/pressure_pipeline.hpp"
#include "daemon/relaxation/relaxation.hpp"
#include "daemon/mat_channel.hpp"
#include "daemon/session_outlet.hpp"
#include "daemon/messages.hpp"
#include "daemon/publisher.hpp"
#include "daemon/security/systemd_notify.hpp"
#include "daemon/security/zap_authenticator.hpp"
#include "daemon/topics.hpp"
#include "plinth/version.hpp"

namespace plinth {

namespace asio = boost::asio;
using json = nlohmann::json;

struct Daemon::Impl final : SessionOutlet {
  explicit Impl(DaemonConfig c)
      : config(std::move(c)),
        zap_(config.security.curve
                 ? std::make_unique<ZapAuthenticator>(zmq_context, config.security.authorized_clients_dir)
                 : nullptr),
        publisher_(zmq_context, PublisherOptions{config.data_endpoint, effective_publish_high_water_mark(config),
                                                 config.security.server_keys.secret_key}),
        status_timer(io),
        relaxation_timer(io),
        signals(io, SIGINT, SIGTERM, SIGHUP),
        relaxation(config.relaxation) {
    if (!config.hub.data.empty())
      publisher_.connect(config.hub.data, config.security.server_keys, config.hub.server_public_key);
    if (zmq_threads_refused_ != 0)
      spdlog::warn("ZeroMQ's threads cannot run as SCHED_BATCH ({}): waking them may delay frames; a systemd "
                   "unit must allow sched_setscheduler (see tools/systemd/plinthd.service)",
                   std::strerror(zmq_threads_refused_));
  }

  DaemonConfig config;
  asio::io_context io;
  HostClock clock;
  zmq::context_t zmq_context;
  int zmq_threads_refused_ = start_bulk_io_threads(zmq_context);  // before any socket (zap_, publisher_)
  std::unique_ptr<ZapAuthenticator> zap_;  // before the sockets: it answers their first CURVE handshake
  SystemdNotifier notifier{io};
  Publisher publisher_;
  std::unique_ptr<ControlServer> control;
  std::vector<std::unique_ptr<MatChannel>> mats;
  std::vector<std::unique_ptr<HeartChannel>> hearts;
  std::vector<DeviceChannel*> channels;  // every channel above, in archive order (mats, then hearts)
  asio::steady_timer status_timer;
  asio::steady_timer relaxation_timer;
  asio::signal_set signals;
  RelaxationTracker relaxation;
  // The mats' stage latencies as of the last status (StageLatency; control `status` repeats them).
  std::vector<StageLatencySummary> latency_;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::unique_ptr<ArchiveWriter> archive_;
  std::string session_id_;
  std::string subject;
  std::string last_archive_error;

  // SessionOutlet, for the device channels.
  const std::string& session_id() const override { return session_id_; }
  const std::string& station() const override { return config.station; }
  Publisher& publisher() override { return publisher_; }
  ArchiveWriter* archive() override { return archive_.get(); }
  void event(std::string_view kind, std::string_view label, double value, std::string_view detail,
             std::string_view device_id) override {
    publish_event(kind, label, value, detail, device_id);
  }

  void setup_devices();
  void publish_event(std::string_view kind, std::string_view label, double value, std::string_view detail,
                     std::string_view device_id = {});
  void publish_status();
  void schedule_status();
  void publish_relaxation();
  void schedule_relaxation();
  ArchiveStatusLayout status_layout() const;
  void fill_status_record(const DaemonHealth& d, std::int64_t now, archived::Status& r) const;
  json start_session(std::optional<std::string> subject_override);
  json stop_session();
  std::string handle_control(const ControlRequest& request);
  void shutdown();
  void wait_for_signals();
  DaemonHealth health() const;
};

}  // namespace plinth
