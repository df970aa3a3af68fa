#pragma once
// The partition's "recovery-point" file: what recovery may trust, and where the log starts.
//
// Format: ASCII text, '\n' after every line, in the spirit of Kafka's checkpoint files:
//
//   0                 version (always 0)
//   1234              recovery point: every batch below this offset, and the index files of
//                     every segment that ends at or below it, were durable when this was written
//   1000              log start offset (raised by retention and DeleteRecords)
//
// Version 1 adds a fourth line, 1 when recovery found committed data corrupt and cut it (the
// partition's lost-data mark, kept until the controller has taken the replica out of the ISR);
// a checkpoint without the mark is written as version 0.
//
// On disk the three lines are sealed with a checksum line (core/log/sealed_text.h). Replaced
// atomically: written to "recovery-point.tmp", then renamed over. Missing or corrupt (bad
// checksum included) means "trust nothing": recovery scans every segment and starts the log at
// its first segment.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace samsa {

struct LogCheckpoint {
  int64_t recovery_point = 0;
  int64_t log_start_offset = 0;
  bool lost_data = false;
  friend bool operator==(const LogCheckpoint&, const LogCheckpoint&) = default;
};

std::string EncodeLogCheckpoint(const LogCheckpoint& checkpoint);
Result<LogCheckpoint> ParseLogCheckpoint(std::string_view text);

}  // namespace samsa
