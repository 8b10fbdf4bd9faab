#pragma once
// CURVE keys (ZeroMQ's Curve25519 keys, written as 40 characters of Z85) and the key files
// `plinth keygen` writes: NAME.key holds the public and the secret key (mode 0600), NAME.pub
// only the public key. Both are two-line TOML (schemas/security.md §Key files).
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace plinth {

inline constexpr std::size_t kZ85KeyLength = 40;

struct CurveKeyPair {
  std::string public_key;  // Z85
  std::string secret_key;  // Z85
};

// A key file that cannot be used. The message starts with the file name (and line).
class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws std::runtime_error when libzmq was built without CURVE (libsodium).
CurveKeyPair generate_curve_key_pair();
bool curve_supported();

// True when `key` is 40 Z85 characters that decode to 32 bytes.
bool is_z85_key(std::string_view key);

// Pure: key files as text and back. `file` only appears in error messages.
std::string format_secret_key_file(const CurveKeyPair& keys, std::string_view name);
std::string format_public_key_file(std::string_view public_key, std::string_view name);
CurveKeyPair parse_secret_key_file(std::string_view text, const std::string& file);
std::string parse_public_key_file(std::string_view text, const std::string& file);

// Refuses a secret key file that every user of the machine may read (like ssh does).
CurveKeyPair read_secret_key_file(const std::filesystem::path& path);
std::string read_public_key_file(const std::filesystem::path& path);

struct KeyFilePaths {
  std::filesystem::path secret_file;  // NAME.key, 0600
  std::filesystem::path public_file;  // NAME.pub, 0644
};
// Creates `dir` (0700) if missing; never overwrites an existing key file.
KeyFilePaths write_key_pair(const std::filesystem::path& dir, const std::string& name, const CurveKeyPair& keys);

// A name usable as a file stem: letters, digits, '.', '_', '-', not starting with '.'.
bool is_valid_key_name(std::string_view name);

struct AuthorizedKey {
  std::string public_key;  // Z85
  std::string name;        // the file's stem: who this is, for logs
};
// Every *.pub file in `dir`; throws KeyFileError naming the first file that is not a key.
std::vector<AuthorizedKey> read_authorized_keys(const std::filesystem::path& dir);

}  // namespace plinth
