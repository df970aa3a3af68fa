#pragma once
// MetadataImage: the cluster metadata every node derives by replaying the committed KRaft
// metadata log (__cluster_metadata). Controllers and brokers replay the same records into the
// same image; brokers decide their partition roles from it, and ClusterView is built from it.
//
// The image is a plain value (ordered maps only, so iteration order is deterministic). Records
// are applied with Apply() in log order; `offset` is the last applied metadata offset.
//
// Apply rules (Kafka's replay semantics):
//   RegisterBroker    creates or replaces the broker; epoch = record.broker_epoch; fenced and
//                     shutting_down as the record says.
//   UnregisterBroker  removes the broker (epoch must match).
//   Fence/Unfence     set `fenced` (epoch must match); fencing also clears shutting_down.
//   BrokerRegistrationChange  fenced +1/-1/0, in_controlled_shutdown 1 (epoch must match).
//   Topic             adds the topic (name and id must be new).
//   Config            topic configs go to TopicInfo::configs (the topic must exist), others to
//                     resource_configs(); a null value deletes the key.
//   Partition         adds or replaces a partition of an existing topic.
//   PartitionChange   isr/replicas/ELR replaced when present; leader != -2 sets the leader and
//                     bumps leader_epoch (even when the same broker is re-elected); recovery
//                     state != -1 sets it; partition_epoch always bumps.
//   RemoveTopic       removes the topic, its partitions and configs.
//   FeatureLevel      sets (level 0 removes) the feature.  NoOp changes only offset().
// A record that does not apply returns Corruption and leaves the image unchanged (not even
// offset() moves).

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/status.h"
#include "core/controller/metadata_records.h"
#include "core/protocol/wire.h"

namespace samsa {

struct BrokerInfo {
  int32_t id = -1;
  int64_t epoch = -1;        // broker epoch: the metadata offset of its RegisterBrokerRecord
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
  bool fenced = true;
  bool shutting_down = false;
  Uuid incarnation_id;
  // Every listener, in registration order; host/port above are the first one's.
  std::vector<RegisterBrokerRecord::Endpoint> endpoints;
  friend bool operator==(const BrokerInfo&, const BrokerInfo&) = default;
};

struct PartitionInfo {
  int32_t partition = 0;
  std::vector<int32_t> replicas;          // assignment order; replicas[0] is the preferred leader
  std::vector<int32_t> isr;
  std::vector<int32_t> eligible_leaders;  // ELR (KIP-966); empty unless used
  int32_t leader = -1;                    // -1: no leader (offline)
  int32_t leader_epoch = 0;
  int32_t partition_epoch = 0;            // bumps on every change (AlterPartition's check)
  int8_t leader_recovery_state = 0;       // 1 (RECOVERING) after an unclean election
  friend bool operator==(const PartitionInfo&, const PartitionInfo&) = default;
};

struct TopicInfo {
  std::string name;
  Uuid id;
  std::map<int32_t, PartitionInfo> partitions;
  std::map<std::string, std::string> configs;  // topic-level overrides (min.insync.replicas...)
  friend bool operator==(const TopicInfo&, const TopicInfo&) = default;
};

class MetadataImage {
 public:
  // Applies one committed record. A record that contradicts the image (unknown topic id in a
  // PartitionRecord, ...) is Corruption: the log is the truth and a mismatch is a bug.
  Status Apply(const MetadataRecord& record, int64_t offset);

  const std::map<int32_t, BrokerInfo>& brokers() const { return brokers_; }
  const std::map<std::string, TopicInfo>& topics() const { return topics_; }  // by name
  const TopicInfo* FindTopic(std::string_view name) const;
  const TopicInfo* FindTopicById(const Uuid& id) const;
  const PartitionInfo* FindPartition(std::string_view topic, int32_t partition) const;
  const BrokerInfo* FindBroker(int32_t id) const;
  int64_t offset() const { return offset_; }
  // Same content, ignoring offset().
  bool SameContent(const MetadataImage& other) const {
    return brokers_ == other.brokers_ && topics_ == other.topics_ &&
           topic_names_by_id_ == other.topic_names_by_id_ && features_ == other.features_ &&
           resource_configs_ == other.resource_configs_;
  }
  // Finalized feature levels (FeatureLevelRecord), by name.
  const std::map<std::string, int16_t>& features() const { return features_; }
  // Configs of resources other than topics (brokers, the cluster), by (resource type, name).
  const std::map<std::pair<int8_t, std::string>, std::map<std::string, std::string>>&
  resource_configs() const {
    return resource_configs_;
  }

 private:
  Status ApplyRecord(const RegisterBrokerRecord& r);
  Status ApplyRecord(const UnregisterBrokerRecord& r);
  Status ApplyRecord(const TopicRecord& r);
  Status ApplyRecord(const PartitionRecord& r);
  Status ApplyRecord(const ConfigRecord& r);
  Status ApplyRecord(const PartitionChangeRecord& r);
  Status ApplyRecord(const FenceBrokerRecord& r);
  Status ApplyRecord(const UnfenceBrokerRecord& r);
  Status ApplyRecord(const RemoveTopicRecord& r);
  Status ApplyRecord(const FeatureLevelRecord& r);
  Status ApplyRecord(const BrokerRegistrationChangeRecord& r);
  Status ApplyRecord(const NoOpRecord& r);
  BrokerInfo* MutableBroker(int32_t id, int64_t epoch, Status* status);
  TopicInfo* MutableTopicById(const Uuid& id);

  std::map<int32_t, BrokerInfo> brokers_;
  std::map<std::string, TopicInfo> topics_;
  std::map<Uuid, std::string> topic_names_by_id_;
  std::map<std::string, int16_t> features_;
  std::map<std::pair<int8_t, std::string>, std::map<std::string, std::string>> resource_configs_;
  int64_t offset_ = -1;
};

// Topic-level configuration with a cluster default (Kafka's names and parsing: an int for
// min.insync.replicas, "true"/"false" in any case for unclean.leader.election.enable; a
// malformed value falls back to the default).
inline constexpr std::string_view kMinInsyncReplicasConfig = "min.insync.replicas";
inline constexpr std::string_view kUncleanLeaderElectionConfig = "unclean.leader.election.enable";
// A topic config's integer value when it is one within [min, max], else `fallback` (the
// broker's default).
int64_t TopicConfigNumber(const std::map<std::string, std::string>& configs, std::string_view name, int64_t fallback,
                          int64_t min, int64_t max = std::numeric_limits<int64_t>::max());
int32_t TopicMinInsyncReplicas(const TopicInfo& topic, int32_t cluster_default);
bool TopicUncleanLeaderElection(const TopicInfo& topic, bool cluster_default);

}  // namespace samsa
