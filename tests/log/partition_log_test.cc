#include "core/log/partition_log.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/base/mem_disk.h"
#include "core/log/sealed_text.h"
#include "core/log/segment_name.h"
#include "tests/log/log_test_util.h"

namespace samsa {
namespace {

using testing::Batch;
using testing::BaseOffsetOf;
using testing::EpochOf;
using testing::MakeBatch;
using testing::NextOffsetOf;
using testing::ReadAllBatches;
using testing::SplitBatches;

constexpr char kDir[] = "orders-0";

LogConfig SmallConfig() {
  LogConfig c;
  c.segment_bytes = 2000;
  c.index_interval_bytes = 300;
  return c;
}

std::unique_ptr<PartitionLog> OpenLog(Disk& disk, LogConfig config = SmallConfig(), int64_t now_ms = 0) {
  auto log = PartitionLog::Open(disk, kDir, config, now_ms);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) Append(out, p);
  return out;
}

TEST(PartitionLogTest, EmptyLog) {
  MemDisk disk;
  auto log = OpenLog(disk);
  EXPECT_EQ(log->log_start_offset(), 0);
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_TRUE(disk.Exists("orders-0/00000000000000000000.log"));
  EXPECT_TRUE(disk.Exists("orders-0/00000000000000000000.index"));
  EXPECT_TRUE(disk.Exists("orders-0/00000000000000000000.timeindex"));
  auto r = log->Read(0, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(log->Read(1, 100).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(log->EndOffsetForEpoch(0), (EpochEndOffset{-1, -1}));
}

TEST(PartitionLogTest, AppendAssignsOffsetsByRewritingOnlyTheBaseOffsetAndEpoch) {
  MemDisk disk;
  auto log = OpenLog(disk);
  Bytes b1 = Batch(3, 100, 1000);
  auto info = log->AppendAsLeader(b1, 5, 0);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->first_offset, 0);
  EXPECT_EQ(info->last_offset, 2);
  Bytes b2 = Batch(2, 50, 2000, 7);
  info = log->AppendAsLeader(b2, 5, 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, 3);
  EXPECT_EQ(info->last_offset, 4);
  EXPECT_EQ(log->log_end_offset(), 5);

  auto batches = ReadAllBatches(*log);
  ASSERT_EQ(batches.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const Bytes& got = batches[i];
    const Bytes& sent = i == 0 ? b1 : b2;
    ASSERT_EQ(got.size(), sent.size());
    // Only baseOffset (0..8) and partitionLeaderEpoch (12..16) differ; the CRC still holds.
    EXPECT_TRUE(std::equal(got.begin() + 8, got.begin() + 12, sent.begin() + 8));
    EXPECT_TRUE(std::equal(got.begin() + 16, got.end(), sent.begin() + 16));
    EXPECT_EQ(EpochOf(got), 5);
    auto h = ValidateBatch(got);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
  }
  EXPECT_EQ(BaseOffsetOf(batches[0]), 0);
  EXPECT_EQ(BaseOffsetOf(batches[1]), 3);
  EXPECT_EQ(log->epoch_entries(), (std::vector<EpochEntry>{{5, 0}}));
}

TEST(PartitionLogTest, SeveralBatchesPerAppend) {
  MemDisk disk;
  auto log = OpenLog(disk);
  Bytes all = Concat({Batch(1, 10), Batch(4, 40), Batch(2, 20)});
  auto info = log->AppendAsLeader(all, 0, 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->batch_count, 3);
  EXPECT_EQ(info->first_offset, 0);
  EXPECT_EQ(info->last_offset, 6);
  auto batches = ReadAllBatches(*log);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(BaseOffsetOf(batches[0]), 0);
  EXPECT_EQ(BaseOffsetOf(batches[1]), 1);
  EXPECT_EQ(BaseOffsetOf(batches[2]), 5);
  // Reading from an offset inside a batch returns the whole batch that holds it.
  auto r = log->Read(3, 1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_offset, 1);
  EXPECT_EQ(r->next_offset, 5);
  EXPECT_EQ(r->records, batches[1]);
}

TEST(PartitionLogTest, RejectsBadInput) {
  MemDisk disk;
  LogConfig config = SmallConfig();
  config.max_batch_bytes = 500;
  auto log = OpenLog(disk, config);
  Bytes bad_crc = Batch(1, 10);
  bad_crc.back() ^= 1;
  EXPECT_EQ(log->AppendAsLeader(bad_crc, 0, 0).status().code(), StatusCode::kCorruption);
  Bytes bad_magic = Batch(1, 10);
  bad_magic[16] = 1;
  EXPECT_FALSE(log->AppendAsLeader(bad_magic, 0, 0).ok());
  EXPECT_EQ(log->AppendAsLeader(Batch(1, 600), 0, 0).status().code(), StatusCode::kInvalidArgument);
  Bytes torn = Batch(1, 10);
  torn.pop_back();
  EXPECT_FALSE(log->AppendAsLeader(torn, 0, 0).ok());
  EXPECT_FALSE(log->AppendAsLeader(Concat({Batch(1, 10), Bytes{1, 2, 3}}), 0, 0).ok());
  EXPECT_FALSE(log->AppendAsLeader(Bytes{}, 0, 0).ok());
  // lastOffsetDelta must match recordCount - 1.
  Bytes mismatch = MakeBatch({.records = 3, .payload_bytes = 10});
  StoreBe32(mismatch.data() + 23, 7);
  StoreBe32(mismatch.data() + 17, ComputeBatchCrc(mismatch));
  EXPECT_EQ(log->AppendAsLeader(mismatch, 0, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->log_end_offset(), 0);
  // Nothing was written by the failures; the log is healthy.
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 3, 0).ok());
  EXPECT_EQ(log->AppendAsLeader(Batch(1, 10), 2, 0).status().code(), StatusCode::kInvalidArgument);  // stale epoch
  EXPECT_TRUE(log->health().ok());
}

TEST(PartitionLogTest, ReadReturnsWholeBatchesAndAtLeastOne) {
  MemDisk disk;
  LogConfig config = SmallConfig();
  config.segment_bytes = 100000;
  auto log = OpenLog(disk, config);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(2, 139), 0, 0).ok());  // 200 bytes each
  auto r = log->Read(0, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 200u);  // one batch although larger than max_bytes
  r = log->Read(0, 599);
  EXPECT_EQ(r->records.size(), 400u);
  r = log->Read(5, 600);
  EXPECT_EQ(r->first_offset, 4);
  EXPECT_EQ(r->records.size(), 600u);
  EXPECT_EQ(r->next_offset, 10);
  r = log->Read(20, 600);
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(log->Read(21, 600).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(log->Read(-1, 600).status().code(), StatusCode::kOutOfRange);
}

TEST(PartitionLogTest, RollsBySizeAndReadsAcrossSegments) {
  MemDisk disk;
  auto log = OpenLog(disk);  // segment_bytes 2000
  std::vector<Bytes> sent;
  for (int i = 0; i < 30; ++i) {
    sent.push_back(Batch(1 + i % 3, 100 + size_t(i) * 7, i, uint64_t(i)));
    ASSERT_TRUE(log->AppendAsLeader(sent.back(), 0, 0).ok());
  }
  auto bases = log->segment_base_offsets();
  EXPECT_GT(bases.size(), 3u);
  EXPECT_EQ(bases.front(), 0);
  for (size_t i = 0; i < bases.size(); ++i) {
    auto size = disk.FileSize("orders-0/" + SegmentFileName(bases[i], kLogFileSuffix));
    ASSERT_TRUE(size.ok());
    EXPECT_LE(*size, 2000u);
  }
  auto batches = ReadAllBatches(*log, 300);
  ASSERT_EQ(batches.size(), sent.size());
  int64_t next = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(BaseOffsetOf(batches[i]), next);
    EXPECT_TRUE(std::equal(batches[i].begin() + 16, batches[i].end(), sent[i].begin() + 16));
    next = NextOffsetOf(batches[i]);
  }
  EXPECT_EQ(next, log->log_end_offset());
}

TEST(PartitionLogTest, RollsByTime) {
  MemDisk disk;
  LogConfig config = SmallConfig();
  config.segment_bytes = 1 << 20;
  config.roll_ms = 1000;
  auto log = OpenLog(disk, config);
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 5000).ok());
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 6000).ok());  // exactly roll_ms: no roll
  EXPECT_EQ(log->segment_base_offsets().size(), 1u);
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 6001).ok());
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0, 2}));
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 6500).ok());
  EXPECT_EQ(log->segment_base_offsets().size(), 2u);
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 7002).ok());
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0, 2, 4}));
}

// [base, next) of every batch in the log's segment files, read straight from the disk.
std::vector<std::pair<int64_t, int64_t>> BatchRangesOnDisk(MemDisk& disk) {
  std::vector<std::pair<int64_t, int64_t>> out;
  std::vector<std::string> names = *disk.List(kDir);
  for (const std::string& name : names) {
    if (name.size() < 4 || name.substr(name.size() - 4) != ".log") continue;
    Bytes data = *disk.Read(std::string(kDir) + "/" + name, 0, 1 << 24);
    for (const Bytes& b : SplitBatches(data)) out.emplace_back(BaseOffsetOf(b), NextOffsetOf(b));
  }
  return out;
}

// Read(o) must start at the batch holding o, whatever path the lookup takes.
void ExpectReadsFindTheirBatch(PartitionLog& log, MemDisk& disk, const std::string& context) {
  auto ranges = BatchRangesOnDisk(disk);
  for (int64_t o = log.log_start_offset(); o < log.log_end_offset(); ++o) {
    auto r = log.Read(o, 1);
    ASSERT_TRUE(r.ok()) << context << ": " << r.status().ToString();
    // The batch holding o, or after a gap in the offsets (a follower's), the next one.
    auto it = std::find_if(ranges.begin(), ranges.end(), [&](auto& rg) { return o < rg.second; });
    ASSERT_NE(it, ranges.end()) << context << " offset " << o;
    ASSERT_EQ(r->first_offset, it->first) << context << " offset " << o;
    ASSERT_EQ(r->next_offset, it->second) << context << " offset " << o;
  }
}

// Index lookups (through Read at every offset) agree with a linear scan, for random logs: the
// batches on disk are the ones appended, and each Read lands on the one holding its offset.
TEST(PartitionLogTest, IndexLookupsAgreeWithLinearScan) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Prng prng(seed);
    MemDisk disk;
    LogConfig config;
    config.segment_bytes = 3000 + int64_t(prng.Uniform(5000));
    config.index_interval_bytes = int64_t(prng.Uniform(600));
    auto log = OpenLog(disk, config);
    std::vector<std::pair<int64_t, int64_t>> ranges;  // [base, next) of each batch, linear
    int64_t ts = 0;
    for (int i = 0; i < 150; ++i) {
      int32_t records = int32_t(1 + prng.Uniform(5));
      ts += prng.Range(-20, 100);
      Bytes b = Batch(records, size_t(records) + prng.Uniform(400), ts, seed * 1000 + uint64_t(i));
      auto info = log->AppendAsLeader(b, 0, 0);
      ASSERT_TRUE(info.ok());
      ranges.emplace_back(info->first_offset, info->last_offset + 1);
    }
    EXPECT_EQ(BatchRangesOnDisk(disk), ranges) << "seed " << seed;
    ExpectReadsFindTheirBatch(*log, disk, "seed " + std::to_string(seed));
  }
}

// The log remembers where the batches it wrote or walked lie (FindBatch skips to them); after
// truncations, follower appends and a reopen that trusts old segments below their last index
// entry, every lookup still lands where a scan of the files would.
TEST(PartitionLogTest, BatchLookupsAgreeWithTheFilesAfterTruncationAndReopen) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Prng prng(seed);
    MemDisk disk;
    LogConfig config;
    config.segment_bytes = 2500 + int64_t(prng.Uniform(3000));
    config.index_interval_bytes = 100 + int64_t(prng.Uniform(400));
    auto log = OpenLog(disk, config);
    int32_t epoch = 0;
    auto append = [&](int n) {
      for (int i = 0; i < n; ++i) {
        int32_t records = int32_t(1 + prng.Uniform(4));
        Bytes b = Batch(records, size_t(records) + prng.Uniform(200), 0, prng.NextU64());
        ASSERT_TRUE(log->AppendAsLeader(b, epoch, 0).ok());
      }
    };
    append(80);
    ExpectReadsFindTheirBatch(*log, disk, "appended");
    for (int round = 0; round < 3; ++round) {
      int64_t cut = log->log_start_offset() + int64_t(prng.Uniform(uint64_t(log->log_end_offset() - log->log_start_offset())));
      ASSERT_TRUE(log->TruncateTo(cut).ok());
      ExpectReadsFindTheirBatch(*log, disk, "truncated");
      append(int(10 + prng.Uniform(30)));
      ExpectReadsFindTheirBatch(*log, disk, "appended after truncation");
    }
    // A follower's appends keep the leader's offsets.
    int64_t next = log->log_end_offset() + 3;
    for (int i = 0; i < 10; ++i) {
      Bytes b = MakeBatch({.records = 2, .payload_bytes = 40, .base_offset = next, .leader_epoch = 1,
                           .fill_seed = uint64_t(i)});
      ASSERT_TRUE(log->AppendAsFollower(b, 0).ok());
      next += 2;
    }
    ExpectReadsFindTheirBatch(*log, disk, "follower appends");
    epoch = 1;
    while (log->segment_base_offsets().size() < 3 && !HasFailure()) append(10);
    // A clean close: the reopened log trusts the older segments and walks only their tails.
    for (int i = 0; i < 2; ++i) {
      auto ids = log->RequestSync();
      disk.CompleteAllSyncs();
      for (SyncId id : ids) (void)log->OnSyncDone(id);
    }
    log.reset();
    log = OpenLog(disk, config);
    ASSERT_TRUE(log->recovery_notes().empty()) << log->recovery_notes().front();
    ASSERT_GT(log->segment_base_offsets().size(), 1u) << "seed " << seed;
    ExpectReadsFindTheirBatch(*log, disk, "reopened");
    int64_t first_next = log->segment_base_offsets()[1];
    ASSERT_TRUE(log->TruncateTo(log->log_start_offset() + (first_next - log->log_start_offset()) / 2).ok());
    ExpectReadsFindTheirBatch(*log, disk, "truncated into a trusted segment");
    append(40);
    ExpectReadsFindTheirBatch(*log, disk, "appended after the reopen");
  }
}

TEST(PartitionLogTest, OffsetForTimestampMatchesLinearScan) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Prng prng(seed);
    MemDisk disk;
    LogConfig config;
    config.segment_bytes = 4000;
    config.index_interval_bytes = 200;
    auto log = OpenLog(disk, config);
    std::vector<std::tuple<int64_t, int64_t>> batches;  // (base offset, max timestamp)
    int64_t ts = 1000;
    for (int i = 0; i < 120; ++i) {
      ts += prng.Range(-50, 100);  // timestamps may go backwards
      auto info = log->AppendAsLeader(Batch(2, 20 + prng.Uniform(200), ts, uint64_t(i)), 0, 0);
      ASSERT_TRUE(info.ok());
      batches.emplace_back(info->first_offset, ts);
    }
    for (int64_t target = 900; target < ts + 100; target += 7) {
      std::optional<TimestampOffset> want;
      for (auto [base, max_ts] : batches) {
        if (max_ts >= target) {
          want = TimestampOffset{max_ts, base};
          break;
        }
      }
      auto got = log->OffsetForTimestamp(target);
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(*got, want) << "seed " << seed << " target " << target;
    }
    EXPECT_EQ(**log->OffsetForTimestamp(kEarliestTimestamp), (TimestampOffset{-1, 0}));
    EXPECT_EQ(**log->OffsetForTimestamp(kLatestTimestamp), (TimestampOffset{-1, log->log_end_offset()}));
    // The same answers after a reopen (the indexes come back from disk).
    log.reset();
    log = OpenLog(disk, config);
    for (int64_t target = 900; target < ts + 100; target += 13) {
      std::optional<TimestampOffset> want;
      for (auto [base, max_ts] : batches) {
        if (max_ts >= target) {
          want = TimestampOffset{max_ts, base};
          break;
        }
      }
      EXPECT_EQ(*log->OffsetForTimestamp(target), want) << "seed " << seed << " target " << target;
    }
  }
}

TEST(PartitionLogTest, EpochCheckpointAndEndOffsetForEpoch) {
  MemDisk disk;
  auto log = OpenLog(disk);
  ASSERT_TRUE(log->AppendAsLeader(Batch(5, 20), 1, 0).ok());   // 0..4
  ASSERT_TRUE(log->AppendAsLeader(Batch(5, 20), 1, 0).ok());   // 5..9
  ASSERT_TRUE(log->AppendAsLeader(Batch(5, 20), 3, 0).ok());   // 10..14
  ASSERT_TRUE(log->AppendAsLeader(Batch(5, 20), 6, 0).ok());   // 15..19
  EXPECT_EQ(log->epoch_entries(), (std::vector<EpochEntry>{{1, 0}, {3, 10}, {6, 15}}));
  auto text = disk.Read("orders-0/leader-epoch-checkpoint", 0, 1000);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(AsString(*text), SealText("0\n3\n1 0\n3 10\n6 15\n"));
  EXPECT_FALSE(disk.Exists("orders-0/leader-epoch-checkpoint.tmp"));
  EXPECT_EQ(log->EndOffsetForEpoch(6), (EpochEndOffset{6, 20}));
  EXPECT_EQ(log->EndOffsetForEpoch(3), (EpochEndOffset{3, 15}));
  EXPECT_EQ(log->EndOffsetForEpoch(4), (EpochEndOffset{3, 15}));
  EXPECT_EQ(log->EndOffsetForEpoch(1), (EpochEndOffset{1, 10}));
  EXPECT_EQ(log->EndOffsetForEpoch(0), (EpochEndOffset{0, 0}));
  EXPECT_EQ(log->EndOffsetForEpoch(7), (EpochEndOffset{-1, -1}));
  EXPECT_EQ(log->latest_epoch(), 6);
}

TEST(PartitionLogTest, FollowerAppendKeepsOffsetsAndEpochs) {
  MemDisk leader_disk, follower_disk;
  auto leader = OpenLog(leader_disk);
  ASSERT_TRUE(leader->AppendAsLeader(Batch(3, 30), 2, 0).ok());
  ASSERT_TRUE(leader->AppendAsLeader(Concat({Batch(1, 30), Batch(2, 30)}), 4, 0).ok());
  auto fetched = leader->Read(0, 1 << 20);
  ASSERT_TRUE(fetched.ok());
  auto follower = PartitionLog::Open(follower_disk, "orders-0", SmallConfig(), 0);
  ASSERT_TRUE(follower.ok());
  auto info = (*follower)->AppendAsFollower(fetched->records, 0);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->first_offset, 0);
  EXPECT_EQ((*follower)->log_end_offset(), 6);
  EXPECT_EQ((*follower)->epoch_entries(), leader->epoch_entries());
  EXPECT_EQ(ReadAllBatches(**follower), ReadAllBatches(*leader));
  // Offsets below the log end are rejected.
  EXPECT_EQ((*follower)->AppendAsFollower(fetched->records, 0).status().code(), StatusCode::kOutOfRange);
  // A batch from an older epoch than the log's latest is rejected.
  Bytes old_epoch = MakeBatch({.records = 1, .payload_bytes = 5, .base_offset = 6, .leader_epoch = 3});
  EXPECT_EQ((*follower)->AppendAsFollower(old_epoch, 0).status().code(), StatusCode::kInvalidArgument);
  Bytes next = MakeBatch({.records = 1, .payload_bytes = 5, .base_offset = 6, .leader_epoch = 9});
  ASSERT_TRUE((*follower)->AppendAsFollower(next, 0).ok());
  EXPECT_EQ((*follower)->EndOffsetForEpoch(4), (EpochEndOffset{4, 6}));
}

TEST(PartitionLogTest, TruncateMidSegment) {
  MemDisk disk;
  auto log = OpenLog(disk);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(2, 30), i, 0).ok());  // 0,2,4,6,8
  ASSERT_EQ(log->segment_base_offsets().size(), 1u);
  ASSERT_TRUE(log->TruncateTo(5).ok());  // drops the batch holding 5 (4..5) and later
  EXPECT_EQ(log->log_end_offset(), 4);
  EXPECT_EQ(log->epoch_entries(), (std::vector<EpochEntry>{{0, 0}, {1, 2}}));
  EXPECT_EQ(ReadAllBatches(*log).size(), 2u);
  EXPECT_EQ(*disk.FileSize("orders-0/00000000000000000000.log"), 2 * (61u + 30u));
  ASSERT_TRUE(log->TruncateTo(100).ok());  // no-op past the end
  EXPECT_EQ(log->log_end_offset(), 4);
  auto info = log->AppendAsLeader(Batch(1, 30), 7, 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, 4);
}

TEST(PartitionLogTest, TruncateAcrossSegmentsAndToLogStart) {
  MemDisk disk;
  auto log = OpenLog(disk);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(1, 200), i / 10, 0).ok());
  auto bases = log->segment_base_offsets();
  ASSERT_GE(bases.size(), 4u);
  // Truncate exactly at the start of the third segment: it goes, the second becomes active.
  ASSERT_TRUE(log->TruncateTo(bases[2]).ok());
  EXPECT_EQ(log->log_end_offset(), bases[2]);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{bases[0], bases[1]}));
  EXPECT_FALSE(disk.Exists("orders-0/" + SegmentFileName(bases[2], kLogFileSuffix)));
  EXPECT_FALSE(disk.Exists("orders-0/" + SegmentFileName(bases[3], kIndexFileSuffix)));
  // Appends continue and reads agree.
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 200), 9, 0).ok());
  EXPECT_EQ(ReadAllBatches(*log).size(), size_t(bases[2] + 1));
  // To log start: empty.
  ASSERT_TRUE(log->TruncateTo(0).ok());
  EXPECT_EQ(log->log_end_offset(), 0);
  EXPECT_TRUE(log->epoch_entries().empty());
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{0}));
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 200), 10, 0).ok());
  EXPECT_EQ(log->log_end_offset(), 1);
}

TEST(PartitionLogTest, TruncateFullyAndStartAt) {
  MemDisk disk;
  auto log = OpenLog(disk);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(1, 200), 1, 0).ok());
  ASSERT_TRUE(log->TruncateFullyAndStartAt(1000).ok());
  EXPECT_EQ(log->log_start_offset(), 1000);
  EXPECT_EQ(log->log_end_offset(), 1000);
  EXPECT_EQ(log->segment_base_offsets(), (std::vector<int64_t>{1000}));
  EXPECT_EQ(*disk.List("orders-0"), (std::vector<std::string>{"00000000000000001000.index", "00000000000000001000.log",
                                                              "00000000000000001000.timeindex",
                                                              "leader-epoch-checkpoint"}));
  auto info = log->AppendAsLeader(Batch(1, 10), 2, 0);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->first_offset, 1000);
  log.reset();
  log = OpenLog(disk);
  EXPECT_EQ(log->log_start_offset(), 1000);
  EXPECT_EQ(log->log_end_offset(), 1001);
}

TEST(PartitionLogTest, RetentionByBytes) {
  MemDisk disk;
  LogConfig config = SmallConfig();
  config.retention_bytes = 4000;
  auto log = OpenLog(disk, config);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(1, 189), 0, 0).ok());  // 250 bytes each
  uint64_t before = log->size_bytes();
  auto bases = log->segment_base_offsets();  // 8 batches (2000 bytes) per segment
  auto deleted = log->DeleteExpiredSegments(0);
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_LT(log->size_bytes(), before);
  EXPECT_GE(log->size_bytes() + 2000, 4000u);  // deleting one more segment would go below
  EXPECT_LE(log->size_bytes(), 4000u + 2000u);
  EXPECT_EQ(log->log_start_offset(), log->segment_base_offsets().front());
  EXPECT_EQ(log->Read(0, 100).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(ReadAllBatches(*log).size(), size_t(60 - log->log_start_offset()));
  EXPECT_EQ(log->epoch_entries(), (std::vector<EpochEntry>{{0, log->log_start_offset()}}));
  // A reopen keeps the log start.
  log.reset();
  log = OpenLog(disk, config);
  EXPECT_EQ(log->log_start_offset(), log->segment_base_offsets().front());
}

TEST(PartitionLogTest, RetentionByTimeNeverDeletesTheActiveSegment) {
  LogConfig config = SmallConfig();
  config.retention_ms = 10000;
  MemDisk disk2;
  auto log2 = PartitionLog::Open(disk2, "t-1", config, 0);
  ASSERT_TRUE(log2.ok());
  for (int i = 0; i < 40; ++i) ASSERT_TRUE((*log2)->AppendAsLeader(Batch(1, 189, 1000 * i), 0, 0).ok());
  auto bases = (*log2)->segment_base_offsets();
  ASSERT_EQ(bases.size(), 5u);  // 8 batches per segment; timestamps 0..7000, 8000..15000, ...
  // At now = 25000, segments whose newest batch is older than 15000 go: max timestamps are 7000
  // and 15000 -> only the first (25000 - 15000 is not > 10000).
  auto deleted = (*log2)->DeleteExpiredSegments(25000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ((*log2)->log_start_offset(), 8);
  deleted = (*log2)->DeleteExpiredSegments(1000000);
  EXPECT_EQ(*deleted, 3);
  EXPECT_EQ((*log2)->segment_base_offsets(), (std::vector<int64_t>{32}));
  EXPECT_EQ((*log2)->log_end_offset(), 40);
}

TEST(PartitionLogTest, IncreaseLogStartOffset) {
  MemDisk disk;
  auto log = OpenLog(disk);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(2, 189), i / 10, 0).ok());
  ASSERT_TRUE(log->IncreaseLogStartOffset(25).ok());
  EXPECT_EQ(log->log_start_offset(), 25);
  ASSERT_TRUE(log->IncreaseLogStartOffset(3).ok());  // never lowers
  EXPECT_EQ(log->log_start_offset(), 25);
  EXPECT_EQ(log->IncreaseLogStartOffset(61).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(log->Read(24, 10).status().code(), StatusCode::kOutOfRange);
  auto r = log->Read(25, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first_offset, 24);  // the batch holding 25
  EXPECT_EQ(log->epoch_entries(), (std::vector<EpochEntry>{{1, 25}, {2, 40}}));
  auto deleted = log->DeleteExpiredSegments(0);
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_LE(log->segment_base_offsets().front(), 25);
  EXPECT_EQ((**log->OffsetForTimestamp(kEarliestTimestamp)).offset, 25);
  // Persisted through the checkpoint.
  (void)log->RequestSync();
  log.reset();
  log = OpenLog(disk);
  EXPECT_EQ(log->log_start_offset(), 25);
}

TEST(PartitionLogTest, ReopenAfterCleanCloseGivesIdenticalState) {
  MemDisk disk;
  auto log = OpenLog(disk);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(log->AppendAsLeader(Batch(1 + i % 4, 50 + size_t(i) * 3, i * 10, uint64_t(i)), i / 7, 0).ok());
  // Two rounds: the second writes the recovery point the first made durable (a clean shutdown).
  for (int round = 0; round < 2; ++round) {
    auto ids = log->RequestSync();
    disk.CompleteAllSyncs();
    for (SyncId id : ids) EXPECT_TRUE(log->OnSyncDone(id).empty());
    EXPECT_EQ(log->durable_offset(), log->log_end_offset());
  }
  auto bases = log->segment_base_offsets();
  auto batches = ReadAllBatches(*log);
  auto epochs = log->epoch_entries();
  int64_t leo = log->log_end_offset();
  std::vector<std::string> files = *disk.List("orders-0");
  std::vector<Bytes> contents;
  for (const auto& f : files) contents.push_back(*disk.Read("orders-0/" + f, 0, 1 << 20));
  log.reset();
  log = OpenLog(disk);
  EXPECT_TRUE(log->recovery_notes().empty()) << log->recovery_notes().front();
  EXPECT_EQ(log->segment_base_offsets(), bases);
  EXPECT_EQ(log->log_end_offset(), leo);
  EXPECT_EQ(log->epoch_entries(), epochs);
  EXPECT_EQ(ReadAllBatches(*log), batches);
  EXPECT_EQ(log->durable_offset(), leo);
  // No file changed on disk.
  EXPECT_EQ(*disk.List("orders-0"), files);
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(*disk.Read("orders-0/" + files[i], 0, 1 << 20), contents[i]) << files[i];
}

TEST(PartitionLogTest, DurableOffsetWaitsForEveryRequestInOrder) {
  MemDisk disk;
  auto log = OpenLog(disk);
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 0).ok());
  auto first = log->RequestSync();
  ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 0).ok());
  auto second = log->RequestSync();
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  for (SyncId id : second) log->OnSyncDone(id);
  EXPECT_EQ(log->durable_offset(), 0);  // the first request is still pending
  for (size_t i = 0; i + 1 < first.size(); ++i) log->OnSyncDone(first[i]);
  EXPECT_EQ(log->durable_offset(), 0);
  log->OnSyncDone(first.back());
  EXPECT_EQ(log->durable_offset(), 2);
  EXPECT_FALSE(log->sync_needed());
  EXPECT_TRUE(log->RequestSync().size() >= 1);  // the advanced recovery point rides along
}

TEST(PartitionLogTest, ForeignFileRejectsOpenAndTempFilesAreRemoved) {
  MemDisk disk;
  {
    auto log = OpenLog(disk);
    ASSERT_TRUE(log->AppendAsLeader(Batch(1, 10), 0, 0).ok());
  }
  ASSERT_TRUE(disk.Append("orders-0/leader-epoch-checkpoint.tmp", AsBytes("junk")).ok());
  {
    auto log = OpenLog(disk);
    EXPECT_FALSE(disk.Exists("orders-0/leader-epoch-checkpoint.tmp"));
  }
  ASSERT_TRUE(disk.Append("orders-0/notes.txt", AsBytes("hello")).ok());
  auto log = PartitionLog::Open(disk, kDir, SmallConfig(), 0);
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("notes.txt"), std::string::npos);
}

TEST(PartitionLogTest, DiskErrorFailsTheLog) {
  MemDisk disk;
  auto log = OpenLog(disk);
  disk.StopAfterOps(0);
  EXPECT_EQ(log->AppendAsLeader(Batch(1, 10), 0, 0).status().code(), StatusCode::kIoError);
  disk.ClearFault();
  EXPECT_FALSE(log->health().ok());
  EXPECT_FALSE(log->AppendAsLeader(Batch(1, 10), 0, 0).ok());
  EXPECT_TRUE(log->RequestSync().empty());
}

}  // namespace
}  // namespace samsa
