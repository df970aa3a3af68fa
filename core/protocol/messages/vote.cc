#include "core/protocol/messages/vote.h"

namespace samsa {

void VoteRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<VoteRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.NullableString(cluster_id);
  if (version >= 1) m.Int32(voter_id);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int32(p.candidate_epoch);
      m.Int32(p.candidate_id);
      if (version >= 1) {
        m.Uuid(p.candidate_directory_id);
        m.Uuid(p.voter_directory_id);
      }
      m.Int32(p.last_offset_epoch);
      m.Int64(p.last_offset);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void VoteRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  cluster_id = m.NullableString("cluster_id");
  if (version >= 1) voter_id = m.Int32("voter_id");
  topics = m.Array<Topic>("topics", 3, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<Partition>("partitions", 25, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->candidate_epoch = m.Int32("candidate_epoch");
      p->candidate_id = m.Int32("candidate_id");
      if (version >= 1) {
        p->candidate_directory_id = m.Uuid("candidate_directory_id");
        p->voter_directory_id = m.Uuid("voter_directory_id");
      }
      p->last_offset_epoch = m.Int32("last_offset_epoch");
      p->last_offset = m.Int64("last_offset");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<VoteRequest> VoteRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<VoteRequest>(body, version);
}

void VoteResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<VoteResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int16(error_code);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int16(p.error_code);
      m.Int32(p.leader_id);
      m.Int32(p.leader_epoch);
      m.Bool(p.vote_granted);
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

void VoteResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  error_code = m.Int16("error_code");
  topics = m.Array<Topic>("topics", 3, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<Partition>("partitions", 16, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->error_code = m.Int16("error_code");
      p->leader_id = m.Int32("leader_id");
      p->leader_epoch = m.Int32("leader_epoch");
      p->vote_granted = m.Bool("vote_granted");
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

Result<VoteResponse> VoteResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<VoteResponse>(body, version);
}

}  // namespace samsa
