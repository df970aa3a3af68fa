// Byte vectors worked out by hand from the Kafka message schemas, checked in both directions.

#include <gtest/gtest.h>

#include <initializer_list>

#include "core/protocol/error_codes.h"
#include "core/protocol/messages/dispatch.h"

namespace samsa {
namespace {

Bytes B(std::initializer_list<int> v) {
  Bytes out;
  for (int x : v) out.push_back(uint8_t(x));
  return out;
}

template <typename T>
Bytes EncodeBody(const T& msg, int16_t version) {
  Bytes out;
  WireWriter w(out);
  msg.Encode(w, version);
  return out;
}

TEST(MessagesKnownAnswer, ApiVersionsV0RequestHasAnEmptyBody) {
  EXPECT_TRUE(EncodeBody(ApiVersionsRequest{}, 0).empty());
  ASSERT_TRUE(ApiVersionsRequest::Decode({}, 0).ok());

  RequestHeader h{ApiKey::kApiVersions, 0, 1, "c", {}};
  Bytes frame;
  AppendRequest(h, ApiVersionsRequest{}, frame);
  EXPECT_EQ(frame, B({0x00, 0x12,              // api_key 18
                      0x00, 0x00,              // api_version 0 -> request header v1
                      0x00, 0x00, 0x00, 0x01,  // correlation_id
                      0x00, 0x01, 'c'}));      // client_id; no body
  Result<Request> got = DecodeRequest(frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(std::holds_alternative<ApiVersionsRequest>(got->body));
}

TEST(MessagesKnownAnswer, ApiVersionsV3RequestWithClientSoftware) {
  ApiVersionsRequest req;
  req.client_software_name = "samsa";
  req.client_software_version = "0.1";
  Bytes body = B({0x06, 's', 'a', 'm', 's', 'a',  // COMPACT_STRING: length 5 + 1
                  0x04, '0', '.', '1',            // COMPACT_STRING: length 3 + 1
                  0x00});                         // no tagged fields
  EXPECT_EQ(EncodeBody(req, 3), body);
  Result<ApiVersionsRequest> got = ApiVersionsRequest::Decode(body, 3);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, req);

  RequestHeader h{ApiKey::kApiVersions, 3, 7, "c", {}};
  Bytes frame;
  AppendRequest(h, req, frame);
  Bytes expected = B({0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,  // key, version, corr
                      0x00, 0x01, 'c',                                 // client_id (classic)
                      0x00});                                          // header tags (v2)
  Append(expected, body);
  EXPECT_EQ(frame, expected);
}

TEST(MessagesKnownAnswer, ApiVersionsV3RequestKeepsUnknownTags) {
  Bytes body = B({0x01, 0x01,                      // two empty COMPACT_STRINGs
                  0x01, 0x0a, 0x02, 0xbe, 0xef});  // one tag: 10, 2 bytes
  Result<ApiVersionsRequest> got = ApiVersionsRequest::Decode(body, 3);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(got->unknown_tagged_fields[0].tag, 10u);
  EXPECT_EQ(got->unknown_tagged_fields[0].data, B({0xbe, 0xef}));
  EXPECT_EQ(EncodeBody(*got, 3), body);
}

TEST(MessagesKnownAnswer, ApiVersionsV0ResponseWithTwoKeys) {
  ApiVersionsResponse resp;
  resp.api_keys = {{0, 0, 9}, {1, 0, 13}};
  Bytes body = B({0x00, 0x00,                          // error_code
                  0x00, 0x00, 0x00, 0x02,              // api_keys: 2
                  0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // Produce 0-9
                  0x00, 0x01, 0x00, 0x00, 0x00, 0x0d}); // Fetch 0-13
  EXPECT_EQ(EncodeBody(resp, 0), body);
  Result<ApiVersionsResponse> got = ApiVersionsResponse::Decode(body, 0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, resp);
}

TEST(MessagesKnownAnswer, ApiVersionsV3ResponseCompactWithTags) {
  ApiVersionsResponse resp;
  resp.api_keys = {{0, 0, 9}};
  resp.finalized_features_epoch = 5;
  Bytes body = B({0x00, 0x00,                                // error_code
                  0x02,                                      // api_keys: 1 + 1
                  0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00,  // Produce 0-9, no tags
                  0x00, 0x00, 0x00, 0x00,                    // throttle_time_ms
                  0x01,                                      // one tagged field
                  0x01, 0x08,                                // tag 1, 8 bytes
                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05});
  EXPECT_EQ(EncodeBody(resp, 3), body);
  Result<ApiVersionsResponse> got = ApiVersionsResponse::Decode(body, 3);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, resp);

  // ApiVersions responses use response header v0 at every version: no header tag byte.
  Bytes frame;
  AppendResponse(ApiKey::kApiVersions, 3, ResponseHeader{9, {}}, resp, frame);
  Bytes expected = B({0x00, 0x00, 0x00, 0x09});
  Append(expected, body);
  EXPECT_EQ(frame, expected);
}

TEST(MessagesKnownAnswer, UnsupportedVersionResponseUsesV0Layout) {
  Bytes frame;
  AppendApiVersionsUnsupportedVersionResponse(1, frame);
  EXPECT_EQ(frame, B({0x00, 0x00, 0x00, 0x01,               // correlation_id (header v0)
                      0x00, 0x23,                           // error_code 35
                      0x00, 0x00, 0x00, 0x01,               // api_keys: 1
                      0x00, 0x12, 0x00, 0x00, 0x00, 0x03})); // ApiVersions 0-3
  Result<Response> got = DecodeResponse(ApiKey::kApiVersions, 0, frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const auto& body = std::get<ApiVersionsResponse>(got->body);
  EXPECT_EQ(body.error_code, int16_t(ErrorCode::kUnsupportedVersion));
  ASSERT_EQ(body.api_keys.size(), 1u);
  EXPECT_EQ(body.api_keys[0].api_key, 18);
}

TEST(MessagesKnownAnswer, MetadataV1RequestForOneTopic) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequest::Topic>{{Uuid(), "orders"}};
  Bytes body = B({0x00, 0x00, 0x00, 0x01,                     // topics: 1
                  0x00, 0x06, 'o', 'r', 'd', 'e', 'r', 's'});  // name
  EXPECT_EQ(EncodeBody(req, 1), body);
  Result<MetadataRequest> got = MetadataRequest::Decode(body, 1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, req);

  RequestHeader h{ApiKey::kMetadata, 1, 2, std::nullopt, {}};
  Bytes frame;
  AppendRequest(h, req, frame);
  Bytes expected = B({0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0xff, 0xff});
  Append(expected, body);
  EXPECT_EQ(frame, expected);

  // Null topics (all) in v1.
  MetadataRequest all;
  all.topics = std::nullopt;
  EXPECT_EQ(EncodeBody(all, 1), B({0xff, 0xff, 0xff, 0xff}));
}

TEST(MessagesKnownAnswer, MetadataV9RequestIsCompact) {
  MetadataRequest req;
  req.topics = std::vector<MetadataRequest::Topic>{{Uuid(), "orders"}};
  Bytes body = B({0x02,                                // topics: 1 + 1
                  0x07, 'o', 'r', 'd', 'e', 'r', 's',  // COMPACT_STRING
                  0x00,                                // topic tags
                  0x01,                                // allow_auto_topic_creation
                  0x00,                                // include_cluster_authorized_operations
                  0x00,                                // include_topic_authorized_operations
                  0x00});                              // tags
  EXPECT_EQ(EncodeBody(req, 9), body);
}

TEST(MessagesKnownAnswer, MetadataV9SkipsUnknownNestedTags) {
  Bytes body = B({0x02, 0x07, 'o', 'r', 'd', 'e', 'r', 's',
                  0x01, 0x05, 0x01, 0xff,  // topic struct: one unknown tag (5), 1 byte
                  0x01, 0x00, 0x00, 0x00});
  Result<MetadataRequest> got = MetadataRequest::Decode(body, 9);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->topics.has_value());
  ASSERT_EQ(got->topics->size(), 1u);
  EXPECT_EQ((*got->topics)[0].name, "orders");
}

TEST(MessagesKnownAnswer, ProduceV3RequestFrame) {
  static const Bytes kRecords = B({0xaa, 0xbb, 0xcc});
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 1000;
  req.topic_data = {{"t", {{0, ByteView(kRecords)}}}};
  RequestHeader h{ApiKey::kProduce, 3, 1, "c", {}};
  Bytes frame;
  AppendRequest(h, req, frame);
  Bytes expected = B({0x00, 0x00, 0x00, 0x03,  // api_key 0, version 3
                      0x00, 0x00, 0x00, 0x01,  // correlation_id
                      0x00, 0x01, 'c',         // client_id
                      0xff, 0xff,              // transactional_id: null
                      0xff, 0xff,              // acks -1
                      0x00, 0x00, 0x03, 0xe8,  // timeout_ms 1000
                      0x00, 0x00, 0x00, 0x01,  // topic_data: 1
                      0x00, 0x01, 't',         // name
                      0x00, 0x00, 0x00, 0x01,  // partition_data: 1
                      0x00, 0x00, 0x00, 0x00,  // index 0
                      0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc});  // records
  EXPECT_EQ(frame, expected);
  Result<Request> got = DecodeRequest(frame);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->header, h);
  EXPECT_TRUE(std::get<ProduceRequest>(got->body) == req);
}

TEST(MessagesKnownAnswer, FetchV12ResponsePartitionTags) {
  Bytes body = B({
      0x00, 0x00, 0x00, 0x00,  // throttle_time_ms
      0x00, 0x00,              // error_code
      0x00, 0x00, 0x00, 0x00,  // session_id
      0x02,                    // responses: 1
      0x02, 't',               // topic
      0x02,                    // partitions: 1
      0x00, 0x00, 0x00, 0x00,  // partition_index
      0x00, 0x00,              // error_code
      0, 0, 0, 0, 0, 0, 0, 0x0a,  // high_watermark 10
      0, 0, 0, 0, 0, 0, 0, 0x0a,  // last_stable_offset 10
      0, 0, 0, 0, 0, 0, 0, 0x00,  // log_start_offset 0
      0x00,                       // aborted_transactions: null
      0xff, 0xff, 0xff, 0xff,     // preferred_read_replica -1
      0x00,                       // records: null
      0x02,                       // two tagged fields
      0x00, 0x0d,                 // tag 0 (diverging_epoch), 13 bytes
      0x00, 0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0x3c, 0x00,
      0x07, 0x02, 0xbe, 0xef,     // tag 7: unknown, skipped
      0x00,                       // topic tags
      0x00,                       // top-level tags
  });
  Result<FetchResponse> got = FetchResponse::Decode(body, 12);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const FetchResponse::Partition& p = got->responses.at(0).partitions.at(0);
  EXPECT_EQ(p.high_watermark, 10);
  ASSERT_TRUE(p.diverging_epoch.has_value());
  EXPECT_EQ(p.diverging_epoch->epoch, 3);
  EXPECT_EQ(p.diverging_epoch->end_offset, 60);
  EXPECT_FALSE(p.current_leader.has_value());
  EXPECT_FALSE(p.records.has_value());

  // Re-encoding drops the nested unknown tag and keeps the known one.
  Bytes again = EncodeBody(*got, 12);
  Bytes expected(body.begin(), body.end());
  expected.erase(expected.end() - 6, expected.end() - 2);  // the 4 bytes of tag 7
  expected[expected.size() - 2 - 1 - 13 - 2] = 0x01;       // tag count 2 -> 1
  EXPECT_EQ(again, expected);
}

TEST(MessagesKnownAnswer, CreateTopicsV5ResponseConfigErrorIsTagged) {
  CreateTopicsResponse resp;
  CreateTopicsResponse::Topic t;
  t.name = "t";
  t.error_code = 0;
  t.topic_config_error_code = 29;
  t.configs = std::nullopt;
  resp.topics = {t};
  Bytes body = B({0x00, 0x00, 0x00, 0x00,  // throttle_time_ms
                  0x02,                    // topics: 1
                  0x02, 't',               // name
                  0x00, 0x00,              // error_code
                  0x00,                    // error_message: null
                  0xff, 0xff, 0xff, 0xff,  // num_partitions -1
                  0xff, 0xff,              // replication_factor -1
                  0x00,                    // configs: null
                  0x01, 0x00, 0x02, 0x00, 0x1d,  // tag 0: topic_config_error_code 29
                  0x00});                  // top-level tags
  EXPECT_EQ(EncodeBody(resp, 5), body);
  Result<CreateTopicsResponse> got = CreateTopicsResponse::Decode(body, 5);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, resp);
}

TEST(MessagesKnownAnswer, KnownTagWinsOverAnUnknownFieldWithTheSameTag) {
  // At v0, Vote's tag 0 is unknown and kept; re-encoding at v1 with node_endpoints set must
  // write tag 0 once, from the known field.
  Bytes v0 = B({0x00, 0x00, 0x01, 0x01, 0x00, 0x02, 0xab, 0xcd});
  Result<VoteResponse> got = VoteResponse::Decode(v0, 0);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(EncodeBody(*got, 0), v0);
  got->node_endpoints = {{1, "h", 9093}};
  Result<VoteResponse> again = VoteResponse::Decode(EncodeBody(*got, 1), 1);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->node_endpoints, got->node_endpoints);
  EXPECT_TRUE(again->unknown_tagged_fields.empty());
}

TEST(MessagesKnownAnswer, OutOfOrderTagsAreCorruption) {
  Bytes body = B({0x01, 0x01, 0x02, 0x05, 0x00, 0x03, 0x00});  // tags 5 then 3
  Result<ApiVersionsRequest> got = ApiVersionsRequest::Decode(body, 3);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace samsa
