#include "core/protocol/api_keys.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace samsa {
namespace {

TEST(ApiKeys, TableIsDenseAndConsistent) {
  auto apis = AllApis();
  ASSERT_EQ(apis.size(), 88u);  // keys 0..87
  std::set<std::string_view> names;
  for (size_t i = 0; i < apis.size(); ++i) {
    const ApiInfo& a = apis[i];
    EXPECT_EQ(size_t(a.key), i);
    EXPECT_EQ(FindApi(int16_t(i)), &a);
    EXPECT_EQ(ApiKeyFromInt(int16_t(i)), a.key);
    EXPECT_EQ(ApiKeyName(a.key), a.name);
    EXPECT_TRUE(names.insert(a.name).second) << a.name;
    EXPECT_EQ(a.min_version, 0) << a.name;
    EXPECT_LE(a.min_version, a.max_version) << a.name;
    EXPECT_GE(a.first_flexible_version, -1) << a.name;
    EXPECT_LE(a.first_flexible_version, a.max_version) << a.name;
  }
}

TEST(ApiKeys, NamesAndNumbers) {
  EXPECT_EQ(int(ApiKey::kProduce), 0);
  EXPECT_EQ(int(ApiKey::kFetch), 1);
  EXPECT_EQ(int(ApiKey::kMetadata), 3);
  EXPECT_EQ(int(ApiKey::kApiVersions), 18);
  EXPECT_EQ(int(ApiKey::kInitProducerId), 22);
  EXPECT_EQ(int(ApiKey::kDescribeTopicPartitions), 75);
  EXPECT_EQ(int(ApiKey::kReadShareGroupStateSummary), 87);
  EXPECT_EQ(ApiKeyName(ApiKey::kOffsetCommit), "OffsetCommit");
  EXPECT_EQ(ApiKeyName(ApiKey::kApiVersions), "ApiVersions");
  EXPECT_EQ(ApiKeyName(ApiKey(999)), "Unknown");
  EXPECT_EQ(ApiKeyFromInt(88), std::nullopt);
  EXPECT_EQ(ApiKeyFromInt(-1), std::nullopt);
  EXPECT_EQ(ApiKeyFromInt(32767), std::nullopt);
  EXPECT_EQ(FindApi(-32768), nullptr);
}

TEST(ApiKeys, RequestHeaderVersions) {
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kProduce, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kProduce, 8), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kProduce, 0), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 8), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kFetch, 11), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kFetch, 12), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 2), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 4), 2);
  // A newer client's version than Kafka defines still gets a parseable (flexible) header.
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 99), 2);
  // ControlledShutdown v0 has no client id.
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kControlledShutdown, 0), 0);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kControlledShutdown, 1), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kControlledShutdown, 3), 2);
  // Never flexible.
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kSaslHandshake, 1), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kOffsetDelete, 0), 1);
  // Flexible from v0.
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kDescribeCluster, 0), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kVote, 0), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kFindCoordinator, 2), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kFindCoordinator, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kJoinGroup, 6), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kOffsetCommit, 7), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kOffsetCommit, 8), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey(200), 0), -1);
}

TEST(ApiKeys, ResponseHeaderVersions) {
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, 0), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, 3), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, 4), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kFetch, 12), 1);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kFetch, 11), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kProduce, 9), 1);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kMetadata, 8), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kControlledShutdown, 0), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kControlledShutdown, 3), 1);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kSaslHandshake, 1), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kDescribeCluster, 0), 1);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey(-5), 0), -1);
}

TEST(ApiKeys, EveryVersionHasAHeader) {
  for (const ApiInfo& a : AllApis()) {
    for (int16_t v = a.min_version; v <= a.max_version; ++v) {
      int16_t req = RequestHeaderVersion(a.key, v);
      int16_t resp = ResponseHeaderVersion(a.key, v);
      EXPECT_TRUE(req >= 0 && req <= 2) << a.name << " v" << v;
      EXPECT_TRUE(resp == 0 || resp == 1) << a.name << " v" << v;
      EXPECT_EQ(req == 2, IsFlexibleVersion(a.key, v)) << a.name << " v" << v;
      if (a.key != ApiKey::kApiVersions) {
        EXPECT_EQ(resp == 1, req == 2) << a.name << " v" << v;
      }
    }
  }
}

}  // namespace
}  // namespace samsa
