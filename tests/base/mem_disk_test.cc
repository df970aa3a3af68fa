#include "core/base/mem_disk.h"

#include <gtest/gtest.h>

namespace samsa {
namespace {

std::string ReadAll(const MemDisk& d, std::string_view path) {
  auto r = d.Read(path, 0, 1 << 20);
  return r.ok() ? std::string(AsString(*r)) : "<" + r.status().ToString() + ">";
}

TEST(MemDiskTest, PageCacheOperations) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("t/p-0").ok());
  EXPECT_TRUE(d.IsDir("t"));
  ASSERT_TRUE(d.Append("t/p-0/a.log", AsBytes("hello")).ok());
  EXPECT_EQ(*d.Append("t/p-0/a.log", AsBytes(" world")), 5u);
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello world");
  EXPECT_EQ(AsString(*d.Read("t/p-0/a.log", 6, 3)), "wor");
  EXPECT_TRUE(d.Read("t/p-0/a.log", 50, 3)->empty());
  ASSERT_TRUE(d.Write("t/p-0/a.log", 13, AsBytes("!")).ok());
  EXPECT_EQ(*d.FileSize("t/p-0/a.log"), 14u);
  EXPECT_EQ(d.Read("t/p-0/a.log", 11, 2)->at(0), 0);  // the gap reads as zeros
  ASSERT_TRUE(d.Truncate("t/p-0/a.log", 5).ok());
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello");
  ASSERT_TRUE(d.Rename("t/p-0/a.log", "t/p-0/b.log").ok());
  EXPECT_FALSE(d.Exists("t/p-0/a.log"));
  EXPECT_EQ(*d.List("t/p-0"), std::vector<std::string>{"b.log"});
  EXPECT_EQ(d.Remove("t/p-0").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(d.Remove("t/p-0/b.log").ok());
  ASSERT_TRUE(d.Remove("t/p-0").ok());
  EXPECT_EQ(*d.List("t"), std::vector<std::string>{});
  EXPECT_EQ(d.Read("nope", 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.Append("missing-dir/x", AsBytes("x")).status().code(), StatusCode::kNotFound);
}

TEST(MemDiskTest, CrashLosesUnsyncedDataAndNames) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/f", AsBytes("synced")).ok());
  d.SyncAll("p/f");
  ASSERT_TRUE(d.Append("p/f", AsBytes("+lost")).ok());
  ASSERT_TRUE(d.Append("p/new", AsBytes("never synced")).ok());
  d.Crash();
  EXPECT_EQ(ReadAll(d, "p/f"), "synced");
  EXPECT_FALSE(d.Exists("p/new"));
}

TEST(MemDiskTest, SyncCoversContentAsOfRequestAndOnlyWhenCompleted) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("a")).ok());
  d.SyncAll("");  // make the name durable
  ASSERT_TRUE(d.Append("f", AsBytes("b")).ok());
  SyncId s = d.RequestSync("f");
  ASSERT_TRUE(d.Append("f", AsBytes("c")).ok());
  EXPECT_EQ(d.PendingSyncs().size(), 1u);
  // The sync covers "ab" (its request time), not the later "c".
  d.CompleteSync(s);
  d.Crash();
  EXPECT_EQ(ReadAll(d, "f"), "ab");
}

TEST(MemDiskTest, PendingSyncIsLostOnCrash) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("x")).ok());
  d.SyncAll("f");
  ASSERT_TRUE(d.Append("f", AsBytes("y")).ok());
  d.RequestSync("f");
  d.Crash();
  EXPECT_EQ(ReadAll(d, "f"), "x");
  EXPECT_TRUE(d.PendingSyncs().empty());
}

TEST(MemDiskTest, RenameIsDurableOnlyAfterDirectorySync) {
  MemDisk d;
  ASSERT_TRUE(d.Append("tmp", AsBytes("v1")).ok());
  d.SyncAll("tmp");
  ASSERT_TRUE(d.Rename("tmp", "final").ok());
  d.Crash();
  EXPECT_TRUE(d.Exists("tmp"));
  EXPECT_FALSE(d.Exists("final"));
  ASSERT_TRUE(d.Rename("tmp", "final").ok());
  d.CompleteSync(d.RequestSync(""));
  d.Crash();
  EXPECT_EQ(ReadAll(d, "final"), "v1");
  EXPECT_FALSE(d.Exists("tmp"));
}

TEST(MemDiskTest, TornTailIsASectorPrefixOfTheUnsyncedAppend) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    MemDisk d;
    Bytes base(700, 'a');
    ASSERT_TRUE(d.Append("f", base).ok());
    d.SyncAll("f");
    Bytes tail(3000);
    for (size_t i = 0; i < tail.size(); ++i) tail[i] = uint8_t('0' + i % 10);
    ASSERT_TRUE(d.Append("f", tail).ok());
    Prng p(seed);
    d.Crash(&p);
    Bytes after = *d.Read("f", 0, 1 << 20);
    ASSERT_GE(after.size(), base.size());
    ASSERT_LE(after.size(), base.size() + tail.size());
    // What survives is a prefix of what was written.
    for (size_t i = 0; i < after.size(); ++i)
      ASSERT_EQ(after[i], i < base.size() ? base[i] : tail[i - base.size()]) << "seed " << seed;
  }
}

TEST(MemDiskTest, StopAfterOpsFailsLaterMutations) {
  MemDisk d;
  d.StopAfterOps(2);
  EXPECT_TRUE(d.Append("a", AsBytes("1")).ok());
  EXPECT_TRUE(d.Append("a", AsBytes("2")).ok());
  EXPECT_EQ(d.Append("a", AsBytes("3")).status().code(), StatusCode::kIoError);
  EXPECT_EQ(ReadAll(d, "a"), "12");
  d.ClearFault();
  EXPECT_TRUE(d.Append("a", AsBytes("3")).ok());
}

TEST(MemDiskTest, CapacityGivesNoSpace) {
  MemDisk d;
  d.set_capacity_bytes(10);
  EXPECT_TRUE(d.Append("a", Bytes(8, 1)).ok());
  EXPECT_EQ(d.Append("a", Bytes(3, 1)).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(*d.FileSize("a"), 8u);
}

}  // namespace
}  // namespace samsa

namespace samsa {
namespace {

// Regression (found by the partition-log crash test): an older sync completing after a newer
// one of the same file must not roll durable content back.
TEST(MemDiskTest, OutOfOrderSyncCompletionNeverMovesDurableBackwards) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("a")).ok());
  d.SyncAll("");
  SyncId old_sync = d.RequestSync("f");
  ASSERT_TRUE(d.Append("f", AsBytes("b")).ok());
  SyncId new_sync = d.RequestSync("f");
  d.CompleteSync(new_sync);
  d.CompleteSync(old_sync);
  d.Crash();
  EXPECT_EQ(AsString(*d.Read("f", 0, 10)), "ab");
}

TEST(MemDiskTest, OutOfOrderDirectorySyncKeepsNewerEntries) {
  MemDisk d;
  SyncId old_sync = d.RequestSync("");
  ASSERT_TRUE(d.Append("f", AsBytes("x")).ok());
  SyncId new_sync = d.RequestSync("");
  d.CompleteSync(new_sync);
  d.CompleteSync(old_sync);
  d.Crash();
  EXPECT_TRUE(d.Exists("f"));
}

}  // namespace
}  // namespace samsa
