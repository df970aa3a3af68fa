#include "core/protocol/messages/delete_topics.h"

namespace samsa {

void DeleteTopicsRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<DeleteTopicsRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 6) {
    m.Array(topics, [&](const Topic& t) {
      m.NullableString(t.name);
      m.Uuid(t.topic_id);
      m.EmptyTags();
    });
  } else {
    m.StringArray(topic_names);
  }
  m.Int32(timeout_ms);
  m.Tags(unknown_tagged_fields);
}

void DeleteTopicsRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 6) {
    topics = m.Array<Topic>("topics", 18, [&](Topic* t) {
      t->name = m.NullableString("name");
      t->topic_id = m.Uuid("topic_id");
      m.Tags(nullptr);
    });
  } else {
    topic_names = m.StringArray("topic_names");
  }
  timeout_ms = m.Int32("timeout_ms");
  m.Tags(&unknown_tagged_fields);
}

Result<DeleteTopicsRequest> DeleteTopicsRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<DeleteTopicsRequest>(body, version);
}

void DeleteTopicsResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<DeleteTopicsResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 1) m.Int32(throttle_time_ms);
  m.Array(responses, [&](const TopicResult& t) {
    if (version >= 6) {
      m.NullableString(t.name);
      m.Uuid(t.topic_id);
    } else {
      m.String(t.name.value_or(""));
    }
    m.Int16(t.error_code);
    if (version >= 5) m.NullableString(t.error_message);
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void DeleteTopicsResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 1) throttle_time_ms = m.Int32("throttle_time_ms");
  responses = m.Array<TopicResult>("responses", 3, [&](TopicResult* t) {
    if (version >= 6) {
      t->name = m.NullableString("name");
      t->topic_id = m.Uuid("topic_id");
    } else {
      t->name = m.String("name");
    }
    t->error_code = m.Int16("error_code");
    if (version >= 5) t->error_message = m.NullableString("error_message");
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<DeleteTopicsResponse> DeleteTopicsResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<DeleteTopicsResponse>(body, version);
}

}  // namespace samsa
