#include "sim/session.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "core/base/assert.h"
#include "core/protocol/api_keys.h"
#include "sim/nemesis.h"

namespace samsa::sim {

namespace {

// The run's timeline, and its entries as events.
struct RunState {
  RunTimeline timeline;
  const RunOptions* options = nullptr;
  std::vector<view::ClusterEvent>* events = nullptr;
  Simulation* sim = nullptr;

  void Add(int64_t at_ns, std::string kind, std::string text, std::vector<int32_t> nodes = {}) {
    view::ClusterEvent e;
    e.at_ns = at_ns;
    e.event_index = sim->kernel().events_run();
    e.kind = kind == "caption"                     ? view::EventKind::kCaption
             : kind == "fault" || kind == "nemesis" ? view::EventKind::kFault
             : kind == "workload"                   ? view::EventKind::kWorkload
                                                    : view::EventKind::kRevert;  // revert, heal
    e.nodes = nodes;
    e.text = text;
    events->push_back(std::move(e));
    timeline.entries.push_back(TimelineEntry{at_ns, std::move(kind), std::move(text), std::move(nodes)});
    if (options->on_timeline) options->on_timeline(timeline.entries.back());
  }
};

std::vector<int32_t> Ints(const std::vector<NodeId>& nodes) {
  std::vector<int32_t> out;
  for (NodeId n : nodes) out.push_back(n.value());
  return out;
}

// Servers are named broker-N (as targets are written), simulated clients client-N.
std::string NodeList(const std::vector<NodeId>& nodes) {
  std::string s;
  for (NodeId n : nodes)
    s += fmt::format("{}{}-{}", s.empty() ? "" : ",", n.value() >= kFirstClientId ? "client" : "broker", n.value());
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
    case K::kIsrOf: out = factory.IsrOf(sim, t.partition); break;
    case K::kFollowerOf: {  // one of them, drawn from the fault's own stream (the run's seed)
      std::vector<NodeId> followers = factory.FollowersOf(sim, t.partition);
      std::sort(followers.begin(), followers.end());
      out = PickOne(followers, prng);
      break;
    }
    case K::kClient: {  // the client node with that id, if the run has one (yet)
      const std::vector<NodeId> all = sim.node_ids();
      if (std::binary_search(all.begin(), all.end(), NodeId(t.node_id))) out = {NodeId(t.node_id)};
      break;
    }
    case K::kLeaders: out = ResolveNodes(TargetKind::kLeaders, brokers, prng, sim.providers()); break;
    case K::kController: out = ResolveNodes(TargetKind::kController, brokers, prng, sim.providers()); break;
    case K::kAll: out = brokers; break;
    case K::kMinority: out = ResolveNodes(TargetKind::kMinority, brokers, prng, sim.providers()); break;
    case K::kMajority: out = ResolveNodes(TargetKind::kMajority, brokers, prng, sim.providers()); break;
    case K::kMajorityRing:
    case K::kBridge:
    case K::kRandom: out = PickOne(brokers, prng); break;
    case K::kNodes:
      for (int32_t id : t.node_ids) out.emplace_back(id);
      break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The end of a `shutdown ... for`: starts the node again, or, while it is still shutting down
// (the controller has not let it go yet), checks again every 100 ms until it has exited.
template <typename Reverted>
void RestartOnceExited(Simulation& s, NodeId n, const Reverted& reverted) {
  if (s.IsUp(n)) {
    s.At(s.now_ns() + 100'000'000, "revert shutdown", [n, reverted](Simulation& s2) { RestartOnceExited(s2, n, reverted); });
    return;
  }
  s.Restart(n);
  reverted(s, "restart " + NodeList({n}), std::vector<NodeId>{n});
}

void ApplyStep(Simulation& sim, ClusterFactory& factory, RunState& st, const FaultStep& step, Prng prng) {
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
    case FaultType::kShutdown: {
      std::vector<NodeId> hit;
      const std::vector<NodeId> brokers = sim.broker_ids();
      for (NodeId n : nodes)
        if (sim.IsUp(n) && std::binary_search(brokers.begin(), brokers.end(), n)) sim.RequestShutdown(n), hit.push_back(n);
      record(hit);
      if (revert)
        for (NodeId n : hit)
          sim.At(revert_at, label, [n, reverted](Simulation& s) { RestartOnceExited(s, n, reverted); });
      break;
    }
    case FaultType::kOneWay: {
      const std::vector<NodeId> brokers = sim.broker_ids();
      Grudge g;
      for (NodeId n : nodes)
        for (NodeId m : brokers)
          if (!std::binary_search(nodes.begin(), nodes.end(), m)) g.emplace_back(n, m);
      record(nodes, fmt::format("({} link(s) cut one way: it still hears the others)", g.size()));
      for (auto [from, to] : g) sim.CutOneWay(from, to);
      if (revert && !g.empty())
        sim.At(revert_at, label, [g, nodes, reverted](Simulation& s) {
          s.UncutGrudge(g);
          reverted(s, "heal one-way cut of " + NodeList(nodes), nodes);
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
    case FaultType::kSetRate:
    case FaultType::kAddConsumer:
    case FaultType::kRemoveConsumer:
      SAMSA_ASSERT_MSG(false, "workload changes are applied by the session");
      break;
    case FaultType::kReset:
    case FaultType::kClockDrift:
    case FaultType::kDiskErrors: {
      // The nemesis's code path (sim/nemesis.h), with the nodes resolved here as the target says.
      if (nodes.empty()) {
        record(nodes);
        break;
      }
      FaultAction a;
      a.at_ns = now;
      a.duration_ns = step.for_ns;
      a.kind = step.type == FaultType::kReset        ? FaultKind::kReset
               : step.type == FaultType::kClockDrift ? FaultKind::kClockDrift
                                                     : FaultKind::kDiskErrors;
      a.amount = step.amount;
      a.nodes = nodes;
      a.pick = prng.NextU64();
      AppliedFault hit = ApplyFault(sim, a, nullptr, [name, reverted](Simulation& s, const std::vector<NodeId>& n) {
        reverted(s, name + " cleared on " + NodeList(n), n);
      });
      std::string extra = step.type == FaultType::kClockDrift ? fmt::format("{:+} ppm", step.amount)
                          : step.type == FaultType::kDiskErrors ? fmt::format("1/{} of writes and syncs fail", step.amount)
                                                                : "";
      if (!hit.detail.empty()) extra += (extra.empty() ? "(" : " (") + hit.detail + ")";
      record(hit.nodes, extra);
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
      AppliedFault hit = ApplyFault(s, a, budget.get());
      std::vector<NodeId> nodes = hit.nodes;
      std::sort(nodes.begin(), nodes.end());
      std::string text = fmt::format("{} {} ({})", FaultKindName(a.kind), NodeList(nodes), TargetKindName(a.target));
      if (!hit.detail.empty()) text += " " + hit.detail;
      if (a.amount != 0) text += fmt::format(" amount={}", a.amount);
      if (a.duration_ns > 0)  // drawn durations are not round: milliseconds are enough to read
        text += fmt::format(" for {}.{:03}s", a.duration_ns / 1'000'000'000, (a.duration_ns / 1'000'000) % 1000);
      st.Add(s.now_ns(), "nemesis", std::move(text), Ints(nodes));
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

struct Session::Run {
  std::unique_ptr<ClusterFactory> owned;
  ClusterFactory* factory = nullptr;
  RunState state;
  std::unique_ptr<Simulation> sim;
  std::set<Violation> violations;
  int64_t next_check_ns = std::numeric_limits<int64_t>::max();
  int32_t next_client_id = kFirstClientId;
  uint64_t injections_applied = 0;  // at_event entries applied (their Prng ordinal)
  int64_t wall_start_ms = 0;
};

std::string DescribeStep(const FaultStep& step) {
  switch (step.type) {
    case FaultType::kSetRate:
      return fmt::format("set-rate: producer {} now sends {} records/s", step.target.node_id, step.amount);
    case FaultType::kAddConsumer: {
      const ConsumerSpec c = step.consumer.value_or(ConsumerSpec{});
      return fmt::format("add-consumer: a consumer of {} from {}", c.topic, c.from);
    }
    case FaultType::kRemoveConsumer: return fmt::format("remove-consumer: consumer {} stops", step.target.node_id);
    default: break;
  }
  std::string text = fmt::format("{} {}", FaultTypeName(step.type), step.target.ToString());
  if (step.for_ns > 0) text += " for " + FormatDuration(step.for_ns);
  return text;
}

Session::Session(Scenario scenario, uint64_t seed, RunOptions options)
    : scenario_(std::move(scenario)), seed_(seed), options_(std::move(options)) {
  // Recorded entries of the scenario (a saved session) replay at their event index.
  std::vector<FaultStep> timed;
  for (FaultStep& f : scenario_.faults) (f.at_event >= 0 ? injections_ : timed).push_back(std::move(f));
  scenario_.faults = std::move(timed);
  std::stable_sort(injections_.begin(), injections_.end(),
                   [](const FaultStep& a, const FaultStep& b) { return a.at_event < b.at_event; });
}

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::Open(Scenario scenario, uint64_t seed, RunOptions options,
                                               FactoryMaker make) {
  std::unique_ptr<Session> s(new Session(std::move(scenario), seed, std::move(options)));
  s->make_ = make ? std::move(make) : FactoryMaker([](const Scenario& sc) { return MakeClusterFactory(sc); });
  Status st = s->Start();
  if (!st.ok()) return st;
  return s;
}

Result<std::unique_ptr<Session>> Session::Borrow(Scenario scenario, uint64_t seed, ClusterFactory& factory,
                                                 RunOptions options) {
  std::unique_ptr<Session> s(new Session(std::move(scenario), seed, std::move(options)));
  s->borrowed_ = &factory;
  Status st = s->Start();
  if (!st.ok()) return st;
  return s;
}

int64_t Session::now_ns() const { return run_->sim->now_ns(); }
uint64_t Session::event_index() const { return run_->sim->kernel().events_run(); }
uint64_t Session::trace_hash() const { return run_->sim->trace().hash(); }

Status Session::Start() {
  events_.clear();
  finished_ = false;
  result_ = RunResult{};
  next_injection_ = 0;
  run_ = std::make_unique<Run>();
  Run& r = *run_;
  if (make_) {
    r.owned = make_(scenario_);
    r.factory = r.owned.get();
  } else {
    r.factory = borrowed_;
  }
  if (r.factory == nullptr) return Status::Unsupported("no cluster factory for this scenario");
  ClusterFactory& factory = *r.factory;
  factory.set_event_log(&events_);
  r.wall_start_ms = options_.wall_clock_ms ? options_.wall_clock_ms() : 0;
  r.state.options = &options_;
  r.state.events = &events_;
  r.state.timeline.faults_end_ns = scenario_.run_for_ns;
  r.state.timeline.end_ns = end_ns();

  SimOptions so;
  so.seed = seed_;
  so.keep_trace_records = options_.keep_trace;
  so.default_link.latency_min_ns = scenario_.latency_min_ns;
  so.default_link.latency_max_ns = scenario_.latency_max_ns;
  so.disk_writeback_ns = scenario_.disk_writeback_ns;
  r.sim = std::make_unique<Simulation>(so);
  Simulation& sim = *r.sim;
  r.state.sim = &sim;

  for (int32_t id : scenario_.ServerIds()) {
    NodeFactory nf = factory.Broker(scenario_, id);
    if (!nf) return Status::InvalidArgument(fmt::format("the cluster factory cannot build server node {}", id));
    sim.AddNode(NodeId(id), std::move(nf));
  }
  // Clients take ids from kFirstClientId: producers first, then consumers, `count` each.
  auto add_client = [&](NodeFactory nf, const char* kind, const std::string& topic) -> Status {
    if (!nf)
      return Status::InvalidArgument(
          fmt::format("the cluster factory cannot build {} {} (topic {})", kind, r.next_client_id, topic));
    sim.AddNode(NodeId(r.next_client_id++), std::move(nf), /*is_client=*/true);
    return Status::Ok();
  };
  for (const ProducerSpec& p : scenario_.producers)
    for (int32_t i = 0; i < p.count; ++i)
      if (Status st = add_client(factory.Producer(scenario_, p, r.next_client_id), "producer", p.topic); !st.ok())
        return st;
  for (const ConsumerSpec& c : scenario_.consumers)
    for (int32_t i = 0; i < c.count; ++i)
      if (Status st = add_client(factory.Consumer(scenario_, c, r.next_client_id), "consumer", c.topic); !st.ok())
        return st;
  factory.InstallProviders(sim);

  RunState& state = r.state;
  for (const Caption& c : scenario_.captions)
    sim.At(c.at_ns, "caption", [&state, text = c.text](Simulation& s) { state.Add(s.now_ns(), "caption", text); });
  for (size_t i = 0; i < scenario_.faults.size(); ++i) {
    const FaultStep* step = &scenario_.faults[i];
    sim.At(step->at_ns, std::string(FaultTypeName(step->type)) + " " + step->target.ToString(),
           [this, step, i](Simulation& s) {
             Status st = Apply(*step, /*ordinal=*/i, /*injected=*/false);
             if (!st.ok()) run_->state.Add(s.now_ns(), "workload", "not applied: " + st.message());
           });
  }
  if (scenario_.nemesis) InstallNemesis(sim, state, scenario_);
  if (scenario_.settle_ns > 0)
    sim.At(scenario_.run_for_ns, "settle", [&state](Simulation& s) {
      s.HealAll();
      state.Add(s.now_ns(), "heal", "faults stop: everything healed; the cluster settles");
    });
  const int64_t step_ns = std::max<int64_t>(options_.check_interval_ns, 1'000'000);
  r.next_check_ns = end_ns() > 0 ? std::min(end_ns(), step_ns) : std::numeric_limits<int64_t>::max();
  return Status::Ok();
}

void Session::RunCheck(int64_t at_ns) {
  Run& r = *run_;
  if (at_ns > r.sim->now_ns()) r.sim->RunUntil(at_ns);  // nothing is due before at_ns
  for (Violation& v : r.factory->CheckRuntime(*r.sim)) r.violations.insert(std::move(v));
  const int64_t step_ns = std::max<int64_t>(options_.check_interval_ns, 1'000'000);
  r.next_check_ns = at_ns >= end_ns() ? std::numeric_limits<int64_t>::max() : std::min(end_ns(), at_ns + step_ns);
}

void Session::RunChecksBefore(int64_t t_ns) {
  while (run_->next_check_ns < t_ns) RunCheck(run_->next_check_ns);
}

void Session::Advance(int64_t t_ns, uint64_t max_events) {
  Run& r = *run_;
  Kernel& kernel = r.sim->kernel();
  t_ns = std::min(t_ns, end_ns());
  uint64_t ran = 0;
  while (true) {
    std::optional<int64_t> next = kernel.next_time_ns();
    // A recorded injection is due once its events have run and nothing is due before its time.
    if (next_injection_ < injections_.size()) {
      const FaultStep& j = injections_[next_injection_];
      if (uint64_t(j.at_event) <= kernel.events_run() && j.at_ns <= t_ns &&
          (j.at_ns <= kernel.now_ns() || !next || *next > j.at_ns)) {
        RunChecksBefore(j.at_ns);
        if (j.at_ns > kernel.now_ns()) r.sim->RunUntil(j.at_ns);
        const size_t index = next_injection_++;
        Status st = Apply(injections_[index], r.injections_applied++, /*injected=*/true);
        if (!st.ok()) r.state.Add(r.sim->now_ns(), "workload", "not applied: " + st.message());
        continue;
      }
    }
    if (ran >= max_events || !next || *next > t_ns) break;
    RunChecksBefore(*next);
    kernel.Step();
    ++ran;
  }
  if (max_events == std::numeric_limits<uint64_t>::max()) {
    RunChecksBefore(t_ns);
    if (t_ns > kernel.now_ns()) r.sim->RunUntil(t_ns);
  }
}

void Session::RunUntil(int64_t t_ns) {
  if (finished_) return;
  Advance(t_ns, std::numeric_limits<uint64_t>::max());
}

bool Session::Step() {
  if (finished_) return false;
  const uint64_t before = event_index();
  Advance(end_ns(), 1);
  return event_index() > before;
}

Status Session::Apply(const FaultStep& step, size_t ordinal, bool injected) {
  Run& r = *run_;
  Simulation& sim = *r.sim;
  switch (step.type) {
    case FaultType::kSetRate: {
      Status st = r.factory->SetRate(sim, step.target.node_id, step.amount);
      if (!st.ok()) return st;
      sim.Drain(NodeId(step.target.node_id));
      r.state.Add(sim.now_ns(), "workload", DescribeStep(step), {step.target.node_id});
      break;
    }
    case FaultType::kRemoveConsumer: {
      Status st = r.factory->StopConsumer(sim, step.target.node_id);
      if (!st.ok()) return st;
      sim.Drain(NodeId(step.target.node_id));
      r.state.Add(sim.now_ns(), "workload", DescribeStep(step), {step.target.node_id});
      break;
    }
    case FaultType::kAddConsumer: {
      if (!step.consumer) return Status::InvalidArgument("add-consumer without a consumer");
      ConsumerSpec spec = *step.consumer;
      spec.start_ns = 0;
      spec.stop_ns = -1;
      const int32_t id = r.next_client_id;
      NodeFactory nf = r.factory->Consumer(scenario_, spec, id);
      if (!nf) return Status::InvalidArgument(fmt::format("the cluster cannot build a consumer of {}", spec.topic));
      ++r.next_client_id;
      sim.AddNode(NodeId(id), std::move(nf), /*is_client=*/true);
      r.state.Add(sim.now_ns(), "workload", fmt::format("{} (client {})", DescribeStep(step), id), {id});
      break;
    }
    default: {
      Prng prng = injected ? sim.root_prng().Split("injections").Split(uint64_t(ordinal))
                           : sim.root_prng().Split("scenario-faults").Split(uint64_t(ordinal));
      ApplyStep(sim, *r.factory, r.state, step, prng);
      break;
    }
  }
  return Status::Ok();
}

Status Session::Inject(FaultStep step) {
  if (finished_)
    return Status::FailedPrecondition("the run is over (the session is finished): rewind to an earlier instant to change it");
  Run& r = *run_;
  Simulation& sim = *r.sim;
  const bool workload = step.type == FaultType::kSetRate || step.type == FaultType::kAddConsumer ||
                        step.type == FaultType::kRemoveConsumer;
  if (!workload && sim.now_ns() > scenario_.run_for_ns)
    return Status::InvalidArgument(fmt::format("faults stop at run_for ({}); it is {} now",
                                               FormatDuration(scenario_.run_for_ns), FormatDuration(sim.now_ns())));
  auto check_partition = [&](const PartitionRef& p) -> Status {
    const TopicSpec* t = scenario_.FindTopic(p.topic);
    if (t == nullptr) return Status::InvalidArgument(fmt::format("no topic '{}' in this scenario", p.topic));
    if (p.partition < 0 || p.partition >= t->partitions)
      return Status::InvalidArgument(fmt::format("{} has partitions 0..{}", p.topic, t->partitions - 1));
    return Status::Ok();
  };
  using K = FaultTarget::Kind;
  if (workload) {
    if (step.type == FaultType::kSetRate) {
      // With the rates this session has set so far and this one (which replaces those recorded
      // after now).
      Scenario with = scenario_;
      with.faults.insert(with.faults.end(), injections_.begin(), injections_.begin() + int64_t(next_injection_));
      with.faults.push_back(step);
      if (const int64_t bytes = with.ValueBytesBound(); bytes > kMaxValueBytes)
        return Status::InvalidArgument(
            fmt::format("at {} records a second, the producers may generate {} MiB of record values over the run; the "
                        "simulator holds every record in memory, so at most {} MiB",
                        step.amount, bytes / (1 << 20), kMaxValueBytes / (1 << 20)));
    }
    if (step.type == FaultType::kAddConsumer) {
      if (!step.consumer) return Status::InvalidArgument("add-consumer needs a consumer (topic, from)");
      for (int32_t p : step.consumer->partitions)
        if (Status st = check_partition(PartitionRef{step.consumer->topic, p}); !st.ok()) return st;
      if (scenario_.FindTopic(step.consumer->topic) == nullptr)
        return Status::InvalidArgument(fmt::format("no topic '{}' in this scenario", step.consumer->topic));
    }
  } else if (step.type != FaultType::kHeal) {
    const std::vector<int32_t> servers = scenario_.ServerIds();
    if (step.target.kind == K::kNode && !std::binary_search(servers.begin(), servers.end(), step.target.node_id))
      return Status::InvalidArgument(fmt::format("node {} is not a server of this cluster", step.target.node_id));
    for (int32_t id : step.target.node_ids)
      if (!std::binary_search(servers.begin(), servers.end(), id))
        return Status::InvalidArgument(fmt::format("node {} is not a server of this cluster", id));
    if (step.target.kind == K::kClient) {
      const std::vector<NodeId> all = sim.node_ids();
      if (step.target.node_id < kFirstClientId || !std::binary_search(all.begin(), all.end(), NodeId(step.target.node_id)))
        return Status::InvalidArgument(fmt::format("no client {} in this run", step.target.node_id));
      if (step.type != FaultType::kCrash && step.type != FaultType::kPause && step.type != FaultType::kRestart &&
          step.type != FaultType::kResume)
        return Status::InvalidArgument(fmt::format("{} applies to brokers; a client can only crash, pause, restart or resume",
                                                   FaultTypeName(step.type)));
    }
    if (step.target.kind == K::kLeaderOf || step.target.kind == K::kFollowersOf || step.target.kind == K::kIsrOf ||
        step.target.kind == K::kFollowerOf)
      if (Status st = check_partition(step.target.partition); !st.ok()) return st;
    if ((step.target.kind == K::kMajorityRing || step.target.kind == K::kBridge) && step.type != FaultType::kPartition)
      return Status::InvalidArgument(fmt::format("'{}' is a partition shape; {} needs nodes", step.target.ToString(),
                                                 FaultTypeName(step.type)));
    if (step.flip_partition)
      if (Status st = check_partition(*step.flip_partition); !st.ok()) return st;
  }
  // A new injection replaces the recorded future (after a Rewind); Branch keeps it instead.
  injections_.resize(next_injection_);
  step.at_ns = sim.now_ns();
  step.at_event = int64_t(sim.kernel().events_run());
  step.mark = SourceMark{};
  Status st = Apply(step, r.injections_applied, /*injected=*/true);
  if (!st.ok()) return st;
  ++r.injections_applied;
  injections_.push_back(std::move(step));
  ++next_injection_;
  return Status::Ok();
}

view::ClusterView Session::View() {
  Run& r = *run_;
  Simulation& sim = *r.sim;
  view::ClusterView v;
  v.at_ns = sim.now_ns();
  v.event_index = sim.kernel().events_run();
  r.factory->Describe(sim, &v);
  const std::vector<NodeId> nodes = sim.node_ids();
  Network& net = sim.network();
  for (NodeId a : nodes)
    for (NodeId b : nodes) {
      if (a == b || !net.HasLink(a, b) || (net.IsClient(a) && net.IsClient(b))) continue;
      const LinkFault f = net.fault(a, b);
      view::LinkView l;
      l.from = a.value();
      l.to = b.value();
      l.extra_latency_ns = f.extra_latency_ns;
      if (f.cut) l.state = view::LinkView::State::kCut;
      else if (f.clog_until_ns > v.at_ns) l.state = view::LinkView::State::kClogged, l.clogged_until_ns = f.clog_until_ns;
      else if (f.extra_latency_ns > 0) l.state = view::LinkView::State::kSlowed;
      v.links.push_back(l);
    }
  return v;
}

Result<std::vector<view::LogRecordView>> Session::ReadLog(int32_t node, const PartitionRef& partition, int64_t from,
                                                          size_t max_records) {
  return run_->factory->ReadLog(*run_->sim, node, partition, from, std::min<size_t>(max_records, 10'000));
}

Result<view::BrokerDetailsView> Session::DescribeBroker(int32_t node) {
  return run_->factory->DescribeBroker(*run_->sim, node);
}

Result<view::RecordHistoryView> Session::RecordHistory(const PartitionRef& partition, std::string_view value) {
  return run_->factory->RecordHistory(*run_->sim, partition, value);
}

std::vector<view::FrameView> Session::FramesInFlight() {
  std::vector<view::FrameView> out;
  for (const Simulation::FrameInFlight& f : run_->sim->FramesInFlight()) {
    view::FrameView v;
    v.from = f.from.value();
    v.to = f.to.value();
    v.request = f.request;
    v.bytes = f.bytes.size() + 4;  // with the size prefix
    v.deliver_at_ns = f.deliver_at_ns;
    // Request header: api_key int16, api_version int16, correlation_id int32; response header:
    // correlation_id int32.
    const size_t corr_at = f.request ? 4 : 0;
    if (f.bytes.size() >= corr_at + 4)
      v.correlation_id = int32_t(LoadBe32(f.bytes.data() + corr_at));
    if (f.request && f.bytes.size() >= 2)
      v.api = std::string(ApiKeyName(ApiKey(int16_t((uint16_t(f.bytes[0]) << 8) | f.bytes[1]))));
    out.push_back(std::move(v));
  }
  return out;
}

const RunResult& Session::Finish() {
  if (finished_) return result_;
  Run& r = *run_;
  Simulation& sim = *r.sim;
  Advance(end_ns(), std::numeric_limits<uint64_t>::max());
  if (r.next_check_ns <= end_ns()) RunCheck(r.next_check_ns);  // the check at the end
  RunResult& out = result_;
  out.scenario_name = scenario_.name;
  out.seed = seed_;
  const std::vector<Violation> found = r.factory->CheckHistory(sim, r.state.timeline);
  // An event for each violation the history check found, up to max_violations_per_kind of each
  // kind (what the result keeps), then one that counts the rest of the kind: a run that loses
  // thousands of records must not bury its verdicts under as many timeline rows.
  const std::set<Violation> history(found.begin(), found.end());
  std::map<std::string, uint64_t> per_kind;
  auto add_event = [&](const Violation& v) {
    view::ClusterEvent e = ViolationEvent(v, scenario_);
    e.at_ns = sim.now_ns();
    e.event_index = sim.kernel().events_run();
    events_.push_back(std::move(e));
  };
  for (const Violation& v : history)
    if (++per_kind[v.kind] <= options_.max_violations_per_kind) add_event(v);
  for (const auto& [kind, n] : per_kind)
    if (n > options_.max_violations_per_kind)
      add_event({kind, "", -1, -1,
                 fmt::format("{} more of this kind, not listed one by one (the run's report counts them all)",
                             n - options_.max_violations_per_kind)});
  r.violations.insert(history.begin(), history.end());
  out.stats = r.factory->CollectStats(sim);
  out.stats.events = sim.kernel().events_run();
  out.stats.simulated_ms = sim.now_ns() / 1'000'000;

  // Judge.
  const std::set<Violation>& violations = r.violations;
  bool has_no_violations = false;
  for (const Expectation& e : scenario_.expectations)
    if (e.kind == ExpectKind::kNoViolations) has_no_violations = true;
  std::vector<const Violation*> unexpected;
  for (const Violation& v : violations)
    if (!scenario_.AllowsViolation(v.kind)) unexpected.push_back(&v);
  for (const Expectation& e : scenario_.expectations) {
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
      er = r.factory->Evaluate(e, sim, r.state.timeline);
      er.name = e.name;
    }
    out.expectations.push_back(std::move(er));
  }
  if (!unexpected.empty() && !has_no_violations)
    out.expectations.push_back(ExpectationResult{"no unexpected violations", false, Summarize(unexpected)});
  for (const ExpectationResult& er : out.expectations) {
    view::ClusterEvent e;
    e.at_ns = sim.now_ns();
    e.event_index = sim.kernel().events_run();
    e.kind = view::EventKind::kExpectation;
    e.text = er.name;
    e.passed = er.passed;
    e.detail = er.detail;
    events_.push_back(std::move(e));
  }

  out.violations_total = violations.size();
  for (const Violation& v : violations)  // sorted by kind first: each kind's first ones are kept
    if (++out.violations_by_kind[v.kind] <= options_.max_violations_per_kind) out.violations.push_back(v);
  for (const auto& [kind, n] : out.violations_by_kind)
    if (scenario_.AllowsViolation(kind)) out.allowed_violation_kinds.push_back(kind);
  out.passed = true;
  for (const auto& e : out.expectations) out.passed = out.passed && e.passed;
  out.trace_hash = sim.trace().hash();
  if (options_.keep_trace) out.trace_text = sim.trace().ToText();
  out.timeline = r.state.timeline;
  out.events = events_;
  if (options_.wall_clock_ms) {
    out.stats.wall_ms = options_.wall_clock_ms() - r.wall_start_ms;
    if (out.stats.wall_ms > 0) out.stats.sim_speed = double(out.stats.simulated_ms) / double(out.stats.wall_ms);
  }
  finished_ = true;
  return result_;
}

Result<std::string> Session::SaveYaml(std::string_view original) const {
  return ScenarioYamlWith(original, seed_, injections_);
}

Status Session::Rewind(int64_t t_ns) {
  if (!make_) return Status::FailedPrecondition("this session runs on a borrowed factory: it cannot rewind");
  if (t_ns < 0) return Status::InvalidArgument("cannot rewind before the start");
  if (t_ns >= now_ns() && !finished_) {  // nothing to undo: run forward
    RunUntil(t_ns);
    return Status::Ok();
  }
  if (Status st = Start(); !st.ok()) return st;
  RunUntil(t_ns);
  return Status::Ok();
}

Result<std::unique_ptr<Session>> Session::Branch(int64_t t_ns) const {
  if (!make_) return Status::FailedPrecondition("this session runs on a borrowed factory: it cannot branch");
  if (t_ns < 0) return Status::InvalidArgument("cannot branch before the start");
  Scenario sc = scenario_;
  for (const FaultStep& f : injections_)
    if (f.at_ns <= t_ns) sc.faults.push_back(f);
  std::unique_ptr<Session> s(new Session(std::move(sc), seed_, options_));
  s->make_ = make_;
  if (Status st = s->Start(); !st.ok()) return st;
  s->RunUntil(t_ns);
  return s;
}

}  // namespace samsa::sim
