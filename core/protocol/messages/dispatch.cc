#include "core/protocol/messages/dispatch.h"

#include <string>
#include <type_traits>
#include <utility>

#include "core/base/assert.h"

namespace samsa {

namespace {

// Decodes `body` as the alternative of Variant whose kApiKey is `key`.
template <typename Variant, size_t... I>
Result<Variant> DecodeByKey(ApiKey key, int16_t version, ByteView body,
                            std::index_sequence<I...>) {
  std::optional<Result<Variant>> out;
  auto try_one = [&](auto tag) {
    using T = std::variant_alternative_t<decltype(tag)::value, Variant>;
    if (out || T::kApiKey != key) return;
    Result<T> r = T::Decode(body, version);
    if (r.ok()) {
      out.emplace(Variant(std::move(r).value()));
    } else {
      out.emplace(r.status());
    }
  };
  (try_one(std::integral_constant<size_t, I>{}), ...);
  if (!out) {
    return Status::Unsupported("no message definition for api key " +
                               std::to_string(int16_t(key)) + " (" +
                               std::string(ApiKeyName(key)) + ")");
  }
  return std::move(*out);
}

template <typename Variant>
Result<Variant> DecodeByKey(ApiKey key, int16_t version, ByteView body) {
  return DecodeByKey<Variant>(key, version, body,
                              std::make_index_sequence<std::variant_size_v<Variant>>{});
}

}  // namespace

std::optional<VersionRange> SupportedVersions(ApiKey key) {
  switch (key) {
    case ApiKey::kProduce: return VersionRange{0, 9};
    case ApiKey::kFetch: return VersionRange{0, 13};
    case ApiKey::kListOffsets: return VersionRange{0, 7};
    case ApiKey::kMetadata: return VersionRange{0, 12};
    case ApiKey::kApiVersions: return VersionRange{0, 3};
    case ApiKey::kCreateTopics: return VersionRange{0, 7};
    case ApiKey::kDeleteTopics: return VersionRange{0, 6};
    case ApiKey::kOffsetForLeaderEpoch: return VersionRange{0, 4};
    case ApiKey::kVote: return VersionRange{0, 1};
    case ApiKey::kBeginQuorumEpoch: return VersionRange{0, 1};
    case ApiKey::kEndQuorumEpoch: return VersionRange{0, 1};
    case ApiKey::kDescribeQuorum: return VersionRange{0, 2};
    case ApiKey::kAlterPartition: return VersionRange{0, 3};
    case ApiKey::kBrokerRegistration: return VersionRange{0, 4};
    case ApiKey::kBrokerHeartbeat: return VersionRange{0, 1};
    default: return std::nullopt;
  }
}

bool IsSupportedVersion(ApiKey key, int16_t version) {
  std::optional<VersionRange> range = SupportedVersions(key);
  return range && range->Contains(version);
}

std::vector<ApiVersionsResponse::ApiVersion> SupportedApiVersions() {
  std::vector<ApiVersionsResponse::ApiVersion> out;
  for (const ApiInfo& info : AllApis()) {
    if (std::optional<VersionRange> r = SupportedVersions(info.key)) {
      out.push_back({int16_t(info.key), r->min, r->max});
    }
  }
  return out;
}

ApiKey ApiKeyOf(const RequestBody& body) {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kApiKey; }, body);
}

ApiKey ApiKeyOf(const ResponseBody& body) {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kApiKey; }, body);
}

void EncodeRequestBody(const RequestBody& body, int16_t version, Bytes& out) {
  SAMSA_ASSERT_MSG(IsSupportedVersion(ApiKeyOf(body), version), "unsupported request version");
  WireWriter w(out);
  std::visit([&](const auto& b) { b.Encode(w, version); }, body);
}

Result<RequestBody> DecodeRequestBody(ApiKey key, int16_t version, ByteView body) {
  if (!IsSupportedVersion(key, version)) {
    return Status::Unsupported(std::string(ApiKeyName(key)) + " request version " +
                               std::to_string(version) + " is not supported");
  }
  return DecodeByKey<RequestBody>(key, version, body);
}

void EncodeResponseBody(const ResponseBody& body, int16_t version, Bytes& out) {
  SAMSA_ASSERT_MSG(IsSupportedVersion(ApiKeyOf(body), version), "unsupported response version");
  WireWriter w(out);
  std::visit([&](const auto& b) { b.Encode(w, version); }, body);
}

Result<ResponseBody> DecodeResponseBody(ApiKey key, int16_t version, ByteView body) {
  if (!IsSupportedVersion(key, version)) {
    return Status::Unsupported(std::string(ApiKeyName(key)) + " response version " +
                               std::to_string(version) + " is not supported");
  }
  return DecodeByKey<ResponseBody>(key, version, body);
}

void AppendRequest(const RequestHeader& header, const RequestBody& body, Bytes& out) {
  SAMSA_ASSERT_MSG(header.api_key == ApiKeyOf(body), "request header and body disagree on api key");
  WireWriter w(out);
  WriteRequestHeader(w, header);
  EncodeRequestBody(body, header.api_version, out);
}

Result<Request> DecodeRequest(ByteView frame) {
  size_t body_offset = 0;
  SAMSA_ASSIGN_OR_RETURN(RequestHeader header, DecodeRequestHeader(frame, &body_offset));
  SAMSA_ASSIGN_OR_RETURN(RequestBody body, DecodeRequestBody(header.api_key, header.api_version,
                                                             frame.subspan(body_offset)));
  return Request{std::move(header), std::move(body)};
}

void AppendResponse(ApiKey api_key, int16_t api_version, const ResponseHeader& header,
                    const ResponseBody& body, Bytes& out) {
  SAMSA_ASSERT_MSG(api_key == ApiKeyOf(body), "response body does not match the api key");
  WireWriter w(out);
  WriteResponseHeader(w, header, ResponseHeaderVersion(api_key, api_version));
  EncodeResponseBody(body, api_version, out);
}

Result<Response> DecodeResponse(ApiKey api_key, int16_t api_version, ByteView frame) {
  if (!IsSupportedVersion(api_key, api_version)) {
    return Status::Unsupported(std::string(ApiKeyName(api_key)) + " response version " +
                               std::to_string(api_version) + " is not supported");
  }
  WireReader r(frame);
  ResponseHeader header;
  SAMSA_RETURN_IF_ERROR(ReadResponseHeader(r, ResponseHeaderVersion(api_key, api_version), &header));
  SAMSA_ASSIGN_OR_RETURN(ResponseBody body,
                         DecodeResponseBody(api_key, api_version, frame.subspan(r.position())));
  return Response{std::move(header), std::move(body)};
}

void AppendApiVersionsUnsupportedVersionResponse(int32_t correlation_id, Bytes& out) {
  WireWriter w(out);
  WriteResponseHeader(w, ResponseHeader{correlation_id, {}}, 0);
  MakeApiVersionsUnsupportedVersionResponse(*SupportedVersions(ApiKey::kApiVersions)).Encode(w, 0);
}

}  // namespace samsa
