// Recovery on Open: rebuilt indexes and epoch cache, truncation at torn or corrupt batches.
#include <gtest/gtest.h>

#include "core/base/mem_disk.h"
#include "core/log/partition_log.h"
#include "core/log/sealed_text.h"
#include "core/log/segment_name.h"
#include "tests/log/log_test_util.h"

namespace samsa {
namespace {

using testing::Batch;
using testing::ReadAllBatches;

constexpr char kDir[] = "orders-0";

LogConfig Config() {
  LogConfig c;
  c.segment_bytes = 2000;
  c.index_interval_bytes = 150;
  return c;
}

std::string SegPath(int64_t base, std::string_view suffix) { return std::string(kDir) + "/" + SegmentFileName(base, suffix); }

// A log of 40 batches over several segments, synced twice so the recovery point covers it all.
struct Fixture {
  MemDisk disk;
  std::vector<Bytes> batches;
  std::vector<int64_t> bases;
  std::vector<EpochEntry> epochs;

  explicit Fixture(bool sync = true) {
    auto log = std::move(PartitionLog::Open(disk, kDir, Config(), 0)).value();
    for (int i = 0; i < 40; ++i) EXPECT_TRUE(log->AppendAsLeader(Batch(1 + i % 3, 100 + size_t(i % 7) * 20, i * 10, uint64_t(i)), i / 8, 0).ok());
    for (int round = 0; round < (sync ? 2 : 0); ++round) {
      auto ids = log->RequestSync();
      disk.CompleteAllSyncs();
      for (SyncId id : ids) log->OnSyncDone(id);
    }
    batches = ReadAllBatches(*log);
    bases = log->segment_base_offsets();
    epochs = log->epoch_entries();
  }

  std::unique_ptr<PartitionLog> Reopen() {
    auto log = PartitionLog::Open(disk, kDir, Config(), 0);
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return log.ok() ? std::move(log).value() : nullptr;
  }
  Bytes File(const std::string& path) { return disk.Read(path, 0, 1 << 20).value_or(Bytes{}); }

  // Where batch i lies: its segment's index and its position in that segment's file.
  std::pair<size_t, uint64_t> Locate(size_t i) const {
    int64_t base = testing::BaseOffsetOf(batches[i]);
    size_t seg = 0;
    while (seg + 1 < bases.size() && bases[seg + 1] <= base) ++seg;
    uint64_t pos = 0;
    for (size_t j = 0; j < i; ++j)
      if (testing::BaseOffsetOf(batches[j]) >= bases[seg]) pos += batches[j].size();
    return {seg, pos};
  }
};

TEST(LogRecoveryTest, RebuildsDeletedIndexFiles) {
  Fixture f;
  ASSERT_GE(f.bases.size(), 3u);
  Bytes index0 = f.File(SegPath(f.bases[0], kIndexFileSuffix));
  Bytes time0 = f.File(SegPath(f.bases[0], kTimeIndexFileSuffix));
  Bytes index2 = f.File(SegPath(f.bases[2], kIndexFileSuffix));
  ASSERT_FALSE(index0.empty());
  ASSERT_FALSE(time0.empty());
  for (int64_t b : {f.bases[0], f.bases[2]}) {
    ASSERT_TRUE(f.disk.Remove(SegPath(b, kIndexFileSuffix)).ok());
    ASSERT_TRUE(f.disk.Remove(SegPath(b, kTimeIndexFileSuffix)).ok());
  }
  auto log = f.Reopen();
  EXPECT_EQ(f.File(SegPath(f.bases[0], kIndexFileSuffix)), index0);
  EXPECT_EQ(f.File(SegPath(f.bases[0], kTimeIndexFileSuffix)), time0);
  EXPECT_EQ(f.File(SegPath(f.bases[2], kIndexFileSuffix)), index2);
  EXPECT_EQ(ReadAllBatches(*log, 1), f.batches);
  EXPECT_FALSE(log->recovery_notes().empty());
}

TEST(LogRecoveryTest, RebuildsGarbageIndexFiles) {
  Fixture f;
  Bytes index1 = f.File(SegPath(f.bases[1], kIndexFileSuffix));
  Bytes time1 = f.File(SegPath(f.bases[1], kTimeIndexFileSuffix));
  Prng prng(7);
  Bytes garbage(40);
  for (auto& b : garbage) b = uint8_t(prng.NextU64());
  ASSERT_TRUE(f.disk.Truncate(SegPath(f.bases[1], kIndexFileSuffix), 0).ok());
  ASSERT_TRUE(f.disk.Append(SegPath(f.bases[1], kIndexFileSuffix), garbage).ok());
  ASSERT_TRUE(f.disk.Write(SegPath(f.bases[1], kTimeIndexFileSuffix), 0, Bytes(12, 0xff)).ok());
  // A plausible but wrong entry in segment 0: increasing, in range, pointing mid-batch.
  Bytes bad_entry;
  PutBe32(bad_entry, 1);
  PutBe32(bad_entry, 7);
  ASSERT_TRUE(f.disk.Truncate(SegPath(f.bases[0], kIndexFileSuffix), 0).ok());
  ASSERT_TRUE(f.disk.Append(SegPath(f.bases[0], kIndexFileSuffix), bad_entry).ok());
  Bytes index0 = Fixture(true).File(SegPath(f.bases[0], kIndexFileSuffix));
  auto log = f.Reopen();
  EXPECT_EQ(f.File(SegPath(f.bases[1], kIndexFileSuffix)), index1);
  EXPECT_EQ(f.File(SegPath(f.bases[1], kTimeIndexFileSuffix)), time1);
  EXPECT_EQ(f.File(SegPath(f.bases[0], kIndexFileSuffix)), index0);
  EXPECT_EQ(ReadAllBatches(*log, 1), f.batches);
  for (int64_t ts = 0; ts < 400; ts += 10) {
    auto r = log->OffsetForTimestamp(ts);
    ASSERT_TRUE(r.ok() && r->has_value());
  }
}

// Flips one bit inside batch `victim` (in the records area or the header) and expects the log to
// end right before it, with every earlier batch intact and later segments gone.
// With keep_recovery_point the flip lies below a recovery point that claims it durable and checked.
void ExpectTruncatedAt(size_t victim, size_t byte_in_batch, bool torn, bool keep_recovery_point = false) {
  Fixture f;
  int64_t base = testing::BaseOffsetOf(f.batches[victim]);
  auto [seg, pos] = f.Locate(victim);
  std::string path = SegPath(f.bases[seg], kLogFileSuffix);
  if (torn) {
    ASSERT_TRUE(f.disk.Truncate(path, pos + byte_in_batch).ok());
  } else {
    Bytes b = *f.disk.Read(path, pos + byte_in_batch, 1);
    b[0] ^= 0x10;
    ASSERT_TRUE(f.disk.Write(path, pos + byte_in_batch, b).ok());
  }
  // Scan from the segment's start: forget the recovery point.
  if (!keep_recovery_point) {
    ASSERT_TRUE(f.disk.Remove(std::string(kDir) + "/recovery-point").ok());
  }
  auto log = f.Reopen();
  EXPECT_EQ(log->log_end_offset(), base);
  auto got = ReadAllBatches(*log);
  ASSERT_EQ(got.size(), victim);
  for (size_t i = 0; i < victim; ++i) EXPECT_EQ(got[i], f.batches[i]);
  EXPECT_EQ(log->segment_base_offsets().back(), f.bases[seg]);
  EXPECT_EQ(*f.disk.FileSize(path), pos);
  for (size_t s = seg + 1; s < f.bases.size(); ++s) EXPECT_FALSE(f.disk.Exists(SegPath(f.bases[s], kLogFileSuffix)));
  // The epoch cache no longer names offsets past the end; appends continue.
  for (const auto& e : log->epoch_entries()) EXPECT_LT(e.start_offset, base);
  auto info = log->AppendAsLeader(Batch(1, 10), 9, 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, base);
}

TEST(LogRecoveryTest, TruncatesAtBitFlippedBatchInLastSegment) { ExpectTruncatedAt(39, 70, false); }
TEST(LogRecoveryTest, TruncatesAtBitFlippedBatchInEarlierSegment) { ExpectTruncatedAt(13, 80, false); }
// A latent sector error in data long since durable: Kafka would trust it (below the recovery
// point); samsa verifies every batch on open, so the replica refetches from there.
TEST(LogRecoveryTest, TruncatesAtBitFlippedBatchBelowTheRecoveryPoint) { ExpectTruncatedAt(13, 80, false, true); }
TEST(LogRecoveryTest, TruncatesAtCorruptLengthField) { ExpectTruncatedAt(20, 10, false); }
TEST(LogRecoveryTest, TruncatesAtCorruptMagic) { ExpectTruncatedAt(22, 16, false); }
TEST(LogRecoveryTest, TruncatesAtTornBatch) { ExpectTruncatedAt(38, 90, true); }
TEST(LogRecoveryTest, TruncatesAtTornHeader) { ExpectTruncatedAt(25, 30, true); }

TEST(LogRecoveryTest, UnsyncedTailBeyondTheRecoveryPointIsScanned) {
  Fixture f;
  // Corrupt the last segment: it is always scanned whatever the recovery point says.
  std::string path = SegPath(f.bases.back(), kLogFileSuffix);
  uint64_t size = *f.disk.FileSize(path);
  Bytes b = *f.disk.Read(path, size - 5, 1);
  b[0] ^= 1;
  ASSERT_TRUE(f.disk.Write(path, size - 5, b).ok());
  auto log = f.Reopen();
  EXPECT_EQ(log->log_end_offset(), testing::BaseOffsetOf(f.batches.back()));
}

TEST(LogRecoveryTest, RebuildsMissingOrCorruptEpochCheckpoint) {
  for (int variant : {0, 1, 3}) {
    Fixture f;
    std::string path = std::string(kDir) + "/leader-epoch-checkpoint";
    if (variant == 0) {
      ASSERT_TRUE(f.disk.Remove(path).ok());
    }
    if (variant == 1) {
      ASSERT_TRUE(f.disk.Write(path, 0, AsBytes("0\n9\n")).ok());
    }
    // One flipped bit: the checksum no longer matches.
    if (variant == 3) {
      Bytes b = f.File(path);
      b[2] ^= 0x04;
      ASSERT_TRUE(f.disk.Write(path, 0, b).ok());
    }
    auto log = f.Reopen();
    EXPECT_EQ(log->epoch_entries(), f.epochs) << variant;
    EXPECT_EQ(AsString(f.File(path)), SealText(EncodeLeaderEpochCheckpoint(f.epochs))) << variant;
  }
}

// A sealed checkpoint that names other epochs than the batches: the batches' epochs (outside
// their CRC) are taken as corrupt, and the log is cut at the first that contradicts it.
TEST(LogRecoveryTest, BatchEpochsContradictingTheCheckpointAreCut) {
  Fixture f;
  std::string path = std::string(kDir) + "/leader-epoch-checkpoint";
  ASSERT_TRUE(f.disk.Truncate(path, 0).ok());
  ASSERT_TRUE(f.disk.Append(path, AsBytes(SealText("0\n2\n0 0\n7 39\n"))).ok());
  auto log = f.Reopen();
  // Batches 0..7 carry epoch 0 as the file says; batch 8 (epoch 1, below offset 39) does not.
  EXPECT_EQ(log->log_end_offset(), testing::BaseOffsetOf(f.batches[8]));
  EXPECT_EQ(log->epoch_entries(), (std::vector<EpochEntry>{{0, 0}}));
  EXPECT_TRUE(log->lost_durable_data());
}

// A log that cut committed data keeps saying so across restarts (the mark rides in the
// recovery-point file) until the broker forgets it, once the controller took it out of the ISR.
TEST(LogRecoveryTest, LostDataMarkSurvivesRestartsUntilForgotten) {
  Fixture f;
  auto [seg, pos] = f.Locate(10);
  ASSERT_TRUE(f.disk.FlipDurableBit(SegPath(f.bases[seg], kLogFileSuffix), pos + 40, 3).ok());
  f.disk.Crash();
  auto sync_all = [&](PartitionLog& log) {
    for (int round = 0; round < 2; ++round) {
      auto ids = log.RequestSync();
      f.disk.CompleteAllSyncs();
      for (SyncId id : ids) log.OnSyncDone(id);
    }
  };
  {
    auto log = f.Reopen();
    EXPECT_EQ(log->log_end_offset(), testing::BaseOffsetOf(f.batches[10]));
    EXPECT_TRUE(log->lost_durable_data());
    sync_all(*log);
  }
  f.disk.Crash();  // what was synced survives
  {
    auto log = f.Reopen();  // the corrupt batch is gone: only the mark says what happened
    EXPECT_EQ(log->log_end_offset(), testing::BaseOffsetOf(f.batches[10]));
    EXPECT_TRUE(log->lost_durable_data());
    log->ForgetLostDurableData();
    EXPECT_FALSE(log->lost_durable_data());
    EXPECT_TRUE(log->sync_needed());
    sync_all(*log);
  }
  f.disk.Crash();
  EXPECT_FALSE(f.Reopen()->lost_durable_data());
}

// A bit flipped in a batch's partitionLeaderEpoch (not covered by its CRC), which the epoch
// checkpoint contradicts: the log is cut at that batch.
TEST(LogRecoveryTest, FlippedBatchEpochIsCut) {
  for (bool up : {false, true}) {
    Fixture f;
    size_t victim = up ? 12 : 20;  // epoch 1 -> 1|0x40 (up) or 2 -> 0 (down)
    int64_t base = testing::BaseOffsetOf(f.batches[victim]);
    auto [seg, pos] = f.Locate(victim);
    // partitionLeaderEpoch: bytes 12..15 of the batch, big-endian.
    ASSERT_TRUE(f.disk.FlipDurableBit(SegPath(f.bases[seg], kLogFileSuffix), pos + 15, up ? 6 : 1).ok());
    f.disk.Crash();
    auto log = f.Reopen();
    EXPECT_EQ(log->log_end_offset(), base) << up;
    for (const auto& e : log->epoch_entries()) EXPECT_LT(e.epoch, 64) << up;
  }
}

// A flipped base offset (outside the CRC) breaks contiguity: cut there.
TEST(LogRecoveryTest, FlippedBaseOffsetIsCut) {
  Fixture f;
  size_t victim = 5;
  auto [seg, pos] = f.Locate(victim);
  ASSERT_TRUE(f.disk.FlipDurableBit(SegPath(f.bases[seg], kLogFileSuffix), pos + 7, 2).ok());
  f.disk.Crash();
  auto log = f.Reopen();
  EXPECT_EQ(log->log_end_offset(), testing::BaseOffsetOf(f.batches[victim]));
}

TEST(LogRecoveryTest, BitFlippedRecoveryPointIsIgnored) {
  Fixture f;
  std::string path = std::string(kDir) + "/recovery-point";
  Bytes b = f.File(path);
  ASSERT_FALSE(b.empty());
  b[2] ^= 0x01;  // a digit of the recovery point: still parses, but the checksum tells
  ASSERT_TRUE(f.disk.Write(path, 0, b).ok());
  auto log = f.Reopen();
  EXPECT_EQ(ReadAllBatches(*log), f.batches);
  bool noted = false;
  for (const auto& n : log->recovery_notes()) noted |= n.find("checksum mismatch") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST(LogRecoveryTest, BitFlippedIndexBelowTheRecoveryPointIsRebuilt) {
  Fixture f;
  std::string path = SegPath(f.bases[0], kIndexFileSuffix);
  Bytes index0 = f.File(path);
  ASSERT_GE(index0.size(), 16u);
  Bytes b = index0;
  b[13] ^= 0x20;  // the position of the second entry
  ASSERT_TRUE(f.disk.Write(path, 0, b).ok());
  auto log = f.Reopen();
  EXPECT_EQ(ReadAllBatches(*log), f.batches);
  for (size_t i = 0; i < f.batches.size(); ++i) {
    auto r = log->Read(testing::BaseOffsetOf(f.batches[i]), 1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->first_offset, testing::BaseOffsetOf(f.batches[i]));
  }
  EXPECT_EQ(f.File(path), index0);
}

TEST(LogRecoveryTest, MissingRecoveryPointScansEverything) {
  Fixture f(/*sync=*/false);
  ASSERT_FALSE(f.disk.Exists(std::string(kDir) + "/recovery-point"));
  auto log = f.Reopen();
  EXPECT_EQ(ReadAllBatches(*log), f.batches);
  EXPECT_EQ(log->durable_offset(), 0);
}

TEST(LogRecoveryTest, OrphanIndexFilesAreRemoved) {
  Fixture f;
  ASSERT_TRUE(f.disk.Append(SegPath(999999, kIndexFileSuffix), Bytes(8, 0)).ok());
  auto log = f.Reopen();
  EXPECT_FALSE(f.disk.Exists(SegPath(999999, kIndexFileSuffix)));
  EXPECT_EQ(ReadAllBatches(*log), f.batches);
}

}  // namespace
}  // namespace samsa
