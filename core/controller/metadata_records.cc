#include "core/controller/metadata_records.h"

#include <sstream>
#include <type_traits>
#include <utility>

#include "core/base/varint.h"

namespace samsa {
namespace {

// ---- field helpers (flexible encoding) ----

void WriteInt32Array(WireWriter& w, const std::vector<int32_t>& v) {
  w.WriteCompactArrayLength(int32_t(v.size()));
  for (int32_t x : v) w.WriteInt32(x);
}

void WriteNullableInt32Array(WireWriter& w, const std::optional<std::vector<int32_t>>& v) {
  if (!v) {
    w.WriteCompactArrayLength(-1);
    return;
  }
  WriteInt32Array(w, *v);
}

void WriteUuidArray(WireWriter& w, const std::vector<Uuid>& v) {
  w.WriteCompactArrayLength(int32_t(v.size()));
  for (const Uuid& u : v) w.WriteUuid(u);
}

std::vector<int32_t> ReadInt32Array(WireReader& r, const char* field) {
  int32_t n = r.ReadCompactArrayLength(field, 4);
  std::vector<int32_t> v;
  if (!r.ok()) return v;
  v.reserve(size_t(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) v.push_back(r.ReadInt32(field));
  return v;
}

std::optional<std::vector<int32_t>> ReadNullableInt32Array(WireReader& r, const char* field) {
  std::optional<int32_t> n = r.ReadCompactNullableArrayLength(field, 4);
  if (!r.ok() || !n) return std::nullopt;
  std::vector<int32_t> v;
  v.reserve(size_t(*n));
  for (int32_t i = 0; i < *n && r.ok(); ++i) v.push_back(r.ReadInt32(field));
  return v;
}

std::vector<Uuid> ReadUuidArray(WireReader& r, const char* field) {
  int32_t n = r.ReadCompactArrayLength(field, Uuid::kBytes);
  std::vector<Uuid> v;
  if (!r.ok()) return v;
  v.reserve(size_t(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) v.push_back(r.ReadUuid(field));
  return v;
}

std::optional<std::vector<Uuid>> ReadNullableUuidArray(WireReader& r, const char* field) {
  std::optional<int32_t> n = r.ReadCompactNullableArrayLength(field, Uuid::kBytes);
  if (!r.ok() || !n) return std::nullopt;
  std::vector<Uuid> v;
  v.reserve(size_t(*n));
  for (int32_t i = 0; i < *n && r.ok(); ++i) v.push_back(r.ReadUuid(field));
  return v;
}

// Collects tagged fields in ascending tag order, each encoded by `encode(WireWriter&)`.
class TagBuilder {
 public:
  template <typename F>
  void Add(uint32_t tag, F&& encode) {
    TaggedField f;
    f.tag = tag;
    WireWriter w(f.data);
    encode(w);
    fields_.push_back(std::move(f));
  }
  void WriteTo(WireWriter& w) const { w.WriteTaggedFields(fields_); }

 private:
  TaggedFields fields_;
};

// Reads a tagged-field section with no known tags (unknown ones are skipped).
void SkipTaggedFields(WireReader& r) {
  r.ReadTaggedFields([](uint32_t, WireReader&) { return false; }, nullptr, "tagged_fields");
}

template <typename T>
std::string JoinIds(const std::vector<T>& v) {
  std::ostringstream os;
  os << "[";
  for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
  os << "]";
  return os.str();
}

}  // namespace

// ---- RegisterBrokerRecord ----

int16_t RegisterBrokerRecord::EncodeVersion() const {
  if (!log_dirs.empty()) return 3;
  if (is_migrating_zk_broker) return 2;
  return 1;
}

void RegisterBrokerRecord::EncodeBody(WireWriter& w, int16_t version) const {
  w.WriteInt32(broker_id);
  if (version >= 2) w.WriteBool(is_migrating_zk_broker);
  w.WriteUuid(incarnation_id);
  w.WriteInt64(broker_epoch);
  w.WriteCompactArrayLength(int32_t(end_points.size()));
  for (const Endpoint& e : end_points) {
    w.WriteCompactString(e.name);
    w.WriteCompactString(e.host);
    w.WriteUint16(e.port);
    w.WriteInt16(e.security_protocol);
    w.WriteEmptyTaggedFields();
  }
  w.WriteCompactArrayLength(int32_t(features.size()));
  for (const Feature& f : features) {
    w.WriteCompactString(f.name);
    w.WriteInt16(f.min_supported_version);
    w.WriteInt16(f.max_supported_version);
    w.WriteEmptyTaggedFields();
  }
  w.WriteCompactNullableString(rack);
  w.WriteBool(fenced);
  if (version >= 1) w.WriteBool(in_controlled_shutdown);
  TagBuilder tags;
  if (version >= 3 && !log_dirs.empty()) {
    tags.Add(0, [&](WireWriter& t) { WriteUuidArray(t, log_dirs); });
  }
  tags.WriteTo(w);
}

void RegisterBrokerRecord::DecodeBody(WireReader& r, int16_t version) {
  broker_id = r.ReadInt32("broker_id");
  if (version >= 2) is_migrating_zk_broker = r.ReadBool("is_migrating_zk_broker");
  incarnation_id = r.ReadUuid("incarnation_id");
  broker_epoch = r.ReadInt64("broker_epoch");
  // Smallest endpoint: two empty strings (1+1), port 2, protocol 2, tags 1.
  int32_t n = r.ReadCompactArrayLength("end_points", 7);
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    Endpoint e;
    e.name = r.ReadCompactString("end_points.name");
    e.host = r.ReadCompactString("end_points.host");
    e.port = r.ReadUint16("end_points.port");
    e.security_protocol = r.ReadInt16("end_points.security_protocol");
    SkipTaggedFields(r);
    end_points.push_back(std::move(e));
  }
  n = r.ReadCompactArrayLength("features", 6);
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    Feature f;
    f.name = r.ReadCompactString("features.name");
    f.min_supported_version = r.ReadInt16("features.min_supported_version");
    f.max_supported_version = r.ReadInt16("features.max_supported_version");
    SkipTaggedFields(r);
    features.push_back(std::move(f));
  }
  rack = r.ReadCompactNullableString("rack");
  fenced = r.ReadBool("fenced");
  if (version >= 1) in_controlled_shutdown = r.ReadBool("in_controlled_shutdown");
  r.ReadTaggedFields(
      [&](uint32_t tag, WireReader& sub) {
        if (tag == 0 && version >= 3) {
          log_dirs = ReadUuidArray(sub, "log_dirs");
          return true;
        }
        return false;
      },
      nullptr, "tagged_fields");
}

// ---- UnregisterBrokerRecord ----

void UnregisterBrokerRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteInt32(broker_id);
  w.WriteInt64(broker_epoch);
  w.WriteEmptyTaggedFields();
}

void UnregisterBrokerRecord::DecodeBody(WireReader& r, int16_t) {
  broker_id = r.ReadInt32("broker_id");
  broker_epoch = r.ReadInt64("broker_epoch");
  SkipTaggedFields(r);
}

// ---- TopicRecord ----

void TopicRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteCompactString(name);
  w.WriteUuid(topic_id);
  w.WriteEmptyTaggedFields();
}

void TopicRecord::DecodeBody(WireReader& r, int16_t) {
  name = r.ReadCompactString("name");
  topic_id = r.ReadUuid("topic_id");
  SkipTaggedFields(r);
}

// ---- PartitionRecord ----

int16_t PartitionRecord::EncodeVersion() const {
  if (eligible_leader_replicas || last_known_elr) return 2;
  if (!directories.empty()) return 1;
  return 0;
}

void PartitionRecord::EncodeBody(WireWriter& w, int16_t version) const {
  w.WriteInt32(partition_id);
  w.WriteUuid(topic_id);
  WriteInt32Array(w, replicas);
  WriteInt32Array(w, isr);
  WriteInt32Array(w, removing_replicas);
  WriteInt32Array(w, adding_replicas);
  w.WriteInt32(leader);
  w.WriteInt32(leader_epoch);
  w.WriteInt32(partition_epoch);
  if (version >= 1) WriteUuidArray(w, directories);
  TagBuilder tags;
  if (leader_recovery_state != 0) {
    tags.Add(0, [&](WireWriter& t) { t.WriteInt8(leader_recovery_state); });
  }
  if (version >= 2 && eligible_leader_replicas) {
    tags.Add(1, [&](WireWriter& t) { WriteNullableInt32Array(t, eligible_leader_replicas); });
  }
  if (version >= 2 && last_known_elr) {
    tags.Add(2, [&](WireWriter& t) { WriteNullableInt32Array(t, last_known_elr); });
  }
  tags.WriteTo(w);
}

void PartitionRecord::DecodeBody(WireReader& r, int16_t version) {
  partition_id = r.ReadInt32("partition_id");
  topic_id = r.ReadUuid("topic_id");
  replicas = ReadInt32Array(r, "replicas");
  isr = ReadInt32Array(r, "isr");
  removing_replicas = ReadInt32Array(r, "removing_replicas");
  adding_replicas = ReadInt32Array(r, "adding_replicas");
  leader = r.ReadInt32("leader");
  leader_epoch = r.ReadInt32("leader_epoch");
  partition_epoch = r.ReadInt32("partition_epoch");
  if (version >= 1) directories = ReadUuidArray(r, "directories");
  r.ReadTaggedFields(
      [&](uint32_t tag, WireReader& sub) {
        switch (tag) {
          case 0:
            leader_recovery_state = sub.ReadInt8("leader_recovery_state");
            return true;
          case 1:
            if (version < 2) return false;
            eligible_leader_replicas = ReadNullableInt32Array(sub, "eligible_leader_replicas");
            return true;
          case 2:
            if (version < 2) return false;
            last_known_elr = ReadNullableInt32Array(sub, "last_known_elr");
            return true;
          default:
            return false;
        }
      },
      nullptr, "tagged_fields");
}

// ---- ConfigRecord ----

void ConfigRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteInt8(resource_type);
  w.WriteCompactString(resource_name);
  w.WriteCompactString(name);
  w.WriteCompactNullableString(value);
  w.WriteEmptyTaggedFields();
}

void ConfigRecord::DecodeBody(WireReader& r, int16_t) {
  resource_type = r.ReadInt8("resource_type");
  resource_name = r.ReadCompactString("resource_name");
  name = r.ReadCompactString("name");
  value = r.ReadCompactNullableString("value");
  SkipTaggedFields(r);
}

// ---- PartitionChangeRecord ----

int16_t PartitionChangeRecord::EncodeVersion() const {
  if (eligible_leader_replicas || last_known_elr) return 2;
  if (directories) return 1;
  return 0;
}

void PartitionChangeRecord::EncodeBody(WireWriter& w, int16_t version) const {
  w.WriteInt32(partition_id);
  w.WriteUuid(topic_id);
  TagBuilder tags;
  if (isr) tags.Add(0, [&](WireWriter& t) { WriteInt32Array(t, *isr); });
  if (leader != kNoLeaderChange) tags.Add(1, [&](WireWriter& t) { t.WriteInt32(leader); });
  if (replicas) tags.Add(2, [&](WireWriter& t) { WriteInt32Array(t, *replicas); });
  if (removing_replicas)
    tags.Add(3, [&](WireWriter& t) { WriteInt32Array(t, *removing_replicas); });
  if (adding_replicas) tags.Add(4, [&](WireWriter& t) { WriteInt32Array(t, *adding_replicas); });
  if (leader_recovery_state != kLeaderRecoveryNoChange) {
    tags.Add(5, [&](WireWriter& t) { t.WriteInt8(leader_recovery_state); });
  }
  if (version >= 2 && eligible_leader_replicas) {
    tags.Add(6, [&](WireWriter& t) { WriteInt32Array(t, *eligible_leader_replicas); });
  }
  if (version >= 2 && last_known_elr) {
    tags.Add(7, [&](WireWriter& t) { WriteInt32Array(t, *last_known_elr); });
  }
  if (version >= 1 && directories) {
    tags.Add(8, [&](WireWriter& t) { WriteUuidArray(t, *directories); });
  }
  tags.WriteTo(w);
}

void PartitionChangeRecord::DecodeBody(WireReader& r, int16_t version) {
  partition_id = r.ReadInt32("partition_id");
  topic_id = r.ReadUuid("topic_id");
  r.ReadTaggedFields(
      [&](uint32_t tag, WireReader& sub) {
        switch (tag) {
          case 0:
            isr = ReadNullableInt32Array(sub, "isr");
            return true;
          case 1:
            leader = sub.ReadInt32("leader");
            return true;
          case 2:
            replicas = ReadNullableInt32Array(sub, "replicas");
            return true;
          case 3:
            removing_replicas = ReadNullableInt32Array(sub, "removing_replicas");
            return true;
          case 4:
            adding_replicas = ReadNullableInt32Array(sub, "adding_replicas");
            return true;
          case 5:
            leader_recovery_state = sub.ReadInt8("leader_recovery_state");
            return true;
          case 6:
            if (version < 2) return false;
            eligible_leader_replicas = ReadNullableInt32Array(sub, "eligible_leader_replicas");
            return true;
          case 7:
            if (version < 2) return false;
            last_known_elr = ReadNullableInt32Array(sub, "last_known_elr");
            return true;
          case 8:
            if (version < 1) return false;
            directories = ReadNullableUuidArray(sub, "directories");
            return true;
          default:
            return false;
        }
      },
      nullptr, "tagged_fields");
}

// ---- Fence / Unfence / RemoveTopic / FeatureLevel / NoOp ----

void FenceBrokerRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteInt32(id);
  w.WriteInt64(epoch);
  w.WriteEmptyTaggedFields();
}

void FenceBrokerRecord::DecodeBody(WireReader& r, int16_t) {
  id = r.ReadInt32("id");
  epoch = r.ReadInt64("epoch");
  SkipTaggedFields(r);
}

void UnfenceBrokerRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteInt32(id);
  w.WriteInt64(epoch);
  w.WriteEmptyTaggedFields();
}

void UnfenceBrokerRecord::DecodeBody(WireReader& r, int16_t) {
  id = r.ReadInt32("id");
  epoch = r.ReadInt64("epoch");
  SkipTaggedFields(r);
}

void RemoveTopicRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteUuid(topic_id);
  w.WriteEmptyTaggedFields();
}

void RemoveTopicRecord::DecodeBody(WireReader& r, int16_t) {
  topic_id = r.ReadUuid("topic_id");
  SkipTaggedFields(r);
}

void FeatureLevelRecord::EncodeBody(WireWriter& w, int16_t) const {
  w.WriteCompactString(name);
  w.WriteInt16(feature_level);
  w.WriteEmptyTaggedFields();
}

void FeatureLevelRecord::DecodeBody(WireReader& r, int16_t) {
  name = r.ReadCompactString("name");
  feature_level = r.ReadInt16("feature_level");
  SkipTaggedFields(r);
}

void NoOpRecord::EncodeBody(WireWriter& w, int16_t) const { w.WriteEmptyTaggedFields(); }

void NoOpRecord::DecodeBody(WireReader& r, int16_t) { SkipTaggedFields(r); }

// ---- BrokerRegistrationChangeRecord ----

int16_t BrokerRegistrationChangeRecord::EncodeVersion() const {
  if (!log_dirs.empty()) return 2;
  if (in_controlled_shutdown != 0) return 1;
  return 0;
}

void BrokerRegistrationChangeRecord::EncodeBody(WireWriter& w, int16_t version) const {
  w.WriteInt32(broker_id);
  w.WriteInt64(broker_epoch);
  TagBuilder tags;
  if (fenced != 0) tags.Add(0, [&](WireWriter& t) { t.WriteInt8(fenced); });
  if (version >= 1 && in_controlled_shutdown != 0) {
    tags.Add(1, [&](WireWriter& t) { t.WriteInt8(in_controlled_shutdown); });
  }
  if (version >= 2 && !log_dirs.empty()) {
    tags.Add(2, [&](WireWriter& t) { WriteUuidArray(t, log_dirs); });
  }
  tags.WriteTo(w);
}

void BrokerRegistrationChangeRecord::DecodeBody(WireReader& r, int16_t version) {
  broker_id = r.ReadInt32("broker_id");
  broker_epoch = r.ReadInt64("broker_epoch");
  r.ReadTaggedFields(
      [&](uint32_t tag, WireReader& sub) {
        if (tag == 0) {
          fenced = sub.ReadInt8("fenced");
          return true;
        }
        if (tag == 1 && version >= 1) {
          in_controlled_shutdown = sub.ReadInt8("in_controlled_shutdown");
          return true;
        }
        if (tag == 2 && version >= 2) {
          log_dirs = ReadUuidArray(sub, "log_dirs");
          return true;
        }
        return false;
      },
      nullptr, "tagged_fields");
}

// ---- framing ----

MetadataRecordType TypeOf(const MetadataRecord& record) {
  return std::visit([](const auto& r) { return std::decay_t<decltype(r)>::kType; }, record);
}

std::string_view MetadataRecordTypeName(MetadataRecordType type) {
  switch (type) {
    case MetadataRecordType::kRegisterBroker:
      return "RegisterBrokerRecord";
    case MetadataRecordType::kUnregisterBroker:
      return "UnregisterBrokerRecord";
    case MetadataRecordType::kTopic:
      return "TopicRecord";
    case MetadataRecordType::kPartition:
      return "PartitionRecord";
    case MetadataRecordType::kConfig:
      return "ConfigRecord";
    case MetadataRecordType::kPartitionChange:
      return "PartitionChangeRecord";
    case MetadataRecordType::kFenceBroker:
      return "FenceBrokerRecord";
    case MetadataRecordType::kUnfenceBroker:
      return "UnfenceBrokerRecord";
    case MetadataRecordType::kRemoveTopic:
      return "RemoveTopicRecord";
    case MetadataRecordType::kFeatureLevel:
      return "FeatureLevelRecord";
    case MetadataRecordType::kBrokerRegistrationChange:
      return "BrokerRegistrationChangeRecord";
    case MetadataRecordType::kNoOp:
      return "NoOpRecord";
  }
  return "UnknownRecord";
}

void AppendMetadataRecord(const MetadataRecord& record, Bytes& out) {
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        const int16_t version = r.EncodeVersion();
        SAMSA_ASSERT(version >= T::kMinVersion && version <= T::kMaxVersion);
        PutUnsignedVarint(out, kMetadataFrameVersion);
        PutUnsignedVarint(out, uint32_t(uint16_t(T::kType)));
        PutUnsignedVarint(out, uint32_t(version));
        WireWriter w(out);
        r.EncodeBody(w, version);
      },
      record);
}

Bytes EncodeMetadataRecord(const MetadataRecord& record) {
  Bytes out;
  AppendMetadataRecord(record, out);
  return out;
}

namespace {

template <typename T>
Result<MetadataRecord> DecodeAs(WireReader& r, uint32_t version) {
  if (version < uint32_t(T::kMinVersion) || version > uint32_t(T::kMaxVersion)) {
    return Status::Unsupported(std::string(MetadataRecordTypeName(T::kType)) + " version " +
                               std::to_string(version) + " is not supported");
  }
  T rec;
  rec.DecodeBody(r, int16_t(version));
  r.ExpectEnd("metadata record");
  if (!r.ok()) {
    return r.status().WithContext(std::string(MetadataRecordTypeName(T::kType)) + " v" +
                                  std::to_string(version));
  }
  return MetadataRecord(std::move(rec));
}

}  // namespace

Result<MetadataRecord> DecodeMetadataRecord(ByteView data) {
  WireReader r(data);
  const uint32_t frame_version = r.ReadUnsignedVarint("frame_version");
  const uint32_t api_key = r.ReadUnsignedVarint("api_key");
  const uint32_t version = r.ReadUnsignedVarint("version");
  if (!r.ok()) return r.status().WithContext("metadata record frame");
  if (frame_version != kMetadataFrameVersion) {
    return Status::Corruption("metadata record frame version " + std::to_string(frame_version) +
                              " (expected 1)");
  }
  switch (api_key) {
    case 0:
      return DecodeAs<RegisterBrokerRecord>(r, version);
    case 1:
      return DecodeAs<UnregisterBrokerRecord>(r, version);
    case 2:
      return DecodeAs<TopicRecord>(r, version);
    case 3:
      return DecodeAs<PartitionRecord>(r, version);
    case 4:
      return DecodeAs<ConfigRecord>(r, version);
    case 5:
      return DecodeAs<PartitionChangeRecord>(r, version);
    case 7:
      return DecodeAs<FenceBrokerRecord>(r, version);
    case 8:
      return DecodeAs<UnfenceBrokerRecord>(r, version);
    case 9:
      return DecodeAs<RemoveTopicRecord>(r, version);
    case 12:
      return DecodeAs<FeatureLevelRecord>(r, version);
    case 17:
      return DecodeAs<BrokerRegistrationChangeRecord>(r, version);
    case 20:
      return DecodeAs<NoOpRecord>(r, version);
    default:
      return Status::Unsupported("metadata record type " + std::to_string(api_key) +
                                 " is not supported");
  }
}

// ---- description ----

std::string DescribeMetadataRecord(const MetadataRecord& record) {
  std::ostringstream os;
  os << MetadataRecordTypeName(TypeOf(record)) << "(";
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, RegisterBrokerRecord>) {
          os << "broker=" << r.broker_id << " epoch=" << r.broker_epoch << " fenced=" << r.fenced;
        } else if constexpr (std::is_same_v<T, UnregisterBrokerRecord>) {
          os << "broker=" << r.broker_id << " epoch=" << r.broker_epoch;
        } else if constexpr (std::is_same_v<T, TopicRecord>) {
          os << "name=" << r.name << " id=" << r.topic_id.ToString();
        } else if constexpr (std::is_same_v<T, PartitionRecord>) {
          os << "topic=" << r.topic_id.ToString() << " p=" << r.partition_id
             << " replicas=" << JoinIds(r.replicas) << " isr=" << JoinIds(r.isr)
             << " leader=" << r.leader << " leader_epoch=" << r.leader_epoch;
        } else if constexpr (std::is_same_v<T, ConfigRecord>) {
          os << "type=" << int(r.resource_type) << " resource=" << r.resource_name << " " << r.name
             << "=" << (r.value ? *r.value : "null");
        } else if constexpr (std::is_same_v<T, PartitionChangeRecord>) {
          os << "topic=" << r.topic_id.ToString() << " p=" << r.partition_id;
          if (r.leader != kNoLeaderChange) os << " leader=" << r.leader;
          if (r.isr) os << " isr=" << JoinIds(*r.isr);
          if (r.replicas) os << " replicas=" << JoinIds(*r.replicas);
          if (r.leader_recovery_state != kLeaderRecoveryNoChange) {
            os << " lrs=" << int(r.leader_recovery_state);
          }
        } else if constexpr (std::is_same_v<T, FenceBrokerRecord> ||
                             std::is_same_v<T, UnfenceBrokerRecord>) {
          os << "broker=" << r.id << " epoch=" << r.epoch;
        } else if constexpr (std::is_same_v<T, RemoveTopicRecord>) {
          os << "id=" << r.topic_id.ToString();
        } else if constexpr (std::is_same_v<T, FeatureLevelRecord>) {
          os << r.name << "=" << r.feature_level;
        } else if constexpr (std::is_same_v<T, BrokerRegistrationChangeRecord>) {
          os << "broker=" << r.broker_id << " epoch=" << r.broker_epoch
             << " fenced=" << int(r.fenced)
             << " in_controlled_shutdown=" << int(r.in_controlled_shutdown);
        }
      },
      record);
  os << ")";
  return os.str();
}

}  // namespace samsa
