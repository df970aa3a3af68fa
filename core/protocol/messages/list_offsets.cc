#include "core/protocol/messages/list_offsets.h"

namespace samsa {

void ListOffsetsRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<ListOffsetsRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(replica_id);
  if (version >= 2) m.Int8(isolation_level);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      if (version >= 4) m.Int32(p.current_leader_epoch);
      m.Int64(p.timestamp);
      if (version == 0) m.Int32(p.max_num_offsets);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void ListOffsetsRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  replica_id = m.Int32("replica_id");
  if (version >= 2) isolation_level = m.Int8("isolation_level");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->name = m.String("name");
    t->partitions = m.Array<Partition>("partitions", 12, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      if (version >= 4) p->current_leader_epoch = m.Int32("current_leader_epoch");
      p->timestamp = m.Int64("timestamp");
      if (version == 0) p->max_num_offsets = m.Int32("max_num_offsets");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<ListOffsetsRequest> ListOffsetsRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<ListOffsetsRequest>(body, version);
}

void ListOffsetsResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<ListOffsetsResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 2) m.Int32(throttle_time_ms);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.name);
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int16(p.error_code);
      if (version == 0) m.Int64Array(p.old_style_offsets);
      if (version >= 1) {
        m.Int64(p.timestamp);
        m.Int64(p.offset);
      }
      if (version >= 4) m.Int32(p.leader_epoch);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void ListOffsetsResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 2) throttle_time_ms = m.Int32("throttle_time_ms");
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    t->name = m.String("name");
    t->partitions = m.Array<Partition>("partitions", 6, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->error_code = m.Int16("error_code");
      if (version == 0) p->old_style_offsets = m.Int64Array("old_style_offsets");
      if (version >= 1) {
        p->timestamp = m.Int64("timestamp");
        p->offset = m.Int64("offset");
      }
      if (version >= 4) p->leader_epoch = m.Int32("leader_epoch");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<ListOffsetsResponse> ListOffsetsResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<ListOffsetsResponse>(body, version);
}

}  // namespace samsa
