#pragma once
// Settings a protocol needs that the wire does not carry. The mat's geometry is common to
// every mat protocol and comes from the mat's pressure tables; anything else a driver needs
// (the ANT+ network key, a BlueZ device name, ...) the driver declares itself as
// DriverOptionSpecs, the config reader fills from the device's table, and the driver reads
// back by key. A protocol's options thus live in the protocol's own file.
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace plinth {

struct DriverOptionSpec {
  enum class Type { text, integer };
  std::string_view key;  // as written in the device's config table
  Type type = Type::text;
  std::int64_t min = 0;  // integer range, inclusive
  std::int64_t max = 0;
  bool required = false;
};

struct DriverOptions {
  std::uint16_t rows = 0;
  std::uint16_t cols = 0;
  // The values given in the config, by key; a key not given reads as the driver's fallback.
  std::map<std::string, std::variant<std::string, std::int64_t>, std::less<>> values;

  std::string text_or(std::string_view key, std::string_view fallback) const;
  std::int64_t integer_or(std::string_view key, std::int64_t fallback) const;
};

}  // namespace plinth
