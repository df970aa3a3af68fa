// Producer options of a scenario's workload, end to end on the simulated cluster:
// compression.type (batches reach the brokers' logs compressed with that codec, and the consumer
// reads the records back) and value_bytes (values padded to that size).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/broker/broker.h"
#include "core/client/history.h"
#include "core/log/partition_log.h"
#include "core/record/batch_header.h"
#include "core/record/compression.h"
#include "core/replication/replica_manager.h"
#include "sim/samsa_cluster_factory.h"
#include "sim/scenario_runner.h"
#include "tests/scenario/hooked_factory.h"

namespace samsa::sim {
namespace {

std::string ScenarioText(const std::string& codec, int value_bytes, int linger_ms = 5) {
  return R"(
name: workload-options
seed: 3
cluster:
  brokers: 3
  controllers: [1]
topics:
  - { name: t, partitions: 2, replication.factor: 3 }
workload:
  producers: [{ topic: t, rate_per_s: 300, keys: 10, acks: all, compression.type: )" +
         codec + ", value_bytes: " + std::to_string(value_bytes) + ", linger.ms: " + std::to_string(linger_ms) + R"( }]
  consumers: [{ topic: t }]
run_for: 8s
expect:
  - no_violations
)";
}

TEST(WorkloadOptions, CompressedBatchesAreStoredAndReadBack) {
  for (CompressionCodec codec : {CompressionCodec::kGzip, CompressionCodec::kSnappy, CompressionCodec::kLz4,
                                 CompressionCodec::kZstd}) {
    const std::string name(CompressionCodecName(codec));
    SCOPED_TRACE(name);
    Result<Scenario> s = ParseScenario(ScenarioText(name, 40), "workload-options.yaml");
    ASSERT_TRUE(s.ok()) << s.status().message();
    // The codec of the first batch of t-0 on a replica (last seen at a runtime check).
    std::optional<CompressionCodec> stored;
    HookedFactory f([&](Simulation& sim) {
      for (int32_t id = 1; id <= 3; ++id) {
        auto* b = dynamic_cast<BrokerNode*>(sim.node(NodeId(id)));
        PartitionLog* log = b && b->replicas() ? b->replicas()->FindLog("t", 0) : nullptr;
        if (log == nullptr || log->log_end_offset() == 0) continue;
        auto read = log->Read(log->log_start_offset(), 1);
        if (!read.ok() || read->records.empty()) continue;
        auto header = ParseBatchHeader(read->records);
        if (header.ok()) stored = header->compression();
      }
    });
    RunResult r = RunScenario(*s, 3, f, RunOptions{});
    EXPECT_TRUE(r.passed) << (r.violations.empty() ? r.error : r.violations[0].detail);
    EXPECT_EQ(r.violations_total, 0u);
    EXPECT_GT(r.stats.acked, 1500u);
    EXPECT_GT(r.stats.consumed, 1500u);
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(*stored, codec);
  }
}

TEST(WorkloadOptions, ValuesArePaddedToValueBytes) {
  Result<Scenario> s = ParseScenario(ScenarioText("none", 100), "workload-options.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  SamsaClusterFactory f;
  RunResult r = RunScenario(*s, 3, f, RunOptions{});
  EXPECT_TRUE(r.passed);
  const client::History& h = *f.history();
  size_t sends = 0, polls = 0;
  for (size_t i = 0; i < h.size(); ++i) {
    const client::History::Entry& e = h.entry(i);
    if (e.type() != client::EventType::kInvoke && e.type() != client::EventType::kOk) continue;
    const std::string_view value = h.Value(e);
    ASSERT_EQ(value.size(), 100u) << value;
    EXPECT_EQ(value[0], 'p');
    EXPECT_EQ(value.back(), '.');
    (e.op() == client::EventOp::kSend ? sends : polls)++;
  }
  EXPECT_GT(sends, 1500u);
  EXPECT_GT(polls, 1500u);
}

// The run's batch count (samsa-sim's batches=) is what the producers sent: every record in some
// batch, and a longer linger.ms packs the same records into fewer of them.
TEST(WorkloadOptions, BatchSendsFollowLinger) {
  auto run = [](int linger_ms) {
    Result<Scenario> s = ParseScenario(ScenarioText("none", 40, linger_ms), "workload-options.yaml");
    EXPECT_TRUE(s.ok()) << s.status().message();
    SamsaClusterFactory f;
    return RunScenario(*s, 3, f, RunOptions{});
  };
  RunResult quick = run(0);
  RunResult slow = run(50);
  for (const RunResult* r : {&quick, &slow}) {
    EXPECT_TRUE(r->passed) << (r->violations.empty() ? r->error : r->violations[0].detail);
    EXPECT_GT(r->stats.acked, 1500u);
    EXPECT_GT(r->stats.batch_sends, 0u);
    EXPECT_LE(r->stats.batch_sends, r->stats.produced);
  }
  // 300 records a second over 2 partitions: 50 ms gathers several records per batch.
  EXPECT_LT(slow.stats.batch_sends * 2, quick.stats.batch_sends);
}

// batch.size 0 disables batching (as in Kafka): every record goes in a batch of its own, however
// long linger.ms is. It used to abort the producer on an invariant.
TEST(WorkloadOptions, BatchSizeZeroSendsEveryRecordAlone) {
  std::string text = ScenarioText("none", 40, 50);
  const std::string linger = "linger.ms: 50";
  text.replace(text.find(linger), linger.size(), linger + ", batch.size: 0");
  Result<Scenario> s = ParseScenario(text, "workload-options.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  SamsaClusterFactory f;
  RunResult r = RunScenario(*s, 3, f, RunOptions{});
  EXPECT_TRUE(r.passed) << (r.violations.empty() ? r.error : r.violations[0].detail);
  EXPECT_GT(r.stats.acked, 1500u);
  // At least a send per acknowledged record (a few more: the first sends, before the leaders are
  // known, are retried); with batching, 50 ms would gather about 7 records per batch.
  EXPECT_GE(r.stats.batch_sends, r.stats.acked);
}

}  // namespace
}  // namespace samsa::sim
