#include "sim/sim_disk.h"

#include <gtest/gtest.h>

#include "tests/sim/probe_node.h"

namespace samsa::sim {
namespace {

using testing::ProbeCluster;

std::string ReadAll(const Disk& d, std::string_view path) {
  auto r = d.Read(path, 0, 1 << 24);
  return r.ok() ? std::string(AsString(*r)) : "<missing>";
}

TEST(SimDiskTest, SyncCompletesAfterLatencyAsSyncDone) {
  SimOptions so;
  ProbeCluster c(1, so);
  DiskFaults f;
  f.sync_latency_min_ns = 3'000'000;
  f.sync_latency_max_ns = 5'000'000;
  c.sim.disk(NodeId(1)).set_faults(f);
  Disk& d = c.P(1).disk();
  ASSERT_TRUE(d.Append("f", AsBytes("data")).ok());
  SyncId id = d.RequestSync("f");
  SyncId root = d.RequestSync("");
  int64_t t0 = c.sim.now_ns();
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(2'999'999);
  EXPECT_TRUE(c.L(1).Of("sync").empty());
  EXPECT_FALSE(c.sim.disk(NodeId(1)).mem().DurableSize("f").ok());  // the name is not durable yet
  c.sim.RunFor(10'000'000);
  auto syncs = c.L(1).Of("sync");
  ASSERT_EQ(syncs.size(), 2u);
  EXPECT_EQ(syncs[0].sync, id.value());  // FIFO per disk
  EXPECT_EQ(syncs[1].sync, root.value());
  EXPECT_TRUE(syncs[0].ok);
  EXPECT_GE(syncs[0].now_ns - t0, 3'000'000);
  EXPECT_LE(syncs[0].now_ns - t0, 5'000'000);
  EXPECT_LE(syncs[0].now_ns, syncs[1].now_ns);
  EXPECT_EQ(*c.sim.disk(NodeId(1)).mem().DurableSize("f"), 4u);
}

TEST(SimDiskTest, SlowDiskMultipliesSyncLatency) {
  SimDisk d(Prng(1));
  DiskFaults f;
  f.sync_latency_min_ns = f.sync_latency_max_ns = 1000;
  f.slow_factor = 50;
  d.set_faults(f);
  EXPECT_EQ(d.SyncCompletionTime(0), 50'000);
  EXPECT_EQ(d.SyncCompletionTime(0), 50'000);  // FIFO: never before the previous one
  d.ClearFaults();
  EXPECT_GE(d.SyncCompletionTime(0), 50'000);
}

TEST(SimDiskTest, CrashLosesExactlyTheUnsyncedSuffix) {
  // Over many seeds: the synced prefix always survives intact; what survives of the unsynced tail is
  // a prefix of it (possibly torn mid-sector); sometimes all of it is lost, sometimes some is kept.
  Bytes synced(1500), tail(3000);
  for (size_t i = 0; i < synced.size(); ++i) synced[i] = uint8_t('a' + i % 26);
  for (size_t i = 0; i < tail.size(); ++i) tail[i] = uint8_t('A' + i % 26);
  int lost_all = 0, kept_some = 0, torn = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SimDisk d{Prng(seed)};
    ASSERT_TRUE(d.CreateDir("p").ok());
    ASSERT_TRUE(d.Append("p/log", synced).ok());
    d.mem().SyncAll("p/log");
    ASSERT_TRUE(d.Append("p/log", tail).ok());
    d.Crash();
    Bytes after = *d.Read("p/log", 0, 1 << 20);
    ASSERT_GE(after.size(), synced.size()) << "seed " << seed;
    ASSERT_TRUE(std::equal(synced.begin(), synced.end(), after.begin())) << "seed " << seed;
    size_t kept = after.size() - synced.size();
    ASSERT_LE(kept, tail.size());
    ASSERT_TRUE(std::equal(after.begin() + int64_t(synced.size()), after.end(), tail.begin())) << "seed " << seed;
    if (kept == 0) ++lost_all;
    if (kept > 0) ++kept_some;
    if (kept % MemDisk::kSectorBytes != 0 && kept != tail.size()) ++torn;
  }
  EXPECT_GT(lost_all, 0);
  EXPECT_GT(kept_some, 0);
  EXPECT_GT(torn, 0);
  // Without tearing (MemDisk::Crash()), exactly the synced content survives.
  MemDisk m;
  ASSERT_TRUE(m.Append("log", synced).ok());
  m.SyncAll("log");
  ASSERT_TRUE(m.Append("log", tail).ok());
  m.Crash();
  EXPECT_EQ(*m.Read("log", 0, 1 << 20), synced);
}

TEST(SimDiskTest, UnsyncedNewFileAndRenameVanish) {
  SimDisk d(Prng(1));
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/old", AsBytes("old")).ok());
  d.mem().SyncAll("p/old");
  ASSERT_TRUE(d.Append("p/new", AsBytes("new")).ok());
  d.mem().CompleteSync(d.RequestSync("p/new"));  // content synced, directory not
  ASSERT_TRUE(d.Rename("p/old", "p/renamed").ok());
  d.Crash();
  EXPECT_FALSE(d.Exists("p/new"));
  EXPECT_FALSE(d.Exists("p/renamed"));
  EXPECT_EQ(ReadAll(d, "p/old"), "old");
}

TEST(SimDiskTest, BitFlipInDurableDataShowsAfterRestart) {
  ProbeCluster c(1);
  Disk& d = c.P(1).disk();
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/seg", AsBytes("hello world")).ok());
  c.sim.disk(NodeId(1)).mem().SyncAll("p/seg");
  ASSERT_TRUE(c.sim.disk(NodeId(1)).mem().FlipDurableBit("p/seg", 4, 0).ok());
  EXPECT_EQ(ReadAll(c.sim.disk(NodeId(1)), "p/seg"), "hello world");  // page cache still good
  EXPECT_EQ(c.sim.disk(NodeId(1)).mem().FlipDurableBit("p/seg", 99, 0).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(c.sim.disk(NodeId(1)).mem().FlipDurableBit("p/none", 0, 0).code(), StatusCode::kNotFound);
  c.sim.Crash(NodeId(1));
  c.sim.Restart(NodeId(1));
  EXPECT_EQ(ReadAll(c.P(1).disk(), "p/seg"), "helln world");  // 'o' ^ 1 == 'n'
  std::string where = c.sim.disk(NodeId(1)).FlipRandomDurableBit();
  EXPECT_EQ(where.rfind("p/seg@", 0), 0u) << where;
}

TEST(SimDiskTest, DiskFullAndIoErrors) {
  SimDisk d(Prng(1));
  DiskFaults f;
  f.capacity_bytes = 10;
  d.set_faults(f);
  EXPECT_TRUE(d.Append("a", AsBytes("0123456789")).ok());
  EXPECT_EQ(d.Append("a", AsBytes("x")).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(d.Write("b", 0, AsBytes("x")).code(), StatusCode::kNoSpace);
  d.ClearFaults();
  EXPECT_TRUE(d.Append("a", AsBytes("x")).ok());
  f = DiskFaults{};
  f.io_error_num = f.io_error_den = 1;
  f.sync_error_num = f.sync_error_den = 1;
  d.set_faults(f);
  EXPECT_EQ(d.Append("a", AsBytes("y")).status().code(), StatusCode::kIoError);
  EXPECT_EQ(d.Rename("a", "b").code(), StatusCode::kIoError);
  EXPECT_TRUE(d.DrawSyncFailure());
}

TEST(SimDiskTest, FailedSyncIsReportedAndMakesNothingDurable) {
  ProbeCluster c(1);
  DiskFaults f;
  f.sync_error_num = f.sync_error_den = 1;
  c.sim.disk(NodeId(1)).set_faults(f);
  Disk& d = c.P(1).disk();
  ASSERT_TRUE(d.Append("f", AsBytes("x")).ok());
  d.RequestSync("");
  d.RequestSync("f");
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(100'000'000);
  auto syncs = c.L(1).Of("sync");
  ASSERT_EQ(syncs.size(), 2u);
  EXPECT_FALSE(syncs[0].ok);
  EXPECT_FALSE(syncs[1].ok);
  c.sim.Crash(NodeId(1));
  EXPECT_FALSE(c.sim.disk(NodeId(1)).Exists("f"));
}

}  // namespace
}  // namespace samsa::sim

namespace samsa::sim {
namespace {

// A broker-like disk: two topic partitions, the metadata log, checkpoints; everything durable.
const std::vector<std::string> kBrokerFiles = {
    "data/t-0/00000000000000000000.log",       "data/t-0/00000000000000000000.index",
    "data/t-0/00000000000000000000.timeindex", "data/t-0/leader-epoch-checkpoint",
    "data/t-0/recovery-point",                 "data/t-1/00000000000000000000.log",
    "data/t-1/00000000000000000000.index",     "data/__cluster_metadata-0/00000000000000000000.log",
    "data/__cluster_metadata-0/00000000000000000000.index",
    "data/__cluster_metadata-0/leader-epoch-checkpoint", "data/quorum-state",
    "data/replication-offset-checkpoint",      "data/meta.properties"};

void MakeBrokerDisk(SimDisk& d) {
  for (const char* dir : {"data", "data/t-0", "data/t-1", "data/__cluster_metadata-0"}) ASSERT_TRUE(d.CreateDir(dir).ok());
  for (const auto& f : kBrokerFiles) {
    ASSERT_TRUE(d.Append(f, AsBytes(std::string(64, 'x'))).ok());
    d.RequestSync(f);
  }
  for (const char* dir : {"", "data", "data/t-0", "data/t-1", "data/__cluster_metadata-0"}) d.RequestSync(dir);
  d.mem().CompleteAllSyncs();
}

// The files whose durable content differs from what MakeBrokerDisk wrote (after a crash, the
// live content is the durable one).
std::vector<std::string> Changed(SimDisk& d) {
  d.mem().Crash();
  std::vector<std::string> out;
  for (const auto& f : kBrokerFiles)
    if (ReadAll(d, f) != std::string(64, 'x')) out.push_back(f);
  return out;
}

TEST(SimDiskTest, FileKindsByName) {
  EXPECT_TRUE(IsFileOfKind("data/t-0/00000000000000000000.log", FileKind::kPartitionLog));
  EXPECT_FALSE(IsFileOfKind("data/__cluster_metadata-0/00000000000000000000.log", FileKind::kPartitionLog));
  EXPECT_TRUE(IsFileOfKind("data/__cluster_metadata-0/00000000000000000000.log", FileKind::kMetadataLog));
  EXPECT_TRUE(IsFileOfKind("data/t-0/00000000000000000000.timeindex", FileKind::kIndex));
  EXPECT_TRUE(IsFileOfKind("data/t-0/00000000000000000000.index", FileKind::kIndex));
  EXPECT_FALSE(IsFileOfKind("data/t-0/00000000000000000000.log", FileKind::kIndex));
  for (const char* c : {"data/t-0/leader-epoch-checkpoint", "data/t-0/recovery-point", "data/quorum-state",
                        "data/recovery-point-offset-checkpoint", "data/replication-offset-checkpoint"})
    EXPECT_TRUE(IsFileOfKind(c, FileKind::kCheckpoint)) << c;
  EXPECT_FALSE(IsFileOfKind("data/t-0/leader-epoch-checkpoint.tmp", FileKind::kCheckpoint));
  EXPECT_FALSE(IsFileOfKind("data/meta.properties", FileKind::kCheckpoint));
  EXPECT_EQ(ParentDirName("data/t-0/x.log"), "t-0");
  for (FileKind k : {FileKind::kAny, FileKind::kPartitionLog, FileKind::kIndex, FileKind::kCheckpoint,
                     FileKind::kMetadataLog})
    EXPECT_EQ(FileKindFromName(FileKindName(k)), k);
  EXPECT_FALSE(FileKindFromName("log").has_value());
}

// An aimed flip lands only in files of its kind (and partition), over many draws.
TEST(SimDiskTest, AimedBitFlipsHitOnlyThatKindOfFile) {
  struct Case {
    FlipAim aim;
    std::vector<std::string> allowed;
  };
  std::vector<Case> cases = {
      {{FileKind::kPartitionLog, ""}, {"data/t-0/00000000000000000000.log", "data/t-1/00000000000000000000.log"}},
      {{FileKind::kPartitionLog, "t-1"}, {"data/t-1/00000000000000000000.log"}},
      {{FileKind::kIndex, ""},
       {"data/t-0/00000000000000000000.index", "data/t-0/00000000000000000000.timeindex",
        "data/t-1/00000000000000000000.index", "data/__cluster_metadata-0/00000000000000000000.index"}},
      {{FileKind::kIndex, "t-0"}, {"data/t-0/00000000000000000000.index", "data/t-0/00000000000000000000.timeindex"}},
      {{FileKind::kCheckpoint, ""},
       {"data/t-0/leader-epoch-checkpoint", "data/t-0/recovery-point",
        "data/__cluster_metadata-0/leader-epoch-checkpoint", "data/quorum-state",
        "data/replication-offset-checkpoint"}},
      {{FileKind::kMetadataLog, ""}, {"data/__cluster_metadata-0/00000000000000000000.log"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(FileKindName(c.aim.kind)) + " " + c.aim.partition);
    SimDisk d(Prng(7));
    MakeBrokerDisk(d);
    for (int i = 0; i < 40; ++i) {
      std::string at = d.FlipRandomDurableBit("", [&](const std::string& p) { return c.aim.Matches(p); });
      EXPECT_FALSE(at.empty());
    }
    std::vector<std::string> changed = Changed(d);
    EXPECT_FALSE(changed.empty());
    for (const auto& f : changed)
      EXPECT_NE(std::find(c.allowed.begin(), c.allowed.end(), f), c.allowed.end()) << f << " was hit";
    if (c.allowed.size() > 1) {
      EXPECT_GE(changed.size(), 2u);  // not always the same file
    }
  }
  // No file of the kind: nothing flips, nothing draws.
  SimDisk d(Prng(7));
  MakeBrokerDisk(d);
  FlipAim none{FileKind::kPartitionLog, "t-9"};
  EXPECT_EQ(d.FlipRandomDurableBit("", [&](const std::string& p) { return none.Matches(p); }), "");
  EXPECT_TRUE(Changed(d).empty());
}

// checked_only (corruption: minority): never the partitionLeaderEpoch field of a batch in a .log
// file, which Kafka's batch CRC leaves out (a flip there once made a controller claim epoch 2049,
// win the election with a stale log, and lose acknowledged records: all-faults-safe seed
// 1700896). Without it such flips happen, so this test can fail.
TEST(SimDiskTest, CheckedOnlyFlipsNeverHitABatchsUncheckedEpochField) {
  constexpr size_t kFrames = 40, kFrameBytes = 61;  // 12-byte head, then batchLength = 49 bytes
  Bytes log;
  for (size_t i = 0; i < kFrames; ++i) {
    Bytes frame(kFrameBytes, uint8_t(i));
    frame[8] = frame[9] = frame[10] = 0;
    frame[11] = uint8_t(kFrameBytes - 12);
    log.insert(log.end(), frame.begin(), frame.end());
  }
  // A fresh disk per flip: a flip in a batchLength field ends the framing there (recovery cuts
  // the log at that batch, so nothing after it can mislead), which would blur the count.
  auto epoch_hits = [&](bool checked_only) {
    size_t hits = 0;
    for (int i = 0; i < 1000; ++i) {
      SimDisk d{Prng(uint64_t(i))};
      EXPECT_TRUE(d.mem().CreateDir("t-0").ok());
      EXPECT_TRUE(d.mem().Append("t-0/00000000000000000000.log", log).ok());
      d.mem().SyncAll("t-0/00000000000000000000.log");
      std::string at = d.FlipRandomDurableBit("", nullptr, checked_only);
      EXPECT_EQ(at.rfind("t-0/00000000000000000000.log@", 0), 0u) << at;
      const uint64_t offset = std::stoull(at.substr(at.find('@') + 1));
      const uint64_t in_frame = offset % kFrameBytes;
      if (in_frame >= 12 && in_frame < 16) ++hits;
    }
    return hits;
  };
  EXPECT_EQ(epoch_hits(true), 0u);
  EXPECT_GT(epoch_hits(false), 20u);  // 4 bytes in 61: about 65 of 1000
}

// `any` draws exactly as the unaimed flip did: same disk, same seed, same bit.
TEST(SimDiskTest, AnyFlipDrawsAsBefore) {
  SimDisk a(Prng(3)), b(Prng(3));
  MakeBrokerDisk(a);
  MakeBrokerDisk(b);
  FlipAim any;
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(a.FlipRandomDurableBit(), b.FlipRandomDurableBit("", [&](const std::string& p) { return any.Matches(p); }));
}

constexpr int64_t kSecond = 1'000'000'000;

// The OS writeback, lazily: at every multiple of the interval, what was written before it becomes
// durable (what is written at the tick's very instant waits for the next one); without it only
// syncs count. A crash keeps exactly that.
TEST(SimDiskTest, WritebackTicksMakeEarlierWritesDurable) {
  int64_t now = 0;
  SimDisk d(Prng(1));
  d.set_writeback(5 * kSecond, [&] { return now; });
  now = 1 * kSecond;
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/f", AsBytes("abc")).ok());
  now = 5 * kSecond - 1;
  d.CatchUpWriteback();
  EXPECT_FALSE(d.mem().DurableSize("p/f").ok());  // no tick yet: not even the name
  now = 5 * kSecond;
  d.CatchUpWriteback();
  ASSERT_TRUE(d.mem().DurableSize("p/f").ok());
  EXPECT_EQ(*d.mem().DurableSize("p/f"), 3u);
  EXPECT_EQ(d.writebacks(), 1u);
  ASSERT_TRUE(d.Write("p/f", 0, AsBytes("XYZ")).ok());  // at the tick: waits for the 10 s one
  now = 10 * kSecond - 1;
  d.Crash();
  EXPECT_EQ(ReadAll(d, "p/f"), "abc");
  now = 10 * kSecond + 500'000'000;
  ASSERT_TRUE(d.Write("p/f", 0, AsBytes("QQQ")).ok());
  now = 17 * kSecond;  // the 15 s tick passed: a crash keeps the write
  d.Crash();
  EXPECT_EQ(ReadAll(d, "p/f"), "QQQ");
  EXPECT_EQ(d.writebacks(), 2u);
}

TEST(SimDiskTest, WithoutWritebackOnlySyncsMakeDataDurable) {
  for (int64_t interval : {int64_t{0}, 1 * kSecond}) {
    SCOPED_TRACE(interval);
    int64_t now = 0;
    SimDisk d(Prng(1));
    d.set_writeback(interval, [&] { return now; });
    now = 1;
    ASSERT_TRUE(d.CreateDir("p").ok());
    ASSERT_TRUE(d.Append("p/f", AsBytes("abc")).ok());
    now = 60 * kSecond;
    d.Crash();
    EXPECT_EQ(d.Exists("p/f"), interval != 0);
  }
}

// A sync requested before a writeback tick and completed after it does not move durable content
// back; one requested after it applies.
TEST(SimDiskTest, SyncsAndWritebackNeverMoveDurableContentBack) {
  int64_t now = 0;
  SimDisk d(Prng(1));
  d.set_writeback(1 * kSecond, [&] { return now; });
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/f", AsBytes("v1")).ok());
  SyncId early = d.RequestSync("p/f");
  now = 500'000'000;
  ASSERT_TRUE(d.Write("p/f", 0, AsBytes("v2")).ok());
  now = 1 * kSecond + 1;
  d.CatchUpWriteback();
  d.FinishSync(early, true);
  now = 1 * kSecond + 2;
  ASSERT_TRUE(d.Write("p/f", 0, AsBytes("v3")).ok());
  d.FinishSync(d.RequestSync("p/f"), true);
  ASSERT_TRUE(d.Write("p/f", 0, AsBytes("v4")).ok());
  d.Crash();  // no tick since v3's sync: v4 is lost
  EXPECT_EQ(ReadAll(d, "p/f"), "v3");
}

// Through the Simulation: SimOptions::disk_writeback_ns reaches every node's disk, and a crash
// after a tick keeps what the node wrote before it, without the node having synced anything.
TEST(SimDiskTest, SimulationAppliesWritebackToEveryDisk) {
  for (int64_t interval : {int64_t{0}, 1 * kSecond}) {
    SCOPED_TRACE(interval);
    SimOptions so;
    so.disk_writeback_ns = interval;
    ProbeCluster c(2, so);
    c.sim.RunUntil(200'000'000);
    for (int id : {1, 2}) {
      Disk& d = c.P(id).disk();
      ASSERT_TRUE(d.CreateDir("p").ok());
      ASSERT_TRUE(d.Append("p/f", AsBytes("data")).ok());
    }
    c.sim.RunUntil(3 * kSecond);
    c.sim.Crash(NodeId(1));
    c.sim.Crash(NodeId(2));
    c.sim.Restart(NodeId(1));
    c.sim.Restart(NodeId(2));
    for (int id : {1, 2}) EXPECT_EQ(ReadAll(c.P(id).disk(), "p/f"), interval == 0 ? "<missing>" : "data");
    EXPECT_EQ(c.sim.disk(NodeId(1)).writeback_ns(), interval);
  }
}

}  // namespace
}  // namespace samsa::sim
