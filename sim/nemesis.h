#pragma once
// Nemesis: fault schedules, random (drawn from the run seed) or scripted ("at T do X").
//
// A schedule is a plain list of FaultActions; RandomSchedule is a pure function of its options
// and its Prng, so the same seed always yields the same list whatever the workload does (the
// nemesis has its own stream, Prng(seed).Split("nemesis")). Each action is applied at at_ns and,
// when it has a duration, reverted at at_ns + duration_ns. Targets are resolved when the action
// is applied, from the nodes the simulation hosts and the TargetProviders (partition leaders,
// active controller), with a Prng seeded by the action's own `pick`, so resolution is
// deterministic too. An action with explicit `nodes` uses them instead.
//
// Phases of a run (Install): faults from options.start_ns to options.until_ns; at heal_at_ns
// everything is healed (Simulation::HealAll); the run then settles, fault-free, so that a checker
// can verify liveness (progress resumes) as well as safety.
//
// Reverts are per action: a partition revert uncuts exactly its own links (overlapping
// partitions may heal each other early); crash -> restart; pause -> resume; latency -> zero;
// drift -> zero; disk faults -> cleared. Clog expires by itself; reset, clock steps and bit flips
// are instantaneous.

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "sim/targets.h"

namespace samsa::sim {

class Simulation;

enum class FaultKind : uint8_t {
  kCrash,       // crash, restart after duration
  kPause,       // pause, resume after duration
  kPartition,   // partition by target shape, heal after duration
  kOneWay,      // one-way cut between two nodes
  kClog,        // clog a node's outgoing links until at + duration
  kLatency,     // extra latency (amount) and jitter (amount / 2) on a node's links
  kReset,       // reset the connections between two nodes
  kClockDrift,  // drift (amount ppm, may be negative)
  kClockStep,   // step (amount ns, may be negative)
  kSlowDisk,    // sync latency x amount
  kDiskFull,    // capacity = current live bytes (every further growth fails)
  kDiskErrors,  // I/O and sync errors with probability 1/amount
  kBitFlip,     // flip one durable bit of one file
};
std::string_view FaultKindName(FaultKind kind);

struct FaultAction {
  int64_t at_ns = 0;
  int64_t duration_ns = 0;  // 0: not reverted
  FaultKind kind = FaultKind::kCrash;
  TargetKind target = TargetKind::kOne;
  uint64_t pick = 0;         // seeds target resolution
  int64_t amount = 0;        // kind-specific
  std::vector<NodeId> nodes;  // explicit targets (scripted schedules); empty = resolve `target`

  std::string ToString() const;
};

struct NemesisOptions {
  std::vector<FaultKind> kinds = {FaultKind::kCrash, FaultKind::kPause, FaultKind::kPartition,
                                  FaultKind::kClog, FaultKind::kLatency, FaultKind::kReset,
                                  FaultKind::kClockDrift};
  std::vector<TargetKind> node_targets = {TargetKind::kOne, TargetKind::kMinority, TargetKind::kLeaders,
                                          TargetKind::kController};
  std::vector<TargetKind> partition_targets = {TargetKind::kOne, TargetKind::kMinority,
                                               TargetKind::kMajorityRing, TargetKind::kBridge,
                                               TargetKind::kLeaders, TargetKind::kController};
  int64_t start_ns = 100'000'000;       // first fault no earlier than this
  int64_t interval_ns = 200'000'000;    // mean gap between faults (uniform in [gap/2, 3*gap/2])
  int64_t until_ns = 2'000'000'000;     // no new fault at or after this
  int64_t min_duration_ns = 10'000'000;
  int64_t max_duration_ns = 300'000'000;
};

// Pure function of (options, prng state).
std::vector<FaultAction> RandomSchedule(const NemesisOptions& options, Prng prng);

// Schedules every action (apply and revert) on the simulation, then HealAll at heal_at_ns.
void InstallSchedule(Simulation& sim, const std::vector<FaultAction>& schedule, int64_t heal_at_ns);

// Applies one action now (used by InstallSchedule, and by GUIs injecting faults by hand) and, when
// it has a duration, schedules its revert at at_ns + duration_ns.
void ApplyFault(Simulation& sim, const FaultAction& action);

}  // namespace samsa::sim
