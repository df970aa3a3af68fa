#pragma once
// Fetch (key 1), versions 0-13. Flexible from v12. Shape: see message_codec.h.
//
// Request body:
//   replica_id       INT32   (-1 for consumers)
//   max_wait_ms      INT32
//   min_bytes        INT32
//   max_bytes        INT32                                  v3+
//   isolation_level  INT8                                   v4+
//   session_id       INT32                                  v7+
//   session_epoch    INT32                                  v7+
//   topics ARRAY of
//     topic STRING                                          v0-12
//     topic_id UUID                                         v13+
//     partitions ARRAY of
//       partition INT32
//       current_leader_epoch INT32                          v9+
//       fetch_offset INT64
//       last_fetched_epoch INT32                            v12+
//       log_start_offset INT64                              v5+
//       partition_max_bytes INT32
//       [tagged fields]
//     [tagged fields]
//   forgotten_topics_data ARRAY of                          v7+
//     topic STRING (v7-12) | topic_id UUID (v13+), partitions ARRAY INT32, [tags]
//   rack_id STRING                                          v11+
//   [tagged fields: tag 0 cluster_id COMPACT_NULLABLE_STRING]  v12+
//
// Response body:
//   throttle_time_ms INT32                                  v1+
//   error_code       INT16                                  v7+
//   session_id       INT32                                  v7+
//   responses ARRAY of
//     topic STRING (v0-12) | topic_id UUID (v13+)
//     partitions ARRAY of
//       partition_index INT32, error_code INT16, high_watermark INT64,
//       last_stable_offset INT64                            v4+
//       log_start_offset INT64                              v5+
//       aborted_transactions ARRAY (nullable) of { producer_id INT64, first_offset INT64,
//                                                  [tags] }                         v4+
//       preferred_read_replica INT32                        v11+
//       records RECORDS (nullable)
//       [tagged fields, v12+: tag 0 diverging_epoch { epoch INT32, end_offset INT64, [tags] },
//                             tag 1 current_leader { leader_id INT32, leader_epoch INT32, [tags] },
//                             tag 2 snapshot_id { end_offset INT64, epoch INT32, [tags] }]
//     [tagged fields]
//   [tagged fields]

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/wire.h"

namespace samsa {

struct FetchRequest {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 13;

  struct Partition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;  // v9+
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = -1;  // v12+
    int64_t log_start_offset = -1;    // v5+
    int32_t partition_max_bytes = 0;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic;  // v0-12
    Uuid topic_id;      // v13+
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };
  struct ForgottenTopic {
    std::string topic;  // v7-12
    Uuid topic_id;      // v13+
    std::vector<int32_t> partitions;
    friend bool operator==(const ForgottenTopic&, const ForgottenTopic&) = default;
  };

  std::optional<std::string> cluster_id;  // v12+, tag 0
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;  // v3+
  int8_t isolation_level = 0;      // v4+
  int32_t session_id = 0;          // v7+
  int32_t session_epoch = -1;      // v7+
  std::vector<Topic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;  // v7+
  std::string rack_id;                                // v11+
  TaggedFields unknown_tagged_fields;                 // v12+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<FetchRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const FetchRequest&, const FetchRequest&) = default;
};

struct FetchResponse {
  static constexpr ApiKey kApiKey = ApiKey::kFetch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 13;

  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    friend bool operator==(const AbortedTransaction&, const AbortedTransaction&) = default;
  };
  struct EpochEndOffset {
    int32_t epoch = -1;
    int64_t end_offset = -1;
    friend bool operator==(const EpochEndOffset&, const EpochEndOffset&) = default;
  };
  struct LeaderIdAndEpoch {
    int32_t leader_id = -1;
    int32_t leader_epoch = -1;
    friend bool operator==(const LeaderIdAndEpoch&, const LeaderIdAndEpoch&) = default;
  };
  struct SnapshotId {
    int64_t end_offset = -1;
    int32_t epoch = -1;
    friend bool operator==(const SnapshotId&, const SnapshotId&) = default;
  };
  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;  // v4+
    int64_t log_start_offset = -1;    // v5+
    // Tagged (v12+); written only when engaged.
    std::optional<EpochEndOffset> diverging_epoch;   // tag 0
    std::optional<LeaderIdAndEpoch> current_leader;  // tag 1
    std::optional<SnapshotId> snapshot_id;           // tag 2
    // v4+; null (the default) is what Kafka sends when there are none.
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;  // v11+
    std::optional<ByteView> records;      // view, not owned
    friend bool operator==(const Partition& a, const Partition& b) {
      return a.partition_index == b.partition_index && a.error_code == b.error_code &&
             a.high_watermark == b.high_watermark &&
             a.last_stable_offset == b.last_stable_offset &&
             a.log_start_offset == b.log_start_offset && a.diverging_epoch == b.diverging_epoch &&
             a.current_leader == b.current_leader && a.snapshot_id == b.snapshot_id &&
             a.aborted_transactions == b.aborted_transactions &&
             a.preferred_read_replica == b.preferred_read_replica &&
             RecordsEqual(a.records, b.records);
    }
  };
  struct Topic {
    std::string topic;  // v0-12
    Uuid topic_id;      // v13+
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  int16_t error_code = 0;        // v7+
  int32_t session_id = 0;        // v7+
  std::vector<Topic> responses;
  TaggedFields unknown_tagged_fields;  // v12+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<FetchResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const FetchResponse&, const FetchResponse&) = default;
};

}  // namespace samsa
