#pragma once
// EndQuorumEpoch (key 54), versions 0-1. Flexible from v1 (v0 uses classic forms).
// Shape: see message_codec.h.
//
// Request body:
//   cluster_id NULLABLE_STRING
//   topics ARRAY of
//     topic_name STRING
//     partitions ARRAY of
//       partition_index INT32, leader_id INT32, leader_epoch INT32,
//       preferred_successors ARRAY INT32                    v0 only
//       preferred_candidates ARRAY of { candidate_id INT32, candidate_directory_id UUID,
//                                       tagged fields }     v1+
//       [tagged fields]
//     [tagged fields]
//   leader_endpoints ARRAY of ListenerEndpoint              v1+ (see quorum_common.h)
//   [tagged fields]
//
// Response body: the same layout as BeginQuorumEpoch's (see begin_quorum_epoch.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/begin_quorum_epoch.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/messages/quorum_common.h"
#include "core/protocol/wire.h"

namespace samsa {

struct EndQuorumEpochRequest {
  static constexpr ApiKey kApiKey = ApiKey::kEndQuorumEpoch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  struct Candidate {
    int32_t candidate_id = 0;
    Uuid candidate_directory_id;
    friend bool operator==(const Candidate&, const Candidate&) = default;
  };
  struct Partition {
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    std::vector<int32_t> preferred_successors;    // v0 only
    std::vector<Candidate> preferred_candidates;  // v1+
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic_name;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::optional<std::string> cluster_id;
  std::vector<Topic> topics;
  std::vector<QuorumListenerEndpoint> leader_endpoints;  // v1+
  TaggedFields unknown_tagged_fields;                    // v1+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<EndQuorumEpochRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const EndQuorumEpochRequest&, const EndQuorumEpochRequest&) = default;
};

struct EndQuorumEpochResponse : QuorumEpochResponseData {
  static constexpr ApiKey kApiKey = ApiKey::kEndQuorumEpoch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<EndQuorumEpochResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const EndQuorumEpochResponse&, const EndQuorumEpochResponse&) = default;
};

}  // namespace samsa
