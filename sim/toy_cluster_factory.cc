#include "sim/toy_cluster_factory.h"

#include <fmt/core.h>

namespace samsa::sim {

NodeFactory ToyClusterFactory::Broker(const Scenario& scenario, int32_t) {
  PingNode::Options po;
  for (int32_t id : scenario.ServerIds()) po.peers.emplace_back(id);
  // Liveness is judged over the second half of the settle phase, when there is one.
  liveness_from_ns_ = scenario.settle_ns > 0 ? scenario.run_for_ns + scenario.settle_ns / 2 : INT64_MAX;
  checker_.reset();
  return [po](NodeId id, Disk& disk, uint64_t seed) { return std::make_unique<PingNode>(id, disk, seed, po); };
}

void ToyClusterFactory::InstallProviders(Simulation& sim) {
  checker_ = std::make_unique<DurabilityChecker>(sim, liveness_from_ns_);
  sim.providers().partition_leaders = [] { return std::vector<NodeId>{}; };
  sim.providers().active_controller = [&sim] {
    for (NodeId id : sim.broker_ids())
      if (sim.IsUp(id)) return std::vector<NodeId>{id};
    return std::vector<NodeId>{};
  };
}

void ToyClusterFactory::Describe(Simulation& sim, view::ClusterView* v) {
  // Ping nodes: processes only (no metadata, partitions or clients).
  for (NodeId id : sim.broker_ids()) {
    view::BrokerView b;
    b.id = id.value();
    b.process = ProcessOf(sim, id);
    b.lifecycle = sim.IsUp(id) ? "ping" : "down";
    v->brokers.push_back(std::move(b));
  }
}

std::vector<Violation> ToyClusterFactory::CheckHistory(Simulation&, const RunTimeline&) {
  std::vector<Violation> out;
  if (!checker_) return out;
  for (const std::string& v : checker_->Finish()) {
    Violation violation;
    bool liveness = v.starts_with("liveness");
    if (liveness && liveness_from_ns_ == INT64_MAX) continue;  // no settle phase: liveness not judged
    violation.kind = liveness ? "liveness" : "lost-write";
    size_t colon = v.find(": ");
    violation.detail = colon == std::string::npos ? v : v.substr(colon + 2);
    out.push_back(std::move(violation));
  }
  return out;
}

ExpectationResult ToyClusterFactory::Evaluate(const Expectation& e, Simulation&, const RunTimeline&) {
  return ExpectationResult{e.name, false, "not supported by the toy cluster (it has no partitions or clients)"};
}

Stats ToyClusterFactory::CollectStats(Simulation&) {
  Stats s;
  if (checker_) s.acked = checker_->acks();
  return s;
}

}  // namespace samsa::sim
