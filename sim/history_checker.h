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
// And, on what the cluster holds at the end (pass CheckerOptions::final_logs):
//   acked-lost            an acknowledged record (its value at its acknowledged offset) that is
//                         not in its partition's final log, whether or not a consumer read it
//                         before. One violation per record (offset = the acknowledged one); the
//                         detail names when it was acknowledged, where the final log was read,
//                         and (AttributeLoss) the last fault and the last election of its
//                         partition between the acknowledgement and the end of the run.
//                         Unlike lost-write it needs no reads: it compares acks with the final
//                         log, so it also catches losses of records a consumer had already read.
//   acked-uncommitted     an acknowledged record that the replica read still holds at its
//                         offset, but at or above its high watermark: not lost, yet not readable
//                         when the run ended (its partition had not committed it again, e.g. with
//                         the ISR below min.insync.replicas after failures, or an acks=1 record
//                         written in the last moments). Its detail has acked-lost's form ("is
//                         above the final high watermark, held uncommitted", "last fault since
//                         the acknowledgement").
// Not violations, but information: `unseen` counts acknowledged sends never read by the end that
// are above the highest read offset of their partition (a consumer that stops early leaves
// these). Sends that ended in info (outcome unknown) may or may not appear in reads; fail sends
// should not, and a read of one is reported as phantom-read too ("value of a failed send").
//
// The result is deterministic: violations sorted by (kind, topic, partition, offset, detail).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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

// What the cluster holds for one partition at the end of the run.
struct FinalLog {
  // The committed records (below the high watermark) of the replica read: (offset, value),
  // ascending by offset. A record without a value has an empty one.
  std::vector<std::pair<int64_t, std::string>> records;
  // The rest of that replica's log: its records at or above the high watermark, not committed
  // (or not committed again since a leader change) at the end. Same form.
  std::vector<std::pair<int64_t, std::string>> uncommitted;
  // Which replica was read, for details: "leader 2, HW 417", or "no leader: replica 3 (the
  // highest HW among live replicas), HW 412", or "no live replica".
  std::string source;
};

// A fault the run fired (scripted or nemesis), as the run's timeline words it.
struct FaultNote {
  int64_t at_ns = 0;  // simulated time
  std::string text;   // "crash broker-2 (leader-of ledger-0) for 17s"
};

// A partition's new leader, as first seen leading a leader epoch on a broker.
struct ElectionNote {
  int64_t at_ns = 0;  // simulated time
  int32_t leader_epoch = -1;
  int32_t leader = -1;
};

struct CheckerOptions {
  // (topic, partition) -> highest high watermark any replica ever reported. Optional.
  std::map<std::pair<std::string, int32_t>, int64_t> max_high_watermark;
  // (topic, partition) -> its final log. Optional: acknowledged records of the partitions listed
  // are checked against it (acked-lost); partitions not listed are not.
  std::map<std::pair<std::string, int32_t>, FinalLog> final_logs;
  // For acked-lost details (optional): the faults fired, and each partition's elections, both
  // in time order.
  std::vector<FaultNote> faults;
  std::map<std::pair<std::string, int32_t>, std::vector<ElectionNote>> elections;
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

// Why a record acknowledged at acked_at_ns in topic-partition may have gone: the last fault and
// the last election of that partition at or after acked_at_ns (faults and elections in time
// order), e.g. "last fault before loss: crash broker-2 at t=13.000s; last election: ledger-0
// epoch 3 leader 1 at t=20.412s". Says "none" for either when there was none. fault_label names
// the fault's part ("last fault since the acknowledgement" for a record not lost).
std::string AttributeLoss(int64_t acked_at_ns, const std::string& topic, int32_t partition,
                          const std::vector<FaultNote>& faults,
                          const std::vector<ElectionNote>& elections,
                          std::string_view fault_label = "last fault before loss");

// Simulated time as "12.345s".
std::string SimTime(int64_t ns);

}  // namespace samsa::sim
