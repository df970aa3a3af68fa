#pragma once
// LeaderEpochCache: which leader epoch began at which offset of this partition's log (KIP-101,
// KIP-279), and its file "leader-epoch-checkpoint" in the partition directory.
//
// File format: Kafka's checkpoint text format, ASCII, '\n' after every line:
//
//   0                 version (always 0)
//   2                 number of entries that follow
//   0 0               "<epoch> <startOffset>", one entry per line, epochs and start offsets
//   3 150             strictly increasing
//
// On disk these lines are sealed with a checksum line (core/log/sealed_text.h); a file that fails
// it is rebuilt from the batches. The file is replaced atomically: written to
// "leader-epoch-checkpoint.tmp", then renamed over.
//
// The cache holds entries sorted by epoch; start offsets increase with epochs. Transitions:
//   Assign(e, o)          e > latest epoch: appends (e, o), first dropping entries starting at or
//                         after o; e == latest: no change
//   TruncateFromEnd(o)    drops entries starting at or after o (log truncated to end at o)
//   TruncateFromStart(o)  drops entries wholly before o and moves the last of them to start at o
//                         (log start offset advanced to o)
//   Clear()               forgets everything (log fully truncated)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"

namespace samsa {

inline constexpr int32_t kUndefinedEpoch = -1;
inline constexpr int64_t kUndefinedEpochOffset = -1;

struct EpochEntry {
  int32_t epoch = 0;
  int64_t start_offset = 0;
  friend bool operator==(const EpochEntry&, const EpochEntry&) = default;
};

// What OffsetForLeaderEpoch answers: an epoch and the offset where it ended.
struct EpochEndOffset {
  int32_t epoch = kUndefinedEpoch;
  int64_t end_offset = kUndefinedEpochOffset;
  friend bool operator==(const EpochEndOffset&, const EpochEndOffset&) = default;
};

std::string EncodeLeaderEpochCheckpoint(const std::vector<EpochEntry>& entries);
// Corruption when the text is not exactly the format above (including trailing garbage,
// a wrong count, negative values or entries that do not strictly increase).
Result<std::vector<EpochEntry>> ParseLeaderEpochCheckpoint(std::string_view text);

class LeaderEpochCache {
 public:
  LeaderEpochCache() = default;
  explicit LeaderEpochCache(std::vector<EpochEntry> entries) : entries_(std::move(entries)) {}

  const std::vector<EpochEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::optional<EpochEntry> latest() const {
    return entries_.empty() ? std::nullopt : std::optional<EpochEntry>(entries_.back());
  }

  // Each returns true when the entries changed.
  bool Assign(int32_t epoch, int64_t start_offset);
  bool TruncateFromEnd(int64_t end_offset);
  bool TruncateFromStart(int64_t start_offset);
  bool Clear();

  // OffsetForLeaderEpoch, as Kafka's leader answers it:
  //   requested == latest epoch        -> (latest, log_end_offset)
  //   requested above latest, or none  -> (-1, -1)
  //   requested below the earliest     -> (requested, start offset of the earliest epoch)
  //   otherwise                        -> (largest epoch <= requested, start of the next epoch)
  EpochEndOffset EndOffsetFor(int32_t requested_epoch, int64_t log_end_offset) const;

  // The epoch of the entry covering offset (largest start <= offset), or kUndefinedEpoch.
  int32_t EpochForOffset(int64_t offset) const;

 private:
  std::vector<EpochEntry> entries_;
};

}  // namespace samsa
