#pragma once
// PosixDisk: the Disk seam over real files under a root directory.
//
// Page-cache operations map to open/pwrite/pread/ftruncate/rename/unlink/rmdir/mkdir/readdir.
// A small LRU cache keeps recently used file descriptors open (closed on rename/remove of the
// path and when the cache is full), with each file's size: the root directory is assumed to be
// changed only through this object while files are cached. RequestSync runs fdatasync (files) or fsync (directories)
// synchronously and records the id as completed; the runtime collects completed ids with
// TakeCompletedSyncs() and delivers them to the node as SyncDone inputs (ok = false when the
// sync failed). Not thread-safe: one event loop owns it.

#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/base/disk.h"

namespace samsa {

class PosixDisk final : public Disk {
 public:
  // root must exist. max_open_files bounds the fd cache.
  explicit PosixDisk(std::string root, size_t max_open_files = 64);
  ~PosixDisk() override;
  PosixDisk(const PosixDisk&) = delete;
  PosixDisk& operator=(const PosixDisk&) = delete;

  Status CreateDir(std::string_view path) override;
  Status Write(std::string_view path, uint64_t offset, ByteView data) override;
  Result<uint64_t> Append(std::string_view path, ByteView data) override;
  Result<Bytes> Read(std::string_view path, uint64_t offset, size_t max_bytes) const override;
  Result<uint64_t> FileSize(std::string_view path) const override;
  bool Exists(std::string_view path) const override;
  bool IsDir(std::string_view path) const override;
  Status Truncate(std::string_view path, uint64_t size) override;
  Status Rename(std::string_view from, std::string_view to) override;
  Status Remove(std::string_view path) override;
  Result<std::vector<std::string>> List(std::string_view dir) const override;
  SyncId RequestSync(std::string_view path) override;

  // Ids of syncs finished since the last call, with whether each succeeded.
  std::vector<std::pair<SyncId, bool>> TakeCompletedSyncs();

  // When false, RequestSync skips the fdatasync/fsync (benchmarks); ids still complete.
  void set_sync_enabled(bool enabled) { sync_enabled_ = enabled; }
  const std::string& root() const { return root_; }

 private:
  std::string FullPath(std::string_view path) const;
  struct OpenFileEntry {
    std::string path;
    int fd = -1;
    uint64_t size = 0;  // file size, kept current by our own writes (saves an fstat per append)
  };
  // The cache entry of an fd open read-write on the file, creating it when create is set.
  Result<OpenFileEntry*> OpenFile(std::string_view path, bool create) const;
  void CloseCached(std::string_view path) const;

  std::string root_;
  size_t max_open_files_;
  // LRU of open files: most recent at the front.
  mutable std::list<OpenFileEntry> lru_;
  mutable std::unordered_map<std::string, std::list<OpenFileEntry>::iterator> fds_;
  std::vector<std::pair<SyncId, bool>> completed_;
  uint64_t next_sync_id_ = 1;
  bool sync_enabled_ = true;
};

}  // namespace samsa
