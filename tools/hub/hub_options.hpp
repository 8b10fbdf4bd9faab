#pragma once
// `plinth hub`'s settings (schemas/hub.md): four endpoints, CURVE keys, the status period.
#include <optional>
#include <string>

namespace plinth::hub {

struct HubOptions {
  std::string name = "hub";                                // Header.station of hub.status
  std::string daemons_data = "tcp://127.0.0.1:7570";       // XSUB: the daemons' PUB sockets connect here
  std::string daemons_control = "tcp://127.0.0.1:7571";    // ROUTER: the daemons' DEALER sockets connect here
  std::string consumers_data = "tcp://127.0.0.1:7560";     // XPUB: subscribers connect here
  std::string consumers_control = "tcp://127.0.0.1:7561";  // ROUTER: `plinth ctl --station` connects here
  std::string key_file;            // the hub's NAME.key: all four endpoints become CURVE servers
  std::string authorized_daemons;  // the daemons' NAME.pub files (the keys of their [network] curve_server_key)
  std::string authorized_clients;  // the consumers' and control clients' NAME.pub files
  bool insecure = false;           // plain TCP beyond loopback
  double status_interval_s = 1.0;
  int high_water_mark = 1000;      // messages queued per subscriber before the hub drops for that subscriber
  bool curve() const { return !key_file.empty(); }
};

// A sentence naming the option that is wrong, or nullopt.
std::optional<std::string> hub_options_problem(const HubOptions& options);

}  // namespace plinth::hub
