#include "daemon/config/daemon_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>

#include "daemon/config/pressure_config_toml.hpp"
#include "daemon/config/toml_access.hpp"
#include "daemon/security/file_modes.hpp"
#include "drivers/bluez/bluez_heart_strap.hpp"
#include "drivers/driver_registry.hpp"

namespace plinth {

bool is_loopback_endpoint(const std::string& endpoint) {
  if (endpoint.rfind("ipc://", 0) == 0 || endpoint.rfind("inproc://", 0) == 0) return true;
  if (endpoint.rfind("tcp://localhost:", 0) == 0 || endpoint.rfind("tcp://[::1]:", 0) == 0) return true;
  if (endpoint.rfind("tcp://127.", 0) != 0) return false;
  const std::size_t colon = endpoint.find(':', 6);
  const std::string host = endpoint.substr(6, colon == std::string::npos ? std::string::npos : colon - 6);
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

namespace {

std::string resolve_beside(const std::string& config_source, const std::string& path) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(config_source).parent_path() / p).lexically_normal().string();
}

// Health data leaves this machine encrypted, or where `insecure = true` says it may go in the clear.
void require_protection_beyond_loopback(const TomlAccess& t, const char* key, const std::string& endpoint,
                                        const NetworkSecurity& s, std::string_view verb, std::string_view remedy) {
  if (endpoint.empty() || is_loopback_endpoint(endpoint) || s.curve || s.insecure) return;
  t.fail(key, std::string(verb) + " beyond this machine (" + endpoint + "): " + std::string(remedy) +
                  ", or say `insecure = true` in [network] to send health data in the clear");
}

void parse_network_security(const TomlAccess& n, DaemonConfig& c) {
  NetworkSecurity& s = c.security;
  s.insecure = n.bool_or("insecure", false);
  const auto server_key = n.optional_string("curve_server_key");
  const auto clients = n.optional_string("curve_authorized_clients");
  if (server_key && !clients)
    n.fail("curve_server_key", "needs curve_authorized_clients = \"DIR\" too (the clients' .pub files)");
  if (clients && !server_key) n.fail("curve_authorized_clients", "needs curve_server_key = \"FILE.key\" too");
  s.curve = n.bool_or("curve", server_key.has_value());
  if (s.curve && !server_key)
    n.fail("curve", "curve = true needs curve_server_key and curve_authorized_clients (plinth keygen; schemas/security.md)");
  if (!s.curve && server_key) n.fail("curve", "curve = false, but curve_server_key is set: remove one of them");
  if (s.curve && s.insecure) n.fail("insecure", "insecure = true contradicts the CURVE keys: remove it");
  for (const auto& [key, endpoint] : {std::pair{"data", &c.data_endpoint}, {"control", &c.control_endpoint}})
    require_protection_beyond_loopback(n, key, *endpoint, s, "binds",
                                       "give curve_server_key and curve_authorized_clients (encryption and client keys, "
                                       "schemas/security.md)");
  if (!s.curve) return;
  if (!curve_supported()) n.fail("curve", "this libzmq was built without CURVE (libsodium)");
  s.server_key_file = resolve_beside(c.source, *server_key);
  s.authorized_clients_dir = resolve_beside(c.source, *clients);
  try {
    s.server_keys = read_secret_key_file(s.server_key_file);
  } catch (const KeyFileError& e) {
    n.fail("curve_server_key", e.what());
  }
  try {
    s.authorized_clients = read_authorized_keys(s.authorized_clients_dir).size();
  } catch (const KeyFileError& e) {
    n.fail("curve_authorized_clients", e.what());
  }
  if (s.authorized_clients == 0)
    n.fail("curve_authorized_clients", s.authorized_clients_dir +
                                           ": no .pub files, so no client could connect (plinth keygen DIR --name NAME "
                                           "on each client, then copy NAME.pub here)");
}

// The driver's own keys (its DriverOptionSpecs), as given in the device's table.
void parse_driver_options(const TomlAccess& t, std::span<const DriverOptionSpec> specs, DriverOptions& options) {
  for (const DriverOptionSpec& spec : specs) {
    if (spec.type == DriverOptionSpec::Type::integer) {
      const auto v = spec.required ? std::optional(t.required_integer(spec.key, spec.min, spec.max))
                                   : t.optional_integer(spec.key, spec.min, spec.max);
      if (v) options.values.emplace(spec.key, *v);
    } else {
      const auto v = spec.required ? std::optional(t.required_string(spec.key)) : t.optional_string(spec.key);
      if (v) options.values.emplace(spec.key, *v);
    }
  }
}

// Every driver's keys for this kind of device: a device table may hold keys of another
// driver of its kind (they are ignored), as long as it holds no key nobody knows.
void append_driver_option_keys(DeviceKind kind, std::vector<std::string_view>& keys) {
  for (const DriverDescriptor* d : all_drivers())
    if (d->kind == kind)
      for (const DriverOptionSpec& spec : d->option_specs) keys.push_back(spec.key);
  if (kind == DeviceKind::heart)
    for (const DriverOptionSpec& spec : kBluezOptions) keys.push_back(spec.key);
}

// The hub sees health data and may start sessions: a daemon that protects its own endpoints
// with CURVE talks to the hub with CURVE too, as a client holding its own key pair.
void parse_hub_link(const TomlAccess& h, DaemonConfig& c) {
  h.allow_only({"data", "control", "server_key"});
  HubLink& hub = c.hub;
  hub.data = h.string_or("data", "");
  hub.control = h.string_or("control", "");
  if (!hub.enabled()) h.fail("data", "[hub] needs data = \"tcp://HUB:7570\" and/or control = \"tcp://HUB:7571\"");
  const auto server_key = h.optional_string("server_key");
  if (server_key && !c.security.curve)
    h.fail("server_key", "needs the daemon's own key pair ([network] curve_server_key), which is its client key at the hub");
  if (c.security.curve && !server_key)
    h.fail("server_key", "this daemon uses CURVE, so the hub must too: give server_key = \"HUB.pub\" (the hub's public key)");
  for (const auto& [key, endpoint] : {std::pair{"data", &hub.data}, {"control", &hub.control}})
    require_protection_beyond_loopback(h, key, *endpoint, c.security, "connects",
                                       "configure CURVE ([network] curve_server_key, [hub] server_key; schemas/security.md)");
  if (!server_key) return;
  hub.server_key_file = resolve_beside(c.source, *server_key);
  try {
    hub.server_public_key = read_public_key_file(hub.server_key_file);
  } catch (const KeyFileError& e) {
    h.fail("server_key", e.what());
  }
}

DeviceConfig parse_device(const TomlAccess& t, DeviceKind kind, std::set<std::string>& ids) {
  DeviceConfig d;
  d.id = t.required_string("id");
  if (!is_valid_name(d.id))
    t.fail("id", "may contain only letters, digits, '_' and '-' (it becomes a topic and an HDF5 group name)");
  if (!ids.insert(d.id).second) t.fail("id", "'" + d.id + "' is used by another device");
  d.driver = t.required_string("driver");
  const DriverDescriptor* driver = find_driver(d.driver);
  if (!driver) {
    std::string known;
    for (auto* dd : all_drivers())
      if (dd->kind == kind) known += (known.empty() ? "" : ", ") + std::string(dd->name);
    t.fail("driver", "unknown driver '" + d.driver + "' (known: " + known + ")");
  }
  if (driver->kind != kind) t.fail("driver", "'" + d.driver + "' is not a driver for this kind of device");
  d.selector.port = t.string_or("port", "");
  if (auto v = t.optional_integer("usb_vid", 0, 0xFFFF)) d.selector.usb_vid = static_cast<std::uint16_t>(*v);
  if (auto v = t.optional_integer("usb_pid", 0, 0xFFFF)) d.selector.usb_pid = static_cast<std::uint16_t>(*v);
  d.selector.usb_serial = t.string_or("usb_serial", "");
  if (d.selector.port.empty() && !d.selector.usb_vid && !d.selector.usb_pid && d.selector.usb_serial.empty())
    t.fail("port", "give either port = \"/dev/...\" or usb_vid/usb_pid/usb_serial to find the device");
  d.selector.baud = static_cast<std::uint32_t>(t.integer_or("baud", driver->default_baud, 1200, 12000000));
  parse_driver_options(t, driver->option_specs, d.options);
  return d;
}

}  // namespace

DaemonConfig parse_daemon_config(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source, e.source().begin.line, "(syntax)", std::string(e.description()));
  }
  DaemonConfig c;
  c.source = source;
  c.text = std::string(text);
  TomlAccess top(root, source, "");
  top.allow_only({"subject", "station", "archive_dir", "auto_start", "network", "archive", "status", "relaxation", "mat", "heart", "hub"});
  c.subject = top.string_or("subject", c.subject);
  c.station = top.string_or("station", default_station());
  if (c.station.empty() || !is_valid_name(c.station))
    top.fail("station", "may contain only letters, digits, '_' and '-', and not be empty");
  c.archive_dir = top.string_or("archive_dir", c.archive_dir);
  c.auto_start = top.bool_or("auto_start", c.auto_start);

  if (const toml::table* net = top.optional_table("network")) {
    TomlAccess n(*net, source, "network");
    n.allow_only({"data", "control", "high_water_mark", "high_water_bytes", "insecure", "curve", "curve_server_key",
                  "curve_authorized_clients"});
    c.data_endpoint = n.string_or("data", c.data_endpoint);
    c.control_endpoint = n.string_or("control", c.control_endpoint);
    c.publish_high_water_mark = static_cast<int>(n.integer_or("high_water_mark", 1000, 1, 1000000));
    c.publish_high_water_bytes = static_cast<std::uint64_t>(
        n.integer_or("high_water_bytes", static_cast<std::int64_t>(c.publish_high_water_bytes), 0, std::int64_t{1} << 40));
    parse_network_security(n, c);
  }
  if (const toml::table* hub = top.optional_table("hub")) parse_hub_link(TomlAccess(*hub, source, "hub"), c);
  if (const toml::table* ar = top.optional_table("archive")) {
    TomlAccess a(*ar, source, "archive");
    a.allow_only({"queue_frames", "queue_bytes", "compression"});
    c.archive_queue_frames = static_cast<std::uint32_t>(a.integer_or("queue_frames", c.archive_queue_frames, 8, 1 << 20));
    c.archive_queue_bytes = static_cast<std::uint64_t>(a.integer_or("queue_bytes", static_cast<std::int64_t>(c.archive_queue_bytes), 0, std::int64_t{1} << 40));
    if (auto compression = a.optional_string("compression")) {
      if (*compression == "lz4") c.archive_frames_lz4 = true;
      else if (*compression != "deflate")
        a.fail("compression", "must be \"deflate\" (the default: every HDF5 reads it) or \"lz4\" (readers need the LZ4 plugin), not \"" + *compression + "\"");
    }
  }
  if (const toml::table* st = top.optional_table("status")) {
    TomlAccess s(*st, source, "status");
    s.allow_only({"interval_s"});
    c.status_interval_s = s.number_or("interval_s", 1.0, 0.1, 60.0);
  }

  if (const toml::table* rt = top.optional_table("relaxation")) {
    TomlAccess r(*rt, source, "relaxation");
    r.allow_only({"settle_s", "baseline_s", "interval_s", "weight_parasympathetic", "weight_stillness",
                  "current_window_s", "artifact_limit_pct", "hands_load_fraction", "hands_min_load_n",
                  "technique_timeout_s", "technique_stillness_factor"});
    RelaxationSettings& s = c.relaxation;
    s.settle_s = r.number_or("settle_s", s.settle_s, 0.0, 3600.0);
    s.baseline_s = r.number_or("baseline_s", s.baseline_s, 30.0, 1800.0);
    s.artifact_limit_pct = r.number_or("artifact_limit_pct", s.artifact_limit_pct, 0.0, 100.0);
    s.hands_load_fraction = r.number_or("hands_load_fraction", s.hands_load_fraction, 0.0, 1.0);
    s.hands_min_load_n = r.number_or("hands_min_load_n", s.hands_min_load_n, 0.0, 1000.0);
    s.technique_timeout_s = r.number_or("technique_timeout_s", s.technique_timeout_s, 0.0, 7200.0);
    s.technique_stillness_factor = r.number_or("technique_stillness_factor", s.technique_stillness_factor, 0.0, 1.0);
    s.current_window_s = r.number_or("current_window_s", s.current_window_s, 5.0, 300.0);
    s.weight_parasympathetic = r.number_or("weight_parasympathetic", s.weight_parasympathetic, 0.0, 1.0);
    s.weight_stillness = r.number_or("weight_stillness", s.weight_stillness, 0.0, 1.0);
    if (s.weight_parasympathetic + s.weight_stillness <= 0)
      r.fail("weight_stillness", "the two weights must not both be 0");
    c.relaxation_interval_s = r.number_or("interval_s", c.relaxation_interval_s, 1.0, 60.0);
  }

  std::set<std::string> ids;
  auto each_table = [&](const char* key, auto&& fn) {
    const toml::array* arr = top.optional_array(key);
    if (!arr) return;
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::table* t = (*arr)[i].as_table();
      if (!t) top.fail(key, "must be an array of tables ([[" + std::string(key) + "]])");
      fn(TomlAccess(*t, source, std::string(key) + "[" + std::to_string(i) + "]"));
    }
  };
  each_table("mat", [&](const TomlAccess& t) {
    std::vector<std::string_view> known = {"id",         "driver", "port", "usb_vid", "usb_pid", "usb_serial",
                                           "baud",       "exposure_publish_interval_s", "risk_publish_interval_s"};
    append_driver_option_keys(DeviceKind::mat, known);
    for (const auto& k : pressure_config_keys()) known.push_back(k);
    for (const auto& [key, node] : t.table())
      if (std::find(known.begin(), known.end(), key.str()) == known.end())
        throw ConfigError(source, node.source().begin.line, t.key_path(key.str()), "unknown key for a mat");
    MatConfig m;
    m.device = parse_device(t, DeviceKind::mat, ids);
    m.pressure = parse_pressure_config(t.table(), source, t.path(), &c.deprecations);
    // deprecated alias (schemas/config-reference.md)
    const std::string_view interval_key =
        t.current_or_deprecated("risk_publish_interval_s", "exposure_publish_interval_s", &c.deprecations);
    m.exposure_publish_interval_s = t.number_or(interval_key, m.exposure_publish_interval_s, 0.1, 3600.0);
    m.device.options.rows = static_cast<std::uint16_t>(m.pressure.geometry.rows);
    m.device.options.cols = static_cast<std::uint16_t>(m.pressure.geometry.cols);
    c.mats.push_back(std::move(m));
  });
  each_table("heart", [&](const TomlAccess& t) {
    std::vector<std::string_view> known = {"id", "driver", "port", "usb_vid", "usb_pid", "usb_serial", "baud"};
    append_driver_option_keys(DeviceKind::heart, known);
    known.insert(known.end(), {"correction", "hrv_window_s", "baseline_s", "spectrum"});
    t.allow_only(known);
    HeartConfig h;
    if (const auto correction = t.optional_string("correction")) {
      try {
        h.correction = parse_correction_mode(*correction);
      } catch (const std::invalid_argument& e) {
        t.fail("correction", e.what());
      }
    }
    h.hrv_window_s = t.number_or("hrv_window_s", h.hrv_window_s, 10.0, 600.0);
    if (t.table().contains("baseline_s")) {
      t.number_or("baseline_s", 0.0, 0.0, 1800.0);  // still checked, so a typo'd value is reported
      c.deprecations.push_back(source + ":" + std::to_string(t.line_of("baseline_s")) + ": " + t.key_path("baseline_s") +
                               " is ignored: one session baseline for every input is set by [relaxation] settle_s "
                               "and baseline_s (schemas/relaxation.md)");
    }
    h.spectrum = t.string_or("spectrum", h.spectrum);
    if (h.spectrum != "default" && h.spectrum != "pyhrv" && h.spectrum != "kubios")
      t.fail("spectrum", "must be \"default\", \"pyhrv\" or \"kubios\"");
    if (t.string_or("driver", "") == kBluezDriver) {
      h.device.id = t.required_string("id");
      if (!ids.insert(h.device.id).second) t.fail("id", "'" + h.device.id + "' is used by another device");
      h.device.driver = std::string(kBluezDriver);
      parse_driver_options(t, kBluezOptions, h.device.options);
      c.hearts.push_back(std::move(h));
      return;
    }
    h.device = parse_device(t, DeviceKind::heart, ids);
    c.hearts.push_back(std::move(h));
  });
  if (c.mats.empty() && c.hearts.empty())
    throw ConfigError(source, 1, "mat", "no devices configured: add a [[mat]] or [[heart]] table");
  return c;
}

DaemonConfig load_daemon_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, 0, "(file)", "cannot read the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_daemon_config(ss.str(), path);
}

std::string overlay_on_simulation(std::string_view simulation_text, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path, 0, "(file)", "cannot read the config file");
  std::stringstream file_text;
  file_text << in.rdbuf();
  toml::table merged;
  try {
    merged = toml::parse(file_text.str(), path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(path, e.source().begin.line, "(syntax)", std::string(e.description()));
  }
  for (const char* devices : {"mat", "heart"})
    if (const toml::node* n = merged.get(devices))
      throw ConfigError(path, n->source().begin.line, devices, "with --simulate the devices are the simulation's: remove it");
  for (const auto& [key, value] : toml::parse(simulation_text, std::string_view("built-in simulation config")))
    if (!merged.contains(key.str())) merged.insert(key, value);
  std::ostringstream text;
  text << "# " << path << " over plinthd --simulate's built-in devices\n" << toml::toml_formatter(merged) << "\n";
  return text.str();
}

std::vector<std::string> startup_warnings(const DaemonConfig& config) {
  std::vector<std::string> warnings;
  if (!config.security.curve) {
    const std::string_view read = "anyone on the network can read the live health data";
    const std::string_view control = "anyone on the network can control sessions";
    for (const auto& [name, endpoint, exposure] :
         {std::tuple{"data endpoint", &config.data_endpoint, read}, {"control endpoint", &config.control_endpoint, control},
          {"hub data link", &config.hub.data, read}, {"hub control link", &config.hub.control, control}})
      if (!endpoint->empty() && !is_loopback_endpoint(*endpoint))
        warnings.push_back(std::string("INSECURE: the ") + name + " " + *endpoint +
                           " is plain TCP beyond this machine (insecure = true): " + std::string(exposure) +
                           ". Configure CURVE keys instead (schemas/security.md).");
    if (config.security.insecure && warnings.empty())
      warnings.push_back("insecure = true has no effect: every endpoint is on this machine");
  }
  if (auto w = archive_directory_warning(config.archive_dir)) warnings.push_back(*w);
  warnings.insert(warnings.end(), config.deprecations.begin(), config.deprecations.end());
  return warnings;
}

bool is_valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string default_station() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "plinth";
  std::string name;
  for (const char c : std::string_view(host)) {
    if (c == '.') break;  // the short name: "room3.clinic.lan" is room3
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '-';
  }
  return name.empty() ? "plinth" : name;
}

int effective_publish_high_water_mark(const DaemonConfig& config) {
  constexpr int kMinMessages = 16;
  constexpr std::uint64_t kHeaderBytes = 256;  // header, sizes and flags of a pressure.frame message, generously
  std::uint64_t largest = kHeaderBytes;
  for (const MatConfig& mat : config.mats)
    largest = std::max<std::uint64_t>(
        largest, kHeaderBytes + std::uint64_t{mat.pressure.geometry.sensels()} * (sizeof(std::uint16_t) + sizeof(float)));
  std::uint64_t messages = static_cast<std::uint64_t>(std::max(config.publish_high_water_mark, 1));
  if (config.publish_high_water_bytes > 0)
    messages = std::min(messages, std::max<std::uint64_t>(kMinMessages, config.publish_high_water_bytes / largest));
  return static_cast<int>(messages);
}

}  // namespace plinth
