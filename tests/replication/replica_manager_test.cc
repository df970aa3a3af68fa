#include "core/replication/replica_manager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/base/mem_disk.h"
#include "core/log/sealed_text.h"
#include "tests/replication/replication_harness.h"

namespace samsa::testing {
namespace {

constexpr int16_t kNone = 0;
int16_t E(ErrorCode c) { return int16_t(c); }

HarnessOptions FastOptions() {
  HarnessOptions o;
  o.base.replica_lag_time_max_ms = 1000;
  o.base.replica_fetch_wait_max_ms = 100;
  o.base.replica_fetch_backoff_ms = 50;
  o.base.flush_interval_ms = 500;
  o.request_timeout_ms = 1000;
  return o;
}

const ProduceResponse::Partition& ProducePart(const Harness& h, uint64_t token) {
  const auto* r = h.ClientResponse<ProduceResponse>(token);
  SAMSA_ASSERT(r != nullptr);
  return r->responses.at(0).partition_responses.at(0);
}

FetchRequest ConsumerFetch(const std::string& topic, int32_t partition, int64_t offset, int32_t min_bytes = 0,
                           int32_t max_wait_ms = 0, int32_t current_leader_epoch = -1) {
  FetchRequest req = FetchOf(-1, topic, {{partition, offset}}, current_leader_epoch);
  req.min_bytes = min_bytes;
  req.max_wait_ms = max_wait_ms;
  return req;
}

const FetchResponse::Partition& FetchPart(const Harness& h, uint64_t token) {
  const auto* r = h.ClientResponse<FetchResponse>(token);
  SAMSA_ASSERT(r != nullptr);
  return r->responses.at(0).partitions.at(0);
}

ReplicaManager::PartitionState StateOf(ReplicaManager& rm, const std::string& topic, int32_t partition) {
  for (const auto& s : rm.Partitions()) {
    if (s.topic == topic && s.partition == partition) return s;
  }
  ADD_FAILURE() << "no partition " << topic << "-" << partition;
  return {};
}

void ExpectIdenticalBelow(Harness& h, const std::string& topic, int32_t partition, int64_t end,
                          const std::vector<int>& nodes) {
  Bytes first = ReadBelow(h.rm(nodes[0]).FindLog(topic, partition), end);
  for (size_t i = 1; i < nodes.size(); ++i) {
    Bytes other = ReadBelow(h.rm(nodes[i]).FindLog(topic, partition), end);
    EXPECT_EQ(first, other) << "seed " << h.seed() << ": nodes " << nodes[0] << " and " << nodes[i]
                            << " differ below offset " << end;
  }
}

TEST(ReplicaManagerTest, AcksOneAndAllReplicateAndPropagateHighWatermark) {
  Harness h(1, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  uint64_t a1 = h.Produce(1, "t", 0, 1, MakeBatch("one", 1000, 3));
  ASSERT_NE(h.ClientReply(a1), nullptr) << "acks=1 answers after the local append";
  EXPECT_EQ(ProducePart(h, a1).error_code, kNone);
  EXPECT_EQ(ProducePart(h, a1).base_offset, 0);
  EXPECT_EQ(ProducePart(h, a1).log_start_offset, 0);

  uint64_t a2 = h.Produce(1, "t", 0, -1, MakeBatch("two", 1001, 2));
  EXPECT_EQ(h.ClientReply(a2), nullptr) << "acks=all waits for the ISR";
  h.RunFor(200);
  ASSERT_NE(h.ClientReply(a2), nullptr);
  EXPECT_EQ(ProducePart(h, a2).error_code, kNone);
  EXPECT_EQ(ProducePart(h, a2).base_offset, 3);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 5);
  EXPECT_TRUE(StateOf(h.rm(1), "t", 0).is_leader);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).isr, (std::vector<int32_t>{1, 2, 3}));
  h.RunFor(500);
  for (int n = 2; n <= 3; ++n) {
    auto s = StateOf(h.rm(n), "t", 0);
    EXPECT_FALSE(s.is_leader);
    EXPECT_EQ(s.log_end_offset, 5);
    EXPECT_EQ(s.high_watermark, 5) << "followers learn the HW from fetch answers";
  }
  ExpectIdenticalBelow(h, "t", 0, 5, {1, 2, 3});
}

// With log.flush.interval.messages = 1 Kafka flushes inside the append: no acknowledgement may
// precede the flush on the leader or on any ISR follower it counts.
TEST(ReplicaManagerTest, FlushEveryMessageAcknowledgesOnlyFlushedRecords) {
  HarnessOptions o = FastOptions();
  o.base.flush_interval_messages = 1;
  Harness h(11, o);
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  // A follower's disk is slow: it holds the records but has not flushed them.
  h.HoldSyncs(2, true);
  uint64_t all = h.Produce(1, "t", 0, -1, MakeBatch("a", 1000, 3));
  h.RunFor(300);
  EXPECT_EQ(StateOf(h.rm(2), "t", 0).log_end_offset, 3);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 0) << "follower 2 has not flushed";
  EXPECT_EQ(h.ClientReply(all), nullptr);
  h.HoldSyncs(2, false);
  h.RunFor(300);
  ASSERT_NE(h.ClientReply(all), nullptr);
  EXPECT_EQ(ProducePart(h, all).error_code, kNone);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 3);

  // The leader's own disk is slow: neither acks=1 nor acks=all answers before its flush.
  h.HoldSyncs(1, true);
  uint64_t one = h.Produce(1, "t", 0, 1, MakeBatch("b", 1001, 2));
  uint64_t all2 = h.Produce(1, "t", 0, -1, MakeBatch("c", 1002, 2));
  h.RunFor(300);
  EXPECT_EQ(h.ClientReply(one), nullptr);
  EXPECT_EQ(h.ClientReply(all2), nullptr);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 3);
  EXPECT_EQ(StateOf(h.rm(3), "t", 0).log_end_offset, 7) << "followers replicate meanwhile";
  h.HoldSyncs(1, false);
  h.RunFor(300);
  ASSERT_NE(h.ClientReply(one), nullptr);
  ASSERT_NE(h.ClientReply(all2), nullptr);
  EXPECT_EQ(ProducePart(h, one).base_offset, 3);
  EXPECT_EQ(ProducePart(h, all2).base_offset, 5);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 7);
}

// Without the flush threshold, acks=1 still answers right after the append (Kafka's default).
TEST(ReplicaManagerTest, DefaultFlushAcknowledgesBeforeTheSync) {
  Harness h(12, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.HoldSyncs(1, true);
  uint64_t one = h.Produce(1, "t", 0, 1, MakeBatch("a", 1000, 2));
  ASSERT_NE(h.ClientReply(one), nullptr);
  EXPECT_EQ(ProducePart(h, one).error_code, kNone);
}

// replication-offset-checkpoint: a restarted replica begins from its checkpointed high
// watermark, not its log start; a corrupt checkpoint is ignored.
TEST(ReplicaManagerTest, HighWatermarkIsCheckpointedAndRecovered) {
  HarnessOptions o = FastOptions();
  o.base.hw_checkpoint_interval_ms = 1000;
  Harness h(13, o);
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  uint64_t all = h.Produce(1, "t", 0, -1, MakeBatch("a", 1000, 5));
  h.RunFor(1500);
  ASSERT_NE(h.ClientReply(all), nullptr);
  for (int n = 1; n <= 3; ++n) ASSERT_EQ(StateOf(h.rm(n), "t", 0).high_watermark, 5);
  ASSERT_TRUE(h.disk(2).Exists("data/replication-offset-checkpoint"));
  h.CrashAndRestart(2);
  EXPECT_EQ(StateOf(h.rm(2), "t", 0).high_watermark, 5);
  // A flipped bit in node 3's checkpoint: detected by its seal, so the HW starts at 0.
  ASSERT_TRUE(h.disk(3).FlipDurableBit("data/replication-offset-checkpoint", 4, 1).ok());
  h.CrashAndRestart(3);
  EXPECT_EQ(StateOf(h.rm(3), "t", 0).high_watermark, 0);
  EXPECT_EQ(StateOf(h.rm(3), "t", 0).log_end_offset, 5);
}

TEST(ReplicaManagerTest, ReplicationOffsetCheckpointFormat) {
  HighWatermarks hws{{{"orders", 0}, 1234}, {{"orders", 1}, 977}, {{"x.y", 12}, 0}};
  std::string text = EncodeReplicationOffsetCheckpoint(hws);
  EXPECT_EQ(text.substr(0, text.size() - 16), "0\n3\norders 0 1234\norders 1 977\nx.y 12 0\n");
  EXPECT_EQ(*ParseReplicationOffsetCheckpoint(text), hws);
  EXPECT_TRUE(ParseReplicationOffsetCheckpoint(EncodeReplicationOffsetCheckpoint({}))->empty());
  for (const char* bad : {"0\n2\norders 0 1\n", "1\n0\n", "0\n1\norders x 1\n", "0\n1\norders 0 -1\n",
                          "0\n2\na 0 1\na 0 2\n", "0\n0\nextra 0 1\n", "0\n1\n 0 1\n"}) {
    EXPECT_FALSE(ParseReplicationOffsetCheckpoint(SealText(bad)).ok()) << bad;
  }
  EXPECT_FALSE(ParseReplicationOffsetCheckpoint("0\n0\n").ok()) << "unsealed";
}

TEST(ReplicaManagerTest, AcksZeroHasNoResponse) {
  Harness h(2, FastOptions());
  h.CreateTopic("t", 1, {1});
  uint64_t t = h.Produce(1, "t", 0, 0, MakeBatch("x", 5));
  ASSERT_NE(h.ClientReply(t), nullptr);
  EXPECT_FALSE(h.ClientReply(t)->send_response);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).log_end_offset, 1);
}

TEST(ReplicaManagerTest, ConsumersNeverReadPastTheHighWatermark) {
  Harness h(3, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.Isolate(1);
  h.Produce(1, "t", 0, 1, MakeBatch("a", 10));
  h.RunFor(100);
  auto s = StateOf(h.rm(1), "t", 0);
  EXPECT_EQ(s.log_end_offset, 1);
  EXPECT_EQ(s.high_watermark, 0);
  uint64_t f = h.Fetch(1, ConsumerFetch("t", 0, 0));
  ASSERT_NE(h.ClientReply(f), nullptr);
  EXPECT_EQ(FetchPart(h, f).error_code, kNone);
  EXPECT_EQ(FetchPart(h, f).high_watermark, 0);
  EXPECT_TRUE(!FetchPart(h, f).records || FetchPart(h, f).records->empty());
  h.HealAll();
  h.RunFor(1500);  // the followers' lost fetches time out (1 s) first
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 1);
  uint64_t g = h.Fetch(1, ConsumerFetch("t", 0, 0));
  ASSERT_NE(h.ClientReply(g), nullptr);
  ASSERT_TRUE(FetchPart(h, g).records.has_value());
  EXPECT_FALSE(FetchPart(h, g).records->empty());
  EXPECT_EQ(FetchPart(h, g).high_watermark, 1);
  EXPECT_EQ(FetchPart(h, g).last_stable_offset, 1);
}

TEST(ReplicaManagerTest, IsrShrinksAfterLagAndExpandsWhenHealed) {
  Harness h(4, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.Cut(1, 3);
  for (int i = 0; i < 5; ++i) {
    h.Produce(1, "t", 0, 1, MakeBatch("v" + std::to_string(i), 100 + i));
    h.RunFor(100);
  }
  h.RunFor(2000);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).isr, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(h.part("t", 0).isr, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, 5) << "the HW moves on without the lagging follower";
  h.HealAll();
  h.RunFor(2500);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).isr, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(StateOf(h.rm(3), "t", 0).log_end_offset, 5);
  ExpectIdenticalBelow(h, "t", 0, 5, {1, 2, 3});
}

TEST(ReplicaManagerTest, MinInsyncReplicasBeforeAndAfterAppend) {
  Harness h(5, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3}, {{"min.insync.replicas", "3"}});
  h.RunFor(50);
  h.Cut(1, 3);
  // ISR is still {1,2,3}: appended, then the ISR shrinks while the request waits.
  int64_t hw = StateOf(h.rm(1), "t", 0).high_watermark;
  uint64_t p = h.Produce(1, "t", 0, -1, MakeBatch("x", 1), 10000);
  EXPECT_EQ(h.ClientReply(p), nullptr);
  h.RunFor(2500);
  ASSERT_NE(h.ClientReply(p), nullptr);
  EXPECT_EQ(ProducePart(h, p).error_code, E(ErrorCode::kNotEnoughReplicasAfterAppend));
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).isr, (std::vector<int32_t>{1, 2}));
  // KIP-966: below min.insync.replicas the high watermark stays, though 2 has the record (so 3,
  // which left the ISR, still holds everything committed).
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, hw);
  EXPECT_EQ(StateOf(h.rm(2), "t", 0).log_end_offset, hw + 1);
  // Now the ISR is below min.insync.replicas: rejected before the append.
  int64_t leo = StateOf(h.rm(1), "t", 0).log_end_offset;
  uint64_t q = h.Produce(1, "t", 0, -1, MakeBatch("y", 2));
  ASSERT_NE(h.ClientReply(q), nullptr);
  EXPECT_EQ(ProducePart(h, q).error_code, E(ErrorCode::kNotEnoughReplicas));
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).log_end_offset, leo);
  // acks=1 is not subject to min.insync.replicas.
  uint64_t r = h.Produce(1, "t", 0, 1, MakeBatch("z", 3));
  EXPECT_EQ(ProducePart(h, r).error_code, kNone);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, hw);
  // 3 catches up and rejoins: the ISR is big enough again and the high watermark moves on.
  h.HealAll();
  h.RunFor(2000);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).isr, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).high_watermark, StateOf(h.rm(1), "t", 0).log_end_offset);
  EXPECT_GT(StateOf(h.rm(1), "t", 0).high_watermark, hw);
}

TEST(ReplicaManagerTest, AcksAllTimesOut) {
  Harness h(6, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.Isolate(1);
  uint64_t p = h.Produce(1, "t", 0, -1, MakeBatch("x", 1), 300);
  h.RunFor(299);
  EXPECT_EQ(h.ClientReply(p), nullptr);
  h.RunFor(2);
  ASSERT_NE(h.ClientReply(p), nullptr);
  EXPECT_EQ(ProducePart(h, p).error_code, E(ErrorCode::kRequestTimedOut));
}

TEST(ReplicaManagerTest, LeaderChangeTruncatesDivergentSuffix) {
  Harness h(7, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  uint64_t acked = h.Produce(1, "t", 0, -1, MakeBatch("committed", 1, 4));
  h.RunFor(200);
  ASSERT_EQ(ProducePart(h, acked).error_code, kNone);
  // Leader 1 takes writes nobody else sees, then loses leadership.
  h.Isolate(1);
  h.Produce(1, "t", 0, 1, MakeBatch("lost", 2, 3));
  h.Produce(1, "t", 0, 1, MakeBatch("lost2", 3, 2));
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).log_end_offset, 9);
  h.ElectLeader("t", 0, 2);
  h.Produce(2, "t", 0, 1, MakeBatch("new", 4, 2));
  h.RunFor(300);
  h.HealAll();
  h.RunFor(2500);
  auto leader = StateOf(h.rm(2), "t", 0);
  EXPECT_TRUE(leader.is_leader);
  EXPECT_EQ(leader.leader_epoch, 1);
  EXPECT_EQ(leader.log_end_offset, 6);
  EXPECT_EQ(leader.high_watermark, 6);
  for (int n : {1, 3}) {
    EXPECT_EQ(StateOf(h.rm(n), "t", 0).log_end_offset, 6) << "node " << n;
  }
  ExpectIdenticalBelow(h, "t", 0, 6, {1, 2, 3});
  auto entries = h.rm(1).FindLog("t", 0)->epoch_entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1], (EpochEntry{1, 4}));
}

// Regression (issue 9; bench-reference seed 100391 before the fix): a follower cut its divergent
// tail and fetched on before the cut was durable. A crash then put the cut records back, and the
// restarted ISR follower held them below the high watermark it had checkpointed meanwhile, where
// the leader held others (replica-divergence). Now the follower fetches nothing past a truncation
// until a sync has made it durable.
TEST(ReplicaManagerTest, FollowerFetchesPastATruncationOnlyOnceItIsDurable) {
  Harness h(7, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  uint64_t acked = h.Produce(1, "t", 0, -1, MakeBatch("committed", 1, 4));
  h.RunFor(200);
  ASSERT_EQ(ProducePart(h, acked).error_code, kNone);
  h.Isolate(1);
  h.Produce(1, "t", 0, 1, MakeBatch("lost", 2, 3));
  h.RunFor(1000);  // flush.interval.ms (500): the divergent tail is durable on node 1
  ASSERT_EQ(h.rm(1).FindLog("t", 0)->durable_offset(), 7);
  h.ElectLeader("t", 0, 2);
  h.Produce(2, "t", 0, 1, MakeBatch("new", 4, 2));
  h.RunFor(300);
  h.HoldSyncs(1, true);
  h.HealAll();
  h.RunFor(2500);
  const PartitionLog* log = h.rm(1).FindLog("t", 0);
  auto follower = StateOf(h.rm(1), "t", 0);
  EXPECT_FALSE(follower.is_leader);
  EXPECT_EQ(follower.log_end_offset, 4) << "truncated to the new epoch's start, then waits for the sync";
  EXPECT_LE(follower.high_watermark, 4);
  EXPECT_EQ(log->unsynced_truncation(), 4);
  h.HoldSyncs(1, false);
  EXPECT_EQ(log->unsynced_truncation(), kNoUnsyncedTruncation);
  h.RunFor(500);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).log_end_offset, 6);
  ExpectIdenticalBelow(h, "t", 0, 6, {1, 2, 3});
  // A crash now keeps the cut: the stale batch at offset 4 cannot come back.
  h.CrashAndRestart(1);
  const PartitionLog* restarted = h.rm(1).FindLog("t", 0);
  ASSERT_NE(restarted, nullptr);
  EXPECT_LE(StateOf(h.rm(1), "t", 0).high_watermark, restarted->log_end_offset());
  ExpectIdenticalBelow(h, "t", 0, restarted->log_end_offset(), {1, 2});
}

TEST(ReplicaManagerTest, FetchAnswersDivergingEpoch) {
  Harness h(8, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.Produce(1, "t", 0, -1, MakeBatch("a", 1, 3));
  h.RunFor(200);
  h.ElectLeader("t", 0, 2);
  h.Produce(2, "t", 0, 1, MakeBatch("b", 2, 2));
  // A follower claiming epoch 0 up to offset 5 diverges: epoch 0 ended at 3 on the leader.
  FetchRequest req = ConsumerFetch("t", 0, 5);
  req.replica_id = 3;
  req.topics[0].partitions[0].last_fetched_epoch = 0;
  req.topics[0].partitions[0].current_leader_epoch = 1;
  uint64_t f = h.Fetch(2, req);
  ASSERT_NE(h.ClientReply(f), nullptr);
  const auto& part = FetchPart(h, f);
  EXPECT_EQ(part.error_code, kNone);
  ASSERT_TRUE(part.diverging_epoch.has_value());
  EXPECT_EQ(part.diverging_epoch->epoch, 0);
  EXPECT_EQ(part.diverging_epoch->end_offset, 3);
  // OffsetForLeaderEpoch gives the same answer.
  OffsetForLeaderEpochRequest o;
  o.replica_id = 3;
  o.topics.push_back({"t", {{0, 1, 0}}});
  uint64_t t = h.OffsetForLeaderEpoch(2, o);
  const auto* r = h.ClientResponse<OffsetForLeaderEpochResponse>(t);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->topics[0].partitions[0].error_code, kNone);
  EXPECT_EQ(r->topics[0].partitions[0].leader_epoch, 0);
  EXPECT_EQ(r->topics[0].partitions[0].end_offset, 3);
  // The current epoch ends at the log end.
  o.topics[0].partitions[0].leader_epoch = 1;
  t = h.OffsetForLeaderEpoch(2, o);
  EXPECT_EQ(h.ClientResponse<OffsetForLeaderEpochResponse>(t)->topics[0].partitions[0].end_offset, 5);
}

TEST(ReplicaManagerTest, FencedAndNotLeaderAnswers) {
  Harness h(9, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.ElectLeader("t", 0, 1);  // epoch 1
  h.ElectLeader("t", 0, 1);  // epoch 2
  uint64_t f = h.Fetch(1, ConsumerFetch("t", 0, 0, 0, 0, 1));
  EXPECT_EQ(FetchPart(h, f).error_code, E(ErrorCode::kFencedLeaderEpoch));
  f = h.Fetch(1, ConsumerFetch("t", 0, 0, 0, 0, 3));
  EXPECT_EQ(FetchPart(h, f).error_code, E(ErrorCode::kUnknownLeaderEpoch));
  f = h.Fetch(1, ConsumerFetch("t", 0, 0, 0, 0, 2));
  EXPECT_EQ(FetchPart(h, f).error_code, kNone);
  f = h.Fetch(2, ConsumerFetch("t", 0, 0));
  EXPECT_EQ(FetchPart(h, f).error_code, E(ErrorCode::kNotLeaderOrFollower));
  f = h.Fetch(1, ConsumerFetch("nope", 0, 0));
  EXPECT_EQ(FetchPart(h, f).error_code, E(ErrorCode::kUnknownTopicOrPartition));
  f = h.Fetch(1, ConsumerFetch("t", 0, 7));
  EXPECT_EQ(FetchPart(h, f).error_code, E(ErrorCode::kOffsetOutOfRange));
  uint64_t p = h.Produce(2, "t", 0, 1, MakeBatch("x", 1));
  EXPECT_EQ(ProducePart(h, p).error_code, E(ErrorCode::kNotLeaderOrFollower));
  p = h.Produce(1, "nope", 0, 1, MakeBatch("x", 1));
  EXPECT_EQ(ProducePart(h, p).error_code, E(ErrorCode::kUnknownTopicOrPartition));
  Bytes bad = MakeBatch("x", 1);
  bad.back() ^= 0x40;  // breaks the CRC
  p = h.Produce(1, "t", 0, 1, bad);
  EXPECT_EQ(ProducePart(h, p).error_code, E(ErrorCode::kCorruptMessage));
  p = h.Produce(1, "t", 0, 2, MakeBatch("x", 1));
  EXPECT_EQ(ProducePart(h, p).error_code, E(ErrorCode::kInvalidRequiredAcks));
  ListOffsetsRequest lo;
  lo.topics.push_back({"t", {{0, 1, -1, 1}}});
  uint64_t l = h.ListOffsets(1, lo);
  EXPECT_EQ(h.ClientResponse<ListOffsetsResponse>(l)->topics[0].partitions[0].error_code,
            E(ErrorCode::kFencedLeaderEpoch));
}

TEST(ReplicaManagerTest, FetchParksUntilDataOrTimeout) {
  Harness h(10, FastOptions());
  h.CreateTopic("t", 1, {1});
  uint64_t f = h.Fetch(1, ConsumerFetch("t", 0, 0, 1, 1000));
  EXPECT_EQ(h.ClientReply(f), nullptr) << "parked: no data yet";
  EXPECT_EQ(h.rm(1).parked_requests(), 1u);
  h.RunFor(100);
  EXPECT_EQ(h.ClientReply(f), nullptr);
  h.Produce(1, "t", 0, 1, MakeBatch("x", 1));
  ASSERT_NE(h.ClientReply(f), nullptr) << "an append releases the parked fetch";
  EXPECT_FALSE(FetchPart(h, f).records->empty());
  // min_bytes larger than what arrives: answered at max_wait with what there is.
  uint64_t g = h.Fetch(1, ConsumerFetch("t", 0, 1, 1 << 20, 500));
  h.Produce(1, "t", 0, 1, MakeBatch("y", 2));
  EXPECT_EQ(h.ClientReply(g), nullptr);
  int64_t start = h.now();
  h.RunFor(499);
  EXPECT_EQ(h.ClientReply(g), nullptr);
  h.RunFor(1);
  ASSERT_NE(h.ClientReply(g), nullptr);
  EXPECT_EQ(h.now() - start, 500);
  EXPECT_FALSE(FetchPart(h, g).records->empty());
  EXPECT_EQ(h.rm(1).parked_requests(), 0u);
}

TEST(ReplicaManagerTest, ParkedRequestsAreBounded) {
  HarnessOptions o = FastOptions();
  o.base.max_parked_requests = 2;
  Harness h(11, o);
  h.CreateTopic("t", 1, {1});
  uint64_t a = h.Fetch(1, ConsumerFetch("t", 0, 0, 1, 1000));
  uint64_t b = h.Fetch(1, ConsumerFetch("t", 0, 0, 1, 1000));
  uint64_t c = h.Fetch(1, ConsumerFetch("t", 0, 0, 1, 1000));
  EXPECT_EQ(h.ClientReply(a), nullptr);
  EXPECT_EQ(h.ClientReply(b), nullptr);
  ASSERT_NE(h.ClientReply(c), nullptr) << "beyond the bound: answered at once";
  EXPECT_EQ(h.rm(1).parked_requests(), 2u);
}

TEST(ReplicaManagerTest, ListOffsetsEarliestLatestAndTimestamp) {
  Harness h(12, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  h.Produce(1, "t", 0, -1, MakeBatch("a", 1000, 2));
  h.Produce(1, "t", 0, -1, MakeBatch("b", 2000, 2));
  h.RunFor(300);
  h.Isolate(1);
  h.Produce(1, "t", 0, 1, MakeBatch("c", 3000, 2));  // above the HW
  ListOffsetsRequest req;
  req.topics.push_back({"t",
                        {{0, -1, kListOffsetsEarliestTimestamp, 1},
                         {0, -1, kListOffsetsLatestTimestamp, 1},
                         {0, -1, 1500, 1},
                         {0, -1, 2500, 1}}});
  uint64_t t = h.ListOffsets(1, req);
  const auto* r = h.ClientResponse<ListOffsetsResponse>(t);
  ASSERT_NE(r, nullptr);
  const auto& ps = r->topics[0].partitions;
  ASSERT_EQ(ps.size(), 4u);
  for (const auto& p : ps) EXPECT_EQ(p.error_code, kNone);
  EXPECT_EQ(ps[0].offset, 0);
  EXPECT_EQ(ps[1].offset, 4) << "latest is the HW for consumers";
  EXPECT_EQ(ps[2].offset, 2);
  EXPECT_EQ(ps[2].timestamp, 2000);
  EXPECT_EQ(ps[3].offset, -1) << "the only match lies above the HW";
  req.replica_id = 2;  // a replica sees the LEO
  t = h.ListOffsets(1, req);
  EXPECT_EQ(h.ClientResponse<ListOffsetsResponse>(t)->topics[0].partitions[1].offset, 6);
  uint64_t u = h.ListOffsets(2, req);
  EXPECT_EQ(h.ClientResponse<ListOffsetsResponse>(u)->topics[0].partitions[0].error_code,
            E(ErrorCode::kNotLeaderOrFollower));
}

TEST(ReplicaManagerTest, DeletedTopicLogsAreRemoved) {
  Harness h(13, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.CreateTopic("gone", 1, {1, 2, 3});
  h.RunFor(50);
  h.Produce(1, "t", 0, -1, MakeBatch("a", 1));
  h.RunFor(200);
  EXPECT_NE(h.rm(2).FindLog("gone", 0), nullptr);
  h.DeleteTopic("gone");
  for (int n = 1; n <= 3; ++n) EXPECT_EQ(h.rm(n).FindLog("gone", 0), nullptr);
  EXPECT_EQ(h.rm(2).Partitions().size(), 1u);
}

TEST(ReplicaManagerTest, RestartedFollowerRecoversSyncedDataAndRejoins) {
  Harness h(14, FastOptions());
  h.CreateTopic("t", 1, {1, 2, 3});
  h.RunFor(50);
  for (int i = 0; i < 5; ++i) h.Produce(1, "t", 0, -1, MakeBatch("v" + std::to_string(i), i));
  h.RunFor(1000);  // flush.interval.ms (500) has synced every log
  h.Produce(1, "t", 0, -1, MakeBatch("unsynced", 9));
  h.RunFor(100);
  EXPECT_EQ(StateOf(h.rm(3), "t", 0).log_end_offset, 6);
  h.CrashAndRestart(3);
  EXPECT_EQ(h.part("t", 0).isr, (std::vector<int32_t>{1, 2}));
  ASSERT_NE(h.rm(3).FindLog("t", 0), nullptr);
  // Synced data survives; the unsynced batch may be lost (or kept whole: a crash may keep a prefix
  // of an unsynced tail, and a flush may have caught it).
  EXPECT_GE(h.rm(3).FindLog("t", 0)->log_end_offset(), 5);
  h.RunFor(2000);
  EXPECT_EQ(StateOf(h.rm(1), "t", 0).isr, (std::vector<int32_t>{1, 2, 3}));
  ExpectIdenticalBelow(h, "t", 0, 6, {1, 2, 3});
}

// ---- one ReplicaManager driven by hand: the order of its answers ----

// Node 1 leads t-0 and t-1 (replicas 1 and 2, both in the ISR, min.insync.replicas 2).
ReplicaAssignments TwoPartitionsLedByOne() {
  ReplicaAssignments a;
  AssignedTopic& t = a.topics["t"];
  t.name = "t";
  t.id = Uuid::FromHalves(7, 7);
  t.configs["min.insync.replicas"] = "2";
  for (int32_t p = 0; p < 2; ++p) {
    AssignedPartition& ap = t.partitions[p];
    ap.partition = p;
    ap.replicas = {1, 2};
    ap.isr = {1, 2};
    ap.leader = 1;
  }
  a.broker_epochs = {{1, 101}, {2, 102}};
  return a;
}

ProduceRequest AcksAll(std::vector<int32_t> partitions, const Bytes& records) {
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 10000;
  ProduceRequest::Topic t;
  t.name = "t";
  for (int32_t p : partitions) t.partition_data.push_back({p, ByteView(records)});
  req.topic_data.push_back(std::move(t));
  return req;
}

// Node 2's fetch of the given partitions at the given offsets (its log end offsets).
FetchRequest FollowerFetch(std::vector<std::pair<int32_t, int64_t>> parts) { return FetchOfT(2, parts); }

// Node 1's ReplicaManager (on its own MemDisk) leading TwoPartitionsLedByOne(), with the
// fetches it sent on taking the assignment already taken.
struct LeaderOfTwo {
  explicit LeaderOfTwo(ReplicaConfig config = {}) : rm(WithNodeId(config), disk) {
    EXPECT_TRUE(rm.Open(0).ok());
    rm.OnAssignments(TwoPartitionsLedByOne(), 101, 0);
    (void)rm.TakeSends();
  }
  static ReplicaConfig WithNodeId(ReplicaConfig config) {
    config.node_id = 1;
    return config;
  }

  MemDisk disk;
  ReplicaManager rm;
};

std::vector<uint64_t> TokensOf(const std::vector<ReplicaReply>& replies) {
  std::vector<uint64_t> out;
  for (const auto& r : replies) out.push_back(r.token);
  return out;
}

// Parked acks=all produces complete in parking order, each once every partition it wrote is
// replicated, whichever partition's high watermark moves.
TEST(ReplicaManagerTest, ParkedProducesCompleteInOrderAsEachPartitionCatchesUp) {
  LeaderOfTwo leader;
  ReplicaManager& rm = leader.rm;
  // The follower starts caught up (offset 0 on both).
  rm.HandleFetch(90, FollowerFetch({{0, 0}, {1, 0}}), 12, 1);
  (void)rm.TakeReplies();

  Bytes batch = MakeBatch("v", 1000);
  rm.HandleProduce(1, AcksAll({0}, batch), 9, 2);     // t-0 offset 0
  rm.HandleProduce(2, AcksAll({1}, batch), 9, 3);     // t-1 offset 0
  rm.HandleProduce(3, AcksAll({0}, batch), 9, 4);     // t-0 offset 1
  rm.HandleProduce(4, AcksAll({1, 0}, batch), 9, 5);  // t-1 offset 1, t-0 offset 2
  rm.HandleProduce(5, AcksAll({1}, batch), 9, 6);     // t-1 offset 2
  EXPECT_TRUE(rm.TakeReplies().empty()) << "nothing is replicated yet";
  EXPECT_EQ(rm.parked_requests(), 5u);

  // t-1 up to offset 2 (covers tokens 2 and 4's t-1 part, not 5).
  rm.HandleFetch(91, FollowerFetch({{1, 2}}), 12, 7);
  auto replies = rm.TakeReplies();
  std::vector<uint64_t> tokens = TokensOf(replies);
  tokens.erase(std::remove(tokens.begin(), tokens.end(), uint64_t(91)), tokens.end());
  EXPECT_EQ(tokens, (std::vector<uint64_t>{2}));

  // t-0 fully: 1, 3 and now 4 complete, in parking order.
  rm.HandleFetch(92, FollowerFetch({{0, 3}}), 12, 8);
  tokens = TokensOf(rm.TakeReplies());
  tokens.erase(std::remove(tokens.begin(), tokens.end(), uint64_t(92)), tokens.end());
  EXPECT_EQ(tokens, (std::vector<uint64_t>{1, 3, 4}));

  rm.HandleFetch(93, FollowerFetch({{1, 3}}), 12, 9);
  tokens = TokensOf(rm.TakeReplies());
  tokens.erase(std::remove(tokens.begin(), tokens.end(), uint64_t(93)), tokens.end());
  EXPECT_EQ(tokens, (std::vector<uint64_t>{5}));
  EXPECT_EQ(rm.parked_requests(), 0u);

  // A produce parked again on the same partitions (their index lists were emptied) still completes.
  rm.HandleProduce(6, AcksAll({0, 1}, batch), 9, 10);
  EXPECT_TRUE(rm.TakeReplies().empty());
  rm.HandleFetch(94, FollowerFetch({{0, 4}, {1, 4}}), 12, 11);
  tokens = TokensOf(rm.TakeReplies());
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), uint64_t(6)), tokens.end());
  for (const auto& r : replies) {
    if (r.token != 2) continue;
    const auto& resp = std::get<ProduceResponse>(r.response);
    EXPECT_EQ(resp.responses.at(0).partition_responses.at(0).error_code, kNone);
  }
}

// When a partition appears twice in a fetch answer, the follower uses the last entry.
// Regression (issue 9; random-nemesis-safe seed 110822 before the fix): a leader proposed adding
// a caught-up follower to the ISR; the controller, paused, resigned and answered NOT_CONTROLLER,
// and the leader dropped the proposal and moved its high watermark on without the follower. But
// the change was already in the metadata log and a later controller committed it: the follower,
// now an ISR member lacking those records, was elected and the acknowledged records were lost.
// Without a verdict the proposal stays in the maximal ISR and is sent again.
TEST(ReplicaManagerTest, AnIsrChangeWithoutAVerdictStaysInTheMaximalIsr) {
  ReplicaAssignments a = TwoPartitionsLedByOne();
  a.topics["t"].configs["min.insync.replicas"] = "1";
  for (auto& [index, ap] : a.topics["t"].partitions) ap.isr = {1};  // follower 2 is out
  MemDisk disk;
  ReplicaConfig config;
  config.node_id = 1;
  ReplicaManager rm(config, disk);
  ASSERT_TRUE(rm.Open(0).ok());
  rm.OnAssignments(a, 101, 0);
  (void)rm.TakeSends();
  auto alter_sends = [&] {
    std::vector<std::pair<uint64_t, AlterPartitionRequest>> out;
    for (ReplicaSend& s : rm.TakeSends())
      if (const auto* r = std::get_if<AlterPartitionRequest>(&s.request)) out.emplace_back(s.id, *r);
    return out;
  };
  // Follower 2 fetches at the log end (0): caught up, so the leader proposes ISR {1, 2}.
  rm.HandleFetch(90, FollowerFetch({{0, 0}}), 12, 1);
  (void)rm.TakeReplies();
  auto first = alter_sends();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].second.topics.at(0).partitions.at(0).new_isr, (std::vector<int32_t>{1, 2}));
  AlterPartitionResponse not_controller;
  not_controller.error_code = int16_t(ErrorCode::kNotController);
  rm.OnResponse(first[0].first, ResponseBody(not_controller), 2);
  // An acks=1 write the follower does not fetch: the committed ISR is {1}, but {1, 2} may have
  // committed, so the high watermark waits for follower 2.
  const Bytes batch = MakeBatch("v", 1000);  // outlives the request, which views it
  ProduceRequest acks1 = AcksAll({0}, batch);
  acks1.acks = 1;
  rm.HandleProduce(1, acks1, 9, 3);
  for (const auto& r : rm.TakeReplies()) {
    if (const auto* p = std::get_if<ProduceResponse>(&r.response)) {
      EXPECT_EQ(p->responses.at(0).partition_responses.at(0).error_code, kNone);
    }
  }
  EXPECT_EQ(StateOf(rm, "t", 0).log_end_offset, 1);
  EXPECT_EQ(StateOf(rm, "t", 0).high_watermark, 0);
  // After the backoff, the same proposal goes again.
  rm.Tick(5000);
  auto again = alter_sends();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].second.topics.at(0).partitions.at(0).new_isr, (std::vector<int32_t>{1, 2}));
  // The follower catches up: the high watermark moves.
  rm.HandleFetch(91, FollowerFetch({{0, 1}}), 12, 5001);
  (void)rm.TakeReplies();
  EXPECT_EQ(StateOf(rm, "t", 0).high_watermark, 1);
}

TEST(ReplicaManagerTest, FollowerTakesTheLastAnswerForARepeatedPartition) {
  MemDisk disk;
  ReplicaConfig config;
  config.node_id = 2;
  ReplicaManager rm(config, disk);
  ASSERT_TRUE(rm.Open(0).ok());
  ReplicaAssignments a = TwoPartitionsLedByOne();
  a.topics["t"].partitions.erase(1);
  rm.OnAssignments(a, 102, 0);
  std::vector<ReplicaSend> sends = rm.TakeSends();
  ASSERT_EQ(sends.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<FetchRequest>(sends[0].request));

  // The leader's log: one batch at offset 0, epoch 0.
  const Bytes x = MakeBatch("x", 1000);
  const Bytes first = LeaderLogBytes({x});

  FetchResponse resp;
  FetchResponse::Topic t;
  t.topic = "t";
  FetchResponse::Partition failed;
  failed.partition_index = 0;
  failed.error_code = E(ErrorCode::kNotLeaderOrFollower);
  FetchResponse::Partition good;
  good.partition_index = 0;
  good.high_watermark = 1;
  good.log_start_offset = 0;
  good.records = ByteView(first);
  t.partitions = {failed, good};
  resp.responses.push_back(t);
  rm.OnResponse(sends[0].id, resp, 1);
  EXPECT_EQ(StateOf(rm, "t", 0).log_end_offset, 1) << "the second entry (with data) wins";
  EXPECT_EQ(StateOf(rm, "t", 0).high_watermark, 1);

  // And the other way round: the error, listed last, wins (the follower backs off, appends nothing).
  std::vector<ReplicaSend> next = rm.TakeSends();
  ASSERT_EQ(next.size(), 1u);
  const Bytes second = LeaderLogBytes({x, MakeBatch("y", 1001)}, 1);
  good.records = ByteView(second);
  good.high_watermark = 2;
  t.partitions = {good, failed};
  resp.responses = {t};
  rm.OnResponse(next[0].id, resp, 2);
  EXPECT_EQ(StateOf(rm, "t", 0).log_end_offset, 1);
}

// A parked fetch naming a partition twice is released once, when that partition gets data.
TEST(ReplicaManagerTest, ParkedFetchWithARepeatedPartition) {
  LeaderOfTwo leader;
  ReplicaManager& rm = leader.rm;
  FetchRequest req = FollowerFetch({{0, 0}, {1, 0}, {0, 0}});
  req.max_wait_ms = 500;
  req.min_bytes = 1;
  rm.HandleFetch(7, req, 12, 1);
  EXPECT_TRUE(rm.TakeReplies().empty());
  EXPECT_EQ(rm.parked_requests(), 1u);
  rm.HandleProduce(8, AcksAll({1}, MakeBatch("z", 1000)), 9, 2);
  std::vector<ReplicaReply> replies = rm.TakeReplies();
  ASSERT_EQ(TokensOf(replies), (std::vector<uint64_t>{7}));
  const auto& resp = std::get<FetchResponse>(replies[0].response);
  ASSERT_EQ(resp.responses.at(0).partitions.size(), 3u);
  EXPECT_TRUE(resp.responses[0].partitions[1].records.has_value() && !resp.responses[0].partitions[1].records->empty());
  EXPECT_EQ(rm.parked_requests(), 1u) << "the acks=all produce waits";
}

// AppendInternal: no client, acks=all semantics. The callback runs once the follower has the
// records (the high watermark passes them), with their offsets; an append on a partition this
// node does not lead fails at once, and one still waiting when the leadership moves fails then.
// The leadership listener sees every change, with its epoch.
TEST(ReplicaManagerTest, InternalAppendsCommitLikeAcksAllAndListenersSeeLeadership) {
  MemDisk disk;
  ReplicaConfig config;
  config.node_id = 1;
  ReplicaManager rm(config, disk);
  std::vector<ReplicaManager::LeadershipChange> changes;
  rm.AddLeadershipListener([&](const ReplicaManager::LeadershipChange& c) { changes.push_back(c); });
  ASSERT_TRUE(rm.Open(0).ok());
  ReplicaAssignments a = TwoPartitionsLedByOne();
  rm.OnAssignments(a, 101, 0);
  (void)rm.TakeSends();
  EXPECT_EQ(changes, (std::vector<ReplicaManager::LeadershipChange>{{"t", 0, true, 0}, {"t", 1, true, 0}}));
  rm.HandleFetch(90, FollowerFetch({{0, 0}, {1, 0}}), 12, 1);  // the follower is caught up
  (void)rm.TakeReplies();

  std::vector<std::pair<int16_t, int64_t>> results;
  auto record = [&](int16_t error, int64_t offset) { results.push_back({error, offset}); };
  rm.AppendInternal("t", 0, MakeBatch("group-a", 1, 3), 2, record);
  rm.AppendInternal("t", 0, MakeBatch("group-b", 1, 2), 3, record);
  EXPECT_TRUE(results.empty()) << "not committed before the follower has the records";
  EXPECT_EQ(StateOf(rm, "t", 0).log_end_offset, 5);
  rm.HandleFetch(91, FollowerFetch({{0, 3}}), 12, 4);  // the follower has the first append
  EXPECT_EQ(results, (std::vector<std::pair<int16_t, int64_t>>{{0, 0}}));
  rm.HandleFetch(92, FollowerFetch({{0, 5}}), 12, 5);
  EXPECT_EQ(results, (std::vector<std::pair<int16_t, int64_t>>{{0, 0}, {0, 3}}));
  EXPECT_TRUE(rm.TakeReplies().size() >= 2u) << "the follower's fetches are answered as usual";

  // Not a partition of this node: an immediate error.
  results.clear();
  rm.AppendInternal("t", 7, MakeBatch("x", 1, 1), 6, record);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_NE(results[0].first, 0);
  // Waiting when the leadership moves to broker 2: NOT_LEADER_OR_FOLLOWER, and the listener hears it.
  results.clear();
  rm.AppendInternal("t", 1, MakeBatch("late", 1, 1), 7, record);
  EXPECT_TRUE(results.empty());
  a.topics["t"].partitions[1].leader = 2;
  a.topics["t"].partitions[1].leader_epoch = 1;
  changes.clear();
  rm.OnAssignments(a, 101, 8);
  EXPECT_EQ(results, (std::vector<std::pair<int16_t, int64_t>>{{int16_t(ErrorCode::kNotLeaderOrFollower), -1}}));
  EXPECT_EQ(changes, (std::vector<ReplicaManager::LeadershipChange>{{"t", 1, false, 1}}));
  // A follower refuses internal appends at once.
  results.clear();
  rm.AppendInternal("t", 1, MakeBatch("again", 1, 1), 9, record);
  EXPECT_EQ(results, (std::vector<std::pair<int16_t, int64_t>>{{int16_t(ErrorCode::kNotLeaderOrFollower), -1}}));
  // Dropped from the partition: the listener hears leader=false, epoch -1.
  changes.clear();
  a.topics["t"].partitions[1].replicas = {2, 3};
  a.topics["t"].partitions[1].isr = {2, 3};
  rm.OnAssignments(a, 101, 10);
  EXPECT_EQ(changes, (std::vector<ReplicaManager::LeadershipChange>{{"t", 1, false, -1}}));
}

// NextDeadlineMs follows the parked requests as they come and go (answered or timed out).
TEST(ReplicaManagerTest, NextDeadlineFollowsParkedRequests) {
  ReplicaConfig config;
  config.flush_interval_ms = int64_t(1) << 50;        // no flush deadlines in the way
  config.retention_check_interval_ms = int64_t(1) << 50;  // nor retention passes
  config.replica_lag_time_max_ms = int64_t(1) << 50;  // nor ISR checks
  config.hw_checkpoint_interval_ms = int64_t(1) << 50;  // nor high-watermark checkpoints
  LeaderOfTwo leader(config);
  ReplicaManager& rm = leader.rm;
  rm.Tick(1);
  rm.HandleFetch(90, FollowerFetch({{0, 0}, {1, 0}}), 12, 1);
  (void)rm.TakeReplies();
  int64_t idle = rm.NextDeadlineMs();
  ASSERT_GT(idle, int64_t(1) << 40);

  Bytes batch = MakeBatch("v", 1000);
  ProduceRequest slow = AcksAll({0}, batch);
  slow.timeout_ms = 10000;
  rm.HandleProduce(1, slow, 9, 2);  // parked until 10002
  EXPECT_EQ(rm.NextDeadlineMs(), 10002);
  FetchRequest wait = FollowerFetch({{1, 0}});
  wait.max_wait_ms = 500;
  wait.min_bytes = 1;
  rm.HandleFetch(2, wait, 12, 3);  // parked until 503
  EXPECT_EQ(rm.NextDeadlineMs(), 503);
  ProduceRequest fast = AcksAll({0}, batch);
  fast.timeout_ms = 100;
  rm.HandleProduce(3, fast, 9, 4);  // parked until 104
  EXPECT_EQ(rm.NextDeadlineMs(), 104);
  EXPECT_EQ(rm.parked_requests(), 3u);

  rm.Tick(104);  // the fast produce times out
  EXPECT_EQ(TokensOf(rm.TakeReplies()), (std::vector<uint64_t>{3}));
  EXPECT_EQ(rm.NextDeadlineMs(), 503);
  rm.HandleProduce(4, AcksAll({1}, batch), 9, 105);  // data for the parked fetch: answered now
  std::vector<uint64_t> tokens = TokensOf(rm.TakeReplies());
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), uint64_t(2)), tokens.end());
  EXPECT_EQ(rm.NextDeadlineMs(), 10002) << "the produce of token 4 parked until 10105";
  rm.HandleFetch(91, FollowerFetch({{0, 2}, {1, 1}}), 12, 106);  // replicates everything
  tokens = TokensOf(rm.TakeReplies());
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), uint64_t(1)), tokens.end());
  EXPECT_NE(std::find(tokens.begin(), tokens.end(), uint64_t(4)), tokens.end());
  EXPECT_EQ(rm.parked_requests(), 0u);
  EXPECT_EQ(rm.NextDeadlineMs(), idle);
}

// Partitions are found by topic and number: several topics in turn, numbers past the dense
// index (looked up another way), deleted and recreated partitions.
TEST(ReplicaManagerTest, PartitionLookupsAcrossTopicsAndLargeNumbers) {
  MemDisk disk;
  ReplicaConfig config;
  config.node_id = 1;
  ReplicaManager rm(config, disk);
  ASSERT_TRUE(rm.Open(0).ok());
  ReplicaAssignments a;
  const std::vector<std::pair<std::string, int32_t>> parts = {{"a", 0}, {"a", 3}, {"bb", 0}, {"bb", 70000}, {"c", 2}};
  for (const auto& [topic, index] : parts) {
    AssignedTopic& t = a.topics[topic];
    t.name = topic;
    AssignedPartition& ap = t.partitions[index];
    ap.partition = index;
    ap.replicas = {1};
    ap.isr = {1};
    ap.leader = 1;
  }
  a.broker_epochs = {{1, 101}};
  rm.OnAssignments(a, 101, 0);
  uint64_t token = 1;
  auto produce = [&](const std::string& topic, int32_t index, int16_t acks = 1) {
    ProduceRequest req;
    req.acks = acks;
    req.timeout_ms = 1000;
    Bytes batch = MakeBatch(topic, 1000);
    req.topic_data.push_back({topic, {{index, ByteView(batch)}}});
    rm.HandleProduce(token, req, 9, 1);
    auto replies = rm.TakeReplies();
    EXPECT_EQ(replies.size(), 1u);
    ++token;
    return replies.empty() ? int16_t(-999)
                           : std::get<ProduceResponse>(replies[0].response).responses.at(0).partition_responses.at(0).error_code;
  };
  for (int round = 0; round < 2; ++round) {
    for (const auto& [topic, index] : parts) EXPECT_EQ(produce(topic, index), kNone) << topic << "-" << index;
  }
  // acks=all with a single-replica ISR: parked and completed at once, through the parked index.
  for (const auto& [topic, index] : parts) EXPECT_EQ(produce(topic, index, -1), kNone) << topic << "-" << index;
  EXPECT_EQ(rm.parked_requests(), 0u);
  EXPECT_EQ(produce("a", 1), E(ErrorCode::kUnknownTopicOrPartition)) << "a gap in a topic's numbers";
  EXPECT_EQ(produce("a", 70000), E(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(produce("zz", 0), E(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(produce("bb", -1), E(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(StateOf(rm, "bb", 70000).log_end_offset, 3);
  EXPECT_EQ(StateOf(rm, "a", 3).log_end_offset, 3);
  ASSERT_NE(rm.FindLog("c", 2), nullptr);
  EXPECT_EQ(rm.FindLog("c", 1), nullptr);

  // Deleted: gone from lookups; recreated: found again, with a fresh log.
  ReplicaAssignments without = a;
  without.topics.erase("bb");
  rm.OnAssignments(without, 101, 2);
  EXPECT_EQ(rm.FindLog("bb", 0), nullptr);
  EXPECT_EQ(rm.FindLog("bb", 70000), nullptr);
  EXPECT_EQ(produce("bb", 70000), E(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(produce("a", 0), kNone);
  rm.OnAssignments(a, 101, 3);
  ASSERT_NE(rm.FindLog("bb", 70000), nullptr);
  EXPECT_EQ(StateOf(rm, "bb", 70000).log_end_offset, 0);
  EXPECT_EQ(produce("bb", 70000), kNone);
  EXPECT_EQ(produce("bb", 0), kNone);
}

// ---- randomized runs ----

struct Tracker {
  std::map<std::tuple<int, std::string, int32_t>, std::pair<int32_t, int64_t>> last_hw;  // (node, tp) -> (epoch, hw)
  struct Acked {
    std::string topic;
    int32_t partition;
    int64_t offset;
    uint32_t crc;
  };
  std::vector<Acked> acked;
  std::map<std::tuple<int, std::string, int32_t>, int64_t> last_leo;
  int64_t truncations = 0, crashes = 0;
};

// Totals over all seeds, printed once so a run shows the faults really happened.
struct RandomStats {
  int64_t acked_all = 0, errors = 0, elections = 0, alter_requests = 0, truncations = 0, crashes = 0;
};
RandomStats g_stats;

void CheckInvariants(Harness& h, Tracker& tr, bool deep) {
  for (int n = 1; n <= Harness::kNodes; ++n) {
    for (const auto& s : h.rm(n).Partitions()) {
      ASSERT_LE(s.high_watermark, s.log_end_offset)
          << "seed " << h.seed() << " node " << n << " " << s.topic << "-" << s.partition << " at " << h.now();
      auto leo_key = std::make_tuple(n, s.topic, s.partition);
      auto leo_it = tr.last_leo.find(leo_key);
      if (leo_it != tr.last_leo.end() && s.log_end_offset < leo_it->second) tr.truncations++;
      tr.last_leo[leo_key] = s.log_end_offset;
      if (!s.is_leader) continue;
      auto key = std::make_tuple(n, s.topic, s.partition);
      auto it = tr.last_hw.find(key);
      if (it != tr.last_hw.end() && it->second.first == s.leader_epoch) {
        ASSERT_GE(s.high_watermark, it->second.second)
            << "seed " << h.seed() << ": HW went backwards within epoch " << s.leader_epoch << " on node " << n
            << " at " << h.now();
      }
      tr.last_hw[key] = {s.leader_epoch, s.high_watermark};
      if (!deep) continue;
      // Judge the leader the controller knows, over the ISR both agree on: a deposed leader that
      // has not seen the metadata yet may still count a restarted broker in its ISR.
      const AssignedPartition& a = h.part(s.topic, s.partition);
      if (a.leader != n || a.leader_epoch != s.leader_epoch) continue;
      std::vector<int32_t> isr;
      for (int32_t r : s.isr) {
        if (std::find(a.isr.begin(), a.isr.end(), r) != a.isr.end()) isr.push_back(r);
      }
      Bytes mine = ReadBelow(h.rm(n).FindLog(s.topic, s.partition), s.high_watermark);
      for (int32_t r : isr) {
        if (r == n) continue;
        Bytes theirs = ReadBelow(h.rm(r).FindLog(s.topic, s.partition), s.high_watermark);
        if (mine != theirs) {
          for (int m = 1; m <= Harness::kNodes; ++m) {
            PartitionLog* log = h.rm(m).FindLog(s.topic, s.partition);
            if (log == nullptr) continue;
            auto st = StateOf(h.rm(m), s.topic, s.partition);
            std::string epochs;
            for (const auto& e : log->epoch_entries()) epochs += " " + std::to_string(e.epoch) + "@" + std::to_string(e.start_offset);
            std::printf("node %d leader=%d epoch=%d leo=%lld hw=%lld epochs:%s\n", m, int(st.is_leader), st.leader_epoch,
                        (long long)st.log_end_offset, (long long)st.high_watermark, epochs.c_str());
          }
          for (int64_t off = 0; off < s.high_watermark;) {
            auto x = BatchAt(h.rm(n).FindLog(s.topic, s.partition), off);
            auto y = BatchAt(h.rm(r).FindLog(s.topic, s.partition), off);
            if (!x) break;
            if (!y || y->crc != x->crc || y->base_offset != x->base_offset) {
              std::printf("first difference at offset %lld: leader batch [%lld..%lld] epoch %d; replica %s\n", (long long)off,
                          (long long)x->base_offset, (long long)x->last_offset(), x->partition_leader_epoch,
                          y ? ("[" + std::to_string(y->base_offset) + ".." + std::to_string(y->last_offset()) + "] epoch " +
                               std::to_string(y->partition_leader_epoch)).c_str() : "none");
              break;
            }
            off = x->next_offset();
          }
        }
        ASSERT_EQ(mine, theirs) << "seed " << h.seed() << ": ISR replica " << r << " differs from leader " << n
                                << " below HW " << s.high_watermark << " of " << s.topic << "-" << s.partition
                                << " at " << h.now();
      }
      for (const auto& a : tr.acked) {
        if (a.topic != s.topic || a.partition != s.partition) continue;
        for (int32_t r : isr) {
          auto b = BatchAt(h.rm(r).FindLog(s.topic, s.partition), a.offset);
          ASSERT_TRUE(b.has_value() && b->crc == a.crc && b->base_offset == a.offset)
              << "seed " << h.seed() << ": acked write at offset " << a.offset << " of " << s.topic << "-"
              << s.partition << " missing on ISR replica " << r << " at " << h.now();
        }
      }
    }
  }
}

void RandomRun(uint64_t seed) {
  HarnessOptions o = FastOptions();
  o.min_delay_ms = 1;
  o.max_delay_ms = 20;
  o.metadata_delay_max_ms = seed % 2 == 0 ? 50 : 0;
  Harness h(seed, o);
  Prng rng = h.prng().Split("workload");
  o.drop_per_mille = 0;
  h.set_drop_per_mille(rng.Range(0, 30));
  std::map<std::string, std::string> configs;
  if (rng.Chance(1, 2)) configs["min.insync.replicas"] = "2";
  h.CreateTopic("t", 2, {1, 2, 3}, configs);
  Tracker tr;
  int64_t steps = 0;
  h.trace = std::getenv("SAMSA_REPLICATION_TRACE") != nullptr;
  std::map<int, std::string> last_line;
  h.after_step = [&] {
    if (::testing::Test::HasFatalFailure()) return;
    if (h.trace) {
      for (int n = 1; n <= Harness::kNodes; ++n) {
        for (const auto& st : h.rm(n).Partitions()) {
          if (st.partition != 0) continue;
          std::string line = "node " + std::to_string(n) + " leader=" + std::to_string(st.is_leader) + " epoch=" +
                             std::to_string(st.leader_epoch) + " leo=" + std::to_string(st.log_end_offset) +
                             " hw=" + std::to_string(st.high_watermark) + " isr=";
          for (int32_t r : st.isr) line += std::to_string(r);
          if (last_line[n] != line) std::printf("%lld %s\n", (long long)h.now(), line.c_str());
          last_line[n] = line;
        }
      }
    }
    CheckInvariants(h, tr, ++steps % 16 == 0);
  };
  struct Pending {
    int node;
    int32_t partition;
    int16_t acks;
  };
  std::map<uint64_t, Pending> pending;
  int acked_all = 0;
  const int64_t kRunMs = 12000;
  int64_t next_fault = 1000;
  while (h.now() < kRunMs && !::testing::Test::HasFatalFailure()) {
    int32_t partition = int32_t(rng.Uniform(2));
    const AssignedPartition& a = h.part("t", partition);
    int16_t acks = rng.Chance(2, 3) ? -1 : 1;
    std::string value = "s" + std::to_string(seed) + "-" + std::to_string(h.now());
    uint64_t token = h.Produce(a.leader, "t", partition, acks, MakeBatch(value, h.now(), int(rng.Range(1, 3))), 1500);
    pending[token] = {a.leader, partition, acks};
    h.RunFor(rng.Range(5, 60));
    for (auto it = pending.begin(); it != pending.end();) {
      const auto* r = h.ClientResponse<ProduceResponse>(it->first);
      if (r == nullptr) {
        ++it;
        continue;
      }
      const auto& p = r->responses[0].partition_responses[0];
      if (p.error_code != 0) g_stats.errors++;
      if (it->second.acks == -1 && p.error_code == 0) {
        acked_all++;
        auto b = BatchAt(h.rm(it->second.node).FindLog("t", it->second.partition), p.base_offset);
        ASSERT_TRUE(b.has_value()) << "seed " << seed << ": acked batch not on its leader";
        tr.acked.push_back({"t", it->second.partition, p.base_offset, b->crc});
      }
      it = pending.erase(it);
    }
    if (h.now() >= next_fault) {
      next_fault = h.now() + rng.Range(300, 2500);
      switch (rng.Uniform(5)) {
        case 0: {
          int x = int(rng.Range(1, 3)), y = int(rng.Range(1, 3));
          if (x != y) h.Cut(x, y);
          break;
        }
        case 1:
          h.HealAll();
          break;
        case 2: {
          int32_t p = int32_t(rng.Uniform(2));
          const AssignedPartition& cur = h.part("t", p);
          std::vector<int32_t> candidates;
          for (int32_t r : cur.isr) {
            if (r != cur.leader) candidates.push_back(r);
          }
          if (!candidates.empty()) {
            h.ElectLeader("t", p, candidates[rng.Uniform(candidates.size())]);
            g_stats.elections++;
          }
          break;
        }
        case 3:
          h.Isolate(int(rng.Range(1, 3)));
          break;
        default: {
          int victim = int(rng.Range(1, 3));
          if (!h.SoleIsrMemberAnywhere(victim)) h.CrashAndRestart(victim);
          break;
        }
      }
    }
  }
  if (::testing::Test::HasFatalFailure()) return;
  // Quiet period: everything heals, all replicas converge to the leader.
  h.HealAll();
  h.set_drop_per_mille(0);
  h.RunFor(6000);
  steps = 15;
  CheckInvariants(h, tr, true);
  for (int32_t p = 0; p < 2; ++p) {
    const AssignedPartition& a = h.part("t", p);
    auto leader = StateOf(h.rm(a.leader), "t", p);
    ASSERT_TRUE(leader.is_leader) << "seed " << seed;
    EXPECT_EQ(leader.isr, (std::vector<int32_t>{1, 2, 3})) << "seed " << seed << " partition " << p;
    EXPECT_EQ(leader.high_watermark, leader.log_end_offset) << "seed " << seed << " partition " << p;
    ExpectIdenticalBelow(h, "t", p, leader.log_end_offset, {1, 2, 3});
  }
  EXPECT_GT(acked_all, 0) << "seed " << seed;
  g_stats.acked_all += acked_all;
  g_stats.alter_requests += h.alter_requests();
  g_stats.truncations += tr.truncations;
  g_stats.crashes += h.crashes();
}

TEST(ReplicaManagerRandomTest, ManySeeds) {
  // Seeds 1..200, plus regression seeds found by wider sweeps: 587 (an expansion proposed from a
  // restarted broker's old state; fixed by broker epochs in AlterPartition), 613 (an old
  // AlterPartition answer clearing a newer proposal). SAMSA_REPLICATION_SEED=N runs one seed.
  std::vector<uint64_t> seeds;
  for (uint64_t seed = 1; seed <= 200; ++seed) seeds.push_back(seed);
  seeds.push_back(587);
  seeds.push_back(613);
  bool full = true;
  if (const char* only = std::getenv("SAMSA_REPLICATION_SEED")) {
    seeds = {std::strtoull(only, nullptr, 10)};
    full = false;
  }
  for (uint64_t seed : seeds) {
    RandomRun(seed);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "reproduce with seed " << seed;
      return;
    }
  }
  std::printf("replication random runs: %zu seeds, %lld acks=all writes acknowledged, %lld produce errors, "
              "%lld leader elections, %lld AlterPartition requests, %lld follower truncations, %lld crashes\n",
              seeds.size(), (long long)g_stats.acked_all, (long long)g_stats.errors, (long long)g_stats.elections,
              (long long)g_stats.alter_requests, (long long)g_stats.truncations, (long long)g_stats.crashes);
  if (!full) return;  // the totals below hold for the full sweep
  EXPECT_GT(g_stats.elections, 200);
  EXPECT_GT(g_stats.truncations, 50);
  EXPECT_GT(g_stats.alter_requests, 200);
  EXPECT_GT(g_stats.crashes, 100);
}

}  // namespace
}  // namespace samsa::testing
