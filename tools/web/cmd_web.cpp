// plinth web: the therapist's dashboard (tools/web/web_server.hpp).
#include <memory>
#include <sstream>

#include "tools/commands.hpp"
#include "tools/web/web_server.hpp"

namespace plinth::tools {
namespace {

std::vector<std::string> split_techniques(const std::string& list) {
  std::vector<std::string> names;
  std::stringstream stream(list);
  for (std::string item; std::getline(stream, item, ',');) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    const auto last = item.find_last_not_of(" \t");
    names.push_back(item.substr(first, last - first + 1));
  }
  return names;
}

}  // namespace

void add_web_command(CLI::App& app) {
  auto options = std::make_shared<web::WebOptions>();
  auto techniques = std::make_shared<std::string>();
  for (const auto& t : options->techniques) *techniques += (techniques->empty() ? "" : ",") + t;
  auto* cmd = app.add_subcommand("web", "Serve the therapist's dashboard (live pressure map, heart rate, relaxation, markers) and the clinic overview (/clinic)");
  cmd->add_option("--data,-d", options->data_endpoints,
                  "data endpoint(s) to subscribe to: a daemon, a replay, a plinth hub; several daemons as a,b or "
                  "repeated (stations are told apart by their header)")
      ->delimiter(',')
      ->capture_default_str();
  cmd->add_option("--control,-c", options->control_endpoint, "daemon control endpoint for markers and pain scores")
      ->capture_default_str();
  cmd->add_option("--listen,-l", options->listen, "HTTP host:port (port 0 picks a free one)")->capture_default_str();
  cmd->add_option("--archives", options->archive_dir,
                  "session summaries read archives only from this directory (default: where the daemon says)");
  cmd->add_option("--techniques", *techniques, "comma-separated technique names for the marker buttons")
      ->capture_default_str();
  cmd->callback([options, techniques] {
    options->techniques = split_techniques(*techniques);
    for (const auto& t : options->techniques)
      if (t.size() > 200) throw CLI::ValidationError("--techniques", "a technique name is longer than 200 bytes");
    if (int rc = web::run_web(*options)) throw CLI::RuntimeError(rc);
  });
}

}  // namespace plinth::tools
