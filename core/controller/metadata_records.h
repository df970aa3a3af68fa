#pragma once
// KRaft metadata records: the entries of the __cluster_metadata log, in Kafka's own framing
// (MetadataRecordSerde / AbstractApiMessageSerde), so a samsa metadata log reads like Kafka's.
//
// FRAME (one record value; the record key of the enclosing RecordBatch record is unused):
//
//   frame_version   UNSIGNED_VARINT   always 1 (Kafka's 2.8 preview used 0: rejected, as in Kafka)
//   api_key         UNSIGNED_VARINT   the record type (MetadataRecordType below)
//   version         UNSIGNED_VARINT   the record's schema version
//   body            the record's fields in Kafka's flexible encoding: STRING is COMPACT_STRING,
//                   []T is COMPACT_ARRAY (N+1, 0 = null), UUID is 16 raw bytes, each struct
//                   (the record and every nested element) ends with a tagged-field section.
//                   A tagged field is written only when it differs from its default.
//
// BODIES (type key, versions; "tag N" = tagged field N, "vK+" = present from version K):
//
//   RegisterBrokerRecord (0, v0-3)
//     broker_id INT32, is_migrating_zk_broker BOOLEAN (v2+), incarnation_id UUID,
//     broker_epoch INT64,
//     end_points []{ name STRING, host STRING, port UINT16, security_protocol INT16, tags },
//     features []{ name STRING, min_supported_version INT16, max_supported_version INT16, tags },
//     rack NULLABLE STRING, fenced BOOLEAN, in_controlled_shutdown BOOLEAN (v1+),
//     tags: 0 = log_dirs []UUID (v3+)
//   UnregisterBrokerRecord (1, v0)      broker_id INT32, broker_epoch INT64, tags
//   TopicRecord (2, v0)                 name STRING, topic_id UUID, tags
//   PartitionRecord (3, v0-2)
//     partition_id INT32, topic_id UUID, replicas []INT32, isr []INT32,
//     removing_replicas []INT32, adding_replicas []INT32, leader INT32, leader_epoch INT32,
//     partition_epoch INT32, directories []UUID (v1+),
//     tags: 0 = leader_recovery_state INT8 (default 0),
//           1 = eligible_leader_replicas NULLABLE []INT32 (v2+), 2 = last_known_elr (v2+)
//   ConfigRecord (4, v0)                resource_type INT8, resource_name STRING, name STRING,
//                                       value NULLABLE STRING, tags
//   PartitionChangeRecord (5, v0-2)
//     partition_id INT32, topic_id UUID,
//     tags: 0 = isr NULLABLE []INT32, 1 = leader INT32 (default -2 = no change),
//           2 = replicas, 3 = removing_replicas, 4 = adding_replicas (NULLABLE []INT32),
//           5 = leader_recovery_state INT8 (default -1 = no change),
//           6 = eligible_leader_replicas (v2+), 7 = last_known_elr (v2+) NULLABLE []INT32,
//           8 = directories NULLABLE []UUID (v1+)
//   FenceBrokerRecord (7, v0)           id INT32, epoch INT64, tags
//   UnfenceBrokerRecord (8, v0)         id INT32, epoch INT64, tags
//   RemoveTopicRecord (9, v0)           topic_id UUID, tags
//   FeatureLevelRecord (12, v0)         name STRING, feature_level INT16, tags
//   BrokerRegistrationChangeRecord (17, v0-2)
//     broker_id INT32, broker_epoch INT64,
//     tags: 0 = fenced INT8 (1 fence, -1 unfence, 0 no change),
//           1 = in_controlled_shutdown INT8 (v1+; 1 = entering), 2 = log_dirs []UUID (v2+)
//   NoOpRecord (20, v0)                 tags only
//
// Encoding picks the lowest version that carries every field set (so a record round-trips
// exactly); decoding accepts every version listed. Unknown tagged fields are skipped on decode
// (not preserved). Decoding is bounds-checked and exact: a truncated or malformed input, an
// unknown frame version, record type or version, or trailing bytes return a non-ok Status.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/wire.h"

namespace samsa {

inline constexpr uint32_t kMetadataFrameVersion = 1;

enum class MetadataRecordType : int16_t {
  kRegisterBroker = 0,
  kUnregisterBroker = 1,
  kTopic = 2,
  kPartition = 3,
  kConfig = 4,
  kPartitionChange = 5,
  kFenceBroker = 7,
  kUnfenceBroker = 8,
  kRemoveTopic = 9,
  kFeatureLevel = 12,
  kBrokerRegistrationChange = 17,
  kNoOp = 20,
};

// Kafka's ConfigResource.Type values, as carried in ConfigRecord.resource_type.
inline constexpr int8_t kConfigResourceTopic = 2;
inline constexpr int8_t kConfigResourceBroker = 4;

// PartitionChangeRecord.leader: -2 leaves the leader unchanged, -1 means "no leader".
inline constexpr int32_t kNoLeaderChange = -2;
inline constexpr int32_t kNoLeader = -1;
// Leader recovery states (PartitionRecord / PartitionChangeRecord / AlterPartition).
inline constexpr int8_t kLeaderRecovered = 0;
inline constexpr int8_t kLeaderRecovering = 1;
inline constexpr int8_t kLeaderRecoveryNoChange = -1;

struct RegisterBrokerRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kRegisterBroker;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 3;
  struct Endpoint {
    std::string name;
    std::string host;
    uint16_t port = 0;
    int16_t security_protocol = 0;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
  };
  struct Feature {
    std::string name;
    int16_t min_supported_version = 0;
    int16_t max_supported_version = 0;
    friend bool operator==(const Feature&, const Feature&) = default;
  };
  int32_t broker_id = 0;
  bool is_migrating_zk_broker = false;  // v2+
  Uuid incarnation_id;
  int64_t broker_epoch = 0;
  std::vector<Endpoint> end_points;
  std::vector<Feature> features;
  std::optional<std::string> rack;
  bool fenced = true;
  bool in_controlled_shutdown = false;  // v1+
  std::vector<Uuid> log_dirs;           // v3+, tag 0

  int16_t EncodeVersion() const;
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const RegisterBrokerRecord&, const RegisterBrokerRecord&) = default;
};

struct UnregisterBrokerRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kUnregisterBroker;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  int32_t broker_id = 0;
  int64_t broker_epoch = 0;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const UnregisterBrokerRecord&, const UnregisterBrokerRecord&) = default;
};

struct TopicRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kTopic;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  std::string name;
  Uuid topic_id;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const TopicRecord&, const TopicRecord&) = default;
};

struct PartitionRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kPartition;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;
  int32_t partition_id = -1;
  Uuid topic_id;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::vector<int32_t> removing_replicas;
  std::vector<int32_t> adding_replicas;
  int32_t leader = -1;
  int8_t leader_recovery_state = 0;  // tag 0
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
  std::vector<Uuid> directories;                                 // v1+
  std::optional<std::vector<int32_t>> eligible_leader_replicas;  // v2+, tag 1
  std::optional<std::vector<int32_t>> last_known_elr;            // v2+, tag 2

  int16_t EncodeVersion() const;
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const PartitionRecord&, const PartitionRecord&) = default;
};

struct ConfigRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kConfig;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  int8_t resource_type = kConfigResourceTopic;
  std::string resource_name;
  std::string name;
  std::optional<std::string> value;  // null deletes the config

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const ConfigRecord&, const ConfigRecord&) = default;
};

struct PartitionChangeRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kPartitionChange;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;
  int32_t partition_id = -1;
  Uuid topic_id;
  std::optional<std::vector<int32_t>> isr;                       // tag 0
  int32_t leader = kNoLeaderChange;                              // tag 1
  std::optional<std::vector<int32_t>> replicas;                  // tag 2
  std::optional<std::vector<int32_t>> removing_replicas;         // tag 3
  std::optional<std::vector<int32_t>> adding_replicas;           // tag 4
  int8_t leader_recovery_state = kLeaderRecoveryNoChange;        // tag 5
  std::optional<std::vector<int32_t>> eligible_leader_replicas;  // v2+, tag 6
  std::optional<std::vector<int32_t>> last_known_elr;            // v2+, tag 7
  std::optional<std::vector<Uuid>> directories;                  // v1+, tag 8

  int16_t EncodeVersion() const;
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const PartitionChangeRecord&, const PartitionChangeRecord&) = default;
};

struct FenceBrokerRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kFenceBroker;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  int32_t id = 0;
  int64_t epoch = 0;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const FenceBrokerRecord&, const FenceBrokerRecord&) = default;
};

struct UnfenceBrokerRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kUnfenceBroker;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  int32_t id = 0;
  int64_t epoch = 0;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const UnfenceBrokerRecord&, const UnfenceBrokerRecord&) = default;
};

struct RemoveTopicRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kRemoveTopic;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  Uuid topic_id;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const RemoveTopicRecord&, const RemoveTopicRecord&) = default;
};

struct FeatureLevelRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kFeatureLevel;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;
  std::string name;
  int16_t feature_level = 0;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const FeatureLevelRecord&, const FeatureLevelRecord&) = default;
};

struct BrokerRegistrationChangeRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kBrokerRegistrationChange;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 2;
  int32_t broker_id = 0;
  int64_t broker_epoch = 0;
  int8_t fenced = 0;                  // tag 0: 1 fence, -1 unfence, 0 no change
  int8_t in_controlled_shutdown = 0;  // v1+, tag 1: 1 entering controlled shutdown
  std::vector<Uuid> log_dirs;         // v2+, tag 2

  int16_t EncodeVersion() const;
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const BrokerRegistrationChangeRecord&,
                         const BrokerRegistrationChangeRecord&) = default;
};

struct NoOpRecord {
  static constexpr MetadataRecordType kType = MetadataRecordType::kNoOp;
  static constexpr int16_t kMinVersion = 0, kMaxVersion = 0;

  int16_t EncodeVersion() const { return 0; }
  void EncodeBody(WireWriter& w, int16_t version) const;
  void DecodeBody(WireReader& r, int16_t version);
  friend bool operator==(const NoOpRecord&, const NoOpRecord&) = default;
};

using MetadataRecord =
    std::variant<RegisterBrokerRecord, UnregisterBrokerRecord, TopicRecord, PartitionRecord,
                 ConfigRecord, PartitionChangeRecord, FenceBrokerRecord, UnfenceBrokerRecord,
                 RemoveTopicRecord, FeatureLevelRecord, BrokerRegistrationChangeRecord, NoOpRecord>;

MetadataRecordType TypeOf(const MetadataRecord& record);
// Kafka's class name, e.g. "PartitionChangeRecord"; "UnknownRecord" for other keys.
std::string_view MetadataRecordTypeName(MetadataRecordType type);

// Appends the framed record (frame version, api key, version, body) to `out`.
void AppendMetadataRecord(const MetadataRecord& record, Bytes& out);
Bytes EncodeMetadataRecord(const MetadataRecord& record);
// Decodes exactly one framed record occupying all of `data`.
Result<MetadataRecord> DecodeMetadataRecord(ByteView data);

// One line for logs, traces and test failures: "PartitionChangeRecord(topic=..., p=0, leader=2)".
std::string DescribeMetadataRecord(const MetadataRecord& record);

}  // namespace samsa
