#pragma once
// BrokerRegistration (key 62), versions 0-4. Flexible at every version. Shape: see
// message_codec.h. v4 changes no layout (it only lets SupportedFeatures carry min version 0).
//
// Request body:
//   broker_id INT32
//   cluster_id COMPACT_STRING
//   incarnation_id UUID
//   listeners COMPACT_ARRAY of { name COMPACT_STRING, host COMPACT_STRING, port UINT16,
//                                security_protocol INT16, tagged fields }
//   features COMPACT_ARRAY of { name COMPACT_STRING, min_supported_version INT16,
//                               max_supported_version INT16, tagged fields }
//   rack COMPACT_NULLABLE_STRING
//   is_migrating_zk_broker BOOLEAN                          v1+
//   log_dirs COMPACT_ARRAY of UUID                          v2+
//   previous_broker_epoch INT64                             v3+
//   tagged fields
//
// Response body:
//   throttle_time_ms INT32, error_code INT16, broker_epoch INT64, tagged fields

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

struct BrokerRegistrationRequest {
  static constexpr ApiKey kApiKey = ApiKey::kBrokerRegistration;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  struct Listener {
    std::string name;
    std::string host;
    uint16_t port = 0;
    int16_t security_protocol = 0;
    friend bool operator==(const Listener&, const Listener&) = default;
  };
  struct Feature {
    std::string name;
    int16_t min_supported_version = 0;
    int16_t max_supported_version = 0;
    friend bool operator==(const Feature&, const Feature&) = default;
  };

  int32_t broker_id = 0;
  std::string cluster_id;
  Uuid incarnation_id;
  std::vector<Listener> listeners;
  std::vector<Feature> features;
  std::optional<std::string> rack;
  bool is_migrating_zk_broker = false;  // v1+
  std::vector<Uuid> log_dirs;           // v2+
  int64_t previous_broker_epoch = -1;   // v3+
  // samsa's extension, a tagged field Kafka ignores (tag kLostDataTag: INT32 count, then per
  // partition a STRING topic and an INT32 index): partitions whose log this broker found corrupt
  // below data it had acknowledged to its leader. The controller takes it out of their ISR and
  // eligible leaders (core/controller/quorum_controller.h).
  struct LostPartition {
    std::string topic;
    int32_t partition = 0;
    friend bool operator==(const LostPartition&, const LostPartition&) = default;
  };
  static constexpr uint32_t kLostDataTag = 0x5a4d;
  std::vector<LostPartition> lost_data_partitions;
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<BrokerRegistrationRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const BrokerRegistrationRequest&,
                         const BrokerRegistrationRequest&) = default;
};

struct BrokerRegistrationResponse {
  static constexpr ApiKey kApiKey = ApiKey::kBrokerRegistration;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 4;

  int32_t throttle_time_ms = 0;
  int16_t error_code = 0;
  int64_t broker_epoch = -1;
  TaggedFields unknown_tagged_fields;

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<BrokerRegistrationResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const BrokerRegistrationResponse&,
                         const BrokerRegistrationResponse&) = default;
};

}  // namespace samsa
