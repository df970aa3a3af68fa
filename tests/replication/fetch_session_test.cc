// Fetch sessions (KIP-227): the leader's session cache and the follower's incremental fetches.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/base/mem_disk.h"
#include "core/replication/replica_manager.h"
#include "tests/replication/replication_harness.h"

namespace samsa::testing {
namespace {

int16_t E(ErrorCode c) { return int16_t(c); }

// Node 1 leads t-0 and t-1 (replicas 1 and 2, both in the ISR).
ReplicaAssignments TwoPartitions(int32_t leader) {
  ReplicaAssignments a;
  AssignedTopic& t = a.topics["t"];
  t.name = "t";
  t.id = Uuid::FromHalves(7, 7);
  for (int32_t p = 0; p < 2; ++p) {
    AssignedPartition& ap = t.partitions[p];
    ap.partition = p;
    ap.replicas = {1, 2};
    ap.isr = {1, 2};
    ap.leader = leader;
    ap.leader_epoch = 0;
  }
  a.broker_epochs = {{1, 101}, {2, 102}};
  return a;
}

struct Leader {
  Leader() : rm(Config(), disk) {
    EXPECT_TRUE(rm.Open(0).ok());
    rm.OnAssignments(TwoPartitions(1), 101, 0);
    (void)rm.TakeSends();
  }
  static ReplicaConfig Config() {
    ReplicaConfig c;
    c.node_id = 1;
    return c;
  }
  // The one answer to `token` (a fetch), failing the test when there is none.
  FetchResponse Answer(uint64_t token) {
    for (ReplicaReply& r : rm.TakeReplies()) {
      if (r.token == token) {
        // The views point into r.buffers: keep them alive with the answer.
        buffers.insert(buffers.end(), std::make_move_iterator(r.buffers.begin()), std::make_move_iterator(r.buffers.end()));
        return std::get<FetchResponse>(r.response);
      }
    }
    ADD_FAILURE() << "no answer to " << token;
    return {};
  }
  void Produce(int32_t partition, int64_t now) {
    records.push_back(MakeBatch("v", now));
    ProduceRequest req;
    req.acks = 1;
    req.timeout_ms = 1000;
    ProduceRequest::Topic t;
    t.name = "t";
    t.partition_data.push_back({partition, ByteView(records.back())});
    req.topic_data.push_back(std::move(t));
    rm.HandleProduce(1000 + uint64_t(now), req, 9, now);
  }

  MemDisk disk;
  ReplicaManager rm;
  std::vector<Bytes> buffers;
  std::deque<Bytes> records;
};

// A fetch from `replica` in a session (id, epoch) listing `parts` (partition, offset) and
// forgetting `forget`.
FetchRequest SessionFetch(int32_t replica, int32_t id, int32_t epoch, std::vector<std::pair<int32_t, int64_t>> parts,
                          std::vector<int32_t> forget = {}) {
  FetchRequest req = FetchOfT(replica, parts, /*leader_epoch=*/0);
  req.session_id = id;
  req.session_epoch = epoch;
  if (!forget.empty()) req.forgotten_topics_data.push_back({"t", {}, forget});
  return req;
}

// Opens a session of `replica` (-1: a consumer, at Fetch v11; a follower at v12) over t-0 and
// t-1 at offset 0, with token 1 at time 1; returns its id, failing the test when none was given.
int32_t OpenSession(Leader& l, int32_t replica) {
  l.rm.HandleFetch(1, SessionFetch(replica, 0, 0, {{0, 0}, {1, 0}}), replica < 0 ? 11 : 12, 1);
  const int32_t id = l.Answer(1).session_id;
  EXPECT_NE(id, 0);
  return id;
}

std::vector<int32_t> Answered(const FetchResponse& r) {
  std::vector<int32_t> out;
  for (const auto& t : r.responses)
    for (const auto& p : t.partitions) out.push_back(p.partition_index);
  return out;
}

// Follower 2's session with l, open at construction, each fetch at the next epoch, token and
// millisecond.
struct FollowerSession {
  explicit FollowerSession(Leader& leader) : l(leader), id(OpenSession(leader, 2)) {}
  FetchResponse Fetch(std::vector<std::pair<int32_t, int64_t>> parts = {}, std::vector<int32_t> forget = {}) {
    l.rm.HandleFetch(token, SessionFetch(2, id, epoch++, std::move(parts), std::move(forget)), 12, now++);
    return l.Answer(token++);
  }
  Leader& l;
  const int32_t id;
  int32_t epoch = 1;
  uint64_t token = 2;
  int64_t now = 2;
};

TEST(FetchSessionTest, LeaderAnswersOnlyWhatIsNewAndChecksEpochs) {
  Leader l;
  ReplicaManager& rm = l.rm;
  rm.HandleFetch(1, SessionFetch(2, 0, 0, {{0, 0}, {1, 0}}), 12, 1);
  FetchResponse full = l.Answer(1);
  EXPECT_EQ(full.error_code, 0);
  const int32_t id = full.session_id;
  ASSERT_NE(id, 0) << "epoch 0 creates a session";
  EXPECT_EQ(Answered(full), (std::vector<int32_t>{0, 1})) << "a new session answers every partition";
  EXPECT_EQ(rm.fetch_sessions(), 1u);

  rm.HandleFetch(2, SessionFetch(2, id, 1, {}), 12, 2);
  FetchResponse quiet = l.Answer(2);
  EXPECT_EQ(quiet.session_id, id);
  EXPECT_TRUE(Answered(quiet).empty()) << "nothing new";

  l.Produce(1, 3);
  rm.HandleFetch(3, SessionFetch(2, id, 2, {}), 12, 4);
  FetchResponse data = l.Answer(3);
  ASSERT_EQ(Answered(data), (std::vector<int32_t>{1})) << "only the partition with records";
  ASSERT_TRUE(data.responses[0].partitions[0].records.has_value());
  EXPECT_FALSE(data.responses[0].partitions[0].records->empty());

  // The follower took the record: its new offset moves the high watermark, which it is told.
  rm.HandleFetch(4, SessionFetch(2, id, 3, {{1, 1}}), 12, 5);
  FetchResponse hw = l.Answer(4);
  ASSERT_EQ(Answered(hw), (std::vector<int32_t>{1}));
  EXPECT_EQ(hw.responses[0].partitions[0].high_watermark, 1);

  // Wrong epochs and unknown or foreign ids are refused, and change nothing.
  rm.HandleFetch(5, SessionFetch(2, id, 9, {}), 12, 6);
  EXPECT_EQ(l.Answer(5).error_code, E(ErrorCode::kInvalidFetchSessionEpoch));
  rm.HandleFetch(6, SessionFetch(2, id + 1, 4, {}), 12, 6);
  EXPECT_EQ(l.Answer(6).error_code, E(ErrorCode::kFetchSessionIdNotFound));
  rm.HandleFetch(7, SessionFetch(-1, id, 4, {}), 12, 6);
  EXPECT_EQ(l.Answer(7).error_code, E(ErrorCode::kFetchSessionIdNotFound)) << "the session is replica 2's";

  // A forgotten partition is no longer served.
  rm.HandleFetch(8, SessionFetch(2, id, 4, {}, {1}), 12, 7);
  EXPECT_TRUE(Answered(l.Answer(8)).empty());
  l.Produce(1, 8);
  rm.HandleFetch(9, SessionFetch(2, id, 5, {}), 12, 9);
  EXPECT_TRUE(Answered(l.Answer(9)).empty()) << "t-1 was forgotten";
  // Listing it again answers it in full.
  rm.HandleFetch(10, SessionFetch(2, id, 6, {{1, 1}}), 12, 10);
  EXPECT_EQ(Answered(l.Answer(10)), (std::vector<int32_t>{1}));

  // Epoch -1 closes the session (and fetches without one).
  rm.HandleFetch(11, SessionFetch(2, id, -1, {{0, 0}}), 12, 11);
  FetchResponse closed = l.Answer(11);
  EXPECT_EQ(closed.session_id, 0);
  EXPECT_EQ(Answered(closed), (std::vector<int32_t>{0}));
  EXPECT_EQ(rm.fetch_sessions(), 0u);
}

// A steady session's fetch looks only at the entries whose partition changed (or that the fetch
// lists again), and still answers everything new.
TEST(FetchSessionTest, ASteadySessionLooksOnlyAtWhatChanged) {
  Leader l;
  ReplicaManager& rm = l.rm;
  FollowerSession f(l);
  const int32_t id = f.id;
  ASSERT_NE(id, 0);
  int64_t& now = f.now;
  // Answered entries are looked at again; once quiet, and the follower steady, none is.
  EXPECT_TRUE(Answered(f.Fetch()).empty());
  EXPECT_TRUE(Answered(f.Fetch()).empty());
  EXPECT_EQ(rm.fetch_session_pending(id), 0u) << "nothing changed: nothing to look at";

  // New records wake only their partition's entry, and are answered.
  l.Produce(1, now++);
  EXPECT_EQ(rm.fetch_session_pending(id), 1u);
  FetchResponse data = f.Fetch();
  ASSERT_EQ(Answered(data), (std::vector<int32_t>{1}));
  ASSERT_TRUE(data.responses[0].partitions[0].records.has_value());
  EXPECT_FALSE(data.responses[0].partitions[0].records->empty());
  // The follower takes it: the high watermark moves and is told; then all is quiet again.
  FetchResponse hw = f.Fetch({{1, 1}});
  ASSERT_EQ(Answered(hw), (std::vector<int32_t>{1}));
  EXPECT_EQ(hw.responses[0].partitions[0].high_watermark, 1);
  for (int i = 0; i < 3 && rm.fetch_session_pending(id) != 0; ++i) EXPECT_TRUE(Answered(f.Fetch()).empty());
  EXPECT_EQ(rm.fetch_session_pending(id), 0u);

  // Forgetting a partition moves the entries: the next fetch looks at all that remain, and a
  // later record on the remaining one is still answered.
  EXPECT_TRUE(Answered(f.Fetch({}, {0})).empty());
  for (int i = 0; i < 3 && rm.fetch_session_pending(id) != 0; ++i) EXPECT_TRUE(Answered(f.Fetch()).empty());
  EXPECT_EQ(rm.fetch_session_pending(id), 0u);
  l.Produce(1, now++);
  EXPECT_EQ(Answered(f.Fetch()), (std::vector<int32_t>{1}));
}

// A consumer's session over t-0 and t-1 (OpenSession) whose next fetch, token 2 at time 2, waits
// for a byte (up to 500 ms); returns the session id.
int32_t ParkConsumerFetch(Leader& l) {
  const int32_t id = OpenSession(l, -1);
  EXPECT_NE(id, 0);
  FetchRequest wait = SessionFetch(-1, id, 1, {});
  wait.max_wait_ms = 500;
  wait.min_bytes = 1;
  l.rm.HandleFetch(2, wait, 11, 2);
  return id;
}

// A parked session fetch is listed only on the partitions of its pending entries, not on every
// partition of the session; a settled entry lists it when its partition changes in a way its
// fetcher can see, before that change completes parked fetches (FetchSession::parked).
TEST(FetchSessionTest, AParkedSessionFetchAnswersThePartitionThatGotData) {
  Leader l;
  ReplicaManager& rm = l.rm;
  const int32_t id = ParkConsumerFetch(l);
  EXPECT_TRUE(rm.TakeReplies().empty());
  EXPECT_EQ(rm.parked_requests(), 1u);
  EXPECT_EQ(rm.fetch_session_pending(id), 0u) << "both entries settled";
  EXPECT_EQ(rm.parked_fetch_watches(), 0u) << "the fetch waits on no partition's list";
  // t-0 gets a record. acks=1 with a follower in the ISR: the consumer sees the record once the
  // high watermark passes it (the follower fetched it), so its entry stays settled and the fetch
  // waits on.
  l.Produce(0, 3);
  for (const ReplicaReply& r : rm.TakeReplies()) EXPECT_NE(r.token, 2u) << "the consumer's fetch waits";
  EXPECT_EQ(rm.parked_requests(), 1u);
  EXPECT_EQ(rm.fetch_session_pending(id), 0u) << "the record is above the high watermark";
  EXPECT_EQ(rm.parked_fetch_watches(), 0u);
  // The follower has it: the high watermark moves, t-0's entry is pending, t-0 lists the fetch,
  // and the change completes it.
  rm.HandleFetch(3, SessionFetch(2, 0, 0, {{0, 1}, {1, 0}}), 12, 4);
  FetchResponse answer = l.Answer(2);
  EXPECT_EQ(answer.session_id, id);
  ASSERT_EQ(Answered(answer), (std::vector<int32_t>{0}));
  EXPECT_EQ(answer.responses[0].partitions[0].high_watermark, 1);
  EXPECT_EQ(rm.parked_requests(), 0u);
  EXPECT_EQ(rm.parked_fetch_watches(), 0u);
}

// A leader append that leaves the high watermark where it was changes nothing a consumer can read:
// a consumer's settled entry stays settled (ReplicaManager::VersionFor) while a follower's is
// pending again. The high watermark's move makes the consumer's entry pending, and it is answered
// with the record.
TEST(FetchSessionTest, AnAppendWakesFollowersAndTheHighWatermarkWakesConsumers) {
  Leader l;
  ReplicaManager& rm = l.rm;
  FollowerSession f(l);
  for (int i = 0; i < 3 && rm.fetch_session_pending(f.id) != 0; ++i) EXPECT_TRUE(Answered(f.Fetch()).empty());
  ASSERT_EQ(rm.fetch_session_pending(f.id), 0u);
  const int32_t consumer = OpenSession(l, -1);
  int32_t epoch = 1;
  uint64_t token = 100;
  auto consume = [&]() {
    l.rm.HandleFetch(token, SessionFetch(-1, consumer, epoch++, {}), 11, f.now++);
    return l.Answer(token++);
  };
  for (int i = 0; i < 3 && rm.fetch_session_pending(consumer) != 0; ++i) EXPECT_TRUE(Answered(consume()).empty());
  ASSERT_EQ(rm.fetch_session_pending(consumer), 0u);

  l.Produce(1, f.now++);
  EXPECT_EQ(rm.fetch_session_pending(f.id), 1u) << "the follower can read the record";
  EXPECT_EQ(rm.fetch_session_pending(consumer), 0u) << "the record is above the high watermark";
  EXPECT_TRUE(Answered(consume()).empty());

  ASSERT_EQ(Answered(f.Fetch()), (std::vector<int32_t>{1}));
  FetchResponse hw = f.Fetch({{1, 1}});  // the follower has it: the high watermark moves to 1
  ASSERT_EQ(Answered(hw), (std::vector<int32_t>{1}));
  EXPECT_EQ(hw.responses[0].partitions[0].high_watermark, 1);
  EXPECT_EQ(rm.fetch_session_pending(consumer), 1u);
  FetchResponse data = consume();
  ASSERT_EQ(Answered(data), (std::vector<int32_t>{1}));
  EXPECT_EQ(data.responses[0].partitions[0].high_watermark, 1);
  ASSERT_TRUE(data.responses[0].partitions[0].records.has_value());
  EXPECT_FALSE(data.responses[0].partitions[0].records->empty());
}

// A consumer's parked fetch is not looked at when a change moves only the log end: it reads below
// the high watermark. The high watermark's move looks at it and answers it.
TEST(FetchSessionTest, AnAppendBelowTheHighWatermarkLeavesAParkedConsumerFetchAlone) {
  Leader l;
  ReplicaManager& rm = l.rm;
  // A new session's first fetch: every entry is new (pending), so both partitions list it.
  FetchRequest first = SessionFetch(-1, 0, 0, {{0, 0}, {1, 0}});
  first.max_wait_ms = 500;
  first.min_bytes = 1;
  rm.HandleFetch(1, first, 11, 1);
  ASSERT_EQ(rm.parked_requests(), 1u);
  ASSERT_EQ(rm.parked_fetch_watches(), 2u);
  const uint64_t looked = rm.parked_fetch_evaluations();
  l.Produce(0, 2);  // acks=1, follower 2 in the ISR: the high watermark stays at 0
  for (const ReplicaReply& r : rm.TakeReplies()) EXPECT_NE(r.token, 1u) << "the consumer's fetch waits";
  EXPECT_EQ(rm.parked_fetch_evaluations(), looked) << "nothing the consumer can read changed";
  rm.HandleFetch(2, SessionFetch(2, 0, 0, {{0, 1}, {1, 0}}), 12, 3);  // follower 2 has it: HW 1
  EXPECT_GT(rm.parked_fetch_evaluations(), looked);
  FetchResponse answer = l.Answer(1);
  EXPECT_EQ(answer.error_code, 0);
  EXPECT_EQ(rm.parked_requests(), 0u);
  bool records = false;
  for (const auto& t : answer.responses)
    for (const auto& p : t.partitions)
      if (p.partition_index == 0) records = p.records && !p.records->empty() && p.high_watermark == 1;
  EXPECT_TRUE(records) << "t-0's record, below the high watermark now";
}

// A fetch parked on a session that closes meanwhile (its fetcher opened a new session) is answered
// FETCH_SESSION_ID_NOT_FOUND at the next change of any of that session's partitions, settled ones
// included, rather than at its deadline.
TEST(FetchSessionTest, AFetchParkedOnAClosedSessionIsAnsweredAtTheNextChange) {
  Leader l;
  ReplicaManager& rm = l.rm;
  const int32_t id = ParkConsumerFetch(l);
  ASSERT_EQ(rm.parked_requests(), 1u);
  // The consumer starts over: session id with epoch 0 closes the old session and opens another.
  FetchRequest again = SessionFetch(-1, id, 0, {{0, 0}, {1, 0}});
  rm.HandleFetch(3, again, 11, 3);
  EXPECT_NE(l.Answer(3).session_id, id);
  ASSERT_EQ(rm.parked_requests(), 1u);
  EXPECT_EQ(rm.parked_fetch_watches(), 2u) << "both partitions of the closed session list the fetch";
  l.Produce(1, 4);  // t-1 changes (its entry had settled)
  FetchResponse answer = l.Answer(2);
  EXPECT_EQ(answer.error_code, E(ErrorCode::kFetchSessionIdNotFound));
  EXPECT_EQ(rm.parked_requests(), 0u);
}

// r answers t-0 alone, with records and high watermark hw.
void ExpectRecordsOfT0(const FetchResponse& r, int64_t hw) {
  ASSERT_EQ(Answered(r), (std::vector<int32_t>{0}));
  EXPECT_EQ(r.responses[0].partitions[0].high_watermark, hw);
  ASSERT_TRUE(r.responses[0].partitions[0].records.has_value());
  EXPECT_FALSE(r.responses[0].partitions[0].records->empty());
}

// A fetcher lists a partition again when its position moves. The entry keeps what its last answer
// said, so a new position with nothing to read there is not answered: Kafka's sessions do the same,
// and answering the unchanged high watermark again cost an answer entry per record read.
TEST(FetchSessionTest, APartitionListedAtItsNewPositionIsAnsweredOnlyWithSomethingNew) {
  Leader l;
  ReplicaManager& rm = l.rm;
  const int32_t follower = OpenSession(l, 2);
  const int32_t consumer = OpenSession(l, -1);
  l.Produce(0, 3);
  rm.HandleFetch(10, SessionFetch(2, follower, 1, {{0, 1}}), 12, 4);  // the follower has it: HW 1
  (void)l.Answer(10);
  rm.HandleFetch(11, SessionFetch(-1, consumer, 1, {}), 11, 5);
  ASSERT_NO_FATAL_FAILURE(ExpectRecordsOfT0(l.Answer(11), 1));
  // The consumer moves to offset 1: nothing to read there, and the HW is what it was told.
  rm.HandleFetch(12, SessionFetch(-1, consumer, 2, {{0, 1}}), 11, 6);
  EXPECT_TRUE(Answered(l.Answer(12)).empty());
  // The next record is answered at the new position, with the HW that moved.
  l.Produce(0, 7);
  rm.HandleFetch(13, SessionFetch(2, follower, 2, {{0, 2}}), 12, 8);
  (void)l.Answer(13);
  rm.HandleFetch(14, SessionFetch(-1, consumer, 3, {}), 11, 9);
  ASSERT_NO_FATAL_FAILURE(ExpectRecordsOfT0(l.Answer(14), 2));
}

// A session holds each partition once, wherever it is listed: after a forget moves the others,
// a later listing updates the entry that moved; a number listed twice in one fetch, or a number
// far past the topic's partitions, is still one entry.
TEST(FetchSessionTest, AnIncrementalFetchUpdatesEachListedPartitionOnce) {
  Leader l;
  ReplicaManager& rm = l.rm;
  const int32_t id = OpenSession(l, -1);
  ASSERT_NE(id, 0);
  rm.HandleFetch(2, SessionFetch(-1, id, 1, {}, {0}), 11, 2);
  EXPECT_TRUE(Answered(l.Answer(2)).empty());
  // t-1 moved to the session's first slot: listing it again updates that entry, which remembers
  // its last answer (a new entry would be answered in full).
  rm.HandleFetch(3, SessionFetch(-1, id, 2, {{1, 0}}), 11, 3);
  EXPECT_TRUE(Answered(l.Answer(3)).empty()) << "listed again at the same state: nothing new";
  const int32_t far = 70000;  // no such partition here
  rm.HandleFetch(4, SessionFetch(-1, id, 3, {{1, 0}, {far, 0}, {far, 0}}), 11, 4);
  EXPECT_EQ(Answered(l.Answer(4)), (std::vector<int32_t>{far}));
  // An unknown partition is answered (with its error) at every fetch; t-1 has nothing new.
  rm.HandleFetch(5, SessionFetch(-1, id, 4, {}), 11, 5);
  FetchResponse errors = l.Answer(5);
  ASSERT_EQ(Answered(errors), (std::vector<int32_t>{far}));
  EXPECT_EQ(errors.responses[0].partitions[0].error_code, E(ErrorCode::kUnknownTopicOrPartition));
  l.Produce(1, 6);
  rm.HandleFetch(6, SessionFetch(2, 0, 0, {{0, 0}, {1, 1}}), 12, 7);  // the follower takes it: HW 1
  (void)l.Answer(6);
  rm.HandleFetch(7, SessionFetch(-1, id, 5, {}), 11, 8);
  EXPECT_EQ(Answered(l.Answer(7)), (std::vector<int32_t>{1, far})) << "t-1 once, with its record";
}

// The session's index of partition numbers covers small numbers in an array and large ones (for
// the session's size) in a map; a number first filed in the map stays found there after the array
// grew past it, so listing it again updates its entry rather than adding a second one.
TEST(FetchSessionTest, AListedPartitionKeepsItsEntryWhateverItsNumber) {
  Leader l;
  ReplicaManager& rm = l.rm;
  rm.HandleFetch(1, SessionFetch(-1, 0, 0, {{100, 0}}), 11, 1);  // large for one entry: the map
  FetchResponse first = l.Answer(1);
  const int32_t id = first.session_id;
  ASSERT_NE(id, 0);
  EXPECT_EQ(Answered(first), (std::vector<int32_t>{100}));
  // Five more entries, then 101: the array now reaches past 100.
  rm.HandleFetch(2, SessionFetch(-1, id, 1, {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {4, 0}}), 11, 2);
  (void)l.Answer(2);
  rm.HandleFetch(3, SessionFetch(-1, id, 2, {{101, 0}}), 11, 3);
  (void)l.Answer(3);
  rm.HandleFetch(4, SessionFetch(-1, id, 3, {{100, 0}}), 11, 4);
  std::vector<int32_t> answered = Answered(l.Answer(4));
  EXPECT_EQ(std::count(answered.begin(), answered.end(), 100), 1) << "one entry for t-100";
  // Every unknown partition is answered (with its error) at each fetch: each entry once.
  std::sort(answered.begin(), answered.end());
  EXPECT_EQ(answered, (std::vector<int32_t>{2, 3, 4, 100, 101}));
}

// A fetch of a session completes a parked fetch of the same session while it walks the session's
// entries (its follower's new offset moves the high watermark, which releases the parked one):
// both are answered, each with what it had news of, and the session stays consistent.
TEST(FetchSessionTest, AFetchThatReleasesAParkedFetchOfItsOwnSessionAnswersBoth) {
  Leader l;
  ReplicaManager& rm = l.rm;
  const int32_t id = OpenSession(l, 2);
  ASSERT_NE(id, 0);
  l.Produce(0, 2);  // t-0: log end 1, high watermark 0 until follower 2 has it
  (void)rm.TakeReplies();
  // The record is too little for min_bytes: the fetch parks.
  FetchRequest parked = SessionFetch(2, id, 1, {});
  parked.max_wait_ms = 500;
  parked.min_bytes = 1 << 20;
  rm.HandleFetch(3, parked, 12, 3);
  EXPECT_TRUE(rm.TakeReplies().empty());
  ASSERT_EQ(rm.parked_requests(), 1u);
  // The next fetch of the session says follower 2 holds offset 1: the high watermark moves while
  // that fetch walks the session, which releases the parked fetch inside the walk.
  rm.HandleFetch(4, SessionFetch(2, id, 2, {{0, 1}}), 12, 4);
  std::vector<ReplicaReply> replies = rm.TakeReplies();
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].token, 3u) << "the parked fetch, released first";
  EXPECT_EQ(replies[1].token, 4u);
  const auto& released = std::get<FetchResponse>(replies[0].response);
  ASSERT_EQ(Answered(released), (std::vector<int32_t>{0}));
  EXPECT_EQ(released.responses[0].partitions[0].high_watermark, 1);
  EXPECT_EQ(rm.parked_requests(), 0u);
  // The new fetch had nothing more to say of t-0 (the released answer carried the high
  // watermark), and t-1 has nothing.
  EXPECT_TRUE(Answered(std::get<FetchResponse>(replies[1].response)).empty());
  // t-0 changed after the fetch found its state valid (the high watermark): it is looked at once
  // more, then the session is settled.
  rm.HandleFetch(5, SessionFetch(2, id, 3, {}), 12, 5);
  EXPECT_TRUE(Answered(l.Answer(5)).empty());
  EXPECT_EQ(rm.fetch_session_pending(id), 0u);
  // Later news still reaches the session.
  l.Produce(1, 6);
  (void)rm.TakeReplies();
  rm.HandleFetch(6, SessionFetch(2, id, 4, {}), 12, 7);
  EXPECT_EQ(Answered(l.Answer(6)), (std::vector<int32_t>{1}));
}

// When the controller registers a follower again (a new broker epoch: it restarted), the leader
// forgets what it knew of that follower; the entries of its session that were settled on the old
// state are looked at again, so its next fetch gives the leader its state back. Regression:
// generated scenario 6007 (scripts/fuzz-inputs.py) left such an entry settled on the reset state.
TEST(FetchSessionTest, AFollowerRegisteredAgainIsLookedAtAgainAtItsNextFetch) {
  Leader l;
  ReplicaManager& rm = l.rm;
  FollowerSession f(l);
  const int32_t id = f.id;
  ASSERT_NE(id, 0);
  // Follower 2's caught-up time on t-0 as the leader describes it (-1: nothing known).
  auto caught_up = [&] {
    std::vector<view::LocalReplica> replicas;
    rm.Describe(&replicas);
    for (const auto& r : replicas)
      if (r.partition == 0)
        for (const auto& [follower, ms] : r.follower_caught_up_ms)
          if (follower == 2) return ms;
    ADD_FAILURE() << "no follower 2 on t-0";
    return int64_t{-2};
  };
  for (int i = 0; i < 3 && rm.fetch_session_pending(id) != 0; ++i) EXPECT_TRUE(Answered(f.Fetch()).empty());
  ASSERT_EQ(rm.fetch_session_pending(id), 0u) << "steady";
  ASSERT_GE(caught_up(), 0);

  ReplicaAssignments again = TwoPartitions(1);
  again.broker_epochs[2] = 202;
  rm.OnAssignments(again, 101, f.now++);
  EXPECT_EQ(caught_up(), -1) << "the leader forgot the follower's state";
  EXPECT_EQ(rm.fetch_session_pending(id), 2u) << "both entries are looked at again";

  // The follower's next fetch lists nothing (its positions did not move), and still counts.
  const int64_t at = f.now;
  f.Fetch();
  EXPECT_EQ(caught_up(), at);
}

TEST(FetchSessionTest, TheCacheIsBoundedAndEvictsIdleSessions) {
  Leader l;
  ReplicaManager& rm = l.rm;
  for (size_t i = 0; i < ReplicaManager::kMaxFetchSessions; ++i) {
    rm.HandleFetch(i + 1, SessionFetch(-1, 0, 0, {{0, 0}}), 11, 1);
    ASSERT_NE(l.Answer(i + 1).session_id, 0);
  }
  EXPECT_EQ(rm.fetch_sessions(), ReplicaManager::kMaxFetchSessions);
  rm.HandleFetch(5000, SessionFetch(-1, 0, 0, {{0, 0}}), 11, 2);
  FetchResponse full = l.Answer(5000);
  EXPECT_EQ(full.session_id, 0) << "no room: served without a session";
  EXPECT_EQ(Answered(full), (std::vector<int32_t>{0}));
  rm.HandleFetch(5001, SessionFetch(-1, 0, 0, {{0, 0}}), 11, 1 + ReplicaManager::kFetchSessionEvictionMs);
  EXPECT_NE(l.Answer(5001).session_id, 0) << "the least recently used, idle that long, made room";
  EXPECT_EQ(rm.fetch_sessions(), ReplicaManager::kMaxFetchSessions);
}

// The follower side: the first fetch starts a session with every partition; later ones list
// only what changed; a lost session is started again at once.
TEST(FetchSessionTest, FollowerListsOnlyChangedPartitionsAndRestartsALostSession) {
  MemDisk disk;
  ReplicaConfig config;
  config.node_id = 2;
  ReplicaManager rm(config, disk);
  ASSERT_TRUE(rm.Open(0).ok());
  rm.OnAssignments(TwoPartitions(1), 102, 0);
  auto next_fetch = [&]() -> std::pair<uint64_t, FetchRequest> {
    for (ReplicaSend& s : rm.TakeSends())
      if (auto* f = std::get_if<FetchRequest>(&s.request)) return {s.id, *f};
    ADD_FAILURE() << "no fetch sent";
    return {};
  };
  auto listed = [](const FetchRequest& f) {
    std::vector<std::pair<int32_t, int64_t>> out;
    for (const auto& t : f.topics)
      for (const auto& p : t.partitions) out.emplace_back(p.partition, p.fetch_offset);
    return out;
  };
  auto [first_id, first] = next_fetch();
  EXPECT_EQ(first.session_id, 0);
  EXPECT_EQ(first.session_epoch, 0);
  EXPECT_EQ(listed(first), (std::vector<std::pair<int32_t, int64_t>>{{0, 0}, {1, 0}}));

  FetchResponse resp;
  resp.session_id = 77;
  FetchResponse::Topic t;
  t.topic = "t";
  for (int32_t p = 0; p < 2; ++p) {
    FetchResponse::Partition fp;
    fp.partition_index = p;
    fp.high_watermark = 0;
    fp.log_start_offset = 0;
    t.partitions.push_back(fp);
  }
  resp.responses = {t};
  rm.OnResponse(first_id, resp, 1);
  auto [second_id, second] = next_fetch();
  EXPECT_EQ(second.session_id, 77);
  EXPECT_EQ(second.session_epoch, 1);
  EXPECT_TRUE(listed(second).empty()) << "nothing changed";
  EXPECT_TRUE(second.forgotten_topics_data.empty());

  // t-0 gets a record; t-1 is left out of the answer (nothing new for it).
  const Bytes record = LeaderLogBytes({MakeBatch("x", 1000)});
  FetchResponse data;
  data.session_id = 77;
  FetchResponse::Topic dt;
  dt.topic = "t";
  FetchResponse::Partition fp;
  fp.partition_index = 0;
  fp.high_watermark = 0;
  fp.log_start_offset = 0;
  fp.records = ByteView(record);
  dt.partitions = {fp};
  data.responses = {dt};
  rm.OnResponse(second_id, data, 2);
  auto [third_id, third] = next_fetch();
  EXPECT_EQ(third.session_epoch, 2);
  EXPECT_EQ(listed(third), (std::vector<std::pair<int32_t, int64_t>>{{0, 1}})) << "only t-0 moved";

  // The leader lost the session (it restarted): the next fetch starts a new one at once, with
  // every partition, and no backoff.
  FetchResponse lost;
  lost.error_code = E(ErrorCode::kFetchSessionIdNotFound);
  rm.OnResponse(third_id, lost, 3);
  auto [fourth_id, fourth] = next_fetch();
  EXPECT_EQ(fourth.session_id, 0);
  EXPECT_EQ(fourth.session_epoch, 0);
  EXPECT_EQ(listed(fourth), (std::vector<std::pair<int32_t, int64_t>>{{0, 1}, {1, 0}}));
  (void)fourth_id;
}

}  // namespace
}  // namespace samsa::testing
