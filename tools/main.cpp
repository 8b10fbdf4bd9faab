// plinth: the command-line tool (simulate devices, subscribe, control the daemon, ...).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "plinth/version.hpp"
#include "tools/cmd_hrv.hpp"
#include "tools/commands.hpp"

int main(int argc, char** argv) {
  // stdout carries data (sub, export, report --json -, history --csv -); messages go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("plinth"));
  // Named, not argv[0]: `--help` (and the man page help2man makes from it) shows no build path.
  CLI::App app{"plinth: tools for the Plinth pressure-mat and heart-rate acquisition service", "plinth"};
  app.set_version_flag("--version", plinth::version_line("plinth"), "print the version and source revision, then exit");
  app.require_subcommand(1);
  for (auto add : {&plinth::tools::add_sim_command, &plinth::tools::add_sub_command,
                   &plinth::tools::add_ctl_command, &plinth::tools::add_analyze_command,
                   &plinth::tools::add_calibrate_command, &plinth::tools::add_keygen_command, &plinth::add_hrv_command,
                   &plinth::tools::add_replay_command, &plinth::tools::add_inspect_command, &plinth::tools::add_export_command, &plinth::tools::add_web_command,
                   &plinth::tools::add_report_command, &plinth::tools::add_repair_command,
                   &plinth::tools::add_history_command, &plinth::tools::add_hub_command})
    add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  return 0;
}
