// Violations per kind in run reports; sharded sweeps (--shard, including the shard index from a
// Kubernetes Indexed Job or a Slurm array) and `samsa-sim merge`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fmt/core.h>

#include <cstdio>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "net/os/file_util.h"
#include "sim/report.h"
#include "sim/scenario_runner.h"
#include "sim/toy_cluster_factory.h"
#include "sim/view_json.h"
#include "tests/scenario/sim_cli.h"

namespace samsa::sim {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The toy cluster, with made-up violations added to what its history check finds.
class ExtraViolationsFactory final : public ClusterFactory {
 public:
  explicit ExtraViolationsFactory(std::vector<Violation> extra) : extra_(std::move(extra)) {}
  NodeFactory Broker(const Scenario& s, int32_t id) override { return inner_.Broker(s, id); }
  NodeFactory Producer(const Scenario& s, const ProducerSpec& p, int32_t id) override { return inner_.Producer(s, p, id); }
  NodeFactory Consumer(const Scenario& s, const ConsumerSpec& c, int32_t id) override { return inner_.Consumer(s, c, id); }
  void InstallProviders(Simulation& sim) override { inner_.InstallProviders(sim); }
  std::vector<Violation> CheckHistory(Simulation& sim, const RunTimeline& t) override {
    std::vector<Violation> v = inner_.CheckHistory(sim, t);
    v.insert(v.end(), extra_.begin(), extra_.end());
    return v;
  }
  ExpectationResult Evaluate(const Expectation& e, Simulation& sim, const RunTimeline& t) override {
    return inner_.Evaluate(e, sim, t);
  }
  Stats CollectStats(Simulation& sim) override { return inner_.CollectStats(sim); }

 private:
  ToyClusterFactory inner_;
  std::vector<Violation> extra_;
};

Scenario ShortToy() {
  auto s = ParseScenario("name: short-toy\ncluster: { kind: toy }\nrun_for: 300ms\nexpect:\n  - no_violations\n",
                         "short-toy.yaml");
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : Scenario{};
}

// 1,500 acked-lost violations and 3 duplicates: the old report kept the first 1,000 in sorted
// order (all acked-lost) and lost every duplicate; now each kind keeps its first 10.
TEST(ViolationsPerKind, FirstTenOfEachKindAndEveryCount) {
  std::vector<Violation> extra;
  for (int i = 0; i < 1500; ++i) extra.push_back({"acked-lost", "orders", 0, i, "value v" + std::to_string(i)});
  for (int i = 0; i < 3; ++i) extra.push_back({"duplicate", "orders", 1, 100 + i, "value d"});
  ExtraViolationsFactory f(extra);
  RunResult r = RunScenario(ShortToy(), 5, f, {});
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.violations_total, 1503u);
  EXPECT_EQ(r.violations_by_kind, (std::map<std::string, uint64_t>{{"acked-lost", 1500}, {"duplicate", 3}}));
  ASSERT_EQ(r.violations.size(), 13u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(r.violations[size_t(i)].kind, "acked-lost");
    EXPECT_EQ(r.violations[size_t(i)].offset, i);  // the first ones, in order
  }
  for (int i = 10; i < 13; ++i) EXPECT_EQ(r.violations[size_t(i)].kind, "duplicate");

  nlohmann::json j = RunReportJson(r, "short-toy.yaml");
  EXPECT_EQ(j["violations_total"], 1503);
  EXPECT_EQ(j["violations_by_kind"], (nlohmann::json{{"acked-lost", 1500}, {"duplicate", 3}}));
  ASSERT_EQ(j["violations"].size(), 13u);
  EXPECT_EQ(j["violations"][12]["kind"], "duplicate");
  nlohmann::json summary = RunSummaryJson(r);
  EXPECT_EQ(summary["violations_by_kind"], j["violations_by_kind"]);

  std::string text = FormatViolations(r);
  EXPECT_THAT(text, HasSubstr("violations: 1503 (acked-lost x1500, duplicate x3)\n"));
  EXPECT_THAT(text, HasSubstr("VIOLATION acked-lost orders-0 offset=9: value v9\n  ... and 1490 more acked-lost\n"
                              "VIOLATION duplicate orders-1 offset=100"));
  EXPECT_THAT(text, Not(HasSubstr("offset=10:")));
  EXPECT_THAT(text, Not(HasSubstr("more duplicate")));
  size_t lines = 0;
  for (size_t p = text.find("VIOLATION "); p != std::string::npos; p = text.find("VIOLATION ", p + 1)) ++lines;
  EXPECT_EQ(lines, 13u);

  // The events (the GUI's timeline) list as many of each kind, then one that counts the rest.
  std::vector<const view::ClusterEvent*> acked_lost, duplicates;
  for (const auto& e : r.events)
    if (e.kind == view::EventKind::kViolation) (e.text == "acked-lost" ? acked_lost : duplicates).push_back(&e);
  ASSERT_EQ(acked_lost.size(), 11u);
  EXPECT_EQ(acked_lost[9]->detail, "value v9");
  EXPECT_EQ(acked_lost[10]->detail, "1490 more of this kind, not listed one by one (the run's report counts them all)");
  EXPECT_EQ(acked_lost[10]->topic, "");
  EXPECT_EQ(duplicates.size(), 3u);
}

// A kind the scenario tolerates (or expects) does not fail the run, and every place that shows
// the violation says so: the run's text, its JSON report, its event and the event's line.
TEST(ViolationsPerKind, AKindTheScenarioAllowsIsMarkedEverywhere) {
  auto s = ParseScenario("name: short-toy\ncluster: { kind: toy }\nrun_for: 300ms\ntolerate: [duplicate]\n"
                         "expect:\n  - no_violations\n  - violation: { kind: lost-write }\n",
                         "short-toy.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->AllowsViolation("duplicate"));
  EXPECT_TRUE(s->AllowsViolation("lost-write"));
  EXPECT_FALSE(s->AllowsViolation("acked-lost"));
  ExtraViolationsFactory f({{"acked-lost", "orders", 0, 7, "value a"},
                            {"duplicate", "orders", 1, 100, "value d"},
                            {"lost-write", "orders", 2, 3, "value w"}});
  RunResult r = RunScenario(*s, 5, f, {});
  EXPECT_FALSE(r.passed);  // acked-lost is neither tolerated nor expected
  EXPECT_EQ(r.allowed_violation_kinds, (std::vector<std::string>{"duplicate", "lost-write"}));

  std::string text = FormatViolations(r);
  EXPECT_THAT(text, HasSubstr("violations: 3 (acked-lost x1, duplicate x1, lost-write x1)\n"
                              "  expected in this scenario, so they do not fail the run: duplicate, lost-write\n"));
  EXPECT_THAT(text, HasSubstr("VIOLATION acked-lost orders-0 offset=7: value a\n"));
  EXPECT_THAT(text, HasSubstr("VIOLATION duplicate orders-1 offset=100 (expected in this scenario): value d\n"));
  EXPECT_EQ(RunReportJson(r, "short-toy.yaml")["allowed_violation_kinds"],
            (nlohmann::json{"duplicate", "lost-write"}));

  std::map<std::string, bool> allowed;
  for (const auto& e : r.events)
    if (e.kind == view::EventKind::kViolation) {
      allowed[e.text] = e.allowed;
      EXPECT_EQ(FormatEventLine(e).find("(expected in this scenario)") != std::string::npos, e.allowed)
          << FormatEventLine(e);
    }
  EXPECT_EQ(allowed, (std::map<std::string, bool>{{"acked-lost", false}, {"duplicate", true}, {"lost-write", true}}));

  // Without the tolerance and the expectation, nothing is marked.
  RunResult plain = RunScenario(ShortToy(), 5, f, {});
  EXPECT_TRUE(plain.allowed_violation_kinds.empty());
  EXPECT_THAT(FormatViolations(plain), Not(HasSubstr("expected in this scenario")));
}

TEST(ViolationsPerKind, CapIsAnOption) {
  std::vector<Violation> extra;
  for (int i = 0; i < 5; ++i) extra.push_back({"lost-write", "t", 0, i, "x"});
  ExtraViolationsFactory f(extra);
  RunOptions o;
  o.max_violations_per_kind = 2;
  RunResult r = RunScenario(ShortToy(), 5, f, o);
  EXPECT_EQ(r.violations.size(), 2u);
  EXPECT_EQ(r.violations_total, 5u);
  EXPECT_THAT(FormatViolations(r), HasSubstr("  ... and 3 more lost-write\n"));
  EXPECT_EQ(FormatViolations(RunResult{}), "");
}

TEST(ShardRange, EverySeedInExactlyOneShardInOrder) {
  for (uint64_t first : {0ull, 1ull, 1000000ull})
    for (uint64_t seeds : {1ull, 2ull, 7ull, 10ull, 100ull, 101ull})
      for (uint64_t count = 1; count <= seeds && count <= 12; ++count) {
        uint64_t next = first, smallest = UINT64_MAX, largest = 0;
        for (uint64_t k = 0; k < count; ++k) {
          auto r = ShardRange(first, first + seeds - 1, k, count);
          ASSERT_TRUE(r.ok()) << r.status().message();
          EXPECT_EQ(r->first, next) << "shard " << k << "/" << count << " of " << seeds;  // contiguous
          ASSERT_LE(r->first, r->second);
          smallest = std::min(smallest, r->second - r->first + 1);
          largest = std::max(largest, r->second - r->first + 1);
          next = r->second + 1;
        }
        EXPECT_EQ(next, first + seeds);  // all of them
        EXPECT_LE(largest - smallest, 1u);  // balanced
      }
  auto one = ShardRange(1, 100, 2, 4);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (std::pair<uint64_t, uint64_t>{51, 75}));
}

// Command-line seeds take what a scenario's `seed:` takes: no sign, no fraction, no overflow
// (CLI11 alone turned `--seed -1` into 2^64-1, a seed a saved session could not parse again).
TEST(Seeds, ParsedAsAScenarioTakesThem) {
  EXPECT_EQ(ParseSeed("0"), std::optional<uint64_t>(0));
  EXPECT_EQ(ParseSeed("42"), std::optional<uint64_t>(42));
  EXPECT_EQ(ParseSeed("9223372036854775807"), std::optional<uint64_t>(kMaxSeed));
  for (const char* bad : {"", "-1", "+1", "1.5", "1e3", " 1", "0x10", "9223372036854775808", "18446744073709551615",
                          "99999999999999999999999"}) {
    EXPECT_FALSE(ParseSeed(bad).has_value()) << bad;
    EXPECT_THAT(SeedError(bad), HasSubstr("from 0 to 9223372036854775807")) << bad;
  }
  EXPECT_EQ(SeedError("7"), "");
  EXPECT_EQ(ParseSeedRange("3..9"), (std::optional<std::pair<uint64_t, uint64_t>>{{3, 9}}));
  EXPECT_EQ(ParseSeedRange("5"), (std::optional<std::pair<uint64_t, uint64_t>>{{5, 5}}));
  for (const char* bad : {"9..3", "1..", "..2", "1..-2", "1..9223372036854775808", "a..b", "1...2"})
    EXPECT_FALSE(ParseSeedRange(bad).has_value()) << bad;
}

TEST(ShardRange, BadShardsAreExplained) {
  auto out_of_range = ShardRange(1, 100, 4, 4);
  ASSERT_FALSE(out_of_range.ok());
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("shard index 4 is out of range"));
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("from 0 to 3 (0-based"));
  EXPECT_THAT(out_of_range.status().message(), HasSubstr("--array=0-3"));
  EXPECT_FALSE(ShardRange(1, 100, 0, 0).ok());
  auto too_many = ShardRange(1, 3, 0, 4);
  ASSERT_FALSE(too_many.ok());
  EXPECT_THAT(too_many.status().message(), HasSubstr("4 shards for 3 seed(s)"));
}

// A sweep report of seeds first..last where the seeds in `failing` failed, as shard k/n of
// of_first..of_last when n > 0.
nlohmann::json Report(uint64_t first, uint64_t last, std::set<uint64_t> failing = {}, uint64_t k = 0, uint64_t n = 0,
                      uint64_t of_first = 0, uint64_t of_last = 0, const std::string& hash = "0x01") {
  SweepSpec spec{"toy", "scenarios/toy.yaml", hash, first, last, k, n, of_first, of_last};
  std::vector<SeedSummary> seeds;
  for (uint64_t s = last + 1; s-- > first;) {  // in reverse: the report sorts them
    SeedSummary ss;
    ss.seed = s;
    ss.passed = !failing.count(s);
    ss.summary = {{"seed", s}, {"passed", ss.passed}, {"trace_hash", "0x" + std::to_string(s)}, {"wall_ms", 3},
                  {"failed_expectations", ss.passed ? nlohmann::json::array() : nlohmann::json{"no_violations"}},
                  {"violations_total", ss.passed ? 0 : 7},
                  {"violations_by_kind", ss.passed ? nlohmann::json::object()
                                                   : nlohmann::json{{"acked-lost", 5}, {"duplicate", 2}}}};
    seeds.push_back(std::move(ss));
  }
  return SweepReportJson(spec, seeds, int64_t(100 + first));
}

// Removes every "wall_ms" (wall time differs between any two sweeps) and "merged_from".
nlohmann::json WithoutWallTime(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("wall_ms");
    j.erase("merged_from");
    for (auto& [k, v] : j.items()) v = WithoutWallTime(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = WithoutWallTime(v);
  }
  return j;
}

TEST(MergeSweepReports, ShardsMergeIntoTheUnshardedReport) {
  std::set<uint64_t> failing = {3, 8};
  nlohmann::json whole = Report(1, 10, failing);
  std::vector<SweepInput> shards;
  for (uint64_t k : {2, 0, 1}) {  // any order
    auto r = ShardRange(1, 10, k, 3);
    ASSERT_TRUE(r.ok());
    shards.push_back({"shard-" + std::to_string(k) + ".json", Report(r->first, r->second, failing, k, 3, 1, 10)});
  }
  auto merged = MergeSweepReports(shards);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(WithoutWallTime(*merged), WithoutWallTime(whole));
  EXPECT_EQ((*merged)["wall_ms"], 107);  // the longest shard's (7..10: 100 + 7)
  ASSERT_EQ((*merged)["merged_from"].size(), 3u);
  EXPECT_EQ((*merged)["merged_from"][0]["report"], "shard-2.json");
  EXPECT_FALSE(merged->contains("shard"));
  // The same summary text, wall_ms aside.
  auto strip = [](std::string t) { return t.replace(t.find("wall_ms="), t.find('\n') - t.find("wall_ms="), ""); };
  EXPECT_EQ(strip(SweepSummaryText(*merged)), strip(SweepSummaryText(whole)));
}

TEST(MergeSweepReports, SummaryNamesViolationKindsAndEndsWithTheReproduceCommand) {
  std::string text = SweepSummaryText(Report(1, 4, {3}));
  EXPECT_THAT(text, HasSubstr("sweep toy seeds 1..4: runs=4 passed=3 failed=1 wall_ms=101\n"));
  // scripts/sweep-safety.sh takes the command after "reproduce: " and matches it against
  // scripts/known-failures.txt: it must end the line.
  EXPECT_THAT(text, HasSubstr("  FAILED seed=3 (no_violations; violations: acked-lost x5, duplicate x2); "
                              "reproduce: samsa-sim run scenarios/toy.yaml --seed 3\n"));
}

std::string MergeError(const std::vector<SweepInput>& inputs) {
  auto merged = MergeSweepReports(inputs);
  EXPECT_FALSE(merged.ok());
  return merged.ok() ? "" : merged.status().message();
}

TEST(MergeSweepReports, RefusesWhatIsNotOneSweep) {
  // Unsharded pieces merge when they tile the range...
  EXPECT_TRUE(MergeSweepReports({{"a.json", Report(1, 4)}, {"b.json", Report(5, 9)}}).ok());
  // ...and not when they overlap or leave a gap.
  EXPECT_THAT(MergeError({{"a.json", Report(1, 5)}, {"b.json", Report(5, 9)}}),
              HasSubstr("b.json: seeds 5..9 overlap a.json (seeds 1..5), e.g. seed 5"));
  EXPECT_THAT(MergeError({{"a.json", Report(1, 3)}, {"b.json", Report(6, 9)}, {"c.json", Report(12, 12)}}),
              HasSubstr("4 seed(s) of 1..12 are in no report: 4..5, 10..11"));
  // Another scenario, file or file content.
  nlohmann::json other = Report(5, 9);
  other["scenario"] = "other";
  EXPECT_THAT(MergeError({{"a.json", Report(1, 4)}, {"b.json", other}}),
              HasSubstr("b.json: scenario 'other' differs from 'toy' in a.json"));
  other = Report(5, 9);
  other["file"] = "scenarios/other.yaml";
  EXPECT_THAT(MergeError({{"a.json", Report(1, 4)}, {"b.json", other}}), HasSubstr("b.json: scenario file"));
  EXPECT_THAT(MergeError({{"a.json", Report(1, 4)}, {"b.json", Report(5, 9, {}, 0, 0, 0, 0, "0x02")}}),
              HasSubstr("b.json: scenario_hash 0x02 differs from 0x01 in a.json: the shards ran different versions"));
  // Shards: one missing, one twice, two splits.
  EXPECT_THAT(MergeError({{"s0.json", Report(1, 3, {}, 0, 3, 1, 10)}, {"s1.json", Report(4, 6, {}, 1, 3, 1, 10)}}),
              HasSubstr("missing shard(s) 2 of 0..2: 4 seed(s) of 1..10 are in no report: 7..10"));
  EXPECT_THAT(MergeError({{"s0.json", Report(1, 3, {}, 0, 3, 1, 10)}, {"again.json", Report(1, 3, {}, 0, 3, 1, 10)}}),
              HasSubstr("again.json: shard 0/3 was already given in s0.json"));
  EXPECT_THAT(MergeError({{"s0.json", Report(1, 3, {}, 0, 3, 1, 10)}, {"x.json", Report(6, 10, {}, 1, 2, 1, 10)}}),
              HasSubstr("x.json: shard 1/2 of 1..10 is from another split than s0.json (shard 0/3 of 1..10)"));
  EXPECT_THAT(MergeError({{"s0.json", Report(1, 3, {}, 0, 3, 1, 10)}, {"whole.json", Report(4, 10)}}),
              HasSubstr("whole.json: is not a shard's report but s0.json is one"));
  // Not sweep reports.
  EXPECT_THAT(MergeError({{"run.json", nlohmann::json{{"scenario", "toy"}, {"seed", 3}}}}),
              HasSubstr("run.json: not a sweep report"));
  EXPECT_THAT(MergeError({{"list.json", nlohmann::json::array()}}), HasSubstr("list.json: not a sweep report"));
  nlohmann::json cut = Report(1, 5);
  cut["per_seed"].erase(cut["per_seed"].begin() + 2);
  EXPECT_THAT(MergeError({{"cut.json", cut}}), HasSubstr("cut.json: per_seed holds 4 run(s), not the 5 seed(s) of 1..5"));
  nlohmann::json moved = Report(1, 3, {}, 0, 3, 1, 10);
  moved["seeds"] = "2..4";
  for (auto& s : moved["per_seed"]) s["seed"] = s["seed"].get<uint64_t>() + 1;
  EXPECT_THAT(MergeError({{"moved.json", moved}}), HasSubstr("moved.json: seeds 2..4 are not shard 0/3 of 1..10"));
  EXPECT_THAT(MergeError({}), HasSubstr("no sweep reports"));
}

// ---- Through the binary: shards with the index from the environment, merged.

using Output = test::SimOutput;

// Runs `env -u ... VARS samsa-sim ARGS` (the shard variables cleared, then `vars` set).
Output Sim(const std::string& args, const std::string& vars = "", const std::string& redirect = "2>&1") {
  return test::RunSamsaSim(args, redirect, "env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID " + vars);
}

std::string Tmp(const std::string& name) { return std::string(SAMSA_BINARY_DIR) + "/sweep_shards_" + name; }

nlohmann::json ReadJson(const std::string& path) {
  auto text = os::ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << path;
  return text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
}

// The stdout lines from "sweep NAME seeds" on, with the wall time taken out.
std::string SummaryLines(const std::string& out) {
  size_t from = out.find("\nsweep ");
  std::string s = from == std::string::npos ? out : out.substr(from + 1);
  size_t w = s.find(" wall_ms=");
  if (w != std::string::npos) s.erase(w, s.find('\n', w) - w);
  return s;
}

void ExpectShardsMergeToTheWholeSweep(const std::string& scenario, const std::string& seeds, const std::string& var,
                                      int shards, int expected_code) {
  const std::string tag = var + "_" + std::to_string(shards);
  Output whole = Sim("sweep " + scenario + " --seeds " + seeds + " --jobs 2 --json " + Tmp(tag + "_whole.json"), "",
                     "2>/dev/null");
  ASSERT_EQ(whole.code, expected_code) << whole.text;
  std::string merge_args;
  for (int k = shards - 1; k >= 0; --k) {  // any order
    const std::string out = Tmp(tag + "_" + std::to_string(k) + ".json");
    Output o = Sim("sweep " + scenario + " --seeds " + seeds + " --shard auto/" + std::to_string(shards) +
                       " --jobs 2 --json " + out,
                   var + "=" + std::to_string(k), "2>/dev/null");
    EXPECT_LE(o.code, 1) << o.text;
    EXPECT_THAT(o.text, HasSubstr(fmt::format("shard {}/{} ({}={}) of seeds {}", k, shards, var, k, seeds))) << o.text;
    merge_args += " " + out;
  }
  Output merged = Sim("merge" + merge_args + " --json " + Tmp(tag + "_merged.json"), "", "2>/dev/null");
  EXPECT_EQ(merged.code, expected_code) << merged.text;
  EXPECT_EQ(WithoutWallTime(ReadJson(Tmp(tag + "_merged.json"))), WithoutWallTime(ReadJson(Tmp(tag + "_whole.json"))));
  EXPECT_EQ(SummaryLines(merged.text), SummaryLines(whole.text)) << merged.text << "\n---\n" << whole.text;
}

const std::string kToyDemo = std::string(SAMSA_SOURCE_DIR) + "/scenarios/toy-demo.yaml";

TEST(ShardedSweepCli, KubernetesIndexedJobShardsMergeToTheWholeSweep) {
  ExpectShardsMergeToTheWholeSweep(kToyDemo, "1..8", "JOB_COMPLETION_INDEX", 3, 0);
}

TEST(ShardedSweepCli, SlurmArrayShardsMergeToTheWholeSweep) {
  // Every seed fails (the toy cluster loses nothing): FAILED lines and reproduce commands too.
  std::string path = Tmp("impossible.yaml");
  ASSERT_TRUE(os::WriteFileAtomically(
                  path, "name: impossible\ncluster: { kind: toy }\nrun_for: 300ms\nexpect:\n  - violation: lost-write\n")
                  .ok());
  ExpectShardsMergeToTheWholeSweep(path, "11..16", "SLURM_ARRAY_TASK_ID", 4, 1);
}

TEST(ShardedSweepCli, BadShardsAndMergesAreExplained) {
  const std::string sweep = "sweep " + kToyDemo + " --seeds 1..8 ";
  Output o = Sim(sweep + "--shard 3/3");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("--shard 3/3: shard index 3 is out of range: with 3 shard(s) the index runs from 0 to 2"));
  o = Sim(sweep + "--shard auto/4", "SLURM_ARRAY_TASK_ID=4");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("--shard auto/4 (SLURM_ARRAY_TASK_ID=4): shard index 4 is out of range"));
  o = Sim(sweep + "--shard auto/4");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID"));
  o = Sim(sweep + "--shard auto/4", "JOB_COMPLETION_INDEX=1 SLURM_ARRAY_TASK_ID=2");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("JOB_COMPLETION_INDEX=1 and SLURM_ARRAY_TASK_ID=2 disagree"));
  o = Sim(sweep + "--shard auto/4", "JOB_COMPLETION_INDEX=x");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("JOB_COMPLETION_INDEX='x' is not a shard index"));
  for (const char* bad : {"3", "1/0", "a/4", "-1/4", "1/4/2", "/4", "1/"}) {
    o = Sim(sweep + "--shard " + bad);
    EXPECT_EQ(o.code, 2) << bad;
    EXPECT_THAT(o.text, HasSubstr("--shard")) << bad;
  }
  o = Sim(sweep + "--shard 0/9");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("9 shards for 8 seed(s) (1..8): at most one shard per seed"));

  ASSERT_TRUE(os::WriteFileAtomically(Tmp("garbage.json"), "{not json").ok());
  o = Sim("merge " + Tmp("garbage.json"));
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr(Tmp("garbage.json") + ": not JSON"));
  o = Sim("merge /nonexistent/shard.json");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("cannot read /nonexistent/shard.json"));
  EXPECT_EQ(Sim("merge").code, 2);
}

TEST(SeedOptionsCli, RefuseWhatAScenarioWouldRefuse) {
  for (const char* command : {"run", "inspect", "session"}) {
    for (const char* bad : {"-1", "18446744073709551615", "1.5"}) {
      Output o = Sim(std::string(command) + " " + kToyDemo + " --seed " + bad);
      EXPECT_EQ(o.code, 2) << command << " --seed " << bad << "\n" << o.text;
      EXPECT_THAT(o.text, HasSubstr("expected a seed: an integer from 0 to 9223372036854775807")) << o.text;
    }
  }
  Output o = Sim("sweep " + kToyDemo + " --seeds 1..9223372036854775808");
  EXPECT_EQ(o.code, 2);
  EXPECT_THAT(o.text, HasSubstr("seeds from 0 to 9223372036854775807")) << o.text;
  // The largest seed runs, and is the one reported.
  o = Sim("run " + kToyDemo + " --quiet --seed 9223372036854775807");
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_THAT(o.text, HasSubstr("seed=9223372036854775807 trace_hash=")) << o.text;
}

}  // namespace
}  // namespace samsa::sim
