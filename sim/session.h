#pragma once
// Session: one simulated run of a scenario that can be driven from outside: run to an instant,
// step one event, inject a fault or a workload change now, look at the cluster (a ClusterView,
// the events so far, a replica's log, the frames in flight), rewind, branch, save, and finish
// (judge the expectations). `samsa-sim run` and `sweep` are a session run to its end; the GUI
// drives one on a worker thread.
//
// Ownership: a session owns its Simulation, its ClusterFactory (which holds the checkers) and
// every piece of per-run state; nothing is process-wide, so sessions on different threads do
// not share anything.
//
// Time and checks: the run ends at run_for + settle. The factory's periodic CheckRuntime runs at
// every check_interval_ns (and at the end), after every event due at or before that instant and
// before any later one, exactly as a run straight to the end does, however the session is
// driven. While a session is idle at clock `now`, the checks before `now` have run and those at
// or after it have not.
//
// Recording: every injection is kept as a schedule entry (FaultStep) with at_ns = the clock and
// at_event = the number of events run when it was made. A scenario entry with at_event >= 0 is
// applied right after that many events have run, once every event up to at_ns has run (it is no
// kernel event of its own), so a saved session (SaveYaml: the original scenario plus its
// injections) replays to the same trace hash. Injections get their random draws (target
// resolution) from Prng(seed).Split("injections").Split(i), i counting at_event entries.
//
// Rewind(t) re-runs the same seed with the same recorded injections up to t (the injections
// after t stay recorded and replay when the session moves forward again); Branch(t) returns a
// new session at t holding only the injections up to t, the original untouched. Both need a
// session that owns its factory maker (Open, not Borrow).
//
// Determinism: everything but Stats::wall_ms is a pure function of (scenario, seed, injections).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/view/cluster_view.h"
#include "sim/cluster_factory.h"
#include "sim/scenario.h"
#include "sim/scenario_runner.h"

namespace samsa::sim {

using FactoryMaker = std::function<std::unique_ptr<ClusterFactory>(const Scenario&)>;

class Session {
 public:
  // A session that builds its own factories (MakeClusterFactory unless `make` is given): it can
  // rewind and branch. Fails when the factory cannot build a node of the scenario.
  static Result<std::unique_ptr<Session>> Open(Scenario scenario, uint64_t seed, RunOptions options = {},
                                               FactoryMaker make = {});
  // A session over a caller's factory (one pass: Rewind and Branch are refused).
  static Result<std::unique_ptr<Session>> Borrow(Scenario scenario, uint64_t seed, ClusterFactory& factory,
                                                 RunOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const Scenario& scenario() const { return scenario_; }
  uint64_t seed() const { return seed_; }
  int64_t now_ns() const;
  uint64_t event_index() const;
  int64_t end_ns() const { return scenario_.run_for_ns + scenario_.settle_ns; }
  bool at_end() const { return now_ns() >= end_ns(); }
  bool finished() const { return finished_; }
  uint64_t trace_hash() const;

  // Runs every event due at or before t (capped at the end), with the checks and recorded
  // injections due meanwhile, and sets the clock to t.
  void RunUntil(int64_t t_ns);
  void RunFor(int64_t duration_ns) { RunUntil(now_ns() + duration_ns); }
  // Runs exactly one event (with the checks due before it); false at the end or when nothing is
  // due before the end.
  bool Step();

  // Applies a schedule entry now and records it (at_ns and at_event are set here). Every fault
  // type and target of the scenario format, and set-rate, add-consumer, remove-consumer.
  // InvalidArgument (nothing applied or recorded) for a target that does not exist, a client of
  // the wrong kind, or a fault after run_for; FailedPrecondition once finished.
  Status Inject(FaultStep step);
  // Every entry injected (and every at_event entry of the scenario), in order.
  const std::vector<FaultStep>& injections() const { return injections_; }

  view::ClusterView View();
  const std::vector<view::ClusterEvent>& events() const { return events_; }
  Result<std::vector<view::LogRecordView>> ReadLog(int32_t node, const PartitionRef& partition, int64_t from,
                                                   size_t max_records);
  std::vector<view::FrameView> FramesInFlight();
  // A running broker's effective configuration (each value's source) and log segments.
  Result<view::BrokerDetailsView> DescribeBroker(int32_t node);
  // When the record with this value was sent, acknowledged and read (the clients' history).
  Result<view::RecordHistoryView> RecordHistory(const PartitionRef& partition, std::string_view value);

  // Runs to the end, then judges: CheckHistory, stats, expectations (each also becomes an
  // event, as does each violation found at the end). Idempotent.
  const RunResult& Finish();

  // The scenario text `original` (the file this session's scenario came from) with this
  // session's seed and injections.
  Result<std::string> SaveYaml(std::string_view original) const;

  // Back to instant t (0 <= t <= now); see the header comment.
  Status Rewind(int64_t t_ns);
  Result<std::unique_ptr<Session>> Branch(int64_t t_ns) const;

 private:
  struct Run;
  Session(Scenario scenario, uint64_t seed, RunOptions options);
  Status Start();
  // Advances to t with checks and recorded injections (t <= end); max_events bounds the events
  // run (Step uses 1).
  void Advance(int64_t t_ns, uint64_t max_events);
  void RunChecksBefore(int64_t t_ns);
  void RunCheck(int64_t at_ns);
  // Applies an entry now: a scripted one (its Prng from "scenario-faults" and its index) or an
  // injection (from "injections" and its ordinal).
  Status Apply(const FaultStep& step, size_t ordinal, bool injected);

  Scenario scenario_;
  uint64_t seed_;
  RunOptions options_;
  FactoryMaker make_;                // empty when borrowing
  ClusterFactory* borrowed_ = nullptr;
  std::vector<FaultStep> injections_;
  size_t next_injection_ = 0;        // the first injection not applied in the current run
  std::vector<view::ClusterEvent> events_;
  std::unique_ptr<Run> run_;
  bool finished_ = false;
  RunResult result_;
};

// Describes one scenario entry for timelines ("crash broker-2 (leader-of t-0) for 5s").
std::string DescribeStep(const FaultStep& step);

}  // namespace samsa::sim
