#pragma once
// A SamsaClusterFactory with a hook run before each runtime check: tests inspect or change the
// live cluster mid-run through it (the factory itself is final and has no such hook).
#include <functional>
#include <utility>
#include <vector>

#include "sim/samsa_cluster_factory.h"

namespace samsa::sim {

class HookedFactory final : public ClusterFactory {
 public:
  explicit HookedFactory(std::function<void(Simulation&)> before_check)
      : before_check_(std::move(before_check)) {}
  NodeFactory Broker(const Scenario& s, int32_t id) override { return inner.Broker(s, id); }
  NodeFactory Producer(const Scenario& s, const ProducerSpec& p, int32_t id) override {
    return inner.Producer(s, p, id);
  }
  NodeFactory Consumer(const Scenario& s, const ConsumerSpec& c, int32_t id) override {
    return inner.Consumer(s, c, id);
  }
  void InstallProviders(Simulation& sim) override {
    inner.set_event_log(events_);  // the inner factory derives the events (runtime violations too)
    inner.InstallProviders(sim);
  }
  std::vector<NodeId> LeaderOf(Simulation& sim, const PartitionRef& p) override { return inner.LeaderOf(sim, p); }
  std::vector<NodeId> FollowersOf(Simulation& sim, const PartitionRef& p) override {
    return inner.FollowersOf(sim, p);
  }
  std::vector<Violation> CheckRuntime(Simulation& sim) override {
    before_check_(sim);
    return inner.CheckRuntime(sim);
  }
  std::vector<Violation> CheckHistory(Simulation& sim, const RunTimeline& t) override {
    return inner.CheckHistory(sim, t);
  }
  ExpectationResult Evaluate(const Expectation& e, Simulation& sim, const RunTimeline& t) override {
    return inner.Evaluate(e, sim, t);
  }
  Stats CollectStats(Simulation& sim) override { return inner.CollectStats(sim); }

  SamsaClusterFactory inner;

 private:
  std::function<void(Simulation&)> before_check_;
};

}  // namespace samsa::sim
