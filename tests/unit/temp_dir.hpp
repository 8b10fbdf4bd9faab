#pragma once
// A directory under $TMPDIR that lives as long as the object, for the unit tests.
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace plinth::test_support {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "plinth-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace plinth::test_support
