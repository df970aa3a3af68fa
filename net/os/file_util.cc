#include "net/os/file_util.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace samsa::os {

namespace {
Status Errno(std::string_view what, const std::string& path) {
  return Status::IoError(std::string(what) + " '" + path + "': " + std::strerror(errno));
}
}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  // A temporary of its own next to path (a fixed "path.tmp" could clobber a user's file of that
  // name), removed again on any failure: a failed write leaves nothing behind.
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Errno("create a temporary file for", path);
  auto fail = [&](std::string_view what, const std::string& where) {
    Status s = Errno(what, where);
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (::fchmod(fd, 0644) != 0) return fail("chmod", tmp);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("write", tmp);
    }
    done += size_t(n);
  }
  if (::fsync(fd) != 0) return fail("fsync", tmp);
  const int closing = fd;
  fd = -1;
  if (::close(closing) != 0) return fail("close", tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename a temporary file to", path);
  return Status::Ok();
}

Result<std::string> ReadFileToString(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Errno("read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return out;
}

}  // namespace samsa::os
