#pragma once
// Populated messages for every (api, version) the codec supports, with each field set only in
// the versions that carry it (others keep their defaults). Shared by the messages_* tests.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/messages/dispatch.h"

namespace samsa::testing {

inline ByteView RecordsBlob() {
  static const Bytes kBlob = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0xde, 0xad, 0xbe, 0xef};
  return kBlob;
}

inline Uuid TestUuid(uint64_t n) { return Uuid::FromHalves(0x0123456789abcdefULL, n); }

// Unknown top-level tags (above every tag any of our messages knows), for flexible versions.
template <typename T>
void AddUnknownTags(T* msg, int16_t v) {
  if (!IsFlexibleVersion(T::kApiKey, v)) return;
  msg->unknown_tagged_fields = {TaggedField{9, {0x01, 0x02, 0x03}}, TaggedField{300, {}}};
}

inline ApiVersionsRequest MakeApiVersionsRequest(int16_t v) {
  ApiVersionsRequest m;
  if (v >= 3) {
    m.client_software_name = "samsa-test";
    m.client_software_version = "1.2.3";
  }
  AddUnknownTags(&m, v);
  return m;
}

inline ApiVersionsResponse MakeApiVersionsResponse(int16_t v) {
  ApiVersionsResponse m;
  m.error_code = 0;
  m.api_keys = {{0, 0, 9}, {18, 0, 3}};
  if (v >= 1) m.throttle_time_ms = 5;
  if (v >= 3) {
    m.supported_features = {{"metadata.version", 1, 20}};
    m.finalized_features_epoch = 42;
    m.finalized_features = {{"metadata.version", 20, 1}};
    m.zk_migration_ready = true;
  }
  AddUnknownTags(&m, v);
  return m;
}

inline MetadataRequest MakeMetadataRequest(int16_t v) {
  MetadataRequest m;
  std::vector<MetadataRequest::Topic> topics = {{Uuid(), "orders"}, {Uuid(), "payments"}};
  if (v >= 10) {
    topics[1].topic_id = TestUuid(1);
    topics.push_back({TestUuid(2), std::nullopt});
  }
  m.topics = topics;
  if (v >= 4) m.allow_auto_topic_creation = false;
  if (v >= 8 && v <= 10) m.include_cluster_authorized_operations = true;
  if (v >= 8) m.include_topic_authorized_operations = true;
  AddUnknownTags(&m, v);
  return m;
}

inline MetadataResponse MakeMetadataResponse(int16_t v) {
  MetadataResponse m;
  if (v >= 3) m.throttle_time_ms = 7;
  m.brokers = {{1, "broker-1", 9092, std::nullopt}, {2, "broker-2", 9093, std::nullopt}};
  if (v >= 1) m.brokers[0].rack = "rack-a";
  if (v >= 2) m.cluster_id = "cluster-x";
  if (v >= 1) m.controller_id = 1;
  MetadataResponse::Topic t;
  t.error_code = 0;
  t.name = "orders";
  if (v >= 10) t.topic_id = TestUuid(3);
  if (v >= 1) t.is_internal = true;
  MetadataResponse::Partition p;
  p.partition_index = 0;
  p.leader_id = 1;
  if (v >= 7) p.leader_epoch = 5;
  p.replica_nodes = {1, 2};
  p.isr_nodes = {1};
  if (v >= 5) p.offline_replicas = {2};
  MetadataResponse::Partition p2;
  p2.error_code = 5;
  p2.partition_index = 1;
  p2.leader_id = -1;
  t.partitions = {p, p2};
  if (v >= 8) t.topic_authorized_operations = 0x1234;
  m.topics.push_back(t);
  if (v >= 12) {
    MetadataResponse::Topic unknown;
    unknown.error_code = 100;
    unknown.name = std::nullopt;
    unknown.topic_id = TestUuid(4);
    m.topics.push_back(unknown);
  }
  if (v >= 8 && v <= 10) m.cluster_authorized_operations = 77;
  AddUnknownTags(&m, v);
  return m;
}

inline CreateTopicsRequest MakeCreateTopicsRequest(int16_t v) {
  CreateTopicsRequest m;
  CreateTopicsRequest::Topic t;
  t.name = "orders";
  t.num_partitions = 3;
  t.replication_factor = 2;
  t.assignments = {{0, {1, 2}}, {1, {2, 3}}};
  t.configs = {{"cleanup.policy", "compact"}, {"retention.ms", std::nullopt}};
  CreateTopicsRequest::Topic t2;
  t2.name = "defaults";
  t2.num_partitions = -1;
  t2.replication_factor = -1;
  m.topics = {t, t2};
  m.timeout_ms = 1000;
  if (v >= 1) m.validate_only = true;
  AddUnknownTags(&m, v);
  return m;
}

inline CreateTopicsResponse MakeCreateTopicsResponse(int16_t v) {
  CreateTopicsResponse m;
  if (v >= 2) m.throttle_time_ms = 3;
  CreateTopicsResponse::Topic t;
  t.name = "orders";
  if (v >= 7) t.topic_id = TestUuid(5);
  t.error_code = 36;
  if (v >= 1) t.error_message = "Topic 'orders' already exists.";
  if (v >= 5) {
    t.topic_config_error_code = 29;
    t.num_partitions = 3;
    t.replication_factor = 2;
    t.configs = std::vector<CreateTopicsResponse::Config>{
        {"cleanup.policy", "compact", false, 1, false}, {"secret", std::nullopt, true, 5, true}};
  }
  CreateTopicsResponse::Topic t2;
  t2.name = "other";
  if (v >= 5) t2.configs = std::nullopt;
  m.topics = {t, t2};
  AddUnknownTags(&m, v);
  return m;
}

inline DeleteTopicsRequest MakeDeleteTopicsRequest(int16_t v) {
  DeleteTopicsRequest m;
  if (v >= 6) {
    m.topics = {{"orders", Uuid()}, {std::nullopt, TestUuid(6)}};
  } else {
    m.topic_names = {"orders", "payments"};
  }
  m.timeout_ms = 500;
  AddUnknownTags(&m, v);
  return m;
}

inline DeleteTopicsResponse MakeDeleteTopicsResponse(int16_t v) {
  DeleteTopicsResponse m;
  if (v >= 1) m.throttle_time_ms = 2;
  DeleteTopicsResponse::TopicResult r;
  r.name = "orders";
  if (v >= 6) r.topic_id = TestUuid(7);
  r.error_code = 0;
  if (v >= 5) r.error_message = "fine";
  DeleteTopicsResponse::TopicResult r2;
  r2.name = "missing";
  r2.error_code = 3;
  m.responses = {r, r2};
  if (v >= 6) {
    DeleteTopicsResponse::TopicResult r3;
    r3.name = std::nullopt;
    r3.topic_id = TestUuid(8);
    r3.error_code = 100;
    m.responses.push_back(r3);
  }
  AddUnknownTags(&m, v);
  return m;
}

inline ProduceRequest MakeProduceRequest(int16_t v) {
  ProduceRequest m;
  if (v >= 3) m.transactional_id = "txn-1";
  m.acks = -1;
  m.timeout_ms = 1500;
  m.topic_data = {{"orders", {{0, RecordsBlob()}, {1, std::nullopt}}}, {"empty", {}}};
  AddUnknownTags(&m, v);
  return m;
}

inline ProduceResponse MakeProduceResponse(int16_t v) {
  ProduceResponse m;
  ProduceResponse::Partition p;
  p.index = 0;
  p.base_offset = 100;
  if (v >= 2) p.log_append_time_ms = 1700000000000;
  if (v >= 5) p.log_start_offset = 10;
  if (v >= 8) {
    p.record_errors = {{3, "bad record"}, {4, std::nullopt}};
    p.error_message = "oops";
  }
  ProduceResponse::Partition p2;
  p2.index = 1;
  p2.error_code = 6;
  p2.base_offset = -1;
  m.responses = {{"orders", {p, p2}}};
  if (v >= 1) m.throttle_time_ms = 9;
  AddUnknownTags(&m, v);
  return m;
}

inline FetchRequest MakeFetchRequest(int16_t v) {
  FetchRequest m;
  m.replica_id = -1;
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  if (v >= 3) m.max_bytes = 1 << 20;
  if (v >= 4) m.isolation_level = 1;
  if (v >= 7) {
    m.session_id = 12;
    m.session_epoch = 3;
  }
  FetchRequest::Topic t;
  if (v >= 13) {
    t.topic_id = TestUuid(9);
  } else {
    t.topic = "orders";
  }
  FetchRequest::Partition p;
  p.partition = 0;
  if (v >= 9) p.current_leader_epoch = 4;
  p.fetch_offset = 55;
  if (v >= 12) p.last_fetched_epoch = 3;
  if (v >= 5) p.log_start_offset = 7;
  p.partition_max_bytes = 65536;
  FetchRequest::Partition p2 = p;
  p2.partition = 1;
  p2.fetch_offset = 0;
  t.partitions = {p, p2};
  m.topics = {t};
  if (v >= 7) {
    FetchRequest::ForgottenTopic f;
    if (v >= 13) {
      f.topic_id = TestUuid(10);
    } else {
      f.topic = "old";
    }
    f.partitions = {1, 2};
    m.forgotten_topics_data = {f};
  }
  if (v >= 11) m.rack_id = "rack-a";
  if (v >= 12) m.cluster_id = "cluster-x";
  AddUnknownTags(&m, v);
  return m;
}

inline FetchResponse MakeFetchResponse(int16_t v) {
  FetchResponse m;
  if (v >= 1) m.throttle_time_ms = 1;
  if (v >= 7) {
    m.error_code = 0;
    m.session_id = 12;
  }
  FetchResponse::Topic t;
  if (v >= 13) {
    t.topic_id = TestUuid(11);
  } else {
    t.topic = "orders";
  }
  FetchResponse::Partition p;
  p.partition_index = 0;
  p.high_watermark = 100;
  if (v >= 4) p.last_stable_offset = 90;
  if (v >= 5) p.log_start_offset = 0;
  if (v >= 4) p.aborted_transactions = std::vector<FetchResponse::AbortedTransaction>{{7, 80}};
  if (v >= 11) p.preferred_read_replica = 2;
  p.records = RecordsBlob();
  if (v >= 12) {
    p.diverging_epoch = FetchResponse::EpochEndOffset{3, 60};
    p.current_leader = FetchResponse::LeaderIdAndEpoch{1, 4};
    p.snapshot_id = FetchResponse::SnapshotId{50, 2};
  }
  FetchResponse::Partition p2;
  p2.partition_index = 1;
  p2.error_code = 1;
  p2.high_watermark = -1;
  if (v >= 12) p2.current_leader = FetchResponse::LeaderIdAndEpoch{2, 9};
  t.partitions = {p, p2};
  m.responses = {t};
  AddUnknownTags(&m, v);
  return m;
}

inline ListOffsetsRequest MakeListOffsetsRequest(int16_t v) {
  ListOffsetsRequest m;
  m.replica_id = -1;
  if (v >= 2) m.isolation_level = 1;
  ListOffsetsRequest::Partition p;
  p.partition_index = 0;
  if (v >= 4) p.current_leader_epoch = 5;
  p.timestamp = kListOffsetsLatestTimestamp;
  if (v == 0) p.max_num_offsets = 3;
  ListOffsetsRequest::Partition p2;
  p2.partition_index = 1;
  p2.timestamp = v >= 7 ? kListOffsetsMaxTimestamp : 1700000000000;
  m.topics = {{"orders", {p, p2}}};
  AddUnknownTags(&m, v);
  return m;
}

inline ListOffsetsResponse MakeListOffsetsResponse(int16_t v) {
  ListOffsetsResponse m;
  if (v >= 2) m.throttle_time_ms = 4;
  ListOffsetsResponse::Partition p;
  p.partition_index = 0;
  if (v == 0) p.old_style_offsets = {10, 5};
  if (v >= 1) {
    p.timestamp = 1234;
    p.offset = 99;
  }
  if (v >= 4) p.leader_epoch = 5;
  ListOffsetsResponse::Partition p2;
  p2.partition_index = 1;
  p2.error_code = 6;
  m.topics = {{"orders", {p, p2}}};
  AddUnknownTags(&m, v);
  return m;
}

inline OffsetForLeaderEpochRequest MakeOffsetForLeaderEpochRequest(int16_t v) {
  OffsetForLeaderEpochRequest m;
  if (v >= 3) m.replica_id = 2;
  OffsetForLeaderEpochRequest::Partition p;
  p.partition = 0;
  if (v >= 2) p.current_leader_epoch = 7;
  p.leader_epoch = 6;
  m.topics = {{"orders", {p}}};
  AddUnknownTags(&m, v);
  return m;
}

inline OffsetForLeaderEpochResponse MakeOffsetForLeaderEpochResponse(int16_t v) {
  OffsetForLeaderEpochResponse m;
  if (v >= 2) m.throttle_time_ms = 8;
  OffsetForLeaderEpochResponse::Partition p;
  p.partition = 0;
  if (v >= 1) p.leader_epoch = 6;
  p.end_offset = 120;
  OffsetForLeaderEpochResponse::Partition p2;
  p2.error_code = 75;
  p2.partition = 1;
  m.topics = {{"orders", {p, p2}}};
  AddUnknownTags(&m, v);
  return m;
}

inline VoteRequest MakeVoteRequest(int16_t v) {
  VoteRequest m;
  m.cluster_id = "cluster-x";
  if (v >= 1) m.voter_id = 3;
  VoteRequest::Partition p;
  p.partition_index = 0;
  p.candidate_epoch = 5;
  p.candidate_id = 1;
  if (v >= 1) {
    p.candidate_directory_id = TestUuid(12);
    p.voter_directory_id = TestUuid(13);
  }
  p.last_offset_epoch = 4;
  p.last_offset = 100;
  m.topics = {{"__cluster_metadata", {p}}};
  AddUnknownTags(&m, v);
  return m;
}

inline VoteResponse MakeVoteResponse(int16_t v) {
  VoteResponse m;
  m.topics = {{"__cluster_metadata", {{0, 0, 1, 5, true}}}};
  if (v >= 1) m.node_endpoints = {{1, "controller-1", 9093}, {2, "controller-2", 9094}};
  AddUnknownTags(&m, v);
  return m;
}

inline BeginQuorumEpochRequest MakeBeginQuorumEpochRequest(int16_t v) {
  BeginQuorumEpochRequest m;
  m.cluster_id = "cluster-x";
  if (v >= 1) m.voter_id = 2;
  BeginQuorumEpochRequest::Partition p;
  p.partition_index = 0;
  if (v >= 1) p.voter_directory_id = TestUuid(14);
  p.leader_id = 1;
  p.leader_epoch = 5;
  m.topics = {{"__cluster_metadata", {p}}};
  if (v >= 1) m.leader_endpoints = {{"CONTROLLER", "controller-1", 9093}};
  AddUnknownTags(&m, v);
  return m;
}

template <typename T>
T MakeQuorumEpochResponse(int16_t v) {
  T m;
  m.error_code = 0;
  m.topics = {{"__cluster_metadata", {{0, 0, 1, 5}, {1, 6, -1, 5}}}};
  if (v >= 1) m.node_endpoints = {{1, "controller-1", 9093}};
  AddUnknownTags(&m, v);
  return m;
}

inline EndQuorumEpochRequest MakeEndQuorumEpochRequest(int16_t v) {
  EndQuorumEpochRequest m;
  m.cluster_id = std::nullopt;
  EndQuorumEpochRequest::Partition p;
  p.partition_index = 0;
  p.leader_id = 1;
  p.leader_epoch = 5;
  if (v == 0) p.preferred_successors = {2, 3};
  if (v >= 1) p.preferred_candidates = {{2, TestUuid(15)}, {3, TestUuid(16)}};
  m.topics = {{"__cluster_metadata", {p}}};
  if (v >= 1) m.leader_endpoints = {{"CONTROLLER", "controller-1", 9093}};
  AddUnknownTags(&m, v);
  return m;
}

inline DescribeQuorumRequest MakeDescribeQuorumRequest(int16_t v) {
  DescribeQuorumRequest m;
  m.topics = {{"__cluster_metadata", {0}}};
  AddUnknownTags(&m, v);
  return m;
}

inline DescribeQuorumResponse MakeDescribeQuorumResponse(int16_t v) {
  DescribeQuorumResponse m;
  if (v >= 2) m.error_message = "none";
  auto replica = [&](int32_t id, int64_t leo) {
    DescribeQuorumResponse::ReplicaState s;
    s.replica_id = id;
    if (v >= 2) s.replica_directory_id = TestUuid(uint64_t(100 + id));
    s.log_end_offset = leo;
    if (v >= 1) {
      s.last_fetch_timestamp = 1000 + id;
      s.last_caught_up_timestamp = 900 + id;
    }
    return s;
  };
  DescribeQuorumResponse::Partition p;
  p.partition_index = 0;
  p.leader_id = 1;
  p.leader_epoch = 5;
  p.high_watermark = 100;
  p.current_voters = {replica(1, 100), replica(2, 98)};
  p.observers = {replica(4, 50)};
  m.topics = {{"__cluster_metadata", {p}}};
  if (v >= 2) m.nodes = {{1, {{"CONTROLLER", "controller-1", 9093}}}, {2, {}}};
  AddUnknownTags(&m, v);
  return m;
}

inline BrokerRegistrationRequest MakeBrokerRegistrationRequest(int16_t v) {
  BrokerRegistrationRequest m;
  m.broker_id = 1;
  m.cluster_id = "cluster-x";
  m.incarnation_id = TestUuid(17);
  m.listeners = {{"PLAINTEXT", "broker-1", 9092, 0}, {"SSL", "broker-1", 9094, 1}};
  m.features = {{"metadata.version", 1, 20}};
  m.rack = "rack-a";
  if (v >= 1) m.is_migrating_zk_broker = true;
  if (v >= 2) m.log_dirs = {TestUuid(18), TestUuid(19)};
  if (v >= 3) m.previous_broker_epoch = 7;
  m.lost_data_partitions = {{"orders", 3}, {"ledger", 0}};
  AddUnknownTags(&m, v);
  return m;
}

inline BrokerRegistrationResponse MakeBrokerRegistrationResponse(int16_t v) {
  BrokerRegistrationResponse m;
  m.throttle_time_ms = 1;
  m.error_code = 0;
  m.broker_epoch = 10;
  AddUnknownTags(&m, v);
  return m;
}

inline BrokerHeartbeatRequest MakeBrokerHeartbeatRequest(int16_t v) {
  BrokerHeartbeatRequest m;
  m.broker_id = 1;
  m.broker_epoch = 10;
  m.current_metadata_offset = 500;
  m.want_fence = true;
  if (v >= 1) m.offline_log_dirs = {TestUuid(20)};
  AddUnknownTags(&m, v);
  return m;
}

inline BrokerHeartbeatResponse MakeBrokerHeartbeatResponse(int16_t v) {
  BrokerHeartbeatResponse m;
  m.is_caught_up = true;
  m.is_fenced = false;
  m.should_shut_down = true;
  AddUnknownTags(&m, v);
  return m;
}

inline AlterPartitionRequest MakeAlterPartitionRequest(int16_t v) {
  AlterPartitionRequest m;
  m.broker_id = 1;
  m.broker_epoch = 10;
  AlterPartitionRequest::Topic t;
  if (v >= 2) {
    t.topic_id = TestUuid(21);
  } else {
    t.topic_name = "orders";
  }
  AlterPartitionRequest::Partition p;
  p.partition_index = 0;
  p.leader_epoch = 5;
  if (v <= 2) p.new_isr = {1, 2};
  if (v >= 3) p.new_isr_with_epochs = {{1, 10}, {2, 11}};
  if (v >= 1) p.leader_recovery_state = 1;
  p.partition_epoch = 8;
  t.partitions = {p};
  m.topics = {t};
  AddUnknownTags(&m, v);
  return m;
}

inline AlterPartitionResponse MakeAlterPartitionResponse(int16_t v) {
  AlterPartitionResponse m;
  m.throttle_time_ms = 2;
  AlterPartitionResponse::Topic t;
  if (v >= 2) {
    t.topic_id = TestUuid(22);
  } else {
    t.topic_name = "orders";
  }
  AlterPartitionResponse::Partition p;
  p.partition_index = 0;
  p.leader_id = 1;
  p.leader_epoch = 5;
  p.isr = {1, 2};
  if (v >= 1) p.leader_recovery_state = 1;
  p.partition_epoch = 9;
  t.partitions = {p};
  m.topics = {t};
  AddUnknownTags(&m, v);
  return m;
}

inline RequestBody MakeRequest(ApiKey key, int16_t v) {
  switch (key) {
    case ApiKey::kApiVersions: return MakeApiVersionsRequest(v);
    case ApiKey::kMetadata: return MakeMetadataRequest(v);
    case ApiKey::kCreateTopics: return MakeCreateTopicsRequest(v);
    case ApiKey::kDeleteTopics: return MakeDeleteTopicsRequest(v);
    case ApiKey::kProduce: return MakeProduceRequest(v);
    case ApiKey::kFetch: return MakeFetchRequest(v);
    case ApiKey::kListOffsets: return MakeListOffsetsRequest(v);
    case ApiKey::kOffsetForLeaderEpoch: return MakeOffsetForLeaderEpochRequest(v);
    case ApiKey::kVote: return MakeVoteRequest(v);
    case ApiKey::kBeginQuorumEpoch: return MakeBeginQuorumEpochRequest(v);
    case ApiKey::kEndQuorumEpoch: return MakeEndQuorumEpochRequest(v);
    case ApiKey::kDescribeQuorum: return MakeDescribeQuorumRequest(v);
    case ApiKey::kBrokerRegistration: return MakeBrokerRegistrationRequest(v);
    case ApiKey::kBrokerHeartbeat: return MakeBrokerHeartbeatRequest(v);
    case ApiKey::kAlterPartition: return MakeAlterPartitionRequest(v);
    default: SAMSA_ASSERT_MSG(false, "no test builder for this api");
  }
}

inline ResponseBody MakeResponse(ApiKey key, int16_t v) {
  switch (key) {
    case ApiKey::kApiVersions: return MakeApiVersionsResponse(v);
    case ApiKey::kMetadata: return MakeMetadataResponse(v);
    case ApiKey::kCreateTopics: return MakeCreateTopicsResponse(v);
    case ApiKey::kDeleteTopics: return MakeDeleteTopicsResponse(v);
    case ApiKey::kProduce: return MakeProduceResponse(v);
    case ApiKey::kFetch: return MakeFetchResponse(v);
    case ApiKey::kListOffsets: return MakeListOffsetsResponse(v);
    case ApiKey::kOffsetForLeaderEpoch: return MakeOffsetForLeaderEpochResponse(v);
    case ApiKey::kVote: return MakeVoteResponse(v);
    case ApiKey::kBeginQuorumEpoch: return MakeQuorumEpochResponse<BeginQuorumEpochResponse>(v);
    case ApiKey::kEndQuorumEpoch: return MakeQuorumEpochResponse<EndQuorumEpochResponse>(v);
    case ApiKey::kDescribeQuorum: return MakeDescribeQuorumResponse(v);
    case ApiKey::kBrokerRegistration: return MakeBrokerRegistrationResponse(v);
    case ApiKey::kBrokerHeartbeat: return MakeBrokerHeartbeatResponse(v);
    case ApiKey::kAlterPartition: return MakeAlterPartitionResponse(v);
    default: SAMSA_ASSERT_MSG(false, "no test builder for this api");
  }
}

// Every (api key, version) pair SupportedVersions() advertises.
struct ApiVersionCase {
  ApiKey key;
  int16_t version;
};

inline std::vector<ApiVersionCase> AllSupportedCases() {
  std::vector<ApiVersionCase> out;
  for (const auto& api : SupportedApiVersions()) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      out.push_back({ApiKey(api.api_key), v});
    }
  }
  return out;
}

}  // namespace samsa::testing
