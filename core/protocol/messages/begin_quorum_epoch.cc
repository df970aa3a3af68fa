#include "core/protocol/messages/begin_quorum_epoch.h"

namespace samsa {

void BeginQuorumEpochRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<BeginQuorumEpochRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.NullableString(cluster_id);
  if (version >= 1) m.Int32(voter_id);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      if (version >= 1) m.Uuid(p.voter_directory_id);
      m.Int32(p.leader_id);
      m.Int32(p.leader_epoch);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  if (version >= 1) WriteListenerEndpoints(m, leader_endpoints);
  m.Tags(unknown_tagged_fields);
}

void BeginQuorumEpochRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  cluster_id = m.NullableString("cluster_id");
  if (version >= 1) voter_id = m.Int32("voter_id");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<Partition>("partitions", 12, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      if (version >= 1) p->voter_directory_id = m.Uuid("voter_directory_id");
      p->leader_id = m.Int32("leader_id");
      p->leader_epoch = m.Int32("leader_epoch");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  if (version >= 1) leader_endpoints = ReadListenerEndpoints(m);
  m.Tags(&unknown_tagged_fields);
}

Result<BeginQuorumEpochRequest> BeginQuorumEpochRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<BeginQuorumEpochRequest>(body, version);
}

void QuorumEpochResponseData::Write(MessageWriter& m, int16_t version) const {
  m.Int16(error_code);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int16(p.error_code);
      m.Int32(p.leader_id);
      m.Int32(p.leader_epoch);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  TagWriter tags;
  if (version >= 1 && !node_endpoints.empty()) {
    tags.Add(0, [&](MessageWriter& t) { WriteNodeEndpoints(t, node_endpoints); });
  }
  tags.Finish(m, &unknown_tagged_fields);
}

void QuorumEpochResponseData::Read(MessageReader& m, int16_t version) {
  error_code = m.Int16("error_code");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<Partition>("partitions", 14, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->error_code = m.Int16("error_code");
      p->leader_id = m.Int32("leader_id");
      p->leader_epoch = m.Int32("leader_epoch");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(
      [&](uint32_t tag, MessageReader& t) {
        if (version < 1 || tag != 0) return false;
        node_endpoints = ReadNodeEndpoints(t);
        return true;
      },
      &unknown_tagged_fields);
}

void BeginQuorumEpochResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<BeginQuorumEpochResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  Write(m, version);
}

void BeginQuorumEpochResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  QuorumEpochResponseData::Read(m, version);
}

Result<BeginQuorumEpochResponse> BeginQuorumEpochResponse::Decode(ByteView body,
                                                                  int16_t version) {
  return DecodeMessageBody<BeginQuorumEpochResponse>(body, version);
}

}  // namespace samsa
