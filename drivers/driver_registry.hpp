#pragma once
// The table of device protocols (after gpsd's driver table). Each protocol lives in one
// file under drivers/ and exports one DriverDescriptor (drivers/driver.hpp); driver_registry.cpp
// lists them. The daemon and `plinth sim` look protocols up by name and never name one themselves.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "drivers/driver.hpp"

namespace plinth {

const std::vector<const DriverDescriptor*>& all_drivers();
const DriverDescriptor* find_driver(std::string_view name);
// The first driver of `kind` whose sniff recognises the capture, or null.
const DriverDescriptor* sniff_driver(DeviceKind kind, std::span<const std::uint8_t> capture);

}  // namespace plinth
