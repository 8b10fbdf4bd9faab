#pragma once
// Typed reads from a toml++ table that fail with ConfigError naming file, line and key.
#include <toml++/toml.h>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config_error.hpp"

namespace plinth {

class TomlAccess {
 public:
  // `path` is the dotted key of the table itself ("" for the root, "mat[0]", ...).
  TomlAccess(const toml::table& table, std::string file, std::string path)
      : table_(table), file_(std::move(file)), path_(std::move(path)) {}

  const toml::table& table() const { return table_; }
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }
  std::string key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  std::uint32_t line_of(std::string_view key) const {
    if (const toml::node* n = table_.get(key)) return n->source().begin.line;
    return table_.source().begin.line;
  }
  [[noreturn]] void fail(std::string_view key, const std::string& what) const {
    throw ConfigError(file_, line_of(key), key_path(key), what);
  }

  // A renamed key: `current`, or `deprecated` when only that is given (then one "file:line: key is
  // deprecated, use ..." line goes to `warnings`); both given is an error.
  std::string_view current_or_deprecated(std::string_view deprecated, std::string_view current,
                                         std::vector<std::string>* warnings) const;

  // Rejects keys the program does not know: a typo must not be silently ignored.
  void allow_only(std::initializer_list<std::string_view> known) const;
  void allow_only(std::span<const std::string_view> known) const;

  std::optional<std::string> optional_string(std::string_view key) const;
  std::string string_or(std::string_view key, std::string fallback) const;
  std::string required_string(std::string_view key) const;
  std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  std::int64_t integer_or(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  std::int64_t required_integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  // `above`: the value must exceed min (a pitch or a scale of 0 means nothing), not just reach it.
  enum class Lower { at_least, above };
  double number_or(std::string_view key, double fallback, double min, double max, Lower lower = Lower::at_least) const;
  std::optional<double> optional_number(std::string_view key, double min, double max, Lower lower = Lower::at_least) const;
  std::optional<bool> optional_bool(std::string_view key) const;
  bool bool_or(std::string_view key, bool fallback) const;
  bool has(std::string_view key) const { return table_.contains(key); }
  const toml::node* get(std::string_view key) const { return table_.get(key); }

  // 2.5, 1000, 0.001: a number as a person writes it in a message.
  static std::string format_number(double v);
  const toml::table* optional_table(std::string_view key) const;
  const toml::array* optional_array(std::string_view key) const;

 private:
  const toml::table& table_;
  std::string file_;
  std::string path_;
};

}  // namespace plinth
