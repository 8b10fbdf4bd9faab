#include "daemon/archive/session_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <random>
#include <system_error>

namespace plinth {
namespace {

std::tm utc_time(std::int64_t unix_ns, std::int64_t& subsecond_ns) {
  std::int64_t seconds = unix_ns / 1'000'000'000;
  subsecond_ns = unix_ns % 1'000'000'000;
  if (subsecond_ns < 0) {
    subsecond_ns += 1'000'000'000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

// mkdir with 0700 for every missing component; existing directories are left as they are
// (an administrator may have chosen their mode on purpose).
void create_private_directories(const std::filesystem::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  create_private_directories(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw_errno(errno, "cannot create archive directory " + dir.string());
  }
  // mkdir honours the umask, which can only remove bits, so 0700 stays 0700 or less: make it exact.
  if (::chmod(dir.c_str(), 0700) != 0) throw_errno(errno, "cannot chmod 0700 " + dir.string());
}

}  // namespace

std::string make_session_id(std::int64_t started_at_ns, std::uint16_t random_bits) {
  std::int64_t subsecond_ns = 0;
  const std::tm tm = utc_time(started_at_ns, subsecond_ns);
  char text[96];
  std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02dZ-%04x", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<unsigned>(random_bits));
  return text;
}

std::string make_session_id(std::int64_t started_at_ns) {
  std::random_device random;
  return make_session_id(started_at_ns, static_cast<std::uint16_t>(random() & 0xffffu));
}

std::string iso8601_utc(std::int64_t unix_ns) {
  std::int64_t subsecond_ns = 0;
  const std::tm tm = utc_time(unix_ns, subsecond_ns);
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(subsecond_ns / 1'000'000));
  return text;
}

void create_exclusive_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno(errno, "cannot create archive file " + path.string());
  // As with mkdir, the umask may only have narrowed 0600; make the mode exact.
  const int chmod_result = ::fchmod(fd, 0600);
  const int chmod_errno = errno;
  ::close(fd);
  if (chmod_result != 0) throw_errno(chmod_errno, "cannot chmod 0600 " + path.string());
}

std::filesystem::path reserve_session_file(const std::filesystem::path& dir, const std::string& session_id) {
  if (session_id.empty() || session_id.find('/') != std::string::npos) {
    throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                            "invalid session id '" + session_id + "'");
  }
  create_private_directories(dir);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const std::string name =
        attempt == 0 ? session_id + ".h5" : session_id + "-" + std::to_string(attempt) + ".h5";
    const std::filesystem::path path = dir / name;
    try {
      create_exclusive_file(path);
      return path;
    } catch (const std::system_error& e) {
      if (e.code() != std::errc::file_exists) throw;
    }
  }
  throw std::system_error(std::make_error_code(std::errc::file_exists),
                          "no free archive file name for session " + session_id + " in " + dir.string());
}

}  // namespace plinth
