#pragma once
// DescribeQuorum (key 55), versions 0-2. Flexible at every version. Shape: see message_codec.h.
//
// Request body:
//   topics COMPACT_ARRAY of
//     topic_name COMPACT_STRING
//     partitions COMPACT_ARRAY of { partition_index INT32, tagged fields }
//     tagged fields
//   tagged fields
//
// Response body:
//   error_code INT16
//   error_message COMPACT_NULLABLE_STRING                   v2+
//   topics COMPACT_ARRAY of
//     topic_name COMPACT_STRING
//     partitions COMPACT_ARRAY of
//       partition_index INT32, error_code INT16,
//       error_message COMPACT_NULLABLE_STRING               v2+
//       leader_id INT32, leader_epoch INT32, high_watermark INT64,
//       current_voters COMPACT_ARRAY of ReplicaState, observers COMPACT_ARRAY of ReplicaState,
//       tagged fields
//     tagged fields
//   nodes COMPACT_ARRAY of                                  v2+
//     node_id INT32, listeners COMPACT_ARRAY of ListenerEndpoint (quorum_common.h), tagged fields
//   tagged fields
//
// ReplicaState:
//   replica_id INT32
//   replica_directory_id UUID                               v2+
//   log_end_offset INT64
//   last_fetch_timestamp INT64                              v1+
//   last_caught_up_timestamp INT64                          v1+
//   tagged fields

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/messages/quorum_common.h"
#include "core/protocol/wire.h"

namespace samsa {

struct DescribeQuorumRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeQuorum;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  struct Topic {
    std::string topic_name;
    std::vector<int32_t> partitions;  // partition indexes
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<DescribeQuorumRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const DescribeQuorumRequest&, const DescribeQuorumRequest&) = default;
};

struct DescribeQuorumResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDescribeQuorum;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 2;

  struct ReplicaState {
    int32_t replica_id = 0;
    Uuid replica_directory_id;  // v2+
    int64_t log_end_offset = 0;
    int64_t last_fetch_timestamp = -1;      // v1+
    int64_t last_caught_up_timestamp = -1;  // v1+
    friend bool operator==(const ReplicaState&, const ReplicaState&) = default;
  };
  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    std::optional<std::string> error_message;  // v2+
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    int64_t high_watermark = 0;
    std::vector<ReplicaState> current_voters;
    std::vector<ReplicaState> observers;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic_name;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };
  struct Node {
    int32_t node_id = 0;
    std::vector<QuorumListenerEndpoint> listeners;
    friend bool operator==(const Node&, const Node&) = default;
  };

  int16_t error_code = 0;
  std::optional<std::string> error_message;  // v2+
  std::vector<Topic> topics;
  std::vector<Node> nodes;  // v2+
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<DescribeQuorumResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const DescribeQuorumResponse&, const DescribeQuorumResponse&) = default;
};

}  // namespace samsa
