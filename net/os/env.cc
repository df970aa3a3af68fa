#include "net/os/env.h"

#include <cstdlib>

namespace samsa::os {

std::optional<std::string> GetEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace samsa::os
