// samsa_os's whole-file helpers on real files: an atomic write replaces the file or, on failure,
// leaves the directory as it was (no temporary behind, no file of the user's clobbered).
#include "net/os/file_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/net/temp_dir_test_base.h"

namespace samsa::os {
namespace {

class FileUtilTest : public samsa::testing::TempDirTest {
 protected:
  std::set<std::string> Names() const {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(root_)) names.insert(e.path().filename().string());
    return names;
  }
};

TEST_F(FileUtilTest, AtomicWriteReplacesTheFileAndLeavesNoTemporary) {
  const std::string path = root_ + "/report.json";
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "second, longer").ok());
  EXPECT_EQ(*ReadFileToString(path), "second, longer");
  EXPECT_EQ(Names(), std::set<std::string>{"report.json"});
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::others_read);
}

TEST_F(FileUtilTest, AFailedAtomicWriteLeavesTheDirectoryAsItWas) {
  // A user's file named like the old fixed temporary is not touched.
  const std::string mine = root_ + "/session.yaml.tmp";
  ASSERT_TRUE(WriteFileAtomically(mine, "mine").ok());
  std::filesystem::create_directory(root_ + "/session.yaml");  // the target is a directory
  Status s = WriteFileAtomically(root_ + "/session.yaml", "saved");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(root_ + "/session.yaml'"), std::string::npos) << s.message();
  EXPECT_EQ(Names(), (std::set<std::string>{"session.yaml", "session.yaml.tmp"}));
  EXPECT_EQ(*ReadFileToString(mine), "mine");
  // A missing directory: nothing is created.
  Status missing = WriteFileAtomically(root_ + "/no/such/dir/x.json", "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find(root_ + "/no/such/dir/x.json"), std::string::npos) << missing.message();
  EXPECT_EQ(Names(), (std::set<std::string>{"session.yaml", "session.yaml.tmp"}));
}

}  // namespace
}  // namespace samsa::os
