#pragma once
// The `plinth` tool's subcommands. Each lives in its own cmd_<name>.cpp and adds itself to
// the CLI11 app; main.cpp lists them in one table.
#include <CLI/CLI.hpp>

namespace plinth::tools {

void add_sim_command(CLI::App& app);
void add_sub_command(CLI::App& app);
void add_ctl_command(CLI::App& app);
void add_web_command(CLI::App& app);
void add_analyze_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_keygen_command(CLI::App& app);
void add_replay_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_report_command(CLI::App& app);   // tools/report
void add_history_command(CLI::App& app);
void add_repair_command(CLI::App& app);
void add_hub_command(CLI::App& app);      // tools/hub

}  // namespace plinth::tools
