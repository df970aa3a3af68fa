#include "core/protocol/messages/broker_registration.h"

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
  m.Tags(unknown_tagged_fields);
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
