#include "net/os/subprocess.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

namespace samsa::os {

namespace {

struct Child {
  int64_t index = 0;
  int fd = -1;
  std::string output;
};

void WriteAll(int fd, const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += size_t(n);
  }
}

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

}  // namespace

Status RunInForkedWorkers(int64_t count, int jobs, const std::function<std::string(int64_t)>& work,
                          const std::function<void(const WorkerResult&)>& on_done) {
  if (jobs < 1) jobs = 1;
  std::map<pid_t, Child> active;
  int64_t next = 0;
  Status status;
  while (next < count || !active.empty()) {
    while (status.ok() && next < count && int64_t(active.size()) < jobs) {
      int fds[2];
      if (::pipe(fds) != 0) {
        status = Status::IoError(std::string("pipe: ") + std::strerror(errno));
        break;
      }
      std::fflush(stdout);
      std::fflush(stderr);
      pid_t pid = ::fork();
      if (pid < 0) {
        status = Status::IoError(std::string("fork: ") + std::strerror(errno));
        ::close(fds[0]);
        ::close(fds[1]);
        break;
      }
      if (pid == 0) {
        ::close(fds[0]);
        for (auto& [other, c] : active) ::close(c.fd);
        int code = 0;
        try {
          WriteAll(fds[1], work(next));
        } catch (...) {
          code = 3;
        }
        ::close(fds[1]);
        ::_exit(code);
      }
      ::close(fds[1]);
      active[pid] = Child{next, fds[0], {}};
      ++next;
    }
    if (active.empty()) break;  // only after a spawn failure
    std::vector<pollfd> polls;
    std::vector<pid_t> pids;
    for (auto& [pid, c] : active) {
      polls.push_back(pollfd{c.fd, POLLIN, 0});
      pids.push_back(pid);
    }
    int n = ::poll(polls.data(), polls.size(), 1000);
    if (n < 0 && errno != EINTR) return Status::IoError(std::string("poll: ") + std::strerror(errno));
    for (size_t i = 0; i < polls.size(); ++i) {
      if (polls[i].revents == 0) continue;
      Child& c = active[pids[i]];
      char buf[4096];
      ssize_t got = ::read(c.fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        c.output.append(buf, size_t(got));
        continue;
      }
      // EOF (or error): the child is done writing; reap it.
      ::close(c.fd);
      int wstatus = 0;
      while (::waitpid(pids[i], &wstatus, 0) < 0 && errno == EINTR) {
      }
      WorkerResult r;
      r.index = c.index;
      r.output = std::move(c.output);
      r.ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
      if (!r.ok) r.failure = Describe(wstatus);
      active.erase(pids[i]);
      on_done(r);
    }
  }
  return status;
}

bool IsTerminal(int fd) { return ::isatty(fd) == 1; }

}  // namespace samsa::os
