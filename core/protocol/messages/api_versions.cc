#include "core/protocol/messages/api_versions.h"

#include "core/protocol/error_codes.h"

namespace samsa {

void ApiVersionsRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<ApiVersionsRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) {
    m.String(client_software_name);
    m.String(client_software_version);
  }
  m.Tags(unknown_tagged_fields);
}

void ApiVersionsRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) {
    client_software_name = m.String("client_software_name");
    client_software_version = m.String("client_software_version");
  }
  m.Tags(&unknown_tagged_fields);
}

Result<ApiVersionsRequest> ApiVersionsRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<ApiVersionsRequest>(body, version);
}

void ApiVersionsResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<ApiVersionsResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int16(error_code);
  m.Array(api_keys, [&](const ApiVersion& k) {
    m.Int16(k.api_key);
    m.Int16(k.min_version);
    m.Int16(k.max_version);
    m.EmptyTags();
  });
  if (version >= 1) m.Int32(throttle_time_ms);
  if (!m.flexible()) return;
  TagWriter tags;
  if (!supported_features.empty()) {
    tags.Add(0, [&](MessageWriter& t) {
      t.Array(supported_features, [&](const SupportedFeature& f) {
        t.String(f.name);
        t.Int16(f.min_version);
        t.Int16(f.max_version);
        t.EmptyTags();
      });
    });
  }
  if (finalized_features_epoch != -1) {
    tags.Add(1, [&](MessageWriter& t) { t.Int64(finalized_features_epoch); });
  }
  if (!finalized_features.empty()) {
    tags.Add(2, [&](MessageWriter& t) {
      t.Array(finalized_features, [&](const FinalizedFeature& f) {
        t.String(f.name);
        t.Int16(f.max_version_level);
        t.Int16(f.min_version_level);
        t.EmptyTags();
      });
    });
  }
  if (zk_migration_ready) tags.Add(3, [&](MessageWriter& t) { t.Bool(true); });
  tags.Finish(m, &unknown_tagged_fields);
}

void ApiVersionsResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  error_code = m.Int16("error_code");
  api_keys = m.Array<ApiVersion>("api_keys", 6, [&](ApiVersion* k) {
    k->api_key = m.Int16("api_key");
    k->min_version = m.Int16("min_version");
    k->max_version = m.Int16("max_version");
    m.Tags(nullptr);
  });
  if (version >= 1) throttle_time_ms = m.Int32("throttle_time_ms");
  m.Tags(
      [&](uint32_t tag, MessageReader& t) {
        switch (tag) {
          case 0:
            supported_features = t.Array<SupportedFeature>(
                "supported_features", 6, [&](SupportedFeature* f) {
                  f->name = t.String("name");
                  f->min_version = t.Int16("min_version");
                  f->max_version = t.Int16("max_version");
                  t.Tags(nullptr);
                });
            return true;
          case 1:
            finalized_features_epoch = t.Int64("finalized_features_epoch");
            return true;
          case 2:
            finalized_features = t.Array<FinalizedFeature>(
                "finalized_features", 6, [&](FinalizedFeature* f) {
                  f->name = t.String("name");
                  f->max_version_level = t.Int16("max_version_level");
                  f->min_version_level = t.Int16("min_version_level");
                  t.Tags(nullptr);
                });
            return true;
          case 3:
            zk_migration_ready = t.Bool("zk_migration_ready");
            return true;
          default:
            return false;
        }
      },
      &unknown_tagged_fields);
}

Result<ApiVersionsResponse> ApiVersionsResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<ApiVersionsResponse>(body, version);
}

ApiVersionsResponse MakeApiVersionsUnsupportedVersionResponse(VersionRange api_versions_range) {
  ApiVersionsResponse resp;
  resp.error_code = int16_t(ErrorCode::kUnsupportedVersion);
  resp.api_keys.push_back({int16_t(ApiKey::kApiVersions), api_versions_range.min,
                           api_versions_range.max});
  return resp;
}

}  // namespace samsa
