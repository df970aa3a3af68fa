#pragma once
// RaftReplica: a KRaft-style (KIP-595) Raft replica of the metadata log `__cluster_metadata-0`,
// as a pure deterministic state machine. Pull-based: followers fetch from the leader; the leader
// learns what a follower holds from the offset it fetches at.
//
// Inputs: Open, Tick(now), OnRequest, OnResponse, OnSendFailed, OnSyncDone, Append.
// Outputs: TakeSends (requests to peers), TakeReplies (answers to OnRequest tokens),
// TakeCommitted (records below the high watermark), NextDeadlineMs.
// Every RaftSend must eventually be answered by exactly one OnResponse or OnSendFailed (the
// runtime enforces a request timeout); every OnRequest token gets exactly one RaftReply unless the
// replica is dropped (crash).
//
// States (voters) and transitions; an epoch is entered persistently (quorum-state) and "higher
// epoch" below means any message carrying an epoch above ours:
//   Unattached(e)   no leader known, no vote cast in e. Election timer (random in
//                   [election_timeout, 2*election_timeout)) -> Candidate(e+1);
//                   grants a vote -> Voted(e); BeginQuorumEpoch / a leader in e -> Follower(e).
//   Voted(e, c)     voted for c in e (durable before the reply leaves). Timer -> Candidate(e+1);
//                   leader in e learned -> Follower(e).
//   Candidate(e)    voted for itself (counted once durable), sent Vote to the other voters.
//                   Majority granted -> Leader(e); majority rejected or timer -> backoff (random in
//                   [0, election_backoff_max)) then Candidate(e+1); leader in e -> Follower(e).
//   Leader(e)       appended a leader-change control record in e; sends BeginQuorumEpoch until
//                   each voter acknowledged or fetched; answers Fetch (parks empty ones up to
//                   fetch_max_wait); HW = the majority's durable fetch offset, advanced only over
//                   records of e. No fetch from a majority for fetch_timeout -> Resigned(e).
//   Follower(e, l)  fetches from l, syncs what it appended before advertising it in the next fetch,
//                   learns HW from responses, truncates on diverging_epoch. No successful fetch for
//                   fetch_timeout (or EndQuorumEpoch from l: a shortened random wait) -> Candidate(e+1).
//   Resigned(e)     an ex-leader (check-quorum, or restarted as leader): sent EndQuorumEpoch,
//                   takes no appends. Timer -> Candidate(e+1).
//   any             higher epoch e' with a known leader -> Follower(e', l); without -> Unattached(e').
// Observers (node not in voters) are only ever Unattached or Follower (StateName "Observer"):
// while no leader is known they send Fetch to a random voter, whose answer names the leader; a
// fetch timeout sends them back to Unattached. They never vote and never become candidates.
// Abstaining voter: a voter that lost durable log records to corruption may have acknowledged
// records it no longer holds. (A voter whose quorum-state fails its checksum does not start.) It
// grants no vote and never stands; it finds the leader as an observer does, and becomes a full
// voter again once, as a follower, its log holds a record of the leader's epoch below the high
// watermark (so everything committed before that epoch). The mark is durable (quorum-state
// "samsaLostLog"). A lone voter cannot abstain: nobody else could lead.
// Known limits of corruption handling: a corrupt last batch of the log looks like a torn unsynced
// write, so it counts as lost durable data only below the recovery point (which lags the durable
// end by a sync); a flipped partitionLeaderEpoch (outside the batch CRC) in batches past the
// sealed epoch checkpoint's last entry is taken for a newer epoch.
//
// Storage: the log is a PartitionLog in config.log_dir; each Append is one uncompressed RecordBatch
// whose records carry the given values; the leader's leader-change record is a control batch
// (LeaderChangeMessage v0) that TakeCommitted skips. The quorum-state file lives beside the log
// directory (config.quorum_state_path, by default "<parent of log_dir>/quorum-state") because a
// partition directory admits only log files.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/disk.h"
#include "core/base/ids.h"
#include "core/base/prng.h"
#include "core/base/status.h"
#include "core/controller/quorum_state.h"
#include "core/log/partition_log.h"
#include "core/protocol/messages/dispatch.h"

namespace samsa {

inline constexpr std::string_view kClusterMetadataTopic = "__cluster_metadata";
inline constexpr int32_t kClusterMetadataPartition = 0;

// Versions the replica sends (and expects in answers).
inline constexpr int16_t kRaftVoteVersion = 0;
inline constexpr int16_t kRaftBeginQuorumEpochVersion = 0;
inline constexpr int16_t kRaftEndQuorumEpochVersion = 0;
inline constexpr int16_t kRaftFetchVersion = 12;

struct RaftConfig {
  int32_t node_id = -1;
  std::vector<int32_t> voters;              // controller.quorum.voters (node ids); not a voter => observer
  int64_t election_timeout_ms = 1000;       // controller.quorum.election.timeout.ms
  int64_t election_backoff_max_ms = 1000;   // controller.quorum.election.backoff.max.ms
  int64_t fetch_timeout_ms = 2000;          // controller.quorum.fetch.timeout.ms
  int64_t fetch_max_wait_ms = 500;          // how long the leader parks an empty Fetch
  int64_t retry_backoff_ms = 20;            // controller.quorum.retry.backoff.ms
  int32_t fetch_max_bytes = 1 << 20;        // per Fetch response
  size_t max_parked_fetches = 1024;         // beyond this an empty Fetch is answered at once
  std::string cluster_id = "samsa";
  std::string log_dir = "__cluster_metadata-0";
  std::string quorum_state_path;            // "" = "<parent of log_dir>/quorum-state"
  LogConfig log_config;
};

struct RaftRecord {
  int64_t offset = 0;
  int32_t epoch = 0;
  Bytes value;
  friend bool operator==(const RaftRecord&, const RaftRecord&) = default;
};

struct RaftSend {
  int32_t to = -1;
  RequestBody request;
  int16_t version = 0;
};

// `records` owns the bytes a FetchResponse's records view points into (moving a RaftReply keeps
// the view valid: a moved vector keeps its buffer).
struct RaftReply {
  uint64_t token = 0;
  ResponseBody response;
  int16_t version = 0;
  Bytes records;
};

class RaftReplica {
 public:
  enum class State { kUnattached, kVoted, kCandidate, kLeader, kFollower, kResigned };

  RaftReplica(RaftConfig config, Disk& disk, Prng prng);
  ~RaftReplica();
  RaftReplica(const RaftReplica&) = delete;
  RaftReplica& operator=(const RaftReplica&) = delete;

  // Recovers the log and the quorum state. Must succeed before any other call.
  Status Open(int64_t now_ms);

  void Tick(int64_t now_ms);
  // The earliest time Tick has something to do (INT64_MAX when nothing is scheduled).
  int64_t NextDeadlineMs() const;

  void OnRequest(uint64_t token, const RequestBody& request, int16_t version, int64_t now_ms);
  void OnResponse(int32_t from, const ResponseBody& response, int64_t now_ms);
  void OnSendFailed(int32_t to, int64_t now_ms);
  bool OnSyncDone(SyncId id, bool ok, int64_t now_ms);

  std::vector<RaftSend> TakeSends();
  std::vector<RaftReply> TakeReplies();

  bool IsLeader() const { return state_ == State::kLeader; }
  int32_t LeaderId() const { return leader_id_; }
  int32_t Epoch() const { return epoch_; }
  int32_t VotedId() const { return voted_id_; }
  State state() const { return state_; }
  bool IsVoter() const { return is_voter_; }
  const char* StateName() const;

  // Leader only: appends one batch holding values; returns the last offset. FailedPrecondition
  // ("NOT_LEADER ...") when not an active leader; InvalidArgument for no values or a too-large batch.
  Result<int64_t> Append(const std::vector<Bytes>& values, int64_t now_ms);
  int64_t HighWatermark() const { return high_watermark_; }
  int64_t LogEndOffset() const;
  // First offset of the leader's current epoch (-1 when not leader).
  int64_t EpochStartOffset() const { return state_ == State::kLeader ? epoch_start_offset_ : -1; }
  const PartitionLog& log() const { return *log_; }
  const Status& health() const;

  // Every data record below the HW, in order, once per process lifetime.
  std::vector<RaftRecord> TakeCommitted();

  // The DescribeQuorum answer for the metadata partition (NOT_LEADER_OR_FOLLOWER when not leader).
  DescribeQuorumResponse DescribeQuorum(int64_t now_ms) const;

 private:
  struct Progress {
    int64_t end_offset = -1;         // last fetch offset seen in this epoch (durable on the fetcher)
    int64_t last_fetch_ms = -1;
    int64_t last_caught_up_ms = -1;
    int64_t last_contact_ms = -1;    // fetch or BeginQuorumEpoch response
    bool acknowledged = false;       // fetched or answered BeginQuorumEpoch in this epoch
    int64_t next_begin_epoch_ms = 0;
  };
  struct ParkedFetch {
    uint64_t token = 0;
    int16_t version = 0;
    int32_t replica_id = -1;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
    int64_t deadline_ms = 0;
  };
  struct PendingVoteReply {
    uint64_t token = 0;
    int16_t version = 0;
    uint64_t store_version = 0;
    VoteResponse response;
  };
  // The one request outstanding to a peer (Kafka's RequestManager keeps one per destination):
  // with one at a time, a response or failure from that peer answers exactly this request.
  struct Outstanding {
    ApiKey api = ApiKey::kFetch;
    int32_t epoch = -1;
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = -1;
  };

  // Transitions.
  void BecomeUnattached(int32_t epoch, int64_t now_ms);
  void BecomeVoted(int32_t epoch, int32_t candidate, int64_t now_ms);
  void BecomeCandidate(int64_t now_ms);
  void BecomeLeader(int64_t now_ms);
  void BecomeFollower(int32_t epoch, int32_t leader, int64_t now_ms);
  void BecomeResigned(int64_t now_ms);
  // Leaves leader-only state (answers parked fetches) before any transition.
  void LeaveState();
  // Steps down when a message carries a higher epoch; true when it did.
  bool ObserveEpoch(int32_t epoch, int32_t leader, int64_t now_ms);
  void Persist();
  // Clears lost_log_ once this follower has caught up with the leader's epoch (durably).
  void MaybeRecoverLostLog();
  // Finds the leader as an observer does (fetching from voters) instead of standing for
  // election: observers, and voters that abstain (lost_log_) while other voters exist.
  bool Discovers() const { return !is_voter_ || (lost_log_ && config_.voters.size() > 1); }

  // Handlers.
  void HandleVote(uint64_t token, const VoteRequest& req, int16_t version, int64_t now_ms);
  void HandleBeginQuorumEpoch(uint64_t token, const BeginQuorumEpochRequest& req, int16_t version,
                              int64_t now_ms);
  void HandleEndQuorumEpoch(uint64_t token, const EndQuorumEpochRequest& req, int16_t version,
                            int64_t now_ms);
  void HandleFetch(uint64_t token, const FetchRequest& req, int16_t version, int64_t now_ms);
  void HandleVoteResponse(int32_t from, const Outstanding& sent, const VoteResponse& resp, int64_t now_ms);
  // The one-partition answer to BeginQuorumEpoch / EndQuorumEpoch: the top-level error, or the
  // partition's error with this node's view of leader and epoch.
  void FillQuorumEpochResponse(QuorumEpochResponseData& resp, int16_t top_error, int16_t part_error) const;
  void HandleBeginQuorumEpochResponse(int32_t from, const Outstanding& sent, const QuorumEpochResponseData& resp,
                                      int64_t now_ms);
  void HandleFetchResponse(int32_t from, const Outstanding& sent, const FetchResponse& resp, int64_t now_ms);
  // Sends whatever waits for a free peer or a timer (votes, BeginQuorumEpoch, fetch).
  void SendPending(int64_t now_ms);

  // Leader helpers.
  void AnswerFetch(uint64_t token, int16_t version, int32_t replica_id, int64_t fetch_offset,
                   int32_t max_bytes, int64_t now_ms);
  void CompleteParkedFetches(int64_t now_ms, bool all);
  void UpdateReplicaProgress(int32_t replica, int64_t end_offset, int64_t now_ms);
  void MaybeAdvanceHighWatermark(int64_t now_ms);
  bool CheckQuorum(int64_t now_ms) const;
  int64_t CheckQuorumDeadline() const;
  void SendBeginQuorumEpochs(int64_t now_ms);
  Status AppendLeaderChange(const std::vector<int32_t>& granting, int64_t now_ms);

  // Follower / candidate helpers.
  void MaybeSendFetch(int64_t now_ms);
  void MaybeSendVotes(int64_t now_ms);
  void MaybeCountSelfVote(int64_t now_ms);
  void TruncateToDiverging(int32_t diverging_epoch, int64_t diverging_end_offset);
  void MaybeSyncLog();
  void FlushVoteReplies();

  FetchResponse MakeFetchError(int16_t error) const;
  int64_t RandomElectionTimeoutMs();
  int32_t LastEpoch() const;
  int32_t Majority() const { return int32_t(config_.voters.size() / 2 + 1); }
  bool IsVoterId(int32_t id) const;
  bool ValidPartition(const std::string& topic, int32_t partition) const;

  RaftConfig config_;
  Disk& disk_;
  Prng prng_;
  bool is_voter_ = false;
  std::unique_ptr<PartitionLog> log_;
  std::unique_ptr<QuorumStateStore> store_;
  Status open_status_ = Status::FailedPrecondition("not open");

  State state_ = State::kUnattached;
  int32_t epoch_ = 0;
  int32_t leader_id_ = -1;
  int32_t voted_id_ = -1;
  // This voter's log lost durable records: it neither votes nor stands until caught up.
  bool lost_log_ = false;
  int64_t high_watermark_ = 0;
  int64_t delivered_offset_ = 0;  // next offset TakeCommitted hands out

  // Timers (INT64_MAX = off).
  int64_t election_deadline_ms_ = INT64_MAX;  // Unattached/Voted/Candidate/Resigned, Follower fetch timeout
  bool backing_off_ = false;                  // Candidate: the deadline ends a backoff

  // Candidate.
  std::set<int32_t> votes_granted_;
  std::set<int32_t> votes_rejected_;
  uint64_t self_vote_version_ = 0;
  bool self_vote_counted_ = false;
  int64_t next_vote_retry_ms_ = INT64_MAX;

  // Leader.
  int64_t epoch_start_offset_ = -1;
  std::map<int32_t, Progress> voters_progress_;     // other voters
  std::map<int32_t, Progress> observers_progress_;
  std::vector<ParkedFetch> parked_;                 // in arrival order
  int64_t became_leader_ms_ = 0;

  // Follower / observer.
  bool FetchOutstanding() const;
  int64_t next_fetch_ms_ = 0;

  // Requests on the wire, by peer; survives state changes (the answer still comes).
  std::map<int32_t, Outstanding> outstanding_;

  // Durability.
  std::set<uint64_t> log_sync_ids_;
  std::vector<PendingVoteReply> vote_replies_;

  std::vector<RaftSend> sends_;
  std::vector<RaftReply> replies_;
};

}  // namespace samsa
