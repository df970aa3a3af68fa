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

std::unique_ptr<ClusterFactory> MakeClusterFactory(const Scenario& scenario) {
  if (scenario.cluster.kind == "toy") return std::make_unique<ToyClusterFactory>();
  return std::make_unique<SamsaClusterFactory>();
}

}  // namespace samsa::sim
