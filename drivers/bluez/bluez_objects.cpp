#include "drivers/bluez/bluez_objects.hpp"

#include <algorithm>
#include <cctype>

namespace plinth::bluez {
namespace {

template <typename T>
const T* typed_property(const PropertyMap& props, std::string_view name) {
  auto it = props.find(name);
  return it == props.end() ? nullptr : std::get_if<T>(&it->second);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool name_matches(const std::string* name, std::string_view wanted) {
  return name != nullptr && !wanted.empty() && name->starts_with(wanted);
}

}  // namespace

const std::string* string_property(const PropertyMap& props, std::string_view name) {
  return typed_property<std::string>(props, name);
}

std::optional<bool> bool_property(const PropertyMap& props, std::string_view name) {
  const bool* value = typed_property<bool>(props, name);
  return value ? std::optional<bool>(*value) : std::nullopt;
}

const std::vector<std::string>* strings_property(const PropertyMap& props, std::string_view name) {
  return typed_property<std::vector<std::string>>(props, name);
}

const std::vector<std::uint8_t>* bytes_property(const PropertyMap& props, std::string_view name) {
  return typed_property<std::vector<std::uint8_t>>(props, name);
}

const PropertyMap* interface_properties(const ManagedObjects& objects, std::string_view path,
                                        std::string_view interface) {
  auto object = objects.find(path);
  if (object == objects.end()) return nullptr;
  auto props = object->second.find(interface);
  return props == object->second.end() ? nullptr : &props->second;
}

void apply_properties(ManagedObjects& objects, const std::string& path, const std::string& interface,
                      const PropertyMap& changed) {
  PropertyMap& props = objects[path][interface];
  for (const auto& [name, value] : changed) props.insert_or_assign(name, value);
}

bool looks_like_bluetooth_address(std::string_view text) {
  if (text.size() != 17) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool colon_position = i % 3 == 2;
    if (colon_position ? text[i] != ':' : !std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::optional<std::string> find_adapter(const ManagedObjects& objects, std::string_view adapter_name) {
  std::string path = "/org/bluez/" + std::string(adapter_name);
  if (interface_properties(objects, path, kAdapterInterface) == nullptr) return std::nullopt;
  return path;
}

DeviceLookup find_device(const ManagedObjects& objects, std::string_view adapter_path, std::string_view wanted) {
  DeviceLookup lookup;
  const bool by_address = looks_like_bluetooth_address(wanted);
  for (const auto& [path, interfaces] : objects) {  // ordered by path: the choice is stable
    auto device = interfaces.find(kDeviceInterface);
    if (device == interfaces.end()) continue;
    const std::string* adapter = string_property(device->second, "Adapter");
    const bool on_adapter = adapter ? *adapter == adapter_path : path_is_under(path, adapter_path);
    if (!on_adapter) continue;
    ++lookup.devices_seen;
    bool match = false;
    if (by_address) {
      const std::string* address = string_property(device->second, "Address");
      match = address != nullptr && equal_ignoring_case(*address, wanted);
    } else {
      match = name_matches(string_property(device->second, "Name"), wanted) ||
              name_matches(string_property(device->second, "Alias"), wanted);
    }
    if (!match) continue;
    if (++lookup.candidates == 1) lookup.path = path;
  }
  return lookup;
}

CharacteristicLookup find_heart_rate_characteristic(const ManagedObjects& objects, std::string_view device_path) {
  CharacteristicLookup lookup;
  for (const auto& [service_path, interfaces] : objects) {
    auto service = interfaces.find(kGattServiceInterface);
    if (service == interfaces.end()) continue;
    const std::string* uuid = string_property(service->second, "UUID");
    const std::string* device = string_property(service->second, "Device");
    if (!uuid || !equal_ignoring_case(*uuid, kHeartRateServiceUuid)) continue;
    if (device ? *device != device_path : !path_is_under(service_path, device_path)) continue;
    lookup.service_found = true;
    for (const auto& [char_path, char_interfaces] : objects) {
      auto characteristic = char_interfaces.find(kGattCharacteristicInterface);
      if (characteristic == char_interfaces.end()) continue;
      const std::string* char_uuid = string_property(characteristic->second, "UUID");
      const std::string* owner = string_property(characteristic->second, "Service");
      if (!char_uuid || !equal_ignoring_case(*char_uuid, kHeartRateMeasurementUuid)) continue;
      if (owner ? *owner != service_path : !path_is_under(char_path, service_path)) continue;
      lookup.path = char_path;
      const auto* flags = strings_property(characteristic->second, "Flags");
      lookup.notify_supported = flags && std::find(flags->begin(), flags->end(), "notify") != flags->end();
      return lookup;
    }
  }
  return lookup;
}

bool path_is_under(std::string_view path, std::string_view ancestor) {
  if (!path.starts_with(ancestor)) return false;
  return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

}  // namespace plinth::bluez
