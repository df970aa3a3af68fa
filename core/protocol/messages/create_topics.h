#pragma once
// CreateTopics (key 19), versions 0-7. Flexible from v5. Shape: see message_codec.h.
//
// Request body:
//   topics ARRAY of
//     name STRING, num_partitions INT32, replication_factor INT16,
//     assignments ARRAY of { partition_index INT32, broker_ids ARRAY INT32, [tags] },
//     configs ARRAY of { name STRING, value NULLABLE_STRING, [tags] },
//     [tagged fields]
//   timeout_ms     INT32
//   validate_only  BOOLEAN                                 v1+
//   [tagged fields]
//
// Response body:
//   throttle_time_ms INT32                                 v2+
//   topics ARRAY of
//     name STRING
//     topic_id UUID                                        v7+
//     error_code INT16
//     error_message NULLABLE_STRING                        v1+
//     num_partitions INT32                                 v5+
//     replication_factor INT16                             v5+
//     configs ARRAY (nullable) of { name STRING, value NULLABLE_STRING, read_only BOOLEAN,
//              config_source INT8, is_sensitive BOOLEAN, [tags] }      v5+
//     [tagged fields: tag 0 topic_config_error_code INT16]  v5+
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

struct CreateTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 7;

  struct Assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    friend bool operator==(const Assignment&, const Assignment&) = default;
  };
  struct Config {
    std::string name;
    std::optional<std::string> value;
    friend bool operator==(const Config&, const Config&) = default;
  };
  struct Topic {
    std::string name;
    int32_t num_partitions = 0;      // -1 = broker default
    int16_t replication_factor = 0;  // -1 = broker default
    std::vector<Assignment> assignments;
    std::vector<Config> configs;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::vector<Topic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;  // v1+
  TaggedFields unknown_tagged_fields;  // v5+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<CreateTopicsRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const CreateTopicsRequest&, const CreateTopicsRequest&) = default;
};

struct CreateTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kCreateTopics;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 7;

  struct Config {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    int8_t config_source = -1;
    bool is_sensitive = false;
    friend bool operator==(const Config&, const Config&) = default;
  };
  struct Topic {
    std::string name;
    Uuid topic_id;  // v7+
    int16_t error_code = 0;
    std::optional<std::string> error_message;  // v1+
    int16_t topic_config_error_code = 0;       // v5+, tag 0
    int32_t num_partitions = -1;               // v5+
    int16_t replication_factor = -1;           // v5+
    std::optional<std::vector<Config>> configs = std::vector<Config>{};  // v5+ (nullable)
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<Topic> topics;
  TaggedFields unknown_tagged_fields;  // v5+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<CreateTopicsResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const CreateTopicsResponse&, const CreateTopicsResponse&) = default;
};

}  // namespace samsa
