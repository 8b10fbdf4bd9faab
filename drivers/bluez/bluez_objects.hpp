#pragma once
// BlueZ's object tree as plain values, and the pure look-ups the strap client makes in it:
// which adapter, which device, which characteristic. No D-Bus here; bluez_messages.hpp
// fills these from sd-bus messages. Flow and naming: schemas/bluez-heart-rate.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace plinth::bluez {

inline constexpr std::string_view kService = "org.bluez";
inline constexpr std::string_view kAdapterInterface = "org.bluez.Adapter1";
inline constexpr std::string_view kDeviceInterface = "org.bluez.Device1";
inline constexpr std::string_view kGattServiceInterface = "org.bluez.GattService1";
inline constexpr std::string_view kGattCharacteristicInterface = "org.bluez.GattCharacteristic1";
inline constexpr std::string_view kHeartRateServiceUuid = "0000180d-0000-1000-8000-00805f9b34fb";
inline constexpr std::string_view kHeartRateMeasurementUuid = "00002a37-0000-1000-8000-00805f9b34fb";

// Only the property types the client reads; others are skipped while parsing.
using PropertyValue = std::variant<bool, std::string, std::vector<std::string>, std::vector<std::uint8_t>>;
using PropertyMap = std::map<std::string, PropertyValue, std::less<>>;
using InterfaceMap = std::map<std::string, PropertyMap, std::less<>>;   // interface -> properties
using ManagedObjects = std::map<std::string, InterfaceMap, std::less<>>;  // object path -> interfaces

const std::string* string_property(const PropertyMap& props, std::string_view name);
std::optional<bool> bool_property(const PropertyMap& props, std::string_view name);
const std::vector<std::string>* strings_property(const PropertyMap& props, std::string_view name);
const std::vector<std::uint8_t>* bytes_property(const PropertyMap& props, std::string_view name);
const PropertyMap* interface_properties(const ManagedObjects& objects, std::string_view path,
                                        std::string_view interface);

// Merge a PropertiesChanged/InterfacesAdded update into the tree.
void apply_properties(ManagedObjects& objects, const std::string& path, const std::string& interface,
                      const PropertyMap& changed);

// "A0:9E:1A:12:34:56" (either case). Anything else is taken for a device name.
bool looks_like_bluetooth_address(std::string_view text);

// "/org/bluez/hci0" if that adapter exists.
std::optional<std::string> find_adapter(const ManagedObjects& objects, std::string_view adapter_name);

struct DeviceLookup {
  std::optional<std::string> path;  // chosen device
  std::size_t candidates = 0;       // how many devices matched (>1: the first by path was taken)
  std::size_t devices_seen = 0;     // devices on the adapter, for "not found among N" messages
};

// A device of the adapter whose Address equals `wanted` (case-insensitive) when `wanted`
// looks like an address; otherwise whose Name or Alias equals `wanted` or starts with it
// (a Polar strap calls itself "Polar H10 1A2B3C4D"; "Polar H10" finds it).
DeviceLookup find_device(const ManagedObjects& objects, std::string_view adapter_path, std::string_view wanted);

struct CharacteristicLookup {
  std::optional<std::string> path;  // the 0x2A37 characteristic of the device's 0x180D service
  bool service_found = false;
  bool notify_supported = false;    // Flags contains "notify"
};

CharacteristicLookup find_heart_rate_characteristic(const ManagedObjects& objects, std::string_view device_path);

// True for `path` itself and anything below it ("/a/b" is under "/a", "/ab" is not).
bool path_is_under(std::string_view path, std::string_view ancestor);

}  // namespace plinth::bluez
