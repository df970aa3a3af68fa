#pragma once
// ToyClusterFactory: runs `cluster.kind: toy` scenarios on PingNodes (sim/toy_nodes.h), so the
// scenario runner, reports and `samsa-sim run/sweep` work end to end without a broker.
//
// Brokers 1..N are PingNodes pinging each other. There are no partitions and no clients
// (Producer/Consumer return an empty NodeFactory). "controller" resolves to the lowest-numbered
// node that is up; "leaders" and "leader-of" resolve to nothing. The DurabilityChecker watches
// pongs; at the end it reports, as violations, acknowledged entries missing from a node's durable
// log (kind lost-write) and, when the scenario has a settle phase, node pairs that exchanged no
// pong during its second half (kind liveness). Broker-specific expectations fail with
// "not supported by the toy cluster". Stats: acked = pongs seen. Its views show processes only.

#include <memory>

#include "sim/cluster_factory.h"
#include "sim/toy_nodes.h"

namespace samsa::sim {

class ToyClusterFactory final : public ClusterFactory {
 public:
  NodeFactory Broker(const Scenario& scenario, int32_t node_id) override;
  NodeFactory Producer(const Scenario&, const ProducerSpec&, int32_t) override { return {}; }
  NodeFactory Consumer(const Scenario&, const ConsumerSpec&, int32_t) override { return {}; }
  void InstallProviders(Simulation& sim) override;
  std::vector<Violation> CheckHistory(Simulation& sim, const RunTimeline& timeline) override;
  ExpectationResult Evaluate(const Expectation& expectation, Simulation& sim, const RunTimeline& timeline) override;
  Stats CollectStats(Simulation& sim) override;
  void Describe(Simulation& sim, view::ClusterView* view) override;

 private:
  int64_t liveness_from_ns_ = INT64_MAX;
  std::unique_ptr<DurabilityChecker> checker_;
};

}  // namespace samsa::sim
