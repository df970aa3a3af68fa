#include "core/protocol/messages/fetch.h"

namespace samsa {

void FetchRequest::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<FetchRequest>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  m.Int32(replica_id);
  m.Int32(max_wait_ms);
  m.Int32(min_bytes);
  if (version >= 3) m.Int32(max_bytes);
  if (version >= 4) m.Int8(isolation_level);
  if (version >= 7) {
    m.Int32(session_id);
    m.Int32(session_epoch);
  }
  m.Array(topics, [&](const Topic& t) {
    if (version >= 13) {
      m.Uuid(t.topic_id);
    } else {
      m.String(t.topic);
    }
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition);
      if (version >= 9) m.Int32(p.current_leader_epoch);
      m.Int64(p.fetch_offset);
      if (version >= 12) m.Int32(p.last_fetched_epoch);
      if (version >= 5) m.Int64(p.log_start_offset);
      m.Int32(p.partition_max_bytes);
      m.EmptyTags();
    });
    m.EmptyTags();
  });
  if (version >= 7) {
    m.Array(forgotten_topics_data, [&](const ForgottenTopic& t) {
      if (version >= 13) {
        m.Uuid(t.topic_id);
      } else {
        m.String(t.topic);
      }
      m.Int32Array(t.partitions);
      m.EmptyTags();
    });
  }
  if (version >= 11) m.String(rack_id);
  if (!m.flexible()) return;
  TagWriter tags;
  if (cluster_id) tags.Add(0, [&](MessageWriter& t) { t.NullableString(cluster_id); });
  tags.Finish(m, &unknown_tagged_fields);
}

void FetchRequest::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  replica_id = m.Int32("replica_id");
  max_wait_ms = m.Int32("max_wait_ms");
  min_bytes = m.Int32("min_bytes");
  if (version >= 3) max_bytes = m.Int32("max_bytes");
  if (version >= 4) isolation_level = m.Int8("isolation_level");
  if (version >= 7) {
    session_id = m.Int32("session_id");
    session_epoch = m.Int32("session_epoch");
  }
  topics = m.Array<Topic>("topics", 2, [&](Topic* t) {
    if (version >= 13) {
      t->topic_id = m.Uuid("topic_id");
    } else {
      t->topic = m.String("topic");
    }
    t->partitions = m.Array<Partition>("partitions", 16, [&](Partition* p) {
      p->partition = m.Int32("partition");
      if (version >= 9) p->current_leader_epoch = m.Int32("current_leader_epoch");
      p->fetch_offset = m.Int64("fetch_offset");
      if (version >= 12) p->last_fetched_epoch = m.Int32("last_fetched_epoch");
      if (version >= 5) p->log_start_offset = m.Int64("log_start_offset");
      p->partition_max_bytes = m.Int32("partition_max_bytes");
      m.Tags(nullptr);
    });
    m.Tags(nullptr);
  });
  if (version >= 7) {
    forgotten_topics_data =
        m.Array<ForgottenTopic>("forgotten_topics_data", 2, [&](ForgottenTopic* t) {
          if (version >= 13) {
            t->topic_id = m.Uuid("topic_id");
          } else {
            t->topic = m.String("topic");
          }
          t->partitions = m.Int32Array("partitions");
          m.Tags(nullptr);
        });
  }
  if (version >= 11) rack_id = m.String("rack_id");
  m.Tags(
      [&](uint32_t tag, MessageReader& t) {
        if (tag != 0) return false;
        cluster_id = t.NullableString("cluster_id");
        return true;
      },
      &unknown_tagged_fields);
}

Result<FetchRequest> FetchRequest::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<FetchRequest>(body, version);
}

void FetchResponse::Encode(WireWriter& w, int16_t version) const {
  CheckEncodeVersion<FetchResponse>(version);
  MessageWriter m(w, IsFlexibleVersion(kApiKey, version));
  if (version >= 1) m.Int32(throttle_time_ms);
  if (version >= 7) {
    m.Int16(error_code);
    m.Int32(session_id);
  }
  m.Array(responses, [&](const Topic& t) {
    if (version >= 13) {
      m.Uuid(t.topic_id);
    } else {
      m.String(t.topic);
    }
    m.Array(t.partitions, [&](const Partition& p) {
      m.Int32(p.partition_index);
      m.Int16(p.error_code);
      m.Int64(p.high_watermark);
      if (version >= 4) m.Int64(p.last_stable_offset);
      if (version >= 5) m.Int64(p.log_start_offset);
      if (version >= 4) {
        const auto& aborted = p.aborted_transactions;
        m.NullableArrayLength(aborted ? std::optional<size_t>(aborted->size()) : std::nullopt);
        if (aborted) {
          for (const AbortedTransaction& a : *aborted) {
            m.Int64(a.producer_id);
            m.Int64(a.first_offset);
            m.EmptyTags();
          }
        }
      }
      if (version >= 11) m.Int32(p.preferred_read_replica);
      m.Records(p.records);
      if (!m.flexible()) return;
      TagWriter tags;
      if (p.diverging_epoch) {
        tags.Add(0, [&](MessageWriter& tw) {
          tw.Int32(p.diverging_epoch->epoch);
          tw.Int64(p.diverging_epoch->end_offset);
          tw.EmptyTags();
        });
      }
      if (p.current_leader) {
        tags.Add(1, [&](MessageWriter& tw) {
          tw.Int32(p.current_leader->leader_id);
          tw.Int32(p.current_leader->leader_epoch);
          tw.EmptyTags();
        });
      }
      if (p.snapshot_id) {
        tags.Add(2, [&](MessageWriter& tw) {
          tw.Int64(p.snapshot_id->end_offset);
          tw.Int32(p.snapshot_id->epoch);
          tw.EmptyTags();
        });
      }
      tags.Finish(m);
    });
    m.EmptyTags();
  });
  m.Tags(unknown_tagged_fields);
}

void FetchResponse::Read(WireReader& r, int16_t version) {
  MessageReader m(r, IsFlexibleVersion(kApiKey, version));
  if (version >= 1) throttle_time_ms = m.Int32("throttle_time_ms");
  if (version >= 7) {
    error_code = m.Int16("error_code");
    session_id = m.Int32("session_id");
  }
  responses = m.Array<Topic>("responses", 2, [&](Topic* t) {
    if (version >= 13) {
      t->topic_id = m.Uuid("topic_id");
    } else {
      t->topic = m.String("topic");
    }
    t->partitions = m.Array<Partition>("partitions", 15, [&](Partition* p) {
      p->partition_index = m.Int32("partition_index");
      p->error_code = m.Int16("error_code");
      p->high_watermark = m.Int64("high_watermark");
      if (version >= 4) p->last_stable_offset = m.Int64("last_stable_offset");
      if (version >= 5) p->log_start_offset = m.Int64("log_start_offset");
      if (version >= 4) {
        p->aborted_transactions = m.NullableArray<AbortedTransaction>(
            "aborted_transactions", 16, [&](AbortedTransaction* a) {
              a->producer_id = m.Int64("producer_id");
              a->first_offset = m.Int64("first_offset");
              m.Tags(nullptr);
            });
      }
      if (version >= 11) p->preferred_read_replica = m.Int32("preferred_read_replica");
      p->records = m.Records("records");
      m.Tags(
          [&](uint32_t tag, MessageReader& t) {
            switch (tag) {
              case 0: {
                EpochEndOffset e;
                e.epoch = t.Int32("diverging_epoch.epoch");
                e.end_offset = t.Int64("diverging_epoch.end_offset");
                t.Tags(nullptr);
                p->diverging_epoch = e;
                return true;
              }
              case 1: {
                LeaderIdAndEpoch l;
                l.leader_id = t.Int32("current_leader.leader_id");
                l.leader_epoch = t.Int32("current_leader.leader_epoch");
                t.Tags(nullptr);
                p->current_leader = l;
                return true;
              }
              case 2: {
                SnapshotId s;
                s.end_offset = t.Int64("snapshot_id.end_offset");
                s.epoch = t.Int32("snapshot_id.epoch");
                t.Tags(nullptr);
                p->snapshot_id = s;
                return true;
              }
              default:
                return false;
            }
          },
          nullptr);
    });
    m.Tags(nullptr);
  });
  m.Tags(&unknown_tagged_fields);
}

Result<FetchResponse> FetchResponse::Decode(ByteView body, int16_t version) {
  return DecodeMessageBody<FetchResponse>(body, version);
}

}  // namespace samsa
