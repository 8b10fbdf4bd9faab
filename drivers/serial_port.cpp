#include "drivers/serial_port.hpp"

#include <fcntl.h>
#include <libserialport.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace plinth {
namespace {

std::string os_error(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

speed_t termios_speed(std::uint32_t baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 2000000: return B2000000;
    default: return B115200;  // a pty ignores the speed; real ports go through libserialport
  }
}

// The fallback for pseudo-terminals: raw mode, non-blocking, nothing else.
class TermiosPort final : public SerialPort {
 public:
  TermiosPort(const std::string& path, std::uint32_t baud) {
    info_.path = path;
    info_.description = "pseudo-terminal";
    fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) throw SerialError(os_error("cannot open", path));
    termios tio{};
    if (::tcgetattr(fd_, &tio) != 0) {
      ::close(fd_);
      throw SerialError(os_error("not a terminal:", path));
    }
    ::cfmakeraw(&tio);
    ::cfsetspeed(&tio, termios_speed(baud));
    // VMIN=1: with VMIN=0 an idle terminal reads as 0 bytes, which Asio takes for end of file.
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (::tcsetattr(fd_, TCSANOW, &tio) != 0) {
      ::close(fd_);
      throw SerialError(os_error("cannot configure", path));
    }
  }
  ~TermiosPort() override { ::close(fd_); }
  int fd() const override { return fd_; }
  const std::string& path() const override { return info_.path; }
  const SerialPortInfo& info() const override { return info_; }

 private:
  int fd_ = -1;
  SerialPortInfo info_;
};

std::string sp_message(const std::string& what, const std::string& path) {
  char* msg = sp_last_error_message();
  std::string text = what + " " + path + ": " + (msg ? msg : "unknown error");
  if (msg) sp_free_error_message(msg);
  return text;
}

SerialPortInfo describe(sp_port* port) {
  SerialPortInfo info;
  info.path = sp_get_port_name(port);
  if (const char* d = sp_get_port_description(port)) info.description = d;
  if (sp_get_port_transport(port) == SP_TRANSPORT_USB) {
    int vid = 0, pid = 0;
    if (sp_get_port_usb_vid_pid(port, &vid, &pid) == SP_OK) {
      info.usb_vid = static_cast<std::uint16_t>(vid);
      info.usb_pid = static_cast<std::uint16_t>(pid);
    }
    if (const char* s = sp_get_port_usb_serial(port)) info.usb_serial = s;
    if (const char* m = sp_get_port_usb_manufacturer(port)) info.manufacturer = m;
    if (const char* p = sp_get_port_usb_product(port)) info.product = p;
  }
  return info;
}

// Real ports: libserialport opens and configures; the fd it holds is lent to Asio.
class LibSerialPort final : public SerialPort {
 public:
  LibSerialPort(const std::string& path, std::uint32_t baud) {
    if (sp_get_port_by_name(path.c_str(), &port_) != SP_OK) throw SerialError(sp_message("no such port", path));
    info_ = describe(port_);
    if (sp_open(port_, SP_MODE_READ_WRITE) != SP_OK) {
      std::string msg = sp_message("cannot open", path);
      sp_free_port(port_);
      throw SerialError(msg);
    }
    const bool configured = sp_set_baudrate(port_, static_cast<int>(baud)) == SP_OK &&
                            sp_set_bits(port_, 8) == SP_OK && sp_set_parity(port_, SP_PARITY_NONE) == SP_OK &&
                            sp_set_stopbits(port_, 1) == SP_OK &&
                            sp_set_flowcontrol(port_, SP_FLOWCONTROL_NONE) == SP_OK;
    int fd = -1;
    if (!configured || sp_get_port_handle(port_, &fd) != SP_OK) {
      std::string msg = sp_message("cannot configure", path);
      sp_close(port_);
      sp_free_port(port_);
      throw SerialError(msg);
    }
    fd_ = fd;
    // libserialport leaves VMIN=0, under which an idle port reads as 0 bytes: Asio would take
    // that for end of file. VMIN=1 with O_NONBLOCK gives EAGAIN instead.
    termios tio{};
    if (::tcgetattr(fd_, &tio) == 0) {
      tio.c_cc[VMIN] = 1;
      tio.c_cc[VTIME] = 0;
      ::tcsetattr(fd_, TCSANOW, &tio);
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~LibSerialPort() override {
    sp_close(port_);
    sp_free_port(port_);
  }
  int fd() const override { return fd_; }
  const std::string& path() const override { return info_.path; }
  const SerialPortInfo& info() const override { return info_; }

 private:
  sp_port* port_ = nullptr;
  int fd_ = -1;
  SerialPortInfo info_;
};

std::string hex4(std::uint16_t v) {
  std::ostringstream s;
  s << std::hex;
  s.width(4);
  s.fill('0');
  s << v;
  return s.str();
}

std::string describe_selector(const SerialSelector& s) {
  std::string text = "USB device";
  if (s.usb_vid) text += " vid=" + hex4(*s.usb_vid);
  if (s.usb_pid) text += " pid=" + hex4(*s.usb_pid);
  if (!s.usb_serial.empty()) text += " serial=" + s.usb_serial;
  return text;
}

}  // namespace

std::vector<SerialPortInfo> list_serial_ports() {
  std::vector<SerialPortInfo> ports;
  sp_port** list = nullptr;
  if (sp_list_ports(&list) != SP_OK) return ports;
  for (sp_port** p = list; *p; ++p) ports.push_back(describe(*p));
  sp_free_port_list(list);
  return ports;
}

bool matches_selector(const SerialPortInfo& port, const SerialSelector& s) {
  if (s.usb_vid && port.usb_vid != s.usb_vid) return false;
  if (s.usb_pid && port.usb_pid != s.usb_pid) return false;
  if (!s.usb_serial.empty() && port.usb_serial != s.usb_serial) return false;
  return s.usb_vid || s.usb_pid || !s.usb_serial.empty();
}

std::string resolve_serial_port(const SerialSelector& selector, const std::vector<SerialPortInfo>& available) {
  if (!selector.port.empty()) return selector.port;
  std::vector<const SerialPortInfo*> hits;
  for (const auto& p : available)
    if (matches_selector(p, selector)) hits.push_back(&p);
  if (hits.size() == 1) return hits.front()->path;
  std::string seen;
  for (const auto& p : available) {
    seen += "\n  " + p.path;
    if (p.usb_vid) seen += " vid=" + hex4(*p.usb_vid) + " pid=" + hex4(p.usb_pid.value_or(0));
    if (!p.usb_serial.empty()) seen += " serial=" + p.usb_serial;
  }
  if (seen.empty()) seen = " none";
  if (hits.empty()) throw SerialError("no serial port matches " + describe_selector(selector) + "; ports present:" + seen);
  throw SerialError(std::to_string(hits.size()) + " serial ports match " + describe_selector(selector) +
                    "; add usb_serial to pick one; ports present:" + seen);
}

bool is_pseudo_terminal(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return false;
  // Unix98 ptys are character devices with majors 136-143 (Documentation/admin-guide/devices.txt).
  const unsigned major_number = (st.st_rdev >> 8) & 0xfff;
  return (major_number >= 136 && major_number <= 143) || path.rfind("/dev/pts/", 0) == 0;
}

std::unique_ptr<SerialPort> open_serial_port(const std::string& path, std::uint32_t baud) {
  if (is_pseudo_terminal(path)) return std::make_unique<TermiosPort>(path, baud);
  return std::make_unique<LibSerialPort>(path, baud);
}

PseudoTerminal open_pseudo_terminal() {
  PseudoTerminal pty;
  pty.master_fd = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty.master_fd < 0) throw SerialError(os_error("cannot create", "pseudo-terminal"));
  char name[128];
  if (::grantpt(pty.master_fd) != 0 || ::unlockpt(pty.master_fd) != 0 ||
      ::ptsname_r(pty.master_fd, name, sizeof name) != 0) {
    ::close(pty.master_fd);
    throw SerialError(os_error("cannot set up", "pseudo-terminal"));
  }
  pty.slave_path = name;
  // Raw mode before any byte flows: a canonical, echoing slave would mangle binary frames
  // and echo them back to the simulator.
  pty.slave_fd = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  termios tio{};
  if (pty.slave_fd < 0 || ::tcgetattr(pty.slave_fd, &tio) != 0) {
    close_pseudo_terminal(pty);
    throw SerialError(os_error("cannot open", pty.slave_path));
  }
  ::cfmakeraw(&tio);
  ::tcsetattr(pty.slave_fd, TCSANOW, &tio);
  ::fcntl(pty.master_fd, F_SETFL, ::fcntl(pty.master_fd, F_GETFL) | O_NONBLOCK);
  return pty;
}

void close_pseudo_terminal(PseudoTerminal& pty) {
  if (pty.slave_fd >= 0) ::close(pty.slave_fd);
  if (pty.master_fd >= 0) ::close(pty.master_fd);
  pty.slave_fd = pty.master_fd = -1;
}

}  // namespace plinth
