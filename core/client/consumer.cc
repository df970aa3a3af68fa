#include "core/client/consumer.h"

#include <algorithm>
#include <utility>

#include "core/base/assert.h"
#include "core/record/record_batch.h"

namespace samsa::client {
namespace {

constexpr int16_t kFetchMinVersion = 4;  // RecordBatch v2, isolation level
constexpr int16_t kFetchPreferredVersion = 11;
constexpr int16_t kListOffsetsMinVersion = 1;
constexpr int16_t kListOffsetsPreferredVersion = 5;

bool IsLeadershipError(ErrorCode e) {
  switch (e) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kReplicaNotAvailable:
      return true;
    default:
      return false;
  }
}

}  // namespace

ConsumerNode::ConsumerNode(NodeId id, ConsumerConfig config, std::shared_ptr<History> history,
                           uint64_t seed)
    : ClientBase(id, config.client, std::move(history), seed), config_(std::move(config)) {
  SAMSA_ASSERT_MSG(!config_.topic.empty(), "a consumer needs a topic");
  session_ = this->history().NewSession();
  AddMetadataTopic(config_.topic);
  if (!config_.partitions.empty()) Assign(config_.partitions);
}

std::optional<int64_t> ConsumerNode::position(int32_t partition) const {
  const PartState* s = FindPart(partition);
  if (s == nullptr || s->phase == Phase::kNeedsPosition || s->phase == Phase::kListing) return std::nullopt;
  return s->position;
}

size_t ConsumerNode::PartSlot(int32_t p) const {
  const size_t i = part_index_.Find(p);
  return i == PartitionSlots::kNone ? parts_.size() : i;
}

const ConsumerNode::PartState* ConsumerNode::FindPart(int32_t p) const {
  const size_t i = PartSlot(p);
  return i == parts_.size() ? nullptr : &parts_.nth(i)->second;
}

ConsumerNode::PartState& ConsumerNode::Part(int32_t p) {
  const size_t i = PartSlot(p);
  SAMSA_ASSERT_MSG(i != parts_.size(), "a consumer looked up a partition it was not assigned");
  return parts_.nth(i)->second;
}

void ConsumerNode::Assign(const std::vector<int32_t>& partitions) {
  assigned_ = true;
  for (int32_t p : partitions) {
    PartState s;
    switch (config_.start) {
      case StartFrom::kEarliest:
        s.lookup_timestamp = kListOffsetsEarliestTimestamp;
        break;
      case StartFrom::kLatest:
        s.lookup_timestamp = kListOffsetsLatestTimestamp;
        break;
      case StartFrom::kOffset:
        s.phase = Phase::kFetchable;
        s.position = config_.start_offset;
        break;
    }
    parts_[p] = s;
    idle_.insert(p);
  }
  part_index_.Clear();
  for (size_t i = 0; i < parts_.size(); ++i) part_index_.Set(parts_.nth(i)->first, uint32_t(i), parts_.size());
}

void ConsumerNode::OnMetadata() {
  if (assigned_) return;
  int32_t n = PartitionCount(config_.topic);
  if (n == 0) return;
  std::vector<int32_t> all;
  for (int32_t p = 0; p < n; ++p) all.push_back(p);
  Assign(all);
}

void ConsumerNode::Backoff(PartState& s) {
  s.retry_at_ns = now_ns() + MsToNs(client_config().retry_backoff_ms);
  WakeAt(s.retry_at_ns);
}

void ConsumerNode::StopAt(int64_t t_ns) {
  config_.stop_ns = std::min(config_.stop_ns, t_ns);
  WakeAt(config_.stop_ns);
}

view::ClientView ConsumerNode::Describe() const {
  view::ClientView v;
  v.id = id().value();
  v.kind = "consumer";
  v.target = config_.topic;
  v.stopped = now_ns() >= config_.stop_ns;
  v.in_flight = int64_t(in_flight_.size());
  v.acknowledged = stats_.records;
  v.errors = stats_.errors;
  for (const auto& [p, s] : parts_) {
    view::ConsumerPositionView pos;
    pos.partition = p;
    pos.position = s.position;
    v.positions.push_back(pos);
  }
  return v;
}

void ConsumerNode::Poll() {
  if (now_ns() < config_.start_ns) {
    WakeAt(config_.start_ns);
    return;
  }
  if (now_ns() >= config_.stop_ns) return;
  std::map<NodeId, std::vector<int32_t>> to_list, to_fetch;
  for (auto it = idle_.begin(); it != idle_.end();) {
    const int32_t p = *it;
    PartState& s = Part(p);
    if (s.phase != Phase::kNeedsPosition && s.phase != Phase::kFetchable) {
      it = idle_.erase(it);
      continue;
    }
    ++it;
    if (s.retry_at_ns > now_ns()) {
      WakeAt(s.retry_at_ns);
      continue;
    }
    NodeId leader = LeaderOf(TopicPartition{config_.topic, p});
    if (leader == kNoNode) {
      RequestMetadata();
      continue;
    }
    (s.phase == Phase::kNeedsPosition ? to_list : to_fetch)[leader].push_back(p);
  }
  std::map<NodeId, std::pair<bool, bool>> busy;  // broker -> (listing, fetching) in flight
  for (const auto& [token, f] : in_flight_) {
    if (f.api == ApiKey::kFetch) busy[f.broker].second = true;
    if (f.api == ApiKey::kListOffsets) busy[f.broker].first = true;
  }
  for (const auto& [leader, ps] : to_list) {
    Connect(leader);
    if (busy[leader].first || !CanSend(leader)) continue;
    int16_t v = Version(leader, ApiKey::kListOffsets, kListOffsetsMinVersion,
                        kListOffsetsPreferredVersion);
    if (v < 0) continue;
    ListOffsetsRequest req;
    req.isolation_level = 0;
    ListOffsetsRequest::Topic t;
    t.name = config_.topic;
    for (int32_t p : ps) {
      ListOffsetsRequest::Partition lp;
      lp.partition_index = p;
      lp.timestamp = Part(p).lookup_timestamp;
      const auto& md = metadata().at(config_.topic).partitions[size_t(p)];
      lp.current_leader_epoch = md.leader_epoch;
      t.partitions.push_back(lp);
      Part(p).phase = Phase::kListing;
      idle_.erase(p);
    }
    req.topics.push_back(std::move(t));
    uint64_t token = next_token_++;
    in_flight_[token] = InFlight{ApiKey::kListOffsets, leader, ps};
    ++stats_.list_offsets;
    SendRequest(leader, req, v, MsToNs(client_config().request_timeout_ms), token);
  }
  // Ready partitions join their leader's fetch; each broker with partitions to fetch and no fetch
  // in flight gets one (FetchSessionState: in a session, listing only what changed).
  for (const auto& [leader, ps] : to_fetch) {
    Connect(leader);
    FetchSessionState& b = fetch_sessions_[leader];
    for (int32_t p : ps) {
      Part(p).phase = Phase::kFetching;
      idle_.erase(p);
      b.members.insert(p);
      b.dirty.insert(p);
    }
  }
  for (auto& [leader, b] : fetch_sessions_) {
    if (b.members.empty() || busy[leader].second) continue;
    // Between two fetches, after new metadata: members led elsewhere now leave (the next Poll
    // places them on their leader). Without this a member waits for this broker for good when it
    // cannot be reached, or answers nothing new for it in its session.
    if (b.leaders_checked != metadata_version()) {
      b.leaders_checked = metadata_version();
      std::vector<int32_t> moved;
      for (int32_t p : b.members)
        if (LeaderOf(TopicPartition{config_.topic, p}) != leader) moved.push_back(p);
      for (int32_t p : moved) LeaveFetch(b, p);
      if (!moved.empty()) WakeAt(now_ns());
      if (b.members.empty()) continue;
    }
    Connect(leader);  // a connection lost in between (or never made, in backoff) is made again
    if (!CanSend(leader)) continue;
    int16_t v = Version(leader, ApiKey::kFetch, kFetchMinVersion, kFetchPreferredVersion);
    if (v < 0) continue;
    FetchRequest req;
    req.replica_id = -1;
    req.max_wait_ms = config_.fetch_max_wait_ms;
    req.min_bytes = config_.fetch_min_bytes;
    req.max_bytes = config_.fetch_max_bytes;
    req.isolation_level = 0;  // read_uncommitted
    // Fetch v7+ uses the session; before, every fetch lists every partition.
    const bool whole = v < 7 || b.session.epoch == 0;
    req.session_id = v < 7 ? 0 : b.session.id;
    req.session_epoch = v < 7 ? -1 : b.session.epoch;
    auto part = [&](int32_t p) {
      FetchRequest::Partition fp;
      fp.partition = p;
      fp.current_leader_epoch = metadata().at(config_.topic).partitions[size_t(p)].leader_epoch;
      fp.fetch_offset = Part(p).position;
      fp.partition_max_bytes = config_.max_partition_fetch_bytes;
      return fp;
    };
    FetchRequest::Topic t;
    t.topic = config_.topic;
    if (whole) {
      b.held.clear();
      for (int32_t p : b.members) t.partitions.push_back(b.held[p] = part(p));
    } else {
      FetchRequest::ForgottenTopic forgotten;
      forgotten.topic = config_.topic;
      for (int32_t p : b.dirty) {
        if (b.members.count(p) == 0) {
          if (b.held.erase(p) != 0) forgotten.partitions.push_back(p);
          continue;
        }
        FetchRequest::Partition fp = part(p);
        auto [held, added] = b.held.try_emplace(p, fp);
        if (!added && held->second == fp) continue;
        held->second = fp;
        t.partitions.push_back(fp);
      }
      if (!forgotten.partitions.empty()) req.forgotten_topics_data.push_back(std::move(forgotten));
    }
    b.dirty.clear();
    if (!t.partitions.empty()) req.topics.push_back(std::move(t));
    uint64_t token = next_token_++;
    in_flight_[token] = InFlight{ApiKey::kFetch, leader, {}, req.session_epoch};
    ++stats_.fetches;
    SendRequest(leader, req, v,
                MsToNs(int64_t(client_config().request_timeout_ms) + config_.fetch_max_wait_ms),
                token);
  }
}

void ConsumerNode::OnResponse(uint64_t token, const ResponseBody& body) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  InFlight req = std::move(it->second);
  in_flight_.erase(it);
  if (const auto* f = std::get_if<FetchResponse>(&body)) {
    if (req.session_epoch >= 0) {
      // The session goes on with the next epoch; an error, or an answer without a session,
      // starts a new one (closing this one, unless the broker does not know it).
      fetch_sessions_[req.broker].session.OnAnswer(f->error_code, f->session_id, req.session_epoch);
    }
    HandleFetch(req, *f);
  } else if (const auto* l = std::get_if<ListOffsetsResponse>(&body)) {
    HandleListOffsets(req, *l);
  }
}

void ConsumerNode::OnRequestFailed(uint64_t token, std::string_view reason) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  InFlight req = std::move(it->second);
  in_flight_.erase(it);
  ++stats_.errors[std::string(reason)];
  if (req.api == ApiKey::kFetch) {
    // The broker may or may not have served it: its partitions back off, and a new session starts.
    ResetFetchSession(fetch_sessions_[req.broker]);
    return;
  }
  for (int32_t p : req.partitions) {
    PartState& s = Part(p);
    idle_.insert(p);
    if (s.phase == Phase::kListing) s.phase = Phase::kNeedsPosition;
    if (s.phase == Phase::kFetching) s.phase = Phase::kFetchable;
    Backoff(s);
  }
}

// Partitions join their leader's fetch before its connection is ready (Poll); when that
// connection fails instead, no fetch was sent to fail with it, and without this they would wait
// for it for good, even after the metadata names another leader.
void ConsumerNode::OnConnectionLost(NodeId broker) {
  auto it = fetch_sessions_.find(broker);
  if (it != fetch_sessions_.end()) ResetFetchSession(it->second);
}

void ConsumerNode::LeaveFetch(FetchSessionState& b, int32_t p) {
  b.members.erase(p);
  b.dirty.insert(p);
  Part(p).phase = Phase::kFetchable;
  idle_.insert(p);
}

void ConsumerNode::ResetFetchSession(FetchSessionState& b) {
  for (int32_t p : b.members) {
    PartState& s = Part(p);
    idle_.insert(p);
    if (s.phase == Phase::kFetching) s.phase = Phase::kFetchable;
    Backoff(s);
  }
  b.members.clear();
  b.dirty.clear();
  b.held.clear();
  b.session.epoch = 0;
}

void ConsumerNode::PartitionError(int32_t partition, ErrorCode error) {
  PartState& s = Part(partition);
  ++stats_.fetch_errors;
  ++stats_.errors[std::string(ErrorCodeName(error))];
  if (IsLeadershipError(error)) RequestMetadata();
  Backoff(s);
}

void ConsumerNode::HandleListOffsets(const InFlight& req, const ListOffsetsResponse& resp) {
  for (int32_t p : req.partitions) {
    PartState& s = Part(p);
    if (s.phase != Phase::kListing) continue;
    idle_.insert(p);
    s.phase = Phase::kNeedsPosition;
    const ListOffsetsResponse::Partition* found = nullptr;
    for (const auto& t : resp.topics)
      if (t.name == config_.topic)
        for (const auto& lp : t.partitions)
          if (lp.partition_index == p) found = &lp;
    if (!found) {
      Backoff(s);
      continue;
    }
    ErrorCode err = ErrorCode(found->error_code);
    if (err != ErrorCode::kNone || found->offset < 0) {
      PartitionError(p, err);
      continue;
    }
    s.phase = Phase::kFetchable;
    s.position = found->offset;
  }
}

void ConsumerNode::HandleFetch(const InFlight& req, const FetchResponse& resp) {
  FetchSessionState& b = fetch_sessions_[req.broker];
  // The partitions this answer settles leave the broker's fetch (the next one forgets or lists
  // them again): all of them when it has no session (or failed), else the answered ones.
  if (resp.error_code != 0) {
    const bool lost_session = LostFetchSession(resp.error_code);
    auto members = std::move(b.members);
    b.members.clear();
    b.held.clear();
    for (int32_t p : members) {
      LeaveFetch(b, p);
      // A lost session: the next fetch starts a new one at once.
      if (!lost_session) PartitionError(p, ErrorCode(resp.error_code));
    }
    return;
  }
  // Each answered partition's answer (the last one, should a partition be answered twice).
  auto& answers = answer_scratch_;
  answers.clear();
  for (const auto& t : resp.responses) {
    if (t.topic != config_.topic) continue;
    for (const auto& fp : t.partitions)
      if (b.members.count(fp.partition_index) != 0) answers[fp.partition_index] = &fp;
  }
  if (resp.session_id == 0) {
    // No session: every partition of the fetch is settled, answered or not (nothing for it).
    for (int32_t p : b.members) answers.try_emplace(p, nullptr);
    b.held.clear();
  }
  for (const auto& [p, found] : answers) {
    PartState& s = Part(p);
    if (s.phase != Phase::kFetching) continue;
    if (found == nullptr || found->error_code == 0) {
      if (found != nullptr && found->records) ReadRecords(p, *found->records);
      // Settled, and its leader is still this broker: it stays in the fetch (the next one lists
      // it again if its position moved), as leaving and joining again in Poll would do.
      if (s.retry_at_ns <= now_ns() && LeaderOf(TopicPartition{config_.topic, p}) == req.broker) {
        b.dirty.insert(p);
      } else {
        LeaveFetch(b, p);
      }
      continue;
    }
    LeaveFetch(b, p);
    ErrorCode err = ErrorCode(found->error_code);
    if (err == ErrorCode::kOffsetOutOfRange) {
      ++stats_.offset_resets;
      if (config_.auto_offset_reset == OffsetReset::kNone) {
        s.phase = Phase::kStopped;
        continue;
      }
      s.phase = Phase::kNeedsPosition;
      s.lookup_timestamp = config_.auto_offset_reset == OffsetReset::kEarliest
                               ? kListOffsetsEarliestTimestamp
                               : kListOffsetsLatestTimestamp;
      // The position jumps: a new session, so the checker does not call it a skip.
      session_ = history().NewSession();
      continue;
    }
    PartitionError(p, err);
  }
}

void ConsumerNode::ReadRecords(int32_t partition, ByteView records) {
  PartState& s = Part(partition);
  Result<std::vector<ByteView>> batches = SplitBatches(records);
  if (!batches.ok()) {
    ++stats_.decode_errors;
    Backoff(s);
    return;
  }
  for (ByteView batch : *batches) {
    Result<RecordIterator> it = RecordIterator::Open(batch, config_.max_decompressed_bytes);
    if (!it.ok()) {
      ++stats_.decode_errors;
      Backoff(s);
      return;
    }
    const BatchHeader header = it->header();
    if (header.next_offset() <= s.position) continue;  // already read
    if (!header.control()) {
      Record r;
      for (;;) {
        Result<bool> more = it->Next(&r);
        if (!more.ok()) {
          ++stats_.decode_errors;
          Backoff(s);
          return;
        }
        if (!*more) break;
        int64_t offset = r.AbsoluteOffset(header);
        if (offset < s.position) continue;
        HistoryEvent e;
        e.time_ns = now_ns();
        e.type = EventType::kOk;
        e.op = EventOp::kPoll;
        e.process = id().value();
        e.session = session_;
        e.topic = config_.topic;
        e.partition = partition;
        if (r.key) e.key = AsString(*r.key);
        if (r.value) e.value = AsString(*r.value);
        e.offset = offset;
        history().Append(std::move(e));
        ++stats_.records;
        s.position = offset + 1;
      }
    }
    // Offsets a batch spans but holds no record for (compaction, control) are passed over.
    s.position = std::max(s.position, header.next_offset());
  }
}

}  // namespace samsa::client
