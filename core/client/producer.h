#pragma once
// ProducerNode: a simulated, non-idempotent Kafka producer (enable.idempotence=false) with a
// built-in workload driver. Every send is recorded in the shared History (invoke, then ok / fail
// / info), so the checker can see what retries do: a retried batch whose first attempt was in
// fact written is duplicated, and with max.in.flight > 1 a retried batch can land after a later
// one (reordering).
//
// Construction (sim/simulation.h hosts it as a client node):
//
//   ProducerConfig cfg;  cfg.client.bootstrap = {NodeId(1), NodeId(2)};  cfg.acks = -1;
//   ProducerWorkload w;  w.topic = "orders";  w.rate_per_s = 500;  w.keys = 20;
//   auto history = std::make_shared<History>();
//   sim.AddNode(NodeId(100), [=](NodeId id, Disk&, uint64_t seed) {
//     return std::make_unique<ProducerNode>(id, cfg, w, history, seed);
//   }, /*is_client=*/true);
//
// Lifecycle of one record (states of a send):
//   Invoked --metadata for its topic known--> Partitioned (keyed: murmur2; null key: sticky)
//   --Append--> Queued in the RecordAccumulator --drained into a Produce request--> InFlight
//   --response: none-error--> Acked (history ok, offset = base_offset + index)
//   --retriable error / timeout / lost connection, delivery.timeout.ms not passed--> Queued
//     (retry after retry.backoff.ms, doubling with each retry up to retry.backoff.max.ms;
//     metadata refreshed for leadership errors)
//   --non-retriable error or delivery.timeout.ms passed--> Failed (history fail, or info when
//     some attempt's outcome is unknown)
//   Sends that find buffer.memory (or max_unpartitioned while waiting for metadata) exhausted
//   fail at once (history fail, BUFFER_EXHAUSTED). With acks=0 a send is acked (offset -1) as
//   soon as its request is written.
// Sender: a leader is ready when a head batch it leads is (full, followed by another, its
// linger.ms passed, or its retry backoff). Per ready leader, while the connection is Ready and
// fewer than max.in.flight.requests.per.connection requests are in flight, one Produce request
// (v3..8, RecordBatch v2) takes the head batch of every partition the broker leads, lingering or
// not, unless it waits out a retry backoff (as Kafka's RecordAccumulator.drain does: over many
// partitions, batches leave younger and smaller than linger.ms), up to max.request.size; the
// next request to that leader starts at the partition that did not fit (Kafka's drain index), so
// each gets its turn. With max.in.flight = 1 a partition with a batch in flight is not drained
// (Kafka's "guarantee message order" muting). In-flight batches are judged when their request
// completes (request.timeout.ms bounds that); queued ones expire at delivery.timeout.ms.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/client/client_base.h"
#include "core/client/history.h"
#include "core/view/cluster_view.h"
#include "core/client/murmur2.h"
#include "core/client/record_accumulator.h"

namespace samsa::client {

struct ProducerConfig {
  ClientConfig client;
  int16_t acks = -1;                  // acks: 0, 1 or -1 (all)
  int64_t linger_ms = 5;              // linger.ms (Kafka 4.0's default)
  int32_t batch_size = 16384;         // batch.size; 0: a batch per record (no batching)
  int32_t delivery_timeout_ms = 120000;  // delivery.timeout.ms
  int32_t retries = 2147483647;       // retries
  int32_t max_request_size = 1048576;  // max.request.size
  int64_t buffer_memory = 33554432;   // buffer.memory
  CompressionCodec compression = CompressionCodec::kNone;  // compression.type
  // Sends waiting for their topic's metadata (Java blocks send() up to max.block.ms instead).
  size_t max_unpartitioned = 10000;
};

// A generated load: one send every 10^9 / rate_per_s ns from start_ns (integer division), with
// keys "k0".."k<keys-1>" drawn uniformly (keys = 0: null keys) and values "p<node>-<seq>",
// padded with '.' to value_bytes when that is longer.
struct ProducerWorkload {
  std::string topic;
  int64_t rate_per_s = 0;   // 0: no generated sends (use ProducerNode::Send)
  int32_t keys = 0;
  int64_t start_ns = 0;
  int64_t stop_ns = INT64_MAX;  // no sends at or after this time
  uint64_t max_sends = UINT64_MAX;
  size_t value_bytes = 0;  // 0: no padding
};

struct ProducerStats {
  uint64_t invoked = 0;
  uint64_t acked = 0;
  uint64_t failed = 0;
  uint64_t indeterminate = 0;
  uint64_t produce_requests = 0;
  uint64_t batch_sends = 0;        // batches sent in Produce requests (a retry counts again)
  uint64_t retries = 0;            // batches re-enqueued
  uint64_t expired = 0;            // batches failed by delivery.timeout.ms
  int32_t max_in_flight_seen = 0;  // most Produce requests in flight to one broker at once
  std::map<std::string, uint64_t> errors;  // failed batch attempts by Kafka error name or reason
};

class ProducerNode final : public ClientBase {
 public:
  ProducerNode(NodeId id, ProducerConfig config, ProducerWorkload workload,
               std::shared_ptr<History> history, uint64_t seed);

  // Hands a record to the producer now (as the application would); returns its op id. The
  // caller must drain the node afterwards (Simulation::Drain) so it acts.
  uint64_t Send(const std::string& topic, std::optional<std::string_view> key,
                std::string_view value);

  const ProducerStats& stats() const { return stats_; }
  // Changes the generated rate from now_ns (the node's local time) on; 0 stops generating. The
  // caller drains the node.
  void SetRate(int64_t rate_per_s, int64_t now_ns);
  // This client as a ClusterView shows it (core/view).
  view::ClientView Describe() const;
  const RecordAccumulator& accumulator() const { return accumulator_; }
  uint64_t generated() const { return seq_; }

 private:
  struct Unpartitioned {
    std::string topic;
    PendingRecord record;
  };
  struct InFlightRequest {
    NodeId broker;
    std::vector<ProducerBatch> batches;
  };

  void OnResponse(uint64_t token, const ResponseBody& body) override;
  void OnRequestFailed(uint64_t token, std::string_view reason) override;
  void OnMetadata() override;
  void Poll() override;

  // Send() without the wake-up: for sends made during a step, which drains anyway.
  uint64_t Invoke(const std::string& topic, std::optional<std::string_view> key, std::string_view value);
  void RunWorkload();
  bool Partition(const std::string& topic, PendingRecord record);
  void Drain();
  // max.in.flight.requests.per.connection=1: a partition with a batch in flight is muted.
  bool Ordered() const { return client_config().max_in_flight_requests_per_connection == 1; }
  // LeaderOf(the queue's partition), remembered until the queues or the metadata change.
  NodeId QueueLeader(size_t q);
  void RefreshQueueLeaders();
  void ForgetQueueLeaders();
  // True when the sender need look only at the queues whose heads are due (queues_by_due()):
  // every queue's partition has a leader (none makes it ask for metadata) and none is muted
  // (batches of a partition may be in flight together).
  bool DueQueuesSuffice();
  void SummarizeQueue(size_t q);
  static constexpr int64_t kNever = INT64_MAX;
  void ExpireBatches();
  // A batch attempt ended with `error` (Kafka name); retry or fail it.
  void RetryOrFail(ProducerBatch batch, ErrorCode error, std::string_view reason);
  void Complete(const ProducerBatch& batch, int64_t base_offset);
  void FailBatch(const ProducerBatch& batch, std::string error);
  // The record's invoke event; returns its index.
  uint64_t RecordInvoke(const PendingRecord& r, const std::string& topic,
                        std::optional<std::string_view> key, std::string_view value);
  // An outcome of the record's send.
  void Record(EventType type, const PendingRecord& r, const TopicPartition& tp, int64_t offset,
              std::string_view error);

  std::string padded_value_;  // a generated value padded to value_bytes (reused)
  ProducerConfig config_;
  ProducerWorkload workload_;
  Prng workload_prng_;
  Prng partition_prng_;
  Prng retry_prng_;  // retry backoff jitter
  StickyPartitioner sticky_;
  RecordAccumulator accumulator_;
  // Sends waiting for metadata, in invoke order (so timestamps never decrease): expiry pops
  // from the front.
  std::deque<Unpartitioned> unpartitioned_;
  std::map<uint64_t, InFlightRequest> in_flight_;  // by token
  std::map<TopicPartition, int32_t> muted_;        // batches in flight per partition
  struct DrainState {
    std::vector<std::pair<NodeId, size_t>> ready;  // Drain()'s (leader, queue) scratch
    std::vector<NodeId> leaders;                   // Drain()'s ready leaders (sorted, then unique)
    // Per leader, the partition at which max.request.size cut its last request short: where
    // the next one starts (Kafka's drain index).
    std::map<NodeId, TopicPartition> resume;
    // What Drain() left (SummarizeQueue()), valid while neither the accumulator nor the client
    // state changes: a partition without a known leader, and the earliest time a head becomes
    // ready or a blocked leader can be connected to.
    bool valid = false;
    bool leaderless = false;
    int64_t next_ns = 0;
    uint64_t accumulator_version = 0;
    uint64_t client_version = 0;
  };
  DrainState drain_;
  // LeaderOf each accumulator queue, by queue number, as of metadata_version() (QueueLeader).
  std::vector<std::optional<NodeId>> queue_leaders_;
  uint64_t queue_leaders_version_ = 0;
  // Whether every queue had a leader, as of queue_leaders_'s version and size (DueQueuesSuffice).
  std::optional<bool> all_led_;
  uint64_t next_token_ = 1;
  uint64_t seq_ = 0;
  int64_t next_send_ns_ = -1;
  ProducerStats stats_;
};

}  // namespace samsa::client
