// The scenario format's newer targets and faults (scenarios/README.md): isr-of, follower-of and
// client targets (producer-N, consumer-N); scripted reset, clock-drift and disk-errors (applied
// through the nemesis's ApplyFault); the nemesis's one-way and reset honouring their targets and
// naming the nodes they hit; controller_within judged over its whole window.
// Parser tests check every new form and its misuse (FILE:LINE:COL and the reason); run tests
// check, on real simulated runs, that each hits the nodes it names.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/session.h"

namespace samsa::sim {
namespace {

constexpr int64_t kS = 1'000'000'000;

// ---------------------------------------------------------------------------------------------
// Parsing

TEST(ScenarioFormat, NewTargetsParseAndPrint) {
  using K = FaultTarget::Kind;
  Result<FaultTarget> isr = ParseTarget("isr-of orders-2");
  ASSERT_TRUE(isr.ok()) << isr.status().message();
  EXPECT_EQ(isr->kind, K::kIsrOf);
  EXPECT_EQ(isr->partition.topic, "orders");
  EXPECT_EQ(isr->partition.partition, 2);
  EXPECT_EQ(isr->ToString(), "isr-of orders-2");
  Result<FaultTarget> one = ParseTarget("follower-of my-topic-0");
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->kind, K::kFollowerOf);
  EXPECT_EQ(one->partition.topic, "my-topic");
  EXPECT_EQ(one->ToString(), "follower-of my-topic-0");
  EXPECT_EQ(ParseTarget("followers-of orders-0")->kind, K::kFollowersOf);  // still the group
  Result<FaultTarget> p = ParseTarget("producer-1001");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->kind, K::kClient);
  EXPECT_EQ(p->node_id, 1001);
  EXPECT_EQ(p->client_role, "producer");
  EXPECT_EQ(p->ToString(), "producer-1001");
  EXPECT_EQ(ParseTarget("consumer-1002")->ToString(), "consumer-1002");
  for (const char* bad : {"isr-of", "isr-of orders", "follower-of", "follower-of -1", "producer-", "producer-x",
                          "producer-5", "consumer-1000", "client-1001", "isr-oforders-0"})
    EXPECT_FALSE(ParseTarget(bad).ok()) << bad;
  EXPECT_NE(ParseTarget("producer-5").status().message().find("client id N >= 1001"), std::string::npos);
}

constexpr const char* kHead = R"(name: t
run_for: 60s
cluster: { brokers: 3 }
topics: [{ name: orders, partitions: 2, replication.factor: 3 }]
workload:
  producers: [{ topic: orders }]
  consumers: [{ topic: orders }]
faults:
)";  // lines 1-8: the producer is client 1001, the consumer 1002; the entry is on line 9

TEST(ScenarioFormat, NewFaultsParseWithTheirParameters) {
  const std::string yaml = std::string(kHead) +
                           "  - { at: 1s, reset: isr-of orders-0 }\n"
                           "  - { at: 2s, clock-drift: follower-of orders-1, for: 5s }\n"
                           "  - { at: 3s, clock-drift: 2, amount: -250000, for: 5s }\n"
                           "  - { at: 4s, disk-errors: leader-of orders-0, for: 3s }\n"
                           "  - { at: 5s, disk-errors: 3, amount: 1, for: 3s }\n"
                           "  - { at: 6s, crash: producer-1001, for: 2s }\n"
                           "  - { at: 7s, pause: consumer-1002 }\n"
                           "  - { at: 8s, resume: consumer-1002 }\n"
                           "  - { at: 9s, crash: consumer-1002 }\n"
                           "  - { at: 10s, restart: consumer-1002 }\n"
                           "  - { at: 11s, shutdown: follower-of orders-0, for: 5s }\n"
                           "  - { at: 12s, one-way: isr-of orders-1, for: 1s }\n";
  Result<Scenario> s = ParseScenario(yaml, "ok.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->faults.size(), 12u);
  const auto& f = s->faults;
  EXPECT_EQ(f[0].type, FaultType::kReset);
  EXPECT_EQ(f[0].target.kind, FaultTarget::Kind::kIsrOf);
  EXPECT_EQ(f[1].type, FaultType::kClockDrift);
  EXPECT_EQ(f[1].amount, 100'000) << "default drift: 10% fast";
  EXPECT_EQ(f[1].for_ns, 5 * kS);
  EXPECT_EQ(f[2].amount, -250'000);
  EXPECT_EQ(f[3].type, FaultType::kDiskErrors);
  EXPECT_EQ(f[3].amount, 10) << "default: 1 operation in 10 fails";
  EXPECT_EQ(f[4].amount, 1);
  EXPECT_EQ(f[5].target.kind, FaultTarget::Kind::kClient);
  EXPECT_EQ(f[5].target.node_id, 1001);
  EXPECT_EQ(f[10].type, FaultType::kShutdown);
  EXPECT_EQ(f[10].target.kind, FaultTarget::Kind::kFollowerOf);
  // Each entry writes back to an equal entry (what a saved session relies on).
  for (const FaultStep& step : f) {
    const std::string text = FaultStepToYaml(step);
    Result<FaultStep> back = ParseScheduleEntry(text, *s, "roundtrip");
    ASSERT_TRUE(back.ok()) << text << ": " << back.status().message();
    EXPECT_EQ(back->type, step.type) << text;
    EXPECT_EQ(back->target.ToString(), step.target.ToString()) << text;
    EXPECT_EQ(back->amount, step.amount) << text;
    EXPECT_EQ(back->for_ns, step.for_ns) << text;
  }
}

struct BadCase {
  const char* what;
  std::string entry;     // line 9
  std::string expected;  // substring of the error
};

TEST(ScenarioFormat, MisuseIsAnErrorWithLineAndColumn) {
  const std::vector<BadCase> cases = {
      {"client partitioned", "  - { at: 1s, partition: producer-1001 }",
       "bad.yaml:9:26: faults[0].partition: 'producer-1001' is a client: partition applies to brokers"},
      {"client disk fault", "  - { at: 1s, disk-errors: consumer-1002 }",
       "bad.yaml:9:28: faults[0].disk-errors: 'consumer-1002' is a client: disk-errors applies to brokers"},
      {"client shutdown", "  - { at: 1s, shutdown: producer-1001 }",
       "bad.yaml:9:25: faults[0].shutdown: 'producer-1001' is a client"},
      {"client clock skew", "  - { at: 1s, clock-skew: producer-1001 }",
       "bad.yaml:9:27: faults[0].clock-skew: 'producer-1001' is a client"},
      {"client isolated", "  - { at: 1s, isolate: consumer-1002 }",
       "bad.yaml:9:24: faults[0].isolate: 'consumer-1002' is a client"},
      {"not a producer", "  - { at: 1s, crash: producer-1002 }",
       "bad.yaml:9:22: faults[0].crash: client 1002 is not a producer (producers are 1001..1001)"},
      {"not a consumer", "  - { at: 1s, pause: consumer-1001 }",
       "bad.yaml:9:22: faults[0].pause: client 1001 is not a consumer (consumers are 1002..1002)"},
      {"bad client", "  - { at: 1s, crash: producer-x }",
       "bad.yaml:9:22: faults[0].crash: 'producer-x': expected producer-N with a client id N >= 1001"},
      {"reset has no for", "  - { at: 1s, reset: 1, for: 2s }",
       "bad.yaml:9:25: faults[0].for: reset is instantaneous and cannot be reverted"},
      {"drift of zero", "  - { at: 1s, clock-drift: 1, amount: 0 }",
       "bad.yaml:9:39: faults[0].amount: a drift of 0 ppm changes nothing"},
      {"drift too slow", "  - { at: 1s, clock-drift: 1, amount: -1000000 }",
       "bad.yaml:9:39: faults[0].amount: -1000000 is out of range [-999999, 1000000]"},
      {"disk errors never", "  - { at: 1s, disk-errors: 1, amount: 0 }",
       "bad.yaml:9:39: faults[0].amount: 0 is out of range [1, 1000000]"},
      {"follower-of undeclared partition", "  - { at: 1s, crash: follower-of orders-5 }",
       "bad.yaml:9:22: faults[0].crash: topic 'orders' has 2 partition(s): orders-5 does not exist"},
      {"isr-of undeclared topic", "  - { at: 1s, pause: isr-of payments-0 }",
       "bad.yaml:9:22: faults[0].pause: topic 'payments' is not declared under topics"},
      {"follower-of is no shape", "  - { at: 1s, reset: bridge }", "bad.yaml:9:22: faults[0].reset: 'bridge' is a partition shape"},
  };
  for (const BadCase& c : cases) {
    Result<Scenario> s = ParseScenario(std::string(kHead) + c.entry + "\n", "bad.yaml");
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_NE(s.status().message().find(c.expected), std::string::npos)
        << c.what << "\n  expected: " << c.expected << "\n  got:      " << s.status().message();
  }
  // A session's injected entry is checked the same way.
  Result<Scenario> context = ParseScenario(std::string(kHead) + "  - { at: 1s, crash: 1 }\n", "ctx.yaml");
  ASSERT_TRUE(context.ok()) << context.status().message();
  Result<FaultStep> injected = ParseScheduleEntry("{ slow-disk: producer-1001 }", *context, "typed");
  ASSERT_FALSE(injected.ok());
  EXPECT_NE(injected.status().message().find("typed:1:14: faults[0].slow-disk: 'producer-1001' is a client"),
            std::string::npos)
      << injected.status().message();
}

// ---------------------------------------------------------------------------------------------
// Runs

constexpr const char* kRun = R"(
name: format-run
seed: 5
cluster:
  brokers: 3
  controllers: [1, 2, 3]
  config: { min.insync.replicas: 2, broker.session.timeout.ms: 3s }
topics:
  - { name: t, partitions: 1, replication.factor: 3 }
workload:
  producers: [{ topic: t, rate_per_s: 200, keys: 10, acks: all }]
  consumers: [{ topic: t, from: earliest }]
run_for: 20s
settle: 4s
tolerate: [duplicate]
)";

std::unique_ptr<Session> Open(uint64_t seed = 5, const std::string& text = kRun) {
  Result<Scenario> s = ParseScenario(text, "run.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  Result<std::unique_ptr<Session>> session = Session::Open(*s, seed);
  EXPECT_TRUE(session.ok()) << session.status().message();
  return std::move(*session);
}

// Injects `entry` now; returns the fault event it produced (its nodes are what it hit).
view::ClusterEvent InjectNow(Session& session, const std::string& entry) {
  Result<FaultStep> step = ParseScheduleEntry(entry, session.scenario(), "test");
  EXPECT_TRUE(step.ok()) << entry << ": " << step.status().message();
  const size_t before = session.events().size();
  Status st = session.Inject(*step);
  EXPECT_TRUE(st.ok()) << entry << ": " << st.message();
  for (size_t i = before; i < session.events().size(); ++i)
    if (session.events()[i].kind == view::EventKind::kFault) return session.events()[i];
  ADD_FAILURE() << "no fault event for " << entry;
  return {};
}

const view::PartitionView& T0(const view::ClusterView& v) {
  const view::PartitionView* p = v.FindPartition("t", 0);
  EXPECT_NE(p, nullptr);
  static const view::PartitionView none;
  return p != nullptr ? *p : none;
}

TEST(ScenarioFormatRun, FollowerOfHitsOneFollowerDrawnFromTheSeed) {
  std::set<int32_t> picked;
  for (uint64_t seed : {1, 2, 3, 4, 5, 6}) {
    std::unique_ptr<Session> session = Open(seed);
    session->RunUntil(4 * kS);
    const view::PartitionView p = T0(session->View());
    ASSERT_GT(p.leader, 0);
    view::ClusterEvent e = InjectNow(*session, "{ crash: follower-of t-0, for: 2s }");
    ASSERT_EQ(e.nodes.size(), 1u) << e.text;
    const int32_t hit = e.nodes[0];
    EXPECT_NE(hit, p.leader) << "a follower, not the leader";
    EXPECT_NE(std::find(p.replicas.begin(), p.replicas.end(), hit), p.replicas.end()) << "a replica of t-0";
    EXPECT_EQ(session->View().FindBroker(hit)->process, view::ProcessState::kDown) << "and it really crashed";
    EXPECT_EQ(session->View().FindBroker(p.leader)->process, view::ProcessState::kUp);
    picked.insert(hit);
    // The same seed draws the same follower.
    std::unique_ptr<Session> again = Open(seed);
    again->RunUntil(4 * kS);
    EXPECT_EQ(InjectNow(*again, "{ crash: follower-of t-0, for: 2s }").nodes, e.nodes) << "seed " << seed;
  }
  EXPECT_EQ(picked.size(), 2u) << "over six seeds, both followers get drawn";
}

TEST(ScenarioFormatRun, IsrOfHitsTheWholeIsr) {
  std::unique_ptr<Session> session = Open();
  session->RunUntil(4 * kS);
  std::vector<int32_t> isr = T0(session->View()).isr;
  std::sort(isr.begin(), isr.end());
  ASSERT_EQ(isr.size(), 3u);
  view::ClusterEvent e = InjectNow(*session, "{ pause: isr-of t-0, for: 1s }");
  EXPECT_EQ(e.nodes, isr);
  for (int32_t n : isr) EXPECT_EQ(session->View().FindBroker(n)->process, view::ProcessState::kPaused) << n;
}

TEST(ScenarioFormatRun, ClientTargetsCrashPauseAndRestartThatClient) {
  std::unique_ptr<Session> session = Open();
  session->RunUntil(3 * kS);
  auto client = [&](int32_t id) -> view::ClientView {
    for (const view::ClientView& c : session->View().clients)
      if (c.id == id) return c;
    ADD_FAILURE() << "no client " << id;
    return {};
  };
  ASSERT_TRUE(client(1001).up);
  view::ClusterEvent e = InjectNow(*session, "{ crash: producer-1001 }");
  EXPECT_EQ(e.nodes, (std::vector<int32_t>{1001}));
  EXPECT_NE(e.text.find("client-1001"), std::string::npos) << e.text;
  EXPECT_FALSE(client(1001).up);
  EXPECT_TRUE(client(1002).up) << "the consumer is untouched";
  for (const view::BrokerView& b : session->View().brokers) EXPECT_EQ(b.process, view::ProcessState::kUp);
  session->RunFor(1 * kS);
  EXPECT_EQ(InjectNow(*session, "{ restart: producer-1001 }").nodes, (std::vector<int32_t>{1001}));
  EXPECT_TRUE(client(1001).up);
  const uint64_t acked = client(1001).acknowledged;
  session->RunFor(3 * kS);
  EXPECT_GT(client(1001).acknowledged, acked) << "the restarted producer writes again";
  // A paused consumer reads nothing until resumed.
  EXPECT_EQ(InjectNow(*session, "{ pause: consumer-1002 }").nodes, (std::vector<int32_t>{1002}));
  const uint64_t read = client(1002).acknowledged;
  session->RunFor(2 * kS);
  EXPECT_EQ(client(1002).acknowledged, read);
  EXPECT_EQ(InjectNow(*session, "{ resume: consumer-1002 }").nodes, (std::vector<int32_t>{1002}));
  session->RunFor(2 * kS);
  EXPECT_GT(client(1002).acknowledged, read);
  // Refused at injection time too.
  Result<FaultStep> bad = ParseScheduleEntry("{ one-way: consumer-1002 }", session->scenario(), "typed");
  EXPECT_FALSE(bad.ok());
}

TEST(ScenarioFormatRun, ScriptedResetDriftAndDiskErrorsNameTheirNodes) {
  std::unique_ptr<Session> session = Open();
  session->RunUntil(4 * kS);
  const int32_t leader = T0(session->View()).leader;
  ASSERT_GT(leader, 0);
  view::ClusterEvent reset = InjectNow(*session, "{ reset: leader-of t-0 }");
  EXPECT_EQ(reset.nodes, (std::vector<int32_t>{leader}));
  EXPECT_NE(reset.text.find("2 broker pair(s) reset"), std::string::npos) << reset.text;
  view::ClusterEvent drift = InjectNow(*session, "{ clock-drift: broker-3, amount: 300000, for: 2s }");
  EXPECT_EQ(drift.nodes, (std::vector<int32_t>{3}));
  EXPECT_NE(drift.text.find("+300000 ppm"), std::string::npos) << drift.text;
  // disk-errors with amount 1: every write of broker 2 fails, so it stops (as Kafka does).
  view::ClusterEvent disk = InjectNow(*session, "{ disk-errors: broker-2, amount: 1, for: 3s }");
  EXPECT_EQ(disk.nodes, (std::vector<int32_t>{2}));
  session->RunFor(2 * kS);
  EXPECT_EQ(session->View().FindBroker(2)->process, view::ProcessState::kDown) << "its log failed: it stopped";
  EXPECT_EQ(session->View().FindBroker(1)->process, view::ProcessState::kUp);
  EXPECT_EQ(session->View().FindBroker(3)->process, view::ProcessState::kUp);
  session->RunFor(2 * kS);
  // Reverts name their nodes too.
  std::set<std::vector<int32_t>> reverted;
  for (const view::ClusterEvent& e : session->events())
    if (e.kind == view::EventKind::kRevert) reverted.insert(e.nodes);
  EXPECT_TRUE(reverted.count({3})) << "clock-drift revert";
  EXPECT_TRUE(reverted.count({2})) << "disk-errors revert";
}

// The nemesis: one-way and reset act on the drawn target, and every nemesis fault names its nodes.
TEST(ScenarioFormatRun, NemesisOneWayHonoursItsTargetAndNamesTheNodes) {
  const std::string text = std::string(kRun) + "nemesis: { kinds: [one-way, reset], targets: [controller], every: 2s, min_for: 1s, max_for: 1s }\n";
  std::unique_ptr<Session> session = Open(5, text);
  size_t seen = 0, one_way = 0;
  for (int64_t t = 100'000'000; t <= 20 * kS; t += 100'000'000) {
    session->RunUntil(t);
    const auto& events = session->events();
    for (; seen < events.size(); ++seen) {
      const view::ClusterEvent& e = events[seen];
      if (e.kind != view::EventKind::kFault) continue;
      ASSERT_LE(e.nodes.size(), 1u) << e.text;
      if (e.nodes.empty()) continue;  // no controller at that instant
      if (e.text.starts_with("one-way")) {
        ++one_way;
        // Exactly the links from the hit node to the other brokers are cut.
        std::set<std::pair<int32_t, int32_t>> cut;
        for (const view::LinkView& l : session->View().links)
          if (l.state == view::LinkView::State::kCut) cut.insert({l.from, l.to});
        std::set<std::pair<int32_t, int32_t>> want;
        for (int32_t m : {1, 2, 3})
          if (m != e.nodes[0]) want.insert({e.nodes[0], m});
        EXPECT_EQ(cut, want) << e.text << " at " << e.at_ns;
        EXPECT_NE(e.text.find(fmt::format("broker-{} (controller)", e.nodes[0])), std::string::npos) << e.text;
      }
    }
  }
  EXPECT_GT(one_way, 0u) << "the schedule should draw at least one one-way cut";
  const RunResult& r = session->Finish();
  size_t named = 0;
  for (const TimelineEntry& e : r.timeline.entries)
    if (e.kind == "nemesis") named += !e.nodes.empty();
  EXPECT_GT(named, 0u);
}

// controller_within passes when a controller is active at some instant of its window: here at
// its start, although every broker is down at its end (judging only the end failed it).
TEST(ScenarioFormatRun, ControllerWithinJudgesTheWholeWindow) {
  const std::string text = R"(
name: controller-window
seed: 3
cluster: { brokers: 3, controllers: [1, 2, 3] }
topics: [{ name: t, partitions: 1, replication.factor: 3 }]
faults:
  - { at: 6s, crash: all, for: 8s }
run_for: 24s
expect:
  - controller_within: { after: 4s, within: 4s }
  - controller_within: { after: 7s, within: 5s }
  - controller_within: { after: 7s, within: 12s }
)";
  Result<Scenario> s = ParseScenario(text, "cw.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::unique_ptr<ClusterFactory> f = MakeClusterFactory(*s);
  RunResult r = RunScenario(*s, 3, *f, {});
  ASSERT_EQ(r.expectations.size(), 3u);
  EXPECT_TRUE(r.expectations[0].passed) << r.expectations[0].detail << " (active at 4s, all down at 8s)";
  EXPECT_FALSE(r.expectations[1].passed) << r.expectations[1].detail << " (every broker down from 6s to 14s)";
  EXPECT_NE(r.expectations[1].detail.find("no active controller at any instant between 7.000s and 12.000s"),
            std::string::npos)
      << r.expectations[1].detail;
  EXPECT_TRUE(r.expectations[2].passed) << r.expectations[2].detail << " (re-elected after the restart at 14s)";
}

}  // namespace
}  // namespace samsa::sim
