#pragma once
// Fault targets in Jepsen's vocabulary, as pure functions of a sorted node list and a Prng.
//
// Node targets (who to crash, pause, skew): one node, the partition leaders, the active
// controller, a minority, a majority, all. Partition targets are "grudges": the set of directed
// links to cut. Jepsen's partition shapes:
//   isolate(S)      S on one side, everyone else on the other (one node, leaders, controller)
//   halves          a random minority (floor((n-1)/2) nodes) versus the majority
//   majority-ring   nodes on a random ring; each sees itself and its nearest neighbours, which form
//                   a majority, and no two nodes see the same majority
//   bridge          two halves with one bridge node that sees both sides
// "Leaders" and "controller" are not knowable by the simulator: a TargetProvider supplied by the
// code that runs brokers answers them at fault time (an empty answer means "no target").

#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/ids.h"
#include "core/base/prng.h"

namespace samsa::sim {

enum class TargetKind : uint8_t { kOne, kLeaders, kController, kMinority, kMajority, kMajorityRing, kBridge, kAll };
std::string_view TargetKindName(TargetKind kind);

// Directed cuts (from, to).
using Grudge = std::vector<std::pair<NodeId, NodeId>>;

struct TargetProviders {
  std::function<std::vector<NodeId>()> partition_leaders;  // may be empty
  std::function<std::vector<NodeId>()> active_controller;  // may be empty
};

// Each takes `nodes` sorted; outputs are sorted, so they never depend on container order.
std::vector<NodeId> PickOne(const std::vector<NodeId>& nodes, Prng& prng);
std::vector<NodeId> Shuffled(std::vector<NodeId> nodes, Prng& prng);
// {minority, majority}: a random floor((n-1)/2)-node minority and the rest.
std::pair<std::vector<NodeId>, std::vector<NodeId>> MinorityMajority(const std::vector<NodeId>& nodes, Prng& prng);

// Cuts every link between different groups, both directions.
Grudge CompleteGrudge(const std::vector<std::vector<NodeId>>& groups);
Grudge IsolateGrudge(const std::vector<NodeId>& isolated, const std::vector<NodeId>& nodes);
Grudge MajorityRingGrudge(const std::vector<NodeId>& nodes, Prng& prng);
// Bridge: returns the grudge and, through *bridge (if given), the bridge node.
Grudge BridgeGrudge(const std::vector<NodeId>& nodes, Prng& prng, NodeId* bridge = nullptr);

// Resolves a node target (for crash, pause, clock faults). kMajorityRing and kBridge are not node
// targets; they resolve to one node.
std::vector<NodeId> ResolveNodes(TargetKind kind, const std::vector<NodeId>& nodes, Prng& prng,
                                 const TargetProviders& providers);
// Resolves a partition target into a grudge (kAll isolates every node from every other).
Grudge ResolveGrudge(TargetKind kind, const std::vector<NodeId>& nodes, Prng& prng,
                     const TargetProviders& providers);

}  // namespace samsa::sim
