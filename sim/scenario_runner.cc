#include "sim/scenario_runner.h"

#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <set>

#include "sim/nemesis.h"

namespace samsa::sim {

namespace {

// Shared by the scripted actions of one run (they outlive no run: the Simulation dies first).
struct RunState {
  RunTimeline timeline;
  const RunOptions* options = nullptr;

  void Add(int64_t at_ns, std::string kind, std::string text, std::vector<int32_t> nodes = {}) {
    timeline.entries.push_back(TimelineEntry{at_ns, std::move(kind), std::move(text), std::move(nodes)});
    if (options->on_timeline) options->on_timeline(timeline.entries.back());
  }
};

std::vector<int32_t> Ints(const std::vector<NodeId>& nodes) {
  std::vector<int32_t> out;
  for (NodeId n : nodes) out.push_back(n.value());
  return out;
}

std::string NodeList(const std::vector<NodeId>& nodes) {
  std::string s;
  for (NodeId n : nodes) s += fmt::format("{}broker-{}", s.empty() ? "" : ",", n.value());
  return s.empty() ? "nobody" : s;
}

// Resolves a node-set target now.
std::vector<NodeId> ResolveTarget(Simulation& sim, ClusterFactory& factory, const FaultTarget& t, Prng& prng) {
  std::vector<NodeId> brokers = sim.broker_ids();
  std::vector<NodeId> out;
  using K = FaultTarget::Kind;
  switch (t.kind) {
    case K::kNode: out = {NodeId(t.node_id)}; break;
    case K::kLeaderOf: out = factory.LeaderOf(sim, t.partition); break;
    case K::kFollowersOf: out = factory.FollowersOf(sim, t.partition); break;
    case K::kLeaders: out = ResolveNodes(TargetKind::kLeaders, brokers, prng, sim.providers()); break;
    case K::kController: out = ResolveNodes(TargetKind::kController, brokers, prng, sim.providers()); break;
    case K::kAll: out = brokers; break;
    case K::kMinority: out = ResolveNodes(TargetKind::kMinority, brokers, prng, sim.providers()); break;
    case K::kMajority: out = ResolveNodes(TargetKind::kMajority, brokers, prng, sim.providers()); break;
    case K::kMajorityRing:
    case K::kBridge:
    case K::kRandom: out = PickOne(brokers, prng); break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void ApplyStep(Simulation& sim, ClusterFactory& factory, RunState& st, const FaultStep& step, size_t index) {
  Prng prng = sim.root_prng().Split("scenario-faults").Split(uint64_t(index));
  const int64_t now = sim.now_ns();
  const int64_t revert_at = step.at_ns + step.for_ns;
  const bool revert = step.for_ns > 0;
  const std::string name(FaultTypeName(step.type));
  const std::string label = "revert " + name;
  std::string target_text = step.target.ToString();
  auto record = [&](const std::vector<NodeId>& nodes, std::string extra = {}) {
    std::string text = fmt::format("{} {}", name, NodeList(nodes));
    if (step.target.kind != FaultTarget::Kind::kNode) text += fmt::format(" ({})", target_text);
    if (!extra.empty()) text += " " + extra;
    if (revert) text += " for " + FormatDuration(step.for_ns);
    st.Add(now, "fault", std::move(text), Ints(nodes));
  };
  auto reverted = [&st](Simulation& s, std::string text, const std::vector<NodeId>& nodes) {
    st.Add(s.now_ns(), "revert", std::move(text), Ints(nodes));
  };
  std::vector<NodeId> nodes;
  bool shape = step.target.kind == FaultTarget::Kind::kMajorityRing || step.target.kind == FaultTarget::Kind::kBridge;
  if (step.type != FaultType::kHeal && !shape) nodes = ResolveTarget(sim, factory, step.target, prng);
  switch (step.type) {
    case FaultType::kCrash: {
      std::vector<NodeId> hit;
      for (NodeId n : nodes)
        if (sim.IsUp(n)) sim.Crash(n), hit.push_back(n);
      record(hit);
      if (revert)
        sim.At(revert_at, label, [hit, reverted](Simulation& s) {
          for (NodeId n : hit)
            if (!s.IsUp(n)) s.Restart(n);
          reverted(s, "restart " + NodeList(hit), hit);
        });
      break;
    }
    case FaultType::kRestart: {
      std::vector<NodeId> hit;
      for (NodeId n : nodes)
        if (!sim.IsUp(n)) sim.Restart(n), hit.push_back(n);
      record(hit);
      break;
    }
    case FaultType::kPause: {
      std::vector<NodeId> hit;
      for (NodeId n : nodes)
        if (sim.IsUp(n) && !sim.IsPaused(n)) sim.Pause(n), hit.push_back(n);
      record(hit);
      if (revert)
        sim.At(revert_at, label, [hit, reverted](Simulation& s) {
          for (NodeId n : hit)
            if (s.IsPaused(n)) s.Resume(n);
          reverted(s, "resume " + NodeList(hit), hit);
        });
      break;
    }
    case FaultType::kResume: {
      std::vector<NodeId> hit;
      for (NodeId n : nodes)
        if (sim.IsPaused(n)) sim.Resume(n), hit.push_back(n);
      record(hit);
      break;
    }
    case FaultType::kPartition:
    case FaultType::kIsolate: {
      Grudge g;
      std::string extra;
      if (shape) {
        NodeId bridge = kNoNode;
        if (step.target.kind == FaultTarget::Kind::kBridge) g = BridgeGrudge(sim.broker_ids(), prng, &bridge);
        else g = MajorityRingGrudge(sim.broker_ids(), prng);
        if (bridge != kNoNode) extra = fmt::format("bridge=broker-{}", bridge.value());
      } else if (step.type == FaultType::kIsolate) {
        g = IsolateGrudge(nodes, sim.node_ids());  // clients too
      } else if (step.target.kind == FaultTarget::Kind::kAll) {
        std::vector<std::vector<NodeId>> groups;
        for (NodeId n : sim.broker_ids()) groups.push_back({n});
        g = CompleteGrudge(groups);
      } else {
        g = IsolateGrudge(nodes, sim.broker_ids());  // brokers only: clients still reach them
      }
      extra += fmt::format("{}{} link(s) cut", extra.empty() ? "" : ", ", g.size());
      record(nodes, "(" + extra + ")");
      if (!g.empty()) sim.ApplyGrudge(g);
      if (revert && !g.empty())
        sim.At(revert_at, label, [g, nodes, name, reverted](Simulation& s) {
          s.UncutGrudge(g);
          reverted(s, "heal " + name + " of " + NodeList(nodes), nodes);
        });
      break;
    }
    case FaultType::kHeal:
      sim.HealNetwork();
      st.Add(now, "fault", "heal network");
      break;
    case FaultType::kClog: {
      for (NodeId n : nodes)
        for (NodeId m : sim.node_ids())
          if (m != n && sim.network().HasLink(n, m)) sim.Clog(n, m, revert_at);
      record(nodes);
      break;
    }
    case FaultType::kLatency: {
      std::vector<std::pair<NodeId, NodeId>> links;
      for (NodeId n : nodes)
        for (NodeId m : sim.node_ids())
          if (m != n && sim.network().HasLink(n, m)) links.emplace_back(n, m), links.emplace_back(m, n);
      for (auto [x, y] : links) sim.SetLinkLatency(x, y, step.amount, step.amount / 2);
      record(nodes, "+" + FormatDuration(step.amount));
      if (revert)
        sim.At(revert_at, label, [links, nodes, reverted](Simulation& s) {
          for (auto [x, y] : links) s.SetLinkLatency(x, y, 0, 0);
          reverted(s, "latency back to normal on " + NodeList(nodes), nodes);
        });
      break;
    }
    case FaultType::kSlowDisk:
    case FaultType::kDiskFull: {
      for (NodeId n : nodes) {
        DiskFaults f = sim.disk(n).faults();
        if (step.type == FaultType::kSlowDisk) f.slow_factor = std::max<int64_t>(step.amount, 1);
        else f.capacity_bytes = std::max<uint64_t>(sim.disk(n).mem().live_bytes(), 1);
        sim.disk(n).set_faults(f);
      }
      record(nodes, step.type == FaultType::kSlowDisk ? fmt::format("x{}", step.amount) : "");
      if (revert)
        sim.At(revert_at, label, [nodes, name, reverted](Simulation& s) {
          for (NodeId n : nodes) s.disk(n).ClearFaults();
          reverted(s, name + " cleared on " + NodeList(nodes), nodes);
        });
      break;
    }
    case FaultType::kBitFlip: {
      FlipAim aim;
      aim.kind = step.flip_file;
      if (step.flip_partition) aim.partition = step.flip_partition->ToString();
      if (!aim.aimed()) {  // as before aimed flips existed: the trace hashes of old runs hold
        std::string where;
        for (NodeId n : nodes) where += (where.empty() ? "" : ", ") + sim.disk(n).FlipRandomDurableBit();
        record(nodes, where.empty() ? "" : "in " + where);
        break;
      }
      // An aimed flip: recorded in the trace too, flipped or skipped (no such file on the node).
      std::string what = std::string(FileKindName(aim.kind)) + (aim.partition.empty() ? "" : " of " + aim.partition);
      std::string where;
      for (NodeId n : nodes) {
        std::string at = sim.disk(n).FlipRandomDurableBit("", [&aim](const std::string& p) { return aim.Matches(p); });
        std::string text = at.empty() ? fmt::format("skipped on broker-{}: no {} file", n.value(), what)
                                      : fmt::format("{} on broker-{}", at, n.value());
        sim.trace().Record(sim.now_ns(), n.value(), "fault", "bit-flip " + what + ": " + text);
        where += (where.empty() ? "" : ", ") + text;
      }
      record(nodes, fmt::format("({}) {}", what, where));
      break;
    }
    case FaultType::kClockSkew: {
      for (NodeId n : nodes) sim.StepClock(n, step.amount);
      record(nodes, (step.amount >= 0 ? "+" : "") + FormatDuration(step.amount));
      if (revert) {
        int64_t back = -step.amount;
        sim.At(revert_at, label, [nodes, back, reverted](Simulation& s) {
          for (NodeId n : nodes) s.StepClock(n, back);
          reverted(s, "clock stepped back on " + NodeList(nodes), nodes);
        });
      }
      break;
    }
  }
  if (!step.caption.empty()) st.Add(now, "caption", step.caption);
}

void InstallNemesis(Simulation& sim, RunState& st, const Scenario& scenario) {
  const NemesisSpec& spec = *scenario.nemesis;
  std::shared_ptr<CorruptionBudget> budget;
  if (spec.corruption_minority) {
    std::vector<NodeId> voters;
    for (int32_t v : scenario.cluster.controllers) voters.emplace_back(v);
    std::map<std::string, int32_t> rfs;
    for (const TopicSpec& t : scenario.topics) rfs[t.name] = t.replication_factor;
    budget = std::make_shared<CorruptionBudget>(std::move(voters), std::move(rfs));
  }
  NemesisOptions no;
  no.kinds = spec.kinds;
  if (!spec.targets.empty()) {
    no.node_targets.clear();
    no.partition_targets.clear();
    for (TargetKind t : spec.targets) {
      no.partition_targets.push_back(t);
      if (t != TargetKind::kMajorityRing && t != TargetKind::kBridge) no.node_targets.push_back(t);
    }
    if (no.node_targets.empty()) no.node_targets = {TargetKind::kOne};
  }
  no.start_ns = spec.start_ns;
  no.interval_ns = spec.every_ns;
  no.until_ns = spec.until_ns;
  no.min_duration_ns = spec.min_for_ns;
  no.max_duration_ns = spec.max_for_ns;
  std::vector<FaultAction> schedule = RandomSchedule(no, sim.root_prng().Split("nemesis"));
  for (const FaultAction& a : schedule)
    sim.At(a.at_ns, a.ToString(), [a, &st, budget](Simulation& s) {
      ApplyFault(s, a, budget.get());
      std::string text = fmt::format("{} {}", FaultKindName(a.kind), TargetKindName(a.target));
      if (a.amount != 0) text += fmt::format(" amount={}", a.amount);
      if (a.duration_ns > 0) text += " for " + FormatDuration(a.duration_ns);
      st.Add(s.now_ns(), "nemesis", std::move(text));
    });
  sim.At(spec.until_ns, "nemesis-heal-all", [&st](Simulation& s) {
    s.HealAll();
    st.Add(s.now_ns(), "heal", "nemesis stops: everything healed");
  });
}

std::string ViolationLine(const Violation& v) {
  std::string where = v.topic.empty() ? "" : fmt::format(" {}-{}", v.topic, v.partition);
  if (v.offset >= 0) where += fmt::format(" offset {}", v.offset);
  return fmt::format("{}{}: {}", v.kind, where, v.detail);
}

std::string Summarize(const std::vector<const Violation*>& vs) {
  std::map<std::string, uint64_t> by_kind;
  for (const Violation* v : vs) ++by_kind[v->kind];
  std::string counts;
  for (const auto& [k, n] : by_kind) counts += fmt::format("{}{} x{}", counts.empty() ? "" : ", ", k, n);
  return fmt::format("{} violation(s): {} (first: {})", vs.size(), counts, ViolationLine(*vs.front()));
}

}  // namespace

RunResult RunScenario(const Scenario& scenario, uint64_t seed, ClusterFactory& factory, const RunOptions& options) {
  RunResult r;
  r.scenario_name = scenario.name;
  r.seed = seed;
  const int64_t wall_start_ms = options.wall_clock_ms ? options.wall_clock_ms() : 0;

  auto st = std::make_unique<RunState>();
  st->options = &options;
  st->timeline.faults_end_ns = scenario.run_for_ns;
  st->timeline.end_ns = scenario.run_for_ns + scenario.settle_ns;

  SimOptions so;
  so.seed = seed;
  so.keep_trace_records = options.keep_trace;
  so.default_link.latency_min_ns = scenario.latency_min_ns;
  so.default_link.latency_max_ns = scenario.latency_max_ns;
  Simulation sim(so);

  for (int32_t id : scenario.ServerIds()) {
    NodeFactory nf = factory.Broker(scenario, id);
    if (!nf) {
      r.error = fmt::format("the cluster factory cannot build server node {}", id);
      return r;
    }
    sim.AddNode(NodeId(id), std::move(nf));
  }
  int32_t client_id = kFirstClientId;
  for (const ProducerSpec& p : scenario.producers)
    for (int32_t i = 0; i < p.count; ++i, ++client_id) {
      NodeFactory nf = factory.Producer(scenario, p, client_id);
      if (!nf) {
        r.error = fmt::format("the cluster factory cannot build producer {} (topic {})", client_id, p.topic);
        return r;
      }
      sim.AddNode(NodeId(client_id), std::move(nf), /*is_client=*/true);
    }
  for (const ConsumerSpec& c : scenario.consumers)
    for (int32_t i = 0; i < c.count; ++i, ++client_id) {
      NodeFactory nf = factory.Consumer(scenario, c, client_id);
      if (!nf) {
        r.error = fmt::format("the cluster factory cannot build consumer {} (topic {})", client_id, c.topic);
        return r;
      }
      sim.AddNode(NodeId(client_id), std::move(nf), /*is_client=*/true);
    }
  factory.InstallProviders(sim);

  RunState& state = *st;
  for (const Caption& c : scenario.captions)
    sim.At(c.at_ns, "caption", [&state, text = c.text](Simulation& s) { state.Add(s.now_ns(), "caption", text); });
  for (size_t i = 0; i < scenario.faults.size(); ++i) {
    const FaultStep* step = &scenario.faults[i];
    sim.At(step->at_ns, std::string(FaultTypeName(step->type)) + " " + step->target.ToString(),
           [&factory, &state, step, i](Simulation& s) { ApplyStep(s, factory, state, *step, i); });
  }
  if (scenario.nemesis) InstallNemesis(sim, state, scenario);
  if (scenario.settle_ns > 0)
    sim.At(scenario.run_for_ns, "settle", [&state](Simulation& s) {
      s.HealAll();
      state.Add(s.now_ns(), "heal", "faults stop: everything healed; the cluster settles");
    });

  std::set<Violation> violations;
  auto add = [&](std::vector<Violation> vs) {
    for (auto& v : vs) violations.insert(std::move(v));
  };
  const int64_t end_ns = scenario.run_for_ns + scenario.settle_ns;
  const int64_t step_ns = std::max<int64_t>(options.check_interval_ns, 1'000'000);
  for (int64_t t = 0; t < end_ns;) {
    t = std::min(end_ns, t + step_ns);
    sim.RunUntil(t);
    add(factory.CheckRuntime(sim));
  }
  add(factory.CheckHistory(sim, state.timeline));
  r.stats = factory.CollectStats(sim);
  r.stats.events = sim.kernel().events_run();
  r.stats.simulated_ms = sim.now_ns() / 1'000'000;

  // Judge.
  std::set<std::string> expected_kinds(scenario.tolerated_kinds.begin(), scenario.tolerated_kinds.end());
  bool has_no_violations = false;
  for (const Expectation& e : scenario.expectations) {
    if (e.kind == ExpectKind::kViolation) expected_kinds.insert(e.violation_kind);
    if (e.kind == ExpectKind::kNoViolations) has_no_violations = true;
  }
  std::vector<const Violation*> unexpected;
  for (const Violation& v : violations)
    if (!expected_kinds.count(v.kind)) unexpected.push_back(&v);
  for (const Expectation& e : scenario.expectations) {
    ExpectationResult er{e.name, false, ""};
    if (e.kind == ExpectKind::kNoViolations) {
      er.passed = unexpected.empty();
      er.detail = er.passed ? fmt::format("no unexpected violation ({} checked)", violations.size())
                            : Summarize(unexpected);
    } else if (e.kind == ExpectKind::kViolation) {
      std::vector<const Violation*> hits;
      for (const Violation& v : violations)
        if (v.kind == e.violation_kind &&
            (!e.partition || (v.topic == e.partition->topic && v.partition == e.partition->partition)))
          hits.push_back(&v);
      er.passed = !hits.empty();
      er.detail = er.passed ? "found " + Summarize(hits)
                            : fmt::format("no {} found (the scenario expects at least one)", e.violation_kind);
    } else {
      er = factory.Evaluate(e, sim, state.timeline);
      er.name = e.name;
    }
    r.expectations.push_back(std::move(er));
  }
  if (!unexpected.empty() && !has_no_violations)
    r.expectations.push_back(ExpectationResult{"no unexpected violations", false, Summarize(unexpected)});

  r.violations_total = violations.size();
  for (const Violation& v : violations) {
    if (r.violations.size() >= options.max_violations) break;
    r.violations.push_back(v);
  }
  r.passed = true;
  for (const auto& e : r.expectations) r.passed = r.passed && e.passed;
  r.trace_hash = sim.trace().hash();
  if (options.keep_trace) r.trace_text = sim.trace().ToText();
  r.timeline = std::move(state.timeline);
  if (options.wall_clock_ms) {
    r.stats.wall_ms = options.wall_clock_ms() - wall_start_ms;
    if (r.stats.wall_ms > 0) r.stats.sim_speed = double(r.stats.simulated_ms) / double(r.stats.wall_ms);
  }
  return r;
}

}  // namespace samsa::sim
