// Scenario runner and reports, end to end on the toy cluster.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/os/file_util.h"
#include "sim/report.h"
#include "sim/scenario_runner.h"
#include "sim/toy_cluster_factory.h"

namespace samsa::sim {
namespace {

Scenario LoadToyDemo() {
  std::string path = std::string(SAMSA_SOURCE_DIR) + "/scenarios/toy-demo.yaml";
  auto text = os::ReadFileToString(path);
  EXPECT_TRUE(text.ok());
  auto s = ParseScenario(text.ok() ? *text : "", path);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Scenario{};
}

TEST(ScenarioRunner, ToyDemoIsDeterministicAndPasses) {
  Scenario s = LoadToyDemo();
  ToyClusterFactory f1, f2, f3;
  RunOptions o;
  o.keep_trace = true;
  RunResult a = RunScenario(s, 7, f1, o);
  RunResult b = RunScenario(s, 7, f2, o);
  RunResult c = RunScenario(s, 8, f3, o);
  EXPECT_TRUE(a.error.empty()) << a.error;
  EXPECT_TRUE(a.passed);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.trace_text, b.trace_text);
  EXPECT_NE(a.trace_hash, c.trace_hash);
  EXPECT_EQ(a.seed, 7u);
  EXPECT_EQ(a.stats.simulated_ms, 8000);
  EXPECT_GT(a.stats.events, 1000u);
  EXPECT_GT(a.stats.acked, 0u);
  ASSERT_EQ(a.expectations.size(), 1u);
  EXPECT_TRUE(a.expectations[0].passed);
  // Timeline: captions and faults with their times, in order.
  ASSERT_FALSE(a.timeline.entries.empty());
  int captions = 0, faults = 0;
  int64_t last = 0;
  for (const auto& e : a.timeline.entries) {
    EXPECT_GE(e.at_ns, last);
    last = e.at_ns;
    captions += e.kind == "caption";
    faults += e.kind == "fault";
  }
  EXPECT_EQ(captions, 5);
  EXPECT_EQ(faults, 4);
  EXPECT_EQ(a.timeline.FaultTimes("crash"), (std::vector<int64_t>{1'000'000'000}));
}

TEST(ScenarioRunner, ExpectedViolationMissingFailsAndUnsupportedExpectationFails) {
  auto s = ParseScenario(R"(name: impossible
cluster: { kind: toy, brokers: 3 }
run_for: 1s
expect:
  - violation: { kind: lost-write }
  - controller_within: { within: 1s }
)", "impossible.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ToyClusterFactory f;
  RunResult r = RunScenario(*s, 1, f, {});
  EXPECT_FALSE(r.passed);
  ASSERT_EQ(r.expectations.size(), 2u);
  EXPECT_FALSE(r.expectations[0].passed);
  EXPECT_NE(r.expectations[0].detail.find("no lost-write found"), std::string::npos);
  EXPECT_FALSE(r.expectations[1].passed);
}

TEST(ScenarioRunner, NemesisRunsAndHeals) {
  auto s = ParseScenario(R"(name: toy-nemesis
cluster: { kind: toy, brokers: 5 }
nemesis: { kinds: [crash, partition, pause, clog], every: 300ms, start: 100ms, min_for: 50ms, max_for: 300ms }
run_for: 3s
settle: 2s
expect: [no_violations]
)", "n.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ToyClusterFactory f;
  std::vector<std::string> live;
  RunOptions o;
  o.on_timeline = [&](const TimelineEntry& e) { live.push_back(e.kind); };
  int64_t fake_ms = 0;
  o.wall_clock_ms = [&] { return fake_ms += 100; };
  RunResult r = RunScenario(*s, 3, f, o);
  EXPECT_TRUE(r.passed) << (r.expectations.empty() ? "" : r.expectations[0].detail);
  EXPECT_GT(std::count(live.begin(), live.end(), "nemesis"), 3);
  EXPECT_EQ(std::count(live.begin(), live.end(), "heal"), 2);  // nemesis until, then settle
  EXPECT_EQ(live.size(), r.timeline.entries.size());
  EXPECT_EQ(r.stats.wall_ms, 100);
  EXPECT_DOUBLE_EQ(r.stats.sim_speed, 50.0);
}

TEST(ScenarioRunner, ScriptedFaultKindsAllApply) {
  auto s = ParseScenario(R"(name: kinds
cluster: { kind: toy, brokers: 3 }
faults:
  - { at: 100ms, crash: random, for: 100ms }
  - { at: 300ms, pause: 1 }
  - { at: 400ms, resume: all }
  - { at: 500ms, isolate: controller, for: 100ms }
  - { at: 700ms, partition: bridge, for: 100ms }
  - { at: 900ms, partition: majority-ring, for: 100ms }
  - { at: 1100ms, clog: 2, for: 50ms }
  - { at: 1200ms, latency: majority, amount: 20ms, for: 100ms }
  - { at: 1400ms, disk-full: 3, for: 100ms }
  - { at: 1600ms, clock-skew: 2, amount: -1s, for: 100ms }
  - { at: 1800ms, crash: all }
  - { at: 1900ms, restart: all }
  - { at: 2000ms, partition: all, for: 100ms }
  - { at: 2200ms, heal: all }
run_for: 3s
settle: 2s
expect: [no_violations]
)", "kinds.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ToyClusterFactory f;
  RunResult r = RunScenario(*s, 5, f, {});
  EXPECT_TRUE(r.passed) << nlohmann::json(RunReportJson(r, "kinds.yaml")).dump(2);
  int faults = 0;
  for (const auto& e : r.timeline.entries) faults += e.kind == "fault";
  EXPECT_EQ(faults, 14);
}

TEST(Report, RunReportHasRequiredFields) {
  Scenario s = LoadToyDemo();
  ToyClusterFactory f;
  RunResult r = RunScenario(s, 7, f, {});
  r.violations.push_back(Violation{"lost-write", "orders", 0, 17, "value 3 never read"});
  nlohmann::json j = RunReportJson(r, "scenarios/toy-demo.yaml");
  for (const char* k : {"seed", "trace_hash", "scenario", "passed", "expectations", "violations", "timeline", "stats", "reproduce"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["scenario"], "toy-demo");
  EXPECT_EQ(j["trace_hash"].get<std::string>().substr(0, 2), "0x");
  EXPECT_EQ(j["reproduce"], "samsa-sim run scenarios/toy-demo.yaml --seed 7");
  for (const char* k : {"name", "passed", "detail"}) EXPECT_TRUE(j["expectations"][0].contains(k)) << k;
  for (const char* k : {"kind", "partition", "offset", "detail"}) EXPECT_TRUE(j["violations"][0].contains(k)) << k;
  EXPECT_EQ(j["violations"][0]["offset"], 17);
  for (const char* k : {"at_ms", "kind"}) EXPECT_TRUE(j["timeline"][0].contains(k)) << k;
  EXPECT_TRUE(j["timeline"][0].contains("caption"));
  for (const char* k : {"events", "simulated_ms", "wall_ms", "produced", "acked", "consumed", "sim_speed"})
    EXPECT_TRUE(j["stats"].contains(k)) << k;
}

TEST(Report, SweepReport) {
  std::vector<SeedSummary> seeds;
  seeds.push_back({11, true, false, {{"seed", 11}, {"passed", true}}});
  seeds.push_back({10, false, false, {{"seed", 10}, {"passed", false}}});
  seeds.push_back({12, false, true, {{"seed", 12}, {"passed", false}, {"error", "worker killed by signal 6"}}});
  SweepSpec spec;
  spec.scenario_name = "x";
  spec.scenario_path = "scenarios/x.yaml";
  spec.first_seed = 10;
  spec.last_seed = 12;
  nlohmann::json j = SweepReportJson(spec, seeds, 5);
  EXPECT_FALSE(j.contains("shard"));
  EXPECT_FALSE(j.contains("scenario_hash"));
  EXPECT_EQ(j["seeds"], "10..12");
  EXPECT_EQ(j["runs"], 3);
  EXPECT_EQ(j["passed"], 1);
  EXPECT_EQ(j["failed"], 2);
  EXPECT_EQ(j["failed_seeds"], nlohmann::json::array({10, 12}));
  EXPECT_EQ(j["crashed_seeds"], nlohmann::json::array({12}));
  EXPECT_EQ(j["reproduce"]["10"], "samsa-sim run scenarios/x.yaml --seed 10");
  EXPECT_EQ(j["per_seed"][0]["seed"], 10);  // sorted by seed
}

}  // namespace
}  // namespace samsa::sim
