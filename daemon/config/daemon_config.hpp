#pragma once
// plinthd's configuration (schemas/config-reference.md): parsed and validated completely
// before anything starts, so the daemon never runs half-configured.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/pressure/pressure_config.hpp"
#include "daemon/config/config_error.hpp"
#include "daemon/hrv/artifact_corrector.hpp"
#include "daemon/relaxation/relaxation.hpp"
#include "daemon/security/curve_keys.hpp"
#include "drivers/driver_registry.hpp"
#include "drivers/serial_port.hpp"

namespace plinth {

struct DeviceConfig {
  std::string id;              // topic suffix and archive group name
  std::string driver;          // a name from the driver table (plinth sim --list)
  SerialSelector selector;     // port or USB ids
  DriverOptions options;       // geometry (mats) and the driver's own keys
};

struct MatConfig {
  DeviceConfig device;
  PressureConfig pressure;
  double exposure_publish_interval_s = 5.0;  // pressure.exposure.<id> and /pressure/<id>/exposure_*, by frame time
};

struct HeartConfig {
  DeviceConfig device;
  CorrectionMode correction = CorrectionMode::lipponen;  // schemas/hrv.md §3
  double hrv_window_s = 60.0;
  std::string spectrum = "default";     // default | pyhrv | kubios: FrequencySettings preset (schemas/hrv.md section 5)
};

// [network] encryption and authentication (schemas/security.md). CURVE is on when the keys
// are configured; without it only loopback endpoints are allowed unless `insecure = true`.
struct NetworkSecurity {
  bool curve = false;
  bool insecure = false;
  std::string server_key_file;         // relative paths are resolved against the config file's directory
  std::string authorized_clients_dir;
  CurveKeyPair server_keys;            // read and checked while the config is parsed
  std::size_t authorized_clients = 0;  // .pub files found then (the daemon re-reads the directory)
};

// [hub]: where this station joins a clinic's hub (schemas/hub.md). Both empty: no hub.
struct HubLink {
  std::string data;                // the hub's daemon-facing XSUB; the data PUB socket also connects there
  std::string control;             // the hub's daemon-facing ROUTER; a DEALER (routing id = station) connects there
  std::string server_key_file;     // the hub's NAME.pub, required when the daemon runs CURVE
  std::string server_public_key;   // Z85, read while the config is parsed; the daemon's own key pair is the client key
  bool enabled() const { return !data.empty() || !control.empty(); }
};

struct DaemonConfig {
  std::string source;          // file name (or "built-in" for --simulate)
  std::string text;            // the TOML as read; archived as the effective config
  std::string subject = "anonymous";
  // This treatment table's name, on every message's header, in the archive and in status: tells
  // tables apart behind a hub (schemas/hub.md). Default: the host name.
  std::string station;
  std::string archive_dir = "./sessions";
  bool auto_start = true;      // start a session when the daemon starts
  std::string data_endpoint = "tcp://127.0.0.1:7460";
  std::string control_endpoint = "tcp://127.0.0.1:7461";
  int publish_high_water_mark = 1000;
  std::uint64_t publish_high_water_bytes = 16u << 20;  // per subscriber (0: only the message count counts)
  NetworkSecurity security;
  HubLink hub;
  std::uint32_t archive_queue_frames = 1024;
  std::uint64_t archive_queue_bytes = 4u << 20;  // the queue's memory at most (0: only queue_frames counts)
  bool archive_frames_lz4 = false;               // archive.compression = "lz4"
  double status_interval_s = 1.0;
  RelaxationSettings relaxation;
  double relaxation_interval_s = 5.0;
  std::vector<MatConfig> mats;
  std::vector<HeartConfig> hearts;
  std::vector<std::string> deprecations;  // "file:line: key is deprecated, use ..." per old key given
};

// A station or device id: letters, digits, '_' and '-' (it becomes part of names and groups).
bool is_valid_name(std::string_view name);
// Conservative: anything not plainly this machine (an interface name, a host name, 0.0.0.0,
// "*") counts as reaching beyond it (schemas/security.md §Loopback by default).
bool is_loopback_endpoint(const std::string& endpoint);
// The host name made a valid station name ("plinth" if there is none).
std::string default_station();

// Throws ConfigError (file, line, key) for anything wrong, including unknown keys.
DaemonConfig parse_daemon_config(std::string_view toml_text, const std::string& source);
DaemonConfig load_daemon_config(const std::string& path);

// The ZeroMQ send high-water mark, in messages, that keeps a subscriber's queue within
// publish_high_water_bytes when it is all frames of the largest mat (raw values and pressures),
// and within publish_high_water_mark messages; the byte limit never lowers it below 16.
int effective_publish_high_water_mark(const DaemonConfig& config);

// `plinthd --simulate --config FILE`: FILE's settings (station, [network], [hub], ...) over the
// simulation's own text, whose devices stay; FILE must not list devices. Returns TOML text;
// throws ConfigError naming FILE.
std::string overlay_on_simulation(std::string_view simulation_text, const std::string& path);

// Warnings for the start-up log (and --check-config): plain TCP beyond loopback under
// `insecure = true`, an archive directory others can enter, deprecated keys.
std::vector<std::string> startup_warnings(const DaemonConfig& config);

}  // namespace plinth
