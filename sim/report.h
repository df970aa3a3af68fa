#pragma once
// JSON reports of scenario runs and sweeps (nlohmann::json; rendering to text and writing files
// is the caller's business).
//
// Run report:
//   { "scenario": name, "file": path, "seed": N, "trace_hash": "0x...", "passed": bool,
//     "error": "..." (only on set-up failure),
//     "expectations": [{"name", "passed", "detail"}],
//     "violations": [{"kind", "topic", "partition", "offset", "detail"}], "violations_total": N,
//     "timeline": [{"at_ms", "kind", "text", "nodes": [..]}],   (caption entries carry "caption")
//     "events": [cluster events, as sim/view_json.h encodes them],
//     "stats": {"events", "simulated_ms", "wall_ms", "produced", "acked", "consumed", "sim_speed"},
//     "reproduce": "samsa-sim run FILE --seed N" }
// Sweep report:
//   { "scenario", "file", "seeds": "A..B", "runs", "passed", "failed", "failed_seeds": [..],
//     "crashed_seeds": [..], "reproduce": {"<seed>": command}, "wall_ms",
//     "per_seed": [ run summary ] }
// Run summary (one line a seed, what sweep children send back through their pipe):
//   { "seed", "passed", "trace_hash", "events", "simulated_ms", "wall_ms", "failed_expectations":
//     [names], "violations_total", "error" }

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario_runner.h"

namespace samsa::sim {

// "samsa-sim run FILE --seed N".
std::string ReproduceCommand(std::string_view scenario_path, uint64_t seed);

nlohmann::json RunReportJson(const RunResult& result, std::string_view scenario_path);
nlohmann::json RunSummaryJson(const RunResult& result);

struct SeedSummary {
  uint64_t seed = 0;
  bool passed = false;
  bool crashed = false;  // the worker died (signal or bad exit) without a result
  nlohmann::json summary;  // RunSummaryJson, or {"seed", "error"} when crashed
};

nlohmann::json SweepReportJson(std::string_view scenario_name, std::string_view scenario_path, uint64_t first_seed,
                               uint64_t last_seed, const std::vector<SeedSummary>& seeds, int64_t wall_ms);

}  // namespace samsa::sim
