#include "core/protocol/messages/end_quorum_epoch.h"

namespace samsa {

void EndQuorumEpochRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<EndQuorumEpochRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.NullableString(cluster_id);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int32(p.leader_id);
      m.Int32(p.leader_epoch);
      if (version == 0) m.Int32Array(p.preferred_successors);
      if (version >= 1) {
        m.Array(p.preferred_candidates, [&](const Candidate& c) {
          m.Int32(c.candidate_id);
          m.Uuid(c.candidate_directory_id);
          m.EmptyTags();
        });
      }
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  if (version >= 1) WriteListenerEndpoints(m, leader_endpoints);
  m.Tags(unknown_tagged_fields);
}

void EndQuorumEpochRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  cluster_id = m.NullableString("cluster_id");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<Partition>("partitions", 13, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->leader_id = m.Int32("leader_id");
      p->leader_epoch = m.Int32("leader_epoch");
      if (version == 0) p->preferred_successors = m.Int32Array("preferred_successors");
      if (version >= 1) {
        p->preferred_candidates =
            m.Array<Candidate>("preferred_candidates", 21, [&](Candidate* c) {
              c->candidate_id = m.Int32("candidate_id");
              c->candidate_directory_id = m.Uuid("candidate_directory_id");
              m.Tags(nullptr);
            });
      }
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  if (version >= 1) leader_endpoints = ReadListenerEndpoints(m);
  m.Tags(&unknown_tagged_fields);
}

Result<EndQuorumEpochRequest> EndQuorumEpochRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<EndQuorumEpochRequest>(body, version);
}

void EndQuorumEpochResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<EndQuorumEpochResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  Write(m, version);
}

void EndQuorumEpochResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  QuorumEpochResponseData::Read(m, version);
}

Result<EndQuorumEpochResponse> EndQuorumEpochResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<EndQuorumEpochResponse>(body, version);
}

}  // namespace samsa
