#pragma once
// Kafka API keys and which request/response header version each (api_key, api_version) uses.
//
// Header versions follow from an API's first flexible version (KIP-482):
//   request header  v0: api_key, api_version, correlation_id          (ControlledShutdown v0 only)
//                   v1: ... + client_id                               (non-flexible versions)
//                   v2: ... + client_id + tagged fields               (flexible versions)
//   response header v0: correlation_id                                (non-flexible versions, and
//                                                                      ApiVersions at every version)
//                   v1: correlation_id + tagged fields                (flexible versions)
// ApiVersions responses always use response header v0 so that a client that guessed a version
// the broker does not support can still read the error. See core/protocol/header.h for layouts.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace samsa {

enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kLeaderAndIsr = 4,
  kStopReplica = 5,
  kUpdateMetadata = 6,
  kControlledShutdown = 7,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kSaslHandshake = 17,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kInitProducerId = 22,
  kOffsetForLeaderEpoch = 23,
  kAddPartitionsToTxn = 24,
  kAddOffsetsToTxn = 25,
  kEndTxn = 26,
  kWriteTxnMarkers = 27,
  kTxnOffsetCommit = 28,
  kDescribeAcls = 29,
  kCreateAcls = 30,
  kDeleteAcls = 31,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kAlterReplicaLogDirs = 34,
  kDescribeLogDirs = 35,
  kSaslAuthenticate = 36,
  kCreatePartitions = 37,
  kCreateDelegationToken = 38,
  kRenewDelegationToken = 39,
  kExpireDelegationToken = 40,
  kDescribeDelegationToken = 41,
  kDeleteGroups = 42,
  kElectLeaders = 43,
  kIncrementalAlterConfigs = 44,
  kAlterPartitionReassignments = 45,
  kListPartitionReassignments = 46,
  kOffsetDelete = 47,
  kDescribeClientQuotas = 48,
  kAlterClientQuotas = 49,
  kDescribeUserScramCredentials = 50,
  kAlterUserScramCredentials = 51,
  kVote = 52,
  kBeginQuorumEpoch = 53,
  kEndQuorumEpoch = 54,
  kDescribeQuorum = 55,
  kAlterPartition = 56,
  kUpdateFeatures = 57,
  kEnvelope = 58,
  kFetchSnapshot = 59,
  kDescribeCluster = 60,
  kDescribeProducers = 61,
  kBrokerRegistration = 62,
  kBrokerHeartbeat = 63,
  kUnregisterBroker = 64,
  kDescribeTransactions = 65,
  kListTransactions = 66,
  kAllocateProducerIds = 67,
  kConsumerGroupHeartbeat = 68,
  kConsumerGroupDescribe = 69,
  kControllerRegistration = 70,
  kGetTelemetrySubscriptions = 71,
  kPushTelemetry = 72,
  kAssignReplicasToDirs = 73,
  kListClientMetricsResources = 74,
  kDescribeTopicPartitions = 75,
  kShareGroupHeartbeat = 76,
  kShareGroupDescribe = 77,
  kShareFetch = 78,
  kShareAcknowledge = 79,
  kAddRaftVoter = 80,
  kRemoveRaftVoter = 81,
  kUpdateRaftVoter = 82,
  kInitializeShareGroupState = 83,
  kReadShareGroupState = 84,
  kWriteShareGroupState = 85,
  kDeleteShareGroupState = 86,
  kReadShareGroupStateSummary = 87,};

// Static facts about one API as Apache Kafka defines it. These are Kafka's version ranges, not
// the versions samsa serves (the broker advertises its own ranges).
struct ApiInfo {
  ApiKey key;
  std::string_view name;            // Kafka's name, e.g. "Metadata"
  int16_t min_version;              // lowest version Kafka defines
  int16_t max_version;              // highest version Kafka defines
  int16_t first_flexible_version;   // -1 when no version is flexible
};

// Every known API, ordered by key (keys are dense from 0).
std::span<const ApiInfo> AllApis();
// Info for a key read off the wire; nullopt when the key is unknown.
const ApiInfo* FindApi(int16_t key);
std::optional<ApiKey> ApiKeyFromInt(int16_t key);
// Kafka's name, or "Unknown" for a value outside the enum.
std::string_view ApiKeyName(ApiKey key);

// True when `api_version` of `key` uses flexible encoding (compact types, tagged fields).
// Versions above Kafka's maximum are treated like the maximum (a newer client's request must
// still have a parseable header so the broker can answer UNSUPPORTED_VERSION).
bool IsFlexibleVersion(ApiKey key, int16_t api_version);

// 0, 1 or 2; -1 when `key` is not a known API.
int16_t RequestHeaderVersion(ApiKey key, int16_t api_version);
// 0 or 1; -1 when `key` is not a known API. ApiVersions always answers 0.
int16_t ResponseHeaderVersion(ApiKey key, int16_t api_version);

}  // namespace samsa
