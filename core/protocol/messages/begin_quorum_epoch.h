#pragma once
// BeginQuorumEpoch (key 53), versions 0-1. Flexible from v1 (v0 uses classic forms).
// Shape: see message_codec.h.
//
// Request body:
//   cluster_id NULLABLE_STRING
//   voter_id INT32                                          v1+
//   topics ARRAY of
//     topic_name STRING
//     partitions ARRAY of
//       partition_index INT32
//       voter_directory_id UUID                             v1+
//       leader_id INT32, leader_epoch INT32
//       [tagged fields]
//     [tagged fields]
//   leader_endpoints ARRAY of ListenerEndpoint              v1+ (see quorum_common.h)
//   [tagged fields]
//
// Response body:
//   error_code INT16
//   topics ARRAY of
//     topic_name STRING
//     partitions ARRAY of { partition_index INT32, error_code INT16, leader_id INT32,
//                           leader_epoch INT32, [tagged fields] }
//     [tagged fields]
//   [tagged fields, v1+: tag 0 node_endpoints COMPACT_ARRAY of NodeEndpoint]

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

struct BeginQuorumEpochRequest {
  static constexpr ApiKey kApiKey = ApiKey::kBeginQuorumEpoch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  struct Partition {
    int32_t partition_index = 0;
    Uuid voter_directory_id;  // v1+
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic_name;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::optional<std::string> cluster_id;
  int32_t voter_id = -1;  // v1+
  std::vector<Topic> topics;
  std::vector<QuorumListenerEndpoint> leader_endpoints;  // v1+
  TaggedFields unknown_tagged_fields;                    // v1+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<BeginQuorumEpochRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const BeginQuorumEpochRequest&, const BeginQuorumEpochRequest&) = default;
};

// The response shared by BeginQuorumEpoch and EndQuorumEpoch (identical layouts).
struct QuorumEpochResponseData {
  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic_name;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int16_t error_code = 0;
  std::vector<Topic> topics;
  std::vector<QuorumNodeEndpoint> node_endpoints;  // v1+, tag 0
  TaggedFields unknown_tagged_fields;              // v1+

  void Write(MessageWriter& m, int16_t version) const;
  void Read(MessageReader& m, int16_t version);
  friend bool operator==(const QuorumEpochResponseData&, const QuorumEpochResponseData&) = default;
};

struct BeginQuorumEpochResponse : QuorumEpochResponseData {
  static constexpr ApiKey kApiKey = ApiKey::kBeginQuorumEpoch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<BeginQuorumEpochResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const BeginQuorumEpochResponse&,
                         const BeginQuorumEpochResponse&) = default;
};

}  // namespace samsa
