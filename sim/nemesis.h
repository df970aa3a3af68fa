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
//
// Every kind honours its target: the target group T (explicit `nodes`, or `target` resolved;
// majority-ring and bridge mean one node except for partitions). one-way cuts every link from a
// node of T to a broker outside T, one way (T = every broker: every link between brokers, each
// way); reset resets the connections between each node of T and each broker outside T (T = every
// broker: between every two brokers).

#include <cstdint>
#include <functional>
#include <map>
#include <set>
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

// Confines random bit flips to a minority of each group's replicas over a whole run, as
// TigerBeetle's fault map always leaves good copies: a group is a topic partition (its directory
// "<topic>-<N>"; members: its replicas, replication_factor of its topic) or the metadata quorum
// (files under "__cluster_metadata-0" and the raft quorum-state; members: the controller voters).
// A flip may land in a group's file on node n only if n is already one of the group's corrupted
// nodes or fewer than floor((members - 1) / 2) nodes are. Metadata files of non-voters (brokers
// replicating the metadata log as observers) are not counted: the quorum does not need them.
// Files in no group (e.g. meta.properties, files of unknown topics) are never flipped.
// It only filters the candidate files: it draws nothing (the disk draws as for any flip).
class CorruptionBudget {
 public:
  CorruptionBudget(std::vector<NodeId> voters, std::map<std::string, int32_t> replication_factors);
  // Whether a flip in `path` on `node` keeps every group within its minority.
  bool Allows(NodeId node, const std::string& path) const;
  // Records a flip in `path` on `node`.
  void Note(NodeId node, const std::string& path);
  // Nodes corrupted so far, by group ("orders-0", "__cluster_metadata-0").
  const std::map<std::string, std::set<NodeId>>& corrupted() const { return corrupted_; }

 private:
  // The group of path and its member count; empty name when the file is in no counted group;
  // members < 0 when it is in none at all (never flipped).
  std::pair<std::string, int32_t> GroupOf(NodeId node, const std::string& path) const;

  std::set<NodeId> voters_;
  std::map<std::string, int32_t> replication_factors_;
  std::map<std::string, std::set<NodeId>> corrupted_;
};

// Pure function of (options, prng state).
std::vector<FaultAction> RandomSchedule(const NemesisOptions& options, Prng prng);

// Schedules every action (apply and revert) on the simulation, then HealAll at heal_at_ns.
void InstallSchedule(Simulation& sim, const std::vector<FaultAction>& schedule, int64_t heal_at_ns);

// What ApplyFault hit: the nodes (sorted; for a partition the group cut off, every broker for
// majority-ring and bridge) and, when there is more to say, a short detail ("bridge=broker-3").
struct AppliedFault {
  std::vector<NodeId> nodes;
  std::string detail;
};

// Applies one action now (used by InstallSchedule, by scripted scenario faults, and by GUIs
// injecting faults by hand) and, when it has a duration, schedules its revert at
// at_ns + duration_ns; `on_revert` (if given) is called right after the revert with the nodes.
// With a budget, bit flips stay within it (a node with no allowed file is skipped, and the trace
// says so); without one, they land anywhere.
AppliedFault ApplyFault(Simulation& sim, const FaultAction& action, CorruptionBudget* budget = nullptr,
                        std::function<void(Simulation&, const std::vector<NodeId>&)> on_revert = {});

}  // namespace samsa::sim
