#pragma once
// The sparse time index of one segment: "<base offset, 20 digits>.timeindex".
//
// A flat array of 12-byte entries, big-endian, no header, file size = 12 * entries:
//
//   offset size field
//   0      8    timestamp        int64: the largest batch maxTimestamp seen so far in the segment
//   8      4    relativeOffset   int32: last offset of the batch that first reached it - base offset
//
// Entries are added alongside offset-index entries when the segment's largest timestamp has grown
// since the previous time-index entry, and once more when the segment stops being the active one
// (so the last entry of a rolled segment holds its largest timestamp). Timestamps strictly
// increase and relative offsets strictly increase. Every batch up to and including the one at
// relativeOffset has maxTimestamp <= timestamp, so a search for the first batch with
// maxTimestamp >= T can start at the batch of the last entry whose timestamp is < T.

#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace samsa {

inline constexpr size_t kTimeIndexEntryBytes = 12;

struct TimeIndexEntry {
  int64_t timestamp = -1;
  int32_t relative_offset = 0;
  friend bool operator==(const TimeIndexEntry&, const TimeIndexEntry&) = default;
};

void EncodeTimeIndexEntry(const TimeIndexEntry& entry, Bytes& out);
Bytes EncodeTimeIndex(const std::vector<TimeIndexEntry>& entries);
// Parses a whole time-index file. Corruption when the size is not a multiple of 12 or entries do
// not strictly increase.
Result<std::vector<TimeIndexEntry>> DecodeTimeIndex(ByteView data);

// The relative offset from which to search for the first batch with maxTimestamp >= timestamp:
// the relativeOffset of the last entry whose timestamp is below it, or -1 (search from the start).
int64_t LookupTimeIndex(const std::vector<TimeIndexEntry>& entries, int64_t timestamp);

}  // namespace samsa
