#pragma once
// AlterPartition (key 56), versions 0-3. Flexible at every version. Shape: see message_codec.h.
//
// Request body:
//   broker_id INT32, broker_epoch INT64
//   topics COMPACT_ARRAY of
//     topic_name COMPACT_STRING                             v0-1
//     topic_id UUID                                         v2+
//     partitions COMPACT_ARRAY of
//       partition_index INT32, leader_epoch INT32,
//       new_isr COMPACT_ARRAY of INT32                      v0-2
//       new_isr_with_epochs COMPACT_ARRAY of { broker_id INT32, broker_epoch INT64,
//                                              tagged fields }        v3+
//       leader_recovery_state INT8                          v1+
//       partition_epoch INT32
//       tagged fields
//     tagged fields
//   tagged fields
//
// Response body:
//   throttle_time_ms INT32, error_code INT16
//   topics COMPACT_ARRAY of
//     topic_name COMPACT_STRING (v0-1) | topic_id UUID (v2+)
//     partitions COMPACT_ARRAY of
//       partition_index INT32, error_code INT16, leader_id INT32, leader_epoch INT32,
//       isr COMPACT_ARRAY of INT32,
//       leader_recovery_state INT8                          v1+
//       partition_epoch INT32, tagged fields
//     tagged fields
//   tagged fields

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/wire.h"

namespace samsa {

struct AlterPartitionRequest {
  static constexpr ApiKey kApiKey = ApiKey::kAlterPartition;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 3;

  struct BrokerState {
    int32_t broker_id = 0;
    int64_t broker_epoch = -1;
    friend bool operator==(const BrokerState&, const BrokerState&) = default;
  };
  struct Partition {
    int32_t partition_index = 0;
    int32_t leader_epoch = 0;
    std::vector<int32_t> new_isr;                  // v0-2
    std::vector<BrokerState> new_isr_with_epochs;  // v3+
    int8_t leader_recovery_state = 0;              // v1+
    int32_t partition_epoch = 0;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic_name;  // v0-1
    Uuid topic_id;           // v2+
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t broker_id = 0;
  int64_t broker_epoch = -1;
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<AlterPartitionRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const AlterPartitionRequest&, const AlterPartitionRequest&) = default;
};

struct AlterPartitionResponse {
  static constexpr ApiKey kApiKey = ApiKey::kAlterPartition;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 3;

  struct Partition {
    int32_t partition_index = 0;
    int16_t error_code = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = 0;
    std::vector<int32_t> isr;
    int8_t leader_recovery_state = 0;  // v1+
    int32_t partition_epoch = 0;
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string topic_name;  // v0-1
    Uuid topic_id;           // v2+
    std::vector<Partition> partitions;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<AlterPartitionResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const AlterPartitionResponse&, const AlterPartitionResponse&) = default;
};

}  // namespace samsa
