#include "sim/cluster_factory.h"

#include "sim/samsa_cluster_factory.h"
#include "sim/toy_cluster_factory.h"

namespace samsa::sim {

std::vector<int64_t> RunTimeline::FaultTimes(std::string_view fault_kind) const {
  std::vector<int64_t> out;
  for (const auto& e : entries)
    if ((e.kind == "fault" || e.kind == "nemesis") && e.text.starts_with(fault_kind)) out.push_back(e.at_ns);
  return out;
}

ClusterFactory* DefaultClusterFactory() {
  static SamsaClusterFactory samsa;
  return &samsa;
}

ClusterFactory* FactoryForScenario(const Scenario& scenario) {
  if (scenario.cluster.kind == "toy") {
    static ToyClusterFactory toy;
    return &toy;
  }
  return DefaultClusterFactory();
}

}  // namespace samsa::sim
