#include "net/os/wall_clock.h"

#include <chrono>

namespace samsa::os {

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace samsa::os
