#pragma once
// The "replication-offset-checkpoint" file in a broker's log directory: the high watermark of
// every partition it holds, so that a restarted replica does not begin again from its log start
// (Kafka's file of the same name, written every replica.high.watermark.checkpoint.interval.ms).
//
// Format: Kafka's checkpoint text format, ASCII, '\n' after every line, sealed with a checksum
// line (core/log/sealed_text.h):
//
//   0                 version (always 0)
//   2                 number of entries that follow
//   orders 0 1234     "<topic> <partition> <high watermark>", sorted by (topic, partition)
//   orders 1 977
//   crc32c:xxxxxxxx   the seal
//
// Replaced crash-atomically by ReplicaManager: written to "<file>.tmp", the temp file synced,
// renamed over, the directory synced. Missing or corrupt means "no high watermarks known": every
// partition starts from its log start offset, as Kafka does without the file.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/status.h"

namespace samsa {

inline constexpr std::string_view kReplicationOffsetCheckpointFile = "replication-offset-checkpoint";

using HighWatermarks = std::map<std::pair<std::string, int32_t>, int64_t>;

// The sealed file content.
std::string EncodeReplicationOffsetCheckpoint(const HighWatermarks& hws);
// Corruption for anything but a well-formed, correctly sealed file.
Result<HighWatermarks> ParseReplicationOffsetCheckpoint(std::string_view text);

}  // namespace samsa
