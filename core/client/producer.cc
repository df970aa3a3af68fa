#include "core/client/producer.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <span>
#include <utility>

#include "core/base/assert.h"
#include "core/record/record_batch.h"

namespace samsa::client {
namespace {

constexpr int16_t kProduceMinVersion = 3;  // RecordBatch v2
constexpr int16_t kProducePreferredVersion = 8;

// Errors after which the client's view of leadership is suspect.
bool InvalidatesMetadata(ErrorCode e) {
  switch (e) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kUnknownLeaderEpoch:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kNetworkException:
      return true;
    default:
      return false;
  }
}

// Errors after which the batch may have been written although the attempt failed.
bool OutcomeUnknown(ErrorCode e) {
  switch (e) {
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kRequestTimedOut:
    case ErrorCode::kNetworkException:
    case ErrorCode::kUnknownServerError:
      return true;
    default:
      return false;
  }
}

}  // namespace

ProducerNode::ProducerNode(NodeId id, ProducerConfig config, ProducerWorkload workload,
                           std::shared_ptr<History> history, uint64_t seed)
    : ClientBase(id, config.client, std::move(history), seed),
      config_(std::move(config)),
      workload_(std::move(workload)),
      workload_prng_(Prng(seed).Split("workload")),
      partition_prng_(Prng(seed).Split("partitioner")),
      retry_prng_(Prng(seed).Split("retry-backoff")),
      accumulator_(config_.batch_size, config_.linger_ms * 1'000'000, config_.buffer_memory,
                   config_.compression) {
  SAMSA_ASSERT(config_.acks == 0 || config_.acks == 1 || config_.acks == -1);
  if (!workload_.topic.empty()) AddMetadataTopic(workload_.topic);
}

uint64_t ProducerNode::Send(const std::string& topic, std::optional<std::string_view> key,
                            std::string_view value) {
  const uint64_t op = Invoke(topic, key, value);
  WakeAt(now_ns());  // handed over between steps: the node must step to act on it
  return op;
}

uint64_t ProducerNode::Invoke(const std::string& topic, std::optional<std::string_view> key,
                              std::string_view value) {
  AddMetadataTopic(topic);
  PendingRecord r;
  r.op_id = history().NewOpId();
  r.timestamp_ms = now_ns() / 1'000'000;
  ++stats_.invoked;
  uint64_t op = r.op_id;
  r.text = history().TextOf(RecordInvoke(r, topic, key, value));
  if (!Partition(topic, r)) {
    // Partition() recorded the failure.
  }
  return op;
}

bool ProducerNode::Partition(const std::string& topic, PendingRecord record) {
  int32_t n = PartitionCount(topic);
  if (n == 0) {
    if (unpartitioned_.size() >= config_.max_unpartitioned) {
      ++stats_.failed;
      Record(EventType::kFail, record, TopicPartition{topic, -1}, -1, "BUFFER_EXHAUSTED");
      return false;
    }
    RequestMetadata();
    unpartitioned_.push_back(Unpartitioned{topic, std::move(record)});
    return true;
  }
  // The key and value, as the invoke event holds them.
  std::optional<ByteView> key;
  if (std::optional<std::string_view> k = history().Key(record.text)) key = AsBytes(*k);
  const ByteView value = AsBytes(history().Value(record.text));
  int32_t p;
  if (key) {
    p = KeyedPartition(*key, n);
  } else {
    std::vector<int32_t> avail = AvailablePartitions(topic);
    p = sticky_.Partition(topic, n, avail, partition_prng_);
    if (accumulator_.WouldStartNewBatch(TopicPartition{topic, p}, EstimateRecordBytes(key, value))) {
      sticky_.OnNewBatch(topic, p, n, avail, partition_prng_);
      p = sticky_.Partition(topic, n, avail, partition_prng_);
    }
  }
  TopicPartition tp{topic, p};
  const bool summary_current = drain_.valid && drain_.accumulator_version == accumulator_.version();
  if (!accumulator_.Append(tp, record, key, value, now_ns())) {
    ++stats_.failed;
    Record(EventType::kFail, record, tp, -1, "BUFFER_EXHAUSTED");
    return false;
  }
  if (summary_current) {
    // Keep the summary current without a rescan: an append never delays a head, so the old
    // verdict holds for the other queues and tp's queue is folded in again.
    SummarizeQueue(accumulator_.QueueOf(tp));
    drain_.accumulator_version = accumulator_.version();
  }
  return true;
}

void ProducerNode::OnMetadata() {
  if (unpartitioned_.empty()) return;
  // Usually nothing became partitionable (one topic, still unknown): skip the rebuild.
  bool any = false;
  const std::string* checked = nullptr;  // last topic known to have no partitions
  for (const Unpartitioned& u : unpartitioned_) {
    if (checked != nullptr && *checked == u.topic) continue;
    if (PartitionCount(u.topic) != 0) {
      any = true;
      break;
    }
    checked = &u.topic;
  }
  if (!any) return;
  std::deque<Unpartitioned> waiting = std::move(unpartitioned_);
  unpartitioned_.clear();
  for (Unpartitioned& u : waiting) {
    if (PartitionCount(u.topic) == 0) {
      unpartitioned_.push_back(std::move(u));
    } else {
      Partition(u.topic, std::move(u.record));
    }
  }
}

void ProducerNode::SetRate(int64_t rate_per_s, int64_t now_ns) {
  workload_.rate_per_s = std::max<int64_t>(rate_per_s, 0);
  // The next send is due now (or at the start): a faster rate takes effect at once instead of
  // after the old, longer interval, and no send is owed for the time before.
  next_send_ns_ = std::max(now_ns, workload_.start_ns);
  if (workload_.rate_per_s > 0) WakeAt(next_send_ns_);
}

view::ClientView ProducerNode::Describe() const {
  view::ClientView v;
  v.id = id().value();
  v.kind = "producer";
  v.target = workload_.topic;
  v.stopped = now_ns() >= workload_.stop_ns;
  v.rate_per_s = workload_.rate_per_s;
  v.in_flight = int64_t(in_flight_.size());
  v.sent = stats_.invoked;
  v.acknowledged = stats_.acked;
  v.errors = stats_.errors;
  return v;
}

void ProducerNode::RunWorkload() {
  if (workload_.rate_per_s <= 0 || workload_.topic.empty()) return;
  const int64_t interval_ns = std::max<int64_t>(1, 1'000'000'000 / workload_.rate_per_s);
  if (next_send_ns_ < 0) next_send_ns_ = workload_.start_ns;
  while (next_send_ns_ <= now_ns() && next_send_ns_ < workload_.stop_ns &&
         seq_ < workload_.max_sends) {
    // Written into stack buffers: this runs for every generated record.
    char key_buf[24], value_buf[48];
    std::optional<std::string_view> key;
    if (workload_.keys > 0) {
      key_buf[0] = 'k';
      char* end = std::to_chars(key_buf + 1, std::end(key_buf),
                                workload_prng_.Uniform(uint64_t(workload_.keys))).ptr;
      key = std::string_view(key_buf, size_t(end - key_buf));
    }
    value_buf[0] = 'p';
    // An int32 takes at most 11 characters, a uint64 20: the halves cannot overflow.
    char* end = std::to_chars(value_buf + 1, value_buf + 24, id().value()).ptr;
    *end++ = '-';
    end = std::to_chars(end, std::end(value_buf), seq_++).ptr;
    std::string_view value(value_buf, size_t(end - value_buf));
    if (workload_.value_bytes > value.size()) {
      padded_value_.assign(value);
      padded_value_.resize(workload_.value_bytes, '.');
      value = padded_value_;
    }
    Invoke(workload_.topic, key, value);  // within Poll(), which drains next
    next_send_ns_ += interval_ns;
  }
  if (next_send_ns_ < workload_.stop_ns && seq_ < workload_.max_sends) WakeAt(next_send_ns_);
}

void ProducerNode::Poll() {
  RunWorkload();
  ExpireBatches();
  // Most inputs are timers (the workload's next send, a lingering batch) that change nothing
  // the sender looks at. Then Drain() would do only what its last run's summary says: ask for
  // metadata, and wake at the earliest head or reconnect time. The node's wake is re-armed on
  // every step, so the skip must repeat both.
  if (drain_.valid && drain_.accumulator_version == accumulator_.version() &&
      drain_.client_version == state_version() && now_ns() < drain_.next_ns) {
    if (drain_.leaderless) RequestMetadata();
    if (drain_.next_ns != kNever) WakeAt(drain_.next_ns);
    return;
  }
  Drain();
  drain_.leaderless = false;
  drain_.next_ns = kNever;
  if (!DueQueuesSuffice()) {
    for (size_t q : accumulator_.nonempty_queues()) {
      if (drain_.next_ns <= now_ns()) break;
      SummarizeQueue(q);
    }
  } else {
    // The same verdict from fewer queues: those ready now (left by Drain() for want of a
    // connection), one per leader since the verdict is the leader's, then the earliest waiting.
    NodeId summarized[8];
    size_t n = 0;
    for (const auto& [due, q] : accumulator_.queues_by_due()) {
      if (drain_.next_ns <= now_ns()) break;
      if (due > now_ns()) {
        drain_.next_ns = std::min(drain_.next_ns, due);
        break;
      }
      const NodeId leader = QueueLeader(q);
      if (std::find(summarized, summarized + n, leader) != summarized + n) continue;
      if (n < std::size(summarized)) summarized[n++] = leader;
      SummarizeQueue(q);
    }
  }
  drain_.valid = true;
  drain_.accumulator_version = accumulator_.version();
  drain_.client_version = state_version();
}

void ProducerNode::RefreshQueueLeaders() {
  // Queue numbers hold until a queue is added (the count changes); leaders until metadata comes.
  if (queue_leaders_.size() != accumulator_.queue_count() || queue_leaders_version_ != metadata_version())
      [[unlikely]]
    ForgetQueueLeaders();
}

void ProducerNode::ForgetQueueLeaders() {
  queue_leaders_.assign(accumulator_.queue_count(), std::nullopt);
  queue_leaders_version_ = metadata_version();
  all_led_.reset();
}

NodeId ProducerNode::QueueLeader(size_t q) {
  RefreshQueueLeaders();
  std::optional<NodeId>& leader = queue_leaders_[q];
  if (!leader) leader = LeaderOf(accumulator_.queue_partition(q));
  return *leader;
}

bool ProducerNode::DueQueuesSuffice() {
  if (Ordered()) return false;
  RefreshQueueLeaders();
  if (!all_led_) {
    all_led_ = true;
    for (size_t q = 0; q < accumulator_.queue_count() && *all_led_; ++q) all_led_ = QueueLeader(q) != kNoNode;
  }
  return *all_led_;
}

void ProducerNode::SummarizeQueue(size_t q) {
  if (accumulator_.queue_empty(q)) return;
  const TopicPartition& tp = accumulator_.queue_partition(q);
  const NodeId leader = QueueLeader(q);
  if (leader == kNoNode) {
    drain_.leaderless = true;  // until metadata arrives (a client state change)
    return;
  }
  if (Ordered()) {
    auto m = muted_.find(tp);
    if (m != muted_.end() && m->second > 0) return;  // until its response (a state change)
  }
  int64_t at = *accumulator_.HeadReadyAt(q, now_ns());
  if (at <= now_ns()) {
    // Ready but left by Drain(): it waits for its leader's connection to change (a state
    // change), or for the reconnect backoff to end.
    if (std::optional<int64_t> connect = ConnectAt(leader)) {
      at = *connect;
    } else if (CanSend(leader)) {
      at = now_ns();  // not expected after Drain(); never skip then
    } else {
      return;
    }
  }
  drain_.next_ns = std::min(drain_.next_ns, at);
}

void ProducerNode::ExpireBatches() {
  const int64_t timeout_ns = MsToNs(config_.delivery_timeout_ms);
  for (ProducerBatch& b : accumulator_.ExpireBefore(now_ns(), timeout_ns)) {
    ++stats_.expired;
    FailBatch(b, b.last_error.empty() ? "DELIVERY_TIMEOUT"
                                      : "DELIVERY_TIMEOUT after " + b.last_error);
  }
  if (auto earliest = accumulator_.EarliestCreatedNs()) WakeAt(*earliest + timeout_ns);
  // Sends still waiting for metadata give up after the same time (Java: max.block.ms). They
  // are queued in invoke order, so the expired ones are a prefix and the front's deadline is
  // the earliest.
  while (!unpartitioned_.empty()) {
    Unpartitioned& u = unpartitioned_.front();
    if (u.record.timestamp_ms * 1'000'000 + timeout_ns > now_ns()) break;
    ++stats_.failed;
    Record(EventType::kFail, u.record, TopicPartition{u.topic, -1}, -1,
           "TIMEOUT_WAITING_FOR_METADATA");
    unpartitioned_.pop_front();
  }
  if (!unpartitioned_.empty())
    WakeAt(unpartitioned_.front().record.timestamp_ms * 1'000'000 + timeout_ns);
}

void ProducerNode::Drain() {
  // Walks the accumulator's queues (the due ones, or all by number) for the ready partitions:
  // their leaders are the ready ones, and each queue such a leader leads goes to drain_.ready,
  // in (leader, partition) order.
  const bool guarantee_order = Ordered();
  std::vector<NodeId>& leaders = drain_.leaders;
  leaders.clear();
  if (DueQueuesSuffice()) {
    // As the walk below, looking only at the due queues: none is leaderless or muted. A leader
    // whose connection is ready with every in-flight slot taken can take nothing now (the loop
    // below would connect it, a no-op, and find CanSend false): its queues stay for the answer
    // that frees a slot, whose handling drains again. Each leader's verdict is taken once.
    std::pair<NodeId, bool> verdicts[8];
    size_t known = 0;
    auto saturated = [&](NodeId leader) {
      for (size_t i = 0; i < known; ++i)
        if (verdicts[i].first == leader) return verdicts[i].second;
      const bool full = InFlightFull(leader);
      if (known < std::size(verdicts)) verdicts[known++] = {leader, full};
      return full;
    };
    for (const auto& [due, q] : accumulator_.queues_by_due()) {
      if (due > now_ns()) {
        WakeAt(due);
        break;
      }
      const NodeId leader = QueueLeader(q);
      if (!saturated(leader)) leaders.push_back(leader);
    }
  } else {
    for (size_t q : accumulator_.nonempty_queues()) {
      const TopicPartition& tp = accumulator_.queue_partition(q);
      NodeId leader = QueueLeader(q);
      if (leader == kNoNode) {
        RequestMetadata();
        continue;
      }
      if (guarantee_order && muted_[tp] > 0) continue;
      std::optional<int64_t> at = accumulator_.HeadReadyAt(q, now_ns());
      if (!at) continue;
      if (*at > now_ns()) {
        WakeAt(*at);
        continue;
      }
      leaders.push_back(leader);
    }
  }
  // Each ready leader takes the head of every partition it leads (HeadSendable), not only the
  // ready heads: by leader, partitions (queue numbers) ascending within each.
  std::sort(leaders.begin(), leaders.end());
  leaders.erase(std::unique(leaders.begin(), leaders.end()), leaders.end());
  std::vector<std::pair<NodeId, size_t>>& ready = drain_.ready;
  ready.clear();
  if (!leaders.empty()) {
    for (size_t q : accumulator_.nonempty_queues()) {
      const NodeId leader = QueueLeader(q);
      if (std::binary_search(leaders.begin(), leaders.end(), leader)) ready.emplace_back(leader, q);
    }
    std::sort(ready.begin(), ready.end());
  }
  for (size_t first = 0; first < ready.size();) {
    const NodeId leader = ready[first].first;
    size_t last = first;
    while (last < ready.size() && ready[last].first == leader) ++last;
    const std::span<const std::pair<NodeId, size_t>> queues(ready.data() + first, last - first);
    first = last;
    Connect(leader);
    while (CanSend(leader)) {
      int16_t version = Version(leader, ApiKey::kProduce, kProduceMinVersion,
                                kProducePreferredVersion);
      if (version < 0) break;
      std::vector<ProducerBatch> batches;
      batches.reserve(queues.size());
      size_t request_bytes = 0;
      // As Kafka's drain index: a request starts at the partition where max.request.size cut the
      // last one to this leader short, so that the partitions left out go first.
      size_t start = 0;
      auto resume = drain_.resume.find(leader);
      if (resume != drain_.resume.end()) {
        start = size_t(std::partition_point(queues.begin(), queues.end(), [&](const auto& entry) {
                         return accumulator_.queue_partition(entry.second) < resume->second;
                       }) - queues.begin());
        if (start == queues.size()) start = 0;
      }
      bool cut = false;
      for (size_t k = 0; k < queues.size(); ++k) {
        const size_t q = queues[(start + k) % queues.size()].second;
        const TopicPartition& tp = accumulator_.queue_partition(q);
        if (guarantee_order && muted_[tp] > 0) continue;
        if (!accumulator_.HeadSendable(q, now_ns())) continue;
        const ProducerBatch* head = accumulator_.Head(q);
        if (!batches.empty() && request_bytes + head->bytes > size_t(config_.max_request_size)) {
          drain_.resume.insert_or_assign(leader, tp);
          cut = true;
          break;
        }
        request_bytes += head->bytes;
        accumulator_.TakeHeadTo(q, batches);
        if (guarantee_order) ++muted_[tp];
      }
      if (!cut && resume != drain_.resume.end()) drain_.resume.erase(resume);
      if (batches.empty()) break;
      // A request that began past the first partition lists its batches in partition order.
      if (start != 0) {
        std::sort(batches.begin(), batches.end(),
                  [](const ProducerBatch& a, const ProducerBatch& b) { return a.tp < b.tp; });
      }
      // One RecordBatch v2 per partition, framing the records encoded as they were appended;
      // the request holds views into `encoded`. A batch that fails to build fails alone: the
      // others close up behind it, in order.
      std::vector<Bytes> encoded;
      encoded.reserve(batches.size());
      size_t kept = 0;
      for (size_t i = 0; i < batches.size(); ++i) {
        ProducerBatch& b = batches[i];
        Result<Bytes> built = b.encoded.Build();
        if (!built.ok()) {
          if (guarantee_order) --muted_[b.tp];
          FailBatch(b, "INVALID_RECORD");
          continue;
        }
        encoded.push_back(std::move(built).value());
        if (kept != i) batches[kept] = std::move(b);
        ++kept;
      }
      batches.erase(batches.begin() + int64_t(kept), batches.end());
      if (batches.empty()) continue;
      ProduceRequest req;
      req.acks = config_.acks;
      req.timeout_ms = client_config().request_timeout_ms;
      for (size_t i = 0; i < batches.size(); ++i) {
        const TopicPartition& tp = batches[i].tp;
        if (req.topic_data.empty() || req.topic_data.back().name != tp.topic) {
          ProduceRequest::Topic t;
          t.name = tp.topic;
          req.topic_data.push_back(std::move(t));
        }
        ProduceRequest::Partition p;
        p.index = tp.partition;
        p.records = ByteView(encoded[i]);
        req.topic_data.back().partition_data.push_back(p);
      }
      uint64_t token = next_token_++;
      for (ProducerBatch& b : batches) ++b.attempts;
      ++stats_.produce_requests;
      stats_.batch_sends += batches.size();
      SendRequest(leader, req, version, MsToNs(client_config().request_timeout_ms), token,
           /*expect_response=*/config_.acks != 0);
      stats_.max_in_flight_seen = std::max(stats_.max_in_flight_seen, InFlight(leader));
      if (config_.acks == 0) {
        for (ProducerBatch& b : batches) {
          if (guarantee_order) --muted_[b.tp];
          Complete(b, -1);
        }
      } else {
        in_flight_[token] = InFlightRequest{leader, std::move(batches)};
      }
    }
  }
}

void ProducerNode::OnResponse(uint64_t token, const ResponseBody& body) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  InFlightRequest req = std::move(it->second);
  in_flight_.erase(it);
  const auto* resp = std::get_if<ProduceResponse>(&body);
  for (ProducerBatch& b : req.batches) {
    if (Ordered()) --muted_[b.tp];
    const ProduceResponse::Partition* found = nullptr;
    if (resp) {
      for (const auto& t : resp->responses) {
        if (t.name != b.tp.topic) continue;
        for (const auto& p : t.partition_responses)
          if (p.index == b.tp.partition) found = &p;
      }
    }
    if (!found) {
      b.maybe_written = true;
      RetryOrFail(std::move(b), ErrorCode::kNetworkException, "MISSING_PARTITION_RESPONSE");
      continue;
    }
    ErrorCode err = ErrorCode(found->error_code);
    if (err == ErrorCode::kNone) {
      Complete(b, found->base_offset);
    } else {
      RetryOrFail(std::move(b), err, ErrorCodeName(err));
    }
  }
}

void ProducerNode::OnRequestFailed(uint64_t token, std::string_view reason) {
  auto it = in_flight_.find(token);
  if (it == in_flight_.end()) return;
  InFlightRequest req = std::move(it->second);
  in_flight_.erase(it);
  ErrorCode err =
      reason == "REQUEST_TIMED_OUT" ? ErrorCode::kRequestTimedOut : ErrorCode::kNetworkException;
  for (ProducerBatch& b : req.batches) {
    if (Ordered()) --muted_[b.tp];
    b.maybe_written = true;
    RetryOrFail(std::move(b), err, reason);
  }
}

void ProducerNode::RetryOrFail(ProducerBatch batch, ErrorCode error, std::string_view reason) {
  batch.last_error = std::string(reason);
  ++stats_.errors[std::string(ErrorCodeName(error))];
  if (OutcomeUnknown(error)) batch.maybe_written = true;
  if (InvalidatesMetadata(error)) RequestMetadata();
  bool retriable = IsRetriable(error) || InvalidatesMetadata(error);
  if (!retriable) {
    FailBatch(batch, batch.last_error);
    return;
  }
  const int64_t deadline = batch.created_ns + MsToNs(config_.delivery_timeout_ms);
  if (now_ns() >= deadline || batch.attempts > config_.retries) {
    ++stats_.expired;
    FailBatch(batch, (now_ns() >= deadline ? "DELIVERY_TIMEOUT after " : "RETRIES_EXHAUSTED after ") +
                         batch.last_error);
    return;
  }
  ++stats_.retries;
  // The first retry waits retry.backoff.ms, each further one twice as long, up to
  // retry.backoff.max.ms (batch.attempts counts the sends so far, this failed one included).
  batch.retry_at_ns = now_ns() + ExponentialBackoffNs(MsToNs(client_config().retry_backoff_ms),
                                                      MsToNs(client_config().retry_backoff_max_ms), batch.attempts - 1,
                                                      retry_prng_);
  WakeAt(batch.retry_at_ns);
  accumulator_.Reenqueue(std::move(batch));
}

void ProducerNode::Complete(const ProducerBatch& batch, int64_t base_offset) {
  for (size_t i = 0; i < batch.records.size(); ++i) {
    ++stats_.acked;
    Record(EventType::kOk, batch.records[i], batch.tp, base_offset < 0 ? -1 : base_offset + int64_t(i),
           "");
  }
  accumulator_.Release(batch);
}

void ProducerNode::FailBatch(const ProducerBatch& batch, std::string error) {
  EventType type = batch.maybe_written ? EventType::kInfo : EventType::kFail;
  for (const PendingRecord& r : batch.records) {
    if (type == EventType::kInfo) {
      ++stats_.indeterminate;
    } else {
      ++stats_.failed;
    }
    Record(type, r, batch.tp, -1, error);
  }
  accumulator_.Release(batch);
}

uint64_t ProducerNode::RecordInvoke(const PendingRecord& r, const std::string& topic,
                                    std::optional<std::string_view> key, std::string_view value) {
  HistoryEvent e;
  e.time_ns = now_ns();
  e.type = EventType::kInvoke;
  e.op = EventOp::kSend;
  e.process = id().value();
  e.op_id = r.op_id;
  e.topic = topic;
  e.key = key;
  e.value = value;
  return history().Append(e);
}

void ProducerNode::Record(EventType type, const PendingRecord& r, const TopicPartition& tp,
                          int64_t offset, std::string_view error) {
  HistoryEvent e;
  e.time_ns = now_ns();
  e.type = type;
  e.op = EventOp::kSend;
  e.process = id().value();
  e.op_id = r.op_id;
  e.topic = tp.topic;
  e.partition = tp.partition;
  e.offset = offset;
  e.error = error;
  history().AppendWithText(r.text, e);
}

}  // namespace samsa::client
