// libFuzzer target: plinthd's configuration parser on arbitrary text.
// Promise: any file either parses or throws ConfigError naming this file and a line; no
// other exception, crash, UB or leak (schemas/config-reference.md, issue "Bad config").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/config/config_error.hpp"
#include "daemon/config/daemon_config.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const plinth::DaemonConfig config = plinth::parse_daemon_config(text, "fuzz.toml");
    PLINTH_FUZZ_CHECK(config.source == "fuzz.toml");
  } catch (const plinth::ConfigError& e) {
    PLINTH_FUZZ_CHECK(e.file() == "fuzz.toml");
    PLINTH_FUZZ_CHECK(e.what()[0] != '\0');
  }
  return 0;
}
