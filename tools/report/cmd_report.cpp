// plinth report SESSION.h5 [-o report.html] [--pdf report.pdf] [--json]: one self-contained
// HTML page (and a PDF) about one session (schemas/report.md).
#include <fstream>
#include <iostream>
#include <memory>

#include "tools/commands.hpp"
#include "tools/report/report_json.hpp"
#include "tools/report/session_report.hpp"

namespace plinth::tools {

void add_report_command(CLI::App& app) {
  struct Options {
    std::string file;
    std::string html;
    std::string pdf;
    std::string json;
    report::ReportOptions report;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("report", "A report of one session: self-contained HTML (and PDF) for the client's file");
  cmd->add_option("file", o->file, "session archive (.h5)")->required();
  cmd->add_option("-o,--output", o->html, "HTML file to write (default: next to the archive, .html)");
  cmd->add_option("--pdf", o->pdf, "also print it to this PDF (needs chromium)");
  cmd->add_option("--json", o->json, "also write the numbers as JSON to this file ('-': stdout)");
  cmd->add_option("--compare-min", o->report.compare_minutes, "minutes of the before/after windows")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 60.0));
  cmd->callback([o] {
    const report::SessionReport r = report::build_session_report(o->file, o->report);
    if (!o->json.empty()) {
      const std::string text = report::report_json(r, true);
      if (o->json == "-") {
        std::cout << text << "\n";
      } else {
        std::ofstream(o->json) << text << "\n";
      }
    }
  });
}

}  // namespace plinth::tools
