#include "daemon/config/toml_access.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace plinth {

void TomlAccess::allow_only(std::initializer_list<std::string_view> known) const {
  allow_only(std::span<const std::string_view>(known.begin(), known.size()));
}

void TomlAccess::allow_only(std::span<const std::string_view> known) const {
  for (const auto& [key, node] : table_) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      throw ConfigError(file_, node.source().begin.line, key_path(key.str()),
                        "unknown key (known keys here: " + list + ")");
    }
  }
}

std::string_view TomlAccess::current_or_deprecated(std::string_view deprecated, std::string_view current,
                                                  std::vector<std::string>* warnings) const {
  if (!has(deprecated)) return current;
  if (has(current)) fail(deprecated, "is the deprecated name of " + std::string(current) + ", which is also given");
  if (warnings)
    warnings->push_back(file_ + ":" + std::to_string(line_of(deprecated)) + ": " + key_path(deprecated) +
                        " is deprecated, use " + std::string(current));
  return deprecated;
}

std::optional<std::string> TomlAccess::optional_string(std::string_view key) const {
  const toml::node* n = table_.get(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) fail(key, "must be a string");
  return n->as_string()->get();
}

std::string TomlAccess::string_or(std::string_view key, std::string fallback) const {
  return optional_string(key).value_or(std::move(fallback));
}

std::string TomlAccess::required_string(std::string_view key) const {
  auto v = optional_string(key);
  if (!v) fail(key, "is required");
  if (v->empty()) fail(key, "must not be empty");
  return *v;
}

std::optional<std::int64_t> TomlAccess::optional_integer(std::string_view key, std::int64_t min,
                                                         std::int64_t max) const {
  const toml::node* n = table_.get(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) fail(key, "must be an integer");
  const std::int64_t v = n->as_integer()->get();
  if (v < min || v > max)
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                  std::to_string(v) + ")");
  return v;
}

std::int64_t TomlAccess::integer_or(std::string_view key, std::int64_t fallback, std::int64_t min,
                                    std::int64_t max) const {
  return optional_integer(key, min, max).value_or(fallback);
}

std::int64_t TomlAccess::required_integer(std::string_view key, std::int64_t min, std::int64_t max) const {
  auto v = optional_integer(key, min, max);
  if (!v) fail(key, "is required");
  return *v;
}

std::optional<double> TomlAccess::optional_number(std::string_view key, double min, double max, Lower lower) const {
  const toml::node* n = table_.get(key);
  if (!n) return std::nullopt;
  double v = 0;
  if (n->is_floating_point()) v = n->as_floating_point()->get();
  else if (n->is_integer()) v = static_cast<double>(n->as_integer()->get());
  else fail(key, "must be a number");
  const bool too_low = lower == Lower::above ? !(v > min) : !(v >= min);
  if (!std::isfinite(v) || too_low || v > max)
    fail(key, std::string("must be ") + (lower == Lower::above ? "above " : "between ") + format_number(min) +
                  (lower == Lower::above ? " and at most " : " and ") + format_number(max) + " (got " + format_number(v) + ")");
  return v;
}

double TomlAccess::number_or(std::string_view key, double fallback, double min, double max, Lower lower) const {
  return optional_number(key, min, max, lower).value_or(fallback);
}

std::optional<bool> TomlAccess::optional_bool(std::string_view key) const {
  const toml::node* n = table_.get(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) fail(key, "must be true or false");
  return n->as_boolean()->get();
}

std::string TomlAccess::format_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

bool TomlAccess::bool_or(std::string_view key, bool fallback) const { return optional_bool(key).value_or(fallback); }

const toml::table* TomlAccess::optional_table(std::string_view key) const {
  const toml::node* n = table_.get(key);
  if (!n) return nullptr;
  if (!n->is_table()) fail(key, "must be a table");
  return n->as_table();
}

const toml::array* TomlAccess::optional_array(std::string_view key) const {
  const toml::node* n = table_.get(key);
  if (!n) return nullptr;
  if (!n->is_array()) fail(key, "must be an array");
  return n->as_array();
}

}  // namespace plinth
