#pragma once
// JSON reports of scenario runs and sweeps (nlohmann::json; rendering to text and writing files
// is the caller's business).
//
// Run report:
//   { "scenario": name, "file": path, "seed": N, "trace_hash": "0x...", "passed": bool,
//     "error": "..." (only on set-up failure),
//     "expectations": [{"name", "passed", "detail"}],
//     "violations": [{"kind", "topic", "partition", "offset", "detail"}]   (the first 10 of each
//         kind, sorted by kind, topic, partition, offset, detail),
//     "violations_by_kind": {kind: count}  (every violation), "violations_total": N,
//     "timeline": [{"at_ms", "kind", "text", "nodes": [..]}],   (caption entries carry "caption")
//     "events": [cluster events, as sim/view_json.h encodes them],
//     "stats": {"events", "simulated_ms", "wall_ms", "produced", "acked", "consumed", "sim_speed"},
//     "reproduce": "samsa-sim run FILE --seed N" }
// Sweep report:
//   { "scenario", "file", "scenario_hash" (of the file's text), "seeds": "A..B", "runs", "passed",
//     "failed", "failed_seeds": [..], "crashed_seeds": [..], "reproduce": {"<seed>": command},
//     "wall_ms", "per_seed": [ run summary ],
//     "shard": {"index": K, "count": N, "of_seeds": "A..B"}   (only in a shard's report: `seeds`
//         is then its slice of of_seeds),
//     "merged_from": [{"report": path, "seeds": "A..B", "wall_ms"}]  (only in a merged report;
//         its wall_ms is the longest shard's) }
// Run summary (one line a seed, what sweep children send back through their pipe):
//   { "seed", "passed", "trace_hash", "events", "simulated_ms", "wall_ms", "failed_expectations":
//     [names], "violations_total", "violations_by_kind": {kind: count}, "error" }
//
// A merged report equals the report of one unsharded sweep of the whole range except for every
// "wall_ms" (wall time: it differs between any two sweeps) and "merged_from".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/status.h"
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

// What a sweep ran: the scenario, its seeds, and its shard when it is one.
struct SweepSpec {
  std::string scenario_name;
  std::string scenario_path;
  std::string scenario_hash;  // ScenarioHash of the file's text ("" when unknown: not written)
  uint64_t first_seed = 0;
  uint64_t last_seed = 0;
  // A shard: shard_index (0-based) of shard_count contiguous slices of of_first..of_last, which
  // first_seed..last_seed is (ShardRange). shard_count == 0: not a shard.
  uint64_t shard_index = 0;
  uint64_t shard_count = 0;
  uint64_t of_first = 0;
  uint64_t of_last = 0;
};

nlohmann::json SweepReportJson(const SweepSpec& spec, const std::vector<SeedSummary>& seeds, int64_t wall_ms);

// A hash of a scenario file's text ("0x" and 16 hex digits, FNV-1a 64): shards that ran different
// versions of a file are not merged.
std::string ScenarioHash(std::string_view text);

// Shard `index` (0-based) of `count` of the seeds first..last: contiguous slices, as equal as can
// be (sizes differ by at most one, larger ones last), in order, every seed in exactly one.
// Shard k holds seeds first + floor(k*C/N) .. first + floor((k+1)*C/N) - 1 (C seeds, N shards).
// Errors (a sentence naming the values): count == 0, index >= count, count > C.
Result<std::pair<uint64_t, uint64_t>> ShardRange(uint64_t first, uint64_t last, uint64_t index, uint64_t count);

// A seed as the command lines take it, and as a scenario's `seed:` does: decimal digits, from 0 to
// kMaxSeed (so that a session saved with it parses again); nullopt otherwise (a sign, a fraction,
// an overflow).
inline constexpr uint64_t kMaxSeed = uint64_t(INT64_MAX);
std::optional<uint64_t> ParseSeed(std::string_view text);
// Why `text` is not a seed, for an option's error; "" when it is one.
std::string SeedError(std::string_view text);

// "A..B" (or "N") -> (A, B), seeds as ParseSeed takes them, with A <= B; nullopt otherwise.
std::optional<std::pair<uint64_t, uint64_t>> ParseSeedRange(std::string_view text);

// What `sweep` (and `merge`) print at the end, from the report: the line
//   sweep NAME seeds A..B: runs=R passed=P failed=F wall_ms=W
// then, per failing seed in seed order,
//   "  FAILED seed=S (REASONS); reproduce: samsa-sim run FILE --seed S"
// where REASONS are the worker error and the failed expectations, then "violations: KIND xN, ..."
// when the seed found any (every kind, with its count).
std::string SweepSummaryText(const nlohmann::json& report);

// A sweep report read from a file, for MergeSweepReports.
struct SweepInput {
  std::string path;  // for error messages
  nlohmann::json report;
};

// One sweep report of the union of the inputs' seeds, equal to what one sweep of that range
// would report (but wall_ms: the longest input's; and merged_from). Refuses, with a message that
// names the file and the reason: a report that is not a well-formed sweep report, reports of
// different scenarios, files or file contents (scenario_hash), shards of different splits, a
// shard twice, seeds in two reports, and seeds of the range in none (a gap, or a missing shard:
// the message lists the missing seeds).
Result<nlohmann::json> MergeSweepReports(const std::vector<SweepInput>& inputs);

// The violations of a run as `run` prints them: nothing when there are none; else a line
//   violations: TOTAL (KIND xN, ...)
// then, kind by kind, its kept violations ("VIOLATION KIND TOPIC-P offset=O: DETAIL") and
// "  ... and M more KIND" when the run found more than it kept.
std::string FormatViolations(const RunResult& result);

}  // namespace samsa::sim
