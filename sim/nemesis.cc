#include "sim/nemesis.h"

#include <fmt/core.h>

#include <algorithm>
#include <set>

#include "sim/sim_disk.h"
#include "sim/simulation.h"

namespace samsa::sim {

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kCrash: return "crash";
    case FaultKind::kPause: return "pause";
    case FaultKind::kPartition: return "partition";
    case FaultKind::kOneWay: return "one-way";
    case FaultKind::kClog: return "clog";
    case FaultKind::kLatency: return "latency";
    case FaultKind::kReset: return "reset";
    case FaultKind::kClockDrift: return "clock-drift";
    case FaultKind::kClockStep: return "clock-step";
    case FaultKind::kSlowDisk: return "slow-disk";
    case FaultKind::kDiskFull: return "disk-full";
    case FaultKind::kDiskErrors: return "disk-errors";
    case FaultKind::kBitFlip: return "bit-flip";
  }
  return "?";
}

std::string FaultAction::ToString() const {
  std::string s = fmt::format("at={} {} target={} dur={} amount={} pick={:x}", at_ns, FaultKindName(kind),
                              TargetKindName(target), duration_ns, amount, pick);
  if (!nodes.empty()) {
    s += " nodes=";
    for (NodeId n : nodes) s += fmt::format("{},", n.value());
  }
  return s;
}

std::vector<FaultAction> RandomSchedule(const NemesisOptions& o, Prng prng) {
  std::vector<FaultAction> out;
  if (o.kinds.empty() || o.interval_ns <= 0) return out;
  int64_t t = o.start_ns;
  while (true) {
    t += prng.Range(o.interval_ns / 2, o.interval_ns + o.interval_ns / 2);
    if (t >= o.until_ns) break;
    FaultAction a;
    a.at_ns = t;
    a.kind = o.kinds[prng.Uniform(o.kinds.size())];
    a.duration_ns = prng.Range(o.min_duration_ns, o.max_duration_ns);
    a.pick = prng.NextU64();
    const auto& targets = a.kind == FaultKind::kPartition ? o.partition_targets : o.node_targets;
    a.target = targets.empty() ? TargetKind::kOne : targets[prng.Uniform(targets.size())];
    switch (a.kind) {
      case FaultKind::kLatency: a.amount = prng.Range(1'000'000, 50'000'000); break;
      case FaultKind::kClockDrift: a.amount = prng.Range(-200'000, 200'000); break;  // +-20%
      case FaultKind::kClockStep: a.amount = prng.Range(-2'000'000'000, 2'000'000'000); break;
      case FaultKind::kSlowDisk: a.amount = prng.Range(2, 100); break;
      case FaultKind::kDiskErrors: a.amount = prng.Range(2, 20); break;
      default: break;
    }
    if (a.kind == FaultKind::kReset || a.kind == FaultKind::kBitFlip || a.kind == FaultKind::kClockStep)
      a.duration_ns = 0;
    out.push_back(std::move(a));
  }
  return out;
}

namespace {

std::vector<NodeId> Targets(Simulation& sim, const FaultAction& a, Prng& prng) {
  if (!a.nodes.empty()) return a.nodes;
  TargetKind t = a.target;
  if (t == TargetKind::kMajorityRing || t == TargetKind::kBridge) t = TargetKind::kOne;
  return ResolveNodes(t, sim.broker_ids(), prng, sim.providers());
}

// Every directed link from a node of `group` to a broker outside it; with every broker in the
// group, every link between two brokers.
std::vector<std::pair<NodeId, NodeId>> OutwardLinks(std::vector<NodeId> group, const std::vector<NodeId>& brokers) {
  std::sort(group.begin(), group.end());
  std::vector<std::pair<NodeId, NodeId>> out;
  const bool everyone = std::all_of(brokers.begin(), brokers.end(), [&](NodeId b) {
    return std::binary_search(group.begin(), group.end(), b);
  });
  for (NodeId n : group)
    for (NodeId m : brokers)
      if (m != n && (everyone || !std::binary_search(group.begin(), group.end(), m))) out.emplace_back(n, m);
  return out;
}

}  // namespace

CorruptionBudget::CorruptionBudget(std::vector<NodeId> voters, std::map<std::string, int32_t> replication_factors)
    : voters_(voters.begin(), voters.end()), replication_factors_(std::move(replication_factors)) {}

std::pair<std::string, int32_t> CorruptionBudget::GroupOf(NodeId node, const std::string& path) const {
  std::string_view dir = ParentDirName(path);
  const bool metadata = dir == "__cluster_metadata-0" || path == "quorum-state" || path.ends_with("/quorum-state");
  if (metadata) {
    if (!voters_.count(node)) return {"", 0};  // an observer's copy: not counted
    return {"__cluster_metadata-0", int32_t(voters_.size())};
  }
  size_t dash = dir.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == dir.size()) return {"", -1};
  for (char c : dir.substr(dash + 1))
    if (c < '0' || c > '9') return {"", -1};
  auto rf = replication_factors_.find(std::string(dir.substr(0, dash)));
  if (rf == replication_factors_.end()) return {"", -1};
  return {std::string(dir), rf->second};
}

bool CorruptionBudget::Allows(NodeId node, const std::string& path) const {
  auto [group, members] = GroupOf(node, path);
  if (members < 0) return false;
  if (group.empty()) return true;
  auto it = corrupted_.find(group);
  if (it != corrupted_.end() && it->second.count(node)) return true;
  size_t hit = it == corrupted_.end() ? 0 : it->second.size();
  return int64_t(hit) < int64_t((members - 1) / 2);
}

void CorruptionBudget::Note(NodeId node, const std::string& path) {
  auto [group, members] = GroupOf(node, path);
  if (!group.empty()) corrupted_[group].insert(node);
}

AppliedFault ApplyFault(Simulation& sim, const FaultAction& a, CorruptionBudget* budget,
                        std::function<void(Simulation&, const std::vector<NodeId>&)> on_revert) {
  AppliedFault hit;
  Prng prng(a.pick);
  int64_t revert_at = a.at_ns + a.duration_ns;
  bool revert = a.duration_ns > 0;
  std::string label = fmt::format("revert {}", FaultKindName(a.kind));
  switch (a.kind) {
    case FaultKind::kCrash: {
      auto nodes = Targets(sim, a, prng);
      for (NodeId n : nodes) sim.Crash(n);
      hit.nodes = nodes;
      if (revert)
        sim.At(revert_at, label, [nodes, on_revert](Simulation& s) {
          for (NodeId n : nodes) s.Restart(n);
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kPause: {
      auto nodes = Targets(sim, a, prng);
      for (NodeId n : nodes) sim.Pause(n);
      hit.nodes = nodes;
      if (revert)
        sim.At(revert_at, label, [nodes, on_revert](Simulation& s) {
          for (NodeId n : nodes) s.Resume(n);
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kPartition: {
      // The same draws as ResolveGrudge (the trace hashes of earlier runs hold), keeping the group.
      Grudge g;
      const std::vector<NodeId> brokers = sim.broker_ids();
      if (!a.nodes.empty()) {
        g = IsolateGrudge(a.nodes, sim.node_ids());
        hit.nodes = a.nodes;
      } else {
        switch (a.target) {
          case TargetKind::kMinority:
          case TargetKind::kMajority: {
            auto [minority, majority] = MinorityMajority(brokers, prng);
            g = CompleteGrudge({minority, majority});
            hit.nodes = a.target == TargetKind::kMinority ? minority : majority;
            break;
          }
          case TargetKind::kMajorityRing:
            g = MajorityRingGrudge(brokers, prng);
            hit.nodes = brokers;
            break;
          case TargetKind::kBridge: {
            NodeId bridge = kNoNode;
            g = BridgeGrudge(brokers, prng, &bridge);
            hit.nodes = brokers;
            if (bridge != kNoNode) hit.detail = fmt::format("bridge=broker-{}", bridge.value());
            break;
          }
          case TargetKind::kAll:
            g = ResolveGrudge(a.target, brokers, prng, sim.providers());
            hit.nodes = brokers;
            break;
          default: {  // one, leaders, controller: that group isolated (as ResolveGrudge does)
            std::vector<NodeId> iso = ResolveNodes(a.target, brokers, prng, sim.providers());
            if (!iso.empty()) g = IsolateGrudge(iso, brokers);
            hit.nodes = iso;
            break;
          }
        }
      }
      if (g.empty()) {
        hit.nodes.clear();
        break;
      }
      sim.ApplyGrudge(g);
      if (revert)
        sim.At(revert_at, label, [g, nodes = hit.nodes, on_revert](Simulation& s) {
          s.UncutGrudge(g);
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kOneWay: {
      auto nodes = Targets(sim, a, prng);
      Grudge g = OutwardLinks(nodes, sim.broker_ids());
      if (g.empty()) break;
      hit.nodes = nodes;
      hit.detail = fmt::format("{} link(s) cut one way", g.size());
      for (auto [from, to] : g) sim.CutOneWay(from, to);
      if (revert)
        sim.At(revert_at, label, [g, nodes, on_revert](Simulation& s) {
          s.UncutGrudge(g);
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kClog: {
      hit.nodes = Targets(sim, a, prng);
      for (NodeId n : hit.nodes)
        for (NodeId m : sim.node_ids())
          if (m != n && sim.network().HasLink(n, m)) sim.Clog(n, m, a.at_ns + std::max<int64_t>(a.duration_ns, 1));
      break;
    }
    case FaultKind::kLatency: {
      auto nodes = Targets(sim, a, prng);
      std::vector<std::pair<NodeId, NodeId>> links;
      for (NodeId n : nodes)
        for (NodeId m : sim.node_ids())
          if (m != n && sim.network().HasLink(n, m)) links.emplace_back(n, m), links.emplace_back(m, n);
      for (auto [x, y] : links) sim.SetLinkLatency(x, y, a.amount, a.amount / 2);
      hit.nodes = nodes;
      if (revert)
        sim.At(revert_at, label, [links, nodes, on_revert](Simulation& s) {
          for (auto [x, y] : links) s.SetLinkLatency(x, y, 0, 0);
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kReset: {
      auto nodes = Targets(sim, a, prng);
      std::set<std::pair<NodeId, NodeId>> pairs;  // each connection pair once
      for (auto [x, y] : OutwardLinks(nodes, sim.broker_ids())) pairs.insert({std::min(x, y), std::max(x, y)});
      for (auto [x, y] : pairs) sim.ResetConnections(x, y);
      if (!pairs.empty()) {
        hit.nodes = nodes;
        hit.detail = fmt::format("{} broker pair(s) reset", pairs.size());
      }
      break;
    }
    case FaultKind::kClockDrift: {
      auto nodes = Targets(sim, a, prng);
      for (NodeId n : nodes) sim.SetClockDrift(n, a.amount);
      hit.nodes = nodes;
      if (revert)
        sim.At(revert_at, label, [nodes, on_revert](Simulation& s) {
          for (NodeId n : nodes) s.SetClockDrift(n, 0);
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kClockStep:
      hit.nodes = Targets(sim, a, prng);
      for (NodeId n : hit.nodes) sim.StepClock(n, a.amount);
      break;
    case FaultKind::kSlowDisk:
    case FaultKind::kDiskFull:
    case FaultKind::kDiskErrors: {
      auto nodes = Targets(sim, a, prng);
      for (NodeId n : nodes) {
        DiskFaults f = sim.disk(n).faults();
        if (a.kind == FaultKind::kSlowDisk) f.slow_factor = std::max<int64_t>(a.amount, 1);
        if (a.kind == FaultKind::kDiskFull) f.capacity_bytes = std::max<uint64_t>(sim.disk(n).mem().live_bytes(), 1);
        if (a.kind == FaultKind::kDiskErrors) {
          f.io_error_num = f.sync_error_num = 1;
          f.io_error_den = f.sync_error_den = uint64_t(std::max<int64_t>(a.amount, 1));
        }
        sim.disk(n).set_faults(f);
        sim.trace().Record(sim.now_ns(), n.value(), "fault", fmt::format("{} amount={}", FaultKindName(a.kind), a.amount));
      }
      hit.nodes = nodes;
      if (revert)
        sim.At(revert_at, label, [nodes, on_revert](Simulation& s) {
          for (NodeId n : nodes) s.disk(n).ClearFaults();
          if (on_revert) on_revert(s, nodes);
        });
      break;
    }
    case FaultKind::kBitFlip:
      hit.nodes = Targets(sim, a, prng);
      if (budget != nullptr) {
        for (NodeId n : hit.nodes) {
          // A good copy survives only if the corruption is detected: checked bytes only.
          std::string where = sim.disk(n).FlipRandomDurableBit(
              "", [budget, n](const std::string& path) { return budget->Allows(n, path); }, /*checked_only=*/true);
          if (!where.empty()) budget->Note(n, where.substr(0, where.rfind('@')));
          sim.trace().Record(sim.now_ns(), n.value(), "fault",
                             where.empty() ? "bit-flip skipped: no file within the corruption budget"
                                           : "bit-flip " + where);
        }
        break;
      }
      for (NodeId n : hit.nodes) {
        std::string where = sim.disk(n).FlipRandomDurableBit();
        sim.trace().Record(sim.now_ns(), n.value(), "fault", "bit-flip " + where);
      }
      break;
  }
  return hit;
}

void InstallSchedule(Simulation& sim, const std::vector<FaultAction>& schedule, int64_t heal_at_ns) {
  for (const FaultAction& a : schedule)
    sim.At(a.at_ns, a.ToString(), [a](Simulation& s) { ApplyFault(s, a); });
  sim.At(heal_at_ns, "heal-all", [](Simulation& s) { s.HealAll(); });
}

}  // namespace samsa::sim
