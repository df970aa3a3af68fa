// Producer and consumer against the scripted FakeBroker, wired through the real simulator: every
// request and response crosses the simulated network as Kafka frames.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "core/client/consumer.h"
#include "core/client/murmur2.h"
#include "core/client/producer.h"
#include "sim/history_checker.h"
#include "sim/simulation.h"
#include "tests/client/fake_broker.h"

namespace samsa::client {
namespace {

using testing::FakeBroker;
using testing::FakeBrokerState;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;
const NodeId kBroker(1);
const NodeId kProducer(100);
const NodeId kConsumer(200);

struct Harness {
  sim::Simulation sim{sim::SimOptions{}};
  std::shared_ptr<FakeBrokerState> broker = std::make_shared<FakeBrokerState>();
  std::shared_ptr<History> history = std::make_shared<History>();

  Harness() {
    broker->topics["t"] = 3;
    auto state = broker;
    sim.AddNode(kBroker, [state](NodeId id, Disk&, uint64_t) {
      return std::make_unique<FakeBroker>(id, state);
    });
  }
  void AddProducer(ProducerConfig cfg, ProducerWorkload w) {
    cfg.client.bootstrap = {kBroker};
    auto h = history;
    sim.AddNode(kProducer, [cfg, w, h](NodeId id, Disk&, uint64_t seed) {
      return std::make_unique<ProducerNode>(id, cfg, w, h, seed);
    }, true);
  }
  void AddConsumer(ConsumerConfig cfg) {
    cfg.client.bootstrap = {kBroker};
    auto h = history;
    sim.AddNode(kConsumer, [cfg, h](NodeId id, Disk&, uint64_t seed) {
      return std::make_unique<ConsumerNode>(id, cfg, h, seed);
    }, true);
  }
  ProducerNode& producer() { return *dynamic_cast<ProducerNode*>(sim.node(kProducer)); }
  ConsumerNode& consumer() { return *dynamic_cast<ConsumerNode*>(sim.node(kConsumer)); }
  size_t Count(EventOp op, EventType type) const {
    size_t n = 0;
    for (const auto& e : history->events())
      if (e.op == op && e.type == type) ++n;
    return n;
  }
};

// How long each send invoked at or after from_ns waited for its acknowledgement.
std::vector<int64_t> AckWaits(const History& history, int64_t from_ns) {
  std::map<uint64_t, int64_t> invoked;
  std::vector<int64_t> waits;
  for (const HistoryEvent& e : history.events()) {
    if (e.op != EventOp::kSend) continue;
    if (e.type == EventType::kInvoke && e.time_ns >= from_ns) invoked[e.op_id] = e.time_ns;
    auto it = invoked.find(e.op_id);
    if (e.type == EventType::kOk && it != invoked.end()) waits.push_back(e.time_ns - it->second);
  }
  return waits;
}

ConsumerConfig AllPartitions() {
  ConsumerConfig c;
  c.topic = "t";
  c.fetch_max_wait_ms = 100;
  return c;
}

TEST(ClientSimTest, KeyedProduceAndConsumeEndToEnd) {
  Harness h;
  ProducerConfig pc;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 1000;
  w.keys = 10;
  w.stop_ns = 1 * kS;
  h.AddProducer(pc, w);
  h.AddConsumer(AllPartitions());
  h.sim.RunFor(3 * kS);

  const ProducerStats& ps = h.producer().stats();
  EXPECT_EQ(ps.invoked, 1000u);
  EXPECT_EQ(ps.acked, 1000u);
  EXPECT_EQ(ps.failed + ps.indeterminate, 0u);
  EXPECT_LT(ps.produce_requests, 1000u);  // linger.ms batches records
  for (int16_t v : h.broker->produce_versions) EXPECT_EQ(v, 8);
  for (int16_t a : h.broker->produce_acks) EXPECT_EQ(a, -1);
  // Keyed records land where Java's partitioner puts them.
  size_t stored = 0;
  for (const auto& [tp, log] : h.broker->logs) {
    for (const auto& r : log) {
      ASSERT_TRUE(r.key);
      EXPECT_EQ(KeyedPartition(AsBytes(*r.key), 3), tp.second) << *r.key;
    }
    stored += log.size();
  }
  EXPECT_EQ(stored, 1000u);
  EXPECT_EQ(h.Count(EventOp::kPoll, EventType::kOk), 1000u);
  EXPECT_EQ(h.consumer().stats().records, 1000u);
  sim::CheckReport report = sim::CheckHistory(*h.history);
  EXPECT_TRUE(report.ok()) << report.Summary();
  EXPECT_EQ(report.unseen, 0u);
  // The history serialises deterministically.
  std::string json = h.history->ToJsonLines();
  EXPECT_NE(json.find("\"f\":\"poll\""), std::string::npos);
}

TEST(ClientSimTest, NullKeysStickToOnePartitionPerBatch) {
  Harness h;
  ProducerConfig pc;
  pc.linger_ms = 10;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 1000;
  w.stop_ns = 500 * kMs;
  h.AddProducer(pc, w);
  h.sim.RunFor(2 * kS);
  EXPECT_EQ(h.producer().stats().acked, 500u);
  // Each batch went to one partition; more than one partition was used over time.
  int used = 0;
  for (const auto& [tp, log] : h.broker->logs) used += log.empty() ? 0 : 1;
  EXPECT_GE(used, 2);
  for (size_t n : h.broker->records_per_batch) EXPECT_GE(n, 1u);
  EXPECT_LT(h.broker->records_per_batch.size(), 200u);
}

TEST(ClientSimTest, NotLeaderOnceRefreshesMetadataAndRetries) {
  Harness h;
  h.broker->not_leader_produce_responses = 1;
  ProducerConfig pc;
  pc.linger_ms = 0;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 100;
  w.keys = 1;
  w.max_sends = 5;
  h.AddProducer(pc, w);
  h.AddConsumer(AllPartitions());
  h.sim.RunFor(2 * kS);
  const ProducerStats& ps = h.producer().stats();
  EXPECT_EQ(ps.acked, 5u);
  EXPECT_EQ(ps.retries, 1u);
  EXPECT_GE(h.broker->metadata_requests, 2);  // bootstrap, then the refresh after the error
  EXPECT_GE(h.broker->produce_requests, 2);
  // The retry waited retry.backoff.ms (100 ms, less at most 20% of jitter); later records were
  // not held back by it.
  EXPECT_GE(h.broker->produce_arrivals_ns.back() - h.broker->produce_arrivals_ns.front(),
            80 * kMs);
  sim::CheckReport report = sim::CheckHistory(*h.history);
  EXPECT_TRUE(report.ok()) << report.Summary();
  EXPECT_EQ(report.polls, 5u);
}

TEST(ClientSimTest, LostResponseRetryDuplicatesAndTheCheckerSeesIt) {
  Harness h;
  h.broker->swallow_produce_responses = 1;  // written, but the ack never comes
  ProducerConfig pc;
  pc.linger_ms = 0;
  pc.client.request_timeout_ms = 200;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 10;
  w.keys = 1;
  w.max_sends = 3;
  h.AddProducer(pc, w);
  h.AddConsumer(AllPartitions());
  h.sim.RunFor(3 * kS);
  const ProducerStats& ps = h.producer().stats();
  EXPECT_EQ(ps.acked, 3u);
  EXPECT_GE(ps.retries, 1u);
  EXPECT_GE(h.producer().client_stats().request_timeouts, 1u);
  sim::CheckReport report = sim::CheckHistory(*h.history);
  auto kinds = report.CountsByKind();
  EXPECT_EQ(kinds["duplicate"], 1u) << report.Summary();
  ASSERT_FALSE(report.violations.empty());
  EXPECT_NE(report.violations[0].detail.find("p100-0"), std::string::npos) << report.Summary();
}

TEST(ClientSimTest, InFlightLimitPerConnection) {
  Harness h;
  h.broker->produce_delay_ns = 50 * kMs;
  ProducerConfig pc;
  pc.linger_ms = 0;
  pc.client.max_in_flight_requests_per_connection = 2;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 1000;
  w.keys = 10;
  w.stop_ns = 300 * kMs;
  h.AddProducer(pc, w);
  h.sim.RunFor(2 * kS);
  EXPECT_EQ(h.producer().stats().max_in_flight_seen, 2);
  EXPECT_LE(h.broker->max_produce_outstanding, 2);
  EXPECT_EQ(h.producer().stats().acked, 300u);
}

// Many partitions, a batch each: every batch leaves when its own linger passes (the producer
// wakes for the earliest one), not earlier and not at some later, unrelated wake-up (the
// workload's next send is 10 ms away).
TEST(ClientSimTest, ManyPartitionsEachBatchLeavesWhenItsLingerPasses) {
  Harness h;
  h.broker->topics["t"] = 64;
  ProducerConfig pc;
  pc.linger_ms = 5;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 100;
  w.keys = 1000;
  w.stop_ns = 1 * kS;
  h.AddProducer(pc, w);
  h.sim.RunFor(2 * kS);
  EXPECT_EQ(h.producer().stats().acked, 100u);
  // From the second send on: the first also waits for metadata and the connection set-up.
  const std::vector<int64_t> waits = AckWaits(*h.history, 10 * kMs);
  ASSERT_EQ(waits.size(), 99u);
  EXPECT_GE(*std::min_element(waits.begin(), waits.end()), 5 * kMs);  // each starts its own batch
  EXPECT_LE(*std::max_element(waits.begin(), waits.end()), 6 * kMs);  // linger, one round trip (2 x 0.5 ms)
}

// linger.ms decides when a leader is ready, not which batches go: the request sent when the first
// batch's linger passes takes every partition's head, however young (Kafka's drain). Before, each
// partition's batch waited out its own linger and went in a request of its own.
TEST(ClientSimTest, AReadyLeaderTakesTheHeadOfEveryPartitionItLeads) {
  Harness h;
  ProducerConfig pc;
  pc.linger_ms = 1000;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 20;  // a send every 50 ms, keys spread over the 3 partitions
  w.keys = 10;
  w.stop_ns = 500 * kMs;
  h.AddProducer(pc, w);
  h.sim.RunFor(3 * kS);
  const ProducerStats& ps = h.producer().stats();
  EXPECT_EQ(ps.acked, ps.invoked);
  EXPECT_GE(ps.invoked, 9u);
  ASSERT_EQ(h.broker->logs.size(), 3u);  // every partition had records
  EXPECT_EQ(h.broker->produce_requests, 1);
  EXPECT_EQ(h.broker->records_per_batch.size(), 3u);
  // The first send waited out the linger; the last, sent 450 ms later, rode along.
  const std::vector<int64_t> waits = AckWaits(*h.history, 0);
  ASSERT_EQ(waits.size(), ps.invoked);
  EXPECT_GE(*std::max_element(waits.begin(), waits.end()), 1000 * kMs);
  EXPECT_LT(*std::min_element(waits.begin(), waits.end()), 700 * kMs);
}

// When max.request.size cuts requests short, the partitions left out go first next time (Kafka's
// drain index): with every partition backlogged, each gets its turn. Before, each request began at
// the lowest partition, and the highest waited for the others to run dry.
TEST(ClientSimTest, RequestsCutShortByMaxRequestSizeServePartitionsInTurn) {
  Harness h;
  h.broker->produce_delay_ns = 20 * kMs;
  ProducerConfig pc;
  pc.linger_ms = 0;
  pc.batch_size = 1;          // a batch per record
  pc.max_request_size = 150;  // a batch per request
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 900;  // every partition gets more than the 250 batches a second that 5 requests in flight carry
  w.keys = 30;
  w.stop_ns = 1 * kS;
  h.AddProducer(pc, w);
  h.sim.RunFor(1 * kS);
  std::map<int32_t, int> acked;  // by partition, within the first second
  for (const HistoryEvent& e : h.history->events())
    if (e.op == EventOp::kSend && e.type == EventType::kOk) ++acked[e.partition];
  ASSERT_EQ(acked.size(), 3u);
  int least = INT32_MAX, most = 0;
  for (const auto& [partition, n] : acked) {
    least = std::min(least, n);
    most = std::max(most, n);
  }
  EXPECT_GT(most, 40);
  EXPECT_GE(least * 10, most * 9) << "least " << least << " most " << most;  // within 10%
}

// Many partitions, each with its own lingering batch, behind a connection whose two request slots
// stay busy: every batch still leaves once its linger passed and a slot is free, so no record
// waits longer than its linger, one request in the way and its own request. Ready batches held
// back for a slot are summarized one per leader: one that the sender lost track of would stay
// unsent (the count) or wait for an unrelated request (the bound).
TEST(ClientSimTest, ManyLingeringPartitionsEachLeaveAsSoonAsTheyMay) {
  Harness h;
  h.broker->topics["t"] = 64;
  h.broker->produce_delay_ns = 30 * kMs;
  ProducerConfig pc;
  pc.linger_ms = 5;
  pc.client.max_in_flight_requests_per_connection = 2;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 1000;
  w.keys = 1000;
  w.stop_ns = 400 * kMs;
  h.AddProducer(pc, w);
  h.sim.RunFor(2 * kS);
  const ProducerStats& ps = h.producer().stats();
  EXPECT_EQ(ps.acked, 400u);
  EXPECT_EQ(ps.max_in_flight_seen, 2);
  EXPECT_LE(h.broker->max_produce_outstanding, 2);
  // Batches waiting for a slot leave together: far fewer requests than batches.
  EXPECT_LT(size_t(h.broker->produce_requests) * 4, h.broker->records_per_batch.size());
  EXPECT_EQ(ps.batch_sends, h.broker->records_per_batch.size());  // nothing was retried
  const std::vector<int64_t> waits = AckWaits(*h.history, 0);
  ASSERT_EQ(waits.size(), 400u);
  const int64_t worst = *std::max_element(waits.begin(), waits.end());
  // linger 5 ms, then at most one request ahead (30 ms) and its own (30 ms), plus the round trips.
  EXPECT_LE(worst, 75 * kMs);
  EXPECT_GE(worst, 35 * kMs);  // the slots were busy: some record did wait for one
}

// A producer of one record to topic, sent at once, with these retry backoffs.
void AddOneSend(Harness& h, const std::string& topic, int64_t retry_backoff_ms, int64_t retry_backoff_max_ms,
                ProducerConfig pc = {}) {
  pc.linger_ms = 0;
  pc.client.retry_backoff_ms = retry_backoff_ms;
  pc.client.retry_backoff_max_ms = retry_backoff_max_ms;
  ProducerWorkload w;
  w.topic = topic;
  w.rate_per_s = 1;
  w.keys = 1;
  w.max_sends = 1;
  h.AddProducer(pc, w);
}

// One send, to a broker that refuses every produce with NOT_ENOUGH_REPLICAS (retriable), retried
// with these backoffs until delivery.timeout.ms.
void AddRefusedSend(Harness& h, int64_t retry_backoff_ms, int64_t retry_backoff_max_ms, int32_t delivery_timeout_ms) {
  h.broker->persistent_produce_error = int16_t(ErrorCode::kNotEnoughReplicas);
  ProducerConfig pc;
  pc.delivery_timeout_ms = delivery_timeout_ms;
  AddOneSend(h, "t", retry_backoff_ms, retry_backoff_max_ms, pc);
}

// Each gap between consecutive arrivals, less `overhead_ns`, is its term of an exponential
// backoff (ms) within its 20% of jitter: never above max_ms, plus 20 ms for the network.
void ExpectBackoffGaps(const std::vector<int64_t>& arrivals_ns, const std::vector<int64_t>& terms_ms, int64_t max_ms,
                       int64_t overhead_ns = 0) {
  ASSERT_GT(arrivals_ns.size(), terms_ms.size());
  for (size_t i = 0; i < terms_ms.size(); ++i) {
    const int64_t gap = arrivals_ns[i + 1] - arrivals_ns[i] - overhead_ns;
    EXPECT_GE(gap, terms_ms[i] * kMs * 4 / 5) << "wait " << i + 1;
    EXPECT_LE(gap, std::min<int64_t>(terms_ms[i] * 6 / 5, max_ms) * kMs + 20 * kMs) << "wait " << i + 1;
  }
}

TEST(ClientSimTest, RetriableErrorUntilDeliveryTimeoutFailsTheSend) {
  Harness h;
  // A maximum no higher than retry.backoff.ms: every retry waits exactly that.
  AddRefusedSend(h, 100, 100, 1000);
  h.sim.RunFor(3 * kS);
  const ProducerStats& ps = h.producer().stats();
  EXPECT_EQ(ps.acked, 0u);
  EXPECT_EQ(ps.failed, 1u);  // NOT_ENOUGH_REPLICAS is definite: nothing was written
  EXPECT_GE(ps.retries, 5u);
  EXPECT_LE(ps.retries, 10u);
  // Attempts are at least retry.backoff.ms apart.
  const auto& t = h.broker->produce_arrivals_ns;
  for (size_t i = 1; i < t.size(); ++i) EXPECT_GE(t[i] - t[i - 1], 100 * kMs);
  EXPECT_LT(t.back() - t.front(), 1000 * kMs);
  int64_t invoked = -1, failed = -1;
  for (const auto& e : h.history->events()) {
    if (e.op != EventOp::kSend) continue;
    if (e.type == EventType::kInvoke) invoked = e.time_ns;
    if (e.type == EventType::kFail) {
      failed = e.time_ns;
      EXPECT_NE(e.error.find("DELIVERY_TIMEOUT"), std::string::npos) << e.error;
      EXPECT_NE(e.error.find("NOT_ENOUGH_REPLICAS"), std::string::npos) << e.error;
    }
  }
  EXPECT_GE(failed - invoked, 1000 * kMs);
  EXPECT_LT(failed - invoked, 1300 * kMs);
}

// A batch that keeps failing waits longer before each retry: retry.backoff.ms, then twice as
// long each time up to retry.backoff.max.ms, each wait within 20% of its term (Kafka 3.7+). A
// broker that stays unable to take a partition's records so gets a few retries a second, not ten.
TEST(ClientSimTest, RetriesBackOffExponentiallyUpToTheMaximum) {
  Harness h;
  AddRefusedSend(h, 100, 1000, 10000);
  h.sim.RunFor(12 * kS);
  EXPECT_EQ(h.producer().stats().failed, 1u);
  const auto& t = h.broker->produce_arrivals_ns;
  // 100, 200, 400, 800 ms, then 1 s each (jittered) until the 10 s delivery timeout: 13 to 15
  // sends, where a constant 100 ms would make about 100.
  ASSERT_GE(t.size(), 13u);
  ASSERT_LE(t.size(), 15u);
  ExpectBackoffGaps(t, {100, 200, 400, 800, 1000, 1000, 1000}, 1000);
}

// retry.backoff.max.ms below retry.backoff.ms: every retry waits the maximum, without jitter.
TEST(ClientSimTest, RetryBackoffMaximumBelowTheBaseIsAConstantWait) {
  Harness h;
  AddRefusedSend(h, 500, 300, 2000);
  h.sim.RunFor(4 * kS);
  const auto& t = h.broker->produce_arrivals_ns;
  ASSERT_GE(t.size(), 5u);
  for (size_t i = 1; i < t.size(); ++i) {
    EXPECT_GE(t[i] - t[i - 1], 300 * kMs);
    EXPECT_LE(t[i] - t[i - 1], 320 * kMs);
  }
}

// Metadata backoff (KIP-580): while the metadata of a wanted topic stays missing, each response
// is the same as the last, and each refresh waits twice as long as the one before, from
// retry.backoff.ms up to retry.backoff.max.ms (+-20%). Once the topic exists the answer changes:
// the producer gets its partitions, delivers, and stops asking.
TEST(ClientSimTest, MetadataRefreshesThatChangeNothingBackOffExponentially) {
  Harness h;
  AddOneSend(h, "late", 100, 1000);  // unknown to the broker until 6 s
  h.sim.RunFor(6 * kS);
  const std::vector<int64_t> t = h.broker->metadata_arrivals_ns;
  // The first answer is news (the topic's error); then 100 ms for the first unchanged answer,
  // 200, 400, 800, and 1 s from there: about 9 requests in 6 s, where a constant 100 ms would
  // make about 60.
  ASSERT_GE(t.size(), 8u);
  ASSERT_LE(t.size(), 11u);
  ExpectBackoffGaps(t, {100, 100, 200, 400, 800, 1000, 1000}, 1000);
  EXPECT_EQ(h.producer().stats().acked, 0u);

  h.broker->topics["late"] = 3;
  h.sim.RunFor(3 * kS);
  EXPECT_EQ(h.producer().stats().acked, 1u);
  const size_t after = h.broker->metadata_arrivals_ns.size();
  ASSERT_GT(after, t.size());
  // Within one maximum wait of the topic appearing, and no refresh since that answer.
  EXPECT_LE(h.broker->metadata_arrivals_ns[t.size()], 6 * kS + 1000 * kMs + 20 * kMs);
  EXPECT_EQ(after, t.size() + 1);
}

// Failed metadata requests back off the same way: each unanswered request times out (closing its
// connection), and the next one waits retry.backoff.ms, then twice as long after each further
// failure, up to retry.backoff.max.ms. The first answer ends it.
TEST(ClientSimTest, FailedMetadataRequestsBackOffExponentially) {
  Harness h;
  h.broker->swallow_metadata_requests = 6;
  ProducerConfig pc;
  pc.client.request_timeout_ms = 200;
  AddOneSend(h, "t", 100, 1000, pc);
  h.sim.RunFor(10 * kS);
  const std::vector<int64_t>& t = h.broker->metadata_arrivals_ns;
  ASSERT_EQ(t.size(), 7u);  // six unanswered, then the one answered: no refresh after it
  // Each gap is the 200 ms timeout, then the backoff (the reconnect and handshake fit inside it).
  ExpectBackoffGaps(t, {100, 200, 400, 800, 1000, 1000}, 1000, 200 * kMs);
  EXPECT_EQ(h.producer().stats().acked, 1u);
}

TEST(ClientSimTest, AcksZeroAcknowledgesWithoutOffsets) {
  Harness h;
  ProducerConfig pc;
  pc.acks = 0;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 100;
  w.keys = 3;
  w.max_sends = 20;
  h.AddProducer(pc, w);
  h.AddConsumer(AllPartitions());
  h.sim.RunFor(2 * kS);
  EXPECT_EQ(h.producer().stats().acked, 20u);
  for (const auto& e : h.history->events()) {
    if (e.op == EventOp::kSend && e.type == EventType::kOk) {
      EXPECT_EQ(e.offset, -1);
    }
  }
  for (int16_t a : h.broker->produce_acks) EXPECT_EQ(a, 0);
  EXPECT_EQ(h.Count(EventOp::kPoll, EventType::kOk), 20u);
  EXPECT_TRUE(sim::CheckHistory(*h.history).ok());
}

TEST(ClientSimTest, ConsumerResetsOutOfRangeOffsetAndStartsLatest) {
  Harness h;
  h.broker->logs[{"t", 0}] = {{std::nullopt, "a"}, {std::nullopt, "b"}};
  ConsumerConfig c;
  c.topic = "t";
  c.partitions = {0};
  c.start = StartFrom::kOffset;
  c.start_offset = 1000;  // beyond the log end
  c.fetch_max_wait_ms = 100;
  h.AddConsumer(c);
  h.sim.RunFor(1 * kS);
  EXPECT_EQ(h.consumer().stats().offset_resets, 1u);
  EXPECT_EQ(h.consumer().stats().records, 2u);
  EXPECT_EQ(h.consumer().position(0), 2);
  ASSERT_EQ(h.Count(EventOp::kPoll, EventType::kOk), 2u);
  EXPECT_EQ(h.history->events()[0].value, "a");
  EXPECT_EQ(h.history->events()[1].offset, 1);
}

// A consumer finds a partition's state through PartitionSlots: an array for small partition
// numbers (up to a few times its partition count), a map above it; an assignment with both kinds
// reads each.
TEST(ClientSimTest, ConsumerReadsAssignedPartitionsWhateverTheirNumbers) {
  Harness h;
  h.broker->topics["t"] = 200;
  h.broker->logs[{"t", 3}] = {{std::nullopt, "a"}, {std::nullopt, "b"}};
  h.broker->logs[{"t", 150}] = {{std::nullopt, "c"}, {std::nullopt, "d"}, {std::nullopt, "e"}};
  ConsumerConfig c = AllPartitions();
  c.partitions = {150, 3};  // two partitions: 150 is past the index, 3 in it
  h.AddConsumer(c);
  h.sim.RunFor(1 * kS);
  EXPECT_EQ(h.consumer().stats().records, 5u);
  EXPECT_EQ(h.consumer().position(3), 2);
  EXPECT_EQ(h.consumer().position(150), 3);
  EXPECT_EQ(h.consumer().position(4), std::nullopt) << "not assigned, inside the index";
  EXPECT_EQ(h.consumer().position(151), std::nullopt) << "not assigned, past the index";
  EXPECT_EQ(h.consumer().position(-1), std::nullopt);
}

TEST(ClientSimTest, ConsumerStartingAtLatestReadsOnlyNewRecords) {
  Harness h;
  h.broker->logs[{"t", 1}] = {{std::nullopt, "old"}};
  ConsumerConfig c = AllPartitions();
  c.start = StartFrom::kLatest;
  h.AddConsumer(c);
  h.sim.RunFor(200 * kMs);
  EXPECT_EQ(h.consumer().position(1), 1);
  ProducerConfig pc;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 100;
  w.keys = 5;
  w.max_sends = 10;
  h.AddProducer(pc, w);
  h.sim.RunFor(2 * kS);
  EXPECT_EQ(h.consumer().stats().records, 10u);
  for (const auto& e : h.history->events()) EXPECT_NE(e.value, "old");
  EXPECT_GE(h.consumer().stats().list_offsets, 1u);
}

TEST(ClientSimTest, SameSeedSameHistory) {
  auto run = [] {
    Harness h;
    ProducerConfig pc;
    ProducerWorkload w;
    w.topic = "t";
    w.rate_per_s = 500;
    w.stop_ns = 300 * kMs;
    h.AddProducer(pc, w);
    h.AddConsumer(AllPartitions());
    h.sim.RunFor(1 * kS);
    return h.history->ToJsonLines();
  };
  std::string a = run();
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, run());
}


// Sends for a topic without metadata wait in invoke order: they time out oldest first, each
// delivery.timeout.ms after its invoke (no later: the producer wakes for the oldest), sends past
// max_unpartitioned fail at once, and once the topic appears the rest go out in order.
TEST(ClientSimTest, SendsWaitingForMetadataExpireOldestFirstThenDrainInOrder) {
  Harness h;
  ProducerConfig pc;
  pc.linger_ms = 0;
  pc.delivery_timeout_ms = 500;
  pc.max_unpartitioned = 300;
  ProducerWorkload w;
  w.topic = "late";
  w.rate_per_s = 1000;
  w.keys = 5;
  w.stop_ns = 1 * kS;
  h.AddProducer(pc, w);
  h.sim.RunFor(800 * kMs);
  h.broker->topics["late"] = 2;
  h.sim.RunFor(2 * kS);
  std::map<uint64_t, int64_t> invoked_at;
  uint64_t last_timeout_op = 0, last_acked_op = 0, timeouts = 0, exhausted = 0, acked = 0;
  for (const auto& e : h.history->events()) {
    if (e.op != EventOp::kSend) continue;
    if (e.type == EventType::kInvoke) {
      invoked_at[e.op_id] = e.time_ns;
    } else if (e.type == EventType::kFail && e.error == "TIMEOUT_WAITING_FOR_METADATA") {
      ++timeouts;
      EXPECT_GT(e.op_id, last_timeout_op);  // oldest first
      last_timeout_op = e.op_id;
      int64_t waited = e.time_ns - invoked_at.at(e.op_id);
      EXPECT_GE(waited, 499 * kMs);  // timestamps are in ms
      EXPECT_LE(waited, 501 * kMs);
    } else if (e.type == EventType::kFail && e.error == "BUFFER_EXHAUSTED") {
      ++exhausted;
    } else if (e.type == EventType::kOk) {
      ++acked;
      last_acked_op = std::max(last_acked_op, e.op_id);
      EXPECT_GT(e.op_id, last_timeout_op);  // nothing younger timed out before it
    }
  }
  EXPECT_GT(timeouts, 0u);
  EXPECT_GT(exhausted, 0u);
  EXPECT_GT(acked, 0u);
  EXPECT_EQ(timeouts + exhausted + acked, invoked_at.size());
}


// socket.connection.setup.timeout.ms: a broker whose replies are clogged never completes the
// connection; the client gives up on it within the setup timeout and fetches metadata from the
// next bootstrap broker, which leads the partitions, instead of waiting out the clog.
TEST(ClientSimTest, ConnectionSetupTimeoutMovesOnToAnotherBroker) {
  Harness h;
  auto other = std::make_shared<FakeBrokerState>();
  other->topics["t"] = 3;
  const NodeId kOther(2);
  h.sim.AddNode(kOther, [other](NodeId id, Disk&, uint64_t) { return std::make_unique<FakeBroker>(id, other); });
  h.sim.Clog(kBroker, kProducer, 60 * kS);  // broker 1 -> producer: nothing gets through for 60 s
  ProducerConfig pc;
  pc.client.socket_connection_setup_timeout_ms = 1000;
  pc.client.socket_connection_setup_timeout_max_ms = 4000;
  pc.client.bootstrap = {kBroker, kOther};
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 100;
  w.keys = 4;
  auto history = h.history;
  h.sim.AddNode(kProducer, [pc, w, history](NodeId id, Disk&, uint64_t seed) {
    return std::make_unique<ProducerNode>(id, pc, w, history, seed);
  }, true);
  // The first attempt (broker 1) times out after 0.8..1.2 s; broker 2 answers right away.
  h.sim.RunFor(1300 * kMs);
  EXPECT_EQ(h.producer().client_stats().connection_setup_timeouts, 1u);
  EXPECT_EQ(h.producer().setup_failures(kBroker), 1);
  EXPECT_EQ(h.broker->metadata_requests, 0);
  EXPECT_GE(other->metadata_requests, 1);
  EXPECT_GT(h.producer().stats().acked, 0u);
  h.sim.RunFor(2 * kS);
  EXPECT_GE(h.producer().stats().acked, 200u);
  EXPECT_EQ(h.producer().stats().failed + h.producer().stats().indeterminate, 0u);
}

// Consecutive failed attempts on one broker double its setup timeout (+-20% jitter), up to
// socket.connection.setup.timeout.max.ms; a connection that becomes Ready resets the count.
TEST(ClientSimTest, ConnectionSetupTimeoutDoublesUpToTheMax) {
  Harness h;
  h.sim.Clog(kBroker, kProducer, 20 * kS);
  ProducerConfig pc;
  pc.client.socket_connection_setup_timeout_ms = 1000;
  pc.client.socket_connection_setup_timeout_max_ms = 4000;
  ProducerWorkload w;
  w.topic = "t";
  w.rate_per_s = 10;
  h.AddProducer(pc, w);
  std::vector<int64_t> timeouts;  // of each attempt, as set when it started
  std::vector<int32_t> failures;  // failed attempts before each one
  std::optional<int64_t> last;
  while (h.sim.now_ns() < 20 * kS && h.sim.Step()) {
    std::optional<int64_t> d = h.producer().setup_deadline_ns(kBroker);
    if (d && d != last) {
      timeouts.push_back(*d - h.producer().now_ns());
      failures.push_back(h.producer().setup_failures(kBroker));
    }
    last = d;
  }
  ASSERT_GE(timeouts.size(), 5u);
  EXPECT_GE(timeouts[0], 800 * kMs);
  EXPECT_LE(timeouts[0], 1200 * kMs);
  EXPECT_GE(timeouts[1], 1600 * kMs);
  EXPECT_LE(timeouts[1], 2400 * kMs);
  EXPECT_GE(timeouts[2], 3200 * kMs);
  EXPECT_LE(timeouts[2], 4000 * kMs);
  for (size_t i = 3; i < timeouts.size(); ++i) {  // min(8 s, max) +-20%, capped at max
    EXPECT_GE(timeouts[i], 3200 * kMs) << i;
    EXPECT_LE(timeouts[i], 4000 * kMs) << i;
  }
  for (size_t i = 0; i < failures.size(); ++i) EXPECT_EQ(failures[i], int32_t(i));
  EXPECT_EQ(h.producer().client_stats().connection_setup_timeouts, timeouts.size() - 1);
  // The clog ends: the attempt in progress completes, the count resets, and sends are acked.
  h.sim.RunFor(5 * kS);
  EXPECT_EQ(h.producer().setup_failures(kBroker), 0);
  EXPECT_FALSE(h.producer().setup_deadline_ns(kBroker).has_value());
  EXPECT_GT(h.producer().stats().acked, 0u);
}

}  // namespace
}  // namespace samsa::client
