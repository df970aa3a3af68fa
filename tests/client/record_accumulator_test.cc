#include "core/client/record_accumulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace samsa::client {
namespace {

// Appends record `op` with a value of value_bytes bytes, no key, timestamp now (in ms).
bool Add(RecordAccumulator& acc, const TopicPartition& tp, uint64_t op, size_t value_bytes,
         int64_t now_ns) {
  PendingRecord r;
  r.op_id = op;
  r.timestamp_ms = now_ns / 1'000'000;
  const std::string value(value_bytes, 'v');
  return acc.Append(tp, r, std::nullopt, AsBytes(value), now_ns);
}

const TopicPartition kTp{"t", 0};
constexpr int64_t kMs = 1'000'000;

TEST(RecordAccumulatorTest, LingerHoldsASmallBatchUntilItPasses) {
  RecordAccumulator acc(16384, 5 * kMs, 1 << 20);
  ASSERT_TRUE(Add(acc, kTp, 1, 10, 100 * kMs));
  ASSERT_TRUE(Add(acc, kTp, 2, 10, 102 * kMs));
  EXPECT_EQ(acc.queued_batches(), 1u);
  EXPECT_FALSE(acc.HeadReady(kTp, 104 * kMs));
  EXPECT_EQ(*acc.HeadReadyAt(kTp, 101 * kMs), 105 * kMs);  // from the batch's creation
  EXPECT_TRUE(acc.HeadReady(kTp, 105 * kMs));
  auto b = acc.TakeHead(kTp);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->records.size(), 2u);
  EXPECT_FALSE(acc.HeadReadyAt(kTp, 105 * kMs).has_value());
}

TEST(RecordAccumulatorTest, BatchSizeClosesABatchAndMakesItReady) {
  // batch.size 200: 61 header + 12 + 50 per record -> two records fit, the third starts a batch.
  RecordAccumulator acc(200, 1000 * kMs, 1 << 20);
  EXPECT_TRUE(acc.WouldStartNewBatch(kTp, 62));
  ASSERT_TRUE(Add(acc, kTp, 1, 50, 0));
  EXPECT_FALSE(acc.WouldStartNewBatch(kTp, 62));
  ASSERT_TRUE(Add(acc, kTp, 2, 50, 0));
  EXPECT_FALSE(acc.HeadReady(kTp, 0));  // 185 bytes, not full, linger not passed
  EXPECT_TRUE(acc.WouldStartNewBatch(kTp, 62));
  ASSERT_TRUE(Add(acc, kTp, 3, 50, 0));
  EXPECT_EQ(acc.queued_batches(), 2u);
  EXPECT_TRUE(acc.HeadReady(kTp, 0));  // a batch behind it: the head is full
  EXPECT_EQ(acc.TakeHead(kTp)->records.size(), 2u);
  EXPECT_FALSE(acc.HeadReady(kTp, 0));  // the new one lingers
  // A record larger than batch.size gets a batch of its own, ready at once.
  ASSERT_TRUE(Add(acc, TopicPartition{"t", 1}, 4, 500, 0));
  EXPECT_TRUE(acc.HeadReady(TopicPartition{"t", 1}, 0));
}

// batch.size 0 (Kafka: "disable batching entirely"): each record is a batch of its own, ready at
// once, whatever linger.ms says. It used to abort the producer on an invariant.
TEST(RecordAccumulatorTest, BatchSizeZeroMakesEveryRecordABatchReadyAtOnce) {
  RecordAccumulator acc(0, 1000 * kMs, 1 << 20);
  EXPECT_TRUE(acc.WouldStartNewBatch(kTp, 1));
  ASSERT_TRUE(Add(acc, kTp, 1, 10, 0));
  EXPECT_TRUE(acc.WouldStartNewBatch(kTp, 1));
  ASSERT_TRUE(Add(acc, kTp, 2, 10, 0));
  ASSERT_TRUE(Add(acc, kTp, 3, 0, 0));
  EXPECT_EQ(acc.queued_batches(), 3u);
  for (uint64_t op = 1; op <= 3; ++op) {
    EXPECT_TRUE(acc.HeadReady(kTp, 0));  // no lingering
    auto b = acc.TakeHead(kTp);
    ASSERT_TRUE(b);
    ASSERT_EQ(b->records.size(), 1u);
    EXPECT_EQ(b->records[0].op_id, op);
  }
  EXPECT_FALSE(acc.HeadReadyAt(kTp, 0).has_value());
}

TEST(RecordAccumulatorTest, RetriedBatchGoesFirstAfterBackoffAndTakesNoAppends) {
  RecordAccumulator acc(16384, 0, 1 << 20);
  ASSERT_TRUE(Add(acc, kTp, 1, 10, 0));
  ProducerBatch b = *acc.TakeHead(kTp);
  b.attempts = 1;
  ASSERT_TRUE(Add(acc, kTp, 2, 10, 1 * kMs));
  b.retry_at_ns = 100 * kMs;
  acc.Reenqueue(b);
  EXPECT_TRUE(acc.WouldStartNewBatch(TopicPartition{"t", 9}, 1));
  EXPECT_FALSE(acc.HeadReady(kTp, 50 * kMs));  // backing off
  EXPECT_TRUE(acc.HeadReady(kTp, 100 * kMs));
  EXPECT_EQ(acc.TakeHead(kTp)->records[0].op_id, 1u);  // the retry overtakes nothing behind it
  EXPECT_EQ(acc.TakeHead(kTp)->records[0].op_id, 2u);
}

// What a request to a ready leader may take (Kafka's drain): a lingering head, not one waiting out
// a retry backoff, nothing from an empty queue.
TEST(RecordAccumulatorTest, ALingeringHeadIsSendableABackingOffOneIsNot) {
  RecordAccumulator acc(16384, 1000 * kMs, 1 << 20);
  ASSERT_TRUE(Add(acc, kTp, 1, 10, 0));
  const size_t q = acc.QueueOf(kTp);
  EXPECT_FALSE(acc.HeadReady(kTp, 1 * kMs));  // its linger runs to 1000 ms
  EXPECT_TRUE(acc.HeadSendable(q, 1 * kMs));
  ProducerBatch b = *acc.TakeHead(q);
  EXPECT_FALSE(acc.HeadSendable(q, 1 * kMs));  // empty
  b.attempts = 1;
  b.retry_at_ns = 100 * kMs;
  acc.Reenqueue(b);
  EXPECT_FALSE(acc.HeadSendable(q, 99 * kMs));
  EXPECT_TRUE(acc.HeadSendable(q, 100 * kMs));
}

TEST(RecordAccumulatorTest, DeliveryTimeoutExpiresQueuedBatchesAndBufferMemoryBounds) {
  RecordAccumulator acc(100, 0, 400);
  ASSERT_TRUE(Add(acc, kTp, 1, 20, 0));              // 61 + 32
  ASSERT_TRUE(Add(acc, TopicPartition{"t", 1}, 2, 20, 10 * kMs));
  ASSERT_TRUE(Add(acc, TopicPartition{"t", 2}, 3, 20, 20 * kMs));
  ASSERT_TRUE(Add(acc, TopicPartition{"t", 3}, 4, 20, 20 * kMs));  // 372 bytes
  EXPECT_FALSE(Add(acc, TopicPartition{"t", 4}, 5, 20, 20 * kMs));  // buffer.memory
  auto expired = acc.ExpireBefore(110 * kMs, 100 * kMs);
  ASSERT_EQ(expired.size(), 2u);
  EXPECT_EQ(expired[0].records[0].op_id, 1u);
  EXPECT_EQ(expired[1].records[0].op_id, 2u);
  for (const auto& b : expired) acc.Release(b);
  EXPECT_TRUE(Add(acc, TopicPartition{"t", 4}, 5, 20, 120 * kMs));
  EXPECT_EQ(*acc.EarliestCreatedNs(), 20 * kMs);
}


// Retries go back to the front, so a queue is not always in created_ns order (two retries
// re-enqueued newest-first): expiry must still find every due batch, wherever it sits, report
// them by partition then queue order, and keep the rest (and the earliest deadline) intact.
TEST(RecordAccumulatorTest, ExpiryFindsDueBatchesBehindNewerRetriesAndTracksEarliest) {
  RecordAccumulator acc(16384, 0, 1 << 20);
  ASSERT_TRUE(Add(acc, kTp, 1, 10, 0));
  ProducerBatch a = *acc.TakeHead(kTp);
  ASSERT_TRUE(Add(acc, kTp, 2, 10, 10 * kMs));
  ProducerBatch b = *acc.TakeHead(kTp);
  ASSERT_TRUE(Add(acc, kTp, 3, 10, 20 * kMs));
  ASSERT_TRUE(Add(acc, TopicPartition{"t", 1}, 4, 10, 5 * kMs));
  EXPECT_EQ(acc.queued_batches(), 2u);
  EXPECT_EQ(*acc.EarliestCreatedNs(), 5 * kMs);
  a.attempts = b.attempts = 1;
  acc.Reenqueue(a);  // queue t-0: a(0) c(20)
  acc.Reenqueue(b);  // queue t-0: b(10) a(0) c(20)
  EXPECT_EQ(acc.queued_batches(), 4u);
  EXPECT_EQ(*acc.EarliestCreatedNs(), 0);
  EXPECT_TRUE(acc.ExpireBefore(99 * kMs, 100 * kMs).empty());  // nothing due yet
  auto expired = acc.ExpireBefore(105 * kMs, 100 * kMs);  // a (0) and t-1's (5) are due
  ASSERT_EQ(expired.size(), 2u);
  EXPECT_EQ(expired[0].records[0].op_id, 1u);
  EXPECT_EQ(expired[1].records[0].op_id, 4u);
  EXPECT_EQ(acc.queued_batches(), 2u);
  EXPECT_EQ(*acc.EarliestCreatedNs(), 10 * kMs);
  EXPECT_EQ(acc.TakeHead(kTp)->records[0].op_id, 2u);  // order of the rest kept
  EXPECT_EQ(acc.TakeHead(kTp)->records[0].op_id, 3u);
  EXPECT_FALSE(acc.EarliestCreatedNs().has_value());
  EXPECT_EQ(acc.queued_batches(), 0u);
  EXPECT_TRUE(acc.ExpireBefore(1000 * kMs, 100 * kMs).empty());
}

TEST(RecordAccumulatorTest, QueuesAreNumberedInPartitionOrderAndOutliveTheirBatches) {
  RecordAccumulator acc(16384, 5 * kMs, 1 << 20);
  const TopicPartition b2{"b", 2}, a7{"a", 7}, b0{"b", 0};
  ASSERT_TRUE(Add(acc, b2, 1, 10, 0));
  ASSERT_TRUE(Add(acc, a7, 2, 10, 1 * kMs));
  ASSERT_TRUE(Add(acc, b0, 3, 10, 2 * kMs));
  ASSERT_EQ(acc.queue_count(), 3u);
  EXPECT_EQ(acc.queue_partition(0), a7);  // ascending by (topic, partition), not by arrival
  EXPECT_EQ(acc.queue_partition(1), b0);
  EXPECT_EQ(acc.queue_partition(2), b2);
  EXPECT_EQ(acc.QueueOf(b0), 1u);
  EXPECT_EQ(acc.QueueOf(TopicPartition{"c", 0}), acc.queue_count());
  EXPECT_EQ(*acc.HeadReadyAt(size_t{0}, 0), 6 * kMs);  // a7: created at 1 ms, linger 5 ms
  EXPECT_EQ(acc.Head(size_t{2})->records[0].op_id, 1u);
  // Taking the only batch leaves an empty queue under the same number.
  EXPECT_EQ(acc.TakeHead(size_t{1})->records[0].op_id, 3u);
  EXPECT_EQ(acc.queue_count(), 3u);
  EXPECT_TRUE(acc.queue_empty(1));
  EXPECT_FALSE(acc.HeadReadyAt(size_t{1}, 0).has_value());
  EXPECT_EQ(acc.Head(size_t{1}), nullptr);
  EXPECT_FALSE(acc.TakeHead(size_t{1}).has_value());
  EXPECT_EQ(acc.Partitions(), (std::vector<TopicPartition>{a7, b2}));
  // Many new partitions, each sorting first: every one renumbers the rest (and the queue
  // vector reallocates on the way); each record still lands in its own partition's queue.
  for (int32_t p = 99; p >= 0; --p) ASSERT_TRUE(Add(acc, TopicPartition{"0", p}, 100 + p, 1, 0));
  ASSERT_EQ(acc.queue_count(), 103u);
  for (int32_t p = 0; p < 100; ++p) {
    ASSERT_EQ(acc.queue_partition(size_t(p)), (TopicPartition{"0", p}));
    EXPECT_EQ(acc.Head(size_t(p))->records[0].op_id, uint64_t(100 + p));
  }
  EXPECT_EQ(acc.QueueOf(b2), 102u);
  // Partition numbers past the array (filed in the map) mix with small ones of the same topic,
  // and every queue is found under its own number whichever way.
  const TopicPartition far{"b", 70000}, b1{"b", 1};
  ASSERT_TRUE(Add(acc, far, 500, 1, 0));
  ASSERT_TRUE(Add(acc, b1, 501, 1, 0));
  ASSERT_EQ(acc.queue_count(), 105u);
  EXPECT_EQ(acc.queue_partition(104), far);
  EXPECT_EQ(acc.queue_partition(102), b1);
  for (size_t q = 0; q < acc.queue_count(); ++q) EXPECT_EQ(acc.QueueOf(acc.queue_partition(q)), q);
  EXPECT_EQ(acc.QueueOf(TopicPartition{"b", 3}), acc.queue_count());
  EXPECT_EQ(acc.QueueOf(TopicPartition{"b", 70001}), acc.queue_count());
  EXPECT_EQ(acc.QueueOf(TopicPartition{"b", -1}), acc.queue_count());
  EXPECT_EQ(acc.Head(acc.QueueOf(far))->records[0].op_id, 500u);
}

// queues_by_due() lists the non-empty queues by when their heads become ready, kept current
// as batches come, fill up, leave and return, and as new partitions renumber the queues.
TEST(RecordAccumulatorTest, QueuesByDueFollowTheirHeads) {
  RecordAccumulator acc(200, 5 * kMs, 1 << 20);
  using Due = std::vector<std::pair<int64_t, size_t>>;
  const TopicPartition b0{"b", 0}, b1{"b", 1}, a0{"a", 0};
  // Every entry agrees with HeadReadyAt, and the list holds exactly the non-empty queues.
  auto consistent = [&] {
    std::vector<size_t> listed;
    for (const auto& [due, q] : acc.queues_by_due()) {
      if (*acc.HeadReadyAt(q, 0) != std::max<int64_t>(0, due)) return false;
      listed.push_back(q);
    }
    std::sort(listed.begin(), listed.end());
    return listed == acc.nonempty_queues();
  };
  ASSERT_TRUE(Add(acc, b1, 1, 10, 2 * kMs));
  ASSERT_TRUE(Add(acc, b0, 2, 10, 1 * kMs));
  EXPECT_EQ(acc.queues_by_due(), (Due{{6 * kMs, 0}, {7 * kMs, 1}}));  // b0 first: it lingers less
  ASSERT_TRUE(Add(acc, b1, 3, 105, 3 * kMs));  // b1's head reaches batch.size: ready at once
  EXPECT_EQ(acc.queues_by_due(), (Due{{INT64_MIN, 1}, {6 * kMs, 0}}));
  ASSERT_TRUE(consistent());
  // A new partition that sorts first renumbers the others; their entries follow.
  ASSERT_TRUE(Add(acc, a0, 4, 10, 4 * kMs));
  EXPECT_EQ(acc.queues_by_due(), (Due{{INT64_MIN, 2}, {6 * kMs, 1}, {9 * kMs, 0}}));
  ASSERT_TRUE(consistent());
  // A batch behind the head makes the head ready; taking the head lets the next one linger.
  ASSERT_TRUE(Add(acc, b0, 5, 150, 5 * kMs));
  EXPECT_EQ(acc.queues_by_due().front(), (std::pair<int64_t, size_t>{INT64_MIN, 1}));
  ProducerBatch taken = *acc.TakeHead(size_t{1});
  EXPECT_EQ(acc.queues_by_due(), (Due{{INT64_MIN, 1}, {INT64_MIN, 2}, {9 * kMs, 0}}));  // 223 bytes: full
  ASSERT_TRUE(consistent());
  // A retried batch goes back as its queue's head, due at its retry time.
  taken.attempts = 1;
  taken.retry_at_ns = 20 * kMs;
  ASSERT_TRUE(acc.TakeHead(size_t{1}).has_value());
  acc.Reenqueue(std::move(taken));
  EXPECT_EQ(acc.queues_by_due(), (Due{{INT64_MIN, 2}, {9 * kMs, 0}, {20 * kMs, 1}}));
  ASSERT_TRUE(consistent());
  // Emptied and expired queues leave the list.
  ASSERT_TRUE(acc.TakeHead(size_t{2}).has_value());
  EXPECT_EQ(acc.ExpireBefore(100 * kMs, 50 * kMs).size(), 2u);  // a0's and the retried b0 batch
  EXPECT_TRUE(acc.queues_by_due().empty());
  ASSERT_TRUE(consistent());
}

// Records are encoded into their batch as they are appended: the batch built from it holds
// them in order, with their keys, values and timestamps, and a retried batch builds to the
// same bytes.
TEST(RecordAccumulatorTest, BatchHoldsItsRecordsEncodedInOrder) {
  RecordAccumulator acc(16384, 5 * kMs, 1 << 20);
  const std::string k = "key", v1 = "first", v2 = "second";
  PendingRecord r1{7, 1000, {}}, r2{8, 1003, {}};
  ASSERT_TRUE(acc.Append(kTp, r1, AsBytes(k), AsBytes(v1), 1000 * kMs));
  ASSERT_TRUE(acc.Append(kTp, r2, std::nullopt, AsBytes(v2), 1003 * kMs));
  ProducerBatch b = *acc.TakeHead(kTp);
  ASSERT_EQ(b.records.size(), 2u);
  EXPECT_EQ(b.records[1].op_id, 8u);
  Result<Bytes> built = b.encoded.Build();
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  Result<std::vector<Record>> records = DecodeRecords(*built, 1 << 20);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  Result<BatchHeader> header = ParseBatchHeader(*built);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ((*records)[0].AbsoluteOffset(*header), 0);
  EXPECT_EQ((*records)[1].AbsoluteOffset(*header), 1);
  ASSERT_TRUE((*records)[0].key.has_value());
  EXPECT_EQ(AsString(*(*records)[0].key), k);
  EXPECT_EQ(AsString(*(*records)[0].value), v1);
  EXPECT_FALSE((*records)[1].key.has_value());
  EXPECT_EQ(AsString(*(*records)[1].value), v2);
  EXPECT_EQ(header->base_timestamp, 1000);
  EXPECT_EQ(header->max_timestamp, 1003);
  b.attempts = 1;
  acc.Reenqueue(std::move(b));
  Result<Bytes> again = acc.TakeHead(kTp)->encoded.Build();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *built);
}

TEST(RecordAccumulatorTest, VersionChangesWithEveryChangeToTheQueues) {
  RecordAccumulator acc(16384, 0, 200);
  uint64_t v = acc.version();
  ASSERT_TRUE(Add(acc, kTp, 1, 10, 0));
  EXPECT_NE(acc.version(), v);
  v = acc.version();
  ASSERT_TRUE(Add(acc, kTp, 2, 10, 0));  // into the same open batch
  EXPECT_NE(acc.version(), v);
  v = acc.version();
  EXPECT_FALSE(Add(acc, kTp, 3, 500, 0));  // refused by buffer.memory: no change
  EXPECT_EQ(acc.version(), v);
  ProducerBatch b = *acc.TakeHead(kTp);
  EXPECT_NE(acc.version(), v);
  v = acc.version();
  EXPECT_FALSE(acc.TakeHead(kTp).has_value());
  EXPECT_EQ(acc.version(), v);
  acc.Reenqueue(b);
  EXPECT_NE(acc.version(), v);
  v = acc.version();
  EXPECT_TRUE(acc.ExpireBefore(0, 100 * kMs).empty());
  EXPECT_EQ(acc.version(), v);
  EXPECT_EQ(acc.ExpireBefore(100 * kMs, 100 * kMs).size(), 1u);
  EXPECT_NE(acc.version(), v);
}

}  // namespace
}  // namespace samsa::client
