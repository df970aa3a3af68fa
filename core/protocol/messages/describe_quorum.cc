#include "core/protocol/messages/describe_quorum.h"

namespace samsa {

namespace {

using ReplicaState = DescribeQuorumResponse::ReplicaState;

void WriteReplicaStates(MessageWriter& m, const std::vector<ReplicaState>& v, int16_t version) {
  m.Array(v, [&](const ReplicaState& s) {
    m.Int32(s.replica_id);
    if (version >= 2) m.Uuid(s.replica_directory_id);
    m.Int64(s.log_end_offset);
    if (version >= 1) {
      m.Int64(s.last_fetch_timestamp);
      m.Int64(s.last_caught_up_timestamp);
    }
    m.EmptyTags();
  });
}

std::vector<ReplicaState> ReadReplicaStates(MessageReader& m, const char* field,
                                            int16_t version) {
  return m.Array<ReplicaState>(field, 13, [&](ReplicaState* s) {
    s->replica_id = m.Int32("replica_id");
    if (version >= 2) s->replica_directory_id = m.Uuid("replica_directory_id");
    s->log_end_offset = m.Int64("log_end_offset");
    if (version >= 1) {
      s->last_fetch_timestamp = m.Int64("last_fetch_timestamp");
      s->last_caught_up_timestamp = m.Int64("last_caught_up_timestamp");
    }
    m.Tags(nullptr);
  });
}

}  // namespace

void DescribeQuorumRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<DescribeQuorumRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](int32_t p) {
      m.Int32(p);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void DescribeQuorumRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  topics = m.Array<Topic>("topics", 3, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<int32_t>("partitions", 5, [&](int32_t* p) {
      *p = m.Int32("partition_index");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<DescribeQuorumRequest> DescribeQuorumRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<DescribeQuorumRequest>(body, version);
}

void DescribeQuorumResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<DescribeQuorumResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int16(error_code);
  if (version >= 2) m.NullableString(error_message);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic_name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int16(p.error_code);
      if (version >= 2) m.NullableString(p.error_message);
      m.Int32(p.leader_id);
      m.Int32(p.leader_epoch);
      m.Int64(p.high_watermark);
      WriteReplicaStates(m, p.current_voters, version);
      WriteReplicaStates(m, p.observers, version);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  if (version >= 2) {
    m.Array(nodes, [&](const Node& n) {
      m.Int32(n.node_id);
      WriteListenerEndpoints(m, n.listeners);
      m.EmptyTags();
    });
  }
  m.Tags(unknown_tagged_fields);
}

void DescribeQuorumResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  error_code = m.Int16("error_code");
  if (version >= 2) error_message = m.NullableString("error_message");
  topics = m.Array<Topic>("topics", 3, [&](Topic* t) {
    t->topic_name = m.String("topic_name");
    t->partitions = m.Array<Partition>("partitions", 25, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->error_code = m.Int16("error_code");
      if (version >= 2) p->error_message = m.NullableString("error_message");
      p->leader_id = m.Int32("leader_id");
      p->leader_epoch = m.Int32("leader_epoch");
      p->high_watermark = m.Int64("high_watermark");
      p->current_voters = ReadReplicaStates(m, "current_voters", version);
      p->observers = ReadReplicaStates(m, "observers", version);
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  if (version >= 2) {
    nodes = m.Array<Node>("nodes", 6, [&](Node* n) {
      n->node_id = m.Int32("node_id");
      n->listeners = ReadListenerEndpoints(m);
      m.Tags(nullptr);
    });
  }
  m.Tags(&unknown_tagged_fields);
}

Result<DescribeQuorumResponse> DescribeQuorumResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<DescribeQuorumResponse>(body, version);
}

}  // namespace samsa
