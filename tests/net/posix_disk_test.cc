#include "net/posix_disk.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "core/log/partition_log.h"
#include "tests/log/log_test_util.h"
#include "tests/net/temp_dir_test_base.h"

namespace samsa {
namespace {

class PosixDiskTest : public testing::TempDirTest {};

std::string ReadAll(const Disk& d, std::string_view path) {
  auto r = d.Read(path, 0, 1 << 20);
  return r.ok() ? std::string(AsString(*r)) : "<" + r.status().ToString() + ">";
}

TEST_F(PosixDiskTest, AllOperations) {
  PosixDisk d(root_, /*max_open_files=*/2);
  ASSERT_TRUE(d.CreateDir("t/p-0").ok());
  ASSERT_TRUE(d.CreateDir("t/p-0").ok());  // exists: ok
  EXPECT_TRUE(d.IsDir("t"));
  EXPECT_TRUE(d.IsDir("t/p-0"));
  EXPECT_EQ(*d.Append("t/p-0/a.log", AsBytes("hello")), 0u);
  EXPECT_EQ(*d.Append("t/p-0/a.log", AsBytes(" world")), 5u);
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello world");
  EXPECT_EQ(AsString(*d.Read("t/p-0/a.log", 6, 3)), "wor");
  EXPECT_TRUE(d.Read("t/p-0/a.log", 50, 3)->empty());
  ASSERT_TRUE(d.Write("t/p-0/a.log", 13, AsBytes("!")).ok());
  EXPECT_EQ(*d.FileSize("t/p-0/a.log"), 14u);
  EXPECT_EQ(d.Read("t/p-0/a.log", 11, 2)->at(0), 0);  // the gap reads as zeros
  ASSERT_TRUE(d.Truncate("t/p-0/a.log", 5).ok());
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello");
  // More files than the fd cache holds.
  for (const char* name : {"t/p-0/b", "t/p-0/c", "t/p-0/d"}) ASSERT_TRUE(d.Append(name, AsBytes(name)).ok());
  EXPECT_EQ(ReadAll(d, "t/p-0/b"), "t/p-0/b");
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello");
  ASSERT_TRUE(d.Rename("t/p-0/a.log", "t/p-0/z.log").ok());
  EXPECT_FALSE(d.Exists("t/p-0/a.log"));
  EXPECT_EQ(ReadAll(d, "t/p-0/z.log"), "hello");
  ASSERT_TRUE(d.Rename("t/p-0/b", "t/p-0/z.log").ok());  // replaces
  EXPECT_EQ(ReadAll(d, "t/p-0/z.log"), "t/p-0/b");
  EXPECT_EQ(*d.List("t/p-0"), (std::vector<std::string>{"c", "d", "z.log"}));
  EXPECT_EQ(*d.List(""), (std::vector<std::string>{"t"}));
  EXPECT_EQ(d.Remove("t/p-0").code(), StatusCode::kFailedPrecondition);
  for (const char* name : {"t/p-0/c", "t/p-0/d", "t/p-0/z.log"}) ASSERT_TRUE(d.Remove(name).ok());
  ASSERT_TRUE(d.Remove("t/p-0").ok());
  EXPECT_EQ(*d.List("t"), std::vector<std::string>{});
  // Syncs complete at once and are reported.
  ASSERT_TRUE(d.Append("t/f", AsBytes("x")).ok());
  SyncId s1 = d.RequestSync("t/f");
  SyncId s2 = d.RequestSync("t");
  auto done = d.TakeCompletedSyncs();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0], std::make_pair(s1, true));
  EXPECT_EQ(done[1], std::make_pair(s2, true));
  EXPECT_TRUE(d.TakeCompletedSyncs().empty());
  SyncId missing = d.RequestSync("t/nope");
  EXPECT_EQ(d.TakeCompletedSyncs(), (std::vector<std::pair<SyncId, bool>>{{missing, false}}));
}

TEST_F(PosixDiskTest, ErrorsForMissingEntries) {
  PosixDisk d(root_);
  EXPECT_EQ(d.Read("nope", 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.FileSize("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.Truncate("nope", 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(d.Rename("nope", "other").code(), StatusCode::kNotFound);
  EXPECT_EQ(d.Remove("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(d.List("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.Append("missing-dir/x", AsBytes("x")).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(d.Exists("nope"));
  EXPECT_FALSE(d.IsDir("nope"));
  ASSERT_TRUE(d.Append("file", AsBytes("x")).ok());
  EXPECT_FALSE(d.CreateDir("file/sub").ok());
}

TEST_F(PosixDiskTest, PartitionLogOnRealFiles) {
  LogConfig config;
  config.segment_bytes = 4096;
  config.index_interval_bytes = 512;
  std::vector<Bytes> written;
  {
    PosixDisk d(root_);
    auto log = PartitionLog::Open(d, "orders-0", config, 0);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < 50; ++i) {
      auto info = (*log)->AppendAsLeader(testing::Batch(1 + i % 3, 100 + size_t(i) * 5, i, uint64_t(i)), i / 10, 0);
      ASSERT_TRUE(info.ok()) << info.status().ToString();
    }
    for (int round = 0; round < 2; ++round) {
      auto ids = (*log)->RequestSync();
      EXPECT_FALSE(ids.empty());
      for (auto [id, ok] : d.TakeCompletedSyncs()) {
        EXPECT_TRUE(ok);
        (*log)->OnSyncDone(id, ok);
      }
    }
    EXPECT_EQ((*log)->durable_offset(), (*log)->log_end_offset());
    written = testing::ReadAllBatches(**log);
    EXPECT_GE((*log)->segment_base_offsets().size(), 3u);
  }
  EXPECT_TRUE(std::filesystem::exists(root_ + "/orders-0/00000000000000000000.log"));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/orders-0/leader-epoch-checkpoint"));
  PosixDisk d(root_);
  auto log = PartitionLog::Open(d, "orders-0", config, 0);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_TRUE((*log)->recovery_notes().empty());
  EXPECT_EQ(testing::ReadAllBatches(**log), written);
  auto ts = (*log)->OffsetForTimestamp(25);
  ASSERT_TRUE(ts.ok() && ts->has_value());
  EXPECT_EQ((*ts)->timestamp, 25);
  auto info = (*log)->AppendAsLeader(testing::Batch(1, 10), 9, 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, testing::NextOffsetOf(written.back()));
}

}  // namespace
}  // namespace samsa
