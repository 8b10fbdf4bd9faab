#include "drivers/bluez/bluez_messages.hpp"

#include <cstdlib>
#include <memory>
#include <string_view>

namespace plinth::bluez {
namespace {

struct StrvFree {
  void operator()(char** list) const {
    for (char** item = list; item && *item; ++item) std::free(*item);
    std::free(list);
  }
};

int read_strings(sd_bus_message* m, std::vector<std::string>& out) {
  char** raw = nullptr;
  int r = sd_bus_message_read_strv(m, &raw);
  std::unique_ptr<char*, StrvFree> owned(raw);
  if (r < 0) return r;
  out.clear();
  for (char** item = raw; item && *item; ++item) out.emplace_back(*item);
  return 0;
}

// Reads one variant; fills `out` only for the types the client uses, skips the rest.
int read_variant(sd_bus_message* m, std::optional<PropertyValue>& out) {
  char type = 0;
  const char* contents = nullptr;
  int r = sd_bus_message_peek_type(m, &type, &contents);
  if (r < 0) return r;
  if (r == 0 || type != SD_BUS_TYPE_VARIANT || contents == nullptr) return -EBADMSG;
  const std::string_view signature(contents);
  const bool known = signature == "b" || signature == "s" || signature == "o" || signature == "as" ||
                     signature == "ay";
  if (!known) return sd_bus_message_skip(m, "v");

  r = sd_bus_message_enter_container(m, SD_BUS_TYPE_VARIANT, contents);
  if (r < 0) return r;
  if (signature == "b") {
    int value = 0;
    r = sd_bus_message_read_basic(m, SD_BUS_TYPE_BOOLEAN, &value);
    if (r >= 0) out = value != 0;
  } else if (signature == "s" || signature == "o") {
    const char* value = nullptr;
    r = sd_bus_message_read_basic(m, signature[0], &value);
    if (r >= 0) out = std::string(value ? value : "");
  } else if (signature == "as") {
    std::vector<std::string> values;
    r = read_strings(m, values);
    if (r >= 0) out = std::move(values);
  } else {
    const void* data = nullptr;
    std::size_t size = 0;
    r = sd_bus_message_read_array(m, SD_BUS_TYPE_BYTE, &data, &size);
    if (r >= 0) {
      const auto* bytes = static_cast<const std::uint8_t*>(data);
      out = std::vector<std::uint8_t>(bytes, bytes + size);
    }
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

}  // namespace

int read_property_map(sd_bus_message* m, PropertyMap& out) {
  int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sv}");
  if (r < 0) return r;
  while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sv")) > 0) {
    const char* name = nullptr;
    r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &name);
    if (r < 0) return r;
    std::optional<PropertyValue> value;
    r = read_variant(m, value);
    if (r < 0) return r;
    if (value) out.insert_or_assign(name, std::move(*value));
    r = sd_bus_message_exit_container(m);
    if (r < 0) return r;
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

int read_interface_map(sd_bus_message* m, InterfaceMap& out) {
  int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{sa{sv}}");
  if (r < 0) return r;
  while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "sa{sv}")) > 0) {
    const char* interface = nullptr;
    r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &interface);
    if (r < 0) return r;
    r = read_property_map(m, out[interface]);
    if (r < 0) return r;
    r = sd_bus_message_exit_container(m);
    if (r < 0) return r;
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

int read_managed_objects(sd_bus_message* m, ManagedObjects& out) {
  int r = sd_bus_message_enter_container(m, SD_BUS_TYPE_ARRAY, "{oa{sa{sv}}}");
  if (r < 0) return r;
  while ((r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, "oa{sa{sv}}")) > 0) {
    const char* path = nullptr;
    r = sd_bus_message_read_basic(m, SD_BUS_TYPE_OBJECT_PATH, &path);
    if (r < 0) return r;
    r = read_interface_map(m, out[path]);
    if (r < 0) return r;
    r = sd_bus_message_exit_container(m);
    if (r < 0) return r;
  }
  if (r < 0) return r;
  return sd_bus_message_exit_container(m);
}

int read_interfaces_removed(sd_bus_message* m, std::string& path, std::vector<std::string>& interfaces) {
  const char* raw_path = nullptr;
  int r = sd_bus_message_read_basic(m, SD_BUS_TYPE_OBJECT_PATH, &raw_path);
  if (r < 0) return r;
  path = raw_path ? raw_path : "";
  return read_strings(m, interfaces);
}

int read_properties_changed(sd_bus_message* m, std::string& interface, PropertyMap& changed) {
  const char* raw_interface = nullptr;
  int r = sd_bus_message_read_basic(m, SD_BUS_TYPE_STRING, &raw_interface);
  if (r < 0) return r;
  interface = raw_interface ? raw_interface : "";
  return read_property_map(m, changed);
}

}  // namespace plinth::bluez
