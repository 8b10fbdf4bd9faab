// plinth hub: one address for every station of a clinic (schemas/hub.md).
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>

#include "daemon/security/curve_keys.hpp"
#include "tools/commands.hpp"
#include "tools/hub/hub.hpp"

namespace plinth::tools {
namespace {

std::atomic<bool> stop_requested{false};

// As the daemon does at start-up: a directory without keys would refuse everyone in silence.
void check_authorized_directory(const std::string& option, const std::string& dir) {
  std::size_t keys = 0;
  try {
    keys = read_authorized_keys(dir).size();
  } catch (const KeyFileError& e) {
    throw CLI::ValidationError("plinth hub " + option, e.what());
  }
  if (keys == 0)
    throw CLI::ValidationError("plinth hub " + option, dir + ": no .pub files, so nobody could connect (plinth keygen)");
}

void run_hub(const hub::HubOptions& options) {
  if (auto problem = hub::hub_options_problem(options)) throw CLI::ValidationError("plinth hub", *problem);
  if (options.curve()) {
    check_authorized_directory("--daemons", options.authorized_daemons);
    check_authorized_directory("--clients", options.authorized_clients);
  }
  hub::Hub server(options);
  std::signal(SIGINT, [](int) { stop_requested = true; });
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  spdlog::info("hub {}: daemons' data on {}, their control on {}; consumers' data on {}, control on {}{}", options.name,
               options.daemons_data, options.daemons_control, options.consumers_data, options.consumers_control,
               options.curve() ? " (CURVE)" : "");
  server.run(stop_requested);
  spdlog::info("hub {}: stopped", options.name);
}

}  // namespace

void add_hub_command(CLI::App& app) {
  auto o = std::make_shared<hub::HubOptions>();
  auto* cmd = app.add_subcommand(
      "hub", "Forward every station's stream from one address and route control requests by station (schemas/hub.md)");
  cmd->add_option("--name", o->name, "the hub's name in hub.status")->capture_default_str();
  cmd->add_option("--daemons-data", o->daemons_data, "XSUB the daemons' [hub] data connects to")->capture_default_str();
  cmd->add_option("--daemons-control", o->daemons_control, "ROUTER the daemons' [hub] control connects to")
      ->capture_default_str();
  cmd->add_option("--data,-d", o->consumers_data, "XPUB for subscribers (plinth sub, web, Python)")->capture_default_str();
  cmd->add_option("--control,-c", o->consumers_control, "ROUTER for control clients (plinth ctl --station)")
      ->capture_default_str();
  cmd->add_option("--key", o->key_file, "the hub's key file NAME.key (plinth keygen): every endpoint uses CURVE");
  cmd->add_option("--daemons", o->authorized_daemons, "directory of the daemons' NAME.pub files (with --key)");
  cmd->add_option("--clients", o->authorized_clients, "directory of the consumers' NAME.pub files (with --key)");
  cmd->add_flag("--insecure", o->insecure, "allow plain TCP beyond loopback");
  cmd->add_option("--status-interval", o->status_interval_s, "seconds between hub.status messages")
      ->check(CLI::Range(0.1, 60.0))
      ->capture_default_str();
  cmd->add_option("--high-water-mark", o->high_water_mark, "messages queued per subscriber before dropping")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->callback([o] { run_hub(*o); });
}

}  // namespace plinth::tools
