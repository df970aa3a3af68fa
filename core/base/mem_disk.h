#pragma once
// MemDisk: an in-memory Disk that models the page cache versus durable content.
//
// Files are inodes; directories map names to inodes. Two namespaces exist: the live one (what
// calls see) and the durable one (what survives a crash). Each inode has live data and durable
// data. A sync of a file copies its live data, as of the request, into its durable data when the
// sync completes; a sync of a directory copies its live entries into the durable namespace.
// File contents are ChunkedBytes (core/base/chunked_bytes.h): a sync's snapshot and the durable
// content share the live data's chunks instead of copying the file.
// Crash() throws the live state away and restarts from the durable state; with a Prng it may
// also keep a sector-aligned prefix of each file's unsynced appended tail, possibly torn.
//
// Sync completion is under the caller's control (tests, the simulator): CompleteSync(id) or
// CompleteAllSyncs(). A fault hook stops the disk after N mutating operations, so a test can
// crash a write sequence at every step.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/disk.h"
#include "core/base/path_table.h"
#include "core/base/prng.h"

namespace samsa {

class MemDisk final : public Disk {
 public:
  static constexpr uint64_t kSectorBytes = 512;

  MemDisk();
  ~MemDisk() override;
  // Not copyable: file_cache_ points at this disk's inodes.
  MemDisk(const MemDisk&) = delete;
  MemDisk& operator=(const MemDisk&) = delete;

  Status CreateDir(std::string_view path) override;
  Status Write(std::string_view path, uint64_t offset, ByteView data) override;
  Result<uint64_t> Append(std::string_view path, ByteView data) override;
  Result<Bytes> Read(std::string_view path, uint64_t offset, size_t max_bytes) const override;
  Result<size_t> ReadAppend(std::string_view path, uint64_t offset, size_t max_bytes, Bytes& out) const override;
  Result<uint64_t> AppendVia(FileMemo& memo, std::string_view path, ByteView data) override;
  Result<Bytes> ReadVia(FileMemo& memo, std::string_view path, uint64_t offset, size_t max_bytes) const override;
  Result<uint64_t> FileSize(std::string_view path) const override;
  bool Exists(std::string_view path) const override;
  bool IsDir(std::string_view path) const override;
  Status Truncate(std::string_view path, uint64_t size) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Remove(std::string_view path) override;
  Result<std::vector<std::string>> List(std::string_view dir) const override;
  SyncId RequestSync(std::string_view path) override;

  // Completes one pending sync (ok if it is unknown or already done). Completing an older sync
  // after a newer one of the same path has no effect: durable content never goes backwards.
  void CompleteSync(SyncId id);
  // Completes every pending sync, oldest first; returns their ids.
  std::vector<SyncId> CompleteAllSyncs();
  // Requests and completes a sync of path and of every directory on the way to it.
  void SyncAll(std::string_view path);
  std::vector<SyncId> PendingSyncs() const;

  // OS writeback (what Linux's flusher threads do): everything written so far becomes durable, as
  // if every file and directory had been synced and the syncs had completed, without the caller
  // requesting anything. Syncs requested before it and completing later change nothing (their
  // content is older); later ones apply as usual. Cost: the files written since the previous
  // writeback (tracked only once EnableWritebackTracking() was called; otherwise every file),
  // plus a copy of the directory tables when a name changed. Returns whether anything was dirty.
  bool WritebackAll();
  // Starts tracking what each mutation dirties, so that WritebackAll touches only that.
  void EnableWritebackTracking();
  // Whether anything was mutated since the last WritebackAll or Crash (tracked only once enabled).
  bool dirty() const { return !written_.empty() || namespace_dirty_; }

  // Loses everything not made durable. With prng, each file whose unsynced change is a pure
  // append keeps a random whole-sector prefix of that tail, the last kept sector possibly torn.
  void Crash(Prng* prng = nullptr);

  // After `ops` more mutating calls, every mutating call fails with IoError ("disk stopped")
  // until Crash() or ClearFault(). Models a process dying between two writes.
  void StopAfterOps(uint64_t ops);
  void ClearFault();
  // Mutating operations so far (CreateDir, Write, Append, Truncate, Rename, Remove).
  uint64_t mutating_ops() const { return mutating_ops_; }
  // Total live bytes allowed across files; writes beyond fail with NoSpace. 0 = unlimited.
  void set_capacity_bytes(uint64_t bytes) { capacity_bytes_ = bytes; }
  uint64_t live_bytes() const;

  // Latent sector error: flips one bit of the file's DURABLE content (what a crash leaves). The page
  // cache is untouched, so the flip shows only after Crash(). NotFound when the file has no durable
  // name, OutOfRange when byte_offset is past its durable content. bit is 0..7.
  Status FlipDurableBit(std::string_view path, uint64_t byte_offset, int bit);
  // Size of the file's durable content, or NotFound when it has no durable name.
  Result<uint64_t> DurableSize(std::string_view path) const;
  // The file's whole durable content, or NotFound when it has no durable name.
  Result<Bytes> ReadDurable(std::string_view path) const;

 private:
  struct Inode;
  struct Dir;
  struct PendingSync;

  // Keyed by path, looked up by string_view without building a string.
  using DirMap = std::map<std::string, std::shared_ptr<Dir>, std::less<>>;

  Status BeginMutation();
  Inode* FindFile(std::string_view path) const;
  // The file with a durable name at path, or NotFound.
  Result<Inode*> FindDurableFile(std::string_view path) const;
  // Drops a normalized path from file_cache_ (its name was removed or renamed).
  void ForgetFile(std::string_view path);
  Dir* FindDir(const DirMap& ns, std::string_view path) const;
  Result<Inode*> OpenOrCreate(std::string_view path);
  // The memo's file when the memo still holds, else nullptr.
  Inode* Remembered(const FileMemo& memo, std::string_view path) const;
  void Remember(FileMemo& memo, Inode* inode) const;
  // A name was removed or rebound (Remove, Rename, Crash): every memo is stale.
  void ForgetMemos();
  Result<uint64_t> AppendTo(Inode* inode, ByteView data);
  static Bytes ReadOf(const Inode& inode, uint64_t offset, size_t max_bytes);
  Status CheckCapacity(uint64_t extra) const;
  // Writeback tracking: the inode's data changed.
  void NoteWritten(Inode* inode);

  // Live and durable namespaces: directory path -> directory ("" is the root).
  DirMap live_dirs_;
  DirMap durable_dirs_;
  // Normalized path -> live file, for every path FindFile or OpenOrCreate resolved: reads and
  // appends then skip the directory and file map lookups (paths share long prefixes). An entry
  // goes when its name is removed or renamed, and all go on Crash.
  mutable PathTable<Inode*> file_cache_;
  // What FileMemos filled by this disk were filled at; ForgetMemos moves it on.
  uint64_t memo_generation_ = 1;
  std::map<uint64_t, PendingSync> pending_;
  std::map<std::string, uint64_t> dir_applied_sync_;  // directory path -> newest applied sync id
  uint64_t next_sync_id_ = 1;
  uint64_t next_inode_ = 1;
  uint64_t mutating_ops_ = 0;
  std::optional<uint64_t> stop_at_ops_;
  uint64_t capacity_bytes_ = 0;
  // Writeback tracking (EnableWritebackTracking): inodes whose data changed since the last
  // writeback, in first-write order, and whether any name did.
  bool track_writes_ = false;
  std::vector<std::shared_ptr<Inode>> written_;
  bool namespace_dirty_ = false;
};

}  // namespace samsa
