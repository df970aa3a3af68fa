// The simulated OS writeback, end to end on samsa brokers with Kafka's flush defaults (no
// log.flush.* set: the brokers never sync a partition log): acks=all records acknowledged from the
// page cache of every replica, then a crash of all three replicas at once. Without writeback the
// crash takes the records with it (acked-lost: true Kafka behaviour, KIP-966's correlated failure);
// with a writeback tick between the writes and the crash they survive.
#include <gtest/gtest.h>

#include <string>

#include "sim/samsa_cluster_factory.h"
#include "sim/scenario_runner.h"

namespace samsa::sim {
namespace {

std::string WritebackScenario(const std::string& writeback) {
  return R"(name: writeback
seed: 1
cluster:
  brokers: 3
  controller_only: [101, 102, 103]
  controllers: [101, 102, 103]
  config: { min.insync.replicas: 2, unclean.leader.election.enable: false }
disk: { writeback: )" + writeback + R"( }
topics: [{ name: t, partitions: 1, replication.factor: 3 }]
workload:
  producers: [{ topic: t, rate_per_s: 200, acks: all, stop: 4s }]
faults:
  - { at: 8s, crash: all, for: 3s }
run_for: 20s
settle: 10s
)";
}

size_t CountKind(const RunResult& r, const std::string& kind) {
  size_t n = 0;
  for (const Violation& v : r.violations) n += v.kind == kind;
  return n;
}

RunResult RunWithWriteback(const std::string& writeback) {
  auto s = ParseScenario(WritebackScenario(writeback), "writeback.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return {};
  SamsaClusterFactory f;
  return RunScenario(*s, 1, f, RunOptions{});
}

TEST(DiskWriteback, WithoutWritebackACrashOfEveryReplicaLosesAcknowledgedRecords) {
  RunResult r = RunWithWriteback("off");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_GT(r.stats.acked, 500u);
  EXPECT_GT(CountKind(r, "acked-lost"), 0u) << "every replica crashed with the records only in its page cache";
}

TEST(DiskWriteback, AWritebackTickBeforeTheCrashKeepsThem) {
  RunResult r = RunWithWriteback("1s");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_GT(r.stats.acked, 500u);
  EXPECT_EQ(CountKind(r, "acked-lost"), 0u);
  for (const Violation& v : r.violations) ADD_FAILURE() << v.kind << ": " << v.detail;
}

// Without a disk section, Linux's default (dirty_writeback_centisecs = 5 s).
TEST(DiskWriteback, DefaultWritebackIsFiveSeconds) {
  auto s = ParseScenario("name: d\nrun_for: 1s\n", "d.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->disk_writeback_ns, 5'000'000'000);
}

}  // namespace
}  // namespace samsa::sim
