#pragma once
// The sparse offset index of one segment: "<base offset, 20 digits>.index".
//
// A flat array of 8-byte entries, big-endian, no header, file size = 8 * entries:
//
//   offset size field
//   0      4    relativeOffset   int32: last offset of the indexed batch - segment base offset
//   4      4    position         int32: byte position of that batch in the segment's .log file
//
// An entry is added for a batch when more than log.index.interval.bytes of batches have been
// appended since the previous entry (the segment's first batch never gets one: position 0 is
// implicit). Both fields strictly increase from entry to entry. To find the batch holding offset
// O, take the last entry with relativeOffset <= O - base (or position 0) and scan forward to the
// first batch whose last offset is >= O. Unlike Kafka the file is not preallocated; entries are
// appended as they are made.

#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace samsa {

inline constexpr size_t kOffsetIndexEntryBytes = 8;

struct OffsetIndexEntry {
  int32_t relative_offset = 0;
  int32_t position = 0;
  friend bool operator==(const OffsetIndexEntry&, const OffsetIndexEntry&) = default;
};

void EncodeOffsetIndexEntry(const OffsetIndexEntry& entry, Bytes& out);
Bytes EncodeOffsetIndex(const std::vector<OffsetIndexEntry>& entries);
// Parses a whole index file. Corruption when the size is not a multiple of 8 or an entry does not
// strictly increase on both fields or has a negative field.
Result<std::vector<OffsetIndexEntry>> DecodeOffsetIndex(ByteView data);

// Byte position from which to scan for the batch holding relative offset `relative_offset`: the
// position of the last entry whose relativeOffset is <= it, else 0.
int32_t LookupOffsetIndex(const std::vector<OffsetIndexEntry>& entries, int64_t relative_offset);

}  // namespace samsa
