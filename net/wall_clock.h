#pragma once
// The wall clock, for tools that time simulated runs (sim/ may not read clocks: samsa-sim passes
// WallClockMs to the scenario runner through RunOptions::wall_clock_ms).

#include <cstdint>

namespace samsa::net {

// Milliseconds of a monotonic clock (steady_clock); only differences are meaningful.
int64_t WallClockMs();

}  // namespace samsa::net
