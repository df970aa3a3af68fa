#include "sim/scenario_runner.h"

#include "sim/session.h"

namespace samsa::sim {

RunResult RunScenario(const Scenario& scenario, uint64_t seed, ClusterFactory& factory, const RunOptions& options) {
  Result<std::unique_ptr<Session>> session = Session::Borrow(scenario, seed, factory, options);
  if (!session.ok()) {
    RunResult r;
    r.scenario_name = scenario.name;
    r.seed = seed;
    r.error = session.status().message();
    return r;
  }
  return (*session)->Finish();
}

}  // namespace samsa::sim
