// Seed sweeps: random delays, drops, partitions and crashes against 1, 3 and 5 replicas (and a
// cluster with observers); safety checked after every step, liveness after healing.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/raft/raft_harness.h"

namespace samsa::raft_test {
namespace {

struct SweepParams {
  int nodes;
  int voters;
  int seeds;
  int chaos_steps;
};

struct SweepStats {
  uint64_t steps = 0;
  uint64_t committed = 0;
  uint64_t crashes = 0;
  int64_t max_epoch = 0;
};

// Returns the violations of one run (empty when it passed).
std::vector<std::string> RunSeed(uint64_t seed, const SweepParams& params, SweepStats& stats) {
  ClusterOptions options;
  options.nodes = params.nodes;
  options.voters = params.voters;
  options.base.election_timeout_ms = 300;
  options.base.election_backoff_max_ms = 200;
  options.base.fetch_timeout_ms = 600;
  options.base.fetch_max_wait_ms = 150;
  // Slow syncs widen the window in which a crash loses what was not yet durable.
  options.sync_delay_max_ms = (seed % 2 == 0) ? 15 : 80;
  Cluster c(seed * 7919 + uint64_t(params.nodes * 100 + params.voters), options);
  Prng& prng = c.prng();
  int value_counter = 0;
  auto append_somewhere = [&] {
    // Clients write to whoever claims leadership (possibly a stale leader).
    int32_t id = int32_t(prng.Range(1, c.size()));
    if (c.raft(id).IsLeader()) {
      int n = int(prng.Range(1, 3));
      std::vector<Bytes> values;
      for (int i = 0; i < n; ++i) values.push_back(ToBytes("v" + std::to_string(value_counter++)));
      (void)c.raft(id).Append(values, c.now());
    }
  };

  // Chaos phase.
  for (int step = 0; step < params.chaos_steps && c.violations().empty(); ++step) {
    uint64_t roll = prng.Uniform(1000);
    if (roll < 40) {
      append_somewhere();
    } else if (roll < 44) {
      c.Crash(int32_t(prng.Range(1, c.size())));
      ++stats.crashes;
    } else if (roll < 46 && c.size() > 1) {
      int32_t a = int32_t(prng.Range(1, c.size()));
      c.node(a).isolated_until_ms = c.now() + prng.Range(100, 3000);
    } else if (roll < 48 && c.size() > 1) {
      int32_t a = int32_t(prng.Range(1, c.size()));
      int32_t b = int32_t(prng.Range(1, c.size()));
      if (a != b) c.Block(a, b);
    } else if (roll < 52) {
      c.HealAll();
      c.SetDropPermille(prng.Chance(1, 2) ? 0 : prng.Range(1, 150));
    }
    if (!c.Step()) c.RunFor(prng.Range(1, 50));  // idle (a lone leader): let time pass
    if (step % 200 == 0) c.CheckMajority();
  }
  c.CheckMajority();
  if (!c.violations().empty()) return c.violations();

  // Liveness: heal; a leader must emerge and a fresh record must commit on every node.
  c.HealAll();
  bool elected = c.RunUntil(
      [&] {
        int32_t l = c.Leader();
        return l > 0 && c.raft(l).HighWatermark() > c.raft(l).EpochStartOffset();
      },
      20000);
  if (!elected) {
    c.Violation("no leader committed within 20 s of healing\n" + c.Describe());
    return c.violations();
  }
  std::string marker = "marker-" + std::to_string(seed);
  int32_t appended_epoch = -1;
  auto marker_everywhere = [&] {
    for (int i = 1; i <= c.size(); ++i) {
      bool found = false;
      for (const RaftRecord& r : c.node(i).delivered) found = found || AsString(r.value).starts_with(marker);
      if (!found) return false;
    }
    return true;
  };
  bool done = c.RunUntil(
      [&] {
        if (marker_everywhere()) return true;
        int32_t l = c.Leader();
        if (l > 0 && c.raft(l).Epoch() != appended_epoch) {
          bool committed = false;
          for (const auto& [o, r] : c.committed()) committed = committed || AsString(r.value).starts_with(marker);
          if (!committed) {
            // A retry under a new leader gets a fresh value: the earlier one may commit too.
            (void)c.AppendOnLeader(l, marker + "-" + std::to_string(c.raft(l).Epoch()));
            appended_epoch = c.raft(l).Epoch();
          }
        }
        return false;
      },
      20000);
  if (!done) c.Violation("marker not committed everywhere within 20 s\n" + c.Describe());
  c.CheckMajority();
  stats.steps += c.steps();
  stats.committed += c.committed().size();
  for (int i = 1; i <= c.size(); ++i) stats.max_epoch = std::max<int64_t>(stats.max_epoch, c.raft(i).Epoch());
  return c.violations();
}

void Sweep(const SweepParams& params) {
  InstallAbortHandler();
  int failures = 0;
  SweepStats stats;
  int first = 1;
  int last = params.seeds;
  if (const char* only = std::getenv("SAMSA_RAFT_SEED")) first = last = std::atoi(only);
  for (int s = first; s <= last; ++s) {
    std::vector<std::string> v = RunSeed(uint64_t(s), params, stats);
    if (!v.empty()) {
      ++failures;
      ADD_FAILURE() << "nodes=" << params.nodes << " voters=" << params.voters << " sweep seed " << s << ": "
                    << v.front();
      if (failures >= 5) break;
    }
  }
  std::printf("raft sweep nodes=%d voters=%d: %d seeds, %llu steps, %llu committed records, %llu crashes, max epoch %lld\n",
              params.nodes, params.voters, params.seeds, static_cast<unsigned long long>(stats.steps),
              static_cast<unsigned long long>(stats.committed), static_cast<unsigned long long>(stats.crashes),
              static_cast<long long>(stats.max_epoch));
}

TEST(RaftSweepTest, SingleVoter) { Sweep({1, 1, 50, 2000}); }
TEST(RaftSweepTest, ThreeVoters) { Sweep({3, 3, 300, 5000}); }
TEST(RaftSweepTest, FiveVoters) { Sweep({5, 5, 300, 5000}); }
TEST(RaftSweepTest, ThreeVotersTwoObservers) { Sweep({5, 3, 100, 4000}); }

}  // namespace
}  // namespace samsa::raft_test
