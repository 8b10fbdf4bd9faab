// plinthd: the Plinth acquisition daemon.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "daemon/allocator_tuning.hpp"
#include "daemon/config/daemon_config.hpp"
#include "daemon/daemon.hpp"
#include "daemon/simulation.hpp"
#include "plinth/version.hpp"

int main(int argc, char** argv) {
  // Named, not argv[0]: `--help` (and the man page help2man makes from it) shows no build path.
  CLI::App app{"plinthd: reads pressure mats and heart-rate straps, publishes over ZeroMQ, archives to HDF5", "plinthd"};
  app.set_version_flag("--version", plinth::version_line("plinthd"), "print the version and source revision, then exit");
  std::string config_path, check_path, archive_dir, log_level = "info";
  bool simulate = false;
  plinth::SimulationOptions sim;
  app.add_option("--config,-c", config_path, "TOML configuration file (schemas/config-reference.md)");
  app.add_option("--check-config", check_path, "validate a configuration file and exit");
  app.add_flag("--simulate", simulate, "run on built-in simulated devices (a mat and a strap on pseudo-terminals); with --config, that file's settings (station, [network], [hub], ...) apply to them");
  app.add_option("--sim-rate", sim.mat_rate_hz, "simulated mat frame rate, Hz")->check(CLI::Range(1.0, 1000.0));
  app.add_option("--sim-rows", sim.rows, "simulated mat rows")->check(CLI::Range(4, 256));
  app.add_option("--sim-cols", sim.cols, "simulated mat columns")->check(CLI::Range(4, 256));
  app.add_option("--sim-seed", sim.seed, "simulation random seed");
  app.add_option("--archive-dir", archive_dir, "override archive_dir");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::from_str(log_level));
  // A file-size limit (RLIMIT_FSIZE) must be an archive error like a full disk, not the end
  // of the daemon: with SIGXFSZ ignored the write fails with EFBIG and acquisition goes on.
  std::signal(SIGXFSZ, SIG_IGN);
  plinth::tune_allocator_for_archiving();

  try {
    if (!check_path.empty()) {
      const auto config = plinth::load_daemon_config(check_path);
      for (const auto& warning : plinth::startup_warnings(config)) spdlog::warn("{}", warning);
      std::cout << check_path << ": OK (" << config.mats.size() << " mat(s), " << config.hearts.size()
                << " heart-rate device(s), archive_dir " << config.archive_dir << ")\n";
      return 0;
    }
    std::unique_ptr<plinth::Simulation> simulation;
    plinth::DaemonConfig config;
    if (simulate) {
      simulation = std::make_unique<plinth::Simulation>(sim);
      config = config_path.empty()
                   ? plinth::parse_daemon_config(simulation->config_text(), "built-in simulation config")
                   : plinth::parse_daemon_config(plinth::overlay_on_simulation(simulation->config_text(), config_path),
                                                 config_path);
      for (const auto& path : simulation->ports()) spdlog::info("simulated device on {}", path);
    } else if (!config_path.empty()) {
      config = plinth::load_daemon_config(config_path);
    } else {
      std::cerr << "plinthd: give --config FILE or --simulate (see --help)\n";
      return 2;
    }
    if (!archive_dir.empty()) config.archive_dir = archive_dir;
    for (const auto& warning : plinth::startup_warnings(config)) spdlog::warn("{}", warning);
    plinth::Daemon daemon(std::move(config));
    return daemon.run();
  } catch (const plinth::ConfigError& e) {
    std::cerr << "plinthd: configuration error: " << e.what() << '\n';
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "plinthd: " << e.what() << '\n';
    return 1;
  }
}
