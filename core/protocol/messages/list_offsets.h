#pragma once
// ListOffsets (key 2), versions 0-7. Flexible from v6. Shape: see message_codec.h.
//
// Request body:
//   replica_id       INT32   (-1 for consumers)
//   isolation_level  INT8                                   v2+
//   topics ARRAY of
//     name STRING
//     partitions ARRAY of
//       partition_index INT32
//       current_leader_epoch INT32                          v4+
//       timestamp INT64   (-1 latest, -2 earliest, -3 max timestamp (v7+), or a time in ms)
//       max_num_offsets INT32                               v0 only
//       [tagged fields]
//     [tagged fields]
//   [tagged fields]
//
// Response body:
//   throttle_time_ms INT32                                  v2+
//   topics ARRAY of
//     name STRING
//     partitions ARRAY of
//       partition_index INT32, error_code INT16,
//       old_style_offsets ARRAY INT64                       v0 only
//       timestamp INT64                                     v1+
//       offset INT64                                        v1+
//       leader_epoch INT32                                  v4+
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

inline constexpr int64_t kListOffsetsLatestTimestamp = -1;
inline constexpr int64_t kListOffsetsEarliestTimestamp = -2;
inline constexpr int64_t kListOffsetsMaxTimestamp = -3;

struct ListOffsetsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 7;

  struct Partition {
    int32_t partition_index = 0;
    int32_t current_leader_epoch = -1;  // v4+
    int64_t timestamp = 0;
    int32_t max_num_offsets = 1;  // v0 only
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t replica_id = -1;
  int8_t isolation_level = 0;  // v2+
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;  // v6+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<ListOffsetsRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const ListOffsetsRequest&, const ListOffsetsRequest&) = default;
};

struct ListOffsetsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kListOffsets;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 7;

  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    std::vector<int64_t> old_style_offsets;  // v0 only
    int64_t timestamp = -1;                  // v1+
    int64_t offset = -1;                     // v1+
    int32_t leader_epoch = -1;               // v4+
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;  // v6+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<ListOffsetsResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const ListOffsetsResponse&, const ListOffsetsResponse&) = default;
};

}  // namespace samsa
