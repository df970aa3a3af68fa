#pragma once
// RecordAccumulator: the producer's per-partition queues of batches (Kafka's RecordAccumulator).
//
// A batch's states:  Open (accepting appends, last in its queue) --full, or linger passed, or a
//   newer batch behind it--> Ready (drainable) --TakeHead()--> InFlight (owned by the sender)
//   --Reenqueue()--> Retrying (front of its queue, closed to appends, drainable once
//   retry_at_ns has passed) --TakeHead()--> InFlight ...; any queued batch --ExpireBefore()-->
//   removed (delivery.timeout.ms).
// Sizes are estimates of the encoded batch (61-byte header plus per-record overhead), enough to
// apply batch.size and buffer.memory; buffer.memory bounds the bytes of queued and in-flight
// records together (Append() refuses past it, see Release()).
// As in Kafka, a record is encoded into its batch when appended (while it is at hand); sending
// a batch then only frames the records already encoded, as often as it is retried.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/partition_slots.h"
#include "core/client/client_base.h"
#include "core/record/record_batch.h"

namespace samsa::client {

// A record the producer holds: its key and value are in its batch's encoding and in the
// History's invoke event, so only what ties its outcome to the send is kept.
struct PendingRecord {
  uint64_t op_id = 0;
  int64_t timestamp_ms = 0;
  History::TextRef text{};  // its key and value, as its send's invoke event holds them
};

struct ProducerBatch {
  TopicPartition tp;
  std::vector<PendingRecord> records;
  RecordBatchBuilder encoded;  // the records, encoded in order
  size_t bytes = 0;            // estimated encoded size
  int64_t created_ns = 0;      // delivery.timeout.ms runs from here
  int64_t retry_at_ns = 0;     // Retrying: not drainable before
  int32_t attempts = 0;        // times sent
  bool closed = false;         // drained at least once: no more appends
  bool maybe_written = false;  // an attempt's outcome is unknown (timeout, lost connection)
  std::string last_error;
};

// Estimated bytes a record adds to a batch.
size_t EstimateRecordBytes(std::optional<ByteView> key, ByteView value);
inline constexpr size_t kBatchOverheadBytes = 61;

class RecordAccumulator {
 public:
  // Batches are compressed with `compression` when built; sizes stay uncompressed estimates.
  RecordAccumulator(int32_t batch_size, int64_t linger_ns, int64_t buffer_memory,
                    CompressionCodec compression = CompressionCodec::kNone);

  // True when appending `record_bytes` to tp would start a new batch.
  bool WouldStartNewBatch(const TopicPartition& tp, size_t record_bytes) const;
  // Appends the record (key, value) to tp's open batch, or starts one. False (nothing
  // appended) when buffer.memory would be exceeded.
  bool Append(const TopicPartition& tp, const PendingRecord& record, std::optional<ByteView> key,
              ByteView value, int64_t now_ns);

  // Queues are numbered 0..queue_count()-1 in ascending partition order; a queue, once made,
  // stays (possibly empty) so that the sender can walk them by number without lookups. A new
  // partition's queue renumbers those after it, so numbers are valid until the next Append() or
  // Reenqueue().
  size_t queue_count() const { return queues_.size(); }
  // tp's queue number, or queue_count() when it has none.
  size_t QueueOf(const TopicPartition& tp) const { return Find(tp); }
  const TopicPartition& queue_partition(size_t q) const { return queues_[q]->tp; }
  bool queue_empty(size_t q) const { return queues_[q]->batches.empty(); }
  // The numbers of the queues with a batch, ascending: what the sender walks, without the
  // empty queues of the other partitions.
  const std::vector<size_t>& nonempty_queues() const { return nonempty_; }
  // The same queues as (when the head becomes ready, number), ascending: those ready now are a
  // prefix, and the first entry after them is the earliest a waiting head becomes ready. A head
  // that is ready whenever asked (full, or followed by another batch) sorts first, at INT64_MIN.
  const std::vector<std::pair<int64_t, size_t>>& queues_by_due() const { return by_due_; }
  // When queue q's head becomes ready (now_ns if it is); nullopt when q is empty.
  std::optional<int64_t> HeadReadyAt(size_t q, int64_t now_ns) const;
  // Whether queue q has a head that may leave now with a request its leader is sent anyway:
  // one not waiting out a retry backoff, lingering or not (Kafka's drain takes the head of every
  // partition of a ready node; linger.ms only decides when a node is ready).
  bool HeadSendable(size_t q, int64_t now_ns) const;
  const ProducerBatch* Head(size_t q) const;
  std::optional<ProducerBatch> TakeHead(size_t q);
  // As TakeHead, moving the batch to the end of `out` (queue q must not be empty).
  void TakeHeadTo(size_t q, std::vector<ProducerBatch>& out);

  // Whether tp's head batch may be drained now.
  bool HeadReady(const TopicPartition& tp, int64_t now_ns) const;
  // Partitions with a queued batch, ascending.
  std::vector<TopicPartition> Partitions() const;
  // When tp's head becomes ready (now_ns if it is); nullopt when tp has nothing queued.
  std::optional<int64_t> HeadReadyAt(const TopicPartition& tp, int64_t now_ns) const;
  // tp's head batch, or nullptr.
  const ProducerBatch* Head(const TopicPartition& tp) const;
  // The earliest created_ns of any queued batch.
  std::optional<int64_t> EarliestCreatedNs() const;
  // Removes and returns tp's head batch (closing it); nullopt when empty.
  std::optional<ProducerBatch> TakeHead(const TopicPartition& tp);
  // Puts a batch back at the front of its queue for a retry at retry_at_ns.
  void Reenqueue(ProducerBatch batch);
  // Removes every queued batch with created_ns + delivery_timeout_ns <= now_ns.
  std::vector<ProducerBatch> ExpireBefore(int64_t now_ns, int64_t delivery_timeout_ns);
  // A batch that left the producer for good (completed or failed) frees its buffer memory.
  void Release(const ProducerBatch& batch);

  // Changes with every Append(), TakeHead(), Reenqueue() and expiry that removed a batch.
  uint64_t version() const { return version_; }
  int64_t buffered_bytes() const { return buffered_bytes_; }
  size_t queued_batches() const;

 private:
  int32_t batch_size_;
  int64_t linger_ns_;
  int64_t buffer_memory_;
  CompressionCodec compression_;
  int64_t buffered_bytes_ = 0;
  struct Queue {
    TopicPartition tp;
    std::deque<ProducerBatch> batches;
    int64_t due = 0;  // while batches is not empty: its entry in by_due_ (see HeadDue)
  };
  // Ascending by tp; each queue on the heap, so that a new one moves pointers, not deques.
  std::vector<std::unique_ptr<Queue>> queues_;
  std::vector<TopicPartition> keys_;  // queues_[i]->tp, side by side: what lookups search
  // Per topic, where each partition's queue is: a lookup reads one entry instead of a binary
  // search over every queue.
  std::map<std::string, PartitionSlots, std::less<>> index_;
  mutable const std::pair<const std::string, PartitionSlots>* last_topic_ = nullptr;
  std::vector<size_t> nonempty_;  // queue numbers with a batch, ascending
  std::vector<std::pair<int64_t, size_t>> by_due_;  // the same queues by (due, number)
  size_t last_queue_ = 0;      // the last queue looked up: appends mostly repeat it
  // created_ns of every queued batch -> how many: the earliest without a scan, so that
  // ExpireBefore() only walks the queues when something is due.
  std::map<int64_t, size_t> created_;
  size_t queued_ = 0;
  uint64_t version_ = 0;

  // Where tp's queue is, or would go, in queues_ (the first not below tp).
  size_t LowerBound(const TopicPartition& tp) const;
  // Queue number of tp, or queue_count() when it has none.
  size_t Find(const TopicPartition& tp) const;
  // Queue number of tp, made if missing.
  size_t FindOrMake(const TopicPartition& tp);
  // Whether a record of record_bytes would start a new batch in queue q (queue_count(): none).
  bool StartsNewBatch(size_t q, size_t record_bytes) const;
  void Track(int64_t created_ns);
  // When the head of a non-empty queue becomes ready: HeadReadyAt() is max(now, this).
  int64_t HeadDue(const Queue& queue) const;
  // Keeps nonempty_ and by_due_ current for queue q after its batches changed.
  void NoteQueue(size_t q);
  // Queue q's head was moved out to b: pops it and keeps the books (TakeHead, TakeHeadTo).
  void Taken(size_t q, ProducerBatch& b);
  void Untrack(int64_t created_ns);
};

}  // namespace samsa::client
