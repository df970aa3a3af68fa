// The runtime checkers of the broker cluster, fed a cluster that really breaks the rule they
// check: here, an ISR follower whose log bytes differ from its leader's below the high watermark.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "core/broker/broker.h"
#include "core/log/partition_log.h"
#include "core/replication/replica_manager.h"
#include "sim/samsa_cluster_factory.h"
#include "sim/scenario_runner.h"
#include "sim/simulation.h"
#include "tests/scenario/hooked_factory.h"

namespace samsa::sim {
namespace {

constexpr const char* kScenario = R"(
name: replica-bytes
seed: 1
cluster:
  brokers: 3
  controllers: [1]
  config:
    min.insync.replicas: 2
topics:
  - { name: t, partitions: 1, replication.factor: 3 }
workload:
  producers: [{ topic: t, rate_per_s: 500, acks: all }]
run_for: 20s
expect:
  - no_violations
)";

// Flips one byte of t-0's log on an ISR follower of its leader, `from_end` bytes before the end
// of its first segment's file (or `from_start` bytes after its start when from_end is 0), inside
// a batch below the high watermark. Returns false when the cluster has no such follower.
bool FlipFollowerByte(Simulation& sim, uint64_t from_start, uint64_t from_end, std::string* where) {
  for (int32_t id = 1; id <= 3; ++id) {
    auto* leader = dynamic_cast<BrokerNode*>(sim.node(NodeId(id)));
    if (leader == nullptr || leader->replicas() == nullptr) continue;
    for (const auto& st : leader->replicas()->Partitions()) {
      if (!st.is_leader || st.high_watermark < 100) continue;
      for (int32_t member : st.isr) {
        if (member == id) continue;
        auto* follower = dynamic_cast<BrokerNode*>(sim.node(NodeId(member)));
        PartitionLog* log = follower ? follower->replicas()->FindLog("t", 0) : nullptr;
        if (log == nullptr || log->segment_base_offsets().empty()) continue;
        char name[32];
        std::snprintf(name, sizeof(name), "%020lld.log", (long long)log->segment_base_offsets()[0]);
        const std::string path = log->dir() + "/" + name;
        SimDisk& disk = sim.disk(NodeId(member));
        Result<uint64_t> size = disk.FileSize(path);
        if (!size.ok() || *size < 4096) continue;
        // Well inside the records of a batch: past the first batch's 61-byte header, or a few
        // hundred bytes before the end (records committed long ago at this rate).
        const uint64_t at = from_end > 0 ? *size - from_end : from_start;
        Result<Bytes> byte = disk.Read(path, at, 1);
        if (!byte.ok() || byte->size() != 1) continue;
        (*byte)[0] ^= 0x5a;
        if (!disk.Write(path, at, *byte).ok()) continue;
        *where = "node " + std::to_string(member) + " " + path + " @" + std::to_string(at);
        return true;
      }
    }
  }
  return false;
}

size_t CountKind(const RunResult& r, const std::string& kind) {
  return size_t(std::count_if(r.violations.begin(), r.violations.end(),
                              [&](const Violation& v) { return v.kind == kind; }));
}

RunResult RunTampered(uint64_t at_check, uint64_t from_start, uint64_t from_end, std::string* where) {
  Result<Scenario> s = ParseScenario(kScenario, "replica-bytes.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  bool flipped = false;
  uint64_t checks = 0;
  HookedFactory f([&](Simulation& sim) {
    if (++checks == at_check) flipped = FlipFollowerByte(sim, from_start, from_end, where);
  });
  RunOptions o;
  o.check_interval_ns = 100'000'000;  // 200 runtime checks, a byte comparison every 5th
  RunResult r = RunScenario(*s, 1, f, o);
  EXPECT_TRUE(flipped) << "no ISR follower log to change at check " << at_check;
  return r;
}

TEST(RuntimeChecks, UntouchedClusterHasEqualReplicas) {
  Result<Scenario> s = ParseScenario(kScenario, "replica-bytes.yaml");
  ASSERT_TRUE(s.ok());
  SamsaClusterFactory f;
  RunOptions o;
  o.check_interval_ns = 100'000'000;
  RunResult r = RunScenario(*s, 1, f, o);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.violations_total, 0u);
  EXPECT_GT(r.stats.acked, 5000u);
}

// A byte changed in the newest data (after what earlier comparisons covered) is found.
TEST(RuntimeChecks, ReplicaDivergenceInNewDataIsFound) {
  std::string where;
  RunResult r = RunTampered(100, 0, 300, &where);
  EXPECT_GE(CountKind(r, "replica-divergence"), 1u) << "flipped " << where;
}

// A byte changed in data that earlier comparisons already found equal (the first batch) is
// found too: comparisons resume where they left off, but start over from the log start now and
// then.
TEST(RuntimeChecks, ReplicaDivergenceInAlreadyComparedDataIsFound) {
  std::string where;
  RunResult r = RunTampered(100, 70, 0, &where);
  EXPECT_GE(CountKind(r, "replica-divergence"), 1u) << "flipped " << where;
}

// A committed metadata record no node can decode (bytes appended through the active
// controller's path, as a buggy controller would write them): every node that replays it is
// reported, with the record's offset and the decode error, not silently passed over.
TEST(RuntimeChecks, UndecodableCommittedMetadataRecordIsReported) {
  Result<Scenario> s = ParseScenario(kScenario, "replica-bytes.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  int64_t appended = -1;
  std::string appended_by;
  uint64_t checks = 0;
  HookedFactory f([&](Simulation& sim) {
    if (++checks < 5 || appended >= 0) return;
    for (int32_t id = 1; id <= 3; ++id) {
      auto* b = dynamic_cast<BrokerNode*>(sim.node(NodeId(id)));
      if (b == nullptr || !b->IsActiveController()) continue;
      // Frame version 1, then an api key no metadata record has.
      Result<int64_t> last = b->AppendRawMetadataForTest({Bytes{0x01, 0x7f, 0x00}});
      ASSERT_TRUE(last.ok()) << last.status().ToString();
      appended = *last;
      appended_by = std::to_string(id);
    }
  });
  RunResult r = RunScenario(*s, 1, f, RunOptions{});
  ASSERT_GE(appended, 0) << "no active controller at check 5";
  std::vector<std::string> details;
  for (const Violation& v : r.violations)
    if (v.kind == "metadata-divergence") {
      EXPECT_EQ(v.offset, appended) << v.detail;
      details.push_back(v.detail);
    }
  // Each node replays the record (every node runs the metadata quorum, as a voter or observer).
  ASSERT_EQ(details.size(), 3u) << "appended at offset " << appended << " on node " << appended_by;
  for (int32_t id = 1; id <= 3; ++id) {
    const std::string prefix = fmt::format("node {} cannot decode the committed metadata record at offset {}: ", id,
                                           appended);
    EXPECT_TRUE(std::any_of(details.begin(), details.end(),
                            [&](const std::string& d) { return d.rfind(prefix, 0) == 0 && d.size() > prefix.size(); }))
        << prefix;
  }
  EXPECT_FALSE(r.passed);
  // Nothing else is off: the nodes agree on the hash chain, bytes of the bad record included.
  EXPECT_EQ(r.violations_total, 3u);
}

}  // namespace
}  // namespace samsa::sim
