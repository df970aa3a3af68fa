#include "core/protocol/messages/broker_heartbeat.h"

namespace samsa {

void BrokerHeartbeatRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<BrokerHeartbeatRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(broker_id);
  m.Int64(broker_epoch);
  m.Int64(current_metadata_offset);
  m.Bool(want_fence);
  m.Bool(want_shut_down);
  TagWriter tags;
  if (version >= 1 && !offline_log_dirs.empty()) {
    tags.Add(0, [&](MessageWriter& t) { t.UuidArray(offline_log_dirs); });
  }
  tags.Finish(m, &unknown_tagged_fields);
}

void BrokerHeartbeatRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  broker_id = m.Int32("broker_id");
  broker_epoch = m.Int64("broker_epoch");
  current_metadata_offset = m.Int64("current_metadata_offset");
  want_fence = m.Bool("want_fence");
  want_shut_down = m.Bool("want_shut_down");
  m.Tags(
      [&](uint32_t tag, MessageReader& t) {
        if (version < 1 || tag != 0) return false;
        offline_log_dirs = t.UuidArray("offline_log_dirs");
        return true;
      },
      &unknown_tagged_fields);
}

Result<BrokerHeartbeatRequest> BrokerHeartbeatRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<BrokerHeartbeatRequest>(body, version);
}

void BrokerHeartbeatResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<BrokerHeartbeatResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(throttle_time_ms);
  m.Int16(error_code);
  m.Bool(is_caught_up);
  m.Bool(is_fenced);
  m.Bool(should_shut_down);
  m.Tags(unknown_tagged_fields);
}

void BrokerHeartbeatResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  throttle_time_ms = m.Int32("throttle_time_ms");
  error_code = m.Int16("error_code");
  is_caught_up = m.Bool("is_caught_up");
  is_fenced = m.Bool("is_fenced");
  should_shut_down = m.Bool("should_shut_down");
  m.Tags(&unknown_tagged_fields);
}

Result<BrokerHeartbeatResponse> BrokerHeartbeatResponse::Decode(ByteView body,
                                                                int16_t version) {
  return DecodeMessageBody<BrokerHeartbeatResponse>(body, version);
}

}  // namespace samsa
