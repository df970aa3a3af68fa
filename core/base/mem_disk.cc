#include "core/base/mem_disk.h"

#include <algorithm>

#include "core/base/assert.h"
#include "core/base/chunked_bytes.h"

namespace samsa {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() != '/') out.push_back('/');
  out.append(b);
  return out;
}

std::vector<SyncId> RequestSyncOfAncestors(Disk& disk, std::string_view path) {
  std::vector<SyncId> ids;
  while (!path.empty()) {
    size_t slash = path.rfind('/');
    path = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
    ids.push_back(disk.RequestSync(path));
  }
  return ids;
}

namespace {
// Splits "a/b/c" into ("a/b", "c"); "c" into ("", "c"). Views into `path`.
std::pair<std::string_view, std::string_view> SplitParent(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}
// Without leading and trailing slashes; a view into `path`.
std::string_view Normalize(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}
}  // namespace

// File contents are ChunkedBytes: the live data, the durable content and every pending sync's
// snapshot share their chunks, so a sync copies no file bytes (only a later overwrite or
// truncate-and-append copies the one chunk it changes).
struct MemDisk::Inode : std::enable_shared_from_this<MemDisk::Inode> {
  // What every append touches first (written: beside data, in the same cache line).
  ChunkedBytes data;            // page cache: what reads see
  bool written = false;         // listed in written_ (writeback tracking)
  ChunkedBytes durable;         // what a crash leaves
  uint64_t applied_sync = 0;    // newest sync id applied: an older one completing later is stale
};

struct MemDisk::Dir {
  std::map<std::string, std::shared_ptr<Inode>, std::less<>> files;
  std::set<std::string, std::less<>> subdirs;
  // Live directories only. The names whose entry changed since the durable directory last took
  // it, each with the number of its latest change: every other name has the same entry in the
  // durable directory. A directory sync so copies only these entries (a real fsync of a
  // directory costs what changed, not what it holds: a log of thousands of segments, synced per
  // append, would otherwise copy them all each time).
  std::map<std::string, uint64_t, std::less<>> dirty;
  uint64_t changes = 0;
  // Whether the durable directory at this path holds this one's entries but the dirty ones. Not
  // so for a directory made after the durable one at its path (which may hold an older
  // directory's entries, or none), nor once the durable one is dropped: its next sync then
  // copies every entry, as the first sync of a new directory does. (A sync of the changed entries
  // requested before such a drop still lands on the recreated durable directory with only those:
  // it needs the directory removed and made again at the same path, with a sync of each in
  // flight, which no broker does.)
  bool mirrored = false;

  void Touch(std::string_view name) { dirty.insert_or_assign(std::string(name), ++changes); }
  // The entries alone (a durable directory, or a live one made from a durable one).
  std::shared_ptr<Dir> Entries() const {
    auto copy = std::make_shared<Dir>();
    copy->files = files;
    copy->subdirs = subdirs;
    return copy;
  }
};

struct MemDisk::PendingSync {
  // One entry of a directory at request time: a file, a subdirectory or nothing (gone).
  struct Entry {
    std::string name;
    std::shared_ptr<Inode> file;
    bool subdir = false;
  };
  std::string path;
  std::shared_ptr<Inode> inode;  // set for a file sync
  ChunkedBytes snapshot;         // file content at request time
  std::shared_ptr<Dir> dir;      // set for a directory sync (kept even if the directory goes)
  uint64_t dir_changes = 0;      // dir->changes at request time
  bool whole = false;            // entries lists every entry (dir was not mirrored), not the dirty ones
  std::vector<Entry> entries;    // dir's changed entries (Dir::dirty) at request time, or all
};

MemDisk::MemDisk() {
  live_dirs_[""] = std::make_shared<Dir>();
  live_dirs_[""]->mirrored = true;
  durable_dirs_[""] = std::make_shared<Dir>();
}

void MemDisk::ForgetMemos() { ++memo_generation_; }

MemDisk::Inode* MemDisk::Remembered(const FileMemo& memo, std::string_view path) const {
  if (memo.disk != this || memo.generation != memo_generation_ || memo.file == nullptr) return nullptr;
  Inode* inode = static_cast<Inode*>(const_cast<void*>(memo.file));
#ifndef NDEBUG
  SAMSA_ASSERT_MSG(inode == FindFile(path), "a file memo used for another path");
#else
  (void)path;
#endif
  return inode;
}

void MemDisk::Remember(FileMemo& memo, Inode* inode) const {
  memo.disk = this;
  memo.file = inode;
  memo.generation = memo_generation_;
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

MemDisk::Dir* MemDisk::FindDir(const DirMap& ns, std::string_view path) const {
  auto it = ns.find(path);
  return it == ns.end() ? nullptr : it->second.get();
}

MemDisk::Inode* MemDisk::FindFile(std::string_view raw) const {
  std::string_view path = Normalize(raw);
  if (Inode** cached = file_cache_.Find(path)) return *cached;
  auto [parent, name] = SplitParent(path);
  Dir* dir = FindDir(live_dirs_, parent);
  if (dir == nullptr) return nullptr;
  auto it = dir->files.find(name);
  if (it == dir->files.end()) return nullptr;
  file_cache_.Insert(path, it->second.get());
  return it->second.get();
}

void MemDisk::ForgetFile(std::string_view path) { file_cache_.Erase(path); }

Result<MemDisk::Inode*> MemDisk::OpenOrCreate(std::string_view raw) {
  std::string_view normalized = Normalize(raw);
  if (Inode** cached = file_cache_.Find(normalized)) return *cached;
  auto [parent, name] = SplitParent(normalized);
  if (name.empty()) return Status::InvalidArgument("empty file name");
  Dir* dir = FindDir(live_dirs_, parent);
  if (dir == nullptr) return Status::NotFound("no directory '" + std::string(parent) + "'");
  auto it = dir->files.find(name);
  if (it == dir->files.end() || !it->second) {
    if (dir->subdirs.count(name)) return Status::InvalidArgument("'" + std::string(raw) + "' is a directory");
    if (it == dir->files.end()) it = dir->files.emplace(std::string(name), nullptr).first;
    it->second = std::make_shared<Inode>();
    dir->Touch(name);
    namespace_dirty_ = true;
  }
  file_cache_.Insert(normalized, it->second.get());
  return it->second.get();
}

Status MemDisk::CreateDir(std::string_view raw) {
  std::string_view path = Normalize(raw);
  if (path.empty() || live_dirs_.count(path)) return Status::Ok();
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  size_t pos = 0;
  while (pos != std::string_view::npos) {
    pos = path.find('/', pos + 1);
    std::string_view prefix = path.substr(0, pos);
    if (live_dirs_.count(prefix)) continue;
    auto [parent, name] = SplitParent(prefix);
    Dir* p = FindDir(live_dirs_, parent);
    if (p->files.count(name)) return Status::AlreadyExists("'" + std::string(prefix) + "' is a file");
    p->subdirs.emplace(name);
    p->Touch(name);
    live_dirs_.emplace(std::string(prefix), std::make_shared<Dir>());
    namespace_dirty_ = true;
  }
  return Status::Ok();
}

Status MemDisk::Write(std::string_view path, uint64_t offset, ByteView data) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  SAMSA_ASSIGN_OR_RETURN(Inode * inode, OpenOrCreate(path));
  uint64_t end = offset + data.size();
  if (end > inode->data.size()) SAMSA_RETURN_IF_ERROR(CheckCapacity(end - inode->data.size()));
  if (end > inode->data.size()) inode->data.Resize(end);
  inode->data.Overwrite(offset, data);
  NoteWritten(inode);
  return Status::Ok();
}

Result<uint64_t> MemDisk::Append(std::string_view path, ByteView data) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  SAMSA_ASSIGN_OR_RETURN(Inode * inode, OpenOrCreate(path));
  return AppendTo(inode, data);
}

Result<uint64_t> MemDisk::AppendVia(FileMemo& memo, std::string_view path, ByteView data) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  Inode* inode = Remembered(memo, path);
  if (inode == nullptr) {
    SAMSA_ASSIGN_OR_RETURN(inode, OpenOrCreate(path));
    Remember(memo, inode);
  }
  return AppendTo(inode, data);
}

Result<uint64_t> MemDisk::AppendTo(Inode* inode, ByteView data) {
  SAMSA_RETURN_IF_ERROR(CheckCapacity(data.size()));
  uint64_t at = inode->data.size();
  inode->data.Append(data);
  NoteWritten(inode);
  return at;
}

Result<Bytes> MemDisk::Read(std::string_view path, uint64_t offset, size_t max_bytes) const {
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("no file '" + std::string(path) + "'");
  return ReadOf(*inode, offset, max_bytes);
}

Result<Bytes> MemDisk::ReadVia(FileMemo& memo, std::string_view path, uint64_t offset, size_t max_bytes) const {
  Inode* inode = Remembered(memo, path);
  if (inode == nullptr) {
    inode = FindFile(path);
    if (inode == nullptr) return Status::NotFound("no file '" + std::string(path) + "'");
    Remember(memo, inode);
  }
  return ReadOf(*inode, offset, max_bytes);
}

Bytes MemDisk::ReadOf(const Inode& inode, uint64_t offset, size_t max_bytes) {
  if (offset >= inode.data.size()) return Bytes{};
  size_t n = std::min<uint64_t>(max_bytes, inode.data.size() - offset);
  Bytes out;
  inode.data.CopyTo(offset, n, out);
  return out;
}

Result<size_t> MemDisk::ReadAppend(std::string_view path, uint64_t offset, size_t max_bytes, Bytes& out) const {
  Inode* inode = FindFile(path);
  if (inode == nullptr) return Status::NotFound("no file '" + std::string(path) + "'");
  if (offset >= inode->data.size()) return size_t{0};
  size_t n = std::min<uint64_t>(max_bytes, inode->data.size() - offset);
  inode->data.CopyTo(offset, n, out);
  return n;
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
  inode->data.Resize(size);
  NoteWritten(inode);
  return Status::Ok();
}

Status MemDisk::Rename(std::string_view from, std::string_view to) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  auto [from_parent, from_name] = SplitParent(Normalize(from));
  auto [to_parent, to_name] = SplitParent(Normalize(to));
  Dir* src = FindDir(live_dirs_, from_parent);
  Dir* dst = FindDir(live_dirs_, to_parent);
  auto from_it = src == nullptr ? decltype(src->files.end())() : src->files.find(from_name);
  if (src == nullptr || from_it == src->files.end())
    return Status::NotFound("no file '" + std::string(from) + "'");
  if (dst == nullptr) return Status::NotFound("no directory '" + std::string(to_parent) + "'");
  if (dst->subdirs.count(to_name)) return Status::InvalidArgument("'" + std::string(to) + "' is a directory");
  auto inode = std::move(from_it->second);
  src->files.erase(from_it);
  src->Touch(from_name);
  ForgetFile(Normalize(from));
  ForgetFile(Normalize(to));
  ForgetMemos();
  auto to_it = dst->files.find(to_name);
  if (to_it == dst->files.end()) to_it = dst->files.emplace(std::string(to_name), nullptr).first;
  to_it->second = std::move(inode);
  dst->Touch(to_name);
  namespace_dirty_ = true;
  return Status::Ok();
}

Status MemDisk::Remove(std::string_view raw) {
  SAMSA_RETURN_IF_ERROR(BeginMutation());
  std::string_view path = Normalize(raw);
  auto [parent, name] = SplitParent(path);
  Dir* dir = FindDir(live_dirs_, parent);
  if (dir == nullptr) return Status::NotFound("no entry '" + std::string(path) + "'");
  if (auto f = dir->files.find(name); f != dir->files.end()) {
    dir->files.erase(f);
    dir->Touch(name);
    ForgetFile(path);
    ForgetMemos();
    namespace_dirty_ = true;
    return Status::Ok();
  }
  if (auto sub = dir->subdirs.find(name); sub != dir->subdirs.end()) {
    auto victim = live_dirs_.find(path);
    if (!victim->second->files.empty() || !victim->second->subdirs.empty())
      return Status::FailedPrecondition("directory '" + std::string(path) + "' is not empty");
    dir->subdirs.erase(sub);
    dir->Touch(name);
    live_dirs_.erase(victim);
    namespace_dirty_ = true;
    return Status::Ok();
  }
  return Status::NotFound("no entry '" + std::string(path) + "'");
}

Result<std::vector<std::string>> MemDisk::List(std::string_view raw) const {
  std::string_view path = Normalize(raw);
  Dir* dir = FindDir(live_dirs_, path);
  if (dir == nullptr) return Status::NotFound("no directory '" + std::string(path) + "'");
  std::vector<std::string> names(dir->subdirs.begin(), dir->subdirs.end());
  for (const auto& [name, _] : dir->files) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

SyncId MemDisk::RequestSync(std::string_view raw) {
  std::string_view path = Normalize(raw);
  PendingSync p;
  p.path = std::string(path);
  if (auto d = live_dirs_.find(path); d != live_dirs_.end()) {
    p.dir = d->second;
    p.dir_changes = p.dir->changes;
    p.whole = !p.dir->mirrored;
    auto add = [&](const std::string& name) {
      PendingSync::Entry& e = p.entries.emplace_back();
      e.name = name;
      if (auto f = p.dir->files.find(name); f != p.dir->files.end()) e.file = f->second;
      e.subdir = p.dir->subdirs.count(name) > 0;
    };
    if (p.whole) {
      for (const auto& [name, _] : p.dir->files) add(name);
      for (const auto& name : p.dir->subdirs) add(name);
    } else {
      for (const auto& [name, _] : p.dir->dirty) add(name);
    }
  } else {
    auto [parent, name] = SplitParent(path);
    if (Dir* d = FindDir(live_dirs_, parent)) {
      if (auto f = d->files.find(name); f != d->files.end()) {
        p.inode = f->second;
        p.snapshot = p.inode->data;  // shares the chunks
      }
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
    // The directory's entries as of the request become durable: files by inode, subdirectories
    // by existence. Only the changed ones are listed; the others are durable already.
    std::shared_ptr<Dir>& durable_ref = durable_dirs_[p.path];
    if (!durable_ref) durable_ref = std::make_shared<Dir>();
    std::shared_ptr<Dir> durable = durable_ref;  // drop_subdir erases other entries of the map
    // A subdirectory that is no longer there takes its durable subtree with it.
    auto drop_subdir = [&](const std::string& name) {
      durable->subdirs.erase(name);
      std::string prefix = JoinPath(p.path, name);
      for (auto d = durable_dirs_.begin(); d != durable_dirs_.end();) {
        bool under = d->first == prefix || d->first.rfind(prefix + "/", 0) == 0;
        if (!under) {
          ++d;
          continue;
        }
        if (auto live = live_dirs_.find(d->first); live != live_dirs_.end()) live->second->mirrored = false;
        d = durable_dirs_.erase(d);
      }
    };
    if (p.whole) {
      // Every entry is listed: the durable directory becomes exactly them.
      std::set<std::string_view> kept;
      for (const PendingSync::Entry& e : p.entries)
        if (e.subdir) kept.insert(e.name);
      std::vector<std::string> gone;
      for (const auto& name : durable->subdirs)
        if (!kept.count(name)) gone.push_back(name);
      for (const auto& name : gone) drop_subdir(name);
      durable->files.clear();
    }
    for (const PendingSync::Entry& e : p.entries) {
      if (!e.subdir && durable->subdirs.count(e.name) > 0) drop_subdir(e.name);
      if (e.file)
        durable->files.insert_or_assign(e.name, e.file);
      else if (auto f = durable->files.find(e.name); f != durable->files.end())
        durable->files.erase(f);
      if (e.subdir) {
        durable->subdirs.insert(e.name);
        auto& child = durable_dirs_[JoinPath(p.path, e.name)];
        if (!child) child = std::make_shared<Dir>();
      }
    }
    // What has not changed since the request is now the same in both.
    if (p.whole) {
      p.dir->mirrored = true;
      std::erase_if(p.dir->dirty, [&](const auto& d) { return d.second <= p.dir_changes; });
    } else {
      for (const PendingSync::Entry& e : p.entries) {
        auto d = p.dir->dirty.find(e.name);
        if (d != p.dir->dirty.end() && d->second <= p.dir_changes) p.dir->dirty.erase(d);
      }
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
  std::string_view path = Normalize(raw);
  CompleteSync(RequestSync(path));
  while (!path.empty()) {
    path = SplitParent(path).first;
    CompleteSync(RequestSync(path));
  }
}

Result<MemDisk::Inode*> MemDisk::FindDurableFile(std::string_view path) const {
  auto [parent, name] = SplitParent(Normalize(path));
  Dir* dir = FindDir(durable_dirs_, parent);
  auto f = dir == nullptr ? decltype(dir->files.end())() : dir->files.find(name);
  if (dir == nullptr || f == dir->files.end()) return Status::NotFound("no durable file '" + std::string(path) + "'");
  return f->second.get();
}

Status MemDisk::FlipDurableBit(std::string_view path, uint64_t byte_offset, int bit) {
  if (bit < 0 || bit > 7) return Status::InvalidArgument("bit must be 0..7");
  SAMSA_ASSIGN_OR_RETURN(Inode * inode, FindDurableFile(path));
  ChunkedBytes& durable = inode->durable;
  if (byte_offset >= durable.size()) return Status::OutOfRange("offset past durable content");
  durable.at(byte_offset) ^= uint8_t(1u << bit);
  return Status::Ok();
}

Result<uint64_t> MemDisk::DurableSize(std::string_view path) const {
  SAMSA_ASSIGN_OR_RETURN(Inode * inode, FindDurableFile(path));
  return uint64_t(inode->durable.size());
}

Result<Bytes> MemDisk::ReadDurable(std::string_view path) const {
  SAMSA_ASSIGN_OR_RETURN(Inode * inode, FindDurableFile(path));
  return inode->durable.ToBytes();
}

void MemDisk::NoteWritten(Inode* inode) {
  if (!track_writes_ || inode->written) return;
  inode->written = true;
  written_.push_back(inode->shared_from_this());
}

void MemDisk::EnableWritebackTracking() {
  if (track_writes_) return;
  track_writes_ = true;
  // What was written before tracking began: list every live file (the next writeback takes them).
  for (const auto& [_, dir] : live_dirs_)
    for (const auto& [__, inode] : dir->files) NoteWritten(inode.get());
  namespace_dirty_ = true;
}

bool MemDisk::WritebackAll() {
  // One sync id for the whole writeback: pending syncs requested before it carry older content
  // and become stale (CompleteSync ignores them); syncs requested after it still apply.
  const uint64_t id = next_sync_id_++;
  bool any = namespace_dirty_;
  auto write_back = [&](Inode& inode) {
    inode.written = false;
    if (id <= inode.applied_sync) return;
    inode.applied_sync = id;
    if (!(inode.durable == inode.data)) any = true;
    inode.durable = inode.data;  // shares the chunks: no byte is copied
  };
  if (track_writes_) {
    for (const auto& inode : written_) write_back(*inode);
    written_.clear();
  } else {
    for (const auto& [_, dir] : live_dirs_)
      for (const auto& [__, inode] : dir->files) write_back(*inode);
  }
  if (namespace_dirty_) {
    // The durable namespace becomes the live one. Directories that go away are marked too, so
    // that a pending sync of one cannot bring it back.
    for (const auto& [path, _] : durable_dirs_) dir_applied_sync_[path] = id;
    durable_dirs_.clear();
    for (const auto& [path, dir] : live_dirs_) {
      durable_dirs_[path] = dir->Entries();
      dir->dirty.clear();
      dir->mirrored = true;
      dir_applied_sync_[path] = id;
    }
    namespace_dirty_ = false;
  }
  return any;
}

void MemDisk::Crash(Prng* prng) {
  for (const auto& inode : written_) inode->written = false;  // the live state becomes the durable one
  written_.clear();
  namespace_dirty_ = false;
  pending_.clear();
  file_cache_.Clear();
  ForgetMemos();
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
    live_dirs_[path] = dir->Entries();
    live_dirs_[path]->mirrored = true;
    for (const auto& [_, inode] : dir->files) {
      if (!seen.insert(inode.get()).second) continue;
      const ChunkedBytes& d = inode->durable;
      bool pure_append = inode->data.size() > d.size() && inode->data.StartsWith(d);
      if (prng != nullptr && pure_append) {
        uint64_t tail = inode->data.size() - d.size();
        uint64_t sectors = (tail + kSectorBytes - 1) / kSectorBytes;
        uint64_t keep_sectors = prng->Uniform(sectors + 1);
        uint64_t keep = std::min<uint64_t>(keep_sectors * kSectorBytes, tail);
        if (keep > 0 && prng->Chance(1, 2)) keep -= prng->Uniform(std::min<uint64_t>(keep, kSectorBytes));
        inode->data.Resize(d.size() + keep);
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
  for (const auto& [path, dir] : live_dirs_) durable_dirs_[path] = dir->Entries();
}

}  // namespace samsa
