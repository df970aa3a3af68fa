#pragma once
// LogConfig: the per-partition log settings, under Kafka's names and with Kafka's defaults.

#include <cstdint>

#include "core/base/status.h"

namespace samsa {

struct LogConfig {
  // log.segment.bytes: roll a new segment when the active one would grow past this.
  int64_t segment_bytes = int64_t{1} << 30;
  // log.roll.ms (log.roll.hours = 168): roll when the active segment's first batch was appended
  // longer ago than this.
  int64_t roll_ms = int64_t{7} * 24 * 3600 * 1000;
  // log.retention.bytes: delete the oldest segments while the log is larger; -1 = unlimited.
  int64_t retention_bytes = -1;
  // log.retention.ms (log.retention.hours = 168): delete segments whose newest batch timestamp is
  // older than this; -1 = unlimited.
  int64_t retention_ms = int64_t{7} * 24 * 3600 * 1000;
  // log.index.interval.bytes: bytes of batches between two sparse offset-index entries.
  int64_t index_interval_bytes = 4096;
  // message.max.bytes: the largest record batch accepted, header included.
  int64_t max_batch_bytes = 1048588;

  // Every batch starts where the previous one ended (no compaction ever left a gap): recovery
  // then cuts the log at any gap, since a base offset lies outside the CRC. Raft's log is.
  bool gapless = false;

  // Ok when every field is in range (segment_bytes fits Kafka's int32 file positions and holds at
  // least one maximal batch).
  Status Validate() const;
};

}  // namespace samsa
