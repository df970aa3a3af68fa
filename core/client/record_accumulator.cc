#include "core/client/record_accumulator.h"

#include <algorithm>

#include "core/base/assert.h"

namespace samsa::client {

size_t EstimateRecordBytes(const PendingRecord& r) {
  // length, attributes, timestamp/offset deltas, key/value lengths, header count: ~12 bytes of
  // varints for small records.
  return 12 + (r.key ? r.key->size() : 0) + r.value.size();
}

RecordAccumulator::RecordAccumulator(int32_t batch_size, int64_t linger_ns, int64_t buffer_memory)
    : batch_size_(batch_size), linger_ns_(linger_ns), buffer_memory_(buffer_memory) {
  SAMSA_ASSERT(batch_size_ > 0 && linger_ns_ >= 0 && buffer_memory_ > 0);
}

bool RecordAccumulator::WouldStartNewBatch(const TopicPartition& tp, size_t record_bytes) const {
  auto it = queues_.find(tp);
  if (it == queues_.end() || it->second.empty()) return true;
  const ProducerBatch& last = it->second.back();
  return last.closed || last.bytes + record_bytes > size_t(batch_size_);
}

bool RecordAccumulator::Append(const TopicPartition& tp, PendingRecord record, int64_t now_ns) {
  size_t bytes = EstimateRecordBytes(record);
  bool fresh = WouldStartNewBatch(tp, bytes);
  int64_t need = int64_t(bytes + (fresh ? kBatchOverheadBytes : 0));
  if (buffered_bytes_ + need > buffer_memory_) return false;
  buffered_bytes_ += need;
  std::deque<ProducerBatch>& q = queues_[tp];
  if (fresh) {
    ProducerBatch b;
    b.tp = tp;
    b.created_ns = now_ns;
    b.bytes = kBatchOverheadBytes;
    q.push_back(std::move(b));
    Track(now_ns);
  }
  q.back().bytes += bytes;
  q.back().records.push_back(std::move(record));
  return true;
}

std::optional<int64_t> RecordAccumulator::HeadReadyAt(const TopicPartition& tp,
                                                      int64_t now_ns) const {
  auto it = queues_.find(tp);
  if (it == queues_.end() || it->second.empty()) return std::nullopt;
  const ProducerBatch& head = it->second.front();
  if (head.attempts > 0) return std::max(now_ns, head.retry_at_ns);
  bool full = it->second.size() > 1 || head.closed || head.bytes >= size_t(batch_size_);
  if (full) return now_ns;
  return std::max(now_ns, head.created_ns + linger_ns_);
}

bool RecordAccumulator::HeadReady(const TopicPartition& tp, int64_t now_ns) const {
  std::optional<int64_t> at = HeadReadyAt(tp, now_ns);
  return at && *at <= now_ns;
}

std::vector<TopicPartition> RecordAccumulator::Partitions() const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, q] : queues_)
    if (!q.empty()) out.push_back(tp);
  return out;
}

const ProducerBatch* RecordAccumulator::Head(const TopicPartition& tp) const {
  auto it = queues_.find(tp);
  return it == queues_.end() || it->second.empty() ? nullptr : &it->second.front();
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

std::optional<ProducerBatch> RecordAccumulator::TakeHead(const TopicPartition& tp) {
  auto it = queues_.find(tp);
  if (it == queues_.end() || it->second.empty()) return std::nullopt;
  ProducerBatch b = std::move(it->second.front());
  it->second.pop_front();
  if (it->second.empty()) queues_.erase(it);
  Untrack(b.created_ns);
  b.closed = true;
  return b;
}

void RecordAccumulator::Reenqueue(ProducerBatch batch) {
  batch.closed = true;
  Track(batch.created_ns);
  queues_[batch.tp].push_front(std::move(batch));
}

std::vector<ProducerBatch> RecordAccumulator::ExpireBefore(int64_t now_ns,
                                                           int64_t delivery_timeout_ns) {
  std::vector<ProducerBatch> out;
  // Nothing is due unless the earliest queued batch is.
  if (created_.empty() || created_.begin()->first + delivery_timeout_ns > now_ns) return out;
  for (auto it = queues_.begin(); it != queues_.end();) {
    std::deque<ProducerBatch>& q = it->second;
    std::deque<ProducerBatch> keep;
    for (ProducerBatch& b : q) {
      if (b.created_ns + delivery_timeout_ns <= now_ns) {
        Untrack(b.created_ns);
        out.push_back(std::move(b));
      } else {
        keep.push_back(std::move(b));
      }
    }
    q = std::move(keep);
    it = q.empty() ? queues_.erase(it) : std::next(it);
  }
  return out;
}

void RecordAccumulator::Release(const ProducerBatch& batch) {
  int64_t bytes = int64_t(batch.bytes);
  buffered_bytes_ = std::max<int64_t>(0, buffered_bytes_ - bytes);
}

size_t RecordAccumulator::queued_batches() const { return queued_; }

}  // namespace samsa::client
