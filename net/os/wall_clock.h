#pragma once
// Part of samsa_os (net/os/CMakeLists.txt): linked by samsa-sim and samsa-gui without samsa_net.
// The wall clock, for tools that time simulated runs (sim/ may not read clocks: samsa-sim passes
// WallClockMs to the scenario runner through RunOptions::wall_clock_ms).

#include <cstdint>

namespace samsa::os {

// Milliseconds of a monotonic clock (steady_clock); only differences are meaningful.
int64_t WallClockMs();

}  // namespace samsa::os
