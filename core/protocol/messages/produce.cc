#include "core/protocol/messages/produce.h"

namespace samsa {

void ProduceRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<ProduceRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) m.NullableString(transactional_id);
  m.Int16(acks);
  m.Int32(timeout_ms);
  m.Array(topic_data, [&](const Topic& t) {
    m.String(t.name);
    m.Array(t.partition_data, [&](const Partition& p) {
      m.Int32(p.index);
      m.Records(p.records);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void ProduceRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 3) transactional_id = m.NullableString("transactional_id");
  acks = m.Int16("acks");
  timeout_ms = m.Int32("timeout_ms");
  topic_data = m.Array<Topic>("topic_data", 2, [&](Topic* t) {
    t->name = m.String("name");
    t->partition_data = m.Array<Partition>("partition_data", 5, [&](Partition* p) {
      p->index = m.Int32("index");
      p->records = m.Records("records");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<ProduceRequest> ProduceRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<ProduceRequest>(body, version);
}

void ProduceResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<ProduceResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Array(responses, [&](const Topic& t) {
    m.String(t.name);
    m.Array(t.partition_responses, [&](const Partition& p) {
      m.Int32(p.index);
      m.Int16(p.error_code);
      m.Int64(p.base_offset);
      if (version >= 2) m.Int64(p.log_append_time_ms);
      if (version >= 5) m.Int64(p.log_start_offset);
      if (version >= 8) {
        m.Array(p.record_errors, [&](const RecordError& e) {
          m.Int32(e.batch_index);
          m.NullableString(e.batch_index_error_message);
          m.EmptyTags();
        });
        m.NullableString(p.error_message);
      }
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  if (version >= 1) m.Int32(throttle_time_ms);
  m.Tags(unknown_tagged_fields);
}

void ProduceResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  responses = m.Array<Topic>("responses", 2, [&](Topic* t) {
    t->name = m.String("name");
    t->partition_responses = m.Array<Partition>("partition_responses", 14, [&](Partition* p) {
      p->index = m.Int32("index");
      p->error_code = m.Int16("error_code");
      p->base_offset = m.Int64("base_offset");
      if (version >= 2) p->log_append_time_ms = m.Int64("log_append_time_ms");
      if (version >= 5) p->log_start_offset = m.Int64("log_start_offset");
      if (version >= 8) {
        p->record_errors = m.Array<RecordError>("record_errors", 5, [&](RecordError* e) {
          e->batch_index = m.Int32("batch_index");
          e->batch_index_error_message = m.NullableString("batch_index_error_message");
          m.Tags(nullptr);
        });
        p->error_message = m.NullableString("error_message");
      }
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  if (version >= 1) throttle_time_ms = m.Int32("throttle_time_ms");
  m.Tags(&unknown_tagged_fields);
}

Result<ProduceResponse> ProduceResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<ProduceResponse>(body, version);
}

}  // namespace samsa
