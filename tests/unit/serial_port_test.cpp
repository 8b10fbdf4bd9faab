// The termios fallback and the pty simulator path, end to end through real file descriptors.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "drivers/plinth_mat.hpp"
#include "drivers/serial_port.hpp"
#include "drivers/sim_device.hpp"

namespace plinth {
namespace {

std::vector<std::uint8_t> read_for(int fd, std::chrono::milliseconds total, std::size_t want) {
  std::vector<std::uint8_t> got;
  const auto end = std::chrono::steady_clock::now() + total;
  std::uint8_t buf[4096];
  while (got.size() < want && std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) got.insert(got.end(), buf, buf + n);
    }
  }
  return got;
}

TEST(SerialPort, PseudoTerminalIsRecognised) {
  PseudoTerminal pty = open_pseudo_terminal();
  EXPECT_TRUE(is_pseudo_terminal(pty.slave_path));
  EXPECT_FALSE(is_pseudo_terminal("/dev/null"));
  EXPECT_FALSE(is_pseudo_terminal("/nonexistent"));
  close_pseudo_terminal(pty);
}

TEST(SerialPort, TermiosFallbackPassesBinaryBothWaysUnmangled) {
  PseudoTerminal pty = open_pseudo_terminal();
  auto port = open_serial_port(pty.slave_path, 921600);
  // Bytes a cooked terminal would transform: CR, LF, ^C, ^D, ^S, DEL, 0xFF.
  const std::vector<std::uint8_t> bytes = {0x0D, 0x0A, 0x03, 0x04, 0x13, 0x7F, 0xFF, 0x00, 0xA5, 0x5A};
  ASSERT_EQ(::write(pty.master_fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  EXPECT_EQ(read_for(port->fd(), std::chrono::milliseconds(1000), bytes.size()), bytes);
  ASSERT_EQ(::write(port->fd(), bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  EXPECT_EQ(read_for(pty.master_fd, std::chrono::milliseconds(1000), bytes.size()), bytes);
  close_pseudo_terminal(pty);
}

TEST(SerialPort, OpeningMissingPortSaysWhich) {
  try {
    open_serial_port("/dev/ttyPLINTH_NOPE", 115200);
    FAIL() << "expected SerialError";
  } catch (const SerialError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/ttyPLINTH_NOPE"), std::string::npos);
  }
}

TEST(SerialPort, ResolveByUsbIdsAndSerial) {
  std::vector<SerialPortInfo> ports = {
      {"/dev/ttyACM0", "mat", 0x1209, 0x7460, "A1", "", ""},
      {"/dev/ttyACM1", "mat", 0x1209, 0x7460, "B2", "", ""},
      {"/dev/ttyUSB0", "ant", 0x0fcf, 0x1009, "", "", ""},
  };
  SerialSelector s;
  s.usb_vid = 0x1209;
  s.usb_pid = 0x7460;
  s.usb_serial = "B2";
  EXPECT_EQ(resolve_serial_port(s, ports), "/dev/ttyACM1");
  s.usb_serial.clear();
  EXPECT_THROW(resolve_serial_port(s, ports), SerialError);  // two match: ambiguous
  s.usb_vid = 0x0fcf;
  s.usb_pid = 0x1009;
  EXPECT_EQ(resolve_serial_port(s, ports), "/dev/ttyUSB0");
  s.usb_vid = 0xdead;
  try {
    resolve_serial_port(s, ports);
    FAIL();
  } catch (const SerialError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/ttyACM0"), std::string::npos);  // lists what it saw
  }
  SerialSelector explicit_port;
  explicit_port.port = "/dev/ttyS3";
  EXPECT_EQ(resolve_serial_port(explicit_port, ports), "/dev/ttyS3");
}

TEST(SerialPort, ListingPortsDoesNotFail) {
  // The build machine may have no serial ports at all; listing must still work.
  auto ports = list_serial_ports();
  for (const auto& p : ports) EXPECT_FALSE(p.path.empty());
}

TEST(SimulatedDevice, StreamsFramesOnPtyAndAnswersIdentify) {
  std::uint32_t seq = 0;
  auto emitter = std::make_unique<MatFrameEmitter>(
      [&](MatFrame& f) {
        f.device_seq = seq++;
        f.rows = 4;
        f.cols = 4;
        f.raw.assign(16, 100);
        return true;
      },
      200.0);
  DeviceInfo info{"Sim", "SIM-1", "1.0", 4, 4, 12, 25.4f, 200000};
  SimulatedDevice dev(plinth_mat_driver, {}, info, std::move(emitter));
  auto port = open_serial_port(dev.host_path(), 921600);
  dev.start();
  auto request = plinth_mat_driver.open_request({});
  ASSERT_EQ(::write(port->fd(), request.data(), request.size()), static_cast<ssize_t>(request.size()));
  StreamDecoder decoder(&mat_protocol::step);
  int frames = 0, infos = 0;
  std::uint32_t last_seq = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((frames < 20 || infos < 1) && std::chrono::steady_clock::now() < end) {
    auto bytes = read_for(port->fd(), std::chrono::milliseconds(50), 1);
    decoder.feed(bytes, [&](StepOutcome o, const DecodedOutput& d) {
      if (o == StepOutcome::mat_frame) {
        if (frames > 0) {
          EXPECT_EQ(d.frame.device_seq, last_seq + 1);
        }
        last_seq = d.frame.device_seq;
        ++frames;
      }
      if (o == StepOutcome::device_info) {
        ++infos;
        EXPECT_EQ(d.info.serial, "SIM-1");
      }
    });
  }
  dev.stop();
  EXPECT_GE(frames, 20);
  EXPECT_EQ(infos, 1);
  EXPECT_EQ(decoder.counters().crc_errors, 0u);
}

}  // namespace
}  // namespace plinth
