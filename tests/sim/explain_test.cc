// ExplainEvent (sim/explain.h): one sentence per cluster event, saying what happened and why,
// quoting the settings involved with their effective values. Events come from a real short
// session where one is cheap (ISR shrink and expand, fencing, a clean election, controller
// change) and from the unclean-election scenario; the causes no short run shows are made by hand.
#include "sim/explain.h"

#include <fmt/core.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "net/os/file_util.h"
#include "sim/scenario.h"
#include "sim/session.h"
#include "sim/view_json.h"

namespace samsa::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using view::ClusterEvent;
using view::EventCause;
using view::EventKind;

constexpr int64_t kS = 1'000'000'000;

// Dedicated controllers, so that broker faults never hit the quorum. Broker 3 (a follower of t-0
// at this seed) pauses for longer than replica.lag.time.max.ms but less than the session timeout
// (from its last heartbeat): it leaves the ISR for lag and rejoins. Then the leader of t-0 crashes for longer than
// the session timeout (fenced, new leader, ISR shrink; back: registered, unfenced), and the
// active controller crashes (a controller change).
constexpr const char* kScenario = R"(
name: explain
cluster:
  brokers: 3
  controller_only: [4, 5, 6]
  controllers: [4, 5, 6]
  config:
    min.insync.replicas: 1
    broker.session.timeout.ms: 6s
    replica.lag.time.max.ms: 1500ms
topics:
  - { name: t, partitions: 1, replication.factor: 3 }
workload:
  producers: [{ topic: t, rate_per_s: 100, acks: all }]
faults:
  - { at: 5s, pause: 3, for: 3s }
  - { at: 10s, crash: leader-of t-0, for: 8s }
  - { at: 20s, crash: controller, for: 3s }
run_for: 24s
)";
constexpr uint64_t kSeed = 3;

Scenario Parse(const std::string& text, const std::string& name = "explain.yaml") {
  Result<Scenario> s = ParseScenario(text, name);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Scenario{};
}

std::string Dump(const std::vector<ClusterEvent>& events) {
  std::string out;
  for (const ClusterEvent& e : events) out += FormatEventLine(e) + "\n";
  return out;
}

// One run of kScenario shared by the tests (a few simulated seconds).
class ExplainSessionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scenario_ = new Scenario(Parse(kScenario));
    Result<std::unique_ptr<Session>> session = Session::Open(*scenario_, kSeed);
    ASSERT_TRUE(session.ok()) << session.status().message();
    (*session)->RunUntil(scenario_->run_for_ns);
    events_ = new std::vector<ClusterEvent>((*session)->events());
  }
  static void TearDownTestSuite() {
    delete events_;
    delete scenario_;
    events_ = nullptr;
    scenario_ = nullptr;
  }
  const ClusterEvent* Find(const std::function<bool(const ClusterEvent&)>& f) const {
    for (const ClusterEvent& e : *events_)
      if (f(e)) return &e;
    return nullptr;
  }
  const ClusterEvent* Find(EventKind kind, EventCause cause) const {
    return Find([&](const ClusterEvent& e) { return e.kind == kind && e.cause == cause; });
  }
  std::string All() const { return Dump(*events_); }

  static Scenario* scenario_;
  static std::vector<ClusterEvent>* events_;
};
Scenario* ExplainSessionTest::scenario_ = nullptr;
std::vector<ClusterEvent>* ExplainSessionTest::events_ = nullptr;

TEST_F(ExplainSessionTest, IsrShrinkForLagNamesTheSetTheReplicaAndTheSetting) {
  const ClusterEvent* e = Find(EventKind::kIsrShrink, EventCause::kLagged);
  ASSERT_NE(e, nullptr) << All();
  EXPECT_EQ(e->replica, 3) << All();
  ASSERT_FALSE(e->isr.empty());
  EXPECT_EQ(std::count(e->isr.begin(), e->isr.end(), 3), 0);
  const std::string line = ExplainEvent(*e, *scenario_);
  EXPECT_EQ(line, "ISR of t-0 shrank to {1,2}: broker 3 fell behind for longer than replica.lag.time.max.ms (1.5 s)")
      << All();
}

TEST_F(ExplainSessionTest, IsrExpandWhenCaughtUp) {
  const ClusterEvent* e = Find(EventKind::kIsrExpand, EventCause::kCaughtUp);
  ASSERT_NE(e, nullptr) << All();
  const std::string line = ExplainEvent(*e, *scenario_);
  EXPECT_THAT(line, HasSubstr("ISR of t-0 grew to {1,2,3}: broker 3 caught up with the log end offset of the leader"));
  EXPECT_THAT(line, HasSubstr(fmt::format("(broker {})", e->leader)));
}

TEST_F(ExplainSessionTest, CreatedPartitionGetsALeader) {
  const ClusterEvent* e = Find(EventKind::kLeaderElected, EventCause::kCreated);
  ASSERT_NE(e, nullptr) << All();
  const std::string line = ExplainEvent(*e, *scenario_);
  EXPECT_THAT(line, HasSubstr(fmt::format("Broker {} became leader of t-0 (leader epoch 0, ISR {{1,2,3}})", e->leader)));
  EXPECT_THAT(line, HasSubstr("the partition was just created"));
}

TEST_F(ExplainSessionTest, FencingSaysTheSessionTimeoutAndItsValue) {
  const ClusterEvent* e = Find(EventKind::kBrokerFenced, EventCause::kMissedHeartbeats);
  ASSERT_NE(e, nullptr) << All();
  EXPECT_GT(e->at_ns, 10 * kS) << "only the crashed leader is fenced\n" << All();
  const std::string line = ExplainEvent(*e, *scenario_);
  EXPECT_THAT(line, HasSubstr(fmt::format("Broker {} was fenced: the controller heard no heartbeat from broker {} for "
                                          "broker.session.timeout.ms (6 s)",
                                          e->replica, e->replica)));
  // The ISR loses the fenced broker for the same reason.
  const ClusterEvent* shrink = Find(EventKind::kIsrShrink, EventCause::kBrokerFenced);
  ASSERT_NE(shrink, nullptr) << All();
  EXPECT_EQ(shrink->replica, e->replica);
  const std::string shrink_line = ExplainEvent(*shrink, *scenario_);
  EXPECT_THAT(shrink_line, HasSubstr("ISR of t-0 shrank to {"));
  EXPECT_THAT(shrink_line, HasSubstr(fmt::format("broker {} was fenced after the controller heard no heartbeat from it",
                                                 e->replica)));
  EXPECT_THAT(shrink_line, HasSubstr("broker.session.timeout.ms (6 s)"));
}

TEST_F(ExplainSessionTest, CleanElectionAfterTheLeaderWasFenced) {
  const ClusterEvent* e = Find(EventKind::kLeaderElected, EventCause::kLeaderFenced);
  ASSERT_NE(e, nullptr) << All();
  ASSERT_FALSE(e->unclean);
  const std::string line = ExplainEvent(*e, *scenario_);
  EXPECT_THAT(line, HasSubstr(fmt::format("Broker {} became leader of t-0 (leader epoch {}, ISR ", e->leader, e->epoch)));
  EXPECT_THAT(line, HasSubstr(fmt::format("the previous leader, broker {}, was fenced after the controller heard no "
                                          "heartbeat from it",
                                          e->previous_leader)));
  EXPECT_THAT(line, HasSubstr("broker.session.timeout.ms (6 s)"));
  EXPECT_THAT(line, Not(HasSubstr("UNCLEAN")));
}

TEST_F(ExplainSessionTest, RegisteredAndUnfencedAfterTheRestart) {
  const ClusterEvent* fenced = Find(EventKind::kBrokerFenced, EventCause::kMissedHeartbeats);
  ASSERT_NE(fenced, nullptr) << All();
  const ClusterEvent* registered = Find([&](const ClusterEvent& e) {
    return e.kind == EventKind::kBrokerRegistered && e.replica == fenced->replica && e.at_ns > fenced->at_ns;
  });
  ASSERT_NE(registered, nullptr) << All();
  EXPECT_THAT(ExplainEvent(*registered, *scenario_),
              HasSubstr(fmt::format("Broker {} registered with the controller (broker epoch {}): it starts fenced",
                                    registered->replica, registered->epoch)));
  const ClusterEvent* unfenced = Find([&](const ClusterEvent& e) {
    return e.kind == EventKind::kBrokerUnfenced && e.replica == fenced->replica && e.at_ns > fenced->at_ns;
  });
  ASSERT_NE(unfenced, nullptr) << All();
  EXPECT_THAT(ExplainEvent(*unfenced, *scenario_),
              HasSubstr(fmt::format("Broker {} was unfenced: it has caught up with the metadata log", unfenced->replica)));
}

TEST_F(ExplainSessionTest, ControllerChange) {
  const ClusterEvent* first = Find([](const ClusterEvent& e) { return e.kind == EventKind::kControllerChange; });
  ASSERT_NE(first, nullptr) << All();
  EXPECT_THAT(ExplainEvent(*first, *scenario_),
              HasSubstr(fmt::format("Node {} became the active controller (Raft epoch {}): the controller voters elected "
                                    "it",
                                    first->leader, first->epoch)));
  const ClusterEvent* next = Find([](const ClusterEvent& e) {
    return e.kind == EventKind::kControllerChange && e.previous_leader >= 0 && e.previous_leader != e.leader;
  });
  ASSERT_NE(next, nullptr) << All();
  const std::string line = ExplainEvent(*next, *scenario_);
  EXPECT_THAT(line, HasSubstr(fmt::format("Node {} became the active controller (Raft epoch {}), replacing node {}",
                                          next->leader, next->epoch, next->previous_leader)));
  EXPECT_THAT(line, HasSubstr("controller.quorum.fetch.timeout.ms (2 s)"));  // the default
}

TEST_F(ExplainSessionTest, FaultsAndReverts) {
  const ClusterEvent* pause = Find([](const ClusterEvent& e) { return e.kind == EventKind::kFault; });
  ASSERT_NE(pause, nullptr) << All();
  EXPECT_EQ(ExplainEvent(*pause, *scenario_),
            "Fault injected: pause broker-3 for 3s — the process freezes (think of a long GC pause) and neither sends "
            "nor answers, but keeps its state");
  const ClusterEvent* crash = Find([](const ClusterEvent& e) {
    return e.kind == EventKind::kFault && e.text.rfind("crash", 0) == 0;
  });
  ASSERT_NE(crash, nullptr) << All();
  EXPECT_THAT(ExplainEvent(*crash, *scenario_), HasSubstr("(leader-of t-0) for 8s — the process dies at once"));
  const ClusterEvent* resume = Find([](const ClusterEvent& e) { return e.kind == EventKind::kRevert; });
  ASSERT_NE(resume, nullptr) << All();
  EXPECT_EQ(ExplainEvent(*resume, *scenario_),
            "Fault reverted: resume broker-3 — the frozen process runs again, unaware that time has passed");
}

TEST_F(ExplainSessionTest, EveryEventGetsOneSentence) {
  for (const ClusterEvent& e : *events_) {
    const std::string line = ExplainEvent(e, *scenario_);
    EXPECT_FALSE(line.empty()) << FormatEventLine(e);
    EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  }
}

// The setting's value comes from the scenario: an override shows, and without one the broker
// default (Kafka's: 30 s) does.
TEST(ExplainTest, LagSettingQuotesTheEffectiveValue) {
  ClusterEvent e;
  e.kind = EventKind::kIsrShrink;
  e.cause = EventCause::kLagged;
  e.topic = "orders";
  e.partition = 0;
  e.replica = 3;
  e.leader = 1;
  e.isr = {1, 2};
  Scenario defaults;
  EXPECT_EQ(ExplainEvent(e, defaults),
            "ISR of orders-0 shrank to {1,2}: broker 3 fell behind for longer than replica.lag.time.max.ms (30 s)");
  Scenario overridden = Parse(R"(
name: lag
cluster: { brokers: 3, controllers: [1, 2, 3], config: { replica.lag.time.max.ms: 10s } }
run_for: 1s
)");
  EXPECT_EQ(overridden.cluster.config.at("replica.lag.time.max.ms"), "10000");
  EXPECT_EQ(ExplainEvent(e, overridden),
            "ISR of orders-0 shrank to {1,2}: broker 3 fell behind for longer than replica.lag.time.max.ms (10 s)");
  overridden.cluster.config["replica.lag.time.max.ms"] = "500";
  EXPECT_THAT(ExplainEvent(e, overridden), HasSubstr("replica.lag.time.max.ms (500 ms)"));
}

// A real unclean election: scenarios/unclean-election-loss.yaml, run to just after it.
TEST(ExplainTest, UncleanElectionFromTheScenario) {
  const std::string path = std::string(SAMSA_SOURCE_DIR) + "/scenarios/unclean-election-loss.yaml";
  Result<std::string> text = os::ReadFileToString(path);
  ASSERT_TRUE(text.ok());
  const Scenario s = Parse(*text, path);
  Result<std::unique_ptr<Session>> session = Session::Open(s, s.seed.value_or(1));
  ASSERT_TRUE(session.ok()) << session.status().message();
  (*session)->RunUntil(24 * kS);
  const std::vector<ClusterEvent>& events = (*session)->events();
  const ClusterEvent* unclean = nullptr;
  for (const ClusterEvent& e : events)
    if (e.kind == EventKind::kLeaderElected && e.unclean && unclean == nullptr) unclean = &e;
  ASSERT_NE(unclean, nullptr) << Dump(events);
  const std::string line = ExplainEvent(*unclean, s);
  EXPECT_THAT(line, HasSubstr(fmt::format("UNCLEAN election on ledger-0: broker {} became leader", unclean->leader)));
  EXPECT_THAT(line, HasSubstr("although it was not in the ISR; records the old leader"));
  EXPECT_THAT(line, HasSubstr("acknowledged may be lost, because unclean.leader.election.enable is true"));
  EXPECT_THAT(line, HasSubstr(fmt::format("the old leader (broker {})", unclean->previous_leader)));
  // The frozen follower had left the ISR because it was fenced, for this scenario's session timeout.
  const ClusterEvent* shrink = nullptr;
  for (const ClusterEvent& e : events)
    if (e.kind == EventKind::kIsrShrink && e.replica == unclean->leader && shrink == nullptr) shrink = &e;
  ASSERT_NE(shrink, nullptr) << Dump(events);
  EXPECT_THAT(ExplainEvent(*shrink, s), HasSubstr(fmt::format("ISR of ledger-0 shrank to {{{}}}", unclean->previous_leader)));
  EXPECT_THAT(ExplainEvent(*shrink, s), HasSubstr("broker.session.timeout.ms (3 s)"));
}

// A topic's own unclean.leader.election.enable wins over the cluster's.
TEST(ExplainTest, UncleanSettingComesFromTheTopicFirst) {
  Scenario s = Parse(R"(
name: topic-unclean
cluster: { brokers: 3, controllers: [1, 2, 3], config: { unclean.leader.election.enable: false } }
topics:
  - { name: ledger, partitions: 1, replication.factor: 2, config: { unclean.leader.election.enable: true } }
  - { name: other, partitions: 1, replication.factor: 2 }
run_for: 1s
)");
  ClusterEvent e;
  e.kind = EventKind::kLeaderElected;
  e.cause = EventCause::kLeaderless;
  e.unclean = true;
  e.topic = "ledger";
  e.partition = 0;
  e.leader = 2;
  e.epoch = 3;
  e.isr = {2};
  EXPECT_EQ(ExplainEvent(e, s),
            "UNCLEAN election on ledger-0: broker 2 became leader (leader epoch 3) although it was not in the ISR; "
            "records the old leader acknowledged may be lost, because unclean.leader.election.enable is true");
  // Offline, on a topic where unclean elections are off: the sentence says why nobody took over.
  e.topic = "other";
  e.leader = -1;
  e.unclean = false;
  e.cause = EventCause::kLeaderFenced;
  e.previous_leader = 1;
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("other-0 has no leader (leader epoch 3) and is offline: the previous "
                                            "leader, broker 1, was fenced"));
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("unclean.leader.election.enable is false"));
}

ClusterEvent Election(EventCause cause, int32_t leader, int32_t previous) {
  ClusterEvent e;
  e.kind = EventKind::kLeaderElected;
  e.cause = cause;
  e.topic = "orders";
  e.partition = 2;
  e.leader = leader;
  e.previous_leader = previous;
  e.epoch = 7;
  e.isr = {1, 2, 3};
  return e;
}

TEST(ExplainTest, CleanElectionCauses) {
  const Scenario s;
  EXPECT_EQ(ExplainEvent(Election(EventCause::kLeaderShutdown, 2, 1), s),
            "Broker 2 became leader of orders-2 (leader epoch 7, ISR {1,2,3}): the previous leader, broker 1, is in "
            "controlled shutdown and hands its leaderships to in-sync replicas");
  EXPECT_THAT(ExplainEvent(Election(EventCause::kLeaderFenced, 2, 1), s),
              HasSubstr("broker 1, was fenced after the controller heard no heartbeat from it for "
                        "broker.session.timeout.ms (9 s)"));
  EXPECT_THAT(ExplainEvent(Election(EventCause::kLeaderLeftIsr, 2, 1), s),
              HasSubstr("the previous leader, broker 1, left the ISR"));
  EXPECT_EQ(ExplainEvent(Election(EventCause::kPreferred, 1, 3), s),
            "Broker 1 became leader of orders-2 (leader epoch 7, ISR {1,2,3}): leadership went back to its preferred "
            "replica (the first in its assignment), taking it from broker 3");
  EXPECT_THAT(ExplainEvent(Election(EventCause::kLeaderless, 3, -1), s),
              HasSubstr("the partition had no leader, and broker 3 became eligible again"));
  EXPECT_THAT(ExplainEvent(Election(EventCause::kReassigned, 3, 1), s), HasSubstr("the partition's replica set changed"));
  EXPECT_THAT(ExplainEvent(Election(EventCause::kNone, 1, 1), s),
              HasSubstr("Broker 1 stays leader of orders-2, in a new leader epoch (leader epoch 7"));
}

ClusterEvent IsrChange(EventKind kind, EventCause cause, int32_t replica, std::vector<int32_t> isr) {
  ClusterEvent e;
  e.kind = kind;
  e.cause = cause;
  e.topic = "orders";
  e.partition = 0;
  e.replica = replica;
  e.leader = 1;
  e.isr = std::move(isr);
  return e;
}

TEST(ExplainTest, IsrShrinkAndExpandCauses) {
  const Scenario s;
  EXPECT_EQ(ExplainEvent(IsrChange(EventKind::kIsrShrink, EventCause::kBrokerFenced, 3, {1, 2}), s),
            "ISR of orders-0 shrank to {1,2}: broker 3 was fenced after the controller heard no heartbeat from it for "
            "broker.session.timeout.ms (9 s)");
  EXPECT_EQ(ExplainEvent(IsrChange(EventKind::kIsrShrink, EventCause::kBrokerShutdown, 3, {1, 2}), s),
            "ISR of orders-0 shrank to {1,2}: broker 3 is shutting down (a controlled shutdown), so the controller "
            "took it out");
  EXPECT_THAT(ExplainEvent(IsrChange(EventKind::kIsrShrink, EventCause::kRegistration, 3, {1, 2}), s),
              HasSubstr("broker 3 registered again after a restart"));
  EXPECT_THAT(ExplainEvent(IsrChange(EventKind::kIsrShrink, EventCause::kElection, 3, {1}), s),
              HasSubstr("ISR of orders-0 shrank to {1}: broker 3 was dropped when broker 1 was elected"));
  EXPECT_EQ(ExplainEvent(IsrChange(EventKind::kIsrExpand, EventCause::kCaughtUp, 3, {1, 2, 3}), s),
            "ISR of orders-0 grew to {1,2,3}: broker 3 caught up with the log end offset of the leader (broker 1) and "
            "rejoined");
  EXPECT_THAT(ExplainEvent(IsrChange(EventKind::kIsrExpand, EventCause::kElection, 1, {1}), s),
              HasSubstr("ISR of orders-0 grew to {1}: broker 1 joined it on being elected leader"));
}

TEST(ExplainTest, BrokerFencingCauses) {
  const Scenario s;
  ClusterEvent e;
  e.kind = EventKind::kBrokerFenced;
  e.replica = 2;
  e.cause = EventCause::kMissedHeartbeats;
  EXPECT_EQ(ExplainEvent(e, s),
            "Broker 2 was fenced: the controller heard no heartbeat from broker 2 for broker.session.timeout.ms (9 s), "
            "so it may no longer lead partitions");
  e.cause = EventCause::kBrokerShutdown;
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("Broker 2 was fenced: it completed its controlled shutdown"));
  e.cause = EventCause::kRegistration;
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("Broker 2 was fenced: it registered again"));
}

TEST(ExplainTest, ViolationSaysWhatTheKindMeans) {
  const Scenario s;
  ClusterEvent e;
  e.kind = EventKind::kViolation;
  e.text = "acked-lost";
  e.topic = "ledger";
  e.partition = 0;
  e.detail = "offset 812 acknowledged at 12.3s is not in the final log (leader 2, HW 790)";
  EXPECT_EQ(ExplainEvent(e, s),
            "VIOLATION acked-lost on ledger-0 (an acknowledged record is missing from the partition's final log): "
            "offset 812 acknowledged at 12.3s is not in the final log (leader 2, HW 790)");
  e.text = "multiple-leaders";
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("two brokers led the same partition in the same leader epoch at once"));
  e.text = "liveness";
  e.topic.clear();
  e.partition = -1;
  e.detail = "no broker is up at the end of the settle phase";
  EXPECT_EQ(ExplainEvent(e, s),
            "VIOLATION liveness (the cluster did not recover (no broker, or no leader) by the end of the settle "
            "phase): no broker is up at the end of the settle phase");
  // A kind the scenario tolerates or expects is said to be expected.
  EXPECT_THAT(ExplainEvent(e, s), Not(HasSubstr("expected in this scenario")));
  e.allowed = true;
  EXPECT_EQ(ExplainEvent(e, s),
            "VIOLATION liveness (the cluster did not recover (no broker, or no leader) by the end of the settle "
            "phase) — expected in this scenario, so it does not fail the run: no broker is up at the end of the "
            "settle phase");
  e.allowed = false;
  // Every kind a scenario may name has a meaning.
  for (const std::string& kind : KnownViolationKinds()) {
    e.text = kind;
    EXPECT_THAT(ExplainEvent(e, s), HasSubstr("VIOLATION " + kind + " (")) << kind;
  }
}

TEST(ExplainTest, VerdictSumsUpTheExpectations) {
  const Scenario s;
  std::vector<ClusterEvent> events(1);
  events[0].kind = EventKind::kCaption;
  events[0].text = "not a verdict";
  EXPECT_EQ(ExplainVerdict(events, s), "");
  auto verdict = [](const char* name, bool passed, const char* detail) {
    ClusterEvent e;
    e.kind = EventKind::kExpectation;
    e.text = name;
    e.passed = passed;
    e.detail = detail;
    return e;
  };
  events.push_back(verdict("no_violations", true, "no unexpected violation (0 checked)"));
  EXPECT_EQ(ExplainVerdict(events, s), "The run passed: its expectation held.");
  events.push_back(verdict("all_acked_readable", true, "all 10 acknowledged records readable"));
  EXPECT_EQ(ExplainVerdict(events, s), "The run passed: all 2 expectations held.");
  events.push_back(verdict("lag_below at=45s messages=100", false, "largest consumer lag 400 at 45.000s (limit 100)"));
  events.push_back(verdict("producers_make_progress", false, "0 acknowledgements after 40.000s"));
  EXPECT_EQ(ExplainVerdict(events, s),
            "The run FAILED (2 of 4 expectations failed). Expectation lag_below at=45s messages=100 FAILED: largest "
            "consumer lag 400 at 45.000s (limit 100)");
}

TEST(ExplainTest, CaptionWorkloadAndExpectation) {
  const Scenario s;
  ClusterEvent e;
  e.kind = EventKind::kCaption;
  e.text = "watch the ISR of orders-0";
  EXPECT_EQ(ExplainEvent(e, s), "watch the ISR of orders-0");
  e.kind = EventKind::kWorkload;
  e.text = "set-rate: producer 1001 now sends 100 records/s";
  EXPECT_EQ(ExplainEvent(e, s), "Workload changed: set-rate: producer 1001 now sends 100 records/s");
  e.kind = EventKind::kExpectation;
  e.text = "new_leader_within orders-0 after=10s within=5s";
  e.passed = false;
  e.detail = "no new leader by 15s";
  EXPECT_EQ(ExplainEvent(e, s), "Expectation new_leader_within orders-0 after=10s within=5s FAILED: no new leader by 15s");
  e.passed = true;
  e.detail = "broker 2 leads at 11.2s";
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("PASSED: broker 2 leads at 11.2s"));
  e.kind = EventKind::kRevert;
  e.text = "faults stop: everything healed; the cluster settles";
  EXPECT_THAT(ExplainEvent(e, s), HasSubstr("from now on the cluster runs without faults"));
}

TEST(ExplainTest, HumanDurations) {
  EXPECT_EQ(HumanMs(0), "0 ms");
  EXPECT_EQ(HumanMs(500), "500 ms");
  EXPECT_EQ(HumanMs(1000), "1 s");
  EXPECT_EQ(HumanMs(1500), "1.5 s");
  EXPECT_EQ(HumanMs(1250), "1.25 s");
  EXPECT_EQ(HumanMs(10000), "10 s");
  EXPECT_EQ(HumanMs(30000), "30 s");
  EXPECT_EQ(HumanMs(120000), "2 min");
  EXPECT_EQ(HumanMs(90000), "90 s");
  EXPECT_EQ(HumanMs(7'200'000), "2 h");
  EXPECT_EQ(HumanMs(-2000), "-2 s");
}

}  // namespace
}  // namespace samsa::sim
