// Key files: what plinth keygen writes can be read back, and every kind of broken file is
// refused with a message naming the file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "daemon/security/curve_keys.hpp"
#include "daemon/security/file_modes.hpp"
#include "tests/unit/security_test_support.hpp"

namespace plinth {
namespace {

using security_test::mode_of;
using security_test::TempDir;
using security_test::write_file;

std::string error_of(auto&& fn) {
  try {
    fn();
  } catch (const KeyFileError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no KeyFileError";
  return {};
}

TEST(CurveKeys, GeneratedPairsAreDistinctZ85Keys) {
  ASSERT_TRUE(curve_supported());
  const CurveKeyPair a = generate_curve_key_pair(), b = generate_curve_key_pair();
  EXPECT_TRUE(is_z85_key(a.public_key));
  EXPECT_TRUE(is_z85_key(a.secret_key));
  EXPECT_NE(a.public_key, b.public_key);
  EXPECT_NE(a.secret_key, a.public_key);
}

TEST(CurveKeys, Z85Validation) {
  EXPECT_TRUE(is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"));  // the ZMTP CURVE spec's example key
  EXPECT_FALSE(is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"));  // 39 characters
  EXPECT_FALSE(is_z85_key("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\""));  // '"' is not Z85
  EXPECT_FALSE(is_z85_key(""));
}

TEST(CurveKeys, FilesRoundTrip) {
  const CurveKeyPair keys = generate_curve_key_pair();
  const CurveKeyPair back = parse_secret_key_file(format_secret_key_file(keys, "tablet"), "tablet.key");
  EXPECT_EQ(back.public_key, keys.public_key);
  EXPECT_EQ(back.secret_key, keys.secret_key);
  EXPECT_EQ(parse_public_key_file(format_public_key_file(keys.public_key, "tablet"), "tablet.pub"), keys.public_key);
}

TEST(CurveKeys, BrokenFilesNameFileAndLine) {
  const CurveKeyPair keys = generate_curve_key_pair(), other = generate_curve_key_pair();
  // Not TOML.
  EXPECT_EQ(error_of([] { parse_public_key_file("public = \"abc\n", "a.pub"); }).rfind("a.pub:1: not a key file", 0), 0u);
  // Wrong length on line 2.
  EXPECT_EQ(error_of([] { parse_public_key_file("# c\npublic = \"abc\"\n", "b.pub"); }),
            "b.pub:2: public: not a CURVE key (40 Z85 characters between quotes)");
  // A secret file without the secret line.
  EXPECT_NE(error_of([&] { parse_secret_key_file("public = \"" + keys.public_key + "\"\n", "c.key"); })
                .find("c.key: no 'secret = \"...\"' line"),
            std::string::npos);
  // An unknown key.
  EXPECT_EQ(error_of([&] { parse_public_key_file("public = \"" + keys.public_key + "\"\nname = \"x\"\n", "d.pub"); }),
            "d.pub:2: unknown key 'name' in a key file");
  // A public half that belongs to another secret.
  EXPECT_EQ(error_of([&] {
              parse_secret_key_file("public = \"" + other.public_key + "\"\nsecret = \"" + keys.secret_key + "\"\n",
                                    "e.key");
            }),
            "e.key:1: public: does not belong to the secret key in this file");
}

TEST(CurveKeys, WritesSecret0600AndNeverOverwrites) {
  TempDir tmp;
  const auto dir = tmp.path() / "keys";
  const CurveKeyPair keys = generate_curve_key_pair();
  const KeyFilePaths paths = write_key_pair(dir, "daemon", keys);
  EXPECT_EQ(paths.secret_file, dir / "daemon.key");
  EXPECT_EQ(mode_of(dir), 0700u);
  EXPECT_EQ(mode_of(paths.secret_file), 0600u);
  EXPECT_EQ(mode_of(paths.public_file), 0644u);
  EXPECT_EQ(read_secret_key_file(paths.secret_file).secret_key, keys.secret_key);
  EXPECT_EQ(read_public_key_file(paths.public_file), keys.public_key);

  const std::string e = error_of([&] { write_key_pair(dir, "daemon", generate_curve_key_pair()); });
  EXPECT_NE(e.find("daemon.key: exists already"), std::string::npos) << e;
  EXPECT_EQ(read_secret_key_file(paths.secret_file).secret_key, keys.secret_key);  // untouched
  EXPECT_NE(error_of([&] { write_key_pair(dir, "../evil", keys); }).find("key name '../evil'"), std::string::npos);
}

TEST(CurveKeys, RefusesDevicesAndHugeFiles) {
  EXPECT_NE(error_of([] { read_public_key_file("/dev/zero"); }).find("/dev/zero: not a regular file"), std::string::npos);
  TempDir tmp;
  write_file(tmp.path() / "big.pub", std::string(100 * 1024, '#'));
  EXPECT_NE(error_of([&] { read_public_key_file(tmp.path() / "big.pub"); }).find("too large"), std::string::npos);
}

TEST(CurveKeys, RefusesWorldReadableSecretKey) {
  TempDir tmp;
  const KeyFilePaths paths = write_key_pair(tmp.path(), "daemon", generate_curve_key_pair());
  ASSERT_EQ(::chmod(paths.secret_file.c_str(), 0644), 0);
  const std::string e = error_of([&] { read_secret_key_file(paths.secret_file); });
  EXPECT_NE(e.find("daemon.key: secret key readable by every user (mode 0644): chmod 600"), std::string::npos) << e;
  ASSERT_EQ(::chmod(paths.secret_file.c_str(), 0640), 0);  // a group (root:plinth) is fine
  EXPECT_NO_THROW(read_secret_key_file(paths.secret_file));
}

TEST(CurveKeys, AuthorizedDirectoryReadsEveryPubFileAndNamesABadOne) {
  TempDir tmp;
  const auto a = generate_curve_key_pair(), b = generate_curve_key_pair();
  write_file(tmp.path() / "tablet.pub", format_public_key_file(a.public_key, "tablet"));
  write_file(tmp.path() / "laptop.pub", format_public_key_file(b.public_key, "laptop"));
  write_file(tmp.path() / "README", "not a key, ignored");
  const auto keys = read_authorized_keys(tmp.path());
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "laptop");
  EXPECT_EQ(keys[0].public_key, b.public_key);
  EXPECT_EQ(keys[1].name, "tablet");

  write_file(tmp.path() / "broken.pub", "public = \"short\"\n");
  EXPECT_NE(error_of([&] { read_authorized_keys(tmp.path()); }).find("broken.pub:1: public: not a CURVE key"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_authorized_keys(tmp.path() / "missing"); }).find("missing: not a directory"),
            std::string::npos);
}

TEST(ArchiveDirectoryMode, WarnsAboutAnExistingLooseDirectoryAndLeavesIt) {
  TempDir tmp;
  const auto dir = tmp.path() / "sessions";
  EXPECT_FALSE(archive_directory_warning(dir));  // missing: the archive creates it 0700
  std::filesystem::create_directory(dir);
  ASSERT_EQ(::chmod(dir.c_str(), 0700), 0);
  EXPECT_FALSE(archive_directory_warning(dir));
  ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
  const auto warning = archive_directory_warning(dir);
  ASSERT_TRUE(warning);
  EXPECT_NE(warning->find("has mode 0755"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("chmod 700 " + dir.string()), std::string::npos) << *warning;
  EXPECT_EQ(mode_of(dir), 0755u);  // a warning, not a silent change
}

}  // namespace
}  // namespace plinth
