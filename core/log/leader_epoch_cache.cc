#include "core/log/leader_epoch_cache.h"

#include <algorithm>
#include <charconv>

namespace samsa {

std::string EncodeLeaderEpochCheckpoint(const std::vector<EpochEntry>& entries) {
  std::string out = "0\n" + std::to_string(entries.size()) + "\n";
  for (const auto& e : entries) out += std::to_string(e.epoch) + " " + std::to_string(e.start_offset) + "\n";
  return out;
}

namespace {
// Reads one '\n'-terminated line and advances text past it.
std::optional<std::string_view> NextLine(std::string_view& text) {
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(0, nl);
  text.remove_prefix(nl + 1);
  return line;
}
template <typename T>
bool ParseInt(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}
}  // namespace

Result<std::vector<EpochEntry>> ParseLeaderEpochCheckpoint(std::string_view text) {
  auto version = NextLine(text);
  if (!version || *version != "0") return Status::Corruption("leader-epoch-checkpoint: bad version line");
  auto count_line = NextLine(text);
  int64_t count = 0;
  if (!count_line || !ParseInt(*count_line, count) || count < 0)
    return Status::Corruption("leader-epoch-checkpoint: bad count line");
  std::vector<EpochEntry> entries;
  for (int64_t i = 0; i < count; ++i) {
    auto line = NextLine(text);
    if (!line) return Status::Corruption("leader-epoch-checkpoint: fewer entries than its count");
    size_t space = line->find(' ');
    EpochEntry e;
    if (space == std::string_view::npos || !ParseInt(line->substr(0, space), e.epoch) ||
        !ParseInt(line->substr(space + 1), e.start_offset) || e.epoch < 0 || e.start_offset < 0)
      return Status::Corruption("leader-epoch-checkpoint: bad entry line");
    if (!entries.empty() &&
        (e.epoch <= entries.back().epoch || e.start_offset <= entries.back().start_offset))
      return Status::Corruption("leader-epoch-checkpoint: entries do not increase");
    entries.push_back(e);
  }
  if (!text.empty()) return Status::Corruption("leader-epoch-checkpoint: trailing bytes");
  return entries;
}

bool LeaderEpochCache::Assign(int32_t epoch, int64_t start_offset) {
  if (epoch < 0) return false;
  if (!entries_.empty() && epoch <= entries_.back().epoch) return false;
  bool changed = TruncateFromEnd(start_offset);
  entries_.push_back({epoch, start_offset});
  (void)changed;
  return true;
}

bool LeaderEpochCache::TruncateFromEnd(int64_t end_offset) {
  size_t before = entries_.size();
  while (!entries_.empty() && entries_.back().start_offset >= end_offset) entries_.pop_back();
  return entries_.size() != before;
}

bool LeaderEpochCache::TruncateFromStart(int64_t start_offset) {
  // The last entry starting at or before start_offset survives, moved up to start_offset.
  auto first_after = std::partition_point(entries_.begin(), entries_.end(),
                                          [&](const EpochEntry& e) { return e.start_offset <= start_offset; });
  if (first_after == entries_.begin()) return false;
  auto keep = std::prev(first_after);
  bool changed = keep != entries_.begin() || keep->start_offset != start_offset;
  keep->start_offset = start_offset;
  entries_.erase(entries_.begin(), keep);
  return changed;
}

bool LeaderEpochCache::Clear() {
  bool changed = !entries_.empty();
  entries_.clear();
  return changed;
}

EpochEndOffset LeaderEpochCache::EndOffsetFor(int32_t requested_epoch, int64_t log_end_offset) const {
  if (requested_epoch < 0 || entries_.empty()) return {};
  if (requested_epoch == entries_.back().epoch) return {requested_epoch, log_end_offset};
  auto higher = std::partition_point(entries_.begin(), entries_.end(),
                                     [&](const EpochEntry& e) { return e.epoch <= requested_epoch; });
  if (higher == entries_.end()) return {};
  if (higher == entries_.begin()) return {requested_epoch, higher->start_offset};
  return {std::prev(higher)->epoch, higher->start_offset};
}

int32_t LeaderEpochCache::EpochForOffset(int64_t offset) const {
  auto it = std::partition_point(entries_.begin(), entries_.end(),
                                 [&](const EpochEntry& e) { return e.start_offset <= offset; });
  return it == entries_.begin() ? kUndefinedEpoch : std::prev(it)->epoch;
}

}  // namespace samsa
