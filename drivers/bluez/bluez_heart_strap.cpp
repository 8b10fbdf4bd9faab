#include "drivers/bluez/bluez_heart_strap.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <span>
#include <stdexcept>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "drivers/ble_heart_rate.hpp"
#include "drivers/bluez/bluez_messages.hpp"
#include "drivers/bluez/bluez_objects.hpp"
#include "drivers/bluez/sd_bus_asio.hpp"

namespace plinth {

using namespace plinth::bluez;

namespace {

constexpr const char* kObjectManagerInterface = "org.freedesktop.DBus.ObjectManager";
constexpr const char* kObjectManagerRule =
    "type='signal',sender='org.bluez',path='/',interface='org.freedesktop.DBus.ObjectManager'";
constexpr const char* kPropertiesRule =
    "type='signal',sender='org.bluez',interface='org.freedesktop.DBus.Properties',"
    "member='PropertiesChanged',path_namespace='/org/bluez'";
constexpr const char* kBluezOwnerRule =
    "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
    "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.bluez'";
// Largest ATT notification (MTU 517 less the 3-byte header) fits with room to spare.
constexpr std::size_t kNotifyBufferSize = 1024;

bool bluez_absent(const CallResult& result) {
  return result.error_name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
         result.error_name == "org.freedesktop.DBus.Error.NameHasNoOwner";
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::vector<std::string> adapter_names(const ManagedObjects& objects) {
  std::vector<std::string> names;
  for (const auto& [path, interfaces] : objects) {
    if (interfaces.contains(kAdapterInterface)) names.push_back(path.substr(path.rfind('/') + 1));
  }
  return names;
}

}  // namespace

BluezStrapConfig bluez_strap_config(const DriverOptions& options) {
  BluezStrapConfig c;
  c.bus_address = options.text_or("bus_address", c.bus_address);
  c.adapter = options.text_or("adapter", c.adapter);
  c.device = options.text_or("device", c.device);
  return c;
}

const char* state_name(BluezStrapState state) {
  switch (state) {
    case BluezStrapState::idle: return "idle";
    case BluezStrapState::searching: return "searching";
    case BluezStrapState::connecting: return "connecting";
    case BluezStrapState::resolving: return "resolving";
    case BluezStrapState::subscribing: return "subscribing";
    case BluezStrapState::streaming: return "streaming";
    case BluezStrapState::lost: return "lost";
    case BluezStrapState::error: return "error";
  }
  return "unknown";
}

class BluezHeartStrap::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, BluezStrapConfig config, BluezStrapCallbacks callbacks)
      : io_(io),
        config_(std::move(config)),
        callbacks_(std::move(callbacks)),
        retry_timer_(io),
        resolve_timer_(io),
        notify_stream_(io) {
    samples_.reserve(16);
  }

  ~Impl() { stop(); }

  void start() {
    if (running_) return;
    running_ = true;
    open_bus();
  }

  void stop() {
    if (!running_) return;
    running_ = false;
    ++epoch_;
    ++attempt_;
    retry_timer_.cancel();
    resolve_timer_.cancel();
    close_notify();
    if (bus_) {
      // Queued now, flushed when the connection is freed.
      if (start_notify_active_ && !char_path_.empty()) call_ignoring_reply(char_path_, kGattCharacteristicInterface, "StopNotify");
      stop_discovery();
      bus_->close();
      bus_.reset();
    }
    start_notify_active_ = false;
    discovery_started_ = false;
    objects_.clear();
    char_path_.clear();
    set_state(BluezStrapState::idle, "stopped");
  }

  BluezStrapState state() const { return state_; }

  BluezStrapCounters counters() const {
    BluezStrapCounters copy = counters_;
    copy.device_path = device_path_;
    copy.characteristic_path = char_path_;
    copy.acquired_notify = notify_stream_.is_open();
    return copy;
  }

 private:
  // ---- connection to the bus -------------------------------------------------------------
  void open_bus() {
    if (!running_) return;
    try {
      bus_ = SdBusAsio::open(io_, config_.bus_address, [this](const std::string& why) { on_bus_lost(why); });
      bus_->add_match(kObjectManagerRule, [this](sd_bus_message* m) { on_object_manager_signal(m); });
      bus_->add_match(kPropertiesRule, [this](sd_bus_message* m) { on_properties_changed(m); });
      bus_->add_match(kBluezOwnerRule, [this](sd_bus_message* m) { on_bluez_owner_changed(m); });
    } catch (const std::exception& e) {
      if (bus_) bus_->close();
      bus_.reset();
      set_state(BluezStrapState::error, e.what());
      retry_later(&Impl::open_bus);
      return;
    }
    search();  // sent after the matches, so no signal between the two is missed
  }

  void on_bus_lost(const std::string& why) {
    close_notify();
    bus_.reset();  // the connection object lives on until its pump returns
    start_notify_active_ = false;
    discovery_started_ = false;
    objects_.clear();
    char_path_.clear();
    ++attempt_;
    set_state(BluezStrapState::error, why + "; reconnecting to the bus");
    retry_later(&Impl::open_bus);
  }

  // ---- finding adapter and device --------------------------------------------------------
  void search() {
    if (!running_ || !bus_) return;
    const auto epoch = ++epoch_;
    if (state_ != BluezStrapState::searching && state_ != BluezStrapState::error) {
      set_state(BluezStrapState::searching, "looking for '" + config_.device + "' on " + config_.adapter);
    }
    bus_->call(std::string(kService), "/", kObjectManagerInterface, "GetManagedObjects",
               [this, epoch](const CallResult& result) {
                 if (epoch != epoch_) return;
                 if (!result.ok()) {
                   set_state(BluezStrapState::error,
                             bluez_absent(result) ? "BlueZ (org.bluez) is not on the bus: is bluetoothd running?"
                                                  : "GetManagedObjects failed: " + result.describe());
                   retry_later(&Impl::search);
                   return;
                 }
                 ManagedObjects fresh;
                 if (int r = read_managed_objects(result.reply, fresh); r < 0) {
                   set_state(BluezStrapState::error, "unreadable GetManagedObjects reply from BlueZ");
                   retry_later(&Impl::search);
                   return;
                 }
                 objects_ = std::move(fresh);
                 choose_device();
               });
  }

  // Decides from objects_ alone; called after GetManagedObjects and on InterfacesAdded.
  void choose_device() {
    const auto adapter = find_adapter(objects_, config_.adapter);
    if (!adapter) {
      const auto names = adapter_names(objects_);
      set_state(BluezStrapState::error, "no Bluetooth adapter '" + config_.adapter + "'" +
                                            (names.empty() ? " (BlueZ has no adapters)" : " (BlueZ has: " + join(names) + ")"));
      retry_later(&Impl::search);
      return;
    }
    const DeviceLookup lookup = find_device(objects_, *adapter, config_.device);
    if (!lookup.path) {
      devices_seen_ = lookup.devices_seen;
      set_state(BluezStrapState::searching, not_found_detail());
      start_discovery(*adapter);
      retry_later(&Impl::search);
      return;
    }
    stop_discovery();
    device_path_ = *lookup.path;
    const PropertyMap* device = interface_properties(objects_, device_path_, kDeviceInterface);
    const bool connected = device && bool_property(*device, "Connected").value_or(false);
    const bool resolved = device && bool_property(*device, "ServicesResolved").value_or(false);
    if (connected && resolved) {
      ++attempt_;
      arm_resolve_timeout();
      find_characteristic();
    } else {
      connect_device();
    }
  }

  // Only a strap BlueZ has seen can be connected; a scan makes an unpaired one appear.
  void start_discovery(const std::string& adapter_path) {
    if (!config_.discover_when_missing || discovery_started_ || discovery_requested_) return;
    discovery_requested_ = true;
    adapter_path_ = adapter_path;
    const auto le_only = [](sd_bus_message* m) {
      return sd_bus_message_append(m, "a{sv}", 1, "Transport", "s", "le");
    };
    // A filter failure is harmless: an unfiltered scan finds the strap too.
    bus_->call(std::string(kService), adapter_path, std::string(kAdapterInterface), "SetDiscoveryFilter",
               [this, adapter_path](const CallResult&) {
                 bus_->call(std::string(kService), adapter_path, std::string(kAdapterInterface), "StartDiscovery",
                            [this](const CallResult& result) {
                              discovery_requested_ = false;
                              discovery_started_ = result.ok();
                              discovery_error_ = result.ok() ? "" : result.describe();
                              if (state_ != BluezStrapState::searching) {
                                stop_discovery();  // the strap turned up while the call was under way
                              } else if (!result.ok()) {
                                set_state(BluezStrapState::searching, not_found_detail());
                              }
                            });
               },
               le_only);
  }

  std::string not_found_detail() const {
    std::string detail = "device '" + config_.device + "' not found among " + std::to_string(devices_seen_) +
                         " devices on " + config_.adapter;
    if (!discovery_error_.empty()) {
      detail += "; scanning failed: " + discovery_error_;
    } else if (config_.discover_when_missing) {
      detail += "; scanning";
    }
    return detail + " (switch the strap on and wear it; pair it once with bluetoothctl if it never appears)";
  }

  void stop_discovery() {
    if (!discovery_started_ || !bus_) return;
    discovery_started_ = false;
    call_ignoring_reply(adapter_path_, kAdapterInterface, "StopDiscovery");
  }

  // ---- connecting ------------------------------------------------------------------------
  void connect_device() {
    const auto epoch = ++epoch_;
    ++attempt_;
    arm_resolve_timeout();
    set_state(BluezStrapState::connecting, "connecting to " + device_path_);
    bus_->call(std::string(kService), device_path_, std::string(kDeviceInterface), "Connect",
               [this, epoch](const CallResult& result) {
                 if (epoch != epoch_) return;
                 const bool connected = result.ok() || result.error_name == "org.bluez.Error.AlreadyConnected" ||
                                        result.error_name == "org.bluez.Error.InProgress";
                 if (!connected) {
                   link_lost("Connect failed: " + result.describe());
                   return;
                 }
                 const PropertyMap* device = interface_properties(objects_, device_path_, kDeviceInterface);
                 if (device && bool_property(*device, "ServicesResolved").value_or(false)) {
                   find_characteristic();
                 } else {
                   set_state(BluezStrapState::resolving, "connected; waiting for BlueZ to resolve GATT services");
                 }
               });
  }

  void arm_resolve_timeout() {
    const auto attempt = attempt_;
    resolve_timer_.expires_after(config_.resolve_timeout);
    resolve_timer_.async_wait([weak = weak_from_this(), attempt](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec || attempt != self->attempt_) return;
      const auto s = self->state_;
      if (s == BluezStrapState::connecting || s == BluezStrapState::resolving || s == BluezStrapState::subscribing) {
        self->link_lost("no notifications within " + std::to_string(self->config_.resolve_timeout.count()) +
                        " ms of connecting (" + self->detail_ + ")");
      }
    });
  }

  // ---- the Heart Rate Measurement characteristic ----------------------------------------
  void find_characteristic() {
    const auto epoch = ++epoch_;
    set_state(BluezStrapState::resolving, "looking for the Heart Rate Measurement characteristic (0x2A37)");
    bus_->call(std::string(kService), "/", kObjectManagerInterface, "GetManagedObjects",
               [this, epoch](const CallResult& result) {
                 if (epoch != epoch_) return;
                 ManagedObjects fresh;
                 if (!result.ok() || read_managed_objects(result.reply, fresh) < 0) {
                   link_lost("GetManagedObjects failed: " + result.describe());
                   return;
                 }
                 objects_ = std::move(fresh);
                 use_characteristic_if_present();
               });
  }

  // Also called on InterfacesAdded while resolving: BlueZ may add GATT objects late.
  void use_characteristic_if_present() {
    const CharacteristicLookup lookup = find_heart_rate_characteristic(objects_, device_path_);
    if (!lookup.path) {
      set_state(BluezStrapState::resolving,
                lookup.service_found
                    ? "the Heart Rate service (0x180D) has no Heart Rate Measurement characteristic (0x2A37) yet"
                    : "the device offers no Heart Rate service (0x180D) yet; is it a heart-rate strap?");
      return;  // InterfacesAdded may still bring it; the resolve time-out ends the wait
    }
    char_path_ = *lookup.path;
    if (!lookup.notify_supported) {
      fail_and_retry("notify failed: characteristic " + char_path_ + " does not offer notifications (Flags)");
      return;
    }
    subscribe();
  }

  void subscribe() {
    const auto epoch = ++epoch_;
    set_state(BluezStrapState::subscribing, "subscribing to " + char_path_);
    if (!config_.prefer_acquire_notify) {
      start_notify(epoch, "not tried");
      return;
    }
    bus_->call(
        std::string(kService), char_path_, std::string(kGattCharacteristicInterface), "AcquireNotify",
        [this, epoch](const CallResult& result) {
          if (epoch != epoch_) return;
          if (!result.ok()) {
            start_notify(epoch, result.describe());
            return;
          }
          int fd = -1;
          std::uint16_t mtu = 0;
          if (sd_bus_message_read(result.reply, "hq", &fd, &mtu) < 0) {
            start_notify(epoch, "unreadable reply");
            return;
          }
          const int own_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);  // the message owns `fd`
          if (own_fd < 0) {
            start_notify(epoch, "cannot duplicate the notification fd");
            return;
          }
          boost::system::error_code ec;
          notify_stream_.assign(own_fd, ec);
          if (!ec) notify_stream_.non_blocking(true, ec);
          if (ec) {
            close_notify();
            start_notify(epoch, "cannot watch the notification fd: " + ec.message());
            return;
          }
          ++notify_generation_;
          read_notifications();
          now_streaming("AcquireNotify, MTU " + std::to_string(mtu));
        },
        [](sd_bus_message* m) { return sd_bus_message_append(m, "a{sv}", 0); });
  }

  void start_notify(std::uint64_t epoch, const std::string& acquire_failure) {
    bus_->call(std::string(kService), char_path_, std::string(kGattCharacteristicInterface), "StartNotify",
               [this, epoch, acquire_failure](const CallResult& result) {
                 if (epoch != epoch_) return;
                 if (!result.ok()) {
                   fail_and_retry("notify failed on " + char_path_ + ": AcquireNotify: " + acquire_failure +
                                  "; StartNotify: " + result.describe());
                   return;
                 }
                 start_notify_active_ = true;
                 now_streaming("StartNotify (AcquireNotify: " + acquire_failure + ")");
               });
  }

  void now_streaming(const std::string& how) {
    resolve_timer_.cancel();
    ++counters_.subscriptions;
    set_state(BluezStrapState::streaming, "notifications from " + char_path_ + " via " + how);
  }

  void read_notifications() {
    notify_stream_.async_read_some(
        boost::asio::buffer(notify_buffer_),
        [weak = weak_from_this(), generation = notify_generation_](const boost::system::error_code& ec, std::size_t n) {
          auto self = weak.lock();
          if (!self || generation != self->notify_generation_ || ec == boost::asio::error::operation_aborted) return;
          if (ec || n == 0) {
            self->close_notify();
            self->link_lost(ec ? "notification fd failed: " + ec.message() : "BlueZ closed the notification fd");
            return;
          }
          self->handle_value(std::span<const std::uint8_t>(self->notify_buffer_.data(), n));
          if (self->notify_stream_.is_open() && generation == self->notify_generation_) self->read_notifications();
        });
  }

  void handle_value(std::span<const std::uint8_t> payload) {
    ++counters_.notifications;
    std::string error;
    const auto measurement = parse_heart_rate_measurement(payload, &error);
    if (!measurement) {
      ++counters_.decode_errors;
      counters_.last_decode_error = error;
      return;
    }
    samples_.clear();
    append_heart_samples(*measurement, samples_);
    counters_.samples += samples_.size();
    if (!samples_.empty() && callbacks_.on_samples) callbacks_.on_samples(samples_);
  }

  void close_notify() {
    ++notify_generation_;
    boost::system::error_code ignored;
    if (notify_stream_.is_open()) notify_stream_.close(ignored);  // BlueZ stops notifying on close
  }

  // ---- losing and regaining the link -----------------------------------------------------
  void link_lost(const std::string& why) {
    if (!running_) return;
    close_notify();
    start_notify_active_ = false;
    char_path_.clear();
    ++epoch_;
    ++attempt_;
    resolve_timer_.cancel();
    if (state_ != BluezStrapState::lost) ++counters_.link_losses;
    set_state(BluezStrapState::lost, why + "; retrying in " + std::to_string(config_.reconnect_delay.count()) + " ms");
    retry_later(&Impl::search);
  }

  void fail_and_retry(const std::string& why) {
    close_notify();
    start_notify_active_ = false;
    ++epoch_;
    ++attempt_;
    resolve_timer_.cancel();
    set_state(BluezStrapState::error, why);
    retry_later(&Impl::search);
  }

  void retry_later(void (Impl::*step)()) {
    const auto epoch = epoch_;
    retry_timer_.expires_after(config_.reconnect_delay);
    retry_timer_.async_wait([weak = weak_from_this(), epoch, step](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec || !self->running_ || epoch != self->epoch_) return;
      ((*self).*step)();
    });
  }

  // ---- signals ---------------------------------------------------------------------------
  void on_object_manager_signal(sd_bus_message* m) {
    if (sd_bus_message_is_signal(m, kObjectManagerInterface, "InterfacesAdded") > 0) {
      const char* raw_path = nullptr;
      InterfaceMap added;
      if (sd_bus_message_read_basic(m, SD_BUS_TYPE_OBJECT_PATH, &raw_path) < 0 || read_interface_map(m, added) < 0) return;
      const std::string path = raw_path;
      for (const auto& [interface, props] : added) apply_properties(objects_, path, interface, props);
      if ((state_ == BluezStrapState::searching || state_ == BluezStrapState::error) &&
          (added.contains(kDeviceInterface) || added.contains(kAdapterInterface))) {
        ++epoch_;  // an outstanding search reply would only repeat this
        choose_device();
      } else if (state_ == BluezStrapState::resolving && path_is_under(path, device_path_) &&
                 added.contains(kGattCharacteristicInterface)) {
        const PropertyMap* device = interface_properties(objects_, device_path_, kDeviceInterface);
        if (device && bool_property(*device, "ServicesResolved").value_or(false)) use_characteristic_if_present();
      }
    } else if (sd_bus_message_is_signal(m, kObjectManagerInterface, "InterfacesRemoved") > 0) {
      std::string path;
      std::vector<std::string> removed;
      if (read_interfaces_removed(m, path, removed) < 0) return;
      auto object = objects_.find(path);
      if (object != objects_.end()) {
        for (const auto& interface : removed) object->second.erase(interface);
        if (object->second.empty()) objects_.erase(object);
      }
      const bool active = state_ != BluezStrapState::idle && state_ != BluezStrapState::searching;
      if (active && path == device_path_ && std::find(removed.begin(), removed.end(), kDeviceInterface) != removed.end()) {
        device_path_.clear();
        link_lost("BlueZ removed the device");
      } else if (!char_path_.empty() && path == char_path_) {
        link_lost("BlueZ removed the Heart Rate Measurement characteristic");
      }
    }
  }

  void on_properties_changed(sd_bus_message* m) {
    std::string interface;
    PropertyMap changed;
    if (read_properties_changed(m, interface, changed) < 0) return;
    const char* raw_path = sd_bus_message_get_path(m);
    if (raw_path == nullptr) return;
    const std::string_view path = raw_path;

    if (interface == kGattCharacteristicInterface && path == char_path_) {
      const auto* value = bytes_property(changed, "Value");
      // With AcquireNotify the fd carries the values; only StartNotify uses this path.
      if (value && start_notify_active_) handle_value(*value);
      return;
    }
    if (interface != kDeviceInterface) return;
    apply_properties(objects_, std::string(path), interface, changed);
    if (path != device_path_) return;
    if (bool_property(changed, "Connected") == false &&
        (state_ == BluezStrapState::resolving || state_ == BluezStrapState::subscribing ||
         state_ == BluezStrapState::streaming)) {
      link_lost("strap disconnected");
    } else if (bool_property(changed, "ServicesResolved") == true &&
               (state_ == BluezStrapState::connecting || state_ == BluezStrapState::resolving)) {
      find_characteristic();
    }
  }

  void on_bluez_owner_changed(sd_bus_message* m) {
    const char* name = nullptr;
    const char* old_owner = nullptr;
    const char* new_owner = nullptr;
    if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0) return;
    if (new_owner == nullptr || *new_owner == '\0') {
      objects_.clear();
      discovery_started_ = false;
      link_lost("bluetoothd (org.bluez) left the bus");
    } else if (old_owner == nullptr || *old_owner == '\0') {
      ++epoch_;
      search();
    }
  }

  // ---- helpers ---------------------------------------------------------------------------
  void call_ignoring_reply(const std::string& path, std::string_view interface, const char* member) {
    bus_->call(std::string(kService), path, std::string(interface), member, [](const CallResult&) {});
  }

  void set_state(BluezStrapState state, std::string detail) {
    if (state == state_ && detail == detail_) return;
    state_ = state;
    detail_ = std::move(detail);
    if (callbacks_.on_state) callbacks_.on_state(state_, detail_);
  }

  boost::asio::io_context& io_;
  BluezStrapConfig config_;
  BluezStrapCallbacks callbacks_;
  std::shared_ptr<SdBusAsio> bus_;
  ManagedObjects objects_;
  BluezStrapState state_ = BluezStrapState::idle;
  std::string detail_;
  std::string adapter_path_;
  std::string device_path_;
  std::string char_path_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer resolve_timer_;
  boost::asio::posix::stream_descriptor notify_stream_;
  std::array<std::uint8_t, kNotifyBufferSize> notify_buffer_{};
  std::vector<HeartSample> samples_;
  std::uint64_t epoch_ = 0;               // bumps on every step; stale replies are dropped
  std::uint64_t attempt_ = 0;             // bumps per connection attempt; for the resolve time-out
  std::uint64_t notify_generation_ = 0;   // bumps per notification fd
  bool running_ = false;
  bool start_notify_active_ = false;
  bool discovery_started_ = false;
  bool discovery_requested_ = false;
  std::string discovery_error_;
  std::size_t devices_seen_ = 0;
  BluezStrapCounters counters_;
};

BluezHeartStrap::BluezHeartStrap(boost::asio::io_context& io, BluezStrapConfig config, BluezStrapCallbacks callbacks) {
  if (config.device.empty()) throw std::invalid_argument("BlueZ heart strap: no device address or name configured");
  if (config.adapter.empty()) throw std::invalid_argument("BlueZ heart strap: no adapter configured (e.g. \"hci0\")");
  if (config.reconnect_delay.count() <= 0 || config.resolve_timeout.count() <= 0) {
    throw std::invalid_argument("BlueZ heart strap: reconnect_delay and resolve_timeout must be positive");
  }
  impl_ = std::make_shared<Impl>(io, std::move(config), std::move(callbacks));
}

BluezHeartStrap::~BluezHeartStrap() = default;

void BluezHeartStrap::start() { impl_->start(); }
void BluezHeartStrap::stop() { impl_->stop(); }
BluezStrapState BluezHeartStrap::state() const { return impl_->state(); }
BluezStrapCounters BluezHeartStrap::counters() const { return impl_->counters(); }

}  // namespace plinth
