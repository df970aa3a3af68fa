#include "sim/report.h"

#include <fmt/core.h>

#include <algorithm>

#include "sim/trace.h"
#include "sim/view_json.h"

namespace samsa::sim {

std::string ReproduceCommand(std::string_view scenario_path, uint64_t seed) {
  return fmt::format("samsa-sim run {} --seed {}", scenario_path, seed);
}

nlohmann::json RunReportJson(const RunResult& r, std::string_view scenario_path) {
  nlohmann::json j;
  j["scenario"] = r.scenario_name;
  j["file"] = std::string(scenario_path);
  j["seed"] = r.seed;
  j["trace_hash"] = HashHex(r.trace_hash);
  j["passed"] = r.passed;
  if (!r.error.empty()) j["error"] = r.error;
  j["expectations"] = nlohmann::json::array();
  for (const auto& e : r.expectations)
    j["expectations"].push_back({{"name", e.name}, {"passed", e.passed}, {"detail", e.detail}});
  j["violations"] = nlohmann::json::array();
  for (const auto& v : r.violations)
    j["violations"].push_back({{"kind", v.kind},
                               {"topic", v.topic},
                               {"partition", v.partition},
                               {"offset", v.offset},
                               {"detail", v.detail}});
  j["violations_total"] = r.violations_total;
  j["timeline"] = nlohmann::json::array();
  for (const auto& t : r.timeline.entries) {
    nlohmann::json e = {{"at_ms", t.at_ns / 1'000'000}, {"kind", t.kind}, {"text", t.text}};
    if (t.kind == "caption") e["caption"] = t.text;
    else e["detail"] = t.text;
    if (!t.nodes.empty()) e["nodes"] = t.nodes;
    j["timeline"].push_back(std::move(e));
  }
  j["events"] = nlohmann::json::array();
  for (const auto& e : r.events) j["events"].push_back(nlohmann::json(EventJson(e)));
  j["stats"] = {{"events", r.stats.events},     {"simulated_ms", r.stats.simulated_ms},
                {"wall_ms", r.stats.wall_ms},   {"produced", r.stats.produced},
                {"acked", r.stats.acked},       {"consumed", r.stats.consumed},
                {"sim_speed", r.stats.sim_speed}};
  j["reproduce"] = ReproduceCommand(scenario_path, r.seed);
  return j;
}

nlohmann::json RunSummaryJson(const RunResult& r) {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& e : r.expectations)
    if (!e.passed) failed.push_back(e.name);
  nlohmann::json j = {{"seed", r.seed},
                      {"passed", r.passed},
                      {"trace_hash", HashHex(r.trace_hash)},
                      {"events", r.stats.events},
                      {"simulated_ms", r.stats.simulated_ms},
                      {"wall_ms", r.stats.wall_ms},
                      {"failed_expectations", failed},
                      {"violations_total", r.violations_total}};
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

nlohmann::json SweepReportJson(std::string_view scenario_name, std::string_view scenario_path, uint64_t first_seed,
                               uint64_t last_seed, const std::vector<SeedSummary>& seeds, int64_t wall_ms) {
  std::vector<SeedSummary> sorted = seeds;
  std::sort(sorted.begin(), sorted.end(), [](const SeedSummary& a, const SeedSummary& b) { return a.seed < b.seed; });
  nlohmann::json j;
  j["scenario"] = std::string(scenario_name);
  j["file"] = std::string(scenario_path);
  j["seeds"] = fmt::format("{}..{}", first_seed, last_seed);
  j["runs"] = sorted.size();
  uint64_t passed = 0;
  nlohmann::json failed = nlohmann::json::array(), crashed = nlohmann::json::array();
  nlohmann::json reproduce = nlohmann::json::object();
  nlohmann::json per_seed = nlohmann::json::array();
  for (const auto& s : sorted) {
    if (s.passed) {
      ++passed;
    } else {
      failed.push_back(s.seed);
      if (s.crashed) crashed.push_back(s.seed);
      reproduce[std::to_string(s.seed)] = ReproduceCommand(scenario_path, s.seed);
    }
    per_seed.push_back(s.summary);
  }
  j["passed"] = passed;
  j["failed"] = sorted.size() - passed;
  j["failed_seeds"] = failed;
  j["crashed_seeds"] = crashed;
  j["reproduce"] = reproduce;
  j["wall_ms"] = wall_ms;
  j["per_seed"] = per_seed;
  return j;
}

}  // namespace samsa::sim
