#pragma once
// Which APIs and versions samsa's codec handles, and whole-frame helpers over the message
// definitions in this directory.
//
// A frame here is what FrameDecoder yields and AppendFrame wraps: the bytes after the 4-byte
// size prefix, i.e. header then body.
//
//   Request frame:  request header (v0/v1/v2, per RequestHeaderVersion) | request body
//   Response frame: response header (v0/v1, per ResponseHeaderVersion)  | response body
//
// A response does not name its API: the caller matches it to its request by correlation id
// and passes the request's api key and version to DecodeResponse.
//
// SupportedVersions() is the range the codec can encode and decode; the broker decides which
// of those it serves and answers others with UNSUPPORTED_VERSION (for ApiVersions, with the v0
// layout: AppendApiVersionsUnsupportedVersionResponse()).

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/header.h"
#include "core/protocol/messages/alter_partition.h"
#include "core/protocol/messages/api_versions.h"
#include "core/protocol/messages/begin_quorum_epoch.h"
#include "core/protocol/messages/broker_heartbeat.h"
#include "core/protocol/messages/broker_registration.h"
#include "core/protocol/messages/create_topics.h"
#include "core/protocol/messages/delete_topics.h"
#include "core/protocol/messages/describe_quorum.h"
#include "core/protocol/messages/end_quorum_epoch.h"
#include "core/protocol/messages/fetch.h"
#include "core/protocol/messages/list_offsets.h"
#include "core/protocol/messages/message_codec.h"
#include "core/protocol/messages/metadata.h"
#include "core/protocol/messages/offset_for_leader_epoch.h"
#include "core/protocol/messages/produce.h"
#include "core/protocol/messages/vote.h"

namespace samsa {

// Every request body the codec knows; the alternative fixes the api key.
using RequestBody =
    std::variant<ProduceRequest, FetchRequest, ListOffsetsRequest, MetadataRequest,
                 ApiVersionsRequest, CreateTopicsRequest, DeleteTopicsRequest,
                 OffsetForLeaderEpochRequest, VoteRequest, BeginQuorumEpochRequest,
                 EndQuorumEpochRequest, DescribeQuorumRequest, AlterPartitionRequest,
                 BrokerRegistrationRequest, BrokerHeartbeatRequest>;

using ResponseBody =
    std::variant<ProduceResponse, FetchResponse, ListOffsetsResponse, MetadataResponse,
                 ApiVersionsResponse, CreateTopicsResponse, DeleteTopicsResponse,
                 OffsetForLeaderEpochResponse, VoteResponse, BeginQuorumEpochResponse,
                 EndQuorumEpochResponse, DescribeQuorumResponse, AlterPartitionResponse,
                 BrokerRegistrationResponse, BrokerHeartbeatResponse>;

struct Request {
  RequestHeader header;
  RequestBody body;
};

struct Response {
  ResponseHeader header;
  ResponseBody body;
};

// The versions the codec handles for `key`; nullopt for APIs without a message definition.
std::optional<VersionRange> SupportedVersions(ApiKey key);
bool IsSupportedVersion(ApiKey key, int16_t version);
// Every (key, min, max) with a message definition, ordered by key: an ApiVersions api_keys list.
std::vector<ApiVersionsResponse::ApiVersion> SupportedApiVersions();

ApiKey ApiKeyOf(const RequestBody& body);
ApiKey ApiKeyOf(const ResponseBody& body);

// Body codecs by key and version. Encoding a version outside SupportedVersions() is a caller
// bug (assert); decoding one is kUnsupported. An api key without a definition is kUnsupported.
void EncodeRequestBody(const RequestBody& body, int16_t version, Bytes& out);
Result<RequestBody> DecodeRequestBody(ApiKey key, int16_t version, ByteView body);
void EncodeResponseBody(const ResponseBody& body, int16_t version, Bytes& out);
Result<ResponseBody> DecodeResponseBody(ApiKey key, int16_t version, ByteView body);

// Appends a request frame (no size prefix): header in the version its api uses, then body.
// header.api_key must match the body's api key (assert).
void AppendRequest(const RequestHeader& header, const RequestBody& body, Bytes& out);
// Decodes a request frame. Errors: an unknown api key, an API without a definition or a version
// outside SupportedVersions() is kUnsupported; malformed bytes are kTruncated / kCorruption.
// Views in the body (RECORDS) point into `frame`.
Result<Request> DecodeRequest(ByteView frame);

// Appends a response frame answering (api_key, api_version); the header version follows
// ResponseHeaderVersion(), so ApiVersions responses always use header v0.
void AppendResponse(ApiKey api_key, int16_t api_version, const ResponseHeader& header,
                    const ResponseBody& body, Bytes& out);
Result<Response> DecodeResponse(ApiKey api_key, int16_t api_version, ByteView frame);

// Appends the complete UNSUPPORTED_VERSION answer to an ApiVersions request (no size prefix):
// response header v0 and a v0-layout body advertising SupportedVersions(kApiVersions).
void AppendApiVersionsUnsupportedVersionResponse(int32_t correlation_id, Bytes& out);

}  // namespace samsa
