#pragma once
// Always-on invariant checks. A broken invariant is a bug: print where and abort, in every build type.

#include <cstdio>
#include <cstdlib>

namespace samsa::internal {
[[noreturn]] inline void AssertFail(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "samsa: invariant violated: %s (%s) at %s:%d\n", expr, msg, file, line);
  std::fflush(stderr);
  std::abort();
}
}  // namespace samsa::internal

#define SAMSA_ASSERT(cond)                                                    \
  do {                                                                        \
    if (!(cond)) ::samsa::internal::AssertFail(#cond, __FILE__, __LINE__, ""); \
  } while (0)

#define SAMSA_ASSERT_MSG(cond, msg)                                              \
  do {                                                                           \
    if (!(cond)) ::samsa::internal::AssertFail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
