#include "core/controller/raft.h"

#include <algorithm>
#include <utility>

#include "core/protocol/error_codes.h"
#include "core/record/record_batch.h"

namespace samsa {

namespace {

constexpr int64_t kNever = INT64_MAX;

int16_t Err(ErrorCode code) { return static_cast<int16_t>(code); }

std::string ParentDir(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

// Control record key: version INT16 (0), type INT16 (2 = LEADER_CHANGE).
Bytes LeaderChangeKey() {
  Bytes key;
  PutBe16(key, 0);
  PutBe16(key, 2);
  return key;
}

// LeaderChangeMessage v0 (flexible): Version INT16, LeaderId INT32, Voters COMPACT_ARRAY of
// {VoterId INT32, tags}, GrantingVoters COMPACT_ARRAY of {VoterId INT32, tags}, tags.
Bytes LeaderChangeValue(int32_t leader, const std::vector<int32_t>& voters,
                        const std::vector<int32_t>& granting) {
  Bytes out;
  PutBe16(out, 0);
  PutBe32(out, uint32_t(leader));
  auto put_array = [&](const std::vector<int32_t>& ids) {
    uint64_t n = ids.size() + 1;  // compact array length, unsigned varint
    while (n >= 0x80) {
      out.push_back(uint8_t(n | 0x80));
      n >>= 7;
    }
    out.push_back(uint8_t(n));
    for (int32_t id : ids) {
      PutBe32(out, uint32_t(id));
      out.push_back(0);  // no tagged fields
    }
  };
  put_array(voters);
  put_array(granting);
  out.push_back(0);
  return out;
}

}  // namespace

RaftReplica::RaftReplica(RaftConfig config, Disk& disk, Prng prng)
    : config_(std::move(config)), disk_(disk), prng_(prng) {
  std::sort(config_.voters.begin(), config_.voters.end());
  config_.voters.erase(std::unique(config_.voters.begin(), config_.voters.end()), config_.voters.end());
  is_voter_ = IsVoterId(config_.node_id);
  if (config_.quorum_state_path.empty()) {
    config_.quorum_state_path = JoinPath(ParentDir(config_.log_dir), "quorum-state");
  }
}

RaftReplica::~RaftReplica() = default;

bool RaftReplica::IsVoterId(int32_t id) const {
  return std::binary_search(config_.voters.begin(), config_.voters.end(), id);
}

bool RaftReplica::ValidPartition(const std::string& topic, int32_t partition) const {
  return topic == kClusterMetadataTopic && partition == kClusterMetadataPartition;
}

const Status& RaftReplica::health() const {
  if (!open_status_.ok()) return open_status_;
  if (!log_->health().ok()) return log_->health();
  return store_->health();
}

const char* RaftReplica::StateName() const {
  if (!is_voter_) return "Observer";
  switch (state_) {
    case State::kUnattached: return "Unattached";
    case State::kVoted: return "Voted";
    case State::kCandidate: return "Candidate";
    case State::kLeader: return "Leader";
    case State::kFollower: return "Follower";
    case State::kResigned: return "Resigned";
  }
  return "?";
}

int64_t RaftReplica::LogEndOffset() const { return log_ ? log_->log_end_offset() : 0; }

int32_t RaftReplica::LastEpoch() const { return log_->latest_epoch().value_or(0); }

int64_t RaftReplica::RandomElectionTimeoutMs() {
  int64_t base = std::max<int64_t>(1, config_.election_timeout_ms);
  return base + int64_t(prng_.Uniform(uint64_t(base)));
}

// ---------------------------------------------------------------------------------------------
// Open

Status RaftReplica::Open(int64_t now_ms) {
  LogConfig log_config = config_.log_config;
  log_config.gapless = true;
  SAMSA_ASSIGN_OR_RETURN(log_, PartitionLog::Open(disk_, config_.log_dir, log_config, now_ms));
  store_ = std::make_unique<QuorumStateStore>(disk_, config_.quorum_state_path, config_.cluster_id,
                                              config_.voters);
  Result<std::optional<QuorumStateData>> loaded = store_->Load();
  // A corrupt quorum-state (its seal fails) forgets the epoch this node entered and the vote it
  // may have cast there. An observer starts afresh. A voter refuses to start: abstaining is not
  // enough, as it could follow (and help commit for) a leader of an epoch it had already left.
  bool forgot_state = !loaded.ok() && loaded.status().code() == StatusCode::kCorruption;
  if (forgot_state && is_voter_) {
    return Status::Corruption(loaded.status().message() +
                              ": this voter may have forgotten its epoch and vote; it will not start (restore "
                              "quorum-state from a backup, or replace the node)");
  }
  if (!loaded.ok() && !forgot_state) return loaded.status();
  std::optional<QuorumStateData> stored = loaded.ok() ? *loaded : std::nullopt;
  open_status_ = Status::Ok();
  QuorumStateData data = stored.value_or(QuorumStateData{});
  epoch_ = data.leader_epoch;
  leader_id_ = data.leader_id;
  voted_id_ = data.voted_id;
  high_watermark_ = log_->log_start_offset();
  delivered_offset_ = log_->log_start_offset();
  // A voter whose log lost durable records (a corrupt batch cut off on recovery) may have
  // acknowledged records it no longer holds: were it to vote now, a candidate lacking committed
  // records could win. It votes again only once caught up (see MaybeRecoverLostLog). The mark is
  // durable, so a crash before then keeps it.
  lost_log_ = data.lost_log || (is_voter_ && log_->lost_durable_data());
  bool persist_lost_log = lost_log_ && !data.lost_log;
  // The log may hold records of an epoch whose quorum-state write never became durable. We never
  // voted durably in that epoch (a vote is durable before it is sent), so entering it is safe.
  if (log_->latest_epoch() && *log_->latest_epoch() > epoch_) {
    epoch_ = *log_->latest_epoch();
    leader_id_ = -1;
    voted_id_ = -1;
  }
  MaybeSyncLog();
  if (persist_lost_log) Persist();
  if (is_voter_ && config_.voters.size() == 1) {
    BecomeCandidate(now_ms);  // a lone voter elects itself at once
  } else if (leader_id_ == config_.node_id && is_voter_) {
    BecomeResigned(now_ms);
  } else if (leader_id_ >= 0 && leader_id_ != config_.node_id) {
    BecomeFollower(epoch_, leader_id_, now_ms);
  } else if (voted_id_ >= 0 && is_voter_) {
    BecomeVoted(epoch_, voted_id_, now_ms);
  } else {
    BecomeUnattached(epoch_, now_ms);
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Transitions

void RaftReplica::LeaveState() {
  // Parked fetches belong to the leader role; answer them so no token is left hanging.
  std::vector<ParkedFetch> parked = std::move(parked_);
  parked_.clear();
  for (const ParkedFetch& p : parked) {
    FetchResponse resp = MakeFetchError(Err(ErrorCode::kNotLeaderOrFollower));
    replies_.push_back(RaftReply{p.token, std::move(resp), p.version, {}});
  }
  votes_granted_.clear();
  votes_rejected_.clear();
  self_vote_version_ = 0;
  self_vote_counted_ = false;
  backing_off_ = false;
  next_vote_retry_ms_ = kNever;
  voters_progress_.clear();
  observers_progress_.clear();
  epoch_start_offset_ = -1;
  next_fetch_ms_ = 0;
  election_deadline_ms_ = kNever;
}

void RaftReplica::Persist() {
  QuorumStateData data;
  data.leader_epoch = epoch_;
  data.leader_id = state_ == State::kResigned ? config_.node_id : leader_id_;
  data.voted_id = voted_id_;
  data.lost_log = lost_log_;
  (void)store_->Write(data);
}

void RaftReplica::MaybeRecoverLostLog() {
  // Caught up: this log holds a record of the current leader's epoch below the high watermark
  // learned from that leader, so every record committed before the epoch began is here too.
  if (!lost_log_ || state_ != State::kFollower) return;
  const std::vector<EpochEntry>& epochs = log_->epoch_entries();
  if (epochs.empty() || epochs.back().epoch != epoch_ || high_watermark_ <= epochs.back().start_offset) return;
  lost_log_ = false;
  Persist();
}

void RaftReplica::BecomeUnattached(int32_t epoch, int64_t now_ms) {
  // Only a granted vote or the leader resets a running election timer: otherwise a candidate
  // that keeps losing (a short log) would keep better candidates from ever standing.
  int64_t running_deadline_ms = election_deadline_ms_;
  LeaveState();
  bool changed = epoch != epoch_ || leader_id_ != -1;
  if (epoch != epoch_) voted_id_ = -1;
  epoch_ = epoch;
  leader_id_ = -1;
  state_ = State::kUnattached;
  if (changed) Persist();
  if (!Discovers()) {
    election_deadline_ms_ = running_deadline_ms != kNever ? running_deadline_ms
                                                          : now_ms + RandomElectionTimeoutMs();
  } else {
    next_fetch_ms_ = now_ms;  // observers (and abstaining voters) look for the leader
    MaybeSendFetch(now_ms);
  }
}

void RaftReplica::BecomeVoted(int32_t epoch, int32_t candidate, int64_t now_ms) {
  SAMSA_ASSERT(is_voter_);
  LeaveState();
  bool changed = epoch != epoch_ || voted_id_ != candidate || leader_id_ != -1;
  epoch_ = epoch;
  voted_id_ = candidate;
  leader_id_ = -1;
  state_ = State::kVoted;
  if (changed) Persist();
  election_deadline_ms_ = now_ms + RandomElectionTimeoutMs();
}

void RaftReplica::BecomeCandidate(int64_t now_ms) {
  SAMSA_ASSERT(is_voter_);
  LeaveState();
  epoch_ += 1;
  voted_id_ = config_.node_id;
  leader_id_ = -1;
  state_ = State::kCandidate;
  Persist();
  self_vote_version_ = store_->written_version();
  election_deadline_ms_ = now_ms + RandomElectionTimeoutMs();
  MaybeSendVotes(now_ms);
  MaybeCountSelfVote(now_ms);
}

void RaftReplica::BecomeLeader(int64_t now_ms) {
  std::vector<int32_t> granting(votes_granted_.begin(), votes_granted_.end());
  LeaveState();
  state_ = State::kLeader;
  leader_id_ = config_.node_id;
  Persist();
  became_leader_ms_ = now_ms;
  for (int32_t v : config_.voters) {
    if (v == config_.node_id) continue;
    Progress p;
    p.last_contact_ms = now_ms;  // a grace period of one fetch timeout
    voters_progress_[v] = p;
  }
  epoch_start_offset_ = log_->log_end_offset();
  if (Status st = AppendLeaderChange(granting, now_ms); !st.ok()) {
    // The log failed: this node cannot lead. Resign so another voter takes over.
    BecomeResigned(now_ms);
    return;
  }
  SendBeginQuorumEpochs(now_ms);
  MaybeAdvanceHighWatermark(now_ms);
}

void RaftReplica::BecomeFollower(int32_t epoch, int32_t leader, int64_t now_ms) {
  SAMSA_ASSERT(leader >= 0 && leader != config_.node_id);
  LeaveState();
  if (epoch != epoch_) voted_id_ = -1;
  bool changed = epoch != epoch_ || leader_id_ != leader;
  epoch_ = epoch;
  leader_id_ = leader;
  state_ = State::kFollower;
  if (changed) Persist();
  election_deadline_ms_ = now_ms + config_.fetch_timeout_ms;
  next_fetch_ms_ = now_ms;
  MaybeSendFetch(now_ms);
}

void RaftReplica::BecomeResigned(int64_t now_ms) {
  bool was_leader = state_ == State::kLeader;
  std::map<int32_t, Progress> progress = voters_progress_;
  LeaveState();
  state_ = State::kResigned;
  leader_id_ = -1;
  voted_id_ = config_.node_id;
  election_deadline_ms_ = now_ms + RandomElectionTimeoutMs();
  if (was_leader) {
    // Preferred successors: the voters with the longest logs first.
    std::vector<std::pair<int64_t, int32_t>> order;
    for (const auto& [id, p] : progress) order.push_back({-p.end_offset, id});
    std::sort(order.begin(), order.end());
    std::vector<int32_t> successors;
    for (const auto& [neg, id] : order) successors.push_back(id);
    for (int32_t v : successors) {
      if (outstanding_.count(v)) continue;  // best effort: the peer's election timer is the fallback
      EndQuorumEpochRequest req;
      req.cluster_id = config_.cluster_id;
      EndQuorumEpochRequest::Partition part;
      part.partition_index = kClusterMetadataPartition;
      part.leader_id = config_.node_id;
      part.leader_epoch = epoch_;
      part.preferred_successors = successors;
      req.topics.push_back({std::string(kClusterMetadataTopic), {part}});
      sends_.push_back(RaftSend{v, std::move(req), kRaftEndQuorumEpochVersion});
      outstanding_[v] = Outstanding{ApiKey::kEndQuorumEpoch, epoch_, 0, -1};
    }
  }
}

bool RaftReplica::ObserveEpoch(int32_t epoch, int32_t leader, int64_t now_ms) {
  if (epoch > epoch_) {
    if (leader >= 0 && leader != config_.node_id) {
      BecomeFollower(epoch, leader, now_ms);
    } else {
      BecomeUnattached(epoch, now_ms);
    }
    return true;
  }
  if (epoch == epoch_ && leader >= 0 && leader != config_.node_id &&
      (state_ == State::kUnattached || state_ == State::kVoted || state_ == State::kCandidate)) {
    BecomeFollower(epoch, leader, now_ms);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Timers

void RaftReplica::Tick(int64_t now_ms) {
  if (!open_status_.ok()) return;
  if (state_ == State::kLeader) {
    if (!CheckQuorum(now_ms)) {
      BecomeResigned(now_ms);
      return;
    }
    CompleteParkedFetches(now_ms, false);
    SendBeginQuorumEpochs(now_ms);
    return;
  }
  if (now_ms >= election_deadline_ms_) {
    if (Discovers()) {
      BecomeUnattached(epoch_, now_ms);  // fetch timeout: look for the leader again
    } else if (state_ == State::kCandidate && !backing_off_) {
      backing_off_ = true;
      election_deadline_ms_ = now_ms + prng_.Range(0, std::max<int64_t>(0, config_.election_backoff_max_ms));
    } else {
      BecomeCandidate(now_ms);
    }
    return;
  }
  if (state_ == State::kCandidate && now_ms >= next_vote_retry_ms_) MaybeSendVotes(now_ms);
  MaybeSendFetch(now_ms);
}

int64_t RaftReplica::NextDeadlineMs() const {
  if (!open_status_.ok()) return kNever;
  int64_t next = election_deadline_ms_;
  if (state_ == State::kLeader) {
    next = std::min(next, CheckQuorumDeadline());
    for (const ParkedFetch& p : parked_) next = std::min(next, p.deadline_ms);
    for (const auto& [id, p] : voters_progress_) {
      if (!p.acknowledged && !outstanding_.count(id)) next = std::min(next, p.next_begin_epoch_ms);
    }
  }
  if (state_ == State::kCandidate && !backing_off_) next = std::min(next, next_vote_retry_ms_);
  bool fetching = state_ == State::kFollower || (Discovers() && state_ == State::kUnattached);
  if (fetching && !FetchOutstanding() && log_->durable_offset() >= log_->log_end_offset()) {
    bool target_free = false;
    if (state_ == State::kFollower) {
      target_free = !outstanding_.count(leader_id_);
    } else {
      for (int32_t v : config_.voters) target_free = target_free || !outstanding_.count(v);
    }
    if (target_free) next = std::min(next, next_fetch_ms_);
  }
  return next;
}

bool RaftReplica::CheckQuorum(int64_t now_ms) const {
  int32_t alive = 1;
  for (const auto& [id, p] : voters_progress_) {
    if (p.last_contact_ms >= now_ms - config_.fetch_timeout_ms) ++alive;
  }
  return alive >= Majority();
}

int64_t RaftReplica::CheckQuorumDeadline() const {
  size_t needed = size_t(Majority() - 1);
  if (needed == 0) return kNever;
  std::vector<int64_t> contacts;
  for (const auto& [id, p] : voters_progress_) contacts.push_back(p.last_contact_ms);
  std::sort(contacts.rbegin(), contacts.rend());
  if (contacts.size() < needed) return 0;
  return contacts[needed - 1] + config_.fetch_timeout_ms + 1;
}

// ---------------------------------------------------------------------------------------------
// Inbound requests

void RaftReplica::OnRequest(uint64_t token, const RequestBody& request, int16_t version, int64_t now_ms) {
  if (!open_status_.ok()) return;
  if (const auto* vote = std::get_if<VoteRequest>(&request)) {
    HandleVote(token, *vote, version, now_ms);
  } else if (const auto* begin = std::get_if<BeginQuorumEpochRequest>(&request)) {
    HandleBeginQuorumEpoch(token, *begin, version, now_ms);
  } else if (const auto* end = std::get_if<EndQuorumEpochRequest>(&request)) {
    HandleEndQuorumEpoch(token, *end, version, now_ms);
  } else if (const auto* fetch = std::get_if<FetchRequest>(&request)) {
    HandleFetch(token, *fetch, version, now_ms);
  } else if (std::get_if<DescribeQuorumRequest>(&request)) {
    replies_.push_back(RaftReply{token, DescribeQuorum(now_ms), version, {}});
  }
  // Other APIs are not routed to the Raft replica.
}

void RaftReplica::HandleVote(uint64_t token, const VoteRequest& req, int16_t version, int64_t now_ms) {
  VoteResponse resp;
  auto reply_now = [&](int16_t top_error, int16_t part_error, bool granted) {
    resp.error_code = top_error;
    if (top_error == 0) {
      VoteResponse::Partition part;
      part.partition_index = kClusterMetadataPartition;
      part.error_code = part_error;
      part.leader_id = leader_id_;
      part.leader_epoch = epoch_;
      part.vote_granted = granted;
      resp.topics.push_back({std::string(kClusterMetadataTopic), {part}});
    }
    replies_.push_back(RaftReply{token, resp, version, {}});
  };
  if (req.cluster_id && *req.cluster_id != config_.cluster_id) {
    return reply_now(Err(ErrorCode::kInconsistentClusterId), 0, false);
  }
  if (req.topics.size() != 1 || req.topics[0].partitions.size() != 1 ||
      !ValidPartition(req.topics[0].topic_name, req.topics[0].partitions[0].partition_index)) {
    return reply_now(Err(ErrorCode::kInvalidRequest), 0, false);
  }
  const VoteRequest::Partition& p = req.topics[0].partitions[0];
  if (!IsVoterId(p.candidate_id)) return reply_now(0, Err(ErrorCode::kInconsistentVoterSet), false);
  if (p.candidate_epoch < epoch_) return reply_now(0, Err(ErrorCode::kFencedLeaderEpoch), false);
  if (p.candidate_epoch > epoch_) BecomeUnattached(p.candidate_epoch, now_ms);

  bool granted = false;
  if (is_voter_ && !lost_log_) {
    bool up_to_date = std::make_pair(p.last_offset_epoch, p.last_offset) >=
                      std::make_pair(LastEpoch(), log_->log_end_offset());
    if (state_ == State::kUnattached) {
      granted = up_to_date;
    } else if (state_ == State::kVoted) {
      granted = voted_id_ == p.candidate_id;
    }
  }
  if (!granted) return reply_now(0, 0, false);
  if (state_ == State::kUnattached) BecomeVoted(epoch_, p.candidate_id, now_ms);
  // The grant leaves only once the vote is durable.
  VoteResponse::Partition part;
  part.partition_index = kClusterMetadataPartition;
  part.leader_id = -1;
  part.leader_epoch = epoch_;
  part.vote_granted = true;
  resp.topics.push_back({std::string(kClusterMetadataTopic), {part}});
  vote_replies_.push_back(PendingVoteReply{token, version, store_->written_version(), std::move(resp)});
  FlushVoteReplies();
}

void RaftReplica::FlushVoteReplies() {
  auto it = vote_replies_.begin();
  while (it != vote_replies_.end() && it->store_version <= store_->durable_version()) {
    replies_.push_back(RaftReply{it->token, std::move(it->response), it->version, {}});
    ++it;
  }
  vote_replies_.erase(vote_replies_.begin(), it);
}

void RaftReplica::FillQuorumEpochResponse(QuorumEpochResponseData& resp, int16_t top_error,
                                          int16_t part_error) const {
  resp.error_code = top_error;
  if (top_error != 0) return;
  QuorumEpochResponseData::Partition part;
  part.partition_index = kClusterMetadataPartition;
  part.error_code = part_error;
  part.leader_id = leader_id_;
  part.leader_epoch = epoch_;
  resp.topics.push_back({std::string(kClusterMetadataTopic), {part}});
}

void RaftReplica::HandleBeginQuorumEpoch(uint64_t token, const BeginQuorumEpochRequest& req, int16_t version,
                                         int64_t now_ms) {
  BeginQuorumEpochResponse resp;
  auto reply = [&](int16_t top_error, int16_t part_error) {
    FillQuorumEpochResponse(resp, top_error, part_error);
    replies_.push_back(RaftReply{token, resp, version, {}});
  };
  if (req.cluster_id && *req.cluster_id != config_.cluster_id) {
    return reply(Err(ErrorCode::kInconsistentClusterId), 0);
  }
  if (req.topics.size() != 1 || req.topics[0].partitions.size() != 1 ||
      !ValidPartition(req.topics[0].topic_name, req.topics[0].partitions[0].partition_index)) {
    return reply(Err(ErrorCode::kInvalidRequest), 0);
  }
  const auto& p = req.topics[0].partitions[0];
  if (p.leader_epoch < epoch_) return reply(0, Err(ErrorCode::kFencedLeaderEpoch));
  if (p.leader_id < 0 || p.leader_id == config_.node_id || !IsVoterId(p.leader_id)) {
    return reply(0, Err(ErrorCode::kInvalidRequest));
  }
  if (p.leader_epoch > epoch_ || state_ != State::kFollower || leader_id_ != p.leader_id) {
    if (p.leader_epoch == epoch_ && (state_ == State::kLeader || state_ == State::kResigned ||
                                     (state_ == State::kFollower && leader_id_ != p.leader_id))) {
      // Two leaders in one epoch cannot happen; refuse rather than follow.
      return reply(0, Err(ErrorCode::kInvalidRequest));
    }
    BecomeFollower(p.leader_epoch, p.leader_id, now_ms);
  }
  reply(0, 0);
}

void RaftReplica::HandleEndQuorumEpoch(uint64_t token, const EndQuorumEpochRequest& req, int16_t version,
                                       int64_t now_ms) {
  EndQuorumEpochResponse resp;
  auto reply = [&](int16_t top_error, int16_t part_error) {
    FillQuorumEpochResponse(resp, top_error, part_error);
    replies_.push_back(RaftReply{token, resp, version, {}});
  };
  if (req.cluster_id && *req.cluster_id != config_.cluster_id) {
    return reply(Err(ErrorCode::kInconsistentClusterId), 0);
  }
  if (req.topics.size() != 1 || req.topics[0].partitions.size() != 1 ||
      !ValidPartition(req.topics[0].topic_name, req.topics[0].partitions[0].partition_index)) {
    return reply(Err(ErrorCode::kInvalidRequest), 0);
  }
  const auto& p = req.topics[0].partitions[0];
  if (p.leader_epoch < epoch_) return reply(0, Err(ErrorCode::kFencedLeaderEpoch));
  if (p.leader_epoch > epoch_) BecomeUnattached(p.leader_epoch, now_ms);
  if (is_voter_ && (state_ == State::kFollower || state_ == State::kUnattached || state_ == State::kVoted) &&
      (leader_id_ == p.leader_id || leader_id_ < 0)) {
    // The leader resigned: stand for election soon, earlier the higher we rank among its
    // preferred successors.
    std::vector<int32_t> successors = p.preferred_successors;
    for (const auto& c : p.preferred_candidates) successors.push_back(c.candidate_id);
    int64_t rank = 0;
    auto it = std::find(successors.begin(), successors.end(), config_.node_id);
    if (it != successors.end()) rank = int64_t(it - successors.begin());
    int64_t span = std::max<int64_t>(1, config_.election_backoff_max_ms / 2);
    int64_t delay = rank * span / int64_t(std::max<size_t>(1, config_.voters.size())) +
                    prng_.Range(0, span - 1);
    election_deadline_ms_ = std::min(election_deadline_ms_, now_ms + delay);
  }
  reply(0, 0);
}

FetchResponse RaftReplica::MakeFetchError(int16_t error) const {
  FetchResponse resp;
  FetchResponse::Partition part;
  part.partition_index = kClusterMetadataPartition;
  part.error_code = error;
  part.high_watermark = high_watermark_;
  part.log_start_offset = log_->log_start_offset();
  part.current_leader = FetchResponse::LeaderIdAndEpoch{leader_id_, epoch_};
  part.records = ByteView();
  resp.responses.push_back({std::string(kClusterMetadataTopic), Uuid(), {part}});
  return resp;
}

void RaftReplica::HandleFetch(uint64_t token, const FetchRequest& req, int16_t version, int64_t now_ms) {
  auto reply_error = [&](int16_t error) {
    replies_.push_back(RaftReply{token, MakeFetchError(error), version, {}});
  };
  if (req.cluster_id && *req.cluster_id != config_.cluster_id) {
    FetchResponse resp;
    resp.error_code = Err(ErrorCode::kInconsistentClusterId);
    replies_.push_back(RaftReply{token, std::move(resp), version, {}});
    return;
  }
  if (req.topics.size() != 1 || req.topics[0].partitions.size() != 1 ||
      !ValidPartition(req.topics[0].topic, req.topics[0].partitions[0].partition)) {
    return reply_error(Err(ErrorCode::kUnknownTopicOrPartition));
  }
  const FetchRequest::Partition& p = req.topics[0].partitions[0];
  if (p.current_leader_epoch > epoch_) {
    ObserveEpoch(p.current_leader_epoch, -1, now_ms);
    return reply_error(Err(ErrorCode::kUnknownLeaderEpoch));
  }
  if (state_ != State::kLeader) return reply_error(Err(ErrorCode::kNotLeaderOrFollower));
  if (p.current_leader_epoch >= 0 && p.current_leader_epoch < epoch_) {
    return reply_error(Err(ErrorCode::kFencedLeaderEpoch));
  }
  if (req.replica_id == config_.node_id || p.fetch_offset < 0) {
    return reply_error(Err(ErrorCode::kInvalidRequest));
  }
  // Does the fetcher's log match ours at (fetch_offset, last_fetched_epoch)?
  int64_t leo = log_->log_end_offset();
  std::optional<FetchResponse::EpochEndOffset> diverging;
  if (p.fetch_offset > 0) {
    EpochEndOffset ours = log_->EndOffsetForEpoch(p.last_fetched_epoch);
    if (ours.epoch != p.last_fetched_epoch || ours.end_offset < p.fetch_offset) {
      diverging = FetchResponse::EpochEndOffset{ours.epoch, ours.end_offset};
    }
  }
  if (!diverging && p.fetch_offset > leo) {
    diverging = FetchResponse::EpochEndOffset{LastEpoch(), leo};
  }
  if (diverging) {
    FetchResponse resp = MakeFetchError(0);
    resp.responses[0].partitions[0].diverging_epoch = diverging;
    replies_.push_back(RaftReply{token, std::move(resp), version, {}});
    return;
  }
  // The fetch offset proves the fetcher durably holds everything below it.
  UpdateReplicaProgress(req.replica_id, p.fetch_offset, now_ms);
  if (state_ != State::kLeader) return reply_error(Err(ErrorCode::kNotLeaderOrFollower));
  int32_t max_bytes = p.partition_max_bytes > 0 ? std::min(p.partition_max_bytes, config_.fetch_max_bytes)
                                                : config_.fetch_max_bytes;
  int64_t wait_ms = std::min<int64_t>(std::max(0, req.max_wait_ms), config_.fetch_max_wait_ms);
  if (p.fetch_offset < leo || wait_ms == 0 || parked_.size() >= config_.max_parked_fetches) {
    AnswerFetch(token, version, req.replica_id, p.fetch_offset, max_bytes, now_ms);
    return;
  }
  parked_.push_back(ParkedFetch{token, version, req.replica_id, p.fetch_offset, max_bytes, now_ms + wait_ms});
}

void RaftReplica::AnswerFetch(uint64_t token, int16_t version, int32_t /*replica_id*/, int64_t fetch_offset,
                              int32_t max_bytes, int64_t /*now_ms*/) {
  RaftReply reply;
  reply.token = token;
  reply.version = version;
  FetchResponse resp = MakeFetchError(0);
  if (fetch_offset < log_->log_end_offset()) {
    Result<LogReadResult> read = log_->Read(fetch_offset, size_t(std::max(1, max_bytes)));
    if (!read.ok()) {
      resp.responses[0].partitions[0].error_code =
          Err(read.status().code() == StatusCode::kOutOfRange ? ErrorCode::kOffsetOutOfRange
                                                               : ErrorCode::kKafkaStorageError);
    } else {
      reply.records = std::move(read->records);
    }
  }
  // The view points into reply.records' heap buffer, which moves with the reply.
  resp.responses[0].partitions[0].records = ByteView(reply.records.data(), reply.records.size());
  reply.response = std::move(resp);
  replies_.push_back(std::move(reply));
}

void RaftReplica::CompleteParkedFetches(int64_t now_ms, bool all) {
  if (parked_.empty()) return;
  int64_t leo = log_->log_end_offset();
  std::vector<ParkedFetch> keep;
  std::vector<ParkedFetch> parked = std::move(parked_);
  parked_.clear();
  for (const ParkedFetch& p : parked) {
    if (all || p.fetch_offset < leo || now_ms >= p.deadline_ms) {
      AnswerFetch(p.token, p.version, p.replica_id, p.fetch_offset, p.max_bytes, now_ms);
    } else {
      keep.push_back(p);
    }
  }
  parked_ = std::move(keep);
}

void RaftReplica::UpdateReplicaProgress(int32_t replica, int64_t end_offset, int64_t now_ms) {
  if (replica < 0) return;  // a plain consumer
  bool voter = IsVoterId(replica);
  Progress& p = voter ? voters_progress_[replica] : observers_progress_[replica];
  p.end_offset = std::max(p.end_offset, end_offset);
  p.last_fetch_ms = now_ms;
  p.last_contact_ms = now_ms;
  p.acknowledged = true;
  if (end_offset >= log_->log_end_offset()) p.last_caught_up_ms = now_ms;
  if (voter) MaybeAdvanceHighWatermark(now_ms);
}

void RaftReplica::MaybeAdvanceHighWatermark(int64_t now_ms) {
  if (state_ != State::kLeader) return;
  std::vector<int64_t> offsets;
  offsets.push_back(std::min(log_->durable_offset(), log_->log_end_offset()));
  for (const auto& [id, p] : voters_progress_) offsets.push_back(p.end_offset);
  std::sort(offsets.rbegin(), offsets.rend());
  int64_t candidate = offsets[size_t(Majority() - 1)];
  // Raft's commit rule: only a record of the current epoch commits (and with it all before it).
  if (candidate > high_watermark_ && candidate > epoch_start_offset_) {
    high_watermark_ = candidate;
    CompleteParkedFetches(now_ms, true);  // followers learn the new HW promptly
  }
}

void RaftReplica::SendBeginQuorumEpochs(int64_t now_ms) {
  if (state_ != State::kLeader) return;
  for (auto& [id, p] : voters_progress_) {
    if (p.acknowledged || outstanding_.count(id) || now_ms < p.next_begin_epoch_ms) continue;
    BeginQuorumEpochRequest req;
    req.cluster_id = config_.cluster_id;
    req.voter_id = id;
    BeginQuorumEpochRequest::Partition part;
    part.partition_index = kClusterMetadataPartition;
    part.leader_id = config_.node_id;
    part.leader_epoch = epoch_;
    req.topics.push_back({std::string(kClusterMetadataTopic), {part}});
    sends_.push_back(RaftSend{id, std::move(req), kRaftBeginQuorumEpochVersion});
    outstanding_[id] = Outstanding{ApiKey::kBeginQuorumEpoch, epoch_, 0, -1};
  }
}

Status RaftReplica::AppendLeaderChange(const std::vector<int32_t>& granting, int64_t now_ms) {
  RecordBatchBuilder builder;
  builder.set_base_offset(log_->log_end_offset()).set_partition_leader_epoch(epoch_).set_control(true);
  Bytes key = LeaderChangeKey();
  Bytes value = LeaderChangeValue(config_.node_id, config_.voters, granting);
  builder.Add(now_ms, ByteView(key), ByteView(value));
  SAMSA_ASSIGN_OR_RETURN(Bytes batch, builder.Build());
  SAMSA_ASSIGN_OR_RETURN(LogAppendInfo info, log_->AppendAsLeader(batch, epoch_, now_ms));
  (void)info;
  MaybeSyncLog();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Responses

void RaftReplica::OnResponse(int32_t from, const ResponseBody& response, int64_t now_ms) {
  if (!open_status_.ok()) return;
  auto it = outstanding_.find(from);
  if (it == outstanding_.end()) return;  // nothing asked: not an answer of ours
  Outstanding sent = it->second;
  outstanding_.erase(it);
  if (ApiKeyOf(response) != sent.api) {
    SendPending(now_ms);
    return;
  }
  if (const auto* vote = std::get_if<VoteResponse>(&response)) {
    HandleVoteResponse(from, sent, *vote, now_ms);
  } else if (const auto* begin = std::get_if<BeginQuorumEpochResponse>(&response)) {
    HandleBeginQuorumEpochResponse(from, sent, *begin, now_ms);
  } else if (const auto* end = std::get_if<EndQuorumEpochResponse>(&response)) {
    if (end->error_code == 0 && end->topics.size() == 1 && end->topics[0].partitions.size() == 1) {
      const auto& p = end->topics[0].partitions[0];
      ObserveEpoch(p.leader_epoch, p.leader_id, now_ms);
    }
  } else if (const auto* fetch = std::get_if<FetchResponse>(&response)) {
    HandleFetchResponse(from, sent, *fetch, now_ms);
  }
  SendPending(now_ms);
}

void RaftReplica::SendPending(int64_t now_ms) {
  if (state_ == State::kCandidate && now_ms >= next_vote_retry_ms_) MaybeSendVotes(now_ms);
  if (state_ == State::kCandidate) {
    // Peers that were busy when the election started get their request as soon as they are free.
    bool missing = false;
    for (int32_t v : config_.voters) {
      missing = missing || (v != config_.node_id && !votes_granted_.count(v) && !votes_rejected_.count(v) &&
                            !outstanding_.count(v));
    }
    if (missing && next_vote_retry_ms_ == kNever) MaybeSendVotes(now_ms);
  }
  SendBeginQuorumEpochs(now_ms);
  MaybeSendFetch(now_ms);
}

bool RaftReplica::FetchOutstanding() const {
  for (const auto& [id, o] : outstanding_) {
    if (o.api == ApiKey::kFetch) return true;
  }
  return false;
}

void RaftReplica::HandleVoteResponse(int32_t from, const Outstanding& sent, const VoteResponse& resp,
                                     int64_t now_ms) {
  if (resp.error_code != 0 || resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1) {
    next_vote_retry_ms_ = std::min(next_vote_retry_ms_, now_ms + config_.retry_backoff_ms);
    return;
  }
  const auto& p = resp.topics[0].partitions[0];
  if (ObserveEpoch(p.leader_epoch, p.leader_id, now_ms)) return;
  if (state_ != State::kCandidate || p.leader_epoch != epoch_ || sent.epoch != epoch_) return;
  if (p.error_code != 0 && p.error_code != Err(ErrorCode::kFencedLeaderEpoch)) {
    next_vote_retry_ms_ = std::min(next_vote_retry_ms_, now_ms + config_.retry_backoff_ms);
    return;
  }
  if (p.vote_granted) {
    votes_granted_.insert(from);
    if (self_vote_counted_ && int32_t(votes_granted_.size()) >= Majority()) {
      BecomeLeader(now_ms);
      return;
    }
  } else {
    votes_rejected_.insert(from);
    if (int32_t(votes_rejected_.size()) > int32_t(config_.voters.size()) - Majority() && !backing_off_) {
      // Lost: back off before the next attempt so candidates do not collide forever.
      backing_off_ = true;
      election_deadline_ms_ = now_ms + prng_.Range(0, std::max<int64_t>(0, config_.election_backoff_max_ms));
    }
  }
}

void RaftReplica::HandleBeginQuorumEpochResponse(int32_t from, const Outstanding& sent,
                                                 const QuorumEpochResponseData& resp, int64_t now_ms) {
  auto retry_later = [&] {
    auto it = voters_progress_.find(from);
    if (it != voters_progress_.end() && sent.epoch == epoch_) {
      it->second.next_begin_epoch_ms = now_ms + config_.retry_backoff_ms;
    }
  };
  if (resp.error_code != 0 || resp.topics.size() != 1 || resp.topics[0].partitions.size() != 1) {
    return retry_later();
  }
  const auto& p = resp.topics[0].partitions[0];
  if (ObserveEpoch(p.leader_epoch, p.leader_id, now_ms)) return;
  if (state_ != State::kLeader || p.leader_epoch != epoch_) return;
  if (p.error_code != 0) return retry_later();
  auto it = voters_progress_.find(from);
  if (it == voters_progress_.end()) return;
  it->second.acknowledged = true;
  it->second.last_contact_ms = now_ms;
}

void RaftReplica::HandleFetchResponse(int32_t from, const Outstanding& sent, const FetchResponse& resp,
                                      int64_t now_ms) {
  auto backoff = [&] { next_fetch_ms_ = now_ms + config_.retry_backoff_ms; };
  if (resp.error_code != 0 || resp.responses.size() != 1 || resp.responses[0].partitions.size() != 1) {
    return backoff();
  }
  const FetchResponse::Partition& p = resp.responses[0].partitions[0];
  if (p.current_leader) {
    if (ObserveEpoch(p.current_leader->leader_epoch, p.current_leader->leader_id, now_ms)) return;
    if (p.current_leader->leader_epoch < epoch_) return backoff();
  }
  if (p.error_code != 0) return backoff();
  if (state_ != State::kFollower || from != leader_id_ || sent.epoch != epoch_ ||
      !p.current_leader || p.current_leader->leader_id != leader_id_) {
    return backoff();
  }
  election_deadline_ms_ = now_ms + config_.fetch_timeout_ms;  // heard from the leader
  if (p.diverging_epoch) {
    TruncateToDiverging(p.diverging_epoch->epoch, p.diverging_epoch->end_offset);
    next_fetch_ms_ = now_ms;
    MaybeSendFetch(now_ms);
    return;
  }
  if (sent.fetch_offset != log_->log_end_offset() || sent.last_fetched_epoch != LastEpoch()) {
    next_fetch_ms_ = now_ms;  // our log moved since; ask again
    MaybeSendFetch(now_ms);
    return;
  }
  if (p.records && !p.records->empty()) {
    Result<std::vector<ByteView>> batches = SplitBatches(*p.records);
    if (batches.ok() && !batches->empty()) {
      ByteView first = batches->front();
      ByteView last = batches->back();
      size_t length = size_t(last.data() + last.size() - first.data());
      ByteView whole(first.data(), length);
      Result<BatchHeader> header = ParseBatchHeader(first);
      if (header.ok() && header->base_offset == log_->log_end_offset()) {
        Result<LogAppendInfo> appended = log_->AppendAsFollower(whole, now_ms);
        if (appended.ok()) MaybeSyncLog();
      }
    }
  }
  int64_t hw = std::min(p.high_watermark, log_->log_end_offset());
  if (hw > high_watermark_) high_watermark_ = hw;
  MaybeRecoverLostLog();
  next_fetch_ms_ = now_ms;
  MaybeSendFetch(now_ms);
}

void RaftReplica::TruncateToDiverging(int32_t diverging_epoch, int64_t diverging_end_offset) {
  // As Kafka's follower: cut at the end of the leader's epoch, or of our last epoch before it.
  EpochEndOffset local = log_->EndOffsetForEpoch(diverging_epoch);
  int64_t offset = local.epoch == diverging_epoch ? std::min(local.end_offset, diverging_end_offset)
                                                  : local.end_offset;
  offset = std::max(offset, log_->log_start_offset());
  if (offset >= log_->log_end_offset()) return;
  if (offset < high_watermark_) {
    // The leader's log lacks records this replica saw committed: only corrupt durable state
    // (here or on the leader) gets here. Stop this replica rather than unlearn committed records;
    // the node reports it and a restart recovers from what the disk holds.
    open_status_ = Status::Corruption("raft: the leader's log diverges at offset " + std::to_string(offset) +
                                      ", below this replica's high watermark " + std::to_string(high_watermark_));
    return;
  }
  if (log_->TruncateTo(offset).ok()) MaybeSyncLog();
}

void RaftReplica::OnSendFailed(int32_t to, int64_t now_ms) {
  if (!open_status_.ok()) return;
  auto it = outstanding_.find(to);
  if (it == outstanding_.end()) return;
  Outstanding sent = it->second;
  outstanding_.erase(it);
  switch (sent.api) {
    case ApiKey::kFetch:
      next_fetch_ms_ = now_ms + config_.retry_backoff_ms;
      break;
    case ApiKey::kVote:
      next_vote_retry_ms_ = std::min(next_vote_retry_ms_, now_ms + config_.retry_backoff_ms);
      break;
    case ApiKey::kBeginQuorumEpoch: {
      auto p = voters_progress_.find(to);
      if (p != voters_progress_.end()) p->second.next_begin_epoch_ms = now_ms + config_.retry_backoff_ms;
      break;
    }
    default:
      break;
  }
  SendPending(now_ms);
}

// ---------------------------------------------------------------------------------------------
// Outbound requests

void RaftReplica::MaybeSendVotes(int64_t now_ms) {
  if (state_ != State::kCandidate || backing_off_) return;
  next_vote_retry_ms_ = kNever;
  for (int32_t v : config_.voters) {
    if (v == config_.node_id || votes_granted_.count(v) || votes_rejected_.count(v) || outstanding_.count(v)) {
      continue;
    }
    VoteRequest req;
    req.cluster_id = config_.cluster_id;
    req.voter_id = v;
    VoteRequest::Partition part;
    part.partition_index = kClusterMetadataPartition;
    part.candidate_epoch = epoch_;
    part.candidate_id = config_.node_id;
    part.last_offset_epoch = LastEpoch();
    part.last_offset = log_->log_end_offset();
    req.topics.push_back({std::string(kClusterMetadataTopic), {part}});
    sends_.push_back(RaftSend{v, std::move(req), kRaftVoteVersion});
    outstanding_[v] = Outstanding{ApiKey::kVote, epoch_, 0, -1};
  }
  (void)now_ms;
}

void RaftReplica::MaybeCountSelfVote(int64_t now_ms) {
  if (state_ != State::kCandidate || self_vote_counted_) return;
  if (store_->durable_version() < self_vote_version_) return;
  self_vote_counted_ = true;
  votes_granted_.insert(config_.node_id);
  if (int32_t(votes_granted_.size()) >= Majority()) BecomeLeader(now_ms);
}

void RaftReplica::MaybeSendFetch(int64_t now_ms) {
  bool discovering = Discovers() && state_ == State::kUnattached;
  if (state_ != State::kFollower && !discovering) return;
  if (FetchOutstanding() || now_ms < next_fetch_ms_) return;
  // What the fetch offset advertises must be durable: the leader counts it toward the HW.
  if (log_->durable_offset() < log_->log_end_offset()) return;
  int32_t to = leader_id_;
  if (discovering) {
    std::vector<int32_t> free;
    for (int32_t v : config_.voters) {
      if (!outstanding_.count(v)) free.push_back(v);
    }
    if (free.empty()) return;
    to = free[prng_.Uniform(free.size())];
  } else if (outstanding_.count(to)) {
    return;  // the leader still owes us an answer to an earlier request
  }
  FetchRequest req;
  req.cluster_id = config_.cluster_id;
  req.replica_id = config_.node_id;
  req.max_wait_ms = int32_t(config_.fetch_max_wait_ms);
  req.min_bytes = 0;
  req.max_bytes = config_.fetch_max_bytes;
  FetchRequest::Partition part;
  part.partition = kClusterMetadataPartition;
  part.current_leader_epoch = epoch_;
  part.fetch_offset = log_->log_end_offset();
  part.last_fetched_epoch = LastEpoch();
  part.log_start_offset = log_->log_start_offset();
  part.partition_max_bytes = config_.fetch_max_bytes;
  FetchRequest::Topic topic;
  topic.topic = std::string(kClusterMetadataTopic);
  topic.partitions.push_back(part);
  req.topics.push_back(std::move(topic));
  outstanding_[to] = Outstanding{ApiKey::kFetch, epoch_, part.fetch_offset, part.last_fetched_epoch};
  sends_.push_back(RaftSend{to, std::move(req), kRaftFetchVersion});
}

void RaftReplica::MaybeSyncLog() {
  if (!log_->sync_needed()) return;
  for (SyncId id : log_->RequestSync()) log_sync_ids_.insert(id.value());
}

bool RaftReplica::OnSyncDone(SyncId id, bool ok, int64_t now_ms) {
  if (!open_status_.ok()) return false;
  if (store_->OnSyncDone(id, ok)) {
    FlushVoteReplies();
    MaybeCountSelfVote(now_ms);
    return true;
  }
  if (log_sync_ids_.erase(id.value()) == 0) return false;
  for (SyncId more : log_->OnSyncDone(id, ok)) log_sync_ids_.insert(more.value());
  MaybeSyncLog();
  if (state_ == State::kLeader) {
    MaybeAdvanceHighWatermark(now_ms);
  } else {
    MaybeSendFetch(now_ms);
  }
  return true;
}

std::vector<RaftSend> RaftReplica::TakeSends() { return std::exchange(sends_, {}); }
std::vector<RaftReply> RaftReplica::TakeReplies() { return std::exchange(replies_, {}); }

// ---------------------------------------------------------------------------------------------
// Client API

Result<int64_t> RaftReplica::Append(const std::vector<Bytes>& values, int64_t now_ms) {
  if (state_ != State::kLeader) {
    return Status::FailedPrecondition("NOT_LEADER: node " + std::to_string(config_.node_id) + " is " +
                                      StateName() + " in epoch " + std::to_string(epoch_));
  }
  if (values.empty()) return Status::InvalidArgument("no values to append");
  RecordBatchBuilder builder;
  builder.set_base_offset(log_->log_end_offset()).set_partition_leader_epoch(epoch_);
  for (const Bytes& v : values) builder.Add(now_ms, std::nullopt, ByteView(v));
  SAMSA_ASSIGN_OR_RETURN(Bytes batch, builder.Build());
  SAMSA_ASSIGN_OR_RETURN(LogAppendInfo info, log_->AppendAsLeader(batch, epoch_, now_ms));
  MaybeSyncLog();
  CompleteParkedFetches(now_ms, false);
  return info.last_offset;
}

std::vector<RaftRecord> RaftReplica::TakeCommitted() {
  std::vector<RaftRecord> out;
  if (!open_status_.ok()) return out;
  while (delivered_offset_ < high_watermark_) {
    Result<LogReadResult> read = log_->Read(delivered_offset_, size_t(config_.fetch_max_bytes));
    if (!read.ok() || read->records.empty()) break;
    Result<std::vector<ByteView>> batches = SplitBatches(read->records);
    if (!batches.ok() || batches->empty()) break;
    int64_t before = delivered_offset_;
    for (ByteView batch : *batches) {
      if (delivered_offset_ >= high_watermark_) break;
      Result<BatchHeader> header = ParseBatchHeader(batch);
      SAMSA_ASSERT_MSG(header.ok(), "raft: unreadable batch below the high watermark");
      if (!header->control()) {
        Result<std::vector<Record>> records = DecodeRecords(batch, kDefaultMaxDecompressedBytes);
        SAMSA_ASSERT_MSG(records.ok(), "raft: undecodable batch below the high watermark");
        for (Record& r : *records) {
          int64_t offset = r.AbsoluteOffset(*header);
          if (offset < delivered_offset_ || offset >= high_watermark_) continue;
          out.push_back(RaftRecord{offset, header->partition_leader_epoch, r.value.value_or(Bytes())});
        }
      }
      delivered_offset_ = std::max(delivered_offset_, std::min(header->next_offset(), high_watermark_));
    }
    if (delivered_offset_ == before) break;
  }
  return out;
}

DescribeQuorumResponse RaftReplica::DescribeQuorum(int64_t now_ms) const {
  DescribeQuorumResponse resp;
  DescribeQuorumResponse::Partition part;
  part.partition_index = kClusterMetadataPartition;
  part.leader_id = leader_id_;
  part.leader_epoch = epoch_;
  part.high_watermark = high_watermark_;
  if (state_ != State::kLeader) {
    part.error_code = Err(ErrorCode::kNotLeaderOrFollower);
  } else {
    DescribeQuorumResponse::ReplicaState self;
    self.replica_id = config_.node_id;
    self.log_end_offset = log_->log_end_offset();
    self.last_fetch_timestamp = now_ms;
    self.last_caught_up_timestamp = now_ms;
    part.current_voters.push_back(self);
    auto add = [](std::vector<DescribeQuorumResponse::ReplicaState>& out, int32_t id, const Progress& p) {
      DescribeQuorumResponse::ReplicaState s;
      s.replica_id = id;
      s.log_end_offset = p.end_offset;
      s.last_fetch_timestamp = p.last_fetch_ms;
      s.last_caught_up_timestamp = p.last_caught_up_ms;
      out.push_back(s);
    };
    for (const auto& [id, p] : voters_progress_) add(part.current_voters, id, p);
    for (const auto& [id, p] : observers_progress_) add(part.observers, id, p);
  }
  resp.topics.push_back({std::string(kClusterMetadataTopic), {part}});
  return resp;
}

}  // namespace samsa
