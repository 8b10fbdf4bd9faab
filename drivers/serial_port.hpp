#pragma once
// Finding, opening and configuring serial ports. Real ports go through libserialport
// (discovery by USB ids and serial number, opening, configuring); pseudo-terminals, which
// libserialport refuses, go through a small termios fallback. Either way the caller gets a
// non-blocking file descriptor to hand to Asio.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace plinth {

class SerialError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How the config names a device: an explicit path, or USB ids and a serial number.
struct SerialSelector {
  std::string port;                      // "/dev/ttyACM0", "/dev/pts/3"; empty = search by USB
  std::optional<std::uint16_t> usb_vid;  // USB vendor id
  std::optional<std::uint16_t> usb_pid;  // USB product id
  std::string usb_serial;                // USB serial number; empty = any
  std::uint32_t baud = 115200;
};

struct SerialPortInfo {
  std::string path;
  std::string description;
  std::optional<std::uint16_t> usb_vid;
  std::optional<std::uint16_t> usb_pid;
  std::string usb_serial;
  std::string manufacturer;
  std::string product;
};

std::vector<SerialPortInfo> list_serial_ports();

// True if the selector's USB constraints (those that are set) all hold for the port.
bool matches_selector(const SerialPortInfo& port, const SerialSelector& selector);

// The port the selector names. An explicit path wins. Throws SerialError saying what was
// searched for and what was found when nothing (or more than one device) matches.
std::string resolve_serial_port(const SerialSelector& selector,
                                const std::vector<SerialPortInfo>& available);

bool is_pseudo_terminal(const std::string& path);

// An open, configured port (raw 8N1 at the selector's baud). Owns the OS handle; the fd
// it lends stays valid until the object dies.
class SerialPort {
 public:
  virtual ~SerialPort() = default;
  virtual int fd() const = 0;
  virtual const std::string& path() const = 0;
  virtual const SerialPortInfo& info() const = 0;
};

// Opens `path` (non-blocking). Throws SerialError with the OS's reason.
std::unique_ptr<SerialPort> open_serial_port(const std::string& path, std::uint32_t baud);

// A pseudo-terminal pair for simulated devices: the simulator writes to `master_fd`, the
// daemon opens `slave_path` like any serial port.
struct PseudoTerminal {
  int master_fd = -1;
  int slave_fd = -1;  // kept open so the master never sees a hang-up between host opens
  std::string slave_path;
};
PseudoTerminal open_pseudo_terminal();
void close_pseudo_terminal(PseudoTerminal& pty);

}  // namespace plinth
