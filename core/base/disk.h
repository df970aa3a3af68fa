#pragma once
// The Disk seam: how the core touches storage without doing I/O itself.
//
// Writes, reads, truncation, renames and listing are synchronous calls against the page cache:
// their effect is visible to the next read at once but is NOT durable. Durability is asynchronous:
// RequestSync(path) returns a SyncId at once; the runtime makes the file's content (or, for a
// directory, its entries) durable later and delivers `SyncDone{id}` to the node as an input.
// A crash keeps only what a completed sync covered (the sim may also keep a torn prefix of
// unsynced appends). As on Linux, a new or renamed file's name is durable only once its directory
// has been synced, and its content only once the file has been synced.
//
// Implementations: MemDisk (core/base/mem_disk.h, tests and the simulator), PosixDisk (net/).
// Paths are '/'-separated, relative to the disk's root, without "." or ".." components.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/ids.h"
#include "core/base/status.h"

namespace samsa {

class Disk {
 public:
  virtual ~Disk() = default;

  // Creates the directory and any missing parents. Ok if it exists.
  virtual Status CreateDir(std::string_view path) = 0;
  // Writes data at offset, creating the file if absent; a gap past the end reads as zeros.
  virtual Status Write(std::string_view path, uint64_t offset, ByteView data) = 0;
  // Appends data at the end of the file (creating it if absent); returns the offset written at.
  virtual Result<uint64_t> Append(std::string_view path, ByteView data) = 0;
  // Reads up to max_bytes from offset; shorter at end of file, empty at or past it.
  virtual Result<Bytes> Read(std::string_view path, uint64_t offset, size_t max_bytes) const = 0;
  // The same bytes as Read, appended to `out` (which keeps its content and capacity, so a caller
  // can reuse one buffer); returns how many were appended. On error `out` is unchanged.
  virtual Result<size_t> ReadAppend(std::string_view path, uint64_t offset, size_t max_bytes, Bytes& out) const {
    SAMSA_ASSIGN_OR_RETURN(Bytes data, Read(path, offset, max_bytes));
    out.insert(out.end(), data.begin(), data.end());
    return data.size();
  }
  // What a path resolved to, kept by a caller that appends to or reads one file many times (a log
  // segment) so that the disk can skip the path lookup. Opaque to the caller; the disk checks that
  // it still holds (nothing was renamed or removed, no crash, since it was filled) and refills it
  // otherwise, so a stale memo costs one lookup, never a wrong file. Keep one memo per path.
  struct FileMemo {
    const Disk* disk = nullptr;  // the disk that filled it
    const void* file = nullptr;
    uint64_t generation = 0;
  };
  // Append and Read through a memo. A disk that has no lookup to skip (PosixDisk) ignores it.
  virtual Result<uint64_t> AppendVia(FileMemo& memo, std::string_view path, ByteView data) {
    (void)memo;
    return Append(path, data);
  }
  virtual Result<Bytes> ReadVia(FileMemo& memo, std::string_view path, uint64_t offset, size_t max_bytes) const {
    (void)memo;
    return Read(path, offset, max_bytes);
  }
  virtual Result<uint64_t> FileSize(std::string_view path) const = 0;
  virtual bool Exists(std::string_view path) const = 0;
  virtual bool IsDir(std::string_view path) const = 0;
  virtual Status Truncate(std::string_view path, uint64_t size) = 0;
  // Atomically renames a file, replacing any file at `to`.
  virtual Status Rename(std::string_view from, std::string_view to) = 0;
  // Removes a file, or an empty directory.
  virtual Status Remove(std::string_view path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual Result<std::vector<std::string>> List(std::string_view dir) const = 0;
  // Starts making path durable; completion arrives later as SyncDone{id}.
  virtual SyncId RequestSync(std::string_view path) = 0;
};

// Joins two path parts with '/'.
std::string JoinPath(std::string_view a, std::string_view b);

// Requests a sync of every ancestor of path, parent first, up to the root (""): the names of
// directories CreateDir made are durable only once their parents are synced. Returns the ids.
std::vector<SyncId> RequestSyncOfAncestors(Disk& disk, std::string_view path);

}  // namespace samsa
