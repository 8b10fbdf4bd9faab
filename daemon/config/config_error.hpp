#pragma once
// Every configuration problem names the file, the line and the key, so that a clinic's
// admin can fix it without reading source (issue: "Bad config").
#include <cstdint>
#include <stdexcept>
#include <string>

namespace plinth {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& file, std::uint32_t line, const std::string& key, const std::string& what)
      : std::runtime_error(file + ":" + std::to_string(line) + ": " + key + ": " + what),
        file_(file), line_(line), key_(key) {}
  const std::string& file() const { return file_; }
  std::uint32_t line() const { return line_; }
  const std::string& key() const { return key_; }

 private:
  std::string file_;
  std::uint32_t line_;
  std::string key_;
};

}  // namespace plinth
