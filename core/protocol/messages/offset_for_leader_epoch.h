#pragma once
// OffsetForLeaderEpoch (key 23), versions 0-4. Flexible from v4. Shape: see message_codec.h.
//
// Request body:
//   replica_id INT32                                        v3+ (-1 consumer, -2 debug)
//   topics ARRAY of
//     topic STRING
//     partitions ARRAY of
//       partition INT32
//       current_leader_epoch INT32                          v2+
//       leader_epoch INT32
//       [tagged fields]
//     [tagged fields]
//   [tagged fields]
//
// Response body:
//   throttle_time_ms INT32                                  v2+
//   topics ARRAY of
//     topic STRING
//     partitions ARRAY of
//       error_code INT16, partition INT32,
//       leader_epoch INT32                                  v1+
//       end_offset INT64
//       [tagged fields]
//     [tagged fields]
//   [tagged fields]

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/wire.h"

namespace samsa {

struct OffsetForLeaderEpochRequest {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetForLeaderEpoch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  struct Partition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;  // v2+
    int32_t leader_epoch = 0;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t replica_id = -2;  // v3+
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;  // v4+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<OffsetForLeaderEpochRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const OffsetForLeaderEpochRequest&,
                         const OffsetForLeaderEpochRequest&) = default;
};

struct OffsetForLeaderEpochResponse {
  static constexpr ApiKey kApiKey = ApiKey::kOffsetForLeaderEpoch;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  struct Partition {
    int16_t error_code = 0;
    int32_t partition = 0;
    int32_t leader_epoch = -1;  // v1+
    int64_t end_offset = -1;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;  // v4+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<OffsetForLeaderEpochResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const OffsetForLeaderEpochResponse&,
                         const OffsetForLeaderEpochResponse&) = default;
};

}  // namespace samsa
