#pragma once
// One sd-bus connection driven by a Boost.Asio io_context, no extra thread: the bus fd is
// waited on with async_wait for the events sd_bus_get_events() asks for, a steady_timer
// follows sd_bus_get_timeout(), and sd_bus_process() runs until it has nothing left.
// Private to plinth_bluez. Use it from the io_context's thread only.
#include <exception>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <systemd/sd-bus.h>

namespace plinth::bluez {

struct CallResult {
  sd_bus_message* reply = nullptr;  // null when the call could not even be sent
  std::string error_name;           // empty on success
  std::string error_message;
  bool ok() const { return error_name.empty(); }
  std::string describe() const { return error_name + ": " + error_message; }
};

class SdBusAsio : public std::enable_shared_from_this<SdBusAsio> {
 public:
  using ReplyHandler = std::function<void(const CallResult&)>;
  using SignalHandler = std::function<void(sd_bus_message*)>;
  using LostHandler = std::function<void(const std::string& why)>;
  using ArgumentWriter = std::function<int(sd_bus_message*)>;

  // `address` empty: the system bus. Throws std::runtime_error when the bus cannot be reached.
  static std::shared_ptr<SdBusAsio> open(boost::asio::io_context& io, const std::string& address,
                                         LostHandler on_lost);
  ~SdBusAsio();
  SdBusAsio(const SdBusAsio&) = delete;
  SdBusAsio& operator=(const SdBusAsio&) = delete;

  // Asynchronous method call; `on_reply` runs later on the io_context (also for errors,
  // time-outs and calls that could not be sent), never after close().
  void call(const std::string& destination, const std::string& path, const std::string& interface,
            const std::string& member, ReplyHandler on_reply, const ArgumentWriter& write_arguments = {});
  // Installs a match rule asynchronously; its messages reach `on_signal`.
  void add_match(const std::string& rule, SignalHandler on_signal);
  // Stops all processing now; the connection is flushed and freed when the last owner lets go.
  void close();

 private:
  struct Tag {};

 public:
  SdBusAsio(Tag, boost::asio::io_context& io, sd_bus* bus, LostHandler on_lost);

 private:
  static int on_reply_trampoline(sd_bus_message* m, void* userdata, sd_bus_error* error);
  static int on_signal_trampoline(sd_bus_message* m, void* userdata, sd_bus_error* error);
  void run_handler(const std::function<void()>& handler);
  void schedule_pump();
  void pump();
  void arm();

  boost::asio::io_context& io_;
  sd_bus* bus_;
  LostHandler on_lost_;
  boost::asio::posix::stream_descriptor descriptor_;
  boost::asio::steady_timer timer_;
  struct SignalSubscription {
    SdBusAsio* owner;
    SignalHandler handler;
  };
  std::list<SignalSubscription> signal_handlers_;  // stable addresses for sd-bus userdata
  std::vector<sd_bus_slot*> match_slots_;
  bool closed_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
  bool pump_scheduled_ = false;
  std::exception_ptr handler_failure_;  // rethrown out of io_context::run, not through C frames
};

}  // namespace plinth::bluez
