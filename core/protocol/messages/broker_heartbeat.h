#pragma once
// BrokerHeartbeat (key 63), versions 0-1. Flexible at every version. Shape: see message_codec.h.
//
// Request body:
//   broker_id INT32, broker_epoch INT64, current_metadata_offset INT64,
//   want_fence BOOLEAN, want_shut_down BOOLEAN,
//   tagged fields (v1+: tag 0 offline_log_dirs COMPACT_ARRAY of UUID)
//
// Response body:
//   throttle_time_ms INT32, error_code INT16, is_caught_up BOOLEAN, is_fenced BOOLEAN,
//   should_shut_down BOOLEAN, tagged fields

#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/wire.h"

namespace samsa {

struct BrokerHeartbeatRequest {
  static constexpr ApiKey kApiKey = ApiKey::kBrokerHeartbeat;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  int32_t broker_id = 0;
  int64_t broker_epoch = -1;
  int64_t current_metadata_offset = 0;
  bool want_fence = false;
  bool want_shut_down = false;
  std::vector<Uuid> offline_log_dirs;  // v1+, tag 0
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<BrokerHeartbeatRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const BrokerHeartbeatRequest&, const BrokerHeartbeatRequest&) = default;
};

struct BrokerHeartbeatResponse {
  static constexpr ApiKey kApiKey = ApiKey::kBrokerHeartbeat;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 1;

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  bool is_caught_up = false;
  bool is_fenced = true;
  bool should_shut_down = false;
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<BrokerHeartbeatResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const BrokerHeartbeatResponse&,
                         const BrokerHeartbeatResponse&) = default;
};

}  // namespace samsa
