#pragma once
// Vote (key 52), versions 0-1. Flexible at every version. Shape: see message_codec.h.
//
// Request body:
//   cluster_id COMPACT_NULLABLE_STRING
//   voter_id INT32                                          v1+
//   topics COMPACT_ARRAY of
//     topic_name COMPACT_STRING
//     partitions COMPACT_ARRAY of
//       partition_index INT32, candidate_epoch INT32, candidate_id INT32,
//       candidate_directory_id UUID                         v1+
//       voter_directory_id UUID                             v1+
//       last_offset_epoch INT32, last_offset INT64, tagged fields
//     tagged fields
//   tagged fields
//
// Response body:
//   error_code INT16
//   topics COMPACT_ARRAY of
//     topic_name COMPACT_STRING
//     partitions COMPACT_ARRAY of
//       partition_index INT32, error_code INT16, leader_id INT32, leader_epoch INT32,
//       vote_granted BOOLEAN, tagged fields
//     tagged fields
//   tagged fields (v1+: tag 0 node_endpoints COMPACT_ARRAY of NodeEndpoint, see quorum_common.h)

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

struct VoteRequest {
  static constexpr ApiKey kApiKey = ApiKey::kVote;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  struct Partition {
    int32_t partition_index = 0;
    int32_t candidate_epoch = 0;
    int32_t candidate_id = 0;
    Uuid candidate_directory_id;  // v1+
    Uuid voter_directory_id;      // v1+
    int32_t last_offset_epoch = 0;
    int64_t last_offset = 0;
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
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<VoteRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const VoteRequest&, const VoteRequest&) = default;
};

struct VoteResponse {
  static constexpr ApiKey kApiKey = ApiKey::kVote;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    bool vote_granted = false;
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
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<VoteResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const VoteResponse&, const VoteResponse&) = default;
};

}  // namespace samsa
