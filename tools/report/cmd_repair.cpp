// plinth repair FILE [-o OUT]: a clean, closed copy of a session that did not end cleanly.
#include <iostream>
#include <memory>

#include "daemon/archive/session_file.hpp"
#include "tools/commands.hpp"
#include "tools/report/archive_repair.hpp"

namespace plinth::tools {

void add_repair_command(CLI::App& app) {
  auto file = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("repair", "Write a clean, closed copy of a session whose daemon was killed (the original is not touched)");
  cmd->add_option("file", *file, "session archive (.h5) that did not end cleanly")->required();
  cmd->add_option("-o,--output", *output, "the copy to write (default: FILE.repaired.h5; never overwritten)");
  cmd->callback([file, output] {
    const report::RepairResult r = report::repair_archive(*file, *output);
    if (!r.needed) {
      std::cout << *file << " ended cleanly: nothing to repair, nothing written\n";
      return;
    }
    std::cout << r.output.string() << "\n";
    std::cerr << "repaired copy: " << r.frames << " frames";
    if (r.frames_cut > 0) std::cerr << " (" << r.frames_cut << " trailing frame rows without time or seq cut)";
    std::cerr << ", ended_at " << iso8601_utc(r.ended_at_ns) << " (the last record), ended = crash\n";
  });
}

}  // namespace plinth::tools
