#pragma once
// A simulated device on a byte stream: a thread that writes a protocol's messages on a
// schedule to a pseudo-terminal (or a real port) and answers what the host writes. Used by
// `plinth sim` and by `plinthd --simulate`, so the daemon reads simulated devices through
// exactly the serial path real devices take.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drivers/driver_registry.hpp"
#include "drivers/serial_port.hpp"

namespace plinth {

// What the device sends next. emit() appends one message through the encoder and returns
// how long until the next one; finished() ends the device (a recording that ran out).
class SimEmitter {
 public:
  virtual ~SimEmitter() = default;
  virtual std::chrono::nanoseconds emit(SimEncoder& encoder, std::vector<std::uint8_t>& out) = 0;
  virtual bool finished() const { return false; }
};

// Frames from a generator at a fixed rate. The generator fills the frame (reusing its
// storage) and returns false when it has no more.
class MatFrameEmitter final : public SimEmitter {
 public:
  using Generator = std::function<bool(MatFrame&)>;
  MatFrameEmitter(Generator generator, double rate_hz);
  std::chrono::nanoseconds emit(SimEncoder& encoder, std::vector<std::uint8_t>& out) override;
  bool finished() const override { return finished_; }

 private:
  Generator generator_;
  std::chrono::nanoseconds period_;
  MatFrame frame_;
  bool finished_ = false;
};

struct SimDeviceStats {
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_dropped = 0;  // the port was full: a real device would drop too
  std::uint64_t host_bytes = 0;
};

class SimulatedDevice {
 public:
  // Creates a pseudo-terminal (port empty) or opens the given port.
  SimulatedDevice(const DriverDescriptor& driver, const DriverOptions& options, const DeviceInfo& info,
                  std::unique_ptr<SimEmitter> emitter, const std::string& port = "");
  ~SimulatedDevice();
  SimulatedDevice(const SimulatedDevice&) = delete;
  SimulatedDevice& operator=(const SimulatedDevice&) = delete;

  // The path the host should open (the pty's slave, or the given port).
  const std::string& host_path() const { return host_path_; }
  void start();
  void stop();
  bool running() const { return running_; }
  SimDeviceStats stats() const;
  // Called on the device thread right after a message's last byte went to the port
  // (latency benchmarks stamp frames here).
  std::function<void(std::uint64_t message_index)> on_message_written;

 private:
  void run();
  bool flush_pending();

  std::unique_ptr<SimEncoder> encoder_;
  std::unique_ptr<SimEmitter> emitter_;
  PseudoTerminal pty_;
  std::unique_ptr<SerialPort> port_;
  int fd_ = -1;
  std::string host_path_;
  std::vector<std::uint8_t> pending_;
  std::size_t pending_start_ = 0;
  std::atomic<bool> running_{false};
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sent_{0}, dropped_{0}, host_bytes_{0};
  std::thread thread_;
};

}  // namespace plinth
