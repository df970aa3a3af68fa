#include "core/protocol/messages/dispatch.h"

#include <gtest/gtest.h>

#include "tests/protocol/messages_test_builders.h"

namespace samsa {
namespace {

TEST(MessagesDispatch, AdvertisedRanges) {
  EXPECT_EQ(SupportedVersions(ApiKey::kApiVersions), (VersionRange{0, 3}));
  EXPECT_EQ(SupportedVersions(ApiKey::kMetadata), (VersionRange{0, 12}));
  EXPECT_EQ(SupportedVersions(ApiKey::kCreateTopics), (VersionRange{0, 7}));
  EXPECT_EQ(SupportedVersions(ApiKey::kDeleteTopics), (VersionRange{0, 6}));
  EXPECT_EQ(SupportedVersions(ApiKey::kProduce), (VersionRange{0, 9}));
  EXPECT_EQ(SupportedVersions(ApiKey::kFetch), (VersionRange{0, 13}));
  EXPECT_EQ(SupportedVersions(ApiKey::kListOffsets), (VersionRange{0, 7}));
  EXPECT_EQ(SupportedVersions(ApiKey::kOffsetForLeaderEpoch), (VersionRange{0, 4}));
  EXPECT_EQ(SupportedVersions(ApiKey::kVote), (VersionRange{0, 1}));
  EXPECT_EQ(SupportedVersions(ApiKey::kBeginQuorumEpoch), (VersionRange{0, 1}));
  EXPECT_EQ(SupportedVersions(ApiKey::kEndQuorumEpoch), (VersionRange{0, 1}));
  EXPECT_EQ(SupportedVersions(ApiKey::kDescribeQuorum), (VersionRange{0, 2}));
  EXPECT_EQ(SupportedVersions(ApiKey::kAlterPartition), (VersionRange{0, 3}));
  EXPECT_EQ(SupportedVersions(ApiKey::kBrokerRegistration), (VersionRange{0, 4}));
  EXPECT_EQ(SupportedVersions(ApiKey::kBrokerHeartbeat), (VersionRange{0, 1}));
  EXPECT_FALSE(SupportedVersions(ApiKey::kJoinGroup).has_value());
  EXPECT_FALSE(IsSupportedVersion(ApiKey::kFetch, 14));
  EXPECT_TRUE(IsSupportedVersion(ApiKey::kFetch, 0));
}

TEST(MessagesDispatch, RangesStayWithinKafkasAndMatchTheCodecs) {
  std::vector<ApiVersionsResponse::ApiVersion> list = SupportedApiVersions();
  ASSERT_EQ(list.size(), 15u);
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(list[i - 1].api_key, list[i].api_key);
    }
    const ApiInfo* info = FindApi(list[i].api_key);
    ASSERT_NE(info, nullptr);
    EXPECT_GE(list[i].min_version, info->min_version);
    EXPECT_LE(list[i].max_version, info->max_version);
    EXPECT_EQ(list[i].min_version, 0) << info->name;  // librdkafka wants the low versions
  }
  // The codec structs agree with the advertised ranges.
  auto check = [](auto req, auto resp) {
    using Req = decltype(req);
    using Resp = decltype(resp);
    VersionRange r = *SupportedVersions(Req::kApiKey);
    EXPECT_EQ(Req::kMinVersion, r.min);
    EXPECT_EQ(Req::kMaxVersion, r.max);
    EXPECT_EQ(Resp::kMinVersion, r.min);
    EXPECT_EQ(Resp::kMaxVersion, r.max);
    EXPECT_EQ(Req::kApiKey, Resp::kApiKey);
  };
  RequestBody req;
  ResponseBody resp;
  for (size_t i = 0; i < std::variant_size_v<RequestBody>; ++i) {
    ApiKey key = ApiKey(list[i].api_key);
    req = testing::MakeRequest(key, 0);
    resp = testing::MakeResponse(key, 0);
    std::visit([&](auto a) { std::visit([&](auto b) { check(a, b); }, resp); }, req);
  }
}

TEST(MessagesDispatch, DecodeRequestRejectsUnsupportedVersionsAndApis) {
  // Metadata v13: a header we can read, a version we do not serve.
  Bytes frame;
  WireWriter w(frame);
  WriteRequestHeader(w, RequestHeader{ApiKey::kMetadata, 13, 1, "c", {}});
  frame.push_back(0x00);
  Result<Request> got = DecodeRequest(frame);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kUnsupported);
  // The header alone still decodes, so the broker can answer with the correlation id.
  Result<RequestHeader> header = DecodeRequestHeader(frame);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->api_version, 13);

  // ApiVersions v4 (newer than we serve): the broker answers with the v0 layout.
  Bytes av;
  WireWriter aw(av);
  WriteRequestHeader(aw, RequestHeader{ApiKey::kApiVersions, 4, 2, "c", {}});
  EXPECT_EQ(DecodeRequest(av).status().code(), StatusCode::kUnsupported);

  // JoinGroup: known key, no definition.
  Bytes jg;
  WireWriter jw(jg);
  WriteRequestHeader(jw, RequestHeader{ApiKey::kJoinGroup, 0, 3, "c", {}});
  EXPECT_EQ(DecodeRequest(jg).status().code(), StatusCode::kUnsupported);

  // An unknown key.
  Bytes unknown = {0x03, 0xe7, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff};
  EXPECT_EQ(DecodeRequest(unknown).status().code(), StatusCode::kUnsupported);
}

TEST(MessagesDispatch, TruncatedFramesFail) {
  RequestHeader h{ApiKey::kFetch, 13, 5, "c", {}};
  Bytes frame;
  AppendRequest(h, testing::MakeFetchRequest(13), frame);
  for (size_t n = 0; n < frame.size(); ++n) {
    EXPECT_FALSE(DecodeRequest(ByteView(frame).first(n)).ok()) << n;
  }
  ResponseHeader rh{5, {}};
  Bytes resp;
  AppendResponse(ApiKey::kFetch, 13, rh, testing::MakeFetchResponse(13), resp);
  for (size_t n = 0; n < resp.size(); ++n) {
    EXPECT_FALSE(DecodeResponse(ApiKey::kFetch, 13, ByteView(resp).first(n)).ok()) << n;
  }
}

TEST(MessagesDispatch, BodyCodecsByKey) {
  Bytes body;
  EncodeRequestBody(testing::MakeListOffsetsRequest(7), 7, body);
  Result<RequestBody> got = DecodeRequestBody(ApiKey::kListOffsets, 7, body);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(std::get<ListOffsetsRequest>(*got) == testing::MakeListOffsetsRequest(7));
  EXPECT_EQ(DecodeRequestBody(ApiKey::kListOffsets, 8, body).status().code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(DecodeResponseBody(ApiKey::kHeartbeat, 0, body).status().code(),
            StatusCode::kUnsupported);
}

}  // namespace
}  // namespace samsa
