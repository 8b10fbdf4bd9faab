#pragma once
// Session ids and the archive file's name, permissions and uniqueness. HDF5 cannot be told
// a file mode, so the file is first created here with open(O_CREAT|O_EXCL, 0600): that both
// sets the mode and guarantees no earlier session's file is ever overwritten.
#include <cstdint>
#include <filesystem>
#include <string>

namespace plinth {

// "20261123T091500Z-7f3a": UTC start second plus 16 random bits written as 4 hex digits.
std::string make_session_id(std::int64_t started_at_ns, std::uint16_t random_bits);
// Same, with the random bits from std::random_device.
std::string make_session_id(std::int64_t started_at_ns);

// "2026-11-23T09:15:00.123Z" (UTC, millisecond precision).
std::string iso8601_utc(std::int64_t unix_ns);

// Creates `dir` (and missing parents) with mode 0700 if it does not exist, then creates an
// empty file `<session_id>.h5` in it with mode 0600 — or `<session_id>-1.h5`, `-2`, ... if that
// name is taken. Never opens an existing file. Throws std::system_error with the path on failure.
std::filesystem::path reserve_session_file(const std::filesystem::path& dir, const std::string& session_id);

// Creates exactly `path` with mode 0600; fails with std::system_error if it exists.
void create_exclusive_file(const std::filesystem::path& path);

}  // namespace plinth
