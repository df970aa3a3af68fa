// Safety under faults, end to end on samsa brokers: acknowledged records lost by design are
// reported as acked-lost with the fault and the election that lost them, and a split brain far
// shorter than the runner's check interval is still reported.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>

#include "core/broker/broker.h"
#include "core/controller/metadata_image.h"
#include "core/replication/replica_manager.h"
#include "net/os/file_util.h"
#include "sim/samsa_cluster_factory.h"
#include "sim/scenario_runner.h"
#include "sim/simulation.h"
#include "tests/scenario/hooked_factory.h"

namespace samsa::sim {
namespace {

Scenario Load(const std::string& name) {
  std::string path = std::string(SAMSA_SOURCE_DIR) + "/scenarios/" + name;
  auto text = os::ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << path;
  auto s = ParseScenario(text.ok() ? *text : "", path);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Scenario{};
}

std::vector<const Violation*> OfKind(const RunResult& r, const std::string& kind) {
  std::vector<const Violation*> out;
  for (const Violation& v : r.violations)
    if (v.kind == kind) out.push_back(&v);
  return out;
}

// unclean-election-loss loses the records only the crashed leader had: each is acked-lost, and
// its detail names the scripted crash of the leader and the unclean election of ledger-0 that
// followed.
TEST(SafetyUnderFaults, UncleanElectionLossIsAttributedToTheCrashAndTheElection) {
  Scenario s = Load("unclean-election-loss.yaml");
  SamsaClusterFactory f;
  RunResult r = RunScenario(s, s.seed.value_or(1), f, RunOptions{});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.passed);
  std::vector<const Violation*> lost = OfKind(r, "acked-lost");
  ASSERT_FALSE(lost.empty());
  const std::regex attributed(
      "value p\\d+-\\d+ acknowledged at t=\\d+\\.\\d{3}s offset \\d+ is not in the final log \\(leader \\d+, HW "
      "\\d+.*\\); last fault before loss: crash broker-\\d+ \\(leader-of ledger-0\\) for 17s at t=13\\.000s; "
      "last election: ledger-0 epoch [1-9]\\d* leader \\d+ at t=\\d+\\.\\d{3}s");
  size_t unattributed = 0;
  const Violation* first = nullptr;
  for (const Violation* v : lost) {
    if (v->topic == "ledger" && v->partition == 0 && std::regex_match(v->detail, attributed)) continue;
    if (unattributed++ == 0) first = v;
  }
  EXPECT_EQ(unattributed, 0u) << "of " << lost.size() << "; first: " << first->topic << "-" << first->partition
                              << ": " << first->detail;
}

// Makes `follower` believe it leads t-0 in the current leader epoch (the metadata it applies says
// so), next to the real leader: two leaders of one epoch, until RestoreFromImage.
void ClaimLeadership(Simulation& sim, BrokerNode& follower) {
  ReplicaAssignments a = ReplicaManager::AssignmentsOf(follower.image());
  for (auto& [name, topic] : a.topics)
    for (auto& [index, p] : topic.partitions) p.leader = follower.id().value();  // the lie
  follower.replicas()->OnAssignments(a, follower.broker_epoch(), sim.LocalNow(follower.id()) / 1'000'000);
  sim.Drain(follower.id());
}

void RestoreFromImage(Simulation& sim, BrokerNode& node) {
  node.replicas()->OnMetadataUpdate(node.image(), node.broker_epoch(), sim.LocalNow(node.id()) / 1'000'000);
  sim.Drain(node.id());
}

constexpr const char* kSplitBrain = R"(
name: split-brain
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
  consumers: [{ topic: t, from: earliest }]
run_for: 12s
expect:
  - no_violations
)";

// Runs kSplitBrain; with `split`, a follower of t-0 also leads its epoch from 10.300s to
// 10.350s: 50 ms, between the runtime checks at 10s and 11s.
// `extra` is appended to the scenario's YAML.
RunResult RunSplitBrain(bool split, std::string* what, const std::string& extra = "") {
  Result<Scenario> s = ParseScenario(kSplitBrain + extra, "split-brain.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  uint64_t checks = 0;
  HookedFactory f([&](Simulation& sim) {
    if (++checks != 10 || !split) return;  // the check at 10s
    sim.At(10'300'000'000, "split brain", [what](Simulation& sm) {
      for (int32_t id = 1; id <= 3; ++id) {
        auto* b = dynamic_cast<BrokerNode*>(sm.node(NodeId(id)));
        if (b == nullptr || b->replicas() == nullptr) continue;
        for (const auto& st : b->replicas()->Partitions()) {
          if (st.is_leader || st.leader_epoch < 0) continue;
          ClaimLeadership(sm, *b);
          *what = "node " + std::to_string(id) + " claims epoch " + std::to_string(st.leader_epoch);
          sm.At(10'350'000'000, "split brain over", [id](Simulation& s2) {
            if (auto* n = dynamic_cast<BrokerNode*>(s2.node(NodeId(id)))) RestoreFromImage(s2, *n);
          });
          return;
        }
      }
    });
  });
  RunResult r = RunScenario(*s, 1, f, RunOptions{});  // checks every second
  EXPECT_EQ(checks, 12u);
  return r;
}

TEST(SafetyUnderFaults, HealthyClusterHasOneLeaderPerEpoch) {
  std::string what;
  RunResult r = RunSplitBrain(false, &what);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.violations_total, 0u);
}

TEST(SafetyUnderFaults, SplitBrainOf50msBetweenChecksIsReported) {
  std::string what;
  RunResult r = RunSplitBrain(true, &what);
  ASSERT_FALSE(what.empty()) << "no follower to make a leader";
  std::vector<const Violation*> v = OfKind(r, "multiple-leaders");
  ASSERT_EQ(v.size(), 1u) << what;
  EXPECT_EQ(v[0]->topic, "t");
  EXPECT_EQ(v[0]->partition, 0);
  EXPECT_NE(v[0]->detail.find("both lead epoch"), std::string::npos) << v[0]->detail;
  EXPECT_FALSE(r.passed);
}

// The runtime checks' events carry the scenario's verdict too: strict, the split brain is a
// failure; tolerated, the event says it is expected and the run passes.
TEST(SafetyUnderFaults, ARuntimeViolationTheScenarioToleratesIsMarkedAllowed) {
  for (bool tolerated : {false, true}) {
    std::string what;
    RunResult r = RunSplitBrain(true, &what, tolerated ? "tolerate: [multiple-leaders]\n" : "");
    ASSERT_FALSE(what.empty()) << "no follower to make a leader";
    int events = 0;
    for (const view::ClusterEvent& e : r.events)
      if (e.kind == view::EventKind::kViolation && e.text == "multiple-leaders") {
        ++events;
        EXPECT_LT(e.at_ns, 12'000'000'000) << "found by the runtime checks, during the run";
        EXPECT_EQ(e.allowed, tolerated);
      }
    EXPECT_EQ(events, 1) << what;
    EXPECT_EQ(r.passed, tolerated);
    EXPECT_EQ(r.allowed_violation_kinds, tolerated ? std::vector<std::string>{"multiple-leaders"} : std::vector<std::string>{});
  }
}

}  // namespace
}  // namespace samsa::sim
