#include "sim/nemesis.h"

#include <gtest/gtest.h>

#include "sim/toy_nodes.h"
#include "tests/sim/probe_node.h"

namespace samsa::sim {
namespace {

std::vector<std::string> Describe(const std::vector<FaultAction>& s) {
  std::vector<std::string> out;
  for (const auto& a : s) out.push_back(a.ToString());
  return out;
}

TEST(NemesisTest, RandomScheduleIsAPureFunctionOfTheSeed) {
  NemesisOptions o;
  auto a = RandomSchedule(o, Prng(42).Split("nemesis"));
  auto b = RandomSchedule(o, Prng(42).Split("nemesis"));
  auto c = RandomSchedule(o, Prng(43).Split("nemesis"));
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(Describe(a), Describe(b));
  EXPECT_NE(Describe(a), Describe(c));
  for (const auto& f : a) {
    EXPECT_GE(f.at_ns, o.start_ns);
    EXPECT_LT(f.at_ns, o.until_ns);
  }
  o.kinds = {FaultKind::kPause};
  for (const auto& f : RandomSchedule(o, Prng(1))) EXPECT_EQ(f.kind, FaultKind::kPause);
  o.kinds.clear();
  EXPECT_TRUE(RandomSchedule(o, Prng(1)).empty());
}

TEST(NemesisTest, FaultsDoNotShiftTheWorkloadsRandomChoices) {
  // Node seeds (and so the toy nodes' epochs) come from their own streams: the same with or without
  // a nemesis.
  auto epochs = [](bool faults) {
    SimOptions so;
    so.seed = 9;
    Simulation sim(so);
    PingNode::Options po;
    po.peers = {NodeId(1), NodeId(2), NodeId(3)};
    for (NodeId id : po.peers)
      sim.AddNode(id, [po](NodeId n, Disk& d, uint64_t s) { return std::make_unique<PingNode>(n, d, s, po); });
    if (faults) {
      NemesisOptions no;
      no.kinds = {FaultKind::kPartition, FaultKind::kLatency};
      InstallSchedule(sim, RandomSchedule(no, sim.root_prng().Split("nemesis")), 1'000'000'000);
    }
    sim.RunFor(500'000'000);
    std::vector<uint64_t> out;
    for (NodeId id : po.peers) out.push_back(static_cast<PingNode*>(sim.node(id))->epoch());
    return out;
  };
  EXPECT_EQ(epochs(false), epochs(true));
}

TEST(NemesisTest, ScriptedScheduleAppliesAndRevertsAtTheGivenTimes) {
  testing::ProbeCluster c(3);
  FaultAction crash;
  crash.at_ns = 100'000'000;
  crash.duration_ns = 50'000'000;
  crash.kind = FaultKind::kCrash;
  crash.nodes = {NodeId(2)};
  FaultAction part;
  part.at_ns = 200'000'000;
  part.duration_ns = 100'000'000;
  part.kind = FaultKind::kPartition;
  part.nodes = {NodeId(3)};
  FaultAction pause;
  pause.at_ns = 400'000'000;
  pause.duration_ns = 500'000'000;  // outlasts the heal
  pause.kind = FaultKind::kPause;
  pause.nodes = {NodeId(1)};
  InstallSchedule(c.sim, {crash, part, pause}, 600'000'000);
  c.sim.RunUntil(120'000'000);
  EXPECT_FALSE(c.sim.IsUp(NodeId(2)));
  c.sim.RunUntil(160'000'000);
  EXPECT_TRUE(c.sim.IsUp(NodeId(2)));
  c.sim.RunUntil(250'000'000);
  EXPECT_FALSE(c.sim.network().Reachable(NodeId(3), NodeId(1)));
  EXPECT_TRUE(c.sim.network().Reachable(NodeId(1), NodeId(2)));
  c.sim.RunUntil(350'000'000);
  EXPECT_TRUE(c.sim.network().Reachable(NodeId(3), NodeId(1)));
  c.sim.RunUntil(500'000'000);
  EXPECT_TRUE(c.sim.IsPaused(NodeId(1)));
  c.sim.RunUntil(650'000'000);  // heal-all resumed it early
  EXPECT_FALSE(c.sim.IsPaused(NodeId(1)));
  EXPECT_FALSE(c.sim.network().AnyFault());
  // The trace names each scripted action.
  std::string text = c.sim.trace().ToText();
  EXPECT_NE(text.find("crash target=one"), std::string::npos);
  EXPECT_NE(text.find("heal-all"), std::string::npos);
}

TEST(NemesisTest, EveryKindRunsUnderTheDemoWithoutBreakingACorrectNode) {
  for (FaultKind k : {FaultKind::kCrash, FaultKind::kPause, FaultKind::kPartition, FaultKind::kOneWay,
                      FaultKind::kClog, FaultKind::kLatency, FaultKind::kReset, FaultKind::kClockDrift,
                      FaultKind::kSlowDisk, FaultKind::kDiskFull, FaultKind::kDiskErrors}) {
    DemoOptions o;
    o.seed = 5;
    o.kinds = {k};
    o.fault_interval_ms = 60;
    DemoResult r = RunDemo(o);
    EXPECT_GT(r.faults, 0u) << FaultKindName(k);
    EXPECT_TRUE(r.violations.empty()) << FaultKindName(k) << ": " << r.violations[0];
  }
}

TEST(NemesisTest, LeaderAndControllerTargetsUseProviders) {
  testing::ProbeCluster c(3);
  c.sim.providers().active_controller = [] { return std::vector<NodeId>{NodeId(2)}; };
  c.sim.providers().partition_leaders = [] { return std::vector<NodeId>{NodeId(3)}; };
  FaultAction a;
  a.kind = FaultKind::kCrash;
  a.target = TargetKind::kController;
  ApplyFault(c.sim, a);
  EXPECT_FALSE(c.sim.IsUp(NodeId(2)));
  a.kind = FaultKind::kPartition;
  a.target = TargetKind::kLeaders;
  ApplyFault(c.sim, a);
  EXPECT_FALSE(c.sim.network().Reachable(NodeId(3), NodeId(1)));
  EXPECT_TRUE(c.sim.network().Reachable(NodeId(1), NodeId(2)));
}

// one-way and reset act on their target (they used to draw two brokers at random whatever the
// target said), and ApplyFault names the nodes every kind hit.
TEST(NemesisTest, OneWayAndResetHonourTheirTargetAndReportTheNodesHit) {
  testing::ProbeCluster c(3);
  c.sim.providers().active_controller = [] { return std::vector<NodeId>{NodeId(2)}; };
  FaultAction a;
  a.kind = FaultKind::kOneWay;
  a.target = TargetKind::kController;
  a.duration_ns = 100'000'000;
  AppliedFault hit = ApplyFault(c.sim, a);
  EXPECT_EQ(hit.nodes, (std::vector<NodeId>{NodeId(2)}));
  auto cut = [&](int a, int b) { return c.sim.network().fault(NodeId(a), NodeId(b)).cut; };
  EXPECT_TRUE(cut(2, 1));
  EXPECT_TRUE(cut(2, 3));
  EXPECT_FALSE(cut(1, 2)) << "it still hears the others";
  EXPECT_FALSE(cut(3, 2)) << "it still hears the others";
  EXPECT_FALSE(cut(1, 3));
  EXPECT_FALSE(cut(3, 1));
  c.sim.RunUntil(200'000'000);
  EXPECT_FALSE(c.sim.network().AnyFault()) << "reverted after its duration";
  a.kind = FaultKind::kReset;
  a.duration_ns = 0;
  hit = ApplyFault(c.sim, a);
  EXPECT_EQ(hit.nodes, (std::vector<NodeId>{NodeId(2)}));
  EXPECT_EQ(hit.detail, "2 broker pair(s) reset");
  a.target = TargetKind::kAll;
  EXPECT_EQ(ApplyFault(c.sim, a).detail, "3 broker pair(s) reset");
  a.kind = FaultKind::kPartition;
  a.target = TargetKind::kMinority;
  a.duration_ns = 100'000'000;
  hit = ApplyFault(c.sim, a);
  ASSERT_EQ(hit.nodes.size(), 1u) << "the minority of 3";
  for (NodeId other : {NodeId(1), NodeId(2), NodeId(3)})
    if (other != hit.nodes[0]) EXPECT_FALSE(c.sim.network().Reachable(hit.nodes[0], other));
}

}  // namespace
}  // namespace samsa::sim
