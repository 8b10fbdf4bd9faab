#pragma once
// The dashboard's "session summary": after `session.stop` the page fetches the stopped
// session's numbers and its report from `plinth web`, which computes them with the very code
// of `plinth report` (tools/report) from the archive the daemon named in `session.start`.
// The report is computed once per session on a worker thread; HTTP requests never wait for
// it (they are told "computing" and ask again).
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "tools/web/http_routes.hpp"

namespace plinth::web {

struct SessionReportsOptions {
  // Where archives may be read from. Empty: wherever the daemon's session.start says (the
  // daemon is the one the dashboard was pointed at); else only under this directory, where
  // <session_id>.h5 is also looked for when the announced path is not on this machine.
  std::string archive_dir;
  double compare_minutes = 5.0;
  double wait_for_close_s = 30.0;  // the daemon publishes session.stop before it closes the file
};

class SessionReports {
 public:
  explicit SessionReports(SessionReportsOptions options);
  ~SessionReports();  // stops the worker
  SessionReports(const SessionReports&) = delete;
  SessionReports& operator=(const SessionReports&) = delete;

  // A `session.event` payload (protobuf SessionEvent) from the data endpoint.
  void on_session_event(std::string_view payload);

  // GET /session/summary.json and /session/report.html; with ?station=NAME only that
  // station's session (another station's is answered as none / 404).
  static bool handles(std::string_view target);
  HttpAnswer answer(std::string_view method, std::string_view target);

 private:
  struct Session {
    std::string session_id;
    std::string announced_path;
    std::string station;  // Header.station of its events: behind a hub, whose session it is
    bool stopped = false;
    std::uint64_t generation = 0;
  };
  struct Result {
    std::uint64_t generation = 0;
    std::string state;   // computing, ready, error
    std::string error;
    std::string summary_json;
    std::string html;
    std::string file_name;
  };
  void work();
  std::optional<std::filesystem::path> locate(const Session& s, std::string& why) const;
  std::string status_json(const char* state, const std::string& detail) const;

  const SessionReportsOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  Session session_;
  Result result_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace plinth::web
