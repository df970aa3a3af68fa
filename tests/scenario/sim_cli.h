#pragma once
// Runs the built samsa-sim as a shell command line, for tests of its command-line interface.

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace samsa::test {

struct SimOutput {
  int code = -1;
  std::string text;  // what `redirect` captures (by default stdout and stderr)
};

// `samsa-sim ARGS REDIRECT`, with `env_prefix` (e.g. "env -u X Y=1") in front.
inline SimOutput RunSamsaSim(const std::string& args, const std::string& redirect = "2>&1",
                             const std::string& env_prefix = "") {
  std::string cmd = env_prefix + (env_prefix.empty() ? "" : " ") + std::string(SAMSA_BINARY_DIR) + "/sim/samsa-sim " +
                    args + " " + redirect;
  SimOutput out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.text.append(buf, n);
  int status = ::pclose(p);
  out.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace samsa::test
