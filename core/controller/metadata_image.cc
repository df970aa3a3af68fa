#include "core/controller/metadata_image.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <variant>

namespace samsa {
namespace {

std::string BrokerText(int32_t id) { return "broker " + std::to_string(id); }

std::string PartitionText(const Uuid& topic_id, int32_t partition) {
  return "partition " + topic_id.ToString() + "-" + std::to_string(partition);
}

bool HasDuplicates(const std::vector<int32_t>& v) {
  std::set<int32_t> seen(v.begin(), v.end());
  return seen.size() != v.size();
}

}  // namespace

Status MetadataImage::Apply(const MetadataRecord& record, int64_t offset) {
  Status s = std::visit([this](const auto& r) { return ApplyRecord(r); }, record);
  if (!s.ok()) {
    return s.WithContext(std::string(MetadataRecordTypeName(TypeOf(record))) + " at offset " +
                         std::to_string(offset));
  }
  offset_ = offset;
  return Status::Ok();
}

const TopicInfo* MetadataImage::FindTopic(std::string_view name) const {
  auto it = topics_.find(std::string(name));
  return it == topics_.end() ? nullptr : &it->second;
}

const TopicInfo* MetadataImage::FindTopicById(const Uuid& id) const {
  auto it = topic_names_by_id_.find(id);
  return it == topic_names_by_id_.end() ? nullptr : FindTopic(it->second);
}

const PartitionInfo* MetadataImage::FindPartition(std::string_view topic, int32_t partition) const {
  const TopicInfo* t = FindTopic(topic);
  if (t == nullptr) return nullptr;
  auto it = t->partitions.find(partition);
  return it == t->partitions.end() ? nullptr : &it->second;
}

const BrokerInfo* MetadataImage::FindBroker(int32_t id) const {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

TopicInfo* MetadataImage::MutableTopicById(const Uuid& id) {
  auto it = topic_names_by_id_.find(id);
  if (it == topic_names_by_id_.end()) return nullptr;
  auto t = topics_.find(it->second);
  SAMSA_ASSERT(t != topics_.end());
  return &t->second;
}

BrokerInfo* MetadataImage::MutableBroker(int32_t id, int64_t epoch, Status* status) {
  auto it = brokers_.find(id);
  if (it == brokers_.end()) {
    *status = Status::Corruption(BrokerText(id) + " is not registered");
    return nullptr;
  }
  if (it->second.epoch != epoch) {
    *status = Status::Corruption(BrokerText(id) + " has epoch " + std::to_string(it->second.epoch) +
                                 ", record names epoch " + std::to_string(epoch));
    return nullptr;
  }
  return &it->second;
}

Status MetadataImage::ApplyRecord(const RegisterBrokerRecord& r) {
  if (r.broker_id < 0)
    return Status::Corruption("negative broker id " + std::to_string(r.broker_id));
  BrokerInfo b;
  b.id = r.broker_id;
  b.epoch = r.broker_epoch;
  if (!r.end_points.empty()) {
    b.host = r.end_points.front().host;
    b.port = r.end_points.front().port;
  }
  b.endpoints = r.end_points;
  b.rack = r.rack;
  b.fenced = r.fenced;
  b.shutting_down = r.in_controlled_shutdown;
  b.incarnation_id = r.incarnation_id;
  brokers_[r.broker_id] = std::move(b);
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const UnregisterBrokerRecord& r) {
  Status s;
  if (MutableBroker(r.broker_id, r.broker_epoch, &s) == nullptr) return s;
  brokers_.erase(r.broker_id);
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const TopicRecord& r) {
  if (r.name.empty()) return Status::Corruption("empty topic name");
  if (r.topic_id.IsZero()) return Status::Corruption("zero topic id for " + r.name);
  if (topics_.count(r.name) != 0) return Status::Corruption("topic " + r.name + " already exists");
  if (topic_names_by_id_.count(r.topic_id) != 0) {
    return Status::Corruption("topic id " + r.topic_id.ToString() + " already exists");
  }
  TopicInfo t;
  t.name = r.name;
  t.id = r.topic_id;
  topics_.emplace(r.name, std::move(t));
  topic_names_by_id_.emplace(r.topic_id, r.name);
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const PartitionRecord& r) {
  TopicInfo* t = MutableTopicById(r.topic_id);
  if (t == nullptr) return Status::Corruption("unknown topic id " + r.topic_id.ToString());
  if (r.partition_id < 0) return Status::Corruption("negative partition id");
  if (r.replicas.empty() || HasDuplicates(r.replicas) || HasDuplicates(r.isr)) {
    return Status::Corruption(PartitionText(r.topic_id, r.partition_id) +
                              ": empty or duplicate replicas/isr");
  }
  PartitionInfo p;
  p.partition = r.partition_id;
  p.replicas = r.replicas;
  p.isr = r.isr;
  p.eligible_leaders = r.eligible_leader_replicas.value_or(std::vector<int32_t>{});
  p.leader = r.leader;
  p.leader_epoch = r.leader_epoch;
  p.partition_epoch = r.partition_epoch;
  p.leader_recovery_state = r.leader_recovery_state;
  t->partitions[r.partition_id] = std::move(p);
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const ConfigRecord& r) {
  std::map<std::string, std::string>* configs = nullptr;
  if (r.resource_type == kConfigResourceTopic) {
    auto it = topics_.find(r.resource_name);
    if (it == topics_.end()) {
      return Status::Corruption("config for unknown topic " + r.resource_name);
    }
    configs = &it->second.configs;
  } else {
    configs = &resource_configs_[{r.resource_type, r.resource_name}];
  }
  if (r.value) {
    (*configs)[r.name] = *r.value;
  } else {
    configs->erase(r.name);
  }
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const PartitionChangeRecord& r) {
  TopicInfo* t = MutableTopicById(r.topic_id);
  if (t == nullptr) return Status::Corruption("unknown topic id " + r.topic_id.ToString());
  auto it = t->partitions.find(r.partition_id);
  if (it == t->partitions.end()) {
    return Status::Corruption("unknown " + PartitionText(r.topic_id, r.partition_id));
  }
  if (r.leader < kNoLeaderChange) {
    return Status::Corruption("invalid leader " + std::to_string(r.leader));
  }
  if ((r.isr && HasDuplicates(*r.isr)) ||
      (r.replicas && (r.replicas->empty() || HasDuplicates(*r.replicas)))) {
    return Status::Corruption(PartitionText(r.topic_id, r.partition_id) +
                              ": empty or duplicate replicas/isr");
  }
  PartitionInfo& p = it->second;
  if (r.replicas) p.replicas = *r.replicas;
  if (r.isr) p.isr = *r.isr;
  if (r.eligible_leader_replicas) p.eligible_leaders = *r.eligible_leader_replicas;
  if (r.leader != kNoLeaderChange) {
    p.leader = r.leader;
    ++p.leader_epoch;
  }
  if (r.leader_recovery_state != kLeaderRecoveryNoChange) {
    p.leader_recovery_state = r.leader_recovery_state;
  }
  ++p.partition_epoch;
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const FenceBrokerRecord& r) {
  Status s;
  BrokerInfo* b = MutableBroker(r.id, r.epoch, &s);
  if (b == nullptr) return s;
  b->fenced = true;
  b->shutting_down = false;
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const UnfenceBrokerRecord& r) {
  Status s;
  BrokerInfo* b = MutableBroker(r.id, r.epoch, &s);
  if (b == nullptr) return s;
  b->fenced = false;
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const RemoveTopicRecord& r) {
  auto it = topic_names_by_id_.find(r.topic_id);
  if (it == topic_names_by_id_.end()) {
    return Status::Corruption("unknown topic id " + r.topic_id.ToString());
  }
  topics_.erase(it->second);
  topic_names_by_id_.erase(it);
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const FeatureLevelRecord& r) {
  if (r.feature_level == 0) {
    features_.erase(r.name);
  } else {
    features_[r.name] = r.feature_level;
  }
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const BrokerRegistrationChangeRecord& r) {
  if (r.fenced < -1 || r.fenced > 1 || r.in_controlled_shutdown < 0 ||
      r.in_controlled_shutdown > 1) {
    return Status::Corruption("invalid fencing or controlled-shutdown change");
  }
  Status s;
  BrokerInfo* b = MutableBroker(r.broker_id, r.broker_epoch, &s);
  if (b == nullptr) return s;
  if (r.fenced == 1) b->fenced = true;
  if (r.fenced == -1) b->fenced = false;
  if (r.in_controlled_shutdown == 1) b->shutting_down = true;
  if (b->fenced) b->shutting_down = false;  // a fenced broker is not in controlled shutdown
  return Status::Ok();
}

Status MetadataImage::ApplyRecord(const NoOpRecord&) { return Status::Ok(); }

int64_t TopicConfigNumber(const std::map<std::string, std::string>& configs, std::string_view name, int64_t fallback,
                          int64_t min, int64_t max) {
  auto it = configs.find(std::string(name));
  if (it == configs.end()) return fallback;
  int64_t v = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) return fallback;
  return v;
}

int32_t TopicMinInsyncReplicas(const TopicInfo& topic, int32_t cluster_default) {
  return int32_t(TopicConfigNumber(topic.configs, kMinInsyncReplicasConfig, cluster_default, 1, INT32_MAX));
}

bool TopicUncleanLeaderElection(const TopicInfo& topic, bool cluster_default) {
  auto it = topic.configs.find(std::string(kUncleanLeaderElectionConfig));
  if (it == topic.configs.end()) return cluster_default;
  std::string v = it->second;
  std::transform(v.begin(), v.end(), v.begin(),
                 [](unsigned char c) { return char(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  if (v == "true") return true;
  if (v == "false") return false;
  return cluster_default;
}

}  // namespace samsa
