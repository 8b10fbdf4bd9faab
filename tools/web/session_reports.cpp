#include "tools/web/session_reports.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "plinth/proto/plinth.pb.h"
#include "tools/archive_reader.hpp"
#include "tools/report/report_html.hpp"
#include "tools/report/report_json.hpp"
#include "tools/report/session_report.hpp"

namespace plinth::web {
namespace {

constexpr std::string_view kSummaryPath = "/session/summary.json";
constexpr std::string_view kReportPath = "/session/report.html";
// The report is a page of its own: inline styles and SVG, nothing else (as its meta tag says).
constexpr std::string_view kReportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

HttpAnswer text(unsigned status, std::string body) {
  HttpAnswer a;
  a.status = status;
  a.content_type = "text/plain; charset=utf-8";
  a.dynamic_body = std::move(body);
  return a;
}

HttpAnswer json_answer(std::string body) {
  HttpAnswer a;
  a.content_type = "application/json";
  a.dynamic_body = std::move(body);
  return a;
}

bool ended_cleanly(const std::filesystem::path& path) {
  try {
    return ArchiveReader::open(path).attributes().count("ended_at_ns") > 0;
  } catch (const std::exception&) {
    return false;
  }
}

bool inside(const std::filesystem::path& file, const std::filesystem::path& directory) {
  std::error_code ec;
  const auto f = std::filesystem::weakly_canonical(file, ec);
  const auto d = std::filesystem::weakly_canonical(directory, ec);
  const auto rel = f.lexically_relative(d);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

SessionReports::SessionReports(SessionReportsOptions options) : options_(std::move(options)), worker_([this] { work(); }) {}

SessionReports::~SessionReports() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void SessionReports::on_session_event(std::string_view payload) {
  v1::SessionEvent event;
  if (!event.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) return;
  std::lock_guard lock(mutex_);
  if (event.kind() == "session.start") {
    session_ = Session{event.header().session_id(), event.detail(), event.header().station(), false,
                       session_.generation + 1};
  } else if (event.kind() == "session.stop") {
    if (session_.session_id != event.header().session_id())
      session_ = Session{event.header().session_id(), "", event.header().station(), false, session_.generation + 1};
    session_.stopped = true;
    ++session_.generation;
    wake_.notify_all();
  }
}

std::optional<std::filesystem::path> SessionReports::locate(const Session& s, std::string& why) const {
  std::error_code ec;
  const std::filesystem::path announced = s.announced_path;
  if (options_.archive_dir.empty()) {
    if (!announced.empty() && std::filesystem::is_regular_file(announced, ec)) return announced;
    why = announced.empty() ? "the daemon did not say where session " + s.session_id + " is archived"
                            : announced.string() + " is not on this machine (give plinth web --archives DIR)";
    return std::nullopt;
  }
  if (!announced.empty() && std::filesystem::is_regular_file(announced, ec) && inside(announced, options_.archive_dir))
    return announced;
  // The daemon names files <session_id>.h5 (or -1, -2, ... when taken).
  for (const auto& entry : std::filesystem::directory_iterator(options_.archive_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(s.session_id, 0) == 0 && entry.path().extension() == ".h5" &&
        name.find(".repaired.") == std::string::npos) {
      try {
        if (text_of(ArchiveReader::open(entry.path()).attributes(), "session_id") == s.session_id) return entry.path();
      } catch (const std::exception&) {
      }
    }
  }
  why = "session " + s.session_id + " is not in " + options_.archive_dir;
  return std::nullopt;
}

void SessionReports::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || (session_.stopped && result_.generation != session_.generation); });
    if (stopping_) return;
    const Session s = session_;
    result_ = Result{s.generation, "computing", "", "", "", ""};
    lock.unlock();
    Result r{s.generation, "error", "", "", "", ""};
    try {
      std::string why;
      const auto path = locate(s, why);
      if (!path) throw std::runtime_error(why);
      // session.stop goes out before the daemon closes the file: wait for the closing attributes.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options_.wait_for_close_s);
      while (!ended_cleanly(*path) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        std::lock_guard check(mutex_);
        if (stopping_ || session_.generation != s.generation) break;
      }
      report::ReportOptions options;
      options.compare_minutes = options_.compare_minutes;
      const report::SessionReport report = report::build_session_report(*path, options);
      r.summary_json = report::report_json(report, false);
      r.html = report::report_html(report);
      r.file_name = "report-" + report.session_id + ".html";
      r.state = "ready";
    } catch (const std::exception& e) {
      r.error = e.what();
      spdlog::warn("plinth web: no summary for session {}: {}", s.session_id, e.what());
    }
    lock.lock();
    if (session_.generation == s.generation) result_ = std::move(r);
  }
}

std::string SessionReports::status_json(const char* state, const std::string& detail) const {
  nlohmann::ordered_json j{{"state", state}, {"session_id", session_.session_id}};
  if (!detail.empty()) j["error"] = detail;
  return j.dump();
}

bool SessionReports::handles(std::string_view target) {
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  return path == kSummaryPath || path == kReportPath;
}

HttpAnswer SessionReports::answer(std::string_view method, std::string_view target) {
  if (method != "GET" && method != "HEAD") {
    HttpAnswer a = text(405, "Method not allowed\n");
    a.allow = "GET, HEAD";
    return a;
  }
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  std::lock_guard lock(mutex_);
  if (const auto station = station_parameter(target); station && *station != session_.station)
    return path == kReportPath ? text(404, "No stopped session of station " + *station + "\n")
                               : json_answer(R"({"state":"none"})");
  const bool ready = session_.stopped && result_.generation == session_.generation && result_.state == "ready";
  if (path == kReportPath) {
    const bool failed = session_.stopped && result_.generation == session_.generation && result_.state == "error";
    if (failed) return text(500, "The session's report could not be made: " + result_.error + "\n");
    if (!ready) {
      HttpAnswer a = text(503, session_.stopped ? "The report is being prepared; try again in a moment.\n"
                                                : "No stopped session yet: the report is made after `ctl stop`.\n");
      a.retry_after = "2";
      return a;
    }
    HttpAnswer a;
    a.content_type = "text/html; charset=utf-8";
    a.dynamic_body = result_.html;
    a.content_security_policy = kReportPolicy;
    const bool download = target.find("download") != std::string_view::npos;
    a.content_disposition = std::string(download ? "attachment" : "inline") + "; filename=\"" + result_.file_name + "\"";
    return a;
  }
  if (session_.session_id.empty()) return json_answer(R"({"state":"none"})");
  if (!session_.stopped) return json_answer(status_json("recording", ""));
  if (result_.generation != session_.generation || result_.state == "computing")
    return json_answer(status_json("computing", ""));
  if (result_.state == "error") return json_answer(status_json("error", result_.error));
  return json_answer(R"({"state":"ready","session_id":)" + nlohmann::json(session_.session_id).dump() +
                     R"(,"report_url":"/session/report.html","download_url":"/session/report.html?download=1","report":)" +
                     result_.summary_json + "}");
}

}  // namespace plinth::web
