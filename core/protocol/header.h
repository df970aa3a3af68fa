#pragma once
// Kafka request and response headers: the first bytes of every frame after the size prefix.
//
// Request header (which version an API version uses: RequestHeaderVersion() in api_keys.h):
//
//   v0  offset size field
//       0      2    api_key          INT16
//       2      2    api_version      INT16
//       4      4    correlation_id   INT32
//   v1  = v0, then
//       8      2+n  client_id        NULLABLE_STRING (INT16 length, -1 = null)
//   v2  = v1, then
//       ...    1+   tagged fields    (count, then tag/size/bytes per field)
//
// client_id stays a classic INT16-length string even in v2: a broker must read the header of
// any ApiVersions request, including versions newer than it knows, before it can answer.
//
// Response header (ResponseHeaderVersion() in api_keys.h; ApiVersions always uses v0):
//
//   v0  0      4    correlation_id   INT32
//   v1  = v0, then
//       4      1+   tagged fields
//
// Example: ApiVersions v3, correlation id 1, client id "ab", no tags (header v2):
//   00 12 | 00 03 | 00 00 00 01 | 00 02 61 62 | 00

#include <cstdint>
#include <optional>
#include <string>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/wire.h"

namespace samsa {

struct RequestHeader {
  ApiKey api_key = ApiKey::kApiVersions;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;  // absent in header v0, null allowed from v1
  TaggedFields tagged_fields;            // header v2 only
  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};

struct ResponseHeader {
  int32_t correlation_id = 0;
  TaggedFields tagged_fields;  // header v1 only
  friend bool operator==(const ResponseHeader&, const ResponseHeader&) = default;
};

// Writes `h` in the header version its (api_key, api_version) uses. api_key must be known.
void WriteRequestHeader(WireWriter& w, const RequestHeader& h);
// Writes `h` in an explicit header version (0, 1 or 2). Fields the version lacks are dropped.
void WriteRequestHeader(WireWriter& w, const RequestHeader& h, int16_t header_version);

// Reads api_key and api_version, chooses the header version from the API table, then reads the
// rest. An unknown api key is a kUnsupported error (the broker closes the connection); any
// malformation is the reader's error. On success `r` is positioned at the request body.
// Errors are also recorded in `r` (sticky).
Status ReadRequestHeader(WireReader& r, RequestHeader* out);
// Reads a header of an explicit version (0, 1 or 2); accepts any api_key value.
Status ReadRequestHeader(WireReader& r, int16_t header_version, RequestHeader* out);

// Decodes the request header at the start of a frame (size prefix already stripped). On success
// *body_offset (if not null) is where the request body starts within `frame`.
Result<RequestHeader> DecodeRequestHeader(ByteView frame, size_t* body_offset = nullptr);

// Response headers: the version comes from ResponseHeaderVersion() of the request it answers.
void WriteResponseHeader(WireWriter& w, const ResponseHeader& h, int16_t header_version);
Status ReadResponseHeader(WireReader& r, int16_t header_version, ResponseHeader* out);

}  // namespace samsa
