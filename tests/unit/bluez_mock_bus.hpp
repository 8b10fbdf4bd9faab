#pragma once
// A private D-Bus daemon with python3-dbusmock's bluez5 template on it, as child processes
// of the test, and the tests/bluez/mock_strap.py helper to play a heart-rate strap.
// Children get SIGKILL if the test process dies; the destructor ends them otherwise.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace plinth::testing {

struct HelperResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

class MockBluezBus {
 public:
  // Why the tests cannot run here (dbus-daemon or python3-dbusmock missing), or empty.
  static std::optional<std::string> missing_tools();

  // Starts dbus-daemon, and the bluez5 mock unless `with_bluez` is false. Throws
  // std::runtime_error (with the daemon's output) when either does not come up in time.
  explicit MockBluezBus(bool with_bluez = true);
  ~MockBluezBus();
  MockBluezBus(const MockBluezBus&) = delete;
  MockBluezBus& operator=(const MockBluezBus&) = delete;

  const std::string& address() const { return address_; }

  // Runs `mock_strap.py --address ADDR args...` and waits for it (its own waits are bounded).
  HelperResult helper(const std::vector<std::string>& args) const;
  // As helper(), but throws std::runtime_error with the output unless it exits 0; returns stdout trimmed.
  std::string must(const std::vector<std::string>& args) const;

  std::string mock_log() const;

 private:
  void shutdown();

  std::string dir_;
  std::string address_;
  pid_t daemon_pid_ = -1;
  pid_t mock_pid_ = -1;
};

}  // namespace plinth::testing
