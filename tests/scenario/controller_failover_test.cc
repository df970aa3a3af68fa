// A controller failover keeps live brokers in the cluster: when the active controller stops
// answering without closing its connections (a pause), the brokers' heartbeats to it time out
// within broker.heartbeat.interval.ms and go to the new active controller before its
// broker.session.timeout.ms runs out. Before, a heartbeat waited request.timeout.ms (30 s) for
// the paused controller, the new controller fenced every live broker 3 s after it took over,
// and every partition went leaderless (unclean-election-loss, seed 42: "crash nobody").
#include <gtest/gtest.h>

#include <string>

#include "sim/scenario.h"
#include "sim/session.h"

namespace samsa::sim {
namespace {

using view::ClusterEvent;
using view::EventKind;

constexpr int64_t kS = 1'000'000'000;

// Three combined nodes, as a small deployment runs them; the session timeout is short, as in the
// classroom scenarios, so that a slow failover shows.
constexpr const char* kScenario = R"(
name: paused-controller
seed: 1
cluster:
  brokers: 3
  controllers: [1, 2, 3]
  config:
    min.insync.replicas: 2
    broker.session.timeout.ms: 3s
topics:
  - { name: t, partitions: 3, replication.factor: 3 }
workload:
  producers: [{ topic: t, rate_per_s: 200, acks: all }]
  consumers: [{ topic: t, from: earliest }]
faults:
  - { at: 5s, pause: controller, for: 12s }
run_for: 25s
settle: 5s
tolerate: [duplicate]
expect: [no_violations]
)";

TEST(ControllerFailoverTest, APausedControllerIsReplacedWithoutFencingTheLiveBrokers) {
  Result<Scenario> s = ParseScenario(kScenario, "paused-controller.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed) +
                 " (reproduce: scenario_test --gtest_filter=ControllerFailoverTest.*, or this scenario in a file"
                 " with samsa-sim run FILE --seed " + std::to_string(seed) + ")");
    Result<std::unique_ptr<Session>> session = Session::Open(*s, seed);
    ASSERT_TRUE(session.ok()) << session.status().message();
    const RunResult& result = (*session)->Finish();
    int32_t paused = -1;
    int32_t new_controller = -1;
    for (const ClusterEvent& e : (*session)->events()) {
      if (e.kind == EventKind::kFault && e.at_ns == 5 * kS && !e.nodes.empty()) paused = e.nodes.front();
      if (e.kind == EventKind::kControllerChange && e.at_ns > 5 * kS && e.at_ns < 17 * kS) new_controller = e.leader;
    }
    ASSERT_GE(paused, 1) << "the pause names the node it paused";
    EXPECT_GE(new_controller, 1) << "another voter took over while the active controller was paused";
    EXPECT_NE(new_controller, paused);
    for (const ClusterEvent& e : (*session)->events()) {
      if (e.kind != EventKind::kBrokerFenced || e.at_ns < 5 * kS || e.at_ns > 17 * kS) continue;
      EXPECT_EQ(e.replica, paused) << "broker " << e.replica << " was fenced at " << e.at_ns / 1e9
                                   << " s while only broker " << paused << " was paused";
    }
    EXPECT_TRUE(result.passed) << "violations: " << result.violations_total;
  }
}

}  // namespace
}  // namespace samsa::sim
