#include "drivers/driver_options.hpp"

namespace plinth {

std::string DriverOptions::text_or(std::string_view key, std::string_view fallback) const {
  const auto it = values.find(key);
  if (it == values.end()) return std::string(fallback);
  return std::get<std::string>(it->second);
}

std::int64_t DriverOptions::integer_or(std::string_view key, std::int64_t fallback) const {
  const auto it = values.find(key);
  if (it == values.end()) return fallback;
  return std::get<std::int64_t>(it->second);
}

}  // namespace plinth
