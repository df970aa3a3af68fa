#include "core/protocol/header.h"

#include <gtest/gtest.h>

#include "core/base/prng.h"

namespace samsa {
namespace {

Bytes B(std::initializer_list<int> v) {
  Bytes out;
  for (int x : v) out.push_back(uint8_t(x));
  return out;
}

Bytes EncodeRequest(const RequestHeader& h) {
  Bytes out;
  WireWriter w(out);
  WriteRequestHeader(w, h);
  return out;
}

TEST(RequestHeader, ApiVersionsV3ByteByByte) {
  RequestHeader h;
  h.api_key = ApiKey::kApiVersions;
  h.api_version = 3;
  h.correlation_id = 7;
  h.client_id = "rdkafka";
  Bytes expected = B({
      0x00, 0x12,              // api_key 18 (ApiVersions)
      0x00, 0x03,              // api_version 3 -> header v2
      0x00, 0x00, 0x00, 0x07,  // correlation_id
      0x00, 0x07,              // client_id: classic INT16 length even in header v2
      'r', 'd', 'k', 'a', 'f', 'k', 'a',
      0x00,                    // no tagged fields
  });
  EXPECT_EQ(EncodeRequest(h), expected);

  // The body follows the header.
  Bytes frame = expected;
  frame.insert(frame.end(), {0xaa, 0xbb});
  size_t body_offset = 0;
  Result<RequestHeader> got = DecodeRequestHeader(frame, &body_offset);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, h);
  EXPECT_EQ(body_offset, expected.size());
}

TEST(RequestHeader, MetadataV8IsHeaderV1) {
  RequestHeader h{ApiKey::kMetadata, 8, 0x01020304, std::nullopt, {}};
  EXPECT_EQ(EncodeRequest(h), B({0x00, 0x03, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff}));
}

TEST(RequestHeader, ControlledShutdownV0HasNoClientId) {
  Bytes frame = B({0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x01});
  size_t body_offset = 0;
  Result<RequestHeader> got = DecodeRequestHeader(frame, &body_offset);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->api_key, ApiKey::kControlledShutdown);
  EXPECT_EQ(got->api_version, 0);
  EXPECT_EQ(got->correlation_id, 42);
  EXPECT_FALSE(got->client_id.has_value());
  EXPECT_EQ(body_offset, 8u);  // the broker id (INT32 1) of the body follows at once
  EXPECT_EQ(EncodeRequest(*got), Bytes(frame.begin(), frame.begin() + 8));
}

TEST(RequestHeader, UnknownApiKeyIsAnErrorNotACrash) {
  for (int16_t key : {int16_t(88), int16_t(1000), int16_t(-1), int16_t(-32768)}) {
    Bytes frame;
    WireWriter w(frame);
    w.WriteInt16(key);
    w.WriteInt16(0);
    w.WriteInt32(1);
    w.WriteNullableString("c");
    Result<RequestHeader> got = DecodeRequestHeader(frame);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kUnsupported) << got.status().ToString();
    EXPECT_NE(got.status().message().find("unknown api key " + std::to_string(key)),
              std::string::npos);
  }
}

TEST(RequestHeader, UnknownTagsArePreserved) {
  RequestHeader h{ApiKey::kProduce, 11, -5, "producer-1", {{0, B({1, 2})}, {9, B({})}}};
  Bytes enc = EncodeRequest(h);
  Result<RequestHeader> got = DecodeRequestHeader(enc);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, h);
  EXPECT_EQ(EncodeRequest(*got), enc);
}

TEST(RequestHeader, EveryVersionRoundTripsAndEveryPrefixFails) {
  Prng prng(7);
  for (int16_t version = 0; version <= 2; ++version) {
    for (int iter = 0; iter < 30; ++iter) {
      RequestHeader h;
      h.api_key = ApiKey(int16_t(prng.Uniform(88)));
      h.api_version = int16_t(prng.Uniform(20));
      h.correlation_id = int32_t(prng.NextU64());
      if (version >= 1 && prng.Chance(3, 4)) h.client_id = std::string(prng.Uniform(30), 'c');
      if (version >= 2) {
        uint32_t tag = uint32_t(prng.Uniform(3));
        for (uint64_t n = prng.Uniform(3); n > 0; --n) {
          h.tagged_fields.push_back({tag, Bytes(prng.Uniform(5), 0x5a)});
          tag += 1 + uint32_t(prng.Uniform(1000));
        }
      }
      Bytes enc;
      WireWriter w(enc);
      WriteRequestHeader(w, h, version);
      WireReader r(enc);
      RequestHeader got;
      ASSERT_TRUE(ReadRequestHeader(r, version, &got).ok()) << r.status().ToString();
      EXPECT_EQ(got, h);
      EXPECT_TRUE(r.AtEnd());
      for (size_t cut = 0; cut < enc.size(); ++cut) {
        Bytes prefix(enc.begin(), enc.begin() + ptrdiff_t(cut));
        WireReader pr(prefix);
        RequestHeader partial;
        Status s = ReadRequestHeader(pr, version, &partial);
        EXPECT_EQ(s.code(), StatusCode::kTruncated) << "v" << version << " cut " << cut;
      }
    }
  }
}

TEST(RequestHeader, TableDrivenReadMatchesTableDrivenWrite) {
  for (const ApiInfo& api : AllApis()) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      RequestHeader h{api.key, v, 1234, "id", {}};
      Bytes enc = EncodeRequest(h);
      Result<RequestHeader> got = DecodeRequestHeader(enc);
      ASSERT_TRUE(got.ok()) << api.name << " v" << v << ": " << got.status().ToString();
      if (RequestHeaderVersion(api.key, v) == 0) h.client_id.reset();
      EXPECT_EQ(*got, h) << api.name << " v" << v;
    }
  }
}

TEST(RequestHeader, BadExplicitVersion) {
  Bytes in(16, 0);
  WireReader r(in);
  RequestHeader h;
  EXPECT_EQ(ReadRequestHeader(r, 3, &h).code(), StatusCode::kInvalidArgument);
}

TEST(ResponseHeader, Layouts) {
  ResponseHeader h{7, {}};
  Bytes v0, v1;
  WireWriter w0(v0), w1(v1);
  WriteResponseHeader(w0, h, 0);
  WriteResponseHeader(w1, h, 1);
  EXPECT_EQ(v0, B({0, 0, 0, 7}));
  EXPECT_EQ(v1, B({0, 0, 0, 7, 0}));

  ResponseHeader tagged{-1, {{4, B({0xee})}}};
  Bytes enc;
  WireWriter w(enc);
  WriteResponseHeader(w, tagged, 1);
  EXPECT_EQ(enc, B({0xff, 0xff, 0xff, 0xff, 0x01, 0x04, 0x01, 0xee}));
  WireReader r(enc);
  ResponseHeader got;
  ASSERT_TRUE(ReadResponseHeader(r, 1, &got).ok());
  EXPECT_EQ(got, tagged);
  EXPECT_TRUE(r.AtEnd());

  // v0 reads only the correlation id; the rest is body.
  WireReader r0(enc);
  ASSERT_TRUE(ReadResponseHeader(r0, 0, &got).ok());
  EXPECT_EQ(got.correlation_id, -1);
  EXPECT_TRUE(got.tagged_fields.empty());
  EXPECT_EQ(r0.position(), 4u);

  for (size_t cut = 0; cut < enc.size(); ++cut) {
    Bytes prefix(enc.begin(), enc.begin() + ptrdiff_t(cut));
    WireReader pr(prefix);
    EXPECT_EQ(ReadResponseHeader(pr, 1, &got).code(), StatusCode::kTruncated) << cut;
  }
  WireReader bad(enc);
  EXPECT_EQ(ReadResponseHeader(bad, 2, &got).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace samsa
