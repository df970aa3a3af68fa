// samsa-sim run / sweep through the binary (exit codes, stderr, reproduce commands).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "net/os/file_util.h"
#include "tests/scenario/sim_cli.h"

namespace {

using Output = samsa::test::SimOutput;

// Runs samsa-sim with `args`; `redirect` says where its streams go ("2>&1": both captured).
Output Sim(const std::string& args, const std::string& redirect = "2>&1") { return samsa::test::RunSamsaSim(args, redirect); }

Output SimStderrOnly(const std::string& args) {
  return Sim(args, "2>&1 >/dev/null");  // stderr only
}

std::string Tmp(const std::string& name) { return std::string(SAMSA_BINARY_DIR) + "/scenario_test_" + name; }

const std::string kToyDemo = std::string(SAMSA_SOURCE_DIR) + "/scenarios/toy-demo.yaml";

TEST(SamsaSimCli, BadFileExits2WithErrorOnStderr) {
  std::string path = Tmp("bad.yaml");
  ASSERT_TRUE(samsa::os::WriteFileAtomically(path, "name: bad\nrun_for: 10x\n").ok());
  Output o = SimStderrOnly("run " + path);
  EXPECT_EQ(o.code, 2);
  EXPECT_NE(o.text.find(path + ":2:10: run_for: bad duration '10x'"), std::string::npos) << o.text;
  EXPECT_EQ(Sim("run /nonexistent/x.yaml").code, 2);
}

TEST(SamsaSimCli, BrokerScenarioRunsOnRealBrokers) {
  // A partition story on samsa brokers: the cut-off leader is replaced and nothing acknowledged
  // is lost.
  Output o = Sim("run " + std::string(SAMSA_SOURCE_DIR) + "/scenarios/partition-acks-all-safe.yaml --seed 3");
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("PASS new_leader_within events-0"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("PASS all_acked_readable"), std::string::npos) << o.text;
}

TEST(SamsaSimCli, RunToyDemoPasses) {
  std::string json = Tmp("toy.json"), trace = Tmp("toy.trace");
  Output o = Sim("run " + kToyDemo + " --json " + json + " --trace " + trace);
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("scenario: toy-demo"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("seed=7 trace_hash=0x"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("[   1.000s] Node 2 crashes."), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("PASS no_violations"), std::string::npos) << o.text;
  auto report = samsa::os::ReadFileToString(json);
  ASSERT_TRUE(report.ok());
  auto j = nlohmann::json::parse(*report);
  EXPECT_EQ(j["passed"], true);
  EXPECT_EQ(j["seed"], 7);
  auto t = samsa::os::ReadFileToString(trace);
  ASSERT_TRUE(t.ok());
  EXPECT_GT(t->size(), 1000u);
  // Same seed from the command line: same hash; --quiet hides captions.
  Output q = Sim("run " + kToyDemo + " --seed 7 --quiet");
  EXPECT_EQ(q.code, 0);
  EXPECT_EQ(q.text.find("Node 2 crashes"), std::string::npos);
  EXPECT_NE(q.text.find("seed=7 trace_hash=" + j["trace_hash"].get<std::string>()), std::string::npos) << q.text;
}

TEST(SamsaSimCli, FailurePrintsReproduceCommand) {
  std::string path = Tmp("impossible.yaml");
  ASSERT_TRUE(samsa::os::WriteFileAtomically(
                  path, "name: impossible\ncluster: { kind: toy }\nrun_for: 500ms\nexpect:\n  - violation: lost-write\n")
                  .ok());
  Output o = Sim("run " + path + " --seed 42");
  EXPECT_EQ(o.code, 1) << o.text;
  EXPECT_NE(o.text.find("FAIL violation lost-write"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("reproduce: samsa-sim run " + path + " --seed 42"), std::string::npos) << o.text;

  Output s = Sim("sweep " + path + " --seeds 3..4 --jobs 2");
  EXPECT_EQ(s.code, 1) << s.text;
  EXPECT_NE(s.text.find("FAILED seed=3"), std::string::npos) << s.text;
  EXPECT_NE(s.text.find("reproduce: samsa-sim run " + path + " --seed 4"), std::string::npos) << s.text;
}

TEST(SamsaSimCli, SweepFiveToySeeds) {
  std::string json = Tmp("sweep.json");
  Output o = Sim("sweep " + kToyDemo + " --seeds 1..5 --jobs 2 --json " + json);
  EXPECT_EQ(o.code, 0) << o.text;
  EXPECT_NE(o.text.find("runs=5 passed=5 failed=0"), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("sweep: 5/5 done"), std::string::npos) << o.text;  // not a TTY: lines
  auto report = samsa::os::ReadFileToString(json);
  ASSERT_TRUE(report.ok());
  auto j = nlohmann::json::parse(*report);
  EXPECT_EQ(j["seeds"], "1..5");
  EXPECT_EQ(j["runs"], 5);
  EXPECT_EQ(j["passed"], 5);
  EXPECT_TRUE(j["failed_seeds"].empty());
  ASSERT_EQ(j["per_seed"].size(), 5u);
  // A sweep child computes exactly what `run` computes.
  Output r = Sim("run " + kToyDemo + " --seed 3 --quiet");
  EXPECT_NE(r.text.find("trace_hash=" + j["per_seed"][2]["trace_hash"].get<std::string>()), std::string::npos);
  EXPECT_EQ(Sim("sweep " + kToyDemo + " --seeds 5..1").code, 2);
}

TEST(SamsaSimCli, OldCommandsStillWork) {
  EXPECT_EQ(Sim("--version").code, 0);
  EXPECT_EQ(Sim("demo --duration-ms 500").code, 0);
}

}  // namespace
