#include "drivers/bluez/sd_bus_asio.hpp"

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <boost/asio/post.hpp>

namespace plinth::bluez {
namespace {

struct PendingCall {
  SdBusAsio* owner;
  SdBusAsio::ReplyHandler handler;
};

void destroy_pending_call(void* userdata) { delete static_cast<PendingCall*>(userdata); }

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

std::uint64_t monotonic_now_us() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(now.tv_nsec) / 1000u;
}

sd_bus* connect_bus(const std::string& address) {
  sd_bus* bus = nullptr;
  int r = 0;
  if (address.empty()) {
    r = sd_bus_open_system(&bus);
    if (r < 0) throw std::runtime_error("cannot connect to the D-Bus system bus: " + errno_text(r));
    return bus;
  }
  r = sd_bus_new(&bus);
  if (r >= 0) r = sd_bus_set_address(bus, address.c_str());
  if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
  if (r >= 0) r = sd_bus_negotiate_fds(bus, 1);  // AcquireNotify hands over a file descriptor
  if (r >= 0) r = sd_bus_start(bus);
  if (r < 0) {
    sd_bus_unref(bus);
    throw std::runtime_error("cannot connect to D-Bus at '" + address + "': " + errno_text(r));
  }
  return bus;
}

}  // namespace

std::shared_ptr<SdBusAsio> SdBusAsio::open(boost::asio::io_context& io, const std::string& address,
                                           LostHandler on_lost) {
  sd_bus* bus = connect_bus(address);
  auto connection = std::make_shared<SdBusAsio>(Tag{}, io, bus, std::move(on_lost));
  connection->schedule_pump();  // the Hello call is already queued
  return connection;
}

SdBusAsio::SdBusAsio(Tag, boost::asio::io_context& io, sd_bus* bus, LostHandler on_lost)
    : io_(io), bus_(bus), on_lost_(std::move(on_lost)), descriptor_(io), timer_(io) {
  const int fd = sd_bus_get_fd(bus_);
  if (fd < 0) {
    sd_bus_flush_close_unref(bus_);
    throw std::runtime_error("D-Bus connection has no file descriptor: " + errno_text(fd));
  }
  descriptor_.assign(fd);
}

SdBusAsio::~SdBusAsio() {
  closed_ = true;
  timer_.cancel();
  descriptor_.release();  // the fd belongs to sd-bus; pending waits end with operation_aborted
  for (sd_bus_slot* slot : match_slots_) sd_bus_slot_unref(slot);
  // Floating reply slots (and their PendingCall) go with the bus, without being called.
  sd_bus_flush_close_unref(bus_);
}

void SdBusAsio::close() {
  closed_ = true;
  timer_.cancel();
  descriptor_.cancel();
}

void SdBusAsio::call(const std::string& destination, const std::string& path, const std::string& interface,
                     const std::string& member, ReplyHandler on_reply, const ArgumentWriter& write_arguments) {
  if (closed_) return;
  sd_bus_message* request = nullptr;
  int r = sd_bus_message_new_method_call(bus_, &request, destination.c_str(), path.c_str(), interface.c_str(),
                                         member.c_str());
  if (r >= 0 && write_arguments) r = write_arguments(request);
  sd_bus_slot* slot = nullptr;
  auto* pending = new PendingCall{this, std::move(on_reply)};
  if (r >= 0) r = sd_bus_call_async(bus_, &slot, request, &SdBusAsio::on_reply_trampoline, pending, 0);
  sd_bus_message_unref(request);
  if (r < 0) {
    // Reported like a reply, later, so callers have one path for every failure.
    CallResult failed{nullptr, "org.freedesktop.DBus.Error.Failed",
                      "cannot send " + interface + "." + member + ": " + errno_text(r)};
    boost::asio::post(io_, [weak = weak_from_this(), handler = std::move(pending->handler), failed] {
      auto self = weak.lock();
      if (self && !self->closed_) self->run_handler([&] { handler(failed); });
    });
    delete pending;
    return;
  }
  sd_bus_slot_set_destroy_callback(slot, &destroy_pending_call);
  sd_bus_slot_set_floating(slot, 1);
  sd_bus_slot_unref(slot);
  schedule_pump();  // the write may be partial and the call's time-out moves the timer
}

void SdBusAsio::add_match(const std::string& rule, SignalHandler on_signal) {
  if (closed_) return;
  signal_handlers_.push_back(SignalSubscription{this, std::move(on_signal)});
  sd_bus_slot* slot = nullptr;
  int r = sd_bus_add_match_async(bus_, &slot, rule.c_str(), &SdBusAsio::on_signal_trampoline, nullptr,
                                 &signal_handlers_.back());
  if (r < 0) {
    signal_handlers_.pop_back();
    throw std::runtime_error("cannot add D-Bus match '" + rule + "': " + errno_text(r));
  }
  match_slots_.push_back(slot);
  schedule_pump();
}

int SdBusAsio::on_reply_trampoline(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* pending = static_cast<PendingCall*>(userdata);
  CallResult result{m, {}, {}};
  if (const sd_bus_error* error = sd_bus_message_get_error(m)) {
    result.error_name = error->name ? error->name : "org.freedesktop.DBus.Error.Failed";
    result.error_message = error->message ? error->message : "";
  }
  pending->owner->run_handler([&] { pending->handler(result); });
  return 0;
}

int SdBusAsio::on_signal_trampoline(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* subscription = static_cast<SignalSubscription*>(userdata);
  subscription->owner->run_handler([&] { subscription->handler(m); });
  return 0;
}

void SdBusAsio::run_handler(const std::function<void()>& handler) {
  if (closed_) return;
  try {
    handler();
  } catch (...) {
    if (!handler_failure_) handler_failure_ = std::current_exception();
  }
}

void SdBusAsio::schedule_pump() {
  if (pump_scheduled_ || closed_) return;
  pump_scheduled_ = true;
  boost::asio::post(io_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->pump_scheduled_ = false;
      self->pump();
    }
  });
}

void SdBusAsio::pump() {
  auto keep_alive = shared_from_this();  // a handler may drop its owner's last reference
  int r = 0;
  while (!closed_ && (r = sd_bus_process(bus_, nullptr)) > 0) {
  }
  if (handler_failure_) {
    auto failure = std::exchange(handler_failure_, nullptr);
    if (!closed_) arm();
    std::rethrow_exception(failure);
  }
  if (closed_) return;
  if (r < 0) {
    closed_ = true;
    timer_.cancel();
    descriptor_.cancel();
    if (on_lost_) on_lost_("D-Bus connection lost: " + errno_text(r));
    return;
  }
  arm();
}

void SdBusAsio::arm() {
  const int events = sd_bus_get_events(bus_);
  if (events < 0) {
    closed_ = true;
    if (on_lost_) on_lost_("D-Bus connection unusable: " + errno_text(events));
    return;
  }
  if ((events & POLLIN) && !read_waiting_) {
    read_waiting_ = true;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [weak = weak_from_this()](const boost::system::error_code& ec) {
                             auto self = weak.lock();
                             if (!self) return;
                             self->read_waiting_ = false;
                             if (!ec) self->pump();
                           });
  }
  if ((events & POLLOUT) && !write_waiting_) {
    write_waiting_ = true;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                           [weak = weak_from_this()](const boost::system::error_code& ec) {
                             auto self = weak.lock();
                             if (!self) return;
                             self->write_waiting_ = false;
                             if (!ec) self->pump();
                           });
  }
  std::uint64_t deadline_us = UINT64_MAX;
  if (sd_bus_get_timeout(bus_, &deadline_us) < 0 || deadline_us == UINT64_MAX) {
    timer_.cancel();
    return;
  }
  const std::uint64_t now_us = monotonic_now_us();
  const std::uint64_t wait_us = deadline_us > now_us ? deadline_us - now_us : 0;
  timer_.expires_after(std::chrono::microseconds(wait_us));
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (self && !ec) self->pump();
  });
}

}  // namespace plinth::bluez
