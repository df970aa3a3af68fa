#include "core/protocol/messages/offset_for_leader_epoch.h"

namespace samsa {

void OffsetForLeaderEpochRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<OffsetForLeaderEpochRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) m.Int32(replica_id);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition);
      if (version >= 2) m.Int32(p.current_leader_epoch);
      m.Int32(p.leader_epoch);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void OffsetForLeaderEpochRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) replica_id = m.Int32("replica_id");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->topic = m.String("topic");
    t->partitions = m.Array<Partition>("partitions", 8, [&](Partition* p) {
      p->partition = m.Int32("partition");
      if (version >= 2) p->current_leader_epoch = m.Int32("current_leader_epoch");
      p->leader_epoch = m.Int32("leader_epoch");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<OffsetForLeaderEpochRequest> OffsetForLeaderEpochRequest::Decode(ByteView body,
                                                                        int16_t version) {
  return DecodeMessageBody<OffsetForLeaderEpochRequest>(body, version);
}

void OffsetForLeaderEpochResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<OffsetForLeaderEpochResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 2) m.Int32(throttle_time_ms);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.topic);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int16(p.error_code);
      m.Int32(p.partition);
      if (version >= 1) m.Int32(p.leader_epoch);
      m.Int64(p.end_offset);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void OffsetForLeaderEpochResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 2) throttle_time_ms = m.Int32("throttle_time_ms");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->topic = m.String("topic");
    t->partitions = m.Array<Partition>("partitions", 14, [&](Partition* p) {
      p->error_code = m.Int16("error_code");
      p->partition = m.Int32("partition");
      if (version >= 1) p->leader_epoch = m.Int32("leader_epoch");
      p->end_offset = m.Int64("end_offset");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<OffsetForLeaderEpochResponse> OffsetForLeaderEpochResponse::Decode(ByteView body,
                                                                          int16_t version) {
  return DecodeMessageBody<OffsetForLeaderEpochResponse>(body, version);
}

}  // namespace samsa
