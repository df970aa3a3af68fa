// Round trips of every request and response the codec supports, at every supported version:
// encode -> decode gives the same message, re-encoding gives the same bytes, every strict
// prefix and a trailing byte fail cleanly, and default-constructed messages survive too.

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <variant>

#include "core/protocol/messages/dispatch.h"
#include "tests/protocol/messages_test_builders.h"

namespace samsa {
namespace {

using testing::AllSupportedCases;
using testing::ApiVersionCase;
using testing::MakeRequest;
using testing::MakeResponse;

template <typename T>
Bytes EncodeBody(const T& msg, int16_t version) {
  Bytes out;
  WireWriter w(out);
  msg.Encode(w, version);
  return out;
}

// Checks one typed message at one version.
template <typename T>
void CheckRoundTrip(const T& msg, int16_t version) {
  SCOPED_TRACE(std::string(ApiKeyName(T::kApiKey)) + " v" + std::to_string(version));
  Bytes bytes = EncodeBody(msg, version);
  Result<T> decoded = T::Decode(bytes, version);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\n" << HexString(bytes, 512);
  EXPECT_TRUE(*decoded == msg) << HexString(bytes, 512);
  EXPECT_EQ(EncodeBody(*decoded, version), bytes);

  // Streaming form agrees and stops exactly at the end.
  WireReader r(bytes);
  T streamed;
  streamed.Read(r, version);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r.AtEnd());
  EXPECT_TRUE(streamed == msg);

  // Every strict prefix fails with a decoder error, never a crash.
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<T> prefix = T::Decode(ByteView(bytes).first(n), version);
    ASSERT_FALSE(prefix.ok()) << "prefix of " << n << "/" << bytes.size() << " bytes decoded";
    StatusCode code = prefix.status().code();
    EXPECT_TRUE(code == StatusCode::kTruncated || code == StatusCode::kCorruption)
        << prefix.status().ToString();
  }

  // A trailing byte is rejected.
  Bytes longer = bytes;
  longer.push_back(0);
  Result<T> trailing = T::Decode(longer, version);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().code(), StatusCode::kCorruption);

  // Default-constructed messages round trip to themselves (absent fields keep defaults).
  T empty;
  Bytes empty_bytes = EncodeBody(empty, version);
  Result<T> empty_decoded = T::Decode(empty_bytes, version);
  ASSERT_TRUE(empty_decoded.ok()) << empty_decoded.status().ToString();
  EXPECT_TRUE(*empty_decoded == empty);
}

class MessagesRoundTrip : public ::testing::TestWithParam<ApiVersionCase> {};

TEST_P(MessagesRoundTrip, Request) {
  const ApiVersionCase& c = GetParam();
  RequestBody body = MakeRequest(c.key, c.version);
  ASSERT_EQ(ApiKeyOf(body), c.key);
  std::visit([&](const auto& m) { CheckRoundTrip(m, c.version); }, body);
}

TEST_P(MessagesRoundTrip, Response) {
  const ApiVersionCase& c = GetParam();
  ResponseBody body = MakeResponse(c.key, c.version);
  ASSERT_EQ(ApiKeyOf(body), c.key);
  std::visit([&](const auto& m) { CheckRoundTrip(m, c.version); }, body);
}

// Whole frames through dispatch: header + body, both directions.
TEST_P(MessagesRoundTrip, RequestFrame) {
  const ApiVersionCase& c = GetParam();
  RequestHeader h;
  h.api_key = c.key;
  h.api_version = c.version;
  h.correlation_id = 0x1234;
  h.client_id = "samsa-test";
  RequestBody body = MakeRequest(c.key, c.version);
  Bytes frame;
  AppendRequest(h, body, frame);
  Result<Request> got = DecodeRequest(frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->header, h);
  EXPECT_TRUE(got->body == body);
}

TEST_P(MessagesRoundTrip, ResponseFrame) {
  const ApiVersionCase& c = GetParam();
  ResponseHeader h;
  h.correlation_id = 0x4321;
  if (ResponseHeaderVersion(c.key, c.version) == 1) h.tagged_fields = {TaggedField{5, {0xaa}}};
  ResponseBody body = MakeResponse(c.key, c.version);
  Bytes frame;
  AppendResponse(c.key, c.version, h, body, frame);
  Result<Response> got = DecodeResponse(c.key, c.version, frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->header, h);
  EXPECT_TRUE(got->body == body);
}

// A message populated for the newest version still encodes at every older version, and what
// decodes is a valid message of that version (fields the version lacks are dropped).
TEST_P(MessagesRoundTrip, NewestMessageEncodesAtOlderVersions) {
  const ApiVersionCase& c = GetParam();
  int16_t newest = SupportedVersions(c.key)->max;
  RequestBody req = MakeRequest(c.key, newest);
  ResponseBody resp = MakeResponse(c.key, newest);
  Bytes req_bytes;
  EncodeRequestBody(req, c.version, req_bytes);
  EXPECT_TRUE(DecodeRequestBody(c.key, c.version, req_bytes).ok());
  Bytes resp_bytes;
  EncodeResponseBody(resp, c.version, resp_bytes);
  EXPECT_TRUE(DecodeResponseBody(c.key, c.version, resp_bytes).ok());
}

std::string CaseName(const ::testing::TestParamInfo<ApiVersionCase>& info) {
  return std::string(ApiKeyName(info.param.key)) + "V" + std::to_string(info.param.version);
}

INSTANTIATE_TEST_SUITE_P(AllSupported, MessagesRoundTrip,
                         ::testing::ValuesIn(AllSupportedCases()), CaseName);

TEST(MessagesRoundTrip, CoversEveryAdvertisedVersion) {
  // 10 + 14 + 8 + 13 + 4 + 8 + 7 + 5 + KRaft (2 + 2 + 2 + 3 + 4 + 5 + 2)
  EXPECT_EQ(AllSupportedCases().size(), size_t(10 + 14 + 8 + 13 + 4 + 8 + 7 + 5 + 20));
}

TEST(MessagesRoundTrip, MetadataNullTopicsMeansAll) {
  for (int16_t v = 1; v <= 12; ++v) {
    MetadataRequest m;
    m.topics = std::nullopt;
    CheckRoundTrip(m, v);
  }
  // v0 cannot say null: it writes an empty array, which v0 reads as "all topics".
  MetadataRequest m;
  m.topics = std::nullopt;
  Bytes bytes = EncodeBody(m, 0);
  EXPECT_EQ(bytes, (Bytes{0, 0, 0, 0}));
  Result<MetadataRequest> got = MetadataRequest::Decode(bytes, 0);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->topics.has_value());
  EXPECT_TRUE(got->topics->empty());
}

TEST(MessagesRoundTrip, ProduceRecordsAreViewsIntoTheInput) {
  Bytes bytes = EncodeBody(testing::MakeProduceRequest(3), 3);
  Result<ProduceRequest> got = ProduceRequest::Decode(bytes, 3);
  ASSERT_TRUE(got.ok());
  const std::optional<ByteView>& records = got->topic_data[0].partition_data[0].records;
  ASSERT_TRUE(records.has_value());
  EXPECT_GE(records->data(), bytes.data());
  EXPECT_LE(records->data() + records->size(), bytes.data() + bytes.size());
}

TEST(MessagesRoundTrip, DecodeRejectsVersionsOutsideTheCodec) {
  Result<MetadataRequest> m = MetadataRequest::Decode({}, 13);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kUnsupported);
  Result<FetchResponse> f = FetchResponse::Decode({}, -1);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kUnsupported);
}

}  // namespace
}  // namespace samsa
