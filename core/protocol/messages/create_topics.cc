#include "core/protocol/messages/create_topics.h"

namespace samsa {

void CreateTopicsRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<CreateTopicsRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Array(topics, [&](const Topic& t) {
    m.String(t.name);
    m.Int32(t.num_partitions);
    m.Int16(t.replication_factor);
    m.Array(t.assignments, [&](const Assignment& a) {
      m.Int32(a.partition_index);
      m.Int32Array(a.broker_ids);
      m.EmptyTags();
    });
    m.Array(t.configs, [&](const Config& c) {
      m.String(c.name);
      m.NullableString(c.value);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  m.Int32(timeout_ms);
  if (version >= 1) m.Bool(validate_only);
  m.Tags(unknown_tagged_fields);
}

void CreateTopicsRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  topics = m.Array<Topic>("topics", 8, [&](Topic* t) {
    t->name = m.String("name");
    t->num_partitions = m.Int32("num_partitions");
    t->replication_factor = m.Int16("replication_factor");
    t->assignments = m.Array<Assignment>("assignments", 5, [&](Assignment* a) {
      a->partition_index = m.Int32("partition_index");
      a->broker_ids = m.Int32Array("broker_ids");
      m.Tags(nullptr);
    });
    t->configs = m.Array<Config>("configs", 2, [&](Config* c) {
      c->name = m.String("name");
      c->value = m.NullableString("value");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  timeout_ms = m.Int32("timeout_ms");
  if (version >= 1) validate_only = m.Bool("validate_only");
  m.Tags(&unknown_tagged_fields);
}

Result<CreateTopicsRequest> CreateTopicsRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<CreateTopicsRequest>(body, version);
}

void CreateTopicsResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<CreateTopicsResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 2) m.Int32(throttle_time_ms);
  m.Array(topics, [&](const Topic& t) {
    m.String(t.name);
    if (version >= 7) m.Uuid(t.topic_id);
    m.Int16(t.error_code);
    if (version >= 1) m.NullableString(t.error_message);
    if (version >= 5) {
      m.Int32(t.num_partitions);
      m.Int16(t.replication_factor);
      m.NullableArrayLength(t.configs ? std::optional<size_t>(t.configs->size()) : std::nullopt);
      if (t.configs) {
        for (const Config& c : *t.configs) {
          m.String(c.name);
          m.NullableString(c.value);
          m.Bool(c.read_only);
          m.Int8(c.config_source);
          m.Bool(c.is_sensitive);
          m.EmptyTags();
        }
      }
    }
    TagWriter tags;
    if (t.topic_config_error_code != 0) {
      tags.Add(0, [&](MessageWriter& tw) { tw.Int16(t.topic_config_error_code); });
    }
    tags.Finish(m);
  });
  m.Tags(unknown_tagged_fields);
}

void CreateTopicsResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 2) throttle_time_ms = m.Int32("throttle_time_ms");
  topics = m.Array<Topic>("topics", 4, [&](Topic* t) {
    t->name = m.String("name");
    if (version >= 7) t->topic_id = m.Uuid("topic_id");
    t->error_code = m.Int16("error_code");
    if (version >= 1) t->error_message = m.NullableString("error_message");
    if (version >= 5) {
      t->num_partitions = m.Int32("num_partitions");
      t->replication_factor = m.Int16("replication_factor");
      t->configs = m.NullableArray<Config>("configs", 6, [&](Config* c) {
        c->name = m.String("name");
        c->value = m.NullableString("value");
        c->read_only = m.Bool("read_only");
        c->config_source = m.Int8("config_source");
        c->is_sensitive = m.Bool("is_sensitive");
        m.Tags(nullptr);
      });
    }
    m.Tags(
        [&](uint32_t tag, MessageReader& tr) {
          if (tag != 0) return false;
          t->topic_config_error_code = tr.Int16("topic_config_error_code");
          return true;
        },
        nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<CreateTopicsResponse> CreateTopicsResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<CreateTopicsResponse>(body, version);
}

}  // namespace samsa
