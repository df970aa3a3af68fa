#include <gtest/gtest.h>

#include "sim/simulation.h"
#include "sim/toy_nodes.h"
#include "tests/sim/probe_node.h"

namespace samsa::sim {
namespace {

using testing::ProbeCluster;

TEST(ProcessTest, CrashResetsConnectionsAndRestartRecoversFromDisk) {
  ProbeCluster c(2);
  c.Connect(1, 1, 2);
  Disk& d = c.P(2).disk();
  ASSERT_TRUE(d.Append("state", AsBytes("durable")).ok());
  c.sim.disk(NodeId(2)).mem().SyncAll("state");
  ASSERT_TRUE(d.Append("state", AsBytes("+volatile")).ok());
  c.P(1).Send(1, "in flight");
  c.sim.Drain(NodeId(1));
  c.sim.Crash(NodeId(2));
  EXPECT_FALSE(c.sim.IsUp(NodeId(2)));
  EXPECT_EQ(c.sim.node(NodeId(2)), nullptr);  // memory gone
  c.sim.RunFor(100'000'000);
  ASSERT_EQ(c.L(1).Of("closed").size(), 1u);  // the peer sees a reset
  EXPECT_EQ(c.L(1).Of("closed")[0].conn, 1u);
  EXPECT_TRUE(c.L(2).Of("frame").empty());   // the frame in flight died with the connection
  c.sim.Restart(NodeId(2));
  EXPECT_EQ(c.L(2).starts, 2);
  auto content = c.P(2).disk().Read("state", 0, 100);
  ASSERT_TRUE(content.ok());
  std::string s(AsString(*content));
  EXPECT_EQ(s.substr(0, 7), "durable");
  EXPECT_TRUE(std::string("durable+volatile").rfind(s, 0) == 0) << s;  // a prefix (torn tail allowed)
  EXPECT_EQ(c.sim.stats().crashes, 1u);
  EXPECT_EQ(c.sim.stats().restarts, 1u);
  EXPECT_NE(c.Connect(1, 2, 2), 0u);  // reachable again
}

TEST(ProcessTest, CrashForgetsTimersAndPendingSyncs) {
  ProbeCluster c(1);
  c.P(1).WakeAt(50'000'000);
  (void)c.P(1).disk().RequestSync("");
  c.sim.Drain(NodeId(1));
  c.sim.Crash(NodeId(1));
  c.sim.RunFor(10'000'000);
  c.sim.Restart(NodeId(1));
  c.sim.RunFor(200'000'000);
  EXPECT_TRUE(c.L(1).Of("timer").empty());
  EXPECT_TRUE(c.L(1).Of("sync").empty());
}

TEST(ProcessTest, PauseHoldsEventsAndTimersFireLate) {
  ProbeCluster c(2);
  uint64_t b_conn = c.Connect(1, 1, 2);
  int64_t t0 = c.sim.now_ns();
  c.P(2).WakeAt(t0 + 10'000'000);
  c.sim.Drain(NodeId(2));
  c.sim.Pause(NodeId(2));
  for (int i = 0; i < 5; ++i) c.P(1).Send(1, fmt::format("f{}", i));
  c.sim.Drain(NodeId(1));
  c.sim.RunUntil(t0 + 100'000'000);
  EXPECT_TRUE(c.L(2).Of("timer").empty());
  EXPECT_TRUE(c.L(2).Of("frame").empty());
  EXPECT_TRUE(c.sim.IsPaused(NodeId(2)));
  c.sim.Resume(NodeId(2));
  c.sim.RunFor(1);
  auto timers = c.L(2).Of("timer");
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].now_ns, t0 + 100'000'000);  // late: at resume
  auto frames = c.L(2).Of("frame");
  ASSERT_EQ(frames.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(frames[size_t(i)].data, fmt::format("f{}", i));
    EXPECT_EQ(frames[size_t(i)].conn, b_conn);
  }
  EXPECT_TRUE(c.L(1).Of("closed").empty());  // a pause keeps connections
}

TEST(ProcessTest, OnlyTheLatestWakeUpCounts) {
  ProbeCluster c(1);
  c.P(1).WakeAt(10'000'000);
  c.sim.Drain(NodeId(1));
  c.P(1).WakeAt(30'000'000);
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(100'000'000);
  auto timers = c.L(1).Of("timer");
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].now_ns, 30'000'000);
}

TEST(ProcessTest, ClockDriftAndSteps) {
  ProbeCluster c(2);
  c.sim.SetClockDrift(NodeId(1), 100'000);  // +10%: local time runs fast
  c.sim.RunUntil(1'000'000'000);
  EXPECT_EQ(c.sim.LocalNow(NodeId(1)), 1'100'000'000);
  EXPECT_EQ(c.sim.LocalNow(NodeId(2)), 1'000'000'000);
  // A timer at local 1.21 s fires at virtual 1.1 s.
  c.P(1).WakeAt(1'210'000'000);
  c.sim.Drain(NodeId(1));
  c.sim.RunUntil(2'000'000'000);
  auto timers = c.L(1).Of("timer");
  ASSERT_EQ(timers.size(), 1u);
  EXPECT_EQ(timers[0].now_ns, 1'210'000'000);  // the node sees its local time
  // Slow clock (-50%) on node 2, then a step forward of 5 s that makes an armed timer due at once.
  c.sim.SetClockDrift(NodeId(2), -500'000);
  int64_t local = c.sim.LocalNow(NodeId(2));
  EXPECT_EQ(local, 2'000'000'000);  // continuous at the change
  c.sim.RunFor(1'000'000'000);
  EXPECT_EQ(c.sim.LocalNow(NodeId(2)), 2'500'000'000);
  c.P(2).WakeAt(5'000'000'000);
  c.sim.Drain(NodeId(2));
  c.sim.StepClock(NodeId(2), 5'000'000'000);
  int64_t stepped_at = c.sim.now_ns();
  c.sim.RunFor(1);
  ASSERT_EQ(c.L(2).Of("timer").size(), 1u);
  EXPECT_EQ(c.L(2).Of("timer")[0].now_ns, 7'500'000'000);
  EXPECT_EQ(c.sim.now_ns(), stepped_at + 1);
  int64_t before = c.sim.LocalNow(NodeId(2));
  c.sim.StepClock(NodeId(2), -7'000'000'000);  // backwards: local time is not monotonic
  EXPECT_EQ(c.sim.LocalNow(NodeId(2)), before - 7'000'000'000);
}

TEST(ProcessTest, PingNodesRecoverAfterCrashAndKeepWhatTheyAcked) {
  DemoOptions o;
  o.seed = 11;
  o.kinds = {FaultKind::kCrash};
  o.fault_interval_ms = 100;
  DemoResult r = RunDemo(o);
  EXPECT_GT(r.stats.crashes, 0u);
  EXPECT_EQ(r.stats.restarts, r.stats.crashes);
  EXPECT_GT(r.acks, 100u);
  EXPECT_TRUE(r.violations.empty()) << r.violations[0];
}

}  // namespace
}  // namespace samsa::sim
