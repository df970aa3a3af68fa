#include "core/protocol/error_codes.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

namespace samsa {
namespace {

TEST(ErrorCodes, EveryCodeFromMinusOneTo127) {
  std::set<std::string_view> names;
  for (int code = -1; code <= 127; ++code) {
    const ErrorInfo* info = FindErrorCode(int16_t(code));
    ASSERT_NE(info, nullptr) << code;
    EXPECT_EQ(int(info->code), code);
    EXPECT_EQ(ErrorCodeName(info->code), info->name);
    EXPECT_TRUE(names.insert(info->name).second) << info->name;
    for (char c : info->name) EXPECT_TRUE(std::isupper(uint8_t(c)) || c == '_') << info->name;
  }
  EXPECT_EQ(AllErrorCodes().size(), 129u);
}

TEST(ErrorCodes, SpotChecks) {
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNone), "NONE");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kUnknownServerError), "UNKNOWN_SERVER_ERROR");
  EXPECT_EQ(int(ErrorCode::kNotLeaderOrFollower), 6);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kNotLeaderOrFollower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(int(ErrorCode::kUnsupportedVersion), 35);
  EXPECT_EQ(int(ErrorCode::kCoordinatorNotAvailable), 15);
  EXPECT_EQ(int(ErrorCode::kNotCoordinator), 16);
  EXPECT_EQ(int(ErrorCode::kRebalanceInProgress), 27);
  EXPECT_EQ(int(ErrorCode::kTopicAlreadyExists), 36);
  EXPECT_EQ(int(ErrorCode::kNotController), 41);
  EXPECT_EQ(int(ErrorCode::kOutOfOrderSequenceNumber), 45);
  EXPECT_EQ(int(ErrorCode::kFencedLeaderEpoch), 74);
  EXPECT_EQ(int(ErrorCode::kMemberIdRequired), 79);
  EXPECT_EQ(int(ErrorCode::kProducerFenced), 90);
  EXPECT_EQ(int(ErrorCode::kUnknownTopicId), 100);
  EXPECT_EQ(int(ErrorCode::kFencedMemberEpoch), 110);
  EXPECT_EQ(int(ErrorCode::kInvalidRegistration), 119);
  EXPECT_EQ(ErrorCodeName(ErrorCode(119)), "INVALID_REGISTRATION");
  EXPECT_EQ(ErrorCodeName(ErrorCode(3)), "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(ErrorCodeName(ErrorCode(5000)), "UNKNOWN_ERROR_CODE");
  EXPECT_EQ(ErrorCodeName(ErrorCode(-2)), "UNKNOWN_ERROR_CODE");
  EXPECT_EQ(FindErrorCode(-2), nullptr);
  EXPECT_EQ(FindErrorCode(128), nullptr);
}

TEST(ErrorCodes, Retriable) {
  EXPECT_TRUE(IsRetriable(ErrorCode::kNotLeaderOrFollower));
  EXPECT_TRUE(IsRetriable(ErrorCode::kLeaderNotAvailable));
  EXPECT_TRUE(IsRetriable(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_TRUE(IsRetriable(ErrorCode::kRequestTimedOut));
  EXPECT_TRUE(IsRetriable(ErrorCode::kNotEnoughReplicas));
  EXPECT_TRUE(IsRetriable(ErrorCode::kCoordinatorLoadInProgress));
  EXPECT_TRUE(IsRetriable(ErrorCode::kNotCoordinator));
  EXPECT_TRUE(IsRetriable(ErrorCode::kFencedLeaderEpoch));
  EXPECT_TRUE(IsRetriable(ErrorCode::kKafkaStorageError));
  EXPECT_TRUE(IsRetriable(ErrorCode::kCorruptMessage));
  EXPECT_FALSE(IsRetriable(ErrorCode::kNone));
  EXPECT_FALSE(IsRetriable(ErrorCode::kUnknownServerError));
  EXPECT_FALSE(IsRetriable(ErrorCode::kOffsetOutOfRange));
  EXPECT_FALSE(IsRetriable(ErrorCode::kUnsupportedVersion));
  EXPECT_FALSE(IsRetriable(ErrorCode::kTopicAuthorizationFailed));
  EXPECT_FALSE(IsRetriable(ErrorCode::kMessageTooLarge));
  EXPECT_FALSE(IsRetriable(ErrorCode::kRebalanceInProgress));
  EXPECT_FALSE(IsRetriable(ErrorCode::kProducerFenced));
  EXPECT_FALSE(IsRetriable(ErrorCode(5000)));
}

}  // namespace
}  // namespace samsa
