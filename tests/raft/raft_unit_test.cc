// Focused RaftReplica and QuorumStateStore tests: some drive one replica by hand, others use the
// harness with scripted faults.

#include <gtest/gtest.h>

#include "core/controller/quorum_state.h"
#include "core/controller/raft.h"
#include "core/protocol/error_codes.h"
#include "tests/raft/raft_harness.h"

namespace samsa::raft_test {
namespace {

RaftConfig Config(int32_t id, std::vector<int32_t> voters) {
  RaftConfig c;
  c.node_id = id;
  c.voters = std::move(voters);
  return c;
}

VoteRequest MakeVote(int32_t candidate, int32_t epoch, int32_t last_epoch, int64_t last_offset) {
  VoteRequest req;
  req.cluster_id = "samsa";
  VoteRequest::Partition p;
  p.candidate_id = candidate;
  p.candidate_epoch = epoch;
  p.last_offset_epoch = last_epoch;
  p.last_offset = last_offset;
  req.topics.push_back({"__cluster_metadata", {p}});
  return req;
}

FetchRequest MakeFetch(int32_t replica, int32_t epoch, int64_t offset, int32_t last_epoch) {
  FetchRequest req;
  req.cluster_id = "samsa";
  req.replica_id = replica;
  req.max_wait_ms = 0;
  FetchRequest::Partition p;
  p.current_leader_epoch = epoch;
  p.fetch_offset = offset;
  p.last_fetched_epoch = last_epoch;
  p.partition_max_bytes = 1 << 20;
  FetchRequest::Topic t;
  t.topic = "__cluster_metadata";
  t.partitions.push_back(p);
  req.topics.push_back(t);
  return req;
}

// Completes every pending sync of disk, telling the replica, until none are left.
void DrainSyncs(MemDisk& disk, RaftReplica& r, int64_t now) {
  for (int round = 0; round < 20; ++round) {
    std::vector<SyncId> pending = disk.PendingSyncs();
    if (pending.empty()) return;
    for (SyncId id : pending) {
      disk.CompleteSync(id);
      r.OnSyncDone(id, true, now);
    }
  }
}

std::optional<VoteResponse::Partition> VoteReply(RaftReplica& r, uint64_t token) {
  for (RaftReply& reply : r.TakeReplies()) {
    if (reply.token != token) continue;
    const auto* v = std::get_if<VoteResponse>(&reply.response);
    if (v == nullptr || v->topics.empty()) return std::nullopt;
    return v->topics[0].partitions[0];
  }
  return std::nullopt;
}

TEST(QuorumStateTest, EncodeParseRoundTrip) {
  QuorumStateData d{7, 2, 3};
  std::string text = EncodeQuorumState(d, "samsa", {1, 2, 3});
  Result<QuorumStateData> back = ParseQuorumState(text);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, d);
  EXPECT_FALSE(ParseQuorumState("{\"leaderId\":1}").ok());
  EXPECT_FALSE(ParseQuorumState("").ok());
}

TEST(QuorumStateTest, WriteIsDurableOnlyAfterBothSyncs) {
  MemDisk disk;
  QuorumStateStore store(disk, "quorum-state", "samsa", {1});
  uint64_t v = store.Write({3, -1, 1});
  EXPECT_EQ(store.durable_version(), 0u);
  std::vector<SyncId> first = disk.PendingSyncs();
  ASSERT_EQ(first.size(), 1u);
  disk.CompleteSync(first[0]);
  EXPECT_TRUE(store.OnSyncDone(first[0], true));
  EXPECT_EQ(store.durable_version(), 0u);
  std::vector<SyncId> second = disk.PendingSyncs();
  ASSERT_EQ(second.size(), 1u);
  disk.CompleteSync(second[0]);
  EXPECT_TRUE(store.OnSyncDone(second[0], true));
  EXPECT_EQ(store.durable_version(), v);
  disk.Crash();
  QuorumStateStore reopened(disk, "quorum-state", "samsa", {1});
  auto loaded = reopened.Load();
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, (QuorumStateData{3, -1, 1}));
}

TEST(QuorumStateTest, CrashMidWriteKeepsOldState) {
  MemDisk disk;
  {
    QuorumStateStore store(disk, "quorum-state", "samsa", {1});
    store.Write({1, -1, 2});
    for (int i = 0; i < 2; ++i) {
      for (SyncId id : disk.PendingSyncs()) {
        disk.CompleteSync(id);
        store.OnSyncDone(id, true);
      }
    }
    store.Write({2, -1, 3});
    for (SyncId id : disk.PendingSyncs()) {  // only the temp file's sync
      disk.CompleteSync(id);
      store.OnSyncDone(id, true);
    }
    Prng prng(5);
    disk.Crash(&prng);
  }
  QuorumStateStore reopened(disk, "quorum-state", "samsa", {1});
  auto loaded = reopened.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_TRUE(loaded->has_value());
  // Either the old or the new state, never a torn one.
  EXPECT_TRUE(**loaded == (QuorumStateData{1, -1, 2}) || **loaded == (QuorumStateData{2, -1, 3}));
  EXPECT_FALSE(disk.Exists("quorum-state.tmp"));
}

TEST(RaftTest, SingleVoterElectsItselfImmediately) {
  MemDisk disk;
  RaftReplica r(Config(1, {1}), disk, Prng(1));
  ASSERT_TRUE(r.Open(0).ok());
  EXPECT_STREQ(r.StateName(), "Candidate");
  DrainSyncs(disk, r, 0);  // the self-vote becomes durable
  EXPECT_TRUE(r.IsLeader());
  EXPECT_EQ(r.Epoch(), 1);
  EXPECT_EQ(r.LeaderId(), 1);
  Result<int64_t> off = r.Append({ToBytes("a"), ToBytes("b")}, 1);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_EQ(*off, 2);  // offset 0 is the leader-change record
  EXPECT_EQ(r.HighWatermark(), 1);  // the leader-change record committed; the new batch is not durable yet
  DrainSyncs(disk, r, 1);
  EXPECT_EQ(r.HighWatermark(), 3);
  std::vector<RaftRecord> committed = r.TakeCommitted();
  ASSERT_EQ(committed.size(), 2u);
  EXPECT_EQ(committed[0].offset, 1);
  EXPECT_EQ(AsString(committed[0].value), "a");
  EXPECT_EQ(committed[1].offset, 2);
  EXPECT_EQ(committed[1].epoch, 1);
  EXPECT_TRUE(r.TakeCommitted().empty());  // exactly once

  // After a restart the committed records replay from the start of the log.
  disk.Crash();
  RaftReplica again(Config(1, {1}), disk, Prng(2));
  ASSERT_TRUE(again.Open(10).ok());
  DrainSyncs(disk, again, 10);
  EXPECT_TRUE(again.IsLeader());
  EXPECT_EQ(again.Epoch(), 2);
  std::vector<RaftRecord> replay = again.TakeCommitted();
  ASSERT_EQ(replay.size(), 2u);
  EXPECT_EQ(replay, committed);
}

TEST(RaftTest, AppendOnNonLeaderFails) {
  MemDisk disk;
  RaftReplica r(Config(1, {1, 2, 3}), disk, Prng(1));
  ASSERT_TRUE(r.Open(0).ok());
  Result<int64_t> res = r.Append({ToBytes("x")}, 0);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kFailedPrecondition);
}

TEST(RaftTest, VoteNotGrantedTwiceInAnEpochEvenAcrossCrash) {
  MemDisk disk;
  auto r = std::make_unique<RaftReplica>(Config(1, {1, 2, 3}), disk, Prng(1));
  ASSERT_TRUE(r->Open(0).ok());
  r->OnRequest(100, MakeVote(2, 5, 0, 0), 0, 1);
  // Not answered until the vote is durable.
  EXPECT_FALSE(VoteReply(*r, 100).has_value());
  EXPECT_EQ(r->VotedId(), 2);
  DrainSyncs(disk, *r, 2);
  auto granted = VoteReply(*r, 100);
  ASSERT_TRUE(granted.has_value());
  EXPECT_TRUE(granted->vote_granted);
  EXPECT_EQ(granted->leader_epoch, 5);
  // Another candidate in the same epoch is refused.
  r->OnRequest(101, MakeVote(3, 5, 0, 0), 0, 3);
  auto refused = VoteReply(*r, 101);
  ASSERT_TRUE(refused.has_value());
  EXPECT_FALSE(refused->vote_granted);
  // The same candidate asking again is granted again.
  r->OnRequest(102, MakeVote(2, 5, 0, 0), 0, 3);
  DrainSyncs(disk, *r, 3);
  auto again = VoteReply(*r, 102);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->vote_granted);

  // Crash and restart: the vote survives.
  r.reset();
  Prng crash_prng(9);
  disk.Crash(&crash_prng);
  r = std::make_unique<RaftReplica>(Config(1, {1, 2, 3}), disk, Prng(2));
  ASSERT_TRUE(r->Open(10).ok());
  EXPECT_EQ(r->Epoch(), 5);
  EXPECT_EQ(r->VotedId(), 2);
  r->OnRequest(103, MakeVote(3, 5, 0, 0), 0, 11);
  DrainSyncs(disk, *r, 11);
  auto after = VoteReply(*r, 103);
  ASSERT_TRUE(after.has_value());
  EXPECT_FALSE(after->vote_granted);
}

TEST(RaftTest, UndurableVoteIsNeverSentAndMayBeRecast) {
  MemDisk disk;
  auto r = std::make_unique<RaftReplica>(Config(1, {1, 2, 3}), disk, Prng(1));
  ASSERT_TRUE(r->Open(0).ok());
  DrainSyncs(disk, *r, 0);
  r->OnRequest(100, MakeVote(2, 5, 0, 0), 0, 1);
  EXPECT_FALSE(VoteReply(*r, 100).has_value());
  r.reset();
  disk.Crash();  // the vote never became durable and was never sent
  r = std::make_unique<RaftReplica>(Config(1, {1, 2, 3}), disk, Prng(2));
  ASSERT_TRUE(r->Open(10).ok());
  EXPECT_LT(r->Epoch(), 5);
  r->OnRequest(101, MakeVote(3, 5, 0, 0), 0, 11);
  DrainSyncs(disk, *r, 11);
  auto granted = VoteReply(*r, 101);
  ASSERT_TRUE(granted.has_value());
  EXPECT_TRUE(granted->vote_granted);
}

TEST(RaftTest, VoteRefusedToCandidateWithShorterLog) {
  MemDisk disk;
  RaftReplica r(Config(1, {1}), disk, Prng(1));  // a lone voter builds a log
  ASSERT_TRUE(r.Open(0).ok());
  DrainSyncs(disk, r, 0);
  ASSERT_TRUE(r.Append({ToBytes("a")}, 0).ok());
  DrainSyncs(disk, r, 0);
  // Same disk, now as a member of a 3-voter cluster.
  disk.Crash();
  RaftReplica m(Config(1, {1, 2, 3}), disk, Prng(2));
  ASSERT_TRUE(m.Open(1).ok());
  DrainSyncs(disk, m, 1);
  m.OnRequest(1, MakeVote(2, 9, 1, 1), 0, 2);  // epoch 1 but shorter
  DrainSyncs(disk, m, 2);
  auto shorter = VoteReply(m, 1);
  ASSERT_TRUE(shorter.has_value());
  EXPECT_FALSE(shorter->vote_granted);
  m.OnRequest(2, MakeVote(3, 10, 1, 2), 0, 3);  // as up to date
  DrainSyncs(disk, m, 3);
  auto equal = VoteReply(m, 2);
  ASSERT_TRUE(equal.has_value());
  EXPECT_TRUE(equal->vote_granted);
}

// A voter whose log loses durable records to corruption (cut off on recovery, below the recovery
// point) may have acknowledged records it no longer holds: it votes for no one, even a candidate
// with a longer log, and the mark survives another crash.
TEST(RaftTest, VoterThatLostDurableRecordsDoesNotVote) {
  MemDisk disk;
  RaftConfig lone = Config(1, {1});
  RaftReplica r(lone, disk, Prng(1));  // a lone voter builds a log of three batches
  ASSERT_TRUE(r.Open(0).ok());
  DrainSyncs(disk, r, 0);
  for (const char* v : {"a", "b", "c"}) {
    ASSERT_TRUE(r.Append({ToBytes(v)}, 0).ok());
    DrainSyncs(disk, r, 0);
  }
  // Rewriting the recovery point needs one more sync round.
  r.Tick(1);
  DrainSyncs(disk, r, 1);
  std::string segment = lone.log_dir + "/00000000000000000000.log";
  ASSERT_TRUE(disk.FlipDurableBit(segment, 70, 3).ok());
  disk.Crash();
  for (int incarnation = 0; incarnation < 2; ++incarnation) {
    RaftReplica m(Config(1, {1, 2, 3}), disk, Prng(2 + incarnation));
    ASSERT_TRUE(m.Open(1).ok());
    DrainSyncs(disk, m, 1);
    EXPECT_LT(m.LogEndOffset(), 3);
    m.OnRequest(1, MakeVote(2, 9, 1, 100), 0, 2);  // far ahead of us
    DrainSyncs(disk, m, 2);
    auto reply = VoteReply(m, 1);
    ASSERT_TRUE(reply.has_value());
    EXPECT_FALSE(reply->vote_granted) << "incarnation " << incarnation;
    disk.Crash();
  }
  // Without the corruption the same request is granted (the test can fail).
  MemDisk clean;
  RaftReplica c(Config(1, {1, 2, 3}), clean, Prng(5));
  ASSERT_TRUE(c.Open(1).ok());
  DrainSyncs(clean, c, 1);
  c.OnRequest(1, MakeVote(2, 9, 1, 100), 0, 2);
  DrainSyncs(clean, c, 2);
  auto granted = VoteReply(c, 1);
  ASSERT_TRUE(granted.has_value());
  EXPECT_TRUE(granted->vote_granted);
}

// A voter whose quorum-state fails its checksum may have forgotten a vote it cast: it refuses to
// start; an intact file changes nothing; an observer starts afresh.
TEST(RaftTest, VoterWithCorruptQuorumStateRefusesToStart) {
  for (bool flip : {false, true}) {
    MemDisk disk;
    RaftConfig config = Config(1, {1, 2, 3});
    config.quorum_state_path = "quorum-state";
    {
      RaftReplica r(config, disk, Prng(1));
      ASSERT_TRUE(r.Open(0).ok());
      r.OnRequest(1, MakeVote(2, 3, 0, 0), 0, 1);  // votes for 2 in epoch 3
      DrainSyncs(disk, r, 1);
      // One call: VoteReply takes the replies, so a second call finds none.
      const auto vote = VoteReply(r, 1);
      ASSERT_TRUE(vote.has_value() && vote->vote_granted);
    }
    if (flip) {
      ASSERT_TRUE(disk.FlipDurableBit("quorum-state", 20, 2).ok());
    }
    disk.Crash();
    RaftReplica m(config, disk, Prng(2));
    Status opened = m.Open(2);
    EXPECT_EQ(opened.ok(), !flip) << opened.ToString();
    if (flip) {
      EXPECT_NE(opened.message().find("will not start"), std::string::npos) << opened.ToString();
      RaftConfig observer = Config(4, {1, 2, 3});
      observer.quorum_state_path = "quorum-state";
      RaftReplica o(observer, disk, Prng(3));
      EXPECT_TRUE(o.Open(3).ok());
    }
  }
}

TEST(RaftTest, ObserverNeverVotes) {
  MemDisk disk;
  RaftReplica r(Config(4, {1, 2, 3}), disk, Prng(1));
  ASSERT_TRUE(r.Open(0).ok());
  EXPECT_STREQ(r.StateName(), "Observer");
  r.OnRequest(7, MakeVote(2, 3, 0, 0), 0, 1);
  DrainSyncs(disk, r, 1);
  auto reply = VoteReply(r, 7);
  ASSERT_TRUE(reply.has_value());
  EXPECT_FALSE(reply->vote_granted);
  // Long silence: an observer never campaigns.
  for (int64_t t = 0; t < 60000; t += 100) {
    r.Tick(t);
    for (RaftSend& s : r.TakeSends()) {
      EXPECT_FALSE(std::holds_alternative<VoteRequest>(s.request));
      r.OnSendFailed(s.to, t);
    }
  }
  EXPECT_STREQ(r.StateName(), "Observer");
  EXPECT_FALSE(r.IsLeader());
}

TEST(RaftTest, ObserverFindsLeaderAndReplicates) {
  ClusterOptions o;
  o.nodes = 4;
  o.voters = 3;
  Cluster c(11, o);
  ASSERT_TRUE(c.RunUntil([&] { return c.Leader() > 0; }, 20000)) << c.Describe();
  int32_t l = c.Leader();
  ASSERT_TRUE(c.AppendOnLeader(l, "hello").ok());
  ASSERT_TRUE(c.RunUntil([&] { return !c.node(4).delivered.empty(); }, 10000)) << c.Describe();
  EXPECT_EQ(AsString(c.node(4).delivered.back().value), "hello");
  EXPECT_EQ(c.raft(4).LeaderId(), l);
  EXPECT_TRUE(c.violations().empty()) << c.violations().front();
  DescribeQuorumResponse dq = c.raft(l).DescribeQuorum(c.now());
  ASSERT_EQ(dq.topics.size(), 1u);
  EXPECT_EQ(dq.topics[0].partitions[0].current_voters.size(), 3u);
  EXPECT_EQ(dq.topics[0].partitions[0].observers.size(), 1u);
}

TEST(RaftTest, StaleLeaderStepsDownOnHigherEpoch) {
  Cluster c(21, ClusterOptions{});
  ASSERT_TRUE(c.RunUntil([&] { return c.Leader() > 0; }, 20000)) << c.Describe();
  int32_t old_leader = c.Leader();
  int32_t old_epoch = c.raft(old_leader).Epoch();
  c.Isolate(old_leader);
  ASSERT_TRUE(c.RunUntil(
      [&] {
        int32_t l = c.Leader();
        return l > 0 && l != old_leader && c.raft(l).Epoch() > old_epoch;
      },
      20000))
      << c.Describe();
  int32_t new_leader = c.Leader();
  c.HealAll();
  ASSERT_TRUE(c.RunUntil([&] { return !c.raft(old_leader).IsLeader() && c.raft(old_leader).LeaderId() == new_leader; },
                         10000))
      << c.Describe();
  EXPECT_GT(c.raft(old_leader).Epoch(), old_epoch);
  EXPECT_TRUE(c.violations().empty()) << c.violations().front();
}

TEST(RaftTest, LeaderResignsWithoutQuorum) {
  Cluster c(31, ClusterOptions{});
  ASSERT_TRUE(c.RunUntil([&] { return c.Leader() > 0; }, 20000));
  int32_t l = c.Leader();
  c.Isolate(l);
  ASSERT_TRUE(c.RunUntil([&] { return !c.raft(l).IsLeader(); }, 5000)) << c.Describe();
  EXPECT_STREQ(c.raft(l).StateName(), "Resigned") << c.Describe();
}

TEST(RaftTest, FollowerTruncatesDivergentTail) {
  Cluster c(41, ClusterOptions{});
  ASSERT_TRUE(c.RunUntil([&] { return c.Leader() > 0; }, 20000));
  int32_t old_leader = c.Leader();
  ASSERT_TRUE(c.AppendOnLeader(old_leader, "committed").ok());
  ASSERT_TRUE(c.RunUntil(
      [&] {
        for (int i = 1; i <= 3; ++i) {
          if (c.node(i).delivered.empty()) return false;
        }
        return true;
      },
      10000));
  c.Isolate(old_leader);
  // Appends on the isolated leader never commit.
  ASSERT_TRUE(c.AppendOnLeader(old_leader, "lost-1").ok());
  ASSERT_TRUE(c.AppendOnLeader(old_leader, "lost-2").ok());
  int64_t stale_end = c.raft(old_leader).LogEndOffset();
  ASSERT_TRUE(c.RunUntil(
      [&] {
        int32_t l = c.Leader();
        return l > 0 && l != old_leader;
      },
      20000))
      << c.Describe();
  int32_t new_leader = c.Leader();
  ASSERT_TRUE(c.AppendOnLeader(new_leader, "new-1").ok());
  c.HealAll();
  ASSERT_TRUE(c.RunUntil(
      [&] {
        for (const RaftRecord& r : c.node(old_leader).delivered) {
          if (AsString(r.value) == "new-1") return true;
        }
        return false;
      },
      20000))
      << c.Describe();
  auto old_log = Cluster::ReadLog(c.raft(old_leader));
  for (const auto& [offset, rec] : old_log) {
    EXPECT_NE(AsString(rec.value), "lost-1");
    EXPECT_NE(AsString(rec.value), "lost-2");
  }
  EXPECT_GE(stale_end, 0);
  auto new_log = Cluster::ReadLog(c.raft(new_leader));
  for (const auto& [offset, rec] : old_log) {
    ASSERT_TRUE(new_log.count(offset)) << offset;
    EXPECT_EQ(new_log[offset], rec);
  }
  EXPECT_TRUE(c.violations().empty()) << c.violations().front();
}

TEST(RaftTest, HighWatermarkAdvancesOnlyOverCurrentEpochRecords) {
  MemDisk disk;
  RaftReplica r(Config(1, {1, 2, 3}), disk, Prng(1));
  ASSERT_TRUE(r.Open(0).ok());
  DrainSyncs(disk, r, 0);
  // Node 2 leads epoch 1; node 1 follows.
  BeginQuorumEpochRequest begin;
  begin.cluster_id = "samsa";
  BeginQuorumEpochRequest::Partition bp;
  bp.leader_id = 2;
  bp.leader_epoch = 1;
  begin.topics.push_back({"__cluster_metadata", {bp}});
  r.OnRequest(1, begin, 0, 1);
  ASSERT_STREQ(r.StateName(), "Follower");
  DrainSyncs(disk, r, 1);
  std::vector<RaftSend> sends = r.TakeSends();
  ASSERT_EQ(sends.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<FetchRequest>(sends[0].request));
  // The leader sends three records of epoch 1, none committed (HW 0).
  RecordBatchBuilder b;
  b.set_base_offset(0).set_partition_leader_epoch(1);
  for (const char* v : {"x", "y", "z"}) b.Add(1, std::nullopt, AsBytes(v));
  Bytes batch = b.Build().value();
  FetchResponse resp;
  FetchResponse::Partition fp;
  fp.high_watermark = 0;
  fp.current_leader = FetchResponse::LeaderIdAndEpoch{2, 1};
  fp.records = ByteView(batch);
  resp.responses.push_back({"__cluster_metadata", Uuid(), {fp}});
  r.OnResponse(2, resp, 2);
  EXPECT_EQ(r.LogEndOffset(), 3);
  EXPECT_EQ(r.HighWatermark(), 0);
  DrainSyncs(disk, r, 2);
  (void)r.TakeSends();

  // Silence: node 1 campaigns in epoch 2 and wins with node 3's vote.
  r.Tick(1000000);
  ASSERT_STREQ(r.StateName(), "Candidate");
  ASSERT_EQ(r.Epoch(), 2);
  DrainSyncs(disk, r, 1000000);
  VoteResponse grant;
  VoteResponse::Partition gp;
  gp.leader_id = -1;
  gp.leader_epoch = 2;
  gp.vote_granted = true;
  grant.topics.push_back({"__cluster_metadata", {gp}});
  r.OnResponse(3, grant, 1000001);
  ASSERT_TRUE(r.IsLeader());
  EXPECT_EQ(r.EpochStartOffset(), 3);
  DrainSyncs(disk, r, 1000001);
  EXPECT_EQ(r.LogEndOffset(), 4);  // the leader-change record
  (void)r.TakeReplies();

  // Node 3 holds the epoch-1 records (offset 3) but not the epoch-2 record: a majority holds
  // offsets < 3, yet they are from an older epoch, so the HW must not move.
  r.OnRequest(50, MakeFetch(3, 2, 3, 1), 12, 1000002);
  EXPECT_EQ(r.HighWatermark(), 0);
  // Once node 3 holds the leader-change record, everything up to it commits.
  r.OnRequest(51, MakeFetch(3, 2, 4, 2), 12, 1000003);
  EXPECT_EQ(r.HighWatermark(), 4);
  std::vector<RaftRecord> committed = r.TakeCommitted();
  ASSERT_EQ(committed.size(), 3u);
  EXPECT_EQ(AsString(committed[2].value), "z");
  EXPECT_EQ(committed[2].epoch, 1);
}

TEST(RaftTest, LeaderAnswersDivergingEpoch) {
  MemDisk disk;
  RaftReplica r(Config(1, {1}), disk, Prng(1));
  ASSERT_TRUE(r.Open(0).ok());
  DrainSyncs(disk, r, 0);  // epoch 1, leader-change at 0
  ASSERT_TRUE(r.Append({ToBytes("a")}, 0).ok());
  DrainSyncs(disk, r, 0);
  // A fetcher claiming offset 5 in epoch 1 diverges at our end of epoch 1 (offset 2).
  r.OnRequest(9, MakeFetch(7, 1, 5, 1), 12, 1);
  std::vector<RaftReply> replies = r.TakeReplies();
  ASSERT_EQ(replies.size(), 1u);
  const auto& fr = std::get<FetchResponse>(replies[0].response);
  const auto& p = fr.responses[0].partitions[0];
  ASSERT_TRUE(p.diverging_epoch.has_value());
  EXPECT_EQ(p.diverging_epoch->epoch, 1);
  EXPECT_EQ(p.diverging_epoch->end_offset, 2);
  // A stale epoch is fenced, with the current leader named.
  r.OnRequest(10, MakeFetch(7, 0, 0, 0), 12, 1);
  replies = r.TakeReplies();
  ASSERT_EQ(replies.size(), 1u);
  const auto& fenced = std::get<FetchResponse>(replies[0].response).responses[0].partitions[0];
  EXPECT_EQ(fenced.error_code, int16_t(ErrorCode::kFencedLeaderEpoch));
  ASSERT_TRUE(fenced.current_leader.has_value());
  EXPECT_EQ(fenced.current_leader->leader_id, 1);
  EXPECT_EQ(fenced.current_leader->leader_epoch, 1);
}

TEST(RaftTest, EmptyFetchIsParkedUntilData) {
  MemDisk disk;
  RaftReplica r(Config(1, {1}), disk, Prng(1));
  ASSERT_TRUE(r.Open(0).ok());
  DrainSyncs(disk, r, 0);
  FetchRequest f = MakeFetch(7, 1, 1, 1);
  f.max_wait_ms = 500;
  r.OnRequest(3, f, 12, 10);
  EXPECT_TRUE(r.TakeReplies().empty());
  EXPECT_EQ(r.NextDeadlineMs(), 510);
  ASSERT_TRUE(r.Append({ToBytes("a")}, 20).ok());
  std::vector<RaftReply> replies = r.TakeReplies();
  ASSERT_EQ(replies.size(), 1u);
  const auto& p = std::get<FetchResponse>(replies[0].response).responses[0].partitions[0];
  ASSERT_TRUE(p.records.has_value());
  EXPECT_GT(p.records->size(), 0u);
  // And the timeout answers an empty one.
  r.OnRequest(4, MakeFetch(7, 1, 2, 1), 12, 30);
  f = MakeFetch(7, 1, 2, 1);
  f.max_wait_ms = 500;
  r.OnRequest(5, f, 12, 30);
  replies = r.TakeReplies();
  ASSERT_EQ(replies.size(), 1u);  // token 4 (max_wait 0) answered at once
  r.Tick(529);
  EXPECT_TRUE(r.TakeReplies().empty());
  r.Tick(530);
  EXPECT_EQ(r.TakeReplies().size(), 1u);
}

TEST(RaftTest, DeterministicAcrossRuns) {
  auto run = [](uint64_t seed) {
    Cluster c(seed, ClusterOptions{});
    c.SetDropPermille(50);
    std::string trace;
    for (int i = 0; i < 2000; ++i) {
      if (!c.Step()) break;
      if (i % 100 == 0) trace += c.Describe();
    }
    return trace;
  };
  EXPECT_EQ(run(77), run(77));
}

}  // namespace
}  // namespace samsa::raft_test
