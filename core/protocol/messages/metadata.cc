#include "core/protocol/messages/metadata.h"

namespace samsa {

void MetadataRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<MetadataRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (topics || version == 0) {
    const std::vector<Topic> kNone;
    const std::vector<Topic>& list = topics ? *topics : kNone;
    m.Array(list, [&](const Topic& t) {
      if (version >= 10) {
        m.Uuid(t.topic_id);
        m.NullableString(t.name);
      } else {
        m.String(t.name.value_or(""));
      }
      m.EmptyTags();
    });
  } else {
    m.NullableArrayLength(std::nullopt);
  }
  if (version >= 4) m.Bool(allow_auto_topic_creation);
  if (version >= 8 && version <= 10) m.Bool(include_cluster_authorized_operations);
  if (version >= 8) m.Bool(include_topic_authorized_operations);
  m.Tags(unknown_tagged_fields);
}

void MetadataRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  auto read_topic = [&](Topic* t) {
    if (version >= 10) {
      t->topic_id = m.Uuid("topic_id");
      t->name = m.NullableString("name");
    } else {
      t->name = m.String("name");
    }
    m.Tags(nullptr);
  };
  if (version >= 1) {
    topics = m.NullableArray<Topic>("topics", 1, read_topic);
  } else {
    topics = m.Array<Topic>("topics", 2, read_topic);
  }
  if (version >= 4) allow_auto_topic_creation = m.Bool("allow_auto_topic_creation");
  if (version >= 8 && version <= 10) {
    include_cluster_authorized_operations = m.Bool("include_cluster_authorized_operations");
  }
  if (version >= 8) {
    include_topic_authorized_operations = m.Bool("include_topic_authorized_operations");
  }
  m.Tags(&unknown_tagged_fields);
}

Result<MetadataRequest> MetadataRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<MetadataRequest>(body, version);
}

void MetadataResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<MetadataResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) m.Int32(throttle_time_ms);
  m.Array(brokers, [&](const Broker& b) {
    m.Int32(b.node_id);
    m.String(b.host);
    m.Int32(b.port);
    if (version >= 1) m.NullableString(b.rack);
    m.EmptyTags();
  });
  if (version >= 2) m.NullableString(cluster_id);
  if (version >= 1) m.Int32(controller_id);
  m.Array(topics, [&](const Topic& t) {
    m.Int16(t.error_code);
    if (version >= 12) {
      m.NullableString(t.name);
    } else {
      m.String(t.name.value_or(""));
    }
    if (version >= 10) m.Uuid(t.topic_id);
    if (version >= 1) m.Bool(t.is_internal);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int16(p.error_code);
      m.Int32(p.partition_index);
      m.Int32(p.leader_id);
      if (version >= 7) m.Int32(p.leader_epoch);
      m.Int32Array(p.replica_nodes);
      m.Int32Array(p.isr_nodes);
      if (version >= 5) m.Int32Array(p.offline_replicas);
      m.EmptyTags();
    });
    if (version >= 8) m.Int32(t.topic_authorized_operations);
    m.EmptyTags();
  });
  if (version >= 8 && version <= 10) m.Int32(cluster_authorized_operations);
  m.Tags(unknown_tagged_fields);
}

void MetadataResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) throttle_time_ms = m.Int32("throttle_time_ms");
  brokers = m.Array<Broker>("brokers", 8, [&](Broker* b) {
    b->node_id = m.Int32("node_id");
    b->host = m.String("host");
    b->port = m.Int32("port");
    if (version >= 1) b->rack = m.NullableString("rack");
    m.Tags(nullptr);
  });
  if (version >= 2) cluster_id = m.NullableString("cluster_id");
  if (version >= 1) controller_id = m.Int32("controller_id");
  topics = m.Array<Topic>("topics", 4, [&](Topic* t) {
    t->error_code = m.Int16("error_code");
    if (version >= 12) {
      t->name = m.NullableString("name");
    } else {
      t->name = m.String("name");
    }
    if (version >= 10) t->topic_id = m.Uuid("topic_id");
    if (version >= 1) t->is_internal = m.Bool("is_internal");
    t->partitions = m.Array<Partition>("partitions", 12, [&](Partition* p) {
      p->error_code = m.Int16("error_code");
      p->partition_index = m.Int32("partition_index");
      p->leader_id = m.Int32("leader_id");
      if (version >= 7) p->leader_epoch = m.Int32("leader_epoch");
      p->replica_nodes = m.Int32Array("replica_nodes");
      p->isr_nodes = m.Int32Array("isr_nodes");
      if (version >= 5) p->offline_replicas = m.Int32Array("offline_replicas");
      m.Tags(nullptr);
    });
    if (version >= 8) t->topic_authorized_operations = m.Int32("topic_authorized_operations");
    m.Tags(nullptr);
  });
  if (version >= 8 && version <= 10) {
    cluster_authorized_operations = m.Int32("cluster_authorized_operations");
  }
  m.Tags(&unknown_tagged_fields);
}

Result<MetadataResponse> MetadataResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<MetadataResponse>(body, version);
}

}  // namespace samsa
