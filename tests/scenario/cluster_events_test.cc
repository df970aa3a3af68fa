// Cluster events (core/view/cluster_view.h), each kind caused by a scenario that causes it, with
// its cause in data; and the ClusterView of the same runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "net/os/file_util.h"
#include "sim/scenario.h"
#include "sim/session.h"
#include "sim/view_json.h"

namespace samsa::sim {
namespace {

using view::ClusterEvent;
using view::EventCause;
using view::EventKind;

constexpr int64_t kS = 1'000'000'000;

// With dedicated controllers, so that a broker fault never hits the quorum: the follower pauses
// for less than the broker session timeout but longer than replica.lag.time.max.ms (the ISR
// shrinks for lag, then expands when it catches up); the producer's rate changes; the leader
// crashes (fenced, new leader, ISR shrink, re-registration, unfencing); the active controller
// crashes (controller change).
constexpr const char* kScenario = R"(
name: events
seed: 2
cluster:
  brokers: 3
  controller_only: [4, 5, 6]
  controllers: [4, 5, 6]
  config:
    min.insync.replicas: 1
    broker.session.timeout.ms: 6s
    replica.lag.time.max.ms: 1s
topics:
  - { name: t, partitions: 1, replication.factor: 2 }
workload:
  producers: [{ topic: t, rate_per_s: 300, acks: all }]
  consumers: [{ topic: t, from: earliest }]
captions:
  - { at: 1s, text: "watch t-0" }
faults:
  - { at: 5s, pause: followers-of t-0, for: 3s }
  - { at: 9s, set-rate: 1001, rate: 100 }
  - { at: 12s, crash: leader-of t-0, for: 8s }
  - { at: 26s, crash: controller, for: 4s }
run_for: 34s
settle: 10s
tolerate: [duplicate]
expect:
  - no_violations
)";

std::vector<ClusterEvent> RunEvents(const Scenario& s, uint64_t seed) {
  Result<std::unique_ptr<Session>> session = Session::Open(s, seed);
  EXPECT_TRUE(session.ok()) << session.status().message();
  (*session)->Finish();
  return (*session)->events();
}

const ClusterEvent* Find(const std::vector<ClusterEvent>& events, const std::function<bool(const ClusterEvent&)>& f) {
  for (const ClusterEvent& e : events)
    if (f(e)) return &e;
  return nullptr;
}

std::string Dump(const std::vector<ClusterEvent>& events) {
  std::string out;
  for (const ClusterEvent& e : events) out += FormatEventLine(e) + "\n";
  return out;
}

TEST(ClusterEventsTest, EachKindWithItsCause) {
  Result<Scenario> s = ParseScenario(kScenario, "events.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  const std::vector<ClusterEvent> events = RunEvents(*s, 2);
  const std::string all = Dump(events);
  auto kind = [&](EventKind k, EventCause c = EventCause::kNone) {
    return Find(events, [&](const ClusterEvent& e) { return e.kind == k && (c == EventCause::kNone || e.cause == c); });
  };
  // In time order, with event indexes that never go back.
  for (size_t i = 1; i < events.size(); ++i) {
    EXPECT_LE(events[i - 1].at_ns, events[i].at_ns) << all;
    EXPECT_LE(events[i - 1].event_index, events[i].event_index) << all;
  }
  const ClusterEvent* created = kind(EventKind::kLeaderElected, EventCause::kCreated);
  ASSERT_NE(created, nullptr) << all;
  EXPECT_EQ(created->topic, "t");
  EXPECT_GE(created->leader, 1);

  const ClusterEvent* lagged = kind(EventKind::kIsrShrink, EventCause::kLagged);
  ASSERT_NE(lagged, nullptr) << all;
  EXPECT_GE(lagged->at_ns, 6 * kS) << "the follower pauses at 5s and lags for 1s";
  EXPECT_LT(lagged->at_ns, 8 * kS) << all;
  const ClusterEvent* caught_up = kind(EventKind::kIsrExpand, EventCause::kCaughtUp);
  ASSERT_NE(caught_up, nullptr) << all;
  EXPECT_EQ(caught_up->replica, lagged->replica);
  EXPECT_GT(caught_up->at_ns, 8 * kS);

  const ClusterEvent* fenced = kind(EventKind::kBrokerFenced, EventCause::kMissedHeartbeats);
  ASSERT_NE(fenced, nullptr) << all;
  EXPECT_GT(fenced->at_ns, 12 * kS);
  const ClusterEvent* elected = kind(EventKind::kLeaderElected, EventCause::kLeaderFenced);
  ASSERT_NE(elected, nullptr) << all;
  EXPECT_EQ(elected->previous_leader, fenced->replica);
  EXPECT_NE(elected->leader, fenced->replica);
  EXPECT_FALSE(elected->unclean);
  const ClusterEvent* shrink = kind(EventKind::kIsrShrink, EventCause::kBrokerFenced);
  ASSERT_NE(shrink, nullptr) << all;
  EXPECT_EQ(shrink->replica, fenced->replica);
  // The crashed broker comes back: a new registration, then unfenced.
  EXPECT_NE(Find(events, [&](const ClusterEvent& e) {
              return e.kind == EventKind::kBrokerRegistered && e.replica == fenced->replica && e.at_ns > 20 * kS;
            }),
            nullptr)
      << all;
  EXPECT_NE(Find(events, [&](const ClusterEvent& e) {
              return e.kind == EventKind::kBrokerUnfenced && e.replica == fenced->replica && e.at_ns > 20 * kS;
            }),
            nullptr)
      << all;

  const ClusterEvent* first_controller = kind(EventKind::kControllerChange);
  ASSERT_NE(first_controller, nullptr) << all;
  EXPECT_EQ(first_controller->previous_leader, -1);
  EXPECT_NE(Find(events, [&](const ClusterEvent& e) {
              return e.kind == EventKind::kControllerChange && e.at_ns > 26 * kS && e.previous_leader >= 0 &&
                     e.leader != e.previous_leader;
            }),
            nullptr)
      << all;

  const ClusterEvent* caption = kind(EventKind::kCaption);
  ASSERT_NE(caption, nullptr);
  EXPECT_EQ(caption->text, "watch t-0");
  EXPECT_EQ(caption->at_ns, 1 * kS);
  const ClusterEvent* fault = kind(EventKind::kFault);
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->at_ns, 5 * kS);
  EXPECT_FALSE(fault->nodes.empty());
  const ClusterEvent* revert = kind(EventKind::kRevert);
  ASSERT_NE(revert, nullptr);
  EXPECT_EQ(revert->at_ns, 8 * kS);
  const ClusterEvent* workload = kind(EventKind::kWorkload);
  ASSERT_NE(workload, nullptr);
  EXPECT_EQ(workload->at_ns, 9 * kS);
  EXPECT_EQ(workload->nodes, std::vector<int32_t>{1001});
  const ClusterEvent* verdict = kind(EventKind::kExpectation);
  ASSERT_NE(verdict, nullptr);
  EXPECT_EQ(verdict->text, "no_violations");
  EXPECT_TRUE(verdict->passed) << verdict->detail;
}

TEST(ClusterEventsTest, ViolationsAndUncleanElectionsAreEvents) {
  for (const char* name : {"partition-acks1-loss", "unclean-election-loss"}) {
    const std::string path = std::string(SAMSA_SOURCE_DIR) + "/scenarios/" + name + ".yaml";
    Result<std::string> text = os::ReadFileToString(path);
    ASSERT_TRUE(text.ok());
    Result<Scenario> s = ParseScenario(*text, path);
    ASSERT_TRUE(s.ok()) << s.status().message();
    const std::vector<ClusterEvent> events = RunEvents(*s, s->seed.value_or(1));
    const std::string all = Dump(events);
    // Each scenario expects a kind of violation: the verdict, and violations of that kind.
    const ClusterEvent* verdict = Find(events, [](const ClusterEvent& e) {
      return e.kind == EventKind::kExpectation && e.text.rfind("violation ", 0) == 0;
    });
    ASSERT_NE(verdict, nullptr) << all;
    EXPECT_TRUE(verdict->passed);
    const std::string kind = verdict->text.substr(10, verdict->text.find(' ', 10) - 10);
    EXPECT_NE(Find(events, [&](const ClusterEvent& e) { return e.kind == EventKind::kViolation && e.text == kind; }),
              nullptr)
        << name << " " << kind << "\n" << all;
    // The scenario expects or tolerates every kind it finds, and each violation event says so.
    for (const ClusterEvent& e : events)
      if (e.kind == EventKind::kViolation) {
        EXPECT_TRUE(e.allowed) << e.text;
        EXPECT_EQ(e.allowed, s->AllowsViolation(e.text)) << e.text;
      }
    if (std::string(name) == "unclean-election-loss")
      EXPECT_NE(Find(events, [](const ClusterEvent& e) { return e.kind == EventKind::kLeaderElected && e.unclean; }),
                nullptr)
          << all;
    else
      EXPECT_EQ(Find(events, [](const ClusterEvent& e) { return e.kind == EventKind::kLeaderElected && e.unclean; }),
                nullptr)
          << all;
  }
}

TEST(ClusterEventsTest, TheViewShowsACrashedLeaderAndItsSuccessor) {
  Result<Scenario> s = ParseScenario(kScenario, "events.yaml");
  ASSERT_TRUE(s.ok());
  Result<std::unique_ptr<Session>> session = Session::Open(*s, 2);
  ASSERT_TRUE(session.ok());
  (*session)->RunUntil(11 * kS);
  view::ClusterView before = (*session)->View();
  const view::PartitionView* p = before.FindPartition("t", 0);
  ASSERT_NE(p, nullptr);
  const int32_t old_leader = p->leader;
  ASSERT_GE(old_leader, 1);
  EXPECT_EQ(p->isr.size(), p->replicas.size());
  for (const view::ReplicaView& r : p->replica_views) {
    EXPECT_TRUE(r.online);
    EXPECT_LE(r.high_watermark, r.log_end_offset);
    EXPECT_LE(r.durable_offset, r.log_end_offset);
    EXPECT_GE(r.last_caught_up_ns, 0);
  }
  (*session)->RunUntil(19 * kS);
  view::ClusterView after = (*session)->View();
  p = after.FindPartition("t", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->leader, old_leader);
  EXPECT_GT(p->leader_epoch, before.FindPartition("t", 0)->leader_epoch);
  EXPECT_EQ(std::count(p->isr.begin(), p->isr.end(), old_leader), 0);
  for (const view::BrokerView& b : after.brokers)
    if (b.id == old_leader) {
      EXPECT_EQ(b.process, view::ProcessState::kDown);
      EXPECT_TRUE(b.fenced);
    }
  for (const view::ReplicaView& r : p->replica_views)
    if (r.broker == old_leader) {
      EXPECT_FALSE(r.online);
      EXPECT_EQ(r.log_end_offset, -1);
    }
  // A view is plain data with a stable encoding: the same instant gives the same hash.
  EXPECT_EQ(ViewHash(after), ViewHash((*session)->View()));
  EXPECT_NE(ViewHash(after), ViewHash(before));
}

}  // namespace
}  // namespace samsa::sim
