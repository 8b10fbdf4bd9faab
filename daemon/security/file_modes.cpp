#include "daemon/security/file_modes.hpp"

#include <sys/stat.h>

#include <cstdio>

namespace plinth {

std::optional<std::string> archive_directory_warning(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;  // created 0700 later
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) == 0) return std::nullopt;
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return "archive_dir " + dir.string() + " has mode " + mode +
         ": other users can list the session files (each file stays 0600). Unless that is intended, run: chmod 700 " +
         dir.string();
}

}  // namespace plinth
