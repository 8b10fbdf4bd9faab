#include "tests/unit/bluez_mock_bus.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace plinth::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kDbusDaemon = "/usr/bin/dbus-daemon";
constexpr const char* kHelper = "tests/bluez/mock_strap.py";  // tests run from the repo root
constexpr auto kStartLimit = std::chrono::seconds(10);

// fork + exec so the child can ask for SIGKILL when the test dies (no orphans on a crash).
// Everything the child touches is prepared before fork.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env, int output_fd) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (const auto& e : env_strings) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (output_fd >= 0) {
      dup2(output_fd, STDOUT_FILENO);
      dup2(output_fd, STDERR_FILENO);
    }
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  return pid;
}

void end_process(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool python_has_dbusmock() {
  const int quiet = open("/dev/null", O_WRONLY | O_CLOEXEC);
  const pid_t pid = spawn({kPython, "-c", "import dbus, dbusmock"}, {}, quiet);
  close(quiet);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::optional<std::string> MockBluezBus::missing_tools() {
  if (access(kDbusDaemon, X_OK) != 0) return std::string("dbus-daemon is not installed (Debian package dbus)");
  if (access(kPython, X_OK) != 0) return std::string("/usr/bin/python3 is not installed");
  if (!python_has_dbusmock()) return std::string("python3-dbusmock is not installed (Debian package python3-dbusmock)");
  return std::nullopt;
}

MockBluezBus::MockBluezBus(bool with_bluez) {
  char pattern[] = "/tmp/plinth-bluez-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  const std::string socket = dir_ + "/bus";
  address_ = "unix:path=" + socket;
  {
    // A bus of our own: no service activation, nothing of the host's session leaks in.
    std::ofstream config(dir_ + "/bus.conf");
    config << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
              " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
              "<busconfig>\n  <type>session</type>\n  <listen>" << address_ << "</listen>\n"
              "  <policy context=\"default\">\n    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
              "    <allow eavesdrop=\"true\"/>\n    <allow own=\"*\"/>\n  </policy>\n</busconfig>\n";
  }
  const int daemon_log = open((dir_ + "/daemon.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  daemon_pid_ = spawn({kDbusDaemon, "--config-file=" + dir_ + "/bus.conf", "--nofork", "--nopidfile"}, {}, daemon_log);
  close(daemon_log);
  const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
  struct stat info {};
  while (stat(socket.c_str(), &info) != 0) {
    if (std::chrono::steady_clock::now() > deadline || waitpid(daemon_pid_, nullptr, WNOHANG) == daemon_pid_) {
      const std::string log = read_file(dir_ + "/daemon.log");
      shutdown();
      throw std::runtime_error("dbus-daemon did not start: " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!with_bluez) return;

  const int mock_log_fd = open((dir_ + "/mock.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  mock_pid_ = spawn({kPython, "-m", "dbusmock", "--session", "--template", "bluez5"},
                    {"DBUS_SESSION_BUS_ADDRESS=" + address_}, mock_log_fd);
  close(mock_log_fd);
  const HelperResult ready = helper({"wait-ready"});
  if (ready.exit_code != 0) {
    const std::string log = mock_log();
    shutdown();
    throw std::runtime_error("dbusmock bluez5 did not start: " + ready.output + log);
  }
}

MockBluezBus::~MockBluezBus() { shutdown(); }

void MockBluezBus::shutdown() {
  end_process(mock_pid_);
  mock_pid_ = -1;
  end_process(daemon_pid_);
  daemon_pid_ = -1;
  if (!dir_.empty() && std::getenv("PLINTH_KEEP_BLUEZ_LOGS") == nullptr) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  dir_.clear();
}

HelperResult MockBluezBus::helper(const std::vector<std::string>& args) const {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> argv{kPython, kHelper, "--address", address_};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = spawn(argv, {}, pipe_fds[1]);
  close(pipe_fds[1]);
  HelperResult result;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(pipe_fds[0], buffer, sizeof buffer)) > 0) result.output.append(buffer, static_cast<std::size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string MockBluezBus::must(const std::vector<std::string>& args) const {
  HelperResult result = helper(args);
  if (result.exit_code != 0) {
    std::string command;
    for (const auto& a : args) command += " " + a;
    throw std::runtime_error("mock_strap.py" + command + " failed (" + std::to_string(result.exit_code) +
                             "): " + result.output);
  }
  while (!result.output.empty() && (result.output.back() == '\n' || result.output.back() == ' ')) result.output.pop_back();
  return result.output;
}

std::string MockBluezBus::mock_log() const { return read_file(dir_ + "/mock.log"); }

}  // namespace plinth::testing
