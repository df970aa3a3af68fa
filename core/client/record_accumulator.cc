#include "core/client/record_accumulator.h"

#include <algorithm>

#include "core/base/assert.h"

namespace samsa::client {

size_t EstimateRecordBytes(std::optional<ByteView> key, ByteView value) {
  // length, attributes, timestamp/offset deltas, key/value lengths, header count: ~12 bytes of
  // varints for small records.
  return 12 + (key ? key->size() : 0) + value.size();
}

RecordAccumulator::RecordAccumulator(int32_t batch_size, int64_t linger_ns, int64_t buffer_memory,
                                     CompressionCodec compression)
    : batch_size_(batch_size),
      linger_ns_(linger_ns),
      buffer_memory_(buffer_memory),
      compression_(compression) {
  // batch.size 0 disables batching, as in Kafka: every batch is full with its first record.
  SAMSA_ASSERT(batch_size_ >= 0 && linger_ns_ >= 0 && buffer_memory_ > 0);
}

size_t RecordAccumulator::LowerBound(const TopicPartition& tp) const {
  return size_t(std::lower_bound(keys_.begin(), keys_.end(), tp) - keys_.begin());
}

size_t RecordAccumulator::Find(const TopicPartition& tp) const {
  if (last_queue_ < keys_.size() && keys_[last_queue_] == tp) return last_queue_;
  if (last_topic_ == nullptr || last_topic_->first != tp.topic) {
    auto t = index_.find(tp.topic);
    if (t == index_.end()) return queues_.size();
    last_topic_ = &*t;
  }
  const size_t q = last_topic_->second.Find(tp.partition);
  return q == PartitionSlots::kNone ? queues_.size() : q;
}

size_t RecordAccumulator::FindOrMake(const TopicPartition& tp) {
  size_t q = Find(tp);
  if (q == queues_.size()) {
    q = LowerBound(tp);
    queues_.insert(queues_.begin() + int64_t(q), std::make_unique<Queue>(Queue{tp, {}}));
    keys_.insert(keys_.begin() + int64_t(q), tp);
    // The queues after it were renumbered (rare: once per partition); the order holds.
    for (size_t& n : nonempty_)
      if (n >= q) ++n;
    for (auto& [due, n] : by_due_)
      if (n >= q) ++n;
    for (auto& [topic, slots] : index_) slots.ShiftFrom(uint32_t(q));
    index_[tp.topic].Set(tp.partition, uint32_t(q), queues_.size());
  }
  last_queue_ = q;
  return q;
}

bool RecordAccumulator::WouldStartNewBatch(const TopicPartition& tp, size_t record_bytes) const {
  return StartsNewBatch(Find(tp), record_bytes);
}

bool RecordAccumulator::StartsNewBatch(size_t q, size_t record_bytes) const {
  if (q == queues_.size() || queues_[q]->batches.empty()) return true;
  const ProducerBatch& last = queues_[q]->batches.back();
  return last.closed || last.bytes + record_bytes > size_t(batch_size_);
}

bool RecordAccumulator::Append(const TopicPartition& tp, const PendingRecord& record,
                               std::optional<ByteView> key, ByteView value, int64_t now_ns) {
  size_t bytes = EstimateRecordBytes(key, value);
  size_t found = Find(tp);
  bool fresh = StartsNewBatch(found, bytes);
  int64_t need = int64_t(bytes + (fresh ? kBatchOverheadBytes : 0));
  if (buffered_bytes_ + need > buffer_memory_) return false;
  buffered_bytes_ += need;
  last_queue_ = found == queues_.size() ? FindOrMake(tp) : found;
  std::deque<ProducerBatch>& q = queues_[last_queue_]->batches;
  if (fresh) {
    ProducerBatch b;
    b.tp = tp;
    b.created_ns = now_ns;
    b.bytes = kBatchOverheadBytes;
    b.encoded.set_compression(compression_);
    q.push_back(std::move(b));
    Track(now_ns);
  }
  ProducerBatch& batch = q.back();
  batch.bytes += bytes;
  batch.records.push_back(record);
  batch.encoded.Add(record.timestamp_ms, key, value);
  // A new queue lists; a head that fills up, or gets a batch behind it, becomes ready.
  if (fresh || q.size() == 1) NoteQueue(last_queue_);
  ++version_;
  return true;
}

int64_t RecordAccumulator::HeadDue(const Queue& queue) const {
  const ProducerBatch& head = queue.batches.front();
  if (head.attempts > 0) return head.retry_at_ns;
  bool full = queue.batches.size() > 1 || head.closed || head.bytes >= size_t(batch_size_);
  return full ? INT64_MIN : head.created_ns + linger_ns_;
}

std::optional<int64_t> RecordAccumulator::HeadReadyAt(size_t q, int64_t now_ns) const {
  const Queue& queue = *queues_[q];
  if (queue.batches.empty()) return std::nullopt;
#ifndef NDEBUG
  SAMSA_ASSERT_MSG(queue.due == HeadDue(queue), "a queue's due time is stale");
#endif
  return std::max(now_ns, queue.due);
}

bool RecordAccumulator::HeadSendable(size_t q, int64_t now_ns) const {
  const Queue& queue = *queues_[q];
  if (queue.batches.empty()) return false;
  const ProducerBatch& head = queue.batches.front();
  return head.attempts == 0 || head.retry_at_ns <= now_ns;
}

std::optional<int64_t> RecordAccumulator::HeadReadyAt(const TopicPartition& tp,
                                                      int64_t now_ns) const {
  size_t q = Find(tp);
  return q == queues_.size() ? std::nullopt : HeadReadyAt(q, now_ns);
}

bool RecordAccumulator::HeadReady(const TopicPartition& tp, int64_t now_ns) const {
  std::optional<int64_t> at = HeadReadyAt(tp, now_ns);
  return at && *at <= now_ns;
}

std::vector<TopicPartition> RecordAccumulator::Partitions() const {
  std::vector<TopicPartition> out;
  for (size_t q : nonempty_) out.push_back(queues_[q]->tp);
  return out;
}

const ProducerBatch* RecordAccumulator::Head(size_t q) const {
  return queues_[q]->batches.empty() ? nullptr : &queues_[q]->batches.front();
}

const ProducerBatch* RecordAccumulator::Head(const TopicPartition& tp) const {
  size_t q = Find(tp);
  return q == queues_.size() ? nullptr : Head(q);
}

std::optional<int64_t> RecordAccumulator::EarliestCreatedNs() const {
  if (created_.empty()) return std::nullopt;
  return created_.begin()->first;
}

void RecordAccumulator::Track(int64_t created_ns) {
  ++created_[created_ns];
  ++queued_;
}

void RecordAccumulator::Untrack(int64_t created_ns) {
  auto it = created_.find(created_ns);
  SAMSA_ASSERT(it != created_.end() && it->second > 0);
  if (--it->second == 0) created_.erase(it);
  --queued_;
}

std::optional<ProducerBatch> RecordAccumulator::TakeHead(size_t q) {
  std::deque<ProducerBatch>& batches = queues_[q]->batches;
  if (batches.empty()) return std::nullopt;
  std::optional<ProducerBatch> b(std::move(batches.front()));
  Taken(q, *b);
  return b;
}

void RecordAccumulator::TakeHeadTo(size_t q, std::vector<ProducerBatch>& out) {
  std::deque<ProducerBatch>& batches = queues_[q]->batches;
  SAMSA_ASSERT(!batches.empty());
  out.push_back(std::move(batches.front()));
  Taken(q, out.back());
}

void RecordAccumulator::Taken(size_t q, ProducerBatch& b) {
  queues_[q]->batches.pop_front();
  NoteQueue(q);
  Untrack(b.created_ns);
  ++version_;
  b.closed = true;
}

std::optional<ProducerBatch> RecordAccumulator::TakeHead(const TopicPartition& tp) {
  size_t q = Find(tp);
  return q == queues_.size() ? std::nullopt : TakeHead(q);
}

void RecordAccumulator::Reenqueue(ProducerBatch batch) {
  batch.closed = true;
  Track(batch.created_ns);
  ++version_;
  size_t q = FindOrMake(batch.tp);
  queues_[q]->batches.push_front(std::move(batch));
  NoteQueue(q);
}

void RecordAccumulator::NoteQueue(size_t q) {
  Queue& queue = *queues_[q];
  auto it = std::lower_bound(nonempty_.begin(), nonempty_.end(), q);
  const bool listed = it != nonempty_.end() && *it == q;
  const bool empty = queue.batches.empty();
  const int64_t due = empty ? 0 : HeadDue(queue);
  if (listed && (empty || due != queue.due)) {
    by_due_.erase(std::lower_bound(by_due_.begin(), by_due_.end(), std::make_pair(queue.due, q)));
  }
  if (empty) {
    if (listed) nonempty_.erase(it);
    return;
  }
  if (!listed) nonempty_.insert(it, q);
  if (!listed || due != queue.due) {
    auto entry = std::make_pair(due, q);
    by_due_.insert(std::lower_bound(by_due_.begin(), by_due_.end(), entry), entry);
    queue.due = due;
  }
}

std::vector<ProducerBatch> RecordAccumulator::ExpireBefore(int64_t now_ns,
                                                           int64_t delivery_timeout_ns) {
  std::vector<ProducerBatch> out;
  // Nothing is due unless the earliest queued batch is.
  if (created_.empty() || created_.begin()->first + delivery_timeout_ns > now_ns) return out;
  for (std::unique_ptr<Queue>& queue_ptr : queues_) {
    Queue& queue = *queue_ptr;
    std::deque<ProducerBatch> keep;
    for (ProducerBatch& b : queue.batches) {
      if (b.created_ns + delivery_timeout_ns <= now_ns) {
        Untrack(b.created_ns);
        ++version_;
        out.push_back(std::move(b));
      } else {
        keep.push_back(std::move(b));
      }
    }
    queue.batches = std::move(keep);
  }
  for (size_t q = 0; q < queues_.size(); ++q) NoteQueue(q);
  return out;
}

void RecordAccumulator::Release(const ProducerBatch& batch) {
  int64_t bytes = int64_t(batch.bytes);
  buffered_bytes_ = std::max<int64_t>(0, buffered_bytes_ - bytes);
}

size_t RecordAccumulator::queued_batches() const { return queued_; }

}  // namespace samsa::client
