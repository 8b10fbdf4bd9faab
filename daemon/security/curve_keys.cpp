#include "daemon/security/curve_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>
#include <toml++/toml.h>

namespace plinth {
namespace {

[[noreturn]] void fail(const std::string& file, std::uint32_t line, const std::string& what) {
  throw KeyFileError(file + (line ? ":" + std::to_string(line) : std::string()) + ": " + what);
}

// Key files are a few hundred bytes; anything else (a device, a huge file) is a mistake.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;

std::string read_text(const std::filesystem::path& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    fail(path.string(), 0, "not a regular file");
  if (!ec && std::filesystem::is_regular_file(status) && std::filesystem::file_size(path, ec) > kMaxKeyFileBytes)
    fail(path.string(), 0, "too large for a key file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string(), 0, std::string("cannot read the key file: ") + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads `allowed` string keys (all required) from a key file's TOML.
toml::table parse_key_table(std::string_view text, const std::string& file,
                            std::initializer_list<std::string_view> allowed) {
  toml::table table;
  try {
    table = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    fail(file, e.source().begin.line, "not a key file (" + std::string(e.description()) + "); schemas/security.md");
  }
  for (const auto& [key, node] : table)
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
      fail(file, node.source().begin.line, "unknown key '" + std::string(key.str()) + "' in a key file");
  for (std::string_view key : allowed) {
    const toml::node* node = table.get(key);
    if (!node) fail(file, 0, "no '" + std::string(key) + " = \"...\"' line: not a key file written by plinth keygen");
    const auto* value = node->as_string();
    if (!value || !is_z85_key(value->get()))
      fail(file, node->source().begin.line,
           std::string(key) + ": not a CURVE key (40 Z85 characters between quotes)");
  }
  return table;
}

std::string z85_public_of(const std::string& secret_z85) {
  char public_key[kZ85KeyLength + 1] = {};
  if (zmq_curve_public(public_key, secret_z85.c_str()) != 0)
    throw std::runtime_error(std::string("zmq_curve_public: ") + zmq_strerror(zmq_errno()));
  return public_key;
}

void write_new_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST) fail(path.string(), 0, "exists already; plinth keygen never overwrites a key (choose another --name)");
    fail(path.string(), 0, std::string("cannot create: ") + std::strerror(errno));
  }
  // The umask may have narrowed the mode; make it exact.
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t written = 0;
  while (ok && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  const int err = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(path.c_str());
    fail(path.string(), 0, std::string("cannot write: ") + std::strerror(err));
  }
}

}  // namespace

bool curve_supported() { return zmq_has("curve") != 0; }

CurveKeyPair generate_curve_key_pair() {
  char public_key[kZ85KeyLength + 1] = {};
  char secret_key[kZ85KeyLength + 1] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0)
    throw std::runtime_error(std::string("cannot make a CURVE key pair (libzmq without CURVE?): ") +
                             zmq_strerror(zmq_errno()));
  return {public_key, secret_key};
}

bool is_z85_key(std::string_view key) {
  if (key.size() != kZ85KeyLength) return false;
  const std::string text(key);
  std::uint8_t bytes[32];
  return zmq_z85_decode(bytes, text.c_str()) != nullptr;
}

std::string format_secret_key_file(const CurveKeyPair& keys, std::string_view name) {
  return "# Plinth CURVE secret key \"" + std::string(name) +
         "\" (plinth keygen; schemas/security.md).\n"
         "# Keep it private: mode 0600, readable only by the program that uses it.\n"
         "public = \"" + keys.public_key + "\"\nsecret = \"" + keys.secret_key + "\"\n";
}

std::string format_public_key_file(std::string_view public_key, std::string_view name) {
  return "# Plinth CURVE public key \"" + std::string(name) +
         "\" (plinth keygen; schemas/security.md).\n"
         "# Give it to the daemon (curve_authorized_clients) or to clients (--server-key).\n"
         "public = \"" + std::string(public_key) + "\"\n";
}

CurveKeyPair parse_secret_key_file(std::string_view text, const std::string& file) {
  const toml::table table = parse_key_table(text, file, {"public", "secret"});
  CurveKeyPair keys{std::string(*table["public"].value<std::string_view>()),
                    std::string(*table["secret"].value<std::string_view>())};
  // A pasted or edited file must not pair one key's secret with another's public half.
  if (z85_public_of(keys.secret_key) != keys.public_key)
    fail(file, table["public"].node()->source().begin.line, "public: does not belong to the secret key in this file");
  return keys;
}

std::string parse_public_key_file(std::string_view text, const std::string& file) {
  const toml::table table = parse_key_table(text, file, {"public"});
  return std::string(*table["public"].value<std::string_view>());
}

CurveKeyPair read_secret_key_file(const std::filesystem::path& path) {
  // Content first: a .pub file given by mistake should be called that, not "too open".
  CurveKeyPair keys = parse_secret_key_file(read_text(path), path.string());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    fail(path.string(), 0, std::string("cannot read the key file: ") + std::strerror(errno));
  if (st.st_mode & S_IRWXO) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    fail(path.string(), 0, std::string("secret key readable by every user (mode ") + mode + "): chmod 600 " +
                               path.string());
  }
  return keys;
}

std::string read_public_key_file(const std::filesystem::path& path) {
  return parse_public_key_file(read_text(path), path.string());
}

bool is_valid_key_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

KeyFilePaths write_key_pair(const std::filesystem::path& dir, const std::string& name, const CurveKeyPair& keys) {
  if (!is_valid_key_name(name))
    throw KeyFileError("key name '" + name + "': use letters, digits, '.', '_' and '-' (it becomes NAME.key and NAME.pub)");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(dir.string(), 0, "cannot create the key directory: " + ec.message());
    ::chmod(dir.c_str(), 0700);
  }
  KeyFilePaths paths{dir / (name + ".key"), dir / (name + ".pub")};
  // Check both before writing either, so that a refused run leaves nothing half-written.
  for (const auto& p : {paths.secret_file, paths.public_file})
    if (std::filesystem::exists(p, ec))
      fail(p.string(), 0, "exists already; plinth keygen never overwrites a key (choose another --name)");
  write_new_file(paths.secret_file, format_secret_key_file(keys, name), 0600);
  try {
    write_new_file(paths.public_file, format_public_key_file(keys.public_key, name), 0644);
  } catch (...) {
    ::unlink(paths.secret_file.c_str());
    throw;
  }
  return paths;
}

std::vector<AuthorizedKey> read_authorized_keys(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    fail(dir.string(), 0, "not a directory of client .pub files (" + (ec ? ec.message() : std::string("missing")) + ")");
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".pub" && entry.is_regular_file(ec)) files.push_back(entry.path());
  if (ec) fail(dir.string(), 0, "cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<AuthorizedKey> keys;
  for (const auto& file : files) keys.push_back({read_public_key_file(file), file.stem().string()});
  return keys;
}

}  // namespace plinth
