#pragma once
// Produce (key 0), versions 0-9. Flexible from v9. Shape: see message_codec.h.
//
// Request body:
//   transactional_id NULLABLE_STRING                        v3+
//   acks             INT16   (0, 1, or -1 = all)
//   timeout_ms       INT32
//   topic_data ARRAY of
//     name STRING
//     partition_data ARRAY of { index INT32, records RECORDS (nullable), [tags] }
//     [tagged fields]
//   [tagged fields]
//
// Response body:
//   responses ARRAY of
//     name STRING
//     partition_responses ARRAY of
//       index INT32, error_code INT16, base_offset INT64,
//       log_append_time_ms INT64                            v2+
//       log_start_offset INT64                              v5+
//       record_errors ARRAY of { batch_index INT32,
//                                batch_index_error_message NULLABLE_STRING, [tags] }  v8+
//       error_message NULLABLE_STRING                       v8+
//       [tagged fields]
//     [tagged fields]
//   throttle_time_ms INT32                                  v1+
//   [tagged fields]
//
// Example: a v3 request (header v1) with acks -1, timeout 1000, topic "t", partition 0 and a
// 3-byte records blob aa bb cc, correlation id 1 and client id "c":
//   00 00 00 03 00 00 00 01 00 01 63 | ff ff | ff ff | 00 00 03 e8 | 00 00 00 01 00 01 74 |
//   00 00 00 01 00 00 00 00 00 00 00 03 aa bb cc
// RECORDS are views: a decoded request points into the frame it was decoded from.

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

struct ProduceRequest {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  struct Partition {
    int32_t index = 0;
    std::optional<ByteView> records;  // view, not owned
    friend bool operator==(const Partition& a, const Partition& b) {
      return a.index == b.index && RecordsEqual(a.records, b.records);
    }
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partition_data;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::optional<std::string> transactional_id;  // v3+
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<Topic> topic_data;
  TaggedFields unknown_tagged_fields;  // v9+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<ProduceRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const ProduceRequest&, const ProduceRequest&) = default;
};

struct ProduceResponse {
  static constexpr ApiKey kApiKey = ApiKey::kProduce;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 9;

  struct RecordError {
    int32_t batch_index = 0;
    std::optional<std::string> batch_index_error_message;
    friend bool operator==(const RecordError&, const RecordError&) = default;
  };
  struct Partition {
    int32_t index = 0;
    int16_t error_code = 0;
    int64_t base_offset = 0;
    int64_t log_append_time_ms = -1;  // v2+
    int64_t log_start_offset = -1;    // v5+
    std::vector<RecordError> record_errors;   // v8+
    std::optional<std::string> error_message;  // v8+
    friend bool operator==(const Partition&, const Partition&) = default;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partition_responses;
    friend bool operator==(const Topic&, const Topic&) = default;
  };

  std::vector<Topic> responses;
  int32_t throttle_time_ms = 0;        // v1+
  TaggedFields unknown_tagged_fields;  // v9+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<ProduceResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const ProduceResponse&, const ProduceResponse&) = default;
};

}  // namespace samsa
