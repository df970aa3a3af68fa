#pragma once
// ClusterFactory: how the scenario runner (sim/scenario_runner.h) gets its nodes and its
// broker-specific knowledge. The runner knows scenarios, faults, timelines and reports; a factory
// knows what a broker, a producer and a consumer are, and how to judge them.
//
// Contract, in the order the runner calls it (one factory object serves one run at a time; the
// runner calls nothing concurrently):
//   Broker(scenario, id)      once per server node (brokers 1..N, then controller_only ids)
//   Producer(scenario, spec, id), Consumer(scenario, spec, id)
//                             once per client (a spec with count: K gives K calls, ids from
//                             kFirstClientId up, producers first). Clients are added at time 0
//                             and honour spec.start_ns / stop_ns themselves.
//                             An empty NodeFactory means "cannot build this": the run fails at
//                             set-up with RunResult::error.
//   InstallProviders(sim)     once, after every node is added and before time advances: set
//                             sim.providers() (partition leaders, active controller) and attach
//                             any observers (frame observer, history recorders).
//   LeaderOf(sim, partition)  at fault time, for the "leader-of TOPIC-N" target (empty: none);
//   FollowersOf(sim, partition) likewise for "followers-of TOPIC-N" (replicas but the leader;
//                             "follower-of TOPIC-N" draws one of them);
//   IsrOf(sim, partition)     likewise for "isr-of TOPIC-N" (the current ISR).
//   CheckRuntime(sim)         every RunOptions::check_interval_ns of simulated time.
//   CheckHistory(sim, timeline)
//                             once at the end (may crash nodes to inspect durable state); the
//                             timeline lists the faults fired (to attribute losses to them).
//   CollectStats(sim)         once at the end, after CheckHistory.
//   Evaluate(expectation, sim, timeline)
//                             for each expectation the runner cannot judge itself (every kind but
//                             no_violations and violation), after CollectStats.
// Observation and control (sim/session.h), at any time after InstallProviders:
//   Describe(sim, view)       the brokers, topics and clients of a ClusterView (the session adds
//                             the instant and the links);
//   set_event_log(log)        before InstallProviders: where the factory appends the events it
//                             derives (elections, ISR changes, registrations, fencing, controller
//                             changes, runtime violations), in time order;
//   SetRate, StopConsumer     workload changes now (the caller drains the node);
//   ReadLog                   a replica's records;
//   DescribeBroker            a broker's configuration and log segments;
//   RecordHistory             when a record was sent, acknowledged and read.
// None of these may draw from the simulation's random streams or schedule events in a way that
// depends on anything but the simulation's state (determinism).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "core/base/status.h"
#include "core/view/cluster_view.h"
#include "sim/history_checker.h"  // Violation {kind, topic, partition, offset, detail}
#include "sim/scenario.h"
#include "sim/simulation.h"

namespace samsa::sim {

struct ExpectationResult {
  std::string name;  // Expectation::name
  bool passed = false;
  std::string detail;  // why, in plain words ("orders-0: leader 2 -> 3 at 11.204s")
};

struct TimelineEntry {
  int64_t at_ns = 0;
  std::string kind;     // "caption", "fault", "revert", "nemesis", "heal", "phase"
  std::string text;     // the caption, or what was done ("crash broker-2 (leader-of orders-0)")
  std::vector<int32_t> nodes;  // nodes a fault resolved to (sorted; empty for captions)
};

// What happened during a run, in order of virtual time.
struct RunTimeline {
  std::vector<TimelineEntry> entries;
  int64_t faults_end_ns = 0;  // run_for: faults stop (heal-all when settle > 0)
  int64_t end_ns = 0;         // run_for + settle

  // Times at which a fault of this kind ("crash", "partition"...) was applied.
  std::vector<int64_t> FaultTimes(std::string_view fault_kind) const;
};

struct Stats {
  uint64_t events = 0;
  int64_t simulated_ms = 0;
  int64_t wall_ms = 0;
  uint64_t produced = 0;  // sends invoked
  uint64_t acked = 0;     // sends acknowledged
  uint64_t consumed = 0;  // records read
  uint64_t batch_sends = 0;  // record batches the producers sent (a retry counts again)
  double sim_speed = 0;   // simulated seconds per wall second (0 when wall time is unknown)
};

class ClusterFactory {
 public:
  virtual ~ClusterFactory() = default;
  virtual NodeFactory Broker(const Scenario& scenario, int32_t node_id) = 0;
  virtual NodeFactory Producer(const Scenario& scenario, const ProducerSpec& spec, int32_t client_id) = 0;
  virtual NodeFactory Consumer(const Scenario& scenario, const ConsumerSpec& spec, int32_t client_id) = 0;
  virtual void InstallProviders(Simulation&) {}
  virtual std::vector<NodeId> LeaderOf(Simulation&, const PartitionRef&) { return {}; }
  virtual std::vector<NodeId> FollowersOf(Simulation&, const PartitionRef&) { return {}; }
  virtual std::vector<NodeId> IsrOf(Simulation&, const PartitionRef&) { return {}; }
  virtual std::vector<Violation> CheckRuntime(Simulation&) { return {}; }
  virtual std::vector<Violation> CheckHistory(Simulation&, const RunTimeline&) { return {}; }
  virtual ExpectationResult Evaluate(const Expectation& expectation, Simulation& sim, const RunTimeline& timeline) = 0;
  virtual Stats CollectStats(Simulation&) { return {}; }

  virtual void Describe(Simulation&, view::ClusterView*) {}
  void set_event_log(std::vector<view::ClusterEvent>* log) { events_ = log; }
  virtual Status SetRate(Simulation&, int32_t client, int64_t) {
    return Status::Unsupported(fmt::format("client {}: this cluster has no producers", client));
  }
  virtual Status StopConsumer(Simulation&, int32_t client) {
    return Status::Unsupported(fmt::format("client {}: this cluster has no consumers", client));
  }
  virtual Result<std::vector<view::LogRecordView>> ReadLog(Simulation&, int32_t node, const PartitionRef&,
                                                           int64_t /*from*/, size_t /*max_records*/) {
    return Status::Unsupported(fmt::format("node {} keeps no partition logs in this cluster", node));
  }
  // The clients' history of the record with this value in `partition`.
  virtual Result<view::RecordHistoryView> RecordHistory(Simulation&, const PartitionRef&, std::string_view /*value*/) {
    return Status::Unsupported("this cluster keeps no client history");
  }
  // A running broker's effective configuration (with where each value came from) and segments.
  virtual Result<view::BrokerDetailsView> DescribeBroker(Simulation&, int32_t node) {
    return Status::Unsupported(fmt::format("node {} has no broker configuration in this cluster", node));
  }

 protected:
  // Appends an event at the simulation's current instant (when an event log is set).
  void Emit(Simulation& sim, view::ClusterEvent event) {
    if (events_ == nullptr) return;
    event.at_ns = sim.now_ns();
    event.event_index = sim.kernel().events_run();
    events_->push_back(std::move(event));
  }
  std::vector<view::ClusterEvent>* events_ = nullptr;
};

// The cluster event that reports a violation (the caller sets the instant): marked allowed when
// the scenario tolerates or expects its kind. The runtime checks and the history check use it.
inline view::ClusterEvent ViolationEvent(const Violation& v, const Scenario& scenario) {
  view::ClusterEvent e;
  e.kind = view::EventKind::kViolation;
  e.text = v.kind;
  e.topic = v.topic;
  e.partition = v.partition;
  e.detail = v.detail;
  e.allowed = scenario.AllowsViolation(v.kind);
  return e;
}

// A node's process as a view shows it: up, down or paused.
inline view::ProcessState ProcessOf(const Simulation& sim, NodeId id) {
  return !sim.IsUp(id) ? view::ProcessState::kDown : sim.IsPaused(id) ? view::ProcessState::kPaused : view::ProcessState::kUp;
}

// A new factory for a scenario: the toy factory for `cluster.kind: toy`, else the samsa factory
// (SamsaClusterFactory: real broker nodes). One factory serves one run; factories share no state,
// so runs on several threads each use their own.
std::unique_ptr<ClusterFactory> MakeClusterFactory(const Scenario& scenario);

}  // namespace samsa::sim
