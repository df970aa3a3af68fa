// Sessions (sim/session.h): driven in pieces they reproduce a run straight to the end; they
// rewind and branch deterministically; injections (faults and workload changes) are recorded and
// a saved session replays to the same trace hash; sessions on two threads share nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "sim/scenario.h"
#include "sim/scenario_runner.h"
#include "sim/session.h"
#include "sim/view_json.h"

namespace samsa::sim {
namespace {

constexpr const char* kScenario = R"(
name: session-small
seed: 3
cluster:
  brokers: 3
  controllers: [1, 2, 3]
  config:
    min.insync.replicas: 2
    broker.session.timeout.ms: 3s
topics:
  - { name: t, partitions: 2, replication.factor: 3 }
workload:
  producers: [{ topic: t, rate_per_s: 200, keys: 10, acks: all }]
  consumers: [{ topic: t, from: earliest }]
faults:
  - { at: 6s, crash: leader-of t-0, for: 4s, caption: "the leader of t-0 dies" }
run_for: 14s
settle: 4s
tolerate: [duplicate]
expect:
  - no_violations
  - all_acked_readable
)";

constexpr int64_t kS = 1'000'000'000;

Scenario Parse(const std::string& text = kScenario) {
  Result<Scenario> s = ParseScenario(text, "session.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  return *s;
}

std::unique_ptr<Session> OpenOrDie(const Scenario& s, uint64_t seed) {
  Result<std::unique_ptr<Session>> session = Session::Open(s, seed);
  EXPECT_TRUE(session.ok()) << session.status().message();
  return std::move(*session);
}

uint64_t StraightRunHash(const Scenario& s, uint64_t seed) {
  std::unique_ptr<ClusterFactory> f = MakeClusterFactory(s);
  return RunScenario(s, seed, *f, {}).trace_hash;
}

TEST(SessionTest, DrivenInPiecesItMatchesARunStraightToTheEnd) {
  const Scenario s = Parse();
  std::unique_ptr<ClusterFactory> f = MakeClusterFactory(s);
  const RunResult straight = RunScenario(s, 3, *f, {});
  ASSERT_TRUE(straight.passed);

  std::unique_ptr<Session> session = OpenOrDie(s, 3);
  session->RunUntil(1'234'567'891);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(session->Step());
  session->RunFor(2 * kS);
  session->RunUntil(6 * kS);  // the crash fires at 6s: its action is an event
  for (int i = 0; i < 3; ++i) session->Step();
  session->RunUntil(9'999'999'999);
  const RunResult& pieces = session->Finish();
  EXPECT_EQ(pieces.trace_hash, straight.trace_hash);
  EXPECT_EQ(pieces.stats.events, straight.stats.events);
  EXPECT_EQ(pieces.stats.acked, straight.stats.acked);
  ASSERT_EQ(pieces.expectations.size(), straight.expectations.size());
  for (size_t i = 0; i < pieces.expectations.size(); ++i)
    EXPECT_EQ(pieces.expectations[i].detail, straight.expectations[i].detail);
  EXPECT_EQ(pieces.violations_total, straight.violations_total);
  EXPECT_TRUE(session->at_end());
  EXPECT_FALSE(session->Step());
}

TEST(SessionTest, SessionsOnTwoThreadsMatchSeparateRuns) {
  const Scenario s = Parse();
  const uint64_t a_alone = StraightRunHash(s, 11);
  const uint64_t b_alone = StraightRunHash(s, 12);
  ASSERT_NE(a_alone, b_alone);
  uint64_t a = 0, b = 0;
  std::thread ta([&] { a = OpenOrDie(s, 11)->Finish().trace_hash; });
  std::thread tb([&] { b = OpenOrDie(s, 12)->Finish().trace_hash; });
  ta.join();
  tb.join();
  EXPECT_EQ(a, a_alone);
  EXPECT_EQ(b, b_alone);
}

TEST(SessionTest, RewindReturnsToTheSameInstant) {
  const Scenario s = Parse();
  std::unique_ptr<Session> session = OpenOrDie(s, 5);
  session->RunUntil(5 * kS);
  const uint64_t hash_at_5 = session->trace_hash();
  const uint64_t events_at_5 = session->event_index();
  const uint64_t view_at_5 = ViewHash(session->View());
  const size_t cluster_events_at_5 = session->events().size();
  session->RunUntil(11 * kS);
  ASSERT_NE(session->trace_hash(), hash_at_5);

  ASSERT_TRUE(session->Rewind(5 * kS).ok());
  EXPECT_EQ(session->now_ns(), 5 * kS);
  EXPECT_EQ(session->trace_hash(), hash_at_5);
  EXPECT_EQ(session->event_index(), events_at_5);
  EXPECT_EQ(ViewHash(session->View()), view_at_5);
  EXPECT_EQ(session->events().size(), cluster_events_at_5);
  // Forward again: the same run.
  EXPECT_EQ(session->Finish().trace_hash, StraightRunHash(s, 5));
}

TEST(SessionTest, InjectionsAreRecordedAndASavedSessionReplaysToTheSameHash) {
  const Scenario s = Parse();
  std::unique_ptr<Session> session = OpenOrDie(s, 7);
  session->RunUntil(3 * kS);
  FaultStep rate;
  rate.type = FaultType::kSetRate;
  rate.target.kind = FaultTarget::Kind::kNode;
  rate.target.node_id = kFirstClientId;  // the producer
  rate.amount = 800;
  ASSERT_TRUE(session->Inject(rate).ok());
  for (int i = 0; i < 37; ++i) session->Step();  // an instant between two events' times
  FaultStep add;
  add.type = FaultType::kAddConsumer;
  add.consumer = ConsumerSpec{};
  add.consumer->topic = "t";
  add.consumer->from = "latest";
  ASSERT_TRUE(session->Inject(add).ok());
  session->RunUntil(4'500'000'000);
  FaultStep pause;
  pause.type = FaultType::kPause;
  pause.target.kind = FaultTarget::Kind::kController;
  pause.for_ns = 1 * kS;
  ASSERT_TRUE(session->Inject(pause).ok());
  ASSERT_EQ(session->injections().size(), 3u);
  EXPECT_EQ(session->injections()[0].at_ns, 3 * kS);
  EXPECT_LT(session->injections()[0].at_event, session->injections()[1].at_event);

  // The view shows the changes: the producer's new rate, and the added consumer.
  view::ClusterView v = session->View();
  auto client = [&](int32_t id) -> const view::ClientView* {
    for (const auto& c : v.clients)
      if (c.id == id) return &c;
    return nullptr;
  };
  ASSERT_NE(client(kFirstClientId), nullptr);
  EXPECT_EQ(client(kFirstClientId)->rate_per_s, 800);
  ASSERT_NE(client(kFirstClientId + 2), nullptr) << "the added consumer takes the next client id";
  EXPECT_EQ(client(kFirstClientId + 2)->kind, "consumer");
  const RunResult& result = session->Finish();
  EXPECT_NE(result.trace_hash, StraightRunHash(s, 7));

  Result<std::string> saved = session->SaveYaml(kScenario);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  EXPECT_NE(saved->find("set-rate"), std::string::npos) << *saved;
  EXPECT_NE(saved->find("add-consumer"), std::string::npos) << *saved;
  EXPECT_NE(saved->find("at_event"), std::string::npos) << *saved;
  Result<Scenario> replay = ParseScenario(*saved, "saved.yaml");
  ASSERT_TRUE(replay.ok()) << replay.status().message() << "\n" << *saved;
  ASSERT_TRUE(replay->seed.has_value());
  EXPECT_EQ(StraightRunHash(*replay, *replay->seed), result.trace_hash) << *saved;

  // Saving a replayed session again gives the same entries, not twice as many.
  std::unique_ptr<Session> again = OpenOrDie(*replay, *replay->seed);
  EXPECT_EQ(again->injections().size(), 3u);
  Result<std::string> resaved = again->SaveYaml(*saved);
  ASSERT_TRUE(resaved.ok());
  EXPECT_EQ(*resaved, *saved);
}

// A controlled shutdown (`shutdown`, what SIGTERM does to a Kafka broker): the controller moves
// the broker's leaderships away while it still runs, then lets it exit; it starts again after
// `for`. Nothing acknowledged is lost and the scenario's expectations hold.
// kScenario without its scheduled crash.
std::string QuietScenario() {
  std::string text = kScenario;
  const std::string crash = R"(  - { at: 6s, crash: leader-of t-0, for: 4s, caption: "the leader of t-0 dies" }
)";
  size_t at = text.find(crash);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, crash.size(), "");
  text.replace(text.find("faults:\n"), 8, "");
  return text;
}

TEST(SessionTest, ControlledShutdownMovesLeadershipBeforeTheBrokerExits) {
  const Scenario s = Parse(QuietScenario());
  std::unique_ptr<Session> session = OpenOrDie(s, 7);
  session->RunUntil(5 * kS);
  // View() returns a copy: keep it while `before` points into it (a pointer into the temporary
  // dangled, which ASan reports as a use after free).
  const view::ClusterView at_5s = session->View();
  const view::PartitionView* before = at_5s.FindPartition("t", 0);
  ASSERT_NE(before, nullptr);
  const int32_t leader = before->leader;
  ASSERT_GT(leader, 0);
  Result<FaultStep> step = ParseScheduleEntry(fmt::format("{{ at: 0s, shutdown: broker-{}, for: 4s }}", leader), s, "test");
  ASSERT_TRUE(step.ok()) << step.status().message();
  step->at_ns = session->now_ns();
  ASSERT_TRUE(session->Inject(*step).ok());
  // Within a few heartbeats: a new leader while the old one still runs, in controlled shutdown.
  bool moved_while_up = false;
  for (int i = 0; i < 100 && !moved_while_up; ++i) {
    session->RunFor(10'000'000);
    view::ClusterView v = session->View();
    const view::PartitionView* p = v.FindPartition("t", 0);
    const view::BrokerView* b = v.FindBroker(leader);
    ASSERT_NE(b, nullptr);
    moved_while_up = p->leader != leader && p->leader > 0 && b->process == view::ProcessState::kUp;
  }
  EXPECT_TRUE(moved_while_up) << "leadership of t-0 should leave broker " << leader << " before it exits";
  session->RunUntil(8 * kS);
  EXPECT_NE(session->View().FindBroker(leader)->process, view::ProcessState::kUp) << "it should have exited";
  bool shutdown_event = false;
  for (const auto& e : session->events())
    shutdown_event |= e.kind == view::EventKind::kBrokerFenced && e.cause == view::EventCause::kBrokerShutdown;
  EXPECT_TRUE(shutdown_event) << "the fencing that ends a controlled shutdown is reported as such";
  session->RunUntil(10 * kS);
  EXPECT_EQ(session->View().FindBroker(leader)->process, view::ProcessState::kUp) << "started again after `for`";
  const RunResult& result = session->Finish();
  for (const auto& e : result.expectations) EXPECT_TRUE(e.passed) << e.name << ": " << e.detail;
}

// A one-way cut: the target's messages to the other brokers are dropped; it still hears them.
TEST(SessionTest, OneWayCutDropsOnlyTheTargetsOutgoingLinks) {
  const Scenario s = Parse(QuietScenario());
  std::unique_ptr<Session> session = OpenOrDie(s, 7);
  session->RunUntil(3 * kS);
  Result<FaultStep> step = ParseScheduleEntry("{ at: 0s, one-way: broker-2, for: 2s }", s, "test");
  ASSERT_TRUE(step.ok()) << step.status().message();
  step->at_ns = session->now_ns();
  ASSERT_TRUE(session->Inject(*step).ok());
  view::ClusterView v = session->View();
  int cut_out = 0, cut_in = 0;
  for (const auto& l : v.links) {
    if (l.state != view::LinkView::State::kCut) continue;
    if (l.from == 2 && (l.to == 1 || l.to == 3)) ++cut_out;
    else ++cut_in;
  }
  EXPECT_EQ(cut_out, 2);
  EXPECT_EQ(cut_in, 0) << "nothing else is cut";
  session->RunUntil(6 * kS);
  for (const auto& l : session->View().links) EXPECT_NE(l.state, view::LinkView::State::kCut) << l.from << "->" << l.to;
}

TEST(SessionTest, BranchContinuesFromThePastAndKeepsTheOriginal) {
  const Scenario s = Parse();
  std::unique_ptr<Session> original = OpenOrDie(s, 9);
  original->RunUntil(4 * kS);
  FaultStep crash;
  crash.type = FaultType::kCrash;
  crash.target.kind = FaultTarget::Kind::kNode;
  crash.target.node_id = 2;
  crash.for_ns = 2 * kS;
  ASSERT_TRUE(original->Inject(crash).ok());
  original->RunUntil(8 * kS);
  const uint64_t original_hash = original->trace_hash();

  // Branch at 3s, before the crash: the branch has no injection; the original keeps its own.
  Result<std::unique_ptr<Session>> branch = original->Branch(3 * kS);
  ASSERT_TRUE(branch.ok()) << branch.status().message();
  EXPECT_TRUE((*branch)->injections().empty());
  EXPECT_EQ(original->injections().size(), 1u);
  EXPECT_EQ(original->trace_hash(), original_hash);
  FaultStep other = crash;
  other.target.node_id = 3;
  ASSERT_TRUE((*branch)->Inject(other).ok());
  (*branch)->RunUntil(8 * kS);
  EXPECT_NE((*branch)->trace_hash(), original_hash);

  // Rewinding the original to before its injection and forward again replays it.
  ASSERT_TRUE(original->Rewind(2 * kS).ok());
  original->RunUntil(8 * kS);
  EXPECT_EQ(original->trace_hash(), original_hash);
}

TEST(SessionTest, InjectRefusesWhatDoesNotExistAndRecordsNothing) {
  const Scenario s = Parse();
  std::unique_ptr<Session> session = OpenOrDie(s, 1);
  session->RunUntil(2 * kS);
  FaultStep crash;
  crash.type = FaultType::kCrash;
  crash.target.kind = FaultTarget::Kind::kNode;
  crash.target.node_id = 77;
  Status st = session->Inject(crash);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("77"), std::string::npos);
  FaultStep rate;
  rate.type = FaultType::kSetRate;
  rate.target.kind = FaultTarget::Kind::kNode;
  rate.target.node_id = kFirstClientId + 1;  // the consumer
  rate.amount = 10;
  st = session->Inject(rate);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("not a producer"), std::string::npos) << st.message();
  rate.target.node_id = kFirstClientId;  // the producer, at more than the simulator can hold
  rate.amount = 10'000'000'000;
  st = session->Inject(rate);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("so at most 1024 MiB"), std::string::npos) << st.message();
  FaultStep leader;
  leader.type = FaultType::kCrash;
  leader.target.kind = FaultTarget::Kind::kLeaderOf;
  leader.target.partition = PartitionRef{"t", 9};
  EXPECT_EQ(session->Inject(leader).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(session->injections().empty());
  session->RunUntil(15 * kS);  // past run_for: faults are over
  crash.target.node_id = 1;
  EXPECT_EQ(session->Inject(crash).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(session->injections().empty());
}

// The 1 GiB bound on generated values counts the rates this session already set: two producers of
// 1 MiB values for 20 s may share about 51 records a second.
TEST(SessionTest, SetRateCountsTheRatesAlreadySet) {
  std::string text = kScenario;
  const std::string producers = "producers: [{ topic: t, rate_per_s: 200, keys: 10, acks: all }]";
  text.replace(text.find(producers), producers.size(),
               "producers: [{ topic: t, rate_per_s: 1, keys: 10, acks: all, value_bytes: 1048576, count: 2 }]");
  text.replace(text.find("settle: 4s"), 10, "settle: 6s");  // 20 s in all
  std::unique_ptr<Session> session = OpenOrDie(Parse(text), 1);
  session->RunUntil(1 * kS);
  FaultStep rate;
  rate.type = FaultType::kSetRate;
  rate.target.kind = FaultTarget::Kind::kNode;
  rate.target.node_id = kFirstClientId;
  rate.amount = 40;  // (40 + 1) x 20 s x 1 MiB = 820 MiB
  Status first = session->Inject(rate);
  ASSERT_TRUE(first.ok()) << first.message();
  rate.target.node_id = kFirstClientId + 1;
  rate.amount = 20;  // with the first: (40 + 20) x 20 s = 1,200 MiB
  Status st = session->Inject(rate);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("1200 MiB"), std::string::npos) << st.message();
  rate.amount = 10;  // (40 + 10) x 20 s = 1,000 MiB
  EXPECT_TRUE(session->Inject(rate).ok());
  EXPECT_EQ(session->injections().size(), 2u);
}

TEST(SessionTest, WorkloadChangesTakeEffect) {
  const Scenario s = Parse();
  std::unique_ptr<Session> session = OpenOrDie(s, 4);
  session->RunUntil(4 * kS);
  auto client = [&](int32_t id) {
    view::ClusterView v = session->View();
    for (const auto& c : v.clients)
      if (c.id == id) return c;
    return view::ClientView{};
  };
  // Rate 0: the producer stops generating.
  FaultStep rate;
  rate.type = FaultType::kSetRate;
  rate.target.kind = FaultTarget::Kind::kNode;
  rate.target.node_id = kFirstClientId;
  rate.amount = 0;
  ASSERT_TRUE(session->Inject(rate).ok());
  const uint64_t sent = client(kFirstClientId).sent;
  EXPECT_GT(sent, 500u);
  session->RunUntil(5 * kS);
  EXPECT_EQ(client(kFirstClientId).sent, sent);
  // And 1,000/s: about 1,000 more in a second.
  rate.amount = 1000;
  ASSERT_TRUE(session->Inject(rate).ok());
  session->RunUntil(6 * kS);
  EXPECT_GE(client(kFirstClientId).sent, sent + 990);
  EXPECT_LE(client(kFirstClientId).sent, sent + 1010);

  // A consumer removed reads nothing more; one added from latest starts near the log end.
  FaultStep remove;
  remove.type = FaultType::kRemoveConsumer;
  remove.target.kind = FaultTarget::Kind::kNode;
  remove.target.node_id = kFirstClientId + 1;
  ASSERT_TRUE(session->Inject(remove).ok());
  session->RunFor(kS / 2);  // reads in flight land
  const uint64_t read = client(kFirstClientId + 1).acknowledged;
  session->RunFor(kS);
  EXPECT_EQ(client(kFirstClientId + 1).acknowledged, read);
  EXPECT_TRUE(client(kFirstClientId + 1).stopped);
}

TEST(SessionTest, AConsumerStartingLateFromLatestReadsOnlyNewRecords) {
  std::string text = kScenario;
  text.replace(text.find("consumers: [{ topic: t, from: earliest }]"), 41,
               "consumers: [{ topic: t, from: latest, start: 5s }]");
  const Scenario s = Parse(text);
  std::unique_ptr<Session> session = OpenOrDie(s, 2);
  session->RunUntil(4'900'000'000);
  view::ClusterView before = session->View();
  const view::ClientView* c = nullptr;
  for (const auto& x : before.clients)
    if (x.id == kFirstClientId + 1) c = &x;
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->acknowledged, 0u) << "a consumer that starts at 5s reads nothing before";
  int64_t hw_before = 0;
  for (const auto& t : before.topics)
    for (const auto& p : t.partitions)
      for (const auto& r : p.replica_views)
        if (r.is_leader) hw_before += r.high_watermark;
  session->RunUntil(5'800'000'000);
  view::ClusterView after = session->View();
  for (const auto& x : after.clients)
    if (x.id == kFirstClientId + 1) {
      EXPECT_GT(x.acknowledged, 0u);
      int64_t first_position = 0;
      for (const auto& p : x.positions) first_position += std::max<int64_t>(p.position, 0);
      EXPECT_GE(first_position, hw_before) << "from latest at 5s: nothing older than then";
    }
}

TEST(SessionTest, ReadsAReplicaLogAndListsFramesInFlight) {
  const Scenario s = Parse();
  std::unique_ptr<Session> session = OpenOrDie(s, 6);
  session->RunUntil(5 * kS);
  view::ClusterView v = session->View();
  const view::PartitionView* p = v.FindPartition("t", 0);
  ASSERT_NE(p, nullptr);
  ASSERT_GE(p->leader, 1);
  Result<std::vector<view::LogRecordView>> records = session->ReadLog(p->leader, PartitionRef{"t", 0}, 0, 25);
  ASSERT_TRUE(records.ok()) << records.status().message();
  ASSERT_EQ(records->size(), 25u);
  for (size_t i = 0; i < records->size(); ++i) {
    EXPECT_EQ((*records)[i].offset, int64_t(i));
    EXPECT_TRUE((*records)[i].has_key);
    EXPECT_EQ((*records)[i].value.rfind("p1001-", 0), 0u) << (*records)[i].value;
    EXPECT_GE((*records)[i].batch_leader_epoch, 0);
  }
  EXPECT_EQ(session->ReadLog(p->leader, PartitionRef{"t", 7}, 0, 5).status().code(), StatusCode::kNotFound);
  // A node the cluster does not have is an error, not an abort (the session's `log 9 t-0`).
  Result<std::vector<view::LogRecordView>> unknown = session->ReadLog(99, PartitionRef{"t", 0}, 0, 5);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("no node 99"), std::string::npos) << unknown.status().message();
  EXPECT_EQ(session->DescribeBroker(99).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(session->DescribeBroker(-1).status().code(), StatusCode::kNotFound);

  bool request = false, response = false;
  for (int i = 0; i < 200 && !(request && response); ++i) {
    for (const view::FrameView& f : session->FramesInFlight()) {
      if (f.request && (f.api == "Produce" || f.api == "Fetch")) request = true;
      if (!f.request && f.correlation_id >= 0) response = true;
      EXPECT_GE(f.deliver_at_ns, session->now_ns());
    }
    session->Step();
  }
  EXPECT_TRUE(request);
  EXPECT_TRUE(response);
}

}  // namespace
}  // namespace samsa::sim
