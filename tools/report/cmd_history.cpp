// plinth history DIR --subject ID [-o history.html] [--csv history.csv]: every session of one
// pseudonymous subject in an archive directory, as trends and a table (schemas/report.md §History).
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "tools/archive_reader.hpp"
#include "tools/commands.hpp"
#include "tools/report/history.hpp"
#include "tools/report/session_report.hpp"

namespace plinth::tools {
namespace {

void write_text_file(const std::string& path, const std::string& text) {
  if (path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out || !(out << text) || !out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

void add_history_command(CLI::App& app) {
  struct Options {
    std::string directory;
    std::string subject;
    std::string html;
    std::string csv;
    double compare_minutes = 5.0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("history", "Every session of one client in an archive directory: trends, table, CSV");
  cmd->add_option("directory", o->directory, "archive directory (searched recursively for .h5 files)")->required();
  cmd->add_option("--subject", o->subject, "the client's pseudonym, as archived in `subject`")->required();
  cmd->add_option("-o,--output", o->html, "HTML file to write (default: history-SUBJECT.html here)");
  cmd->add_option("--csv", o->csv, "also write the table as CSV ('-': stdout)");
  cmd->add_option("--compare-min", o->compare_minutes, "minutes of the first/last windows")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 60.0));
  cmd->callback([o] {
    std::vector<report::HistoryRow> rows;
    std::size_t unreadable = 0;
    report::ReportOptions options;
    options.compare_minutes = o->compare_minutes;
    options.read_frames = false;  // the history needs no maps
    for (const auto& path : report::list_session_files(o->directory)) {
      try {
        if (text_of(ArchiveReader::open(path).attributes(), "subject") != o->subject) continue;
        rows.push_back(report::history_row(report::build_session_report(path, options)));
      } catch (const std::exception& e) {
        ++unreadable;
        spdlog::warn("{}: skipped: {}", path.string(), e.what());
      }
    }
    report::assign_groups(rows);
    const std::string html = o->html.empty() ? "history-" + o->subject + ".html" : o->html;
    write_text_file(html, report::history_html(rows, o->subject, o->directory));
    if (!o->csv.empty()) write_text_file(o->csv, report::history_csv(rows));
    std::cerr << "history: " << rows.size() << " sessions of " << o->subject << " in " << html;
    if (unreadable > 0) std::cerr << " (" << unreadable << " files could not be read)";
    std::cerr << "\n";
  });
}

}  // namespace plinth::tools
