#include "sim/targets.h"

#include <algorithm>
#include <set>

namespace samsa::sim {

std::string_view TargetKindName(TargetKind kind) {
  switch (kind) {
    case TargetKind::kOne: return "one";
    case TargetKind::kLeaders: return "leaders";
    case TargetKind::kController: return "controller";
    case TargetKind::kMinority: return "minority";
    case TargetKind::kMajority: return "majority";
    case TargetKind::kMajorityRing: return "majority-ring";
    case TargetKind::kBridge: return "bridge";
    case TargetKind::kAll: return "all";
  }
  return "?";
}

std::vector<NodeId> PickOne(const std::vector<NodeId>& nodes, Prng& prng) {
  if (nodes.empty()) return {};
  return {nodes[prng.Uniform(nodes.size())]};
}

std::vector<NodeId> Shuffled(std::vector<NodeId> nodes, Prng& prng) {
  for (size_t i = nodes.size(); i > 1; --i) std::swap(nodes[i - 1], nodes[prng.Uniform(i)]);
  return nodes;
}

std::pair<std::vector<NodeId>, std::vector<NodeId>> MinorityMajority(const std::vector<NodeId>& nodes, Prng& prng) {
  auto s = Shuffled(nodes, prng);
  size_t minority = nodes.empty() ? 0 : (nodes.size() - 1) / 2;
  std::vector<NodeId> a(s.begin(), s.begin() + int64_t(minority)), b(s.begin() + int64_t(minority), s.end());
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a, b};
}

Grudge CompleteGrudge(const std::vector<std::vector<NodeId>>& groups) {
  Grudge g;
  for (size_t i = 0; i < groups.size(); ++i)
    for (size_t j = 0; j < groups.size(); ++j)
      if (i != j)
        for (NodeId a : groups[i])
          for (NodeId b : groups[j]) g.emplace_back(a, b);
  std::sort(g.begin(), g.end());
  return g;
}

Grudge IsolateGrudge(const std::vector<NodeId>& isolated, const std::vector<NodeId>& nodes) {
  std::set<NodeId> iso(isolated.begin(), isolated.end());
  std::vector<NodeId> rest;
  for (NodeId n : nodes)
    if (!iso.count(n)) rest.push_back(n);
  return CompleteGrudge({std::vector<NodeId>(iso.begin(), iso.end()), rest});
}

Grudge MajorityRingGrudge(const std::vector<NodeId>& nodes, Prng& prng) {
  auto ring = Shuffled(nodes, prng);
  size_t n = ring.size();
  size_t majority = n / 2 + 1;
  size_t reach = majority / 2;  // neighbours on each side: 1 + 2*reach >= majority
  if (1 + 2 * reach < majority) ++reach;
  Grudge g;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      size_t d = i > j ? i - j : j - i;
      d = std::min(d, n - d);
      if (d > reach) g.emplace_back(ring[i], ring[j]);
    }
  std::sort(g.begin(), g.end());
  return g;
}

Grudge BridgeGrudge(const std::vector<NodeId>& nodes, Prng& prng, NodeId* bridge) {
  auto s = Shuffled(nodes, prng);
  if (s.size() < 3) return {};
  size_t half = (s.size() - 1) / 2;
  NodeId b = s[half];
  std::vector<NodeId> left(s.begin(), s.begin() + int64_t(half));
  std::vector<NodeId> right(s.begin() + int64_t(half) + 1, s.end());
  if (bridge != nullptr) *bridge = b;
  return CompleteGrudge({left, right});  // the bridge node is in no group: it keeps every link
}

std::vector<NodeId> ResolveNodes(TargetKind kind, const std::vector<NodeId>& nodes, Prng& prng,
                                 const TargetProviders& providers) {
  std::vector<NodeId> out;
  switch (kind) {
    case TargetKind::kLeaders:
      if (providers.partition_leaders) out = providers.partition_leaders();
      break;
    case TargetKind::kController:
      if (providers.active_controller) out = providers.active_controller();
      break;
    case TargetKind::kMinority: out = MinorityMajority(nodes, prng).first; break;
    case TargetKind::kMajority: out = MinorityMajority(nodes, prng).second; break;
    case TargetKind::kAll: out = nodes; break;
    default: out = PickOne(nodes, prng); break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Grudge ResolveGrudge(TargetKind kind, const std::vector<NodeId>& nodes, Prng& prng,
                     const TargetProviders& providers) {
  switch (kind) {
    case TargetKind::kMinority:
    case TargetKind::kMajority: {
      auto [a, b] = MinorityMajority(nodes, prng);
      return CompleteGrudge({a, b});
    }
    case TargetKind::kMajorityRing: return MajorityRingGrudge(nodes, prng);
    case TargetKind::kBridge: return BridgeGrudge(nodes, prng);
    case TargetKind::kAll: {
      std::vector<std::vector<NodeId>> groups;
      for (NodeId n : nodes) groups.push_back({n});
      return CompleteGrudge(groups);
    }
    default: {
      auto iso = ResolveNodes(kind, nodes, prng, providers);
      if (iso.empty()) return {};
      return IsolateGrudge(iso, nodes);
    }
  }
}

}  // namespace samsa::sim
