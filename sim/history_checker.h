#pragma once
// History checker: finds Jepsen's Kafka anomalies (jepsen/tests/kafka.clj names) in the History
// the simulated clients wrote (core/client/history.h).
//
// Reported kinds, each with topic, partition, offset and a detail string:
//   lost-write            an acknowledged send at or below the highest offset any consumer read
//                         in its partition, whose value no consumer ever read (anywhere)
//   duplicate             one value at two or more positions (acks or reads), e.g. a
//                         non-idempotent retry that was written twice; offset = the lowest one
//   nonmonotonic-send     one producer's send B, invoked after its send A to the same partition
//                         was acknowledged, acknowledged at a lower offset than A
//   nonmonotonic-poll     a consumer session read offset o after an offset >= o in that
//                         partition (it went backwards or re-read)
//   poll-skip             a consumer session jumped from offset a to b > a + 1 over an offset
//                         where some value is known to exist (acknowledged or read by anyone)
//   inconsistent-offsets  two different values acknowledged or read at one offset
//   phantom-read          a read of a value no producer ever sent (a broker invented or corrupted
//                         a record). Reading past the high watermark needs broker knowledge: pass
//                         CheckerOptions::max_high_watermark (the highest high watermark any
//                         replica reported, per partition) to get
//   read-beyond-hw        a read at an offset >= that partition's max high watermark.
// Not violations, but information: `unseen` counts acknowledged sends never read by the end that
// are above the highest read offset of their partition (a consumer that stops early leaves
// these). Sends that ended in info (outcome unknown) may or may not appear in reads; fail sends
// should not, and a read of one is reported as phantom-read too ("value of a failed send").
//
// The result is deterministic: violations sorted by (kind, topic, partition, offset, detail).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/client/history.h"

namespace samsa::sim {

struct Violation {
  std::string kind;
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::string detail;
  friend auto operator<=>(const Violation&, const Violation&) = default;
  friend bool operator==(const Violation&, const Violation&) = default;
};

struct CheckerOptions {
  // (topic, partition) -> highest high watermark any replica ever reported. Optional.
  std::map<std::pair<std::string, int32_t>, int64_t> max_high_watermark;
};

struct CheckReport {
  std::vector<Violation> violations;  // sorted
  uint64_t sends_invoked = 0;
  uint64_t sends_acked = 0;
  uint64_t sends_failed = 0;
  uint64_t sends_indeterminate = 0;  // info
  uint64_t polls = 0;
  uint64_t unseen = 0;
  std::map<std::pair<std::string, int32_t>, uint64_t> unseen_by_partition;

  bool ok() const { return violations.empty(); }
  // Violations per kind.
  std::map<std::string, uint64_t> CountsByKind() const;
  // One line of counts, then one line per violation (at most max_lines of them).
  std::string Summary(size_t max_lines = 20) const;
};

CheckReport CheckHistory(const client::History& history, const CheckerOptions& options = {});

}  // namespace samsa::sim
