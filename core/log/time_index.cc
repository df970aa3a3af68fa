#include "core/log/time_index.h"

#include <algorithm>

namespace samsa {

void EncodeTimeIndexEntry(const TimeIndexEntry& entry, Bytes& out) {
  PutBe64(out, uint64_t(entry.timestamp));
  PutBe32(out, uint32_t(entry.relative_offset));
}

Bytes EncodeTimeIndex(const std::vector<TimeIndexEntry>& entries) {
  Bytes out;
  out.reserve(entries.size() * kTimeIndexEntryBytes);
  for (const auto& e : entries) EncodeTimeIndexEntry(e, out);
  return out;
}

Result<std::vector<TimeIndexEntry>> DecodeTimeIndex(ByteView data) {
  if (data.size() % kTimeIndexEntryBytes != 0)
    return Status::Corruption("time index size " + std::to_string(data.size()) + " is not a multiple of 12");
  std::vector<TimeIndexEntry> entries;
  entries.reserve(data.size() / kTimeIndexEntryBytes);
  for (size_t at = 0; at < data.size(); at += kTimeIndexEntryBytes) {
    TimeIndexEntry e{int64_t(LoadBe64(data.data() + at)), int32_t(LoadBe32(data.data() + at + 8))};
    if (e.relative_offset < 0) return Status::Corruption("negative time index offset");
    if (!entries.empty() &&
        (e.timestamp <= entries.back().timestamp || e.relative_offset <= entries.back().relative_offset))
      return Status::Corruption("time index entries do not increase");
    entries.push_back(e);
  }
  return entries;
}

int64_t LookupTimeIndex(const std::vector<TimeIndexEntry>& entries, int64_t timestamp) {
  auto it = std::partition_point(entries.begin(), entries.end(),
                                 [&](const TimeIndexEntry& e) { return e.timestamp < timestamp; });
  return it == entries.begin() ? -1 : std::prev(it)->relative_offset;
}

}  // namespace samsa
