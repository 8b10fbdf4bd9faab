// [network] security keys: CURVE needs both key settings, endpoints beyond loopback need
// CURVE or an explicit insecure = true, and key-file problems name the config key and the file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "daemon/config/daemon_config.hpp"
#include "tests/unit/security_test_support.hpp"

namespace plinth {
namespace {

using security_test::TempDir;
using security_test::write_file;

const char* kDevices = R"(
[[mat]]
id = "mat0"
driver = "plinth-mat"
port = "/dev/ttyACM0"
rows = 64
cols = 32
pitch_cm = 2.54
[mat.calibration]
curve = "linear"
unit = "mmHg"
scale = 0.025
)";

class NetworkSecurityConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    server = write_key_pair(tmp.path() / "keys", "daemon", generate_curve_key_pair());
    std::filesystem::create_directory(tmp.path() / "clients");
    const CurveKeyPair tablet = generate_curve_key_pair();
    write_file(tmp.path() / "clients" / "tablet.pub", format_public_key_file(tablet.public_key, "tablet"));
  }
  // `network` is the body of the [network] table; the config "lives" in tmp.
  DaemonConfig parse(const std::string& network) {
    return parse_daemon_config("archive_dir = \"/nonexistent/plinth-test-archive\"\n[network]\n" + network + kDevices,
                               (tmp.path() / "plinthd.toml").string());
  }
  ConfigError error_for(const std::string& network) {
    try {
      parse(network);
    } catch (const ConfigError& e) {
      return e;
    }
    ADD_FAILURE() << "no ConfigError for:\n" << network;
    return ConfigError("", 0, "", "");
  }
  TempDir tmp;
  KeyFilePaths server;
};

TEST_F(NetworkSecurityConfig, DefaultsArePlainLoopback) {
  const DaemonConfig c = parse("");
  EXPECT_FALSE(c.security.curve);
  EXPECT_TRUE(c.security.server_keys.secret_key.empty());
  EXPECT_TRUE(startup_warnings(c).empty());
}

TEST_F(NetworkSecurityConfig, KeysTurnCurveOnAndResolveBesideTheConfig) {
  const DaemonConfig c = parse(
      "data = \"tcp://0.0.0.0:7460\"\ncontrol = \"tcp://0.0.0.0:7461\"\n"
      "curve_server_key = \"keys/daemon.key\"\ncurve_authorized_clients = \"clients\"\n");
  EXPECT_TRUE(c.security.curve);
  EXPECT_EQ(c.security.server_key_file, server.secret_file.string());
  EXPECT_EQ(c.security.server_keys.public_key, read_public_key_file(server.public_file));
  EXPECT_EQ(c.security.authorized_clients, 1u);
  EXPECT_TRUE(startup_warnings(c).empty());  // CURVE beyond loopback is the intended set-up
}

TEST_F(NetworkSecurityConfig, CurveTrueInsistsOnKeysEvenOnLoopback) {
  const auto e = error_for("curve = true\n");
  EXPECT_EQ(e.key(), "network.curve");
  EXPECT_EQ(e.line(), 3u);
  EXPECT_TRUE(parse("curve = true\ncurve_server_key = \"keys/daemon.key\"\ncurve_authorized_clients = \"clients\"\n")
                  .security.curve);
}

TEST_F(NetworkSecurityConfig, BothKeySettingsOrNeither) {
  EXPECT_EQ(error_for("curve_server_key = \"keys/daemon.key\"\n").key(), "network.curve_server_key");
  EXPECT_EQ(error_for("curve_authorized_clients = \"clients\"\n").key(), "network.curve_authorized_clients");
  EXPECT_EQ(error_for("curve = false\ncurve_server_key = \"keys/daemon.key\"\ncurve_authorized_clients = \"clients\"\n")
                .key(),
            "network.curve");
  EXPECT_EQ(error_for("insecure = true\ncurve_server_key = \"keys/daemon.key\"\ncurve_authorized_clients = \"clients\"\n")
                .key(),
            "network.insecure");
}

TEST_F(NetworkSecurityConfig, BeyondLoopbackWithoutKeysIsRefusedUnlessInsecure) {
  for (const char* ep : {"tcp://0.0.0.0:7461", "tcp://*:7461", "tcp://eth0:7461", "tcp://192.168.1.20:7461",
                         "tcp://127.evil.example:7461", "tcp://plinth.local:7461"}) {
    const auto e = error_for("\ncontrol = \"" + std::string(ep) + "\"\n");
    EXPECT_EQ(e.key(), "network.control") << ep;
    EXPECT_EQ(e.line(), 4u) << ep;
    EXPECT_NE(std::string(e.what()).find("curve_server_key"), std::string::npos) << e.what();
  }
  for (const char* ep : {"tcp://127.0.0.1:7461", "tcp://127.0.0.2:7461", "tcp://localhost:7461", "tcp://[::1]:7461",
                         "ipc:///run/plinth/control"})
    EXPECT_NO_THROW(parse("control = \"" + std::string(ep) + "\"\n")) << ep;

  const DaemonConfig c = parse("insecure = true\ndata = \"tcp://0.0.0.0:7460\"\n");
  const auto warnings = startup_warnings(c);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("INSECURE: the data endpoint tcp://0.0.0.0:7460 is plain TCP"), std::string::npos)
      << warnings[0];
  EXPECT_NE(startup_warnings(parse("insecure = true\n")).at(0).find("no effect"), std::string::npos);
}

TEST_F(NetworkSecurityConfig, KeyFileProblemsNameTheConfigKeyAndTheFile) {
  const std::string clients = "curve_authorized_clients = \"clients\"\n";
  auto e = error_for("curve_server_key = \"keys/missing.key\"\n" + clients);
  EXPECT_EQ(e.key(), "network.curve_server_key");
  EXPECT_EQ(e.line(), 3u);
  EXPECT_NE(std::string(e.what()).find((tmp.path() / "keys/missing.key").string() + ": cannot read"),
            std::string::npos)
      << e.what();

  // The public file given where the secret one belongs.
  e = error_for("curve_server_key = \"keys/daemon.pub\"\n" + clients);
  EXPECT_NE(std::string(e.what()).find("daemon.pub: no 'secret"), std::string::npos) << e.what();

  ASSERT_EQ(::chmod(server.secret_file.c_str(), 0604), 0);
  e = error_for("curve_server_key = \"keys/daemon.key\"\n" + clients);
  EXPECT_NE(std::string(e.what()).find("readable by every user"), std::string::npos) << e.what();
  ASSERT_EQ(::chmod(server.secret_file.c_str(), 0600), 0);

  write_file(tmp.path() / "clients" / "bad.pub", "public = \"nope\"\n");
  e = error_for("curve_server_key = \"keys/daemon.key\"\n" + clients);
  EXPECT_EQ(e.key(), "network.curve_authorized_clients");
  EXPECT_NE(std::string(e.what()).find("bad.pub:1: public: not a CURVE key"), std::string::npos) << e.what();

  std::filesystem::remove_all(tmp.path() / "clients");
  std::filesystem::create_directory(tmp.path() / "clients");
  e = error_for("curve_server_key = \"keys/daemon.key\"\n" + clients);
  EXPECT_NE(std::string(e.what()).find("no .pub files"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace plinth
