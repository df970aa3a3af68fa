#include "sim/sim_disk.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/record/batch_header.h"

namespace samsa::sim {

void SimDisk::set_writeback(int64_t interval_ns, std::function<int64_t()> clock) {
  writeback_ns_ = interval_ns > 0 && clock ? interval_ns : 0;
  clock_ = std::move(clock);
  if (writeback_ns_ > 0) {
    mem_.EnableWritebackTracking();
    last_mutation_ns_ = clock_();
  }
}

void SimDisk::CatchUpWriteback() {
  if (writeback_ns_ <= 0 || !mem_.dirty()) return;
  // Everything dirty was written at or before last_mutation_ns_, after the tick before it (that
  // tick's writeback was caught up with before the mutation). A tick since then, at a time <= now,
  // covers it all. Ticks are at k * writeback_ns_; what is written at a tick's very instant waits
  // for the next one.
  if (clock_() / writeback_ns_ > last_mutation_ns_ / writeback_ns_ && mem_.WritebackAll()) ++writebacks_;
}

void SimDisk::NoteMutation() {
  if (writeback_ns_ <= 0) return;
  CatchUpWriteback();
  last_mutation_ns_ = clock_();
}

Status SimDisk::MaybeIoError() {
  NoteMutation();
  if (faults_.io_error_num > 0 && prng_.Chance(faults_.io_error_num, faults_.io_error_den))
    return Status::IoError("injected I/O error");
  return Status::Ok();
}

Status SimDisk::CreateDir(std::string_view path) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.CreateDir(path);
}
Status SimDisk::Write(std::string_view path, uint64_t offset, ByteView data) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.Write(path, offset, data);
}
Result<uint64_t> SimDisk::Append(std::string_view path, ByteView data) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.Append(path, data);
}
Result<uint64_t> SimDisk::AppendVia(FileMemo& memo, std::string_view path, ByteView data) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.AppendVia(memo, path, data);
}
Status SimDisk::Truncate(std::string_view path, uint64_t size) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.Truncate(path, size);
}
Status SimDisk::Rename(std::string_view from, std::string_view to) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.Rename(from, to);
}
Status SimDisk::Remove(std::string_view path) {
  SAMSA_RETURN_IF_ERROR(MaybeIoError());
  return mem_.Remove(path);
}

SyncId SimDisk::RequestSync(std::string_view path) {
  SyncId id = mem_.RequestSync(path);
  requested_.push_back(id);
  return id;
}

std::vector<SyncId> SimDisk::TakeRequestedSyncs() {
  std::vector<SyncId> out;
  out.swap(requested_);
  return out;
}

int64_t SimDisk::SyncCompletionTime(int64_t now_ns) {
  int64_t latency = prng_.Range(faults_.sync_latency_min_ns, faults_.sync_latency_max_ns) * faults_.slow_factor;
  int64_t at = std::max(now_ns + latency, last_sync_done_ns_);
  last_sync_done_ns_ = at;
  return at;
}

bool SimDisk::DrawSyncFailure() {
  return faults_.sync_error_num > 0 && prng_.Chance(faults_.sync_error_num, faults_.sync_error_den);
}

void SimDisk::FinishSync(SyncId id, bool ok) {
  if (ok) {
    mem_.CompleteSync(id);
  } else {
    // A failed fsync: the request is abandoned; nothing it covered becomes durable through it.
    // MemDisk has no "abandon", so leave it pending: a later crash discards it.
  }
}

void SimDisk::Crash() {
  CatchUpWriteback();  // the ticks before the crash wrote back what was written before them
  requested_.clear();
  mem_.Crash(&prng_);
}

void SimDisk::set_faults(const DiskFaults& faults) {
  faults_ = faults;
  if (faults_.slow_factor < 1) faults_.slow_factor = 1;
  mem_.set_capacity_bytes(faults_.capacity_bytes);
}

std::vector<std::string> SimDisk::DurableFiles(std::string_view dir) const {
  // Walk the live namespace for candidate files, keep those with durable bytes.
  std::vector<std::string> files;
  std::vector<std::string> stack{std::string(dir)};
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    auto names = mem_.List(d);
    if (!names.ok()) continue;
    for (const auto& n : *names) {
      std::string p = JoinPath(d, n);
      if (mem_.IsDir(p)) {
        stack.push_back(p);
      } else if (auto size = mem_.DurableSize(p); size.ok() && *size > 0) {
        files.push_back(p);
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

// The byte ranges of a record-batch file that no checksum covers: each batch's
// partitionLeaderEpoch field (its CRC covers attributes onwards). The walk follows batchLength
// and stops at the first frame that is not a whole batch (recovery cuts the log there anyway).
std::vector<std::pair<uint64_t, uint64_t>> UncheckedBatchRanges(ByteView data) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  uint64_t pos = 0;
  while (pos + kBatchLeaderEpochOffset + 4 <= data.size()) {
    ranges.emplace_back(pos + kBatchLeaderEpochOffset, pos + kBatchLeaderEpochOffset + 4);
    Result<size_t> size = PeekBatchSize(data.subspan(pos), data.size() - pos);
    if (!size.ok()) break;
    pos += *size;
  }
  return ranges;
}

}  // namespace

std::string SimDisk::FlipRandomDurableBit(std::string_view dir,
                                          const std::function<bool(const std::string& path)>& accept,
                                          bool checked_only) {
  CatchUpWriteback();  // a flip lands on what is durable now
  std::vector<std::string> files = DurableFiles(dir);
  if (accept) std::erase_if(files, [&](const std::string& p) { return !accept(p); });
  if (files.empty()) return "";
  const std::string& path = files[prng_.Uniform(files.size())];
  uint64_t size = *mem_.DurableSize(path);
  uint64_t offset = prng_.Uniform(size);
  if (checked_only && path.ends_with(".log")) {
    Result<Bytes> durable = mem_.ReadDurable(path);
    const auto ranges = durable.ok() ? UncheckedBatchRanges(*durable) : std::vector<std::pair<uint64_t, uint64_t>>{};
    auto unchecked = [&](uint64_t o) {
      return std::any_of(ranges.begin(), ranges.end(), [&](const auto& r) { return o >= r.first && o < r.second; });
    };
    uint64_t unchecked_bytes = 0;
    for (const auto& [from, to] : ranges) unchecked_bytes += to - from;
    if (unchecked_bytes >= size) return "";
    while (unchecked(offset)) offset = prng_.Uniform(size);
  }
  int bit = int(prng_.Uniform(8));
  if (!mem_.FlipDurableBit(path, offset, bit).ok()) return "";
  return fmt::format("{}@{}.{}", path, offset, bit);
}

namespace {

constexpr std::string_view kMetadataDir = "__cluster_metadata-0";

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string_view ParentDirName(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  return BaseName(path.substr(0, slash));
}

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kAny: return "any";
    case FileKind::kPartitionLog: return "partition-log";
    case FileKind::kIndex: return "index";
    case FileKind::kCheckpoint: return "checkpoint";
    case FileKind::kMetadataLog: return "metadata-log";
  }
  return "?";
}

std::optional<FileKind> FileKindFromName(std::string_view name) {
  for (FileKind k : {FileKind::kAny, FileKind::kPartitionLog, FileKind::kIndex, FileKind::kCheckpoint,
                     FileKind::kMetadataLog})
    if (FileKindName(k) == name) return k;
  return std::nullopt;
}

bool IsFileOfKind(std::string_view path, FileKind kind) {
  const std::string_view name = BaseName(path);
  const bool metadata_dir = ParentDirName(path) == kMetadataDir;
  switch (kind) {
    case FileKind::kAny: return true;
    case FileKind::kPartitionLog: return name.ends_with(".log") && !metadata_dir;
    case FileKind::kIndex: return name.ends_with(".index") || name.ends_with(".timeindex");
    case FileKind::kCheckpoint:
      return name.ends_with("-checkpoint") || name == "recovery-point" || name == "quorum-state";
    case FileKind::kMetadataLog: return name.ends_with(".log") && metadata_dir;
  }
  return false;
}

bool FlipAim::Matches(std::string_view path) const {
  return IsFileOfKind(path, kind) && (partition.empty() || ParentDirName(path) == partition);
}

}  // namespace samsa::sim
