// Scenario parsing: every shipped scenario parses; bad files give FILE:LINE:COL and the reason;
// durations and targets; random mutations never crash the parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "net/os/file_util.h"
#include "sim/scenario.h"

namespace samsa::sim {
namespace {

std::string Read(const std::string& path) {
  auto text = os::ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << path;
  return text.ok() ? *text : std::string();
}

const char* kValid = R"(name: valid
description: a small valid scenario
seed: 9
cluster:
  brokers: 3
  controllers: [1, 2, 3]
  config: { min.insync.replicas: 2, unclean.leader.election.enable: false, replica.lag.time.max.ms: 10s }
network:
  latency: 1ms..3ms
topics:
  - { name: orders, partitions: 3, replication.factor: 3, config: { retention.ms: 1h } }
workload:
  producers: [{ topic: orders, rate_per_s: 500, keys: 20, acks: all, linger.ms: 5, count: 2 }]
  consumers: [{ topic: orders, partitions: [0, 1], from: earliest }]
faults:
  - { at: 10s, crash: leader-of orders-0, for: 5s, caption: "The leader dies." }
  - { at: 20s, partition: majority-ring, for: 2s }
  - { at: 25s, clock-skew: broker-2, amount: -2s }
nemesis: { kinds: [crash, pause], every: 5s, until: 50s }
captions:
  - { at: 1s, text: hello }
run_for: 60s
settle: 10s
expect:
  - no_violations
  - new_leader_within: { partition: orders-0, after: 10s, within: 5s }
  - violation: lost-write
)";

TEST(ScenarioParse, EveryShippedScenarioParses) {
  std::string dir = std::string(SAMSA_SOURCE_DIR) + "/scenarios";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 10u);
  for (const auto& f : files) {
    auto s = ParseScenario(Read(f), f);
    EXPECT_TRUE(s.ok()) << s.status().message();
    if (!s.ok()) continue;
    EXPECT_FALSE(s->name.empty()) << f;
    EXPECT_FALSE(s->expectations.empty()) << f;
    EXPECT_EQ(s->name, std::filesystem::path(f).stem().string()) << "name should match the file name";
  }
}

TEST(ScenarioParse, ValidFileFields) {
  auto s = ParseScenario(kValid, "valid.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->name, "valid");
  EXPECT_EQ(s->seed, 9u);
  EXPECT_EQ(s->cluster.brokers, 3);
  EXPECT_EQ(s->cluster.controllers, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(s->cluster.config.at("replica.lag.time.max.ms"), "10000");
  EXPECT_EQ(s->cluster.config.at("unclean.leader.election.enable"), "false");
  EXPECT_EQ(s->latency_min_ns, 1'000'000);
  EXPECT_EQ(s->latency_max_ns, 3'000'000);
  ASSERT_EQ(s->topics.size(), 1u);
  EXPECT_EQ(s->topics[0].config.at("retention.ms"), "3600000");
  ASSERT_EQ(s->producers.size(), 1u);
  EXPECT_EQ(s->producers[0].acks, -1);
  EXPECT_EQ(s->producers[0].keys, 20);
  EXPECT_EQ(s->producers[0].count, 2);
  ASSERT_EQ(s->consumers.size(), 1u);
  EXPECT_EQ(s->consumers[0].partitions, (std::vector<int32_t>{0, 1}));
  ASSERT_EQ(s->faults.size(), 3u);
  EXPECT_EQ(s->faults[0].type, FaultType::kCrash);
  EXPECT_EQ(s->faults[0].target.kind, FaultTarget::Kind::kLeaderOf);
  EXPECT_EQ(s->faults[0].target.partition.ToString(), "orders-0");
  EXPECT_EQ(s->faults[0].for_ns, 5'000'000'000);
  EXPECT_EQ(s->faults[0].caption, "The leader dies.");
  EXPECT_EQ(s->faults[0].mark.line, 16);
  EXPECT_EQ(s->faults[2].amount, -2'000'000'000);
  ASSERT_TRUE(s->nemesis.has_value());
  EXPECT_EQ(s->nemesis->until_ns, 50'000'000'000);
  EXPECT_EQ(s->run_for_ns, 60'000'000'000);
  EXPECT_EQ(s->settle_ns, 10'000'000'000);
  ASSERT_EQ(s->expectations.size(), 3u);
  EXPECT_EQ(s->expectations[1].name, "new_leader_within orders-0 after=10s within=5s");
  EXPECT_EQ(s->expectations[2].violation_kind, "lost-write");
  EXPECT_EQ(s->Config("retention.ms", "orders"), "3600000");
  EXPECT_EQ(s->Config("min.insync.replicas", "orders"), "2");
}

TEST(ScenarioParse, ConnectionSetupTimeoutsAndMaxStall) {
  auto s = ParseScenario(R"(name: t
run_for: 60s
topics: [{ name: orders }]
workload:
  producers:
    - { topic: orders }
    - { topic: orders, socket.connection.setup.timeout.ms: 2s, socket.connection.setup.timeout.max.ms: 8000 }
  consumers: [{ topic: orders, socket.connection.setup.timeout.ms: 500ms }]
expect:
  - producers_make_progress: { after: 5s, max_stall: 12s }
)", "ok.yaml");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->producers.size(), 2u);
  EXPECT_EQ(s->producers[0].setup_timeout_ms, 10000);  // Kafka's defaults
  EXPECT_EQ(s->producers[0].setup_timeout_max_ms, 30000);
  EXPECT_EQ(s->producers[1].setup_timeout_ms, 2000);
  EXPECT_EQ(s->producers[1].setup_timeout_max_ms, 8000);
  ASSERT_EQ(s->consumers.size(), 1u);
  EXPECT_EQ(s->consumers[0].setup_timeout_ms, 500);
  EXPECT_EQ(s->consumers[0].setup_timeout_max_ms, 30000);
  ASSERT_EQ(s->expectations.size(), 1u);
  EXPECT_EQ(s->expectations[0].max_stall_ns, 12'000'000'000);
  EXPECT_EQ(s->expectations[0].name, "producers_make_progress after=5s max_stall=12s");
}

TEST(ScenarioParse, Durations) {
  EXPECT_EQ(*ParseDurationNs("250ms"), 250'000'000);
  EXPECT_EQ(*ParseDurationNs("10s"), 10'000'000'000);
  EXPECT_EQ(*ParseDurationNs("2m"), 120'000'000'000);
  EXPECT_EQ(*ParseDurationNs("1h"), 3'600'000'000'000);
  EXPECT_EQ(*ParseDurationNs("500us"), 500'000);
  EXPECT_EQ(*ParseDurationNs("1500"), 1'500'000'000);  // integers are ms
  EXPECT_EQ(*ParseDurationNs("0"), 0);
  EXPECT_EQ(*ParseDurationNs("-2s", true), -2'000'000'000);
  EXPECT_FALSE(ParseDurationNs("-2s").ok());
  EXPECT_FALSE(ParseDurationNs("1.5s").ok());
  EXPECT_FALSE(ParseDurationNs("10x").ok());
  EXPECT_FALSE(ParseDurationNs("s").ok());
  EXPECT_FALSE(ParseDurationNs("").ok());
  EXPECT_FALSE(ParseDurationNs("99999999999999h").ok());
  EXPECT_EQ(FormatDuration(250'000'000), "250ms");
  EXPECT_EQ(FormatDuration(10'000'000'000), "10s");
  EXPECT_EQ(FormatDuration(120'000'000'000), "2m");
  EXPECT_EQ(FormatDuration(-2'000'000'000), "-2s");
}

TEST(ScenarioParse, Targets) {
  using K = FaultTarget::Kind;
  EXPECT_EQ(ParseTarget("1")->kind, K::kNode);
  EXPECT_EQ(ParseTarget("1")->node_id, 1);
  EXPECT_EQ(ParseTarget("broker-2")->node_id, 2);
  auto l = ParseTarget("leader-of orders-12");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->kind, K::kLeaderOf);
  EXPECT_EQ(l->partition.topic, "orders");
  EXPECT_EQ(l->partition.partition, 12);
  EXPECT_EQ(ParseTarget("leader-of my-topic-3")->partition.topic, "my-topic");
  EXPECT_EQ(ParseTarget("controller")->kind, K::kController);
  EXPECT_EQ(ParseTarget("leaders")->kind, K::kLeaders);
  EXPECT_EQ(ParseTarget("all")->kind, K::kAll);
  EXPECT_EQ(ParseTarget("minority")->kind, K::kMinority);
  EXPECT_EQ(ParseTarget("majority")->kind, K::kMajority);
  EXPECT_EQ(ParseTarget("majority-ring")->kind, K::kMajorityRing);
  EXPECT_EQ(ParseTarget("bridge")->kind, K::kBridge);
  EXPECT_EQ(ParseTarget("random")->kind, K::kRandom);
  Result<FaultTarget> group = ParseTarget("broker-3, 1,broker-3");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->kind, K::kNodes);
  EXPECT_EQ(group->node_ids, (std::vector<int32_t>{1, 3}));
  EXPECT_EQ(group->ToString(), "broker-1,broker-3");
  EXPECT_FALSE(ParseTarget("broker-1,leaders").ok());
  EXPECT_EQ(ParseTarget("leader-of orders-0")->ToString(), "leader-of orders-0");
  for (const char* bad : {"", "broker-", "broker-x", "leader-of", "leader-of orders", "leader-of -1", "0", "everyone", "1001"})
    EXPECT_FALSE(ParseTarget(bad).ok()) << bad;
}

struct BadCase {
  const char* what;
  std::string yaml;
  std::string expected;  // substring: "bad.yaml:LINE:COL: path: reason..."
};

TEST(ScenarioParse, BadFilesNameLineAndReason) {
  const std::string head = "name: t\nrun_for: 60s\n";  // lines 1-2
  const std::string cluster = "cluster: { brokers: 3 }\ntopics: [{ name: orders, partitions: 2, replication.factor: 3 }]\n";
  std::vector<BadCase> cases = {
      {"unknown top-level key", head + "colour: red\n", "bad.yaml:3:1: colour: unknown key 'colour'"},
      {"misspelt key suggests", head + "setle: 5s\n", "bad.yaml:3:1: setle: unknown key 'setle' (did you mean 'settle'?)"},
      {"bad duration", "name: t\nrun_for: 10x\n", "bad.yaml:2:10: run_for: bad duration '10x'"},
      {"missing run_for", "name: t\n", "bad.yaml:1:1: run_for: missing key 'run_for'"},
      {"wrong type", head + "cluster:\n  brokers: three\n", "bad.yaml:4:12: cluster.brokers: expected an integer, got 'three'"},
      {"unknown kafka config", head + "cluster:\n  config: { min.insync.replica: 2 }\n",
       "bad.yaml:4:13: cluster.config.min.insync.replica: unknown broker property 'min.insync.replica' (did you mean 'min.insync.replicas'?)"},
      {"bool config", head + "cluster:\n  config: { unclean.leader.election.enable: yes }\n",
       "bad.yaml:4:45: cluster.config.unclean.leader.election.enable: expected true or false, got 'yes'"},
      {"rf above brokers", head + "cluster: { brokers: 2 }\ntopics:\n  - { name: a, replication.factor: 3 }\n",
       "bad.yaml:5:36: topics[0].replication.factor: replication factor 3 is above the 2 broker(s)"},
      {"undeclared topic in workload", head + cluster + "workload:\n  producers: [{ topic: payments }]\n",
       "bad.yaml:6:24: workload.producers[0].topic: topic 'payments' is not declared under topics"},
      {"undeclared partition", head + cluster + "faults:\n  - { at: 1s, crash: leader-of orders-2 }\n",
       "bad.yaml:6:22: faults[0].crash: topic 'orders' has 2 partition(s): orders-2 does not exist"},
      {"unknown target", head + cluster + "faults:\n  - { at: 1s, crash: everyone }\n",
       "bad.yaml:6:22: faults[0].crash: unknown target 'everyone'"},
      {"node out of cluster", head + cluster + "faults:\n  - { at: 1s, pause: broker-4 }\n",
       "bad.yaml:6:22: faults[0].pause: node 4 does not exist"},
      {"time beyond run_for", head + cluster + "faults:\n  - { at: 61s, crash: 1 }\n",
       "bad.yaml:6:11: faults[0].at: 61s is after the end of the run (run_for = 1m)"},
      {"revert beyond end", head + cluster + "faults:\n  - { at: 50s, crash: 1, for: 20s }\n",
       "bad.yaml:6:31: faults[0].for (the revert): 70s is after the end of the run"},
      {"two faults in one entry", head + cluster + "faults:\n  - { at: 1s, crash: 1, pause: 2 }\n",
       "bad.yaml:6:25: faults[0].pause: one fault per entry"},
      {"restart dynamic target", head + cluster + "faults:\n  - { at: 1s, restart: controller }\n",
       "bad.yaml:6:24: faults[0].restart: restart needs a fixed target"},
      {"shape for crash", head + cluster + "faults:\n  - { at: 1s, crash: bridge }\n",
       "bad.yaml:6:22: faults[0].crash: 'bridge' is a partition shape"},
      {"unknown expectation", head + "expect:\n  - no_violation\n",
       "bad.yaml:4:5: expect[0]: unknown expectation 'no_violation' (did you mean 'no_violations'?)"},
      {"expectation missing key", head + cluster + "expect:\n  - new_leader_within: { partition: orders-0, within: 5s }\n",
       "bad.yaml:6:24: expect[0].new_leader_within: missing key 'after'"},
      {"unknown violation kind", head + "expect:\n  - violation: { kind: lost-writes }\n",
       "bad.yaml:4:24: expect[0].violation.kind: unknown violation kind 'lost-writes' (did you mean 'lost-write'?)"},
      {"bad acks", head + cluster + "workload:\n  producers: [{ topic: orders, acks: 2 }]\n",
       "bad.yaml:6:38: workload.producers[0].acks: expected 0, 1 or all"},
      {"bad latency", head + "network: { latency: 3ms..1ms }\n", "bad.yaml:3:21: network.latency: range 3ms..1ms goes backwards"},
      {"yaml syntax", "name: t\nrun_for: [1\n", "bad.yaml:3:1: (yaml): end of sequence flow not found"},
      {"not a map", "- a\n- b\n", "bad.yaml:1:1: (top level): expected a map"},
      {"empty file", "", "bad.yaml:1:1: (top level): the file is empty"},
      {"duplicate topic", head + "topics: [{ name: a }, { name: a }]\n", "bad.yaml:3:31: topics[1].name: topic 'a' declared twice"},
      {"bad nemesis kind", head + "nemesis: { kinds: [crash, explode] }\n", "bad.yaml:3:27: nemesis.kinds[1]: unknown fault kind 'explode'"},
      {"toy with workload", "name: t\nrun_for: 1s\ncluster: { kind: toy }\ntopics: [{ name: a }]\nworkload:\n  producers: [{ topic: a }]\n",
       "bad.yaml:6:3: workload: a toy cluster runs ping nodes only"},
      {"controller id", head + "cluster: { brokers: 3, controllers: [1, 5] }\n", "cluster.controllers: node 5 does not exist"},
      {"idempotence not simulated", head + cluster + "workload:\n  producers: [{ topic: orders, enable.idempotence: true }]\n",
       "bad.yaml:6:52: workload.producers[0].enable.idempotence: 'true' is not supported by samsa yet: idempotent producers are not simulated yet"},
      {"groups not simulated", head + cluster + "workload:\n  consumers: [{ topic: orders, group: billing }]\n",
       "bad.yaml:6:39: workload.consumers[0].group: consumer groups are not simulated yet"},
      {"bad compression", head + cluster + "workload:\n  producers: [{ topic: orders, compression.type: brotli }]\n",
       "workload.producers[0].compression.type: 'brotli' is not one of: none, gzip, snappy, lz4, zstd"},
      {"setup timeout max below timeout", head + cluster +
           "workload:\n  producers: [{ topic: orders, socket.connection.setup.timeout.ms: 20s,"
           " socket.connection.setup.timeout.max.ms: 5s }]\n",
       "bad.yaml:6:113: workload.producers[0].socket.connection.setup.timeout.max.ms: "
       "socket.connection.setup.timeout.max.ms (5s) is below socket.connection.setup.timeout.ms (20s)"},
      {"setup timeout zero", head + cluster + "workload:\n  consumers: [{ topic: orders, socket.connection.setup.timeout.ms: 0 }]\n",
       "bad.yaml:6:68: workload.consumers[0].socket.connection.setup.timeout.ms: must be at least 1ms"},
      {"setup timeout bad duration", head + cluster + "workload:\n  consumers: [{ topic: orders, socket.connection.setup.timeout.max.ms: soon }]\n",
       "workload.consumers[0].socket.connection.setup.timeout.max.ms: bad duration 'soon'"},
      {"bad flip file kind", head + cluster + "faults:\n  - { at: 1s, bit-flip: 1, file: segment }\n",
       "bad.yaml:6:34: faults[0].file: unknown file kind 'segment'; expected one of: any, partition-log, index, "
       "checkpoint, metadata-log"},
      {"file on another fault", head + cluster + "faults:\n  - { at: 1s, crash: 1, file: index }\n",
       "bad.yaml:6:25: faults[0].file: only bit-flip takes file (it aims the flip); crash does not"},
      {"flip partition undeclared", head + cluster + "faults:\n  - { at: 1s, bit-flip: 1, partition: orders-7 }\n",
       "bad.yaml:6:39: faults[0].partition: topic 'orders' has 2 partition(s): orders-7 does not exist"},
      {"flip partition bad", head + cluster + "faults:\n  - { at: 1s, bit-flip: 1, partition: orders }\n",
       "bad.yaml:6:39: faults[0].partition: expected a partition as topic-N"},
      {"metadata-log with partition", head + cluster +
           "faults:\n  - { at: 1s, bit-flip: 1, file: metadata-log, partition: orders-0 }\n",
       "bad.yaml:6:59: faults[0].partition: metadata-log files are not in a topic partition's directory"},
      {"bad corruption policy", head + "nemesis: { kinds: [bit-flip], corruption: majority }\n",
       "bad.yaml:3:43: nemesis.corruption: unknown corruption policy 'majority'; expected minority"},
      {"max_stall not positive", head + "expect:\n  - producers_make_progress: { max_stall: 0s }\n",
       "bad.yaml:4:43: expect[0].producers_make_progress.max_stall: must be positive"},
      // Each value within its range, but 60 s of a million 1 MiB records a second is 57 TiB: the
      // simulator would run out of memory (it did: killed by the kernel at 24 GiB).
      {"values too large in all", head + cluster +
           "workload:\n  producers: [{ topic: orders, rate_per_s: 1000000, value_bytes: 1048576 }]\n",
       "bad.yaml:6:3: workload.producers: the producers may generate 60000000 MiB of record values"},
      // Zero latency with replica.fetch.wait.max.ms: 0 looped at one simulated instant for good.
      {"no network latency", head + "network: { latency: 0ms..2ms }\n",
       "bad.yaml:3:21: network.latency: latency below 100us is not a network"},
      {"a set-rate makes it too much", head + cluster +
           "workload:\n  producers: [{ topic: orders, rate_per_s: 10, value_bytes: 1000, count: 2 }]\n"
           "faults:\n  - { at: 1s, set-rate: 1002, rate: 100000 }\n",
       "so at most 1024 MiB"},
  };
  for (const auto& c : cases) {
    auto s = ParseScenario(c.yaml, "bad.yaml");
    ASSERT_FALSE(s.ok()) << c.what;
    EXPECT_NE(s.status().message().find(c.expected), std::string::npos)
        << c.what << "\n  expected: " << c.expected << "\n  got:      " << s.status().message();
  }
}

TEST(ScenarioParse, ReportsEveryErrorNotJustTheFirst) {
  std::string yaml =
      "name: t\nrun_for: 60s\ncolour: red\ncluster: { brokers: nine }\nfaults:\n  - { at: 1h, crash: nobody }\n";
  auto s = ParseScenario(yaml, "multi.yaml");
  ASSERT_FALSE(s.ok());
  const std::string& m = s.status().message();
  EXPECT_NE(m.find("multi.yaml:3:1: colour"), std::string::npos) << m;
  EXPECT_NE(m.find("multi.yaml:4:21: cluster.brokers"), std::string::npos) << m;
  EXPECT_NE(m.find("multi.yaml:6:11: faults[0].at"), std::string::npos) << m;
  EXPECT_NE(m.find("multi.yaml:6:22: faults[0].crash"), std::string::npos) << m;
  EXPECT_EQ(std::count(m.begin(), m.end(), '\n'), 3) << m;  // four lines, in file order
}

// Random byte and line mutations of a valid file never crash the parser (and never throw).
TEST(ScenarioParse, MutationFuzzNeverCrashes) {
  const std::string base = kValid;
  const std::string alphabet = " :-[]{},#&*!|>'\"\n\t0123456789abcxyz.%@`?";
  Prng prng(12345);
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = base;
    int edits = 1 + int(prng.Uniform(8));
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = prng.Uniform(s.size());
      switch (prng.Uniform(5)) {
        case 0: s[pos] = alphabet[prng.Uniform(alphabet.size())]; break;
        case 1: s.erase(pos, 1 + prng.Uniform(10)); break;
        case 2: s.insert(pos, 1, alphabet[prng.Uniform(alphabet.size())]); break;
        case 3: s.insert(pos, s.substr(prng.Uniform(s.size()), prng.Uniform(40))); break;
        case 4: s[pos] = char(prng.Uniform(256)); break;
      }
    }
    auto r = ParseScenario(s, "fuzz.yaml");
    if (r.ok()) ++ok;
    else EXPECT_EQ(r.status().message().rfind("fuzz.yaml:", 0), 0u) << r.status().message();
  }
  EXPECT_GT(ok, 0);  // some mutations stay valid
}

// disk: { writeback }: a duration (default 5s), off or 0; anything else is an error at its place.
TEST(ScenarioParse, DiskWriteback) {
  const std::string head = "name: t\nrun_for: 60s\n";
  struct Good {
    std::string yaml;
    int64_t ns;
  };
  for (const Good& g : std::vector<Good>{{"", 5'000'000'000},
                                         {"disk: { writeback: 1s }\n", 1'000'000'000},
                                         {"disk:\n  writeback: 250ms\n", 250'000'000},
                                         {"disk: { writeback: 1500 }\n", 1'500'000'000},
                                         {"disk: { writeback: 2m }\n", 120'000'000'000},
                                         {"disk: { writeback: off }\n", 0},
                                         {"disk: { writeback: 0 }\n", 0},
                                         {"disk: {}\n", 5'000'000'000}}) {
    auto s = ParseScenario(head + g.yaml, "disk.yaml");
    ASSERT_TRUE(s.ok()) << g.yaml << s.status().message();
    EXPECT_EQ(s->disk_writeback_ns, g.ns) << g.yaml;
  }
  struct Bad {
    std::string yaml;
    std::string expected;
  };
  for (const Bad& b : std::vector<Bad>{
           {"disk: { writeback: soon }\n", "disk.yaml:3:20: disk.writeback: bad duration 'soon'"},
           {"disk: { writeback: -1s }\n", "disk.yaml:3:20: disk.writeback:"},
           {"disk: { writeback: 1.5s }\n", "disk.yaml:3:20: disk.writeback:"},
           {"disk: { writeback: 500us }\n", "disk.yaml:3:20: disk.writeback: must be 0 (off) or at least 1ms"},
           {"disk: { writeback: [1s] }\n", "disk.yaml:3:20: disk.writeback: expected a duration such as 5s, or off"},
           {"disk: { writeback: on }\n", "disk.yaml:3:20: disk.writeback: bad duration 'on'"},
           {"disk: { flush: 1s }\n", "disk.yaml:3:9: disk.flush: unknown key"},
           {"disk: 5s\n", "disk.yaml:3:7: disk: expected a map"},
       }) {
    auto s = ParseScenario(head + b.yaml, "disk.yaml");
    ASSERT_FALSE(s.ok()) << b.yaml;
    EXPECT_NE(s.status().message().find(b.expected), std::string::npos)
        << b.yaml << "  expected: " << b.expected << "\n  got:      " << s.status().message();
  }
}

}  // namespace
}  // namespace samsa::sim
