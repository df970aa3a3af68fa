#pragma once
// Metadata (key 3), versions 0-12. Flexible from v9. Shape: see message_codec.h.
//
// Request body:
//   topics                     ARRAY (nullable v1+: null = all topics; v0: empty = all) of
//     topic_id                 UUID                       v10+
//     name                     STRING (nullable v10+)
//     [tagged fields]
//   allow_auto_topic_creation  BOOLEAN                    v4+
//   include_cluster_authorized_operations BOOLEAN         v8-10
//   include_topic_authorized_operations   BOOLEAN         v8+
//   [tagged fields]
//
// Response body:
//   throttle_time_ms           INT32                      v3+
//   brokers                    ARRAY of { node_id INT32, host STRING, port INT32,
//                                         rack NULLABLE_STRING v1+, [tagged fields] }
//   cluster_id                 NULLABLE_STRING            v2+
//   controller_id              INT32                      v1+
//   topics                     ARRAY of
//     error_code               INT16
//     name                     STRING (nullable v12+)
//     topic_id                 UUID                       v10+
//     is_internal              BOOLEAN                    v1+
//     partitions               ARRAY of
//       error_code INT16, partition_index INT32, leader_id INT32,
//       leader_epoch INT32 v7+, replica_nodes ARRAY INT32, isr_nodes ARRAY INT32,
//       offline_replicas ARRAY INT32 v5+, [tagged fields]
//     topic_authorized_operations INT32                   v8+
//     [tagged fields]
//   cluster_authorized_operations INT32                   v8-10
//   [tagged fields]
// Flexible versions use the compact forms of strings and arrays.

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

inline constexpr int32_t kAuthorizedOperationsUnset = INT32_MIN;

struct MetadataRequest {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 12;

  struct Topic {
    Uuid topic_id;                    // v10+
    std::optional<std::string> name;  // null allowed v10+ (written as "" before)
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  // nullopt = all topics (v1+). At v0, null is written as an empty array, which v0 means as
  // "all topics"; a v0 request decodes to an empty (non-null) vector.
  std::optional<std::vector<Topic>> topics = std::vector<Topic>{};
  bool allow_auto_topic_creation = true;              // v4+
  bool include_cluster_authorized_operations = false;  // v8-10
  bool include_topic_authorized_operations = false;    // v8+
  TaggedFields unknown_tagged_fields;                  // v9+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<MetadataRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const MetadataRequest&, const MetadataRequest&) = default;
};

struct MetadataResponse {
  static constexpr ApiKey kApiKey = ApiKey::kMetadata;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 12;

  struct Broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;  // v1+
    friend bool operator==(const Broker&, const Broker&) = default;
  };
  struct Partition {
    int16_t error_code = 0;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = -1;  // v7+
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;  // v5+
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    int16_t error_code = 0;
    std::optional<std::string> name = std::string();  // null allowed v12+
    Uuid topic_id;                                    // v10+
    bool is_internal = false;                         // v1+
    std::vector<Partition> partitions;
    int32_t topic_authorized_operations = kAuthorizedOperationsUnset;  // v8+
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<Broker> brokers;
  std::optional<std::string> cluster_id;  // v2+
  int32_t controller_id = -1;             // v1+
  std::vector<Topic> topics;
  int32_t cluster_authorized_operations = kAuthorizedOperationsUnset;  // v8-10
  TaggedFields unknown_tagged_fields;                                 // v9+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<MetadataResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const MetadataResponse&, const MetadataResponse&) = default;
};

}  // namespace samsa
