#include "core/protocol/header.h"

#include "core/base/assert.h"

namespace samsa {

void WriteRequestHeader(WireWriter& w, const RequestHeader& h) {
  int16_t version = RequestHeaderVersion(h.api_key, h.api_version);
  SAMSA_ASSERT_MSG(version >= 0, "request header for an unknown api key");
  WriteRequestHeader(w, h, version);
}

void WriteRequestHeader(WireWriter& w, const RequestHeader& h, int16_t header_version) {
  SAMSA_ASSERT_MSG(header_version >= 0 && header_version <= 2, "request header version");
  w.WriteInt16(int16_t(h.api_key));
  w.WriteInt16(h.api_version);
  w.WriteInt32(h.correlation_id);
  if (header_version >= 1) w.WriteNullableString(h.client_id);
  if (header_version >= 2) w.WriteTaggedFields(h.tagged_fields);
}

namespace {

// Reads what follows api_key and api_version.
Status ReadRequestHeaderRest(WireReader& r, int16_t header_version, RequestHeader* out) {
  out->correlation_id = r.ReadInt32("correlation_id");
  out->client_id.reset();
  out->tagged_fields.clear();
  if (header_version >= 1) out->client_id = r.ReadNullableString("client_id");
  if (header_version >= 2) out->tagged_fields = r.ReadTaggedFields("request header");
  return r.status();
}

}  // namespace

Status ReadRequestHeader(WireReader& r, int16_t header_version, RequestHeader* out) {
  if (header_version < 0 || header_version > 2) {
    r.Fail(StatusCode::kInvalidArgument,
           "request header version " + std::to_string(header_version) + " does not exist");
    return r.status();
  }
  out->api_key = ApiKey(r.ReadInt16("api_key"));
  out->api_version = r.ReadInt16("api_version");
  return ReadRequestHeaderRest(r, header_version, out);
}

Status ReadRequestHeader(WireReader& r, RequestHeader* out) {
  int16_t key = r.ReadInt16("api_key");
  int16_t version = r.ReadInt16("api_version");
  if (!r.ok()) return r.status();
  if (!ApiKeyFromInt(key)) {
    r.Fail(StatusCode::kUnsupported, "unknown api key " + std::to_string(key));
    return r.status();
  }
  out->api_key = ApiKey(key);
  out->api_version = version;
  return ReadRequestHeaderRest(r, RequestHeaderVersion(out->api_key, version), out);
}

Result<RequestHeader> DecodeRequestHeader(ByteView frame, size_t* body_offset) {
  WireReader r(frame);
  RequestHeader h;
  SAMSA_RETURN_IF_ERROR(ReadRequestHeader(r, &h));
  if (body_offset != nullptr) *body_offset = r.position();
  return h;
}

void WriteResponseHeader(WireWriter& w, const ResponseHeader& h, int16_t header_version) {
  SAMSA_ASSERT_MSG(header_version == 0 || header_version == 1, "response header version");
  w.WriteInt32(h.correlation_id);
  if (header_version >= 1) w.WriteTaggedFields(h.tagged_fields);
}

Status ReadResponseHeader(WireReader& r, int16_t header_version, ResponseHeader* out) {
  if (header_version != 0 && header_version != 1) {
    r.Fail(StatusCode::kInvalidArgument,
           "response header version " + std::to_string(header_version) + " does not exist");
    return r.status();
  }
  out->correlation_id = r.ReadInt32("correlation_id");
  out->tagged_fields.clear();
  if (header_version >= 1) out->tagged_fields = r.ReadTaggedFields("response header");
  return r.status();
}

}  // namespace samsa
