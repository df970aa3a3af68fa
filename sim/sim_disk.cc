#include "sim/sim_disk.h"

#include <fmt/core.h>

namespace samsa::sim {

Status SimDisk::MaybeIoError() {
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
  requested_.clear();
  mem_.Crash(&prng_);
}

void SimDisk::set_faults(const DiskFaults& faults) {
  faults_ = faults;
  if (faults_.slow_factor < 1) faults_.slow_factor = 1;
  mem_.set_capacity_bytes(faults_.capacity_bytes);
}

std::string SimDisk::FlipRandomDurableBit(std::string_view dir) {
  // Walk the live namespace for candidate files (sorted), keep those with durable bytes.
  std::vector<std::pair<std::string, uint64_t>> files;
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
        files.emplace_back(p, *size);
      }
    }
  }
  if (files.empty()) return "";
  std::sort(files.begin(), files.end());
  const auto& [path, size] = files[prng_.Uniform(files.size())];
  uint64_t offset = prng_.Uniform(size);
  int bit = int(prng_.Uniform(8));
  if (!mem_.FlipDurableBit(path, offset, bit).ok()) return "";
  return fmt::format("{}@{}.{}", path, offset, bit);
}

}  // namespace samsa::sim
