#include "core/protocol/messages/broker_registration.h"

#include <algorithm>

namespace samsa {

void BrokerRegistrationRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<BrokerRegistrationRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(broker_id);
  m.String(cluster_id);
  m.Uuid(incarnation_id);
  m.Array(listeners, [&](const Listener& l) {
    m.String(l.name);
    m.String(l.host);
    m.Uint16(l.port);
    m.Int16(l.security_protocol);
    m.EmptyTags();
  });
  m.Array(features, [&](const Feature& f) {
    m.String(f.name);
    m.Int16(f.min_supported_version);
    m.Int16(f.max_supported_version);
    m.EmptyTags();
  });
  m.NullableString(rack);
  if (version >= 1) m.Bool(is_migrating_zk_broker);
  if (version >= 2) m.UuidArray(log_dirs);
  if (version >= 3) m.Int64(previous_broker_epoch);
  if (lost_data_partitions.empty()) {
    m.Tags(unknown_tagged_fields);
    return;
  }
  TaggedField lost{kLostDataTag, {}};
  WireWriter lw(lost.data);
  lw.WriteInt32(int32_t(lost_data_partitions.size()));
  for (const LostPartition& p : lost_data_partitions) {
    lw.WriteString(p.topic);
    lw.WriteInt32(p.partition);
  }
  TaggedFields tags = unknown_tagged_fields;
  std::erase_if(tags, [](const TaggedField& t) { return t.tag == kLostDataTag; });
  tags.insert(std::lower_bound(tags.begin(), tags.end(), kLostDataTag,
                               [](const TaggedField& t, uint32_t tag) { return t.tag < tag; }),
              std::move(lost));
  m.Tags(tags);
}

void BrokerRegistrationRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  broker_id = m.Int32("broker_id");
  cluster_id = m.String("cluster_id");
  incarnation_id = m.Uuid("incarnation_id");
  listeners = m.Array<Listener>("listeners", 7, [&](Listener* l) {
    l->name = m.String("name");
    l->host = m.String("host");
    l->port = m.Uint16("port");
    l->security_protocol = m.Int16("security_protocol");
    m.Tags(nullptr);
  });
  features = m.Array<Feature>("features", 6, [&](Feature* f) {
    f->name = m.String("name");
    f->min_supported_version = m.Int16("min_supported_version");
    f->max_supported_version = m.Int16("max_supported_version");
    m.Tags(nullptr);
  });
  rack = m.NullableString("rack");
  if (version >= 1) is_migrating_zk_broker = m.Bool("is_migrating_zk_broker");
  if (version >= 2) log_dirs = m.UuidArray("log_dirs");
  if (version >= 3) previous_broker_epoch = m.Int64("previous_broker_epoch");
  m.Tags(&unknown_tagged_fields);
  auto lost = std::find_if(unknown_tagged_fields.begin(), unknown_tagged_fields.end(),
                           [](const TaggedField& t) { return t.tag == kLostDataTag; });
  if (lost == unknown_tagged_fields.end()) return;
  WireReader lr(ByteView(lost->data));
  int32_t n = lr.ReadInt32("lost_data_partitions");
  if (n < 0 || size_t(n) > lost->data.size()) lr.Fail(StatusCode::kCorruption, "bad lost_data_partitions count");
  for (int32_t i = 0; lr.ok() && i < n; ++i) {
    LostPartition p;
    p.topic = lr.ReadString("lost_data_partitions.topic");
    p.partition = lr.ReadInt32("lost_data_partitions.partition");
    if (lr.ok()) lost_data_partitions.push_back(std::move(p));
  }
  lr.ExpectEnd("lost_data_partitions");
  if (!lr.ok()) r.Fail(lr.status().code(), lr.status().message());
  unknown_tagged_fields.erase(lost);
}

Result<BrokerRegistrationRequest> BrokerRegistrationRequest::Decode(ByteView body,
                                                                    int16_t version) {
  return DecodeMessageBody<BrokerRegistrationRequest>(body, version);
}

void BrokerRegistrationResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<BrokerRegistrationResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(throttle_time_ms);
  m.Int16(error_code);
  m.Int64(broker_epoch);
  m.Tags(unknown_tagged_fields);
}

void BrokerRegistrationResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  throttle_time_ms = m.Int32("throttle_time_ms");
  error_code = m.Int16("error_code");
  broker_epoch = m.Int64("broker_epoch");
  m.Tags(&unknown_tagged_fields);
}

Result<BrokerRegistrationResponse> BrokerRegistrationResponse::Decode(ByteView body,
                                                                      int16_t version) {
  return DecodeMessageBody<BrokerRegistrationResponse>(body, version);
}

}  // namespace samsa
