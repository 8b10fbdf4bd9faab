#pragma once
// Reading BlueZ's D-Bus messages into the plain values of bluez_objects.hpp. Private to
// plinth_bluez (includes sd-bus). Each reader returns a negative errno for a message that
// does not have the expected signature and leaves the read position undefined.
#include <string>
#include <vector>

#include <systemd/sd-bus.h>

#include "drivers/bluez/bluez_objects.hpp"

namespace plinth::bluez {

int read_property_map(sd_bus_message* m, PropertyMap& out);          // a{sv}
int read_interface_map(sd_bus_message* m, InterfaceMap& out);        // a{sa{sv}}
int read_managed_objects(sd_bus_message* m, ManagedObjects& out);    // a{oa{sa{sv}}}

// Body of org.freedesktop.DBus.ObjectManager.InterfacesRemoved: o as
int read_interfaces_removed(sd_bus_message* m, std::string& path, std::vector<std::string>& interfaces);

// Body of org.freedesktop.DBus.Properties.PropertiesChanged: s a{sv} as (invalidated ignored)
int read_properties_changed(sd_bus_message* m, std::string& interface, PropertyMap& changed);

}  // namespace plinth::bluez
