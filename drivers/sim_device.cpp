#include "drivers/sim_device.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace plinth {

namespace {
// Like a device's transmit FIFO: what the host has not read yet waits here, up to this
// much; beyond it messages are dropped (and counted) as a real device would drop them.
constexpr std::size_t kDeviceBufferBytes = 64 * 1024;
}  // namespace

MatFrameEmitter::MatFrameEmitter(Generator generator, double rate_hz)
    : generator_(std::move(generator)),
      period_(std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / (rate_hz > 0 ? rate_hz : 1.0)))) {}

std::chrono::nanoseconds MatFrameEmitter::emit(SimEncoder& encoder, std::vector<std::uint8_t>& out) {
  if (!generator_(frame_)) {
    finished_ = true;
    return period_;
  }
  encoder.encode_frame(frame_, out);
  return period_;
}

SimulatedDevice::SimulatedDevice(const DriverDescriptor& driver, const DriverOptions& options,
                                 const DeviceInfo& info, std::unique_ptr<SimEmitter> emitter,
                                 const std::string& port)
    : encoder_(driver.make_sim(options, info)), emitter_(std::move(emitter)) {
  if (port.empty()) {
    pty_ = open_pseudo_terminal();
    fd_ = pty_.master_fd;
    host_path_ = pty_.slave_path;
  } else {
    port_ = open_serial_port(port, driver.default_baud);
    fd_ = port_->fd();
    host_path_ = port;
  }
}

SimulatedDevice::~SimulatedDevice() {
  stop();
  close_pseudo_terminal(pty_);
  if (!link_path_.empty()) ::unlink(link_path_.c_str());
}

void SimulatedDevice::set_link_path(const std::string& path) {
  if (port_) throw std::invalid_argument("a link is kept only for a simulated pty, not for port " + host_path_);
  link_path_ = path;
  update_link();
  host_path_ = link_path_;
}

void SimulatedDevice::set_faults(double rate, std::uint64_t seed) {
  faults_ = rate > 0 ? std::make_unique<StreamFaultInjector>(rate, seed) : nullptr;
}

void SimulatedDevice::set_time_warp(double factor) {
  if (!(factor > 0)) throw std::invalid_argument("time warp must be positive");
  time_warp_ = factor;
}

void SimulatedDevice::set_plugged(bool plugged) {
  if (plugged != want_plugged_ && link_path_.empty())
    throw std::logic_error("unplugging needs a link path: the pty path changes when the device comes back");
  want_plugged_ = plugged;
}

// Points the link at the current pty atomically (a new link renamed over the old one), so a
// host never sees a half-made link.
void SimulatedDevice::update_link() {
  const std::string temporary = link_path_ + ".new";
  ::unlink(temporary.c_str());
  if (::symlink(pty_.slave_path.c_str(), temporary.c_str()) != 0 ||
      ::rename(temporary.c_str(), link_path_.c_str()) != 0)
    throw SerialError("cannot link " + link_path_ + " to " + pty_.slave_path + ": " + std::strerror(errno));
}

void SimulatedDevice::apply_plug(bool plugged) {
  // Stamped before the change starts: a host can notice the closed pty (or the new link)
  // within microseconds, and the event must not appear to come after its detection.
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  if (plugged) {
    pty_ = open_pseudo_terminal();
    fd_ = pty_.master_fd;
    update_link();
  } else {
    // The link goes first, as udev removes /dev/serial/by-id/... when the device vanishes.
    ::unlink(link_path_.c_str());
    close_pseudo_terminal(pty_);
    fd_ = -1;
    pending_.clear();  // what the device had not sent yet dies with it
    pending_start_ = 0;
  }
  plugged_ = plugged;
  report_.plug_events.push_back(
      {plugged, std::int64_t{now.tv_sec} * 1000000000 + now.tv_nsec, plugged ? pty_.slave_path : std::string()});
}

void SimulatedDevice::start() {
  if (running_) return;
  stop_ = false;
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void SimulatedDevice::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

SimDeviceStats SimulatedDevice::stats() const { return {sent_.load(), dropped_.load(), host_bytes_.load()}; }

// Writes what it can without blocking; true when nothing is left pending.
bool SimulatedDevice::flush_pending() {
  while (pending_start_ < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + pending_start_, pending_.size() - pending_start_);
    if (n > 0) {
      pending_start_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (pending_start_ > kDeviceBufferBytes) {  // keep the buffer from creeping forward forever
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_start_));
      pending_start_ = 0;
    }
    return false;  // EAGAIN (port full) or an error: try again at the next tick
  }
  pending_.clear();
  pending_start_ = 0;
  return true;
}

// One emitted message: faults applied, then queued for the port unless the device is
// unplugged or its buffer is full.
void SimulatedDevice::queue_message(std::vector<std::uint8_t>& message, std::uint64_t index) {
  const std::uint64_t name = emitter_->last_sequence().value_or(index);
  if (!plugged_ || pending_.size() - pending_start_ > kDeviceBufferBytes) {
    // Unplugged, or the host is not reading: lost, as a real device's full buffer would lose it.
    ++dropped_;
    if (record_messages_) report_.not_sent.push_back(name);
    if (plugged_) flush_pending();
    return;
  }
  StreamFault fault = StreamFault::none;
  if (faults_) {
    fault = faults_->apply(message);
    report_.faults = faults_->counts();
  }
  if (record_messages_) (leaves_message_intact(fault) ? report_.intact : report_.corrupted).push_back(name);
  pending_.insert(pending_.end(), message.begin(), message.end());
  ++sent_;
  if (flush_pending() && on_message_written) on_message_written(index);
}

void SimulatedDevice::run() {
  using clock = std::chrono::steady_clock;
  auto next = clock::now();
  std::vector<std::uint8_t> host_in(4096), answer, message;
  std::uint64_t index = 0;
  while (!stop_ && !emitter_->finished()) {
    if (want_plugged_ != plugged_) {
      try {
        apply_plug(want_plugged_);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "simulated device: cannot plug back in: %s\n", e.what());
        want_plugged_ = false;
      }
    }
    const auto now = clock::now();
    if (now >= next) {
      message.clear();
      const auto delay = emitter_->emit(*encoder_, message);
      next += time_warp_ == 1.0 ? delay
                                : std::chrono::nanoseconds(static_cast<std::int64_t>(
                                      static_cast<double>(delay.count()) / time_warp_));
      if (now - next > std::chrono::seconds(1)) next = now;  // we were suspended: do not burst
      if (!encoder_->streaming() || message.empty()) continue;
      queue_message(message, index++);
      continue;
    }
    // Sleep until the next message is due (at most 50 ms, to notice stop() and plug
    // changes), waking early for host bytes.
    const auto wait = std::min<clock::duration>(next - now, std::chrono::milliseconds(50));
    const auto wait_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    const timespec timeout{static_cast<time_t>(wait_ns / 1000000000), static_cast<long>(wait_ns % 1000000000)};
    pollfd pfd{fd_, POLLIN, 0};
    if (!pending_.empty()) pfd.events |= POLLOUT;
    if (fd_ < 0) {  // unplugged: nothing to watch
      ::ppoll(nullptr, 0, &timeout, nullptr);
      continue;
    }
    if (::ppoll(&pfd, 1, &timeout, nullptr) > 0) {
      if (pfd.revents & POLLOUT) flush_pending();
      if (pfd.revents & POLLIN) {
        ssize_t n = ::read(fd_, host_in.data(), host_in.size());
        if (n > 0) {
          host_bytes_ += static_cast<std::uint64_t>(n);
          answer.clear();
          encoder_->on_host_bytes({host_in.data(), static_cast<std::size_t>(n)}, answer);
          if (!answer.empty()) {
            pending_.insert(pending_.end(), answer.begin(), answer.end());
            flush_pending();
          }
        }
      }
      if (pfd.revents & (POLLHUP | POLLERR)) {
        // No host has the pty open (only our own slave fd keeps it alive): idle briefly.
        ::usleep(1000);
      }
    }
  }
  running_ = false;
}

}  // namespace plinth
