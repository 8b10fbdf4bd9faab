#include "tools/hub/hub_options.hpp"

#include "daemon/config/daemon_config.hpp"

namespace plinth::hub {

std::optional<std::string> hub_options_problem(const HubOptions& o) {
  if (!is_valid_name(o.name)) return "--name may contain only letters, digits, '_' and '-'";
  if (o.curve() && (o.authorized_daemons.empty() || o.authorized_clients.empty()))
    return "--key needs --daemons DIR and --clients DIR (the authorized NAME.pub files of each side)";
  if (!o.curve() && (!o.authorized_daemons.empty() || !o.authorized_clients.empty()))
    return "--daemons and --clients need --key HUB.key (the hub's own key pair)";
  if (o.curve() && o.insecure) return "--insecure contradicts --key: remove one of them";
  if (o.curve() || o.insecure) return std::nullopt;
  for (const auto* endpoint : {&o.daemons_data, &o.daemons_control, &o.consumers_data, &o.consumers_control})
    if (!is_loopback_endpoint(*endpoint))
      return *endpoint + " reaches beyond this machine: give --key, --daemons and --clients (CURVE, schemas/hub.md), "
                         "or --insecure to forward health data in the clear";
  return std::nullopt;
}

}  // namespace plinth::hub
