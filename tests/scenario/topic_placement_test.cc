// A scenario's topics go on every broker of its cluster, whatever the order in which the brokers
// registered: the admin client waits for all of them (a bounded wait), as a deployment script
// waits for its cluster before it creates topics. Before it did, a 5-broker benchmark put its
// partitions on the 3 brokers that happened to be registered first.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/client/admin.h"
#include "sim/scenario.h"
#include "sim/session.h"

namespace samsa::sim {
namespace {

// 5 brokers, 3 of them voters; broker 5 is down from the start for `down_for`.
std::string Yaml(const std::string& down_for) {
  return fmt::format(R"(name: placement
seed: 1
cluster:
  brokers: 5
  controllers: [1, 2, 3]
topics:
  - {{ name: t, partitions: 10, replication.factor: 3 }}
workload:
  producers: [{{ topic: t, rate_per_s: 100, keys: 50, acks: all }}]
faults:
  - {{ at: 0s, crash: broker-5, for: {} }}
run_for: 20s
)",
                     down_for);
}

struct Placement {
  std::set<int32_t> brokers;  // holding a replica of t
  int64_t created_ns = -1;    // when t's partitions first had leaders
};

Placement RunUntilPlaced(const std::string& yaml) {
  auto scenario = ParseScenario(yaml, "placement.yaml");
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  auto session = Session::Open(*scenario, 1);
  EXPECT_TRUE(session.ok());
  Placement out;
  while (!(*session)->at_end()) {
    (*session)->RunFor(100'000'000);
    view::ClusterView v = (*session)->View();
    for (const auto& topic : v.topics) {
      if (topic.name != "t" || topic.partitions.empty()) continue;
      for (const auto& p : topic.partitions) out.brokers.insert(p.replicas.begin(), p.replicas.end());
      out.created_ns = (*session)->now_ns();
      return out;
    }
  }
  return out;
}

TEST(TopicPlacement, TopicsWaitForABrokerThatRegistersLate) {
  // Broker 5 comes up at 3 s, after the other four registered (well under a second in).
  Placement p = RunUntilPlaced(Yaml("3s"));
  ASSERT_GE(p.created_ns, 3'000'000'000);
  EXPECT_EQ(p.brokers, (std::set<int32_t>{1, 2, 3, 4, 5}));
}

TEST(TopicPlacement, TheWaitForMissingBrokersIsBounded) {
  // Broker 5 stays down past the wait: the topic goes on the four there are.
  Placement p = RunUntilPlaced(Yaml("15s"));
  ASSERT_GE(p.created_ns, 0);
  EXPECT_LE(p.created_ns, client::AdminNode::kBrokerWaitNs + 2'000'000'000);
  EXPECT_EQ(p.brokers, (std::set<int32_t>{1, 2, 3, 4}));
}

}  // namespace
}  // namespace samsa::sim
