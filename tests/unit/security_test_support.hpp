#pragma once
// Test-only helpers for the security tests: a temporary directory and key files in it.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "daemon/security/curve_keys.hpp"

#include "tests/unit/temp_dir.hpp"

namespace plinth::security_test {

using test_support::TempDir;

inline unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) throw std::runtime_error("stat " + p.string());
  return st.st_mode & 07777;
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

}  // namespace plinth::security_test
