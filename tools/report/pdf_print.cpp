#include "tools/report/pdf_print.hpp"

#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace plinth::report {

std::string find_chromium() {
  if (const char* env = std::getenv("PLINTH_CHROMIUM"); env && *env) return env;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::size_t start = 0;
    while (start <= dirs.size()) {
      const std::size_t end = dirs.find(':', start);
      const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
      const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return "";
}

void print_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf, double timeout_s) {
  const std::string browser = find_chromium();
  if (browser.empty())
    throw std::runtime_error("--pdf needs Chromium (Debian package chromium; or set PLINTH_CHROMIUM); "
                             "the HTML report can also be printed from any browser");
  const std::filesystem::path profile = std::filesystem::temp_directory_path() /
                                        ("plinth-report-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  std::filesystem::create_directories(profile);
  const std::filesystem::path out = std::filesystem::absolute(pdf);
  std::filesystem::remove(out);
  std::vector<std::string> args{browser,
                                "--headless",
                                "--disable-gpu",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-extensions",
                                "--user-data-dir=" + profile.string(),
                                "--no-pdf-header-footer",
                                "--print-to-pdf=" + out.string(),
                                "file://" + std::filesystem::absolute(html).string()};
  // Chromium's sandbox refuses to start as root (containers, CI); a local file with no scripts
  // and a CSP that forbids every request is what it renders.
  if (::geteuid() == 0) args.insert(args.begin() + 1, "--no-sandbox");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, browser.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    std::filesystem::remove_all(profile);
    throw std::runtime_error("cannot start " + browser);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  bool done = false;
  while (!done) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      done = true;
    } else if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      std::filesystem::remove_all(profile);
      throw std::runtime_error(browser + " did not print the PDF within " + std::to_string(static_cast<int>(timeout_s)) + " s");
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(profile, ec);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(out) || std::filesystem::file_size(out) == 0)
    throw std::runtime_error(browser + " failed to print " + html.string() + " to " + out.string());
}

}  // namespace plinth::report
