#include "net/posix_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace samsa {

namespace {

Status ErrnoStatus(std::string_view what, const std::string& path, int err) {
  std::string msg = std::string(what) + " '" + path + "': " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(msg);
    case EEXIST:
      return Status::AlreadyExists(msg);
    case ENOSPC:
    case EDQUOT:
      return Status::NoSpace(msg);
    case ENOTEMPTY:
      return Status::FailedPrecondition(msg);
    case EISDIR:
    case ENOTDIR:
    case EINVAL:
      return Status::InvalidArgument(msg);
    default:
      return Status::IoError(msg);
  }
}

std::string_view Trim(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

PosixDisk::PosixDisk(std::string root, size_t max_open_files)
    : root_(std::move(root)), max_open_files_(std::max<size_t>(1, max_open_files)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

PosixDisk::~PosixDisk() {
  for (const OpenFileEntry& f : lru_) ::close(f.fd);
}

std::string PosixDisk::FullPath(std::string_view path) const {
  path = Trim(path);
  if (path.empty()) return root_;
  return root_ + "/" + std::string(path);
}

Result<PosixDisk::OpenFileEntry*> PosixDisk::OpenFile(std::string_view raw, bool create) const {
  std::string key(Trim(raw));
  if (auto it = fds_.find(key); it != fds_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return &*it->second;
  }
  std::string full = FullPath(key);
  int fd = ::open(full.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) return ErrnoStatus("open", full, errno);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus("fstat", full, err);
  }
  while (lru_.size() >= max_open_files_) {
    ::close(lru_.back().fd);
    fds_.erase(lru_.back().path);
    lru_.pop_back();
  }
  lru_.push_front(OpenFileEntry{key, fd, uint64_t(st.st_size)});
  fds_[key] = lru_.begin();
  return &lru_.front();
}

void PosixDisk::CloseCached(std::string_view raw) const {
  auto it = fds_.find(std::string(Trim(raw)));
  if (it == fds_.end()) return;
  ::close(it->second->fd);
  lru_.erase(it->second);
  fds_.erase(it);
}

Status PosixDisk::CreateDir(std::string_view raw) {
  std::string path(Trim(raw));
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    std::string full = FullPath(path.substr(0, pos));
    if (::mkdir(full.c_str(), 0755) != 0 && errno != EEXIST) return ErrnoStatus("mkdir", full, errno);
    struct stat st;
    if (::stat(full.c_str(), &st) != 0) return ErrnoStatus("stat", full, errno);
    if (!S_ISDIR(st.st_mode)) return Status::AlreadyExists("'" + full + "' is a file");
  }
  return Status::Ok();
}

Status PosixDisk::Write(std::string_view path, uint64_t offset, ByteView data) {
  SAMSA_ASSIGN_OR_RETURN(OpenFileEntry * file, OpenFile(path, true));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(file->fd, data.data() + done, data.size() - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      CloseCached(path);  // the cached size may be wrong now
      return ErrnoStatus("pwrite", FullPath(path), err);
    }
    done += size_t(n);
  }
  file->size = std::max(file->size, offset + data.size());
  return Status::Ok();
}

Result<uint64_t> PosixDisk::Append(std::string_view path, ByteView data) {
  SAMSA_ASSIGN_OR_RETURN(OpenFileEntry * file, OpenFile(path, true));
  uint64_t at = file->size;
  SAMSA_RETURN_IF_ERROR(Write(path, at, data));
  return at;
}

Result<Bytes> PosixDisk::Read(std::string_view path, uint64_t offset, size_t max_bytes) const {
  SAMSA_ASSIGN_OR_RETURN(OpenFileEntry * file, OpenFile(path, false));
  uint64_t size = file->size;
  if (offset >= size) return Bytes{};
  Bytes out(size_t(std::min<uint64_t>(max_bytes, size - offset)));
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(file->fd, out.data() + done, out.size() - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("pread", FullPath(path), errno);
    }
    if (n == 0) break;
    done += size_t(n);
  }
  out.resize(done);
  return out;
}

Result<uint64_t> PosixDisk::FileSize(std::string_view path) const {
  std::string full = FullPath(path);
  struct stat st;
  if (::stat(full.c_str(), &st) != 0) return ErrnoStatus("stat", full, errno);
  if (S_ISDIR(st.st_mode)) return Status::InvalidArgument("'" + full + "' is a directory");
  return uint64_t(st.st_size);
}

bool PosixDisk::Exists(std::string_view path) const {
  struct stat st;
  return ::stat(FullPath(path).c_str(), &st) == 0;
}

bool PosixDisk::IsDir(std::string_view path) const {
  struct stat st;
  return ::stat(FullPath(path).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status PosixDisk::Truncate(std::string_view path, uint64_t size) {
  if (!Exists(path)) return Status::NotFound("no file '" + FullPath(path) + "'");
  SAMSA_ASSIGN_OR_RETURN(OpenFileEntry * file, OpenFile(path, false));
  if (::ftruncate(file->fd, off_t(size)) != 0) return ErrnoStatus("ftruncate", FullPath(path), errno);
  file->size = size;
  return Status::Ok();
}

Status PosixDisk::Rename(std::string_view from, std::string_view to) {
  CloseCached(from);
  CloseCached(to);
  std::string a = FullPath(from), b = FullPath(to);
  if (::rename(a.c_str(), b.c_str()) != 0) return ErrnoStatus("rename", a, errno);
  return Status::Ok();
}

Status PosixDisk::Remove(std::string_view path) {
  CloseCached(path);
  std::string full = FullPath(path);
  if (IsDir(path)) {
    if (::rmdir(full.c_str()) != 0) return ErrnoStatus("rmdir", full, errno);
    return Status::Ok();
  }
  if (::unlink(full.c_str()) != 0) return ErrnoStatus("unlink", full, errno);
  return Status::Ok();
}

Result<std::vector<std::string>> PosixDisk::List(std::string_view dir) const {
  std::string full = FullPath(dir);
  DIR* d = ::opendir(full.c_str());
  if (d == nullptr) return ErrnoStatus("opendir", full, errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

SyncId PosixDisk::RequestSync(std::string_view path) {
  SyncId id(next_sync_id_++);
  bool ok = true;
  if (sync_enabled_) {
    if (IsDir(path)) {
      std::string full = FullPath(path);
      int fd = ::open(full.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ok = fd >= 0 && ::fsync(fd) == 0;
      if (fd >= 0) ::close(fd);
    } else {
      auto file = OpenFile(path, false);
      ok = file.ok() && ::fdatasync((*file)->fd) == 0;
    }
  }
  completed_.emplace_back(id, ok);
  return id;
}

std::vector<std::pair<SyncId, bool>> PosixDisk::TakeCompletedSyncs() {
  std::vector<std::pair<SyncId, bool>> out;
  out.swap(completed_);
  return out;
}

}  // namespace samsa
