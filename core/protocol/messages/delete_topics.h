#pragma once
// DeleteTopics (key 20), versions 0-6. Flexible from v4. Shape: see message_codec.h.
//
// Request body:
//   topics ARRAY of { name NULLABLE_STRING, topic_id UUID, [tags] }     v6+
//   topic_names ARRAY of STRING                                         v0-5
//   timeout_ms INT32
//   [tagged fields]
//
// Response body:
//   throttle_time_ms INT32                                              v1+
//   responses ARRAY of
//     name STRING (nullable v6+)
//     topic_id UUID                                                     v6+
//     error_code INT16
//     error_message NULLABLE_STRING                                     v5+
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

struct DeleteTopicsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 6;

  struct Topic {
    std::optional<std::string> name;  // null when deleting by id
    Uuid topic_id;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::vector<Topic> topics;             // v6+
  std::vector<std::string> topic_names;  // v0-5
  int32_t timeout_ms = 0;
  TaggedFields unknown_tagged_fields;  // v4+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<DeleteTopicsRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const DeleteTopicsRequest&, const DeleteTopicsRequest&) = default;
};

struct DeleteTopicsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kDeleteTopics;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 6;

  struct TopicResult {
    std::optional<std::string> name = std::string();  // null allowed v6+
    Uuid topic_id;                                    // v6+
    int16_t error_code = 0;
    std::optional<std::string> error_message;  // v5+
    friend bool operator==(const TopicResult&, const TopicResult&) = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  std::vector<TopicResult> responses;
  TaggedFields unknown_tagged_fields;  // v4+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<DeleteTopicsResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const DeleteTopicsResponse&, const DeleteTopicsResponse&) = default;
};

}  // namespace samsa
