#pragma once
// Part of samsa_os (net/os/CMakeLists.txt): linked by samsa-sim and samsa-gui without samsa_net.
// Fork-based worker pool for tools (samsa-sim sweep runs one seed per child process; sim/ may not
// spawn processes or threads itself).
//
// RunInForkedWorkers(count, jobs, work, on_done): for every index in [0, count), forks a child
// (at most `jobs` alive at once) that calls work(index), writes the returned string to a pipe and
// exits with _exit(0) (no atexit handlers, no stdio flush: the child must not print). The parent
// collects each child's output and exit status and calls on_done in the order children finish.
// A child that dies (signal, assert, exception, non-zero exit) yields ok = false with the reason.
// Children are always reaped; the parent's stdio is flushed before each fork so that buffered
// output is not duplicated.

#include <cstdint>
#include <functional>
#include <string>

#include "core/base/status.h"

namespace samsa::os {

struct WorkerResult {
  int64_t index = 0;
  bool ok = false;          // exited with status 0
  std::string output;       // what work(index) returned (possibly partial when !ok)
  std::string failure;      // "killed by signal 6", "exit status 3"
};

Status RunInForkedWorkers(int64_t count, int jobs, const std::function<std::string(int64_t)>& work,
                          const std::function<void(const WorkerResult&)>& on_done);

// True when fd is a terminal (for progress bars).
bool IsTerminal(int fd);

}  // namespace samsa::os
