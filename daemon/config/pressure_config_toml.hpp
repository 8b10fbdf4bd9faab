#pragma once
// Reads a mat's pressure settings from its device table in the daemon's TOML config
// (keys: schemas/pressure-metrics.md §Configuration). Every bad value throws ConfigError
// naming the file, the line and the key.
#include <toml++/toml.h>

#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config_error.hpp"
#include "daemon/pressure/pressure_config.hpp"

namespace plinth {

// `key_prefix` is the dotted path of device_table in the file (e.g. "mat.bed"), used in
// error messages. A relative calibration file path is taken relative to `file`'s directory.
// Deprecated keys still accepted (their new names in schemas/pressure-metrics.md
// §Configuration) each add a "file:line: key: ..." line to `warnings` when it is given.
PressureConfig parse_pressure_config(const toml::table& device_table, const std::string& file,
                                     const std::string& key_prefix = "", std::vector<std::string>* warnings = nullptr);

// The device-table keys parse_pressure_config() reads (deprecated aliases included), for the
// caller's unknown-key check.
const std::vector<std::string_view>& pressure_config_keys();

}  // namespace plinth
