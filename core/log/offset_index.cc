#include "core/log/offset_index.h"

#include <algorithm>

namespace samsa {

void EncodeOffsetIndexEntry(const OffsetIndexEntry& entry, Bytes& out) {
  PutBe32(out, uint32_t(entry.relative_offset));
  PutBe32(out, uint32_t(entry.position));
}

Bytes EncodeOffsetIndex(const std::vector<OffsetIndexEntry>& entries) {
  Bytes out;
  out.reserve(entries.size() * kOffsetIndexEntryBytes);
  for (const auto& e : entries) EncodeOffsetIndexEntry(e, out);
  return out;
}

Result<std::vector<OffsetIndexEntry>> DecodeOffsetIndex(ByteView data) {
  if (data.size() % kOffsetIndexEntryBytes != 0)
    return Status::Corruption("offset index size " + std::to_string(data.size()) + " is not a multiple of 8");
  std::vector<OffsetIndexEntry> entries;
  entries.reserve(data.size() / kOffsetIndexEntryBytes);
  for (size_t at = 0; at < data.size(); at += kOffsetIndexEntryBytes) {
    OffsetIndexEntry e{int32_t(LoadBe32(data.data() + at)), int32_t(LoadBe32(data.data() + at + 4))};
    if (e.relative_offset < 0 || e.position < 0)
      return Status::Corruption("negative offset index entry");
    if (!entries.empty() &&
        (e.relative_offset <= entries.back().relative_offset || e.position <= entries.back().position))
      return Status::Corruption("offset index entries do not increase");
    entries.push_back(e);
  }
  return entries;
}

int32_t LookupOffsetIndex(const std::vector<OffsetIndexEntry>& entries, int64_t relative_offset) {
  // First entry with relativeOffset > target; the one before it is the answer.
  auto it = std::partition_point(entries.begin(), entries.end(),
                                 [&](const OffsetIndexEntry& e) { return e.relative_offset <= relative_offset; });
  return it == entries.begin() ? 0 : std::prev(it)->position;
}

}  // namespace samsa
