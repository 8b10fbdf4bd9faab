#pragma once
// Checks on the modes of the files and directories that hold health data.
#include <filesystem>
#include <optional>
#include <string>

namespace plinth {

// A warning when an EXISTING archive directory lets group or others in. We warn rather than
// chmod: an administrator may have chosen the mode on purpose (a backup group), and the
// archive files themselves are 0600 whatever the directory's mode. New directories are 0700.
std::optional<std::string> archive_directory_warning(const std::filesystem::path& dir);

}  // namespace plinth
