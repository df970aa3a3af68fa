#include "sim/history_checker.h"

#include <gtest/gtest.h>

namespace samsa::sim {
namespace {

using client::EventOp;
using client::EventType;
using client::History;
using client::HistoryEvent;

// Builds synthetic histories.
struct Builder {
  History h;
  int64_t t = 0;
  std::string topic = "t";  // of the events appended next
  uint64_t Invoke(int32_t producer, const std::string& value) {
    return InvokeOp(h.NewOpId(), producer, value);
  }
  // With an op id of the caller's (a history need not come from History::NewOpId).
  uint64_t InvokeOp(uint64_t op, int32_t producer, const std::string& value) {
    HistoryEvent e;
    e.time_ns = ++t;
    e.type = EventType::kInvoke;
    e.process = producer;
    e.op_id = op;
    e.topic = topic;
    e.value = value;
    h.Append(e);
    return op;
  }
  void Complete(uint64_t op, EventType type, int32_t producer, const std::string& value,
                int32_t partition, int64_t offset) {
    HistoryEvent e;
    e.time_ns = ++t;
    e.type = type;
    e.process = producer;
    e.op_id = op;
    e.topic = topic;
    e.partition = partition;
    e.value = value;
    e.offset = offset;
    if (type != EventType::kOk) e.error = "X";
    h.Append(e);
  }
  void Send(int32_t producer, const std::string& value, int32_t partition, int64_t offset) {
    Complete(Invoke(producer, value), EventType::kOk, producer, value, partition, offset);
  }
  void Poll(int32_t consumer, uint64_t session, int32_t partition, int64_t offset,
            const std::string& value) {
    HistoryEvent e;
    e.time_ns = ++t;
    e.type = EventType::kOk;
    e.op = EventOp::kPoll;
    e.process = consumer;
    e.session = session;
    e.topic = topic;
    e.partition = partition;
    e.offset = offset;
    e.value = value;
    h.Append(e);
  }
};

std::vector<std::string> Kinds(const CheckReport& r) {
  std::vector<std::string> out;
  for (const auto& v : r.violations) out.push_back(v.kind);
  return out;
}

TEST(HistoryCheckerTest, CleanHistory) {
  Builder b;
  b.Send(1, "a", 0, 0);
  b.Send(1, "b", 0, 1);
  b.Send(2, "c", 1, 0);
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 1, 0, 1, "b");
  b.Poll(9, 1, 1, 0, "c");
  CheckReport r = CheckHistory(b.h);
  EXPECT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.sends_acked, 3u);
  EXPECT_EQ(r.polls, 3u);
  EXPECT_EQ(r.unseen, 0u);
}

TEST(HistoryCheckerTest, LostWriteAndUnseen) {
  Builder b;
  b.Send(1, "a", 0, 0);
  b.Send(1, "b", 0, 1);  // never read, but offset 2 was: lost
  b.Send(1, "c", 0, 2);
  b.Send(1, "d", 0, 3);  // never read, above what was read: unseen
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 2, 0, 2, "c");
  CheckReport r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), std::vector<std::string>{"lost-write"}) << r.Summary();
  EXPECT_EQ(r.violations[0].offset, 1);
  EXPECT_EQ(r.violations[0].partition, 0);
  EXPECT_NE(r.violations[0].detail.find("value b"), std::string::npos);
  EXPECT_EQ(r.unseen, 1u);
}

// What the cluster holds at the end: the final logs given to the checker.
FinalLog Final(std::vector<std::pair<int64_t, std::string>> records, std::string source = "leader 1, HW 9") {
  FinalLog f;
  f.records = std::move(records);
  f.source = std::move(source);
  return f;
}

TEST(HistoryCheckerTest, AckedRecordsInTheFinalLogAreQuiet) {
  Builder b;
  b.Send(1, "a", 0, 0);
  b.Send(1, "b", 0, 1);
  b.Send(1, "c", 0, 2);  // never read: unseen, but in the final log
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 1, 0, 1, "b");
  CheckerOptions o;
  o.final_logs[{"t", 0}] = Final({{0, "a"}, {1, "b"}, {2, "c"}, {3, "d"}});  // d: an unacked send
  o.faults = {{5, "crash broker-1"}};
  CheckReport r = CheckHistory(b.h, o);
  EXPECT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.unseen, 1u);
}

// Records a consumer had read vanish (the leader that held them lost them, and nothing was
// written at their offsets since): no lost-write (they were read), no inconsistent-offsets (no
// second value), but each is acked-lost, with what happened after it was acknowledged.
TEST(HistoryCheckerTest, AckedLostAfterBeingRead) {
  Builder b;
  b.Send(1, "a", 0, 0);  // t=2
  b.Send(1, "b", 0, 1);  // t=4
  b.Send(1, "c", 0, 2);  // t=6
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 1, 0, 1, "b");
  b.Poll(9, 1, 0, 2, "c");
  CheckerOptions o;
  o.final_logs[{"t", 0}] = Final({{0, "a"}}, "leader 2, HW 1");
  o.faults = {{1, "pause broker-3"}, {5'000'000'000, "crash broker-1 (leader-of t-0)"}};
  o.elections[{"t", 0}] = {{0, 1, 1}, {6'500'000'000, 2, 2}};
  CheckReport r = CheckHistory(b.h, o);
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"acked-lost", "acked-lost"})) << r.Summary();
  EXPECT_EQ(r.violations[0].offset, 1);
  EXPECT_EQ(r.violations[1].offset, 2);
  EXPECT_EQ(r.violations[0].detail,
            "value b acknowledged at t=0.000s offset 1 is not in the final log (leader 2, HW 1); last fault "
            "before loss: crash broker-1 (leader-of t-0) at t=5.000s; last election: t-0 epoch 2 leader 2 at "
            "t=6.500s");
}

// Another value at the acknowledged offset is a loss too; so is a partition without a replica.
TEST(HistoryCheckerTest, AckedLostUnderAnotherValueOrWithNoReplica) {
  Builder b;
  b.Send(1, "a", 0, 0);
  b.Send(1, "b", 1, 0);
  CheckerOptions o;
  o.final_logs[{"t", 0}] = Final({{0, "x"}});
  o.final_logs[{"t", 1}] = Final({}, "no live replica");
  CheckReport r = CheckHistory(b.h, o);
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"acked-lost", "acked-lost"})) << r.Summary();
  EXPECT_NE(r.violations[0].detail.find("(leader 1, HW 9; offset 0 holds x)"), std::string::npos)
      << r.violations[0].detail;
  EXPECT_NE(r.violations[1].detail.find("(no live replica)"), std::string::npos) << r.violations[1].detail;
  EXPECT_NE(r.violations[1].detail.find("last fault before loss: none; last election: none"), std::string::npos);
}

// A record the replica read still holds, but above its high watermark (its partition had not
// committed it again when the run ended), is acked-uncommitted, not acked-lost; one held there
// under another value, or not held at all, is still lost.
TEST(HistoryCheckerTest, AckedRecordsAboveTheFinalHighWatermarkAreUncommittedNotLost) {
  Builder b;
  for (int i = 0; i < 5; ++i) b.Send(1, std::string(1, char('a' + i)), 0, i);  // a..e at 0..4
  CheckerOptions o;
  FinalLog f = Final({{0, "a"}}, "leader 5, HW 1");
  f.uncommitted = {{1, "b"}, {2, "x"}, {4, "e"}};
  o.final_logs[{"t", 0}] = f;
  o.faults = {{5'000'000'000, "crash broker-2,broker-3,broker-4,broker-5 (leaders)"}};
  CheckReport r = CheckHistory(b.h, o);
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"acked-lost", "acked-lost", "acked-uncommitted",
                                                "acked-uncommitted"}))
      << r.Summary();
  EXPECT_EQ(r.violations[0].offset, 2);  // another value there
  EXPECT_EQ(r.violations[1].offset, 3);  // not held at all
  EXPECT_EQ(r.violations[2].offset, 1);
  EXPECT_EQ(r.violations[3].offset, 4);
  EXPECT_EQ(r.violations[2].detail,
            "value b acknowledged at t=0.000s offset 1 is above the final high watermark, held uncommitted "
            "(leader 5, HW 1); last fault since the acknowledgement: crash broker-2,broker-3,broker-4,broker-5 "
            "(leaders) at t=5.000s; last election: none");
  EXPECT_NE(r.violations[0].detail.find("is not in the final log (leader 5, HW 1)"), std::string::npos)
      << r.violations[0].detail;
}

TEST(HistoryCheckerTest, AttributeLossNamesTheLastFaultAndElectionAfterTheAck) {
  const std::vector<FaultNote> faults = {
      {1'000'000'000, "pause broker-3"}, {12'000'000'000, "crash broker-2"}, {15'250'000'000, "partition broker-1"}};
  const std::vector<ElectionNote> elections = {{500'000'000, 1, 2}, {12'400'000'000, 3, 1}};
  EXPECT_EQ(AttributeLoss(11'000'000'000, "t", 0, faults, elections),
            "last fault before loss: partition broker-1 at t=15.250s; last election: t-0 epoch 3 leader 1 at "
            "t=12.400s");
  // Acknowledged after the last election: only the fault counts.
  EXPECT_EQ(AttributeLoss(13'000'000'000, "orders", 4, faults, elections),
            "last fault before loss: partition broker-1 at t=15.250s; last election: none");
  // Acknowledged after everything.
  EXPECT_EQ(AttributeLoss(16'000'000'000, "t", 0, faults, elections),
            "last fault before loss: none; last election: none");
  // Same instant counts as after.
  EXPECT_EQ(AttributeLoss(12'400'000'000, "t", 0, {}, elections),
            "last fault before loss: none; last election: t-0 epoch 3 leader 1 at t=12.400s");
  EXPECT_EQ(SimTime(12'345'678'901), "12.345s");
}

TEST(HistoryCheckerTest, NonIdempotentRetryDuplicate) {
  // The first attempt of "a" was written at offset 0 but its ack was lost; the retry landed at 2.
  Builder b;
  uint64_t a = b.Invoke(1, "a");
  b.Send(1, "b", 0, 1);
  b.Complete(a, EventType::kOk, 1, "a", 0, 2);
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 1, 0, 1, "b");
  b.Poll(9, 1, 0, 2, "a");
  CheckReport r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), std::vector<std::string>{"duplicate"}) << r.Summary();
  EXPECT_EQ(r.violations[0].offset, 0);
  EXPECT_EQ(r.violations[0].detail, "value a at t-0@0 t-0@2");
}

TEST(HistoryCheckerTest, NonmonotonicSendOnlyForSendsNotConcurrentlyInFlight) {
  Builder b;
  b.Send(1, "a", 0, 5);
  b.Send(1, "b", 0, 3);  // invoked after a was acked at 5: backwards
  // c and d were in flight together: any order is allowed.
  uint64_t c = b.Invoke(1, "c");
  uint64_t d = b.Invoke(1, "d");
  b.Complete(d, EventType::kOk, 1, "d", 1, 7);
  b.Complete(c, EventType::kOk, 1, "c", 1, 8);
  // Another producer's order is its own.
  b.Send(2, "e", 0, 1);
  CheckReport r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), std::vector<std::string>{"nonmonotonic-send"}) << r.Summary();
  EXPECT_EQ(r.violations[0].partition, 0);
  EXPECT_EQ(r.violations[0].offset, 3);
}

TEST(HistoryCheckerTest, NonmonotonicPollAndPollSkipWithinASession) {
  Builder b;
  for (int i = 0; i < 5; ++i) b.Send(1, "v" + std::to_string(i), 0, i);
  b.Poll(9, 1, 0, 0, "v0");
  b.Poll(9, 1, 0, 1, "v1");
  b.Poll(9, 1, 0, 1, "v1");  // re-read: nonmonotonic
  b.Poll(9, 1, 0, 4, "v4");  // jumped over 2 and 3: skip
  b.Poll(9, 2, 0, 2, "v2");  // a new session may start anywhere
  b.Poll(9, 2, 0, 3, "v3");
  CheckReport r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"nonmonotonic-poll", "poll-skip"})) << r.Summary();
  EXPECT_EQ(r.violations[0].offset, 1);
  EXPECT_EQ(r.violations[1].offset, 2);  // the first offset skipped
}

TEST(HistoryCheckerTest, InconsistentOffsets) {
  Builder b;
  b.Send(1, "a", 0, 0);
  b.Send(2, "b", 0, 0);  // two acks at one offset
  b.Poll(9, 1, 0, 0, "a");
  CheckReport r = CheckHistory(b.h);
  // "b" was acknowledged at offset 0, which was read holding "a": b is also a lost write.
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"inconsistent-offsets", "lost-write"}))
      << r.Summary();
  EXPECT_EQ(r.violations[0].detail, "values a b");
  EXPECT_EQ(r.unseen, 0u);
}

TEST(HistoryCheckerTest, PhantomReadAndReadBeyondHighWatermark) {
  Builder b;
  b.Send(1, "a", 0, 0);
  uint64_t f = b.Invoke(1, "f");
  b.Complete(f, EventType::kFail, 1, "f", 0, -1);
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 1, 0, 1, "ghost");
  b.Poll(9, 1, 0, 2, "f");
  CheckerOptions opts;
  opts.max_high_watermark[{"t", 0}] = 2;
  CheckReport r = CheckHistory(b.h, opts);
  EXPECT_EQ(Kinds(r), (std::vector<std::string>{"phantom-read", "phantom-read", "read-beyond-hw"}))
      << r.Summary();
  EXPECT_EQ(r.violations[2].offset, 2);
}

TEST(HistoryCheckerTest, IndeterminateSendsMayOrMayNotAppear) {
  Builder b;
  uint64_t x = b.Invoke(1, "x");
  b.Complete(x, EventType::kInfo, 1, "x", 0, -1);
  uint64_t y = b.Invoke(1, "y");
  b.Complete(y, EventType::kInfo, 1, "y", 0, -1);
  b.Poll(9, 1, 0, 0, "x");
  CheckReport r = CheckHistory(b.h);
  EXPECT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.sends_indeterminate, 2u);
}

TEST(HistoryCheckerTest, OutputIsSortedAndDeterministic) {
  Builder b;
  b.Send(1, "a", 1, 0);
  b.Send(1, "a2", 1, 1);
  b.Send(1, "z", 0, 0);
  b.Send(1, "y", 0, 1);
  b.Poll(9, 1, 0, 1, "y");
  b.Poll(9, 1, 1, 1, "a2");
  CheckReport r1 = CheckHistory(b.h);
  CheckReport r2 = CheckHistory(b.h);
  EXPECT_EQ(r1.violations, r2.violations);
  ASSERT_EQ(r1.violations.size(), 2u);
  EXPECT_EQ(r1.violations[0].partition, 0);
  EXPECT_EQ(r1.violations[1].partition, 1);
  EXPECT_TRUE(std::is_sorted(r1.violations.begin(), r1.violations.end()));
}

// Op ids that History::NewOpId would not hand out (huge, out of order) still link each
// completion to its invoke, and a completion without an invoke is a send of its own.
TEST(HistoryCheckerTest, SparseOpIds) {
  Builder b;
  const uint64_t huge = uint64_t{1} << 50;
  b.InvokeOp(huge, 1, "c");
  b.Complete(huge, EventType::kOk, 1, "c", 0, 5);
  b.InvokeOp(3, 1, "d");  // a smaller id, invoked after c was acknowledged
  b.Complete(3, EventType::kOk, 1, "d", 0, 4);
  b.InvokeOp(huge + 1, 2, "e");
  b.InvokeOp(huge - 1, 2, "f");
  b.Complete(huge - 1, EventType::kOk, 2, "f", 1, 1);
  b.Complete(huge + 1, EventType::kOk, 2, "e", 1, 0);
  b.Complete(77, EventType::kOk, 2, "g", 1, 2);  // no invoke
  b.Poll(9, 1, 1, 0, "e");
  b.Poll(9, 1, 1, 1, "f");
  CheckReport r = CheckHistory(b.h);
  EXPECT_EQ(r.sends_invoked, 4u);
  EXPECT_EQ(r.sends_acked, 5u);
  EXPECT_EQ(r.unseen, 3u);  // c and d (nothing was read in partition 0), and g
  EXPECT_EQ(r.unseen_by_partition.at({"t", 1}), 1u);
  ASSERT_EQ(Kinds(r), std::vector<std::string>{"nonmonotonic-send"}) << r.Summary();
  EXPECT_EQ(r.violations[0].detail,
            "producer 1 sent d after c was acknowledged at offset 5, but it landed at offset 4");
}

// Values are interned in a hash table: values that share a prefix, the empty value, values
// whose 32-bit hashes collide (p39157 and p87430 do with libstdc++'s std::hash; elsewhere they
// are just two more values), and enough values to grow the table must all stay distinct.
TEST(HistoryCheckerTest, ValuesStayDistinct) {
  Builder b;
  std::vector<std::string> values = {"", "a", "aa", "aaa", "p39157", "p87430", "p16175", "p163858"};
  for (int i = 0; i < 5000; ++i) values.push_back("v" + std::to_string(i));
  for (size_t i = 0; i < values.size(); ++i) b.Send(1, values[i], 0, int64_t(i));
  for (size_t i = 0; i < values.size(); ++i) b.Poll(9, 1, 0, int64_t(i), values[i]);
  CheckReport r = CheckHistory(b.h);
  EXPECT_TRUE(r.ok()) << r.Summary();
  EXPECT_EQ(r.sends_acked, values.size());
  EXPECT_EQ(r.unseen, 0u);

  // One more read of p87430, at p39157's offset, and a read of a value nobody sent.
  b.Poll(9, 2, 0, 4, "p87430");
  b.Poll(9, 3, 0, 8, "aaaa");
  r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"duplicate", "inconsistent-offsets",
                                                 "inconsistent-offsets", "phantom-read"}))
      << r.Summary();
  EXPECT_EQ(r.violations[0].detail, "value p87430 at t-0@4 t-0@5");
  EXPECT_EQ(r.violations[1].detail, "values p39157 p87430");
  EXPECT_EQ(r.violations[2].detail, "values aaaa v0");
  EXPECT_EQ(r.violations[3].detail, "consumer 9 read value aaaa that no producer sent");
}

// Offsets far apart (here around 2^40) are checked like dense ones.
TEST(HistoryCheckerTest, SparseOffsets) {
  const int64_t far = int64_t{1} << 40;
  Builder b;
  b.Send(1, "a", 0, 0);
  b.Send(1, "b", 0, far);
  b.Send(2, "c", 0, far);  // two values at one offset
  b.Send(1, "d", 0, far + 5);
  b.Poll(9, 1, 0, 0, "a");
  b.Poll(9, 1, 0, far + 5, "d");
  CheckReport r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), (std::vector<std::string>{"inconsistent-offsets", "lost-write", "lost-write",
                                                 "poll-skip"}))
      << r.Summary();
  EXPECT_EQ(r.violations[0].offset, far);
  EXPECT_EQ(r.violations[0].detail, "values b c");
  EXPECT_EQ(r.violations[3].offset, far);
  EXPECT_EQ(r.violations[3].detail,
            "consumer 9 session 1 jumped from offset 0 to 1099511627781 over b at offset "
            "1099511627776");
}

// Partitions of two topics share numbers, and two consumers' reads interleave (with the same
// session numbers): each read counts for its own topic and consumer session.
TEST(HistoryCheckerTest, TopicsAndConsumersKeptApart) {
  Builder b;
  for (int i = 0; i < 3; ++i) {
    b.topic = "t";
    b.Send(1, "t" + std::to_string(i), 0, i);
    b.topic = "u";
    b.Send(1, "u" + std::to_string(i), 0, i);
  }
  for (int i = 0; i < 3; ++i) {
    for (const char* topic : {"t", "u"}) {
      b.topic = topic;
      b.Poll(9, 1, 0, i, topic + std::to_string(i));
      b.Poll(10, 1, 0, i, topic + std::to_string(i));
    }
  }
  CheckReport r = CheckHistory(b.h);
  EXPECT_TRUE(r.ok()) << r.Summary();

  b.topic = "u";
  b.Poll(10, 1, 0, 2, "u2");  // consumer 10 re-reads
  r = CheckHistory(b.h);
  ASSERT_EQ(Kinds(r), std::vector<std::string>{"nonmonotonic-poll"}) << r.Summary();
  EXPECT_EQ(r.violations[0].topic, "u");
  EXPECT_EQ(r.violations[0].detail, "consumer 10 session 1 read offset 2 after offset 2");
}

TEST(HistoryTest, JsonLines) {
  History h;
  HistoryEvent e;
  e.time_ns = 5;
  e.process = 3;
  e.op_id = h.NewOpId();
  e.topic = "t";
  e.key = "k\"1";
  e.value = "v\n";
  h.Append(e);
  EXPECT_EQ(h.ToJsonLines(),
            "{\"index\":0,\"time_ns\":5,\"type\":\"invoke\",\"f\":\"send\",\"process\":3,"
            "\"op\":1,\"session\":0,\"topic\":\"t\",\"partition\":-1,\"key\":\"k\\\"1\","
            "\"value\":\"v\\n\",\"offset\":-1,\"error\":\"\"}\n");
}

// Events read back equal what was appended, whatever their strings: a null key stays null and
// an empty one empty, text larger than a storage chunk stays whole, topics keep their names, and
// views of early events stay valid while many more are appended.
TEST(HistoryTest, EventsReadBackAsAppended) {
  History h;
  std::vector<std::string> texts;
  std::vector<HistoryEvent> appended;
  texts.reserve(40001);
  for (int i = 0; i < 20000; ++i) {
    // Built first: the event's views point into `texts`, which must not move afterwards.
    texts.push_back("value-" + std::to_string(i));
    texts.push_back("topic-" + std::to_string(i % 3));
  }
  texts.push_back(std::string(3 << 20, 'x'));  // bigger than a text chunk
  for (int i = 0; i < 20000; ++i) {
    HistoryEvent e;
    e.time_ns = i;
    e.type = EventType(i % 4);
    e.op = i % 5 == 0 ? EventOp::kPoll : EventOp::kSend;
    e.process = i % 7;
    e.op_id = uint64_t(i) * 3;
    e.session = uint64_t(i) * 5;
    e.topic = texts[size_t(2 * i + 1)];
    e.partition = i % 11 - 1;
    if (i % 3 == 1) e.key = "";
    if (i % 3 == 2) e.key = texts[size_t(2 * i)];  // the value's text as the key
    e.value = i == 12345 ? std::string_view(texts.back()) : std::string_view(texts[size_t(2 * i)]);
    e.offset = i - 1;
    if (i % 4 == 2) e.error = "NOT_ENOUGH_REPLICAS";
    e.index = h.Append(e);
    EXPECT_EQ(e.index, uint64_t(i));
    appended.push_back(e);
  }
  ASSERT_EQ(h.size(), appended.size());
  const HistoryEvent first = h.events()[0];
  EXPECT_EQ(first.value, "value-0");
  size_t i = 0;
  for (const HistoryEvent& e : h.events()) {
    ASSERT_EQ(e, appended[i]) << "event " << i;
    const History::Entry& entry = h.entry(i);
    EXPECT_EQ(h.Value(entry), appended[i].value);
    EXPECT_EQ(h.Key(entry), appended[i].key);
    EXPECT_EQ(h.Error(entry), appended[i].error);
    EXPECT_EQ(h.TopicName(entry.topic), appended[i].topic);
    ++i;
  }
  EXPECT_EQ(h.topic_count(), 3u);
  EXPECT_EQ(h.events()[12345].value.size(), size_t(3) << 20);
  EXPECT_FALSE(h.events()[0].key.has_value());
  EXPECT_EQ(h.events()[1].key, std::optional<std::string_view>(""));
  EXPECT_EQ(first.value, "value-0");  // still valid after everything else was appended
}

// A completion appended with its invoke's text reads back with the invoke's key and value and
// its own fields and error.
TEST(HistoryTest, AppendWithTextRepeatsTheEarlierKeyAndValue) {
  History h;
  HistoryEvent invoke;
  invoke.op_id = 1;
  invoke.topic = "t";
  invoke.key = "k";
  invoke.value = "v1";
  const uint64_t i = h.Append(invoke);
  HistoryEvent no_key = invoke;
  no_key.op_id = 2;
  no_key.key.reset();
  no_key.value = "v2";
  const uint64_t j = h.Append(no_key);
  HistoryEvent done;
  done.type = EventType::kFail;
  done.op_id = 2;
  done.topic = "u";
  done.partition = 3;
  done.value = "ignored";
  done.error = "NOT_LEADER_OR_FOLLOWER";
  h.AppendWithText(h.TextOf(j), done);
  done.op_id = 1;
  done.type = EventType::kOk;
  done.error = "";
  done.offset = 9;
  h.AppendWithText(h.TextOf(i), done);
  const HistoryEvent a = h.events()[2], b = h.events()[3];
  EXPECT_EQ(a.value, "v2");
  EXPECT_FALSE(a.key.has_value());
  EXPECT_EQ(a.error, "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(a.topic, "u");
  EXPECT_EQ(a.partition, 3);
  EXPECT_EQ(a.type, EventType::kFail);
  EXPECT_EQ(b.value, "v1");
  EXPECT_EQ(b.key, std::optional<std::string_view>("k"));
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(b.offset, 9);
  EXPECT_EQ(b.index, 3u);
}

}  // namespace
}  // namespace samsa::sim
