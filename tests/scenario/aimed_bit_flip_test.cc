// Aimed bit flips (`bit-flip` with `file:` and `partition:`): on a real simulated cluster, an
// aimed flip lands only in a file of that kind (and that partition), and is recorded as skipped
// when the node has none; unaimed flips behave as before.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/scenario_runner.h"
#include "sim/sim_disk.h"
#include "tests/scenario/hooked_factory.h"

namespace samsa::sim {
namespace {

TEST(AimedBitFlip, ScriptedFlipsLandInTheirKindOrAreRecordedAsSkipped) {
  auto s = ParseScenario(R"(name: t
cluster: { brokers: 3, controller_only: [101, 102, 103], config: { log.flush.interval.messages: 1 } }
topics: [{ name: t, partitions: 2, replication.factor: 3 }]
workload:
  producers: [{ topic: t, rate_per_s: 100, keys: 4 }]
faults:
  - { at: 3s, bit-flip: 101, file: metadata-log }
  - { at: 3s, bit-flip: 102, file: checkpoint }
  - { at: 3s, bit-flip: 103, file: partition-log }
  - { at: 3s, bit-flip: 103, file: index, partition: t-1 }
run_for: 4s
tolerate: [duplicate]
)", "t.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  HookedFactory f([](Simulation&) {});
  RunOptions o;
  o.keep_trace = true;
  RunResult r = RunScenario(*s, 1, f, o);
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::string& t = r.trace_text;
  EXPECT_NE(t.find("101 fault bit-flip metadata-log: data/__cluster_metadata-0/00000000000000000000.log@"),
            std::string::npos) << t.substr(0, 2000);
  // 102's checkpoint: one of its checkpoint files (metadata log's or the quorum state).
  size_t at = t.find("102 fault bit-flip checkpoint: data/");
  ASSERT_NE(at, std::string::npos);
  std::string line = t.substr(at, t.find('\n', at) - at);
  std::string path = line.substr(line.find("data/"), line.find('@') - line.find("data/"));
  EXPECT_TRUE(IsFileOfKind(path, FileKind::kCheckpoint)) << line;
  // A controller-only node holds no topic partition: skipped, in the trace and the timeline.
  EXPECT_NE(t.find("103 fault bit-flip partition-log: skipped on broker-103: no partition-log file"),
            std::string::npos);
  EXPECT_NE(t.find("103 fault bit-flip index of t-1: skipped on broker-103: no index of t-1 file"),
            std::string::npos);
  bool timeline_skip = false;
  for (const auto& e : r.timeline.entries)
    if (e.kind == "fault" && e.text.find("skipped on broker-103") != std::string::npos) timeline_skip = true;
  EXPECT_TRUE(timeline_skip);
}

}  // namespace
}  // namespace samsa::sim
