#include "core/protocol/api_keys.h"

#include <array>

namespace samsa {

namespace {

// Facts from Kafka's API definitions: key, name, defined version range, first flexible version.
constexpr ApiInfo kApis[] = {
    {ApiKey::kProduce, "Produce", 0, 11, 9},
    {ApiKey::kFetch, "Fetch", 0, 17, 12},
    {ApiKey::kListOffsets, "ListOffsets", 0, 10, 6},
    {ApiKey::kMetadata, "Metadata", 0, 12, 9},
    {ApiKey::kLeaderAndIsr, "LeaderAndIsr", 0, 7, 4},
    {ApiKey::kStopReplica, "StopReplica", 0, 4, 2},
    {ApiKey::kUpdateMetadata, "UpdateMetadata", 0, 8, 6},
    {ApiKey::kControlledShutdown, "ControlledShutdown", 0, 3, 3},
    {ApiKey::kOffsetCommit, "OffsetCommit", 0, 9, 8},
    {ApiKey::kOffsetFetch, "OffsetFetch", 0, 9, 6},
    {ApiKey::kFindCoordinator, "FindCoordinator", 0, 6, 3},
    {ApiKey::kJoinGroup, "JoinGroup", 0, 9, 6},
    {ApiKey::kHeartbeat, "Heartbeat", 0, 4, 4},
    {ApiKey::kLeaveGroup, "LeaveGroup", 0, 5, 4},
    {ApiKey::kSyncGroup, "SyncGroup", 0, 5, 4},
    {ApiKey::kDescribeGroups, "DescribeGroups", 0, 5, 5},
    {ApiKey::kListGroups, "ListGroups", 0, 5, 3},
    {ApiKey::kSaslHandshake, "SaslHandshake", 0, 1, -1},
    {ApiKey::kApiVersions, "ApiVersions", 0, 4, 3},
    {ApiKey::kCreateTopics, "CreateTopics", 0, 7, 5},
    {ApiKey::kDeleteTopics, "DeleteTopics", 0, 6, 4},
    {ApiKey::kDeleteRecords, "DeleteRecords", 0, 2, 2},
    {ApiKey::kInitProducerId, "InitProducerId", 0, 5, 2},
    {ApiKey::kOffsetForLeaderEpoch, "OffsetForLeaderEpoch", 0, 4, 4},
    {ApiKey::kAddPartitionsToTxn, "AddPartitionsToTxn", 0, 5, 3},
    {ApiKey::kAddOffsetsToTxn, "AddOffsetsToTxn", 0, 4, 3},
    {ApiKey::kEndTxn, "EndTxn", 0, 5, 3},
    {ApiKey::kWriteTxnMarkers, "WriteTxnMarkers", 0, 1, 1},
    {ApiKey::kTxnOffsetCommit, "TxnOffsetCommit", 0, 4, 3},
    {ApiKey::kDescribeAcls, "DescribeAcls", 0, 3, 2},
    {ApiKey::kCreateAcls, "CreateAcls", 0, 3, 2},
    {ApiKey::kDeleteAcls, "DeleteAcls", 0, 3, 2},
    {ApiKey::kDescribeConfigs, "DescribeConfigs", 0, 4, 4},
    {ApiKey::kAlterConfigs, "AlterConfigs", 0, 2, 2},
    {ApiKey::kAlterReplicaLogDirs, "AlterReplicaLogDirs", 0, 2, 2},
    {ApiKey::kDescribeLogDirs, "DescribeLogDirs", 0, 4, 2},
    {ApiKey::kSaslAuthenticate, "SaslAuthenticate", 0, 2, 2},
    {ApiKey::kCreatePartitions, "CreatePartitions", 0, 3, 2},
    {ApiKey::kCreateDelegationToken, "CreateDelegationToken", 0, 3, 2},
    {ApiKey::kRenewDelegationToken, "RenewDelegationToken", 0, 2, 2},
    {ApiKey::kExpireDelegationToken, "ExpireDelegationToken", 0, 2, 2},
    {ApiKey::kDescribeDelegationToken, "DescribeDelegationToken", 0, 3, 2},
    {ApiKey::kDeleteGroups, "DeleteGroups", 0, 2, 2},
    {ApiKey::kElectLeaders, "ElectLeaders", 0, 2, 2},
    {ApiKey::kIncrementalAlterConfigs, "IncrementalAlterConfigs", 0, 1, 1},
    {ApiKey::kAlterPartitionReassignments, "AlterPartitionReassignments", 0, 0, 0},
    {ApiKey::kListPartitionReassignments, "ListPartitionReassignments", 0, 0, 0},
    {ApiKey::kOffsetDelete, "OffsetDelete", 0, 0, -1},
    {ApiKey::kDescribeClientQuotas, "DescribeClientQuotas", 0, 1, 1},
    {ApiKey::kAlterClientQuotas, "AlterClientQuotas", 0, 1, 1},
    {ApiKey::kDescribeUserScramCredentials, "DescribeUserScramCredentials", 0, 0, 0},
    {ApiKey::kAlterUserScramCredentials, "AlterUserScramCredentials", 0, 0, 0},
    {ApiKey::kVote, "Vote", 0, 1, 0},
    {ApiKey::kBeginQuorumEpoch, "BeginQuorumEpoch", 0, 1, 1},
    {ApiKey::kEndQuorumEpoch, "EndQuorumEpoch", 0, 1, 1},
    {ApiKey::kDescribeQuorum, "DescribeQuorum", 0, 2, 0},
    {ApiKey::kAlterPartition, "AlterPartition", 0, 3, 0},
    {ApiKey::kUpdateFeatures, "UpdateFeatures", 0, 2, 0},
    {ApiKey::kEnvelope, "Envelope", 0, 0, 0},
    {ApiKey::kFetchSnapshot, "FetchSnapshot", 0, 1, 0},
    {ApiKey::kDescribeCluster, "DescribeCluster", 0, 1, 0},
    {ApiKey::kDescribeProducers, "DescribeProducers", 0, 0, 0},
    {ApiKey::kBrokerRegistration, "BrokerRegistration", 0, 4, 0},
    {ApiKey::kBrokerHeartbeat, "BrokerHeartbeat", 0, 1, 0},
    {ApiKey::kUnregisterBroker, "UnregisterBroker", 0, 0, 0},
    {ApiKey::kDescribeTransactions, "DescribeTransactions", 0, 0, 0},
    {ApiKey::kListTransactions, "ListTransactions", 0, 1, 0},
    {ApiKey::kAllocateProducerIds, "AllocateProducerIds", 0, 0, 0},
    {ApiKey::kConsumerGroupHeartbeat, "ConsumerGroupHeartbeat", 0, 1, 0},
    {ApiKey::kConsumerGroupDescribe, "ConsumerGroupDescribe", 0, 0, 0},
    {ApiKey::kControllerRegistration, "ControllerRegistration", 0, 0, 0},
    {ApiKey::kGetTelemetrySubscriptions, "GetTelemetrySubscriptions", 0, 0, 0},
    {ApiKey::kPushTelemetry, "PushTelemetry", 0, 0, 0},
    {ApiKey::kAssignReplicasToDirs, "AssignReplicasToDirs", 0, 0, 0},
    {ApiKey::kListClientMetricsResources, "ListClientMetricsResources", 0, 0, 0},
    {ApiKey::kDescribeTopicPartitions, "DescribeTopicPartitions", 0, 0, 0},
    {ApiKey::kShareGroupHeartbeat, "ShareGroupHeartbeat", 0, 0, 0},
    {ApiKey::kShareGroupDescribe, "ShareGroupDescribe", 0, 0, 0},
    {ApiKey::kShareFetch, "ShareFetch", 0, 0, 0},
    {ApiKey::kShareAcknowledge, "ShareAcknowledge", 0, 0, 0},
    {ApiKey::kAddRaftVoter, "AddRaftVoter", 0, 0, 0},
    {ApiKey::kRemoveRaftVoter, "RemoveRaftVoter", 0, 0, 0},
    {ApiKey::kUpdateRaftVoter, "UpdateRaftVoter", 0, 0, 0},
    {ApiKey::kInitializeShareGroupState, "InitializeShareGroupState", 0, 0, 0},
    {ApiKey::kReadShareGroupState, "ReadShareGroupState", 0, 0, 0},
    {ApiKey::kWriteShareGroupState, "WriteShareGroupState", 0, 0, 0},
    {ApiKey::kDeleteShareGroupState, "DeleteShareGroupState", 0, 0, 0},
    {ApiKey::kReadShareGroupStateSummary, "ReadShareGroupStateSummary", 0, 0, 0},};

constexpr bool KeysAreDense() {
  for (size_t i = 0; i < std::size(kApis); ++i) {
    if (size_t(kApis[i].key) != i) return false;
  }
  return true;
}
static_assert(KeysAreDense(), "kApis must be indexed by key");

}  // namespace

std::span<const ApiInfo> AllApis() { return kApis; }

const ApiInfo* FindApi(int16_t key) {
  if (key < 0 || size_t(key) >= std::size(kApis)) return nullptr;
  return &kApis[key];
}

std::optional<ApiKey> ApiKeyFromInt(int16_t key) {
  const ApiInfo* info = FindApi(key);
  if (info == nullptr) return std::nullopt;
  return info->key;
}

std::string_view ApiKeyName(ApiKey key) {
  const ApiInfo* info = FindApi(int16_t(key));
  return info == nullptr ? std::string_view("Unknown") : info->name;
}

bool IsFlexibleVersion(ApiKey key, int16_t api_version) {
  const ApiInfo* info = FindApi(int16_t(key));
  if (info == nullptr || info->first_flexible_version < 0) return false;
  return api_version >= info->first_flexible_version;
}

int16_t RequestHeaderVersion(ApiKey key, int16_t api_version) {
  if (FindApi(int16_t(key)) == nullptr) return -1;
  // ControlledShutdown v0 predates client ids: its header has none.
  if (key == ApiKey::kControlledShutdown && api_version == 0) return 0;
  return IsFlexibleVersion(key, api_version) ? 2 : 1;
}

int16_t ResponseHeaderVersion(ApiKey key, int16_t api_version) {
  if (FindApi(int16_t(key)) == nullptr) return -1;
  // A client reads the ApiVersions response before it knows what the broker supports, so the
  // response header never carries tagged fields.
  if (key == ApiKey::kApiVersions) return 0;
  return IsFlexibleVersion(key, api_version) ? 1 : 0;
}

}  // namespace samsa
