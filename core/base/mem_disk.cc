#include "core/base/mem_disk.h"

#include <algorithm>

namespace samsa {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() != '/') out.push_back('/');
  out.append(b);
  return out;
}

namespace {
// Splits "a/b/c" into ("a/b", "c"); "c" into ("", "c").
std::pair<std::string, std::string> SplitParent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", std::string(path)};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}
std::string Normalize(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}
}  // namespace

struct MemDisk::Inode {
  Bytes data;                   // page cache: what reads see
  Bytes durable;                // what a crash leaves
  uint64_t applied_sync = 0;    // newest sync id applied: an older one completing later is stale
};

struct MemDisk::Dir {
  std::map<std::string, std::shared_ptr<Inode>> files;
  std::set<std::string> subdirs;
};

struct MemDisk::PendingSync {
  std::string path;
  std::shared_ptr<Inode> inode;  // set for a file sync
  Bytes snapshot;                // file content at request time
  std::optional<Dir> dir;        // directory entries at request time
};

MemDisk::MemDisk() {
  live_dirs_[""] = std::make_shared<Dir>();
  durable_dirs_[""] = std::make_shared<Dir>();
}

MemDisk::~MemDisk() = default;

Status MemDisk::BeginMutation() {
  if (stop_at_ops_ && mutating_ops_ >= *stop_at_ops_) return Status::IoError("disk stopped");
  ++mutating_ops_;
  return Status::Ok();
}

void MemDisk::StopAfterOps(uint64_t ops) { stop_at_ops_ = mutating_ops_ + ops; }
void MemDisk::ClearFault() { stop_at_ops_.reset(); }

uint64_t MemDisk::live_bytes() const {
  uint64_t total = 0;
  for (const auto& [_, dir] : live_dirs_)
    for (const auto& [__, inode] : dir->files) total += inode->data.size();
  return total;
}

Status MemDisk::CheckCapacity(uint64_t extra) const {
  if (capacity_bytes_ != 0 && live_bytes() + extra > capacity_bytes_)
    return Status::NoSpace("disk full");
  return Status::Ok();
}

MemDisk::Dir* MemDisk::FindDir(const std::map<std::string, std::shared_ptr<Dir>>& ns,
                               std::string_view path) const {
  auto it = ns.find(std::string(path));
  return it == ns.end() ? nullptr : it->second.get();
}

MemDisk::Inode* MemDisk::FindFile(std::string_view path) const {
  auto [parent, name] = SplitParent(Normalize(path));
  Dir* dir = FindDir(live_dirs_, parent);
  if (dir == nullptr) return nullptr;
  auto it = dir->files.find(name);
  return it == dir->files.end() ? nullptr : it->second.get();
}

Result<std::shared_ptr<MemDisk::Inode>> MemDisk::OpenOrCreate(std::string_view path) {
  auto [parent, name] = SplitParent(Normalize(path));
  if (name.empty()) return Status::InvalidArgument("empty file name");
  Dir* dir = FindDir(live_dirs_, parent);
  if (dir == nullptr) return Status::NotFound("no directory '" + parent + "'");
  if (dir->subdirs.count(name)) return Status::InvalidArgument("'" + std::string(path) + "' is a directory");
  auto& slot = dir->files[name];
  if (!slot) slot = std::make_shared<Inode>();
  return slot;
}

Status MemDisk::CreateDir(std::string_view raw) {
  std::string path = Normalize(raw);
  if (path.empty() || live_dirs_.count(path)) return Status::Ok();
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (live_dirs_.count(prefix)) continue;
    auto [parent, name] = SplitParent(prefix);
    Dir* p = FindDir(live_dirs_, parent);
    if (p->files.count(name)) return Status::AlreadyExists("'" + prefix + "' is a file");
    p->subdirs.insert(name);
    live_dirs_[prefix] = std::make_shared<Dir>();
  }
  return Status::Ok();
}

Status MemDisk::Write(std::string_view path, uint64_t offset, ByteView data) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  SAMSA_ASSIGN_OR_RETURN(auto inode, OpenOrCreate(path));
  uint64_t end = offset + data.size();
  if (end > inode->data.size()) SAMSA_RETURN_IF_ERROR(CheckCapacity(end - inode->data.size()));
  if (end > inode->data.size()) inode->data.resize(end, 0);
  std::copy(data.begin(), data.end(), inode->data.begin() + int64_t(offset));
  return Status::Ok();
}

Result<uint64_t> MemDisk::Append(std::string_view path, ByteView data) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  SAMSA_ASSIGN_OR_RETURN(auto inode, OpenOrCreate(path));
  SAMSA_RETURN_IF_ERROR(CheckCapacity(data.size()));
  uint64_t at = inode->data.size();
  inode->data.insert(inode->data.end(), data.begin(), data.end());
  return at;
}

Result<Bytes> MemDisk::Read(std::string_view path, uint64_t offset, size_t max_bytes) const {
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("no file '" + std::string(path) + "'");
  if (offset >= inode->data.size()) return Bytes{};
  size_t n = std::min<uint64_t>(max_bytes, inode->data.size() - offset);
  auto begin = inode->data.begin() + int64_t(offset);
  return Bytes(begin, begin + int64_t(n));
}

Result<uint64_t> MemDisk::FileSize(std::string_view path) const {
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("no file '" + std::string(path) + "'");
  return uint64_t(inode->data.size());
}

bool MemDisk::Exists(std::string_view path) const {
  return FindFile(path) != nullptr || live_dirs_.count(Normalize(path)) > 0;
}

bool MemDisk::IsDir(std::string_view path) const { return live_dirs_.count(Normalize(path)) > 0; }

Status MemDisk::Truncate(std::string_view path, uint64_t size) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("no file '" + std::string(path) + "'");
  if (size > inode->data.size()) SAMSA_RETURN_IF_ERROR(CheckCapacity(size - inode->data.size()));
  inode->data.resize(size, 0);
  return Status::Ok();
}

Status MemDisk::Rename(std::string_view from, std::string_view to) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  auto [from_parent, from_name] = SplitParent(Normalize(from));
  auto [to_parent, to_name] = SplitParent(Normalize(to));
  Dir* src = FindDir(live_dirs_, from_parent);
  Dir* dst = FindDir(live_dirs_, to_parent);
  if (src == nullptr || !src->files.count(from_name))
    return Status::NotFound("no file '" + std::string(from) + "'");
  if (dst == nullptr) return Status::NotFound("no directory '" + to_parent + "'");
  if (dst->subdirs.count(to_name)) return Status::InvalidArgument("'" + std::string(to) + "' is a directory");
  auto inode = src->files[from_name];
  src->files.erase(from_name);
  dst->files[to_name] = std::move(inode);
  return Status::Ok();
}

Status MemDisk::Remove(std::string_view raw) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  std::string path = Normalize(raw);
  auto [parent, name] = SplitParent(path);
  Dir* dir = FindDir(live_dirs_, parent);
  if (dir == nullptr) return Status::NotFound("no entry '" + path + "'");
  if (dir->files.erase(name)) return Status::Ok();
  if (dir->subdirs.count(name)) {
    Dir* victim = FindDir(live_dirs_, path);
    if (!victim->files.empty() || !victim->subdirs.empty())
      return Status::FailedPrecondition("directory '" + path + "' is not empty");
    dir->subdirs.erase(name);
    live_dirs_.erase(path);
    return Status::Ok();
  }
  return Status::NotFound("no entry '" + path + "'");
}

Result<std::vector<std::string>> MemDisk::List(std::string_view raw) const {
  std::string path = Normalize(raw);
  Dir* dir = FindDir(live_dirs_, path);
  if (dir == nullptr) return Status::NotFound("no directory '" + path + "'");
  std::vector<std::string> names(dir->subdirs.begin(), dir->subdirs.end());
  for (const auto& [name, _] : dir->files) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

SyncId MemDisk::RequestSync(std::string_view raw) {
  std::string path = Normalize(raw);
  PendingSync p;
  p.path = path;
  if (Dir* dir = FindDir(live_dirs_, path)) {
    p.dir = *dir;
  } else {
    auto [parent, name] = SplitParent(path);
    if (Dir* d = FindDir(live_dirs_, parent); d && d->files.count(name)) {
      p.inode = d->files[name];
      p.snapshot = p.inode->data;
    }
  }
  SyncId id(next_sync_id_++);
  pending_.emplace(id.value(), std::move(p));
  return id;
}

void MemDisk::CompleteSync(SyncId id) {
  auto it = pending_.find(id.value());
  if (it == pending_.end()) return;
  PendingSync& p = it->second;
  // Syncs may complete out of order; a real disk never moves durable content backwards, so an
  // older sync that completes after a newer one of the same file or directory changes nothing.
  if (p.inode) {
    if (id.value() > p.inode->applied_sync) {
      p.inode->durable = std::move(p.snapshot);
      p.inode->applied_sync = id.value();
    }
  } else if (p.dir && id.value() <= dir_applied_sync_[p.path]) {
    // stale directory sync
  } else if (p.dir) {
    dir_applied_sync_[p.path] = id.value();
    // The directory's entries become durable: files by inode, subdirectories by existence.
    auto& durable = durable_dirs_[p.path];
    if (!durable) durable = std::make_shared<Dir>();
    for (const auto& gone : durable->subdirs) {
      if (p.dir->subdirs.count(gone)) continue;
      std::string prefix = JoinPath(p.path, gone);
      for (auto d = durable_dirs_.begin(); d != durable_dirs_.end();) {
        bool under = d->first == prefix || d->first.rfind(prefix + "/", 0) == 0;
        d = under ? durable_dirs_.erase(d) : std::next(d);
      }
    }
    durable->files = p.dir->files;
    durable->subdirs = p.dir->subdirs;
    for (const auto& sub : p.dir->subdirs) {
      auto& child = durable_dirs_[JoinPath(p.path, sub)];
      if (!child) child = std::make_shared<Dir>();
    }
  }
  pending_.erase(it);
}

std::vector<SyncId> MemDisk::CompleteAllSyncs() {
  std::vector<SyncId> done;
  while (!pending_.empty()) {
    SyncId id(pending_.begin()->first);
    CompleteSync(id);
    done.push_back(id);
  }
  return done;
}

std::vector<SyncId> MemDisk::PendingSyncs() const {
  std::vector<SyncId> ids;
  for (const auto& [id, _] : pending_) ids.emplace_back(id);
  return ids;
}

void MemDisk::SyncAll(std::string_view raw) {
  std::string path = Normalize(raw);
  CompleteSync(RequestSync(path));
  while (!path.empty()) {
    path = SplitParent(path).first;
    CompleteSync(RequestSync(path));
  }
}

Status MemDisk::FlipDurableBit(std::string_view path, uint64_t byte_offset, int bit) {
  if (bit < 0 || bit > 7) return Status::InvalidArgument("bit must be 0..7");
  auto [parent, name] = SplitParent(Normalize(path));
  Dir* dir = FindDir(durable_dirs_, parent);
  if (dir == nullptr || !dir->files.count(name)) return Status::NotFound("no durable file '" + std::string(path) + "'");
  Bytes& durable = dir->files.at(name)->durable;
  if (byte_offset >= durable.size()) return Status::OutOfRange("offset past durable content");
  durable[byte_offset] ^= uint8_t(1u << bit);
  return Status::Ok();
}

Result<uint64_t> MemDisk::DurableSize(std::string_view path) const {
  auto [parent, name] = SplitParent(Normalize(path));
  Dir* dir = FindDir(durable_dirs_, parent);
  if (dir == nullptr || !dir->files.count(name)) return Status::NotFound("no durable file '" + std::string(path) + "'");
  return uint64_t(dir->files.at(name)->durable.size());
}

void MemDisk::Crash(Prng* prng) {
  pending_.clear();
  stop_at_ops_.reset();
  live_dirs_.clear();
  std::set<Inode*> seen;
  for (const auto& [path, dir] : durable_dirs_) {
    // A durable directory whose parent entry was never made durable is unreachable: drop it.
    if (!path.empty()) {
      auto [parent, name] = SplitParent(path);
      auto p = durable_dirs_.find(parent);
      if (p == durable_dirs_.end() || !p->second->subdirs.count(name)) continue;
      if (!live_dirs_.count(parent)) continue;
    }
    live_dirs_[path] = std::make_shared<Dir>(*dir);
    for (const auto& [_, inode] : dir->files) {
      if (!seen.insert(inode.get()).second) continue;
      const Bytes& d = inode->durable;
      bool pure_append = inode->data.size() > d.size() && std::equal(d.begin(), d.end(), inode->data.begin());
      if (prng != nullptr && pure_append) {
        uint64_t tail = inode->data.size() - d.size();
        uint64_t sectors = (tail + kSectorBytes - 1) / kSectorBytes;
        uint64_t keep_sectors = prng->Uniform(sectors + 1);
        uint64_t keep = std::min<uint64_t>(keep_sectors * kSectorBytes, tail);
        if (keep > 0 && prng->Chance(1, 2)) keep -= prng->Uniform(std::min<uint64_t>(keep, kSectorBytes));
        inode->data.resize(d.size() + keep);
      } else {
        inode->data = d;
      }
      inode->durable = inode->data;
    }
  }
  // Prune durable subdirectory entries that did not survive.
  for (auto& [path, dir] : live_dirs_)
    for (auto s = dir->subdirs.begin(); s != dir->subdirs.end();)
      s = live_dirs_.count(JoinPath(path, *s)) ? std::next(s) : dir->subdirs.erase(s);
  durable_dirs_.clear();
  for (const auto& [path, dir] : live_dirs_) durable_dirs_[path] = std::make_shared<Dir>(*dir);
}

}  // namespace samsa
