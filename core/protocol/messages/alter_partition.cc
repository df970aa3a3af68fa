#include "core/protocol/messages/alter_partition.h"

namespace samsa {

void AlterPartitionRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<AlterPartitionRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(broker_id);
  m.Int64(broker_epoch);
  m.Array(topics, [&](const Topic& t) {
    if (version >= 2) {
      m.Uuid(t.topic_id);
    } else {
      m.String(t.topic_name);
    }
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int32(p.leader_epoch);
      if (version <= 2) m.Int32Array(p.new_isr);
      if (version >= 3) {
        m.Array(p.new_isr_with_epochs, [&](const BrokerState& b) {
          m.Int32(b.broker_id);
          m.Int64(b.broker_epoch);
          m.EmptyTags();
        });
      }
      if (version >= 1) m.Int8(p.leader_recovery_state);
      m.Int32(p.partition_epoch);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void AlterPartitionRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  broker_id = m.Int32("broker_id");
  broker_epoch = m.Int64("broker_epoch");
  topics = m.Array<Topic>("topics", 3, [&](Topic* t) {
    if (version >= 2) {
      t->topic_id = m.Uuid("topic_id");
    } else {
      t->topic_name = m.String("topic_name");
    }
    t->partitions = m.Array<Partition>("partitions", 14, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->leader_epoch = m.Int32("leader_epoch");
      if (version <= 2) p->new_isr = m.Int32Array("new_isr");
      if (version >= 3) {
        p->new_isr_with_epochs =
            m.Array<BrokerState>("new_isr_with_epochs", 13, [&](BrokerState* b) {
              b->broker_id = m.Int32("broker_id");
              b->broker_epoch = m.Int64("broker_epoch");
              m.Tags(nullptr);
            });
      }
      if (version >= 1) p->leader_recovery_state = m.Int8("leader_recovery_state");
      p->partition_epoch = m.Int32("partition_epoch");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<AlterPartitionRequest> AlterPartitionRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<AlterPartitionRequest>(body, version);
}

void AlterPartitionResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<AlterPartitionResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(throttle_time_ms);
  m.Int16(error_code);
  m.Array(topics, [&](const Topic& t) {
    if (version >= 2) {
      m.Uuid(t.topic_id);
    } else {
      m.String(t.topic_name);
    }
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int16(p.error_code);
      m.Int32(p.leader_id);
      m.Int32(p.leader_epoch);
      m.Int32Array(p.isr);
      if (version >= 1) m.Int8(p.leader_recovery_state);
      m.Int32(p.partition_epoch);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void AlterPartitionResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  throttle_time_ms = m.Int32("throttle_time_ms");
  error_code = m.Int16("error_code");
  topics = m.Array<Topic>("topics", 3, [&](Topic* t) {
    if (version >= 2) {
      t->topic_id = m.Uuid("topic_id");
    } else {
      t->topic_name = m.String("topic_name");
    }
    t->partitions = m.Array<Partition>("partitions", 20, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->error_code = m.Int16("error_code");
      p->leader_id = m.Int32("leader_id");
      p->leader_epoch = m.Int32("leader_epoch");
      p->isr = m.Int32Array("isr");
      if (version >= 1) p->leader_recovery_state = m.Int8("leader_recovery_state");
      p->partition_epoch = m.Int32("partition_epoch");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<AlterPartitionResponse> AlterPartitionResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<AlterPartitionResponse>(body, version);
}

}  // namespace samsa
