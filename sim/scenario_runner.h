#pragma once
// Scenario runner: runs one Scenario for one seed on a Simulation whose nodes come from a
// ClusterFactory, and judges it. It is a Session (sim/session.h) run straight to its end.
//
// Phases: nodes are added at time 0 (servers, then clients); scripted faults fire at their `at`
// (targets resolved at that moment, through the factory's providers, with a Prng derived from the
// seed and the fault's index, so resolution is deterministic); a fault with `for` is reverted
// at at + for. A nemesis draws its schedule from Prng(seed).Split("nemesis") and heals everything
// at its `until`. At run_for, when settle > 0, everything is healed (Simulation::HealAll) and the
// cluster runs fault-free for `settle`. Captions and faults are recorded in the RunTimeline with
// their virtual times (and passed to RunOptions::on_timeline as they happen).
//
// Entries with at_event (recorded by a session) are applied right after that many events ran.
//
// Judging: CheckRuntime every check_interval_ns, CheckHistory at the end (violations de-duplicated
// and sorted); no_violations and violation: {kind} are judged here, other expectations by the
// factory. `passed` = every expectation holds AND no violation is left unexpected (a violation
// whose kind no `violation:` expectation names fails the run even without no_violations; it is
// reported as the synthetic expectation "no unexpected violations").
//
// Determinism: the result (trace hash, violations, expectations, timeline) is a pure function of
// (scenario, seed, factory); wall time enters only through RunOptions::wall_clock_ms, supplied by
// the caller (sim/ reads no clock), and only reaches Stats::wall_ms and sim_speed.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/view/cluster_view.h"
#include "sim/cluster_factory.h"
#include "sim/scenario.h"

namespace samsa::sim {

struct RunOptions {
  bool keep_trace = false;                // keep the trace records and return them as text
  int64_t check_interval_ns = 1'000'000'000;  // CheckRuntime period (simulated)
  size_t max_violations_per_kind = 10;    // kept in the result per kind (the counts cover all)
  std::function<int64_t()> wall_clock_ms;  // optional; e.g. samsa::os::WallClockMs
  std::function<void(const TimelineEntry&)> on_timeline;  // optional live feed (captions, faults)
};

struct RunResult {
  std::string scenario_name;
  uint64_t seed = 0;
  uint64_t trace_hash = 0;
  bool passed = false;
  std::string error;  // set-up failure (no node factory...); passed = false
  std::vector<ExpectationResult> expectations;
  // Sorted, de-duplicated: the first max_violations_per_kind of each kind (in that order), so
  // that a flood of one kind never hides another.
  std::vector<Violation> violations;
  uint64_t violations_total = 0;                       // all of them, kept or not
  std::map<std::string, uint64_t> violations_by_kind;  // all of them, per kind
  // The kinds found that the scenario tolerates or expects (Scenario::AllowsViolation), sorted.
  std::vector<std::string> allowed_violation_kinds;
  RunTimeline timeline;
  std::vector<view::ClusterEvent> events;  // the cluster events of the run (sim/session.h)
  Stats stats;
  std::string trace_text;  // when keep_trace
};

RunResult RunScenario(const Scenario& scenario, uint64_t seed, ClusterFactory& factory, const RunOptions& options);

}  // namespace samsa::sim
