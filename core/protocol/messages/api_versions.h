#pragma once
// ApiVersions (key 18), versions 0-3. Flexible from v3. Shape: see message_codec.h.
//
// Request body:
//   v0-v2  (empty)
//   v3     client_software_name     COMPACT_STRING
//          client_software_version  COMPACT_STRING
//          tagged fields
//
// Response body (always after a v0 response header):
//   error_code       INT16
//   api_keys         ARRAY of { api_key INT16, min_version INT16, max_version INT16
//                                [v3: tagged fields] }
//   throttle_time_ms INT32                                      v1+
//   tagged fields                                               v3: tag 0 supported_features,
//                                         tag 1 finalized_features_epoch, tag 2 finalized_features,
//                                         tag 3 zk_migration_ready
//
// UNSUPPORTED_VERSION: when a client asks for an ApiVersions version the broker does not serve,
// the broker answers with the v0 body layout (error_code 35 and an api_keys array holding only
// ApiVersions' own range), so every client version can parse it. Example for correlation id 1
// and range 0-3, header v0 then body v0:
//   00 00 00 01 | 00 23 | 00 00 00 01 | 00 12 00 00 00 03

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/wire.h"

namespace samsa {

struct ApiVersionsRequest {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 3;

  std::string client_software_name;     // v3+
  std::string client_software_version;  // v3+
  TaggedFields unknown_tagged_fields;   // v3+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<ApiVersionsRequest> Decode(ByteView body, int16_t version);
  friend bool operator==(const ApiVersionsRequest&, const ApiVersionsRequest&) = default;
};

struct ApiVersionsResponse {
  static constexpr ApiKey kApiKey = ApiKey::kApiVersions;
  static constexpr int16_t kMinVersion = 0;
  static constexpr int16_t kMaxVersion = 3;

  struct ApiVersion {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    friend bool operator==(const ApiVersion&, const ApiVersion&) = default;
  };
  struct SupportedFeature {
    std::string name;
    int16_t min_version = 0;
    int16_t max_version = 0;
    friend bool operator==(const SupportedFeature&, const SupportedFeature&) = default;
  };
  struct FinalizedFeature {
    std::string name;
    int16_t max_version_level = 0;
    int16_t min_version_level = 0;
    friend bool operator==(const FinalizedFeature&, const FinalizedFeature&) = default;
  };

  int16_t error_code = 0;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;                      // v1+
  std::vector<SupportedFeature> supported_features;  // v3+, tag 0
  int64_t finalized_features_epoch = -1;             // v3+, tag 1
  std::vector<FinalizedFeature> finalized_features;  // v3+, tag 2
  bool zk_migration_ready = false;                   // v3+, tag 3
  TaggedFields unknown_tagged_fields;                // v3+

  void Encode(WireWriter& w, int16_t version) const;
  void Read(WireReader& r, int16_t version);
  static Result<ApiVersionsResponse> Decode(ByteView body, int16_t version);
  friend bool operator==(const ApiVersionsResponse&, const ApiVersionsResponse&) = default;
};

// The body of the UNSUPPORTED_VERSION answer: error_code 35 and one api_keys entry for
// ApiVersions with `api_versions_range`. Encode it at version 0.
ApiVersionsResponse MakeApiVersionsUnsupportedVersionResponse(VersionRange api_versions_range);

}  // namespace samsa
