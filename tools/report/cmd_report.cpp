// plinth report SESSION.h5 [-o report.html] [--pdf report.pdf] [--json FILE]: one
// self-contained HTML page (and a PDF) about one session (schemas/report.md).
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include "tools/commands.hpp"
#include "tools/report/pdf_print.hpp"
#include "tools/report/report_html.hpp"
#include "tools/report/report_json.hpp"
#include "tools/report/session_report.hpp"

namespace plinth::tools {
namespace {

// Written next to its final name and renamed, so a reader never sees half a file.
void write_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + partial.string());
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + partial.string());
  }
  std::filesystem::rename(partial, path);
}

}  // namespace

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
  cmd->add_option("-o,--output", o->html, "HTML file to write (default: the archive's name with .html)");
  cmd->add_option("--pdf", o->pdf, "also print it to this PDF (with Chromium's print engine)");
  cmd->add_option("--json", o->json, "also write the numbers as JSON to this file ('-': stdout)");
  cmd->add_option("--compare-min", o->report.compare_minutes, "minutes of the before/after windows")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 60.0));
  cmd->callback([o] {
    const auto started = std::chrono::steady_clock::now();
    const report::SessionReport r = report::build_session_report(o->file, o->report);
    if (r.end_state == "crash")
      std::cerr << "warning: " << o->file << " did not end cleanly: the report covers what was flushed before the end. "
                << "`plinth repair " << o->file << "` writes a clean, closed copy that every HDF5 tool opens.\n";
    std::filesystem::path html = o->html;
    if (html.empty()) html = std::filesystem::path(o->file).replace_extension(".html");
    write_file(html, report::report_html(r));
    if (!o->json.empty()) {
      const std::string text = report::report_json(r, true) + "\n";
      if (o->json == "-") {
        std::cout << text;
      } else {
        write_file(o->json, text);
      }
    }
    if (!o->pdf.empty()) report::print_pdf(html, o->pdf);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "report: " << html.string() << (o->pdf.empty() ? "" : " and " + o->pdf) << " (" << seconds << " s)\n";
  });
}

}  // namespace plinth::tools
