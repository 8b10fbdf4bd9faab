// plinth keygen: a CURVE key pair for the daemon or a client (schemas/security.md).
#include <unistd.h>

#include <iostream>

#include "daemon/security/curve_keys.hpp"
#include "tools/commands.hpp"

namespace plinth::tools {
namespace {

// Each computer's key named after it, so the daemon's authorized directory says who is who.
std::string default_key_name() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "plinth";
  std::string name(host);
  name = name.substr(0, name.find('.'));
  return is_valid_key_name(name) ? name : "plinth";
}

struct KeygenOptions {
  std::string dir;
  std::string name;
};

}  // namespace

void add_keygen_command(CLI::App& app) {
  auto o = std::make_shared<KeygenOptions>();
  auto* cmd = app.add_subcommand("keygen", "Make a CURVE key pair: DIR/NAME.key (secret, 0600) and DIR/NAME.pub");
  cmd->add_option("dir", o->dir, "directory for the two files (created 0700 if missing)")->required();
  cmd->add_option("--name", o->name, "file name stem (default: this computer's host name)");
  cmd->callback([o] {
    const std::string name = o->name.empty() ? default_key_name() : o->name;
    try {
      const KeyFilePaths paths = write_key_pair(o->dir, name, generate_curve_key_pair());
      std::cout << "secret key: " << paths.secret_file.string() << " (keep it private, mode 0600)\n"
                << "public key: " << paths.public_file.string()
                << " (give it to the daemon's curve_authorized_clients directory, or to clients as --server-key)\n";
    } catch (const std::exception& e) {
      std::cerr << "plinth keygen: " << e.what() << '\n';
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace plinth::tools
