// Determinism: same seed -> same trace (in one process, across processes, across build types via a
// golden hash); different seeds -> different traces. Also the deliberately broken node: a seed
// sweep must find its lost write and print the command that reproduces it, and that command must
// really reproduce it.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <set>
#include <sys/wait.h>

#include <fmt/core.h>

#include "sim/toy_nodes.h"
#include "sim/trace.h"

namespace samsa::sim {
namespace {

// Golden trace hash of `samsa-sim demo --seed 42` (3 nodes, 3000 ms). Debug and Release builds must
// both produce it; if a deliberate change to the simulator or the toy nodes moves it, update it here
// after checking both build types agree.
constexpr uint64_t kGoldenSeed = 42;
// Moved from 0x843a7ef7a2b7c8ae when the nemesis's one-way and reset began honouring their target:
// this run draws `one-way target=leaders` at 1.123 s, which used to cut a random pair of nodes.
// (Checked in Release only when it moved.)
constexpr uint64_t kGoldenHash = 0x06d80713bb474ff1ULL;

struct ProcRun {
  int exit_code = -1;
  std::string output;
};

ProcRun RunBinary(const std::string& args) {
  std::string cmd = std::string(SAMSA_BINARY_DIR) + "/sim/samsa-sim " + args + " 2>&1";
  ProcRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string HashLine(uint64_t seed, uint64_t hash) { return fmt::format("seed={} trace_hash={}", seed, HashHex(hash)); }

TEST(DeterminismTest, SameSeedSameTraceInProcess) {
  DemoOptions o;
  o.seed = 7;
  o.keep_trace_records = true;
  DemoResult a = RunDemo(o);
  DemoResult b = RunDemo(o);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.trace_text, b.trace_text);
  EXPECT_GT(a.trace_records, 1000u);
  EXPECT_GT(a.faults, 0u);
}

TEST(DeterminismTest, DifferentSeedsDiffer) {
  std::set<uint64_t> hashes;
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    DemoOptions o;
    o.seed = seed;
    hashes.insert(RunDemo(o).trace_hash);
  }
  EXPECT_EQ(hashes.size(), 10u);
}

TEST(DeterminismTest, TraceDivergenceIsNamed) {
  DemoOptions o;
  o.seed = 3;
  o.keep_trace_records = true;
  DemoResult a = RunDemo(o);
  o.seed = 4;
  DemoResult b = RunDemo(o);
  auto at = Trace::FirstDivergentLine(a.trace_text, b.trace_text);
  ASSERT_TRUE(at.has_value());
  EXPECT_NE(Trace::DescribeDivergence(a.trace_text, b.trace_text).find("first divergent event"), std::string::npos);
}

TEST(DeterminismTest, GoldenHashPinsBehaviourAcrossBuildTypes) {
  DemoOptions o;
  o.seed = kGoldenSeed;
  DemoResult r = RunDemo(o);
  EXPECT_EQ(HashHex(r.trace_hash), HashHex(kGoldenHash))
      << "the trace of seed 42 changed; if intended, check Debug and Release agree and update kGoldenHash";
  EXPECT_TRUE(r.violations.empty());
}

TEST(DeterminismTest, SeparateProcessesAgree) {
  for (uint64_t seed : {1, 42, 1234567}) {
    ProcRun a = RunBinary(fmt::format("demo --seed {}", seed));
    ProcRun b = RunBinary(fmt::format("demo --seed {}", seed));
    ASSERT_EQ(a.exit_code, 0) << a.output;
    EXPECT_EQ(a.output, b.output);
    DemoOptions o;
    o.seed = seed;
    EXPECT_NE(a.output.find(HashLine(seed, RunDemo(o).trace_hash)), std::string::npos) << a.output;
  }
  ProcRun v = RunBinary("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.output.find("samsa-sim "), std::string::npos);
}

TEST(DeterminismTest, TraceFilesFromTwoProcessesDiffClean) {
  std::string dir = std::string(SAMSA_BINARY_DIR) + "/tests";
  std::string a = dir + "/trace_a.txt", b = dir + "/trace_b.txt", c = dir + "/trace_c.txt";
  ASSERT_EQ(RunBinary(fmt::format("demo --seed 5 --duration-ms 500 --trace {}", a)).exit_code, 0);
  ASSERT_EQ(RunBinary(fmt::format("demo --seed 5 --duration-ms 500 --trace {}", b)).exit_code, 0);
  ASSERT_EQ(RunBinary(fmt::format("demo --seed 6 --duration-ms 500 --trace {}", c)).exit_code, 0);
  ProcRun same = RunBinary(fmt::format("trace-diff {} {}", a, b));
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("identical"), std::string::npos);
  ProcRun diff = RunBinary(fmt::format("trace-diff {} {}", a, c));
  EXPECT_EQ(diff.exit_code, 1);
  EXPECT_NE(diff.output.find("first divergent event"), std::string::npos) << diff.output;
}

TEST(BrokenNodeTest, SeedSweepFindsTheLostWriteAndPrintsAReproducer) {
  // The correct node passes every seed of the sweep...
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    DemoOptions o;
    o.seed = seed;
    DemoResult r = RunDemo(o);
    ASSERT_TRUE(r.violations.empty()) << "seed " << seed << ": " << r.violations[0];
  }
  // ...the broken one (acks before its sync completes) fails some of them.
  std::vector<uint64_t> failing;
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    DemoOptions o;
    o.seed = seed;
    o.broken = true;
    DemoResult r = RunDemo(o);
    if (!r.violations.empty()) {
      failing.push_back(seed);
      std::printf("FAILED seed=%llu; reproduce: samsa-sim demo --broken --seed %llu\n  %s\n",
                  (unsigned long long)seed, (unsigned long long)seed, r.violations[0].c_str());
    }
  }
  ASSERT_FALSE(failing.empty()) << "the checker missed the deliberately broken node on every seed";
  EXPECT_LT(failing.size(), 40u);  // it takes a crash in the wrong window: not every seed
  // The printed command reproduces it, in a fresh process.
  ProcRun r = RunBinary(fmt::format("demo --broken --seed {}", failing[0]));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("VIOLATION: lost-write"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(fmt::format("FAILED seed={}; reproduce: samsa-sim demo --broken --seed {}", failing[0],
                                      failing[0])),
            std::string::npos)
      << r.output;
  std::printf("%s", r.output.c_str());
}

}  // namespace
}  // namespace samsa::sim
