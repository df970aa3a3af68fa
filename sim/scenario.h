#pragma once
// Scenario: the model of one scenario file (scenarios/*.yaml; scenarios/README.md is the
// authority on the format) and its strict parser.
//
// Times are stored as virtual nanoseconds from the start of the run (the YAML says "250ms",
// "10s", "2m", or a bare integer meaning milliseconds). A run lasts run_for_ns, then, when
// settle_ns > 0, everything is healed and the cluster runs fault-free for settle_ns more.
//
// Node ids: brokers are 1..brokers; dedicated controllers (controller_only) carry the ids listed
// (all below kFirstClientId); simulated clients get ids from kFirstClientId up: producers first
// (expanding `count`), then consumers, in file order.
//
// ParseScenario never throws and never crashes: every problem found (YAML syntax, unknown keys,
// wrong types, bad durations, unknown targets, undeclared topics, times beyond run_for,
// replication factor above the broker count...) becomes one line
//   FILE:LINE:COL: field.path: reason
// in the returned Status message (lines joined by '\n'); all errors are reported, not the first.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/record/batch_header.h"
#include "sim/nemesis.h"
#include "sim/sim_disk.h"
#include "sim/targets.h"

namespace samsa::sim {

inline constexpr int32_t kFirstClientId = 1001;
// The least one-way network latency a scenario may set: 100us.
inline constexpr int64_t kMinNetworkLatencyNs = 100'000;
// The most bytes of record values a run may generate (Scenario::ValueBytesBound): 1 GiB.
inline constexpr int64_t kMaxValueBytes = int64_t{1} << 30;

// Where a value came from in the file (1-based; 0 = unknown).
struct SourceMark {
  int32_t line = 0;
  int32_t column = 0;
};

// A partition reference "topic-N".
struct PartitionRef {
  std::string topic;
  int32_t partition = 0;
  std::string ToString() const;  // "orders-0"
  friend auto operator<=>(const PartitionRef&, const PartitionRef&) = default;
};

// Who a fault hits. Node-set targets resolve to nodes at fault time (so "leader-of orders-0" is
// whoever leads orders-0 when the fault fires); shape targets (majority-ring, bridge) only make
// sense for partitions.
struct FaultTarget {
  enum class Kind : uint8_t {
    kNode,          // 1, "1", "broker-1"
    kLeaderOf,      // "leader-of orders-0"
    kFollowersOf,   // "followers-of orders-0": its replicas other than the leader
    kLeaders,       // "leaders": every partition leader
    kController,    // "controller": the active controller
    kAll,           // "all"
    kMinority,      // "minority": a random floor((n-1)/2) brokers
    kMajority,      // "majority"
    kMajorityRing,  // "majority-ring" (partition only)
    kBridge,        // "bridge" (partition only)
    kRandom,        // "random": one broker drawn from the run's seed
    kNodes,         // "broker-1,broker-2" (or "1,2"): these nodes, as a group (a partition cuts
                    // the group from the other brokers)
    // Added later (kept after the others so that existing values do not move):
    kIsrOf,         // "isr-of orders-0": the partition's current ISR, as a group
    kFollowerOf,    // "follower-of orders-0": ONE follower, drawn from the fault's Prng (seed)
    kClient,        // "producer-1001", "consumer-1002": that simulated client node (crash, pause,
                    // restart, resume only); `client_role` says which word was written
  };
  Kind kind = Kind::kAll;
  int32_t node_id = -1;     // kNode, kClient
  std::vector<int32_t> node_ids;  // kNodes (sorted, no duplicates)
  PartitionRef partition;   // kLeaderOf, kFollowersOf, kIsrOf, kFollowerOf
  std::string client_role;  // kClient: "producer" or "consumer"
  std::string ToString() const;  // as it would be written in the file
};

// Parses a target string (without context checks: node ids and topics are checked by the
// scenario parser). Error message = the reason.
Result<FaultTarget> ParseTarget(std::string_view text);
// "250ms", "10s", "2m", "1h", "500us", "-2s" (when allow_negative) -> nanoseconds.
Result<int64_t> ParseDurationNs(std::string_view text, bool allow_negative = false);
// "1.5s"-free formatting: "250ms", "10s", "2m", "1500us".
std::string FormatDuration(int64_t ns);

enum class FaultType : uint8_t {
  kCrash, kRestart, kPause, kResume,
  kPartition,  // cut the target from the other BROKERS (clients still reach it: split brain)
  kHeal,       // heal every network fault (processes are not touched)
  kIsolate,    // cut the target from every other node, clients included
  kClog,       // the target's outgoing links hold traffic for `for` (default 1s)
  kLatency,    // extra latency `amount` (default 50ms) on the target's links, jitter amount/2
  kSlowDisk,   // syncs `amount` times slower (default 10)
  kDiskFull,   // the disk refuses to grow
  kBitFlip,    // flip one durable bit of one file
  kClockSkew,  // step the local clock by `amount` (default 1s; may be negative)
  // Workload changes (not faults, but entries of the same schedule):
  kSetRate,         // producer `target` (a client id) generates `amount` records/s from now on
  kAddConsumer,     // a new consumer (`consumer`) starts now; it gets the next free client id
  kRemoveConsumer,  // consumer `target` (a client id) stops reading now
  // Faults added later (kept after the others so that existing values do not move):
  kShutdown,  // ask the target brokers to shut down (controlled shutdown: the controller moves
              // their leaderships away, then they exit); with `for`, each starts again `for`
              // after the request, or as soon as it has exited if that takes longer
  kOneWay,    // the target's messages to the other brokers are dropped; it still hears them
  // Scripted forms of nemesis kinds (applied through ApplyFault, sim/nemesis.h):
  kReset,       // reset the connections between the target and the other brokers (instant)
  kClockDrift,  // the target's clock runs `amount` ppm fast (negative: slow) until `for` ends
  kDiskErrors,  // the target's disk fails each write and sync with probability 1/`amount`
};
std::string_view FaultTypeName(FaultType type);  // as written in the file: "slow-disk"


struct Caption {
  int64_t at_ns = 0;
  std::string text;
  bool pause = false;  // lesson mode: the GUI stops the run here until the teacher resumes it
                       // (runs without a GUI, samsa-sim's, go straight on)
};

struct NemesisSpec {
  std::vector<FaultKind> kinds;        // crash, pause, partition, clog, latency, ...
  std::vector<TargetKind> targets;     // empty = nemesis defaults
  int64_t start_ns = 1'000'000'000;    // first fault no earlier than this
  int64_t every_ns = 5'000'000'000;    // mean gap between faults
  int64_t until_ns = 0;                // no new fault after this (default run_for); healed then
  int64_t min_for_ns = 1'000'000'000;
  int64_t max_for_ns = 5'000'000'000;
  // corruption: minority: bit flips never reach more than a minority of any partition's replicas
  // (nor of the controller voters' metadata logs) over the run (CorruptionBudget); any: anywhere.
  bool corruption_minority = false;
};

struct ProducerSpec {
  std::string topic;
  int64_t rate_per_s = 100;
  std::optional<int64_t> keys;  // number of distinct keys; nullopt = null keys (sticky partitioner)
  int32_t acks = -1;            // 0, 1 or -1 (= "all")
  int64_t linger_ms = 5;
  int64_t batch_size = 16384;
  int32_t retries = 2147483647;
  int64_t retry_backoff_ms = 100;
  int64_t retry_backoff_max_ms = 1000;  // retry.backoff.max.ms
  int64_t request_timeout_ms = 30000;
  int64_t delivery_timeout_ms = 120000;
  int32_t max_in_flight = 5;        // max.in.flight.requests.per.connection
  int64_t setup_timeout_ms = 10000;      // socket.connection.setup.timeout.ms
  int64_t setup_timeout_max_ms = 30000;  // socket.connection.setup.timeout.max.ms
  // enable.idempotence: only false is accepted (idempotent producers are not simulated yet).
  CompressionCodec compression = CompressionCodec::kNone;  // compression.type
  int64_t value_bytes = 0;          // pad values to this size; 0: unpadded ("p<node>-<seq>")
  int32_t count = 1;                // identical producers
  int64_t start_ns = 0;             // the producer node honours start/stop itself
  int64_t stop_ns = -1;             // -1: until the end of the run (settle included)
  SourceMark mark;
};

struct ConsumerSpec {
  std::string topic;
  std::vector<int32_t> partitions;  // empty = all partitions of the topic
  // group: not accepted (consumer groups are not simulated yet): consumers are assigned partitions.
  std::string from = "earliest";    // "earliest", "latest", or a decimal offset
  int64_t setup_timeout_ms = 10000;      // socket.connection.setup.timeout.ms
  int64_t setup_timeout_max_ms = 30000;  // socket.connection.setup.timeout.max.ms
  int32_t count = 1;
  int64_t start_ns = 0;
  int64_t stop_ns = -1;
  SourceMark mark;
};

struct FaultStep {
  int64_t at_ns = 0;
  FaultType type = FaultType::kCrash;
  FaultTarget target;
  int64_t for_ns = 0;   // > 0: reverted automatically at at_ns + for_ns
  int64_t amount = 0;   // latency/clock-skew: ns; slow-disk: factor; clock-drift: ppm;
                        // disk-errors: 1/probability; 0 elsewhere
  std::string caption;  // shown when the fault fires (may be empty)
  // bit-flip only: aim at a kind of file, and optionally one partition's directory.
  FileKind flip_file = FileKind::kAny;
  std::optional<PartitionRef> flip_partition;
  // add-consumer only: the consumer (topic, partitions, from).
  std::optional<ConsumerSpec> consumer;
  // >= 0: applied right after the run's event number at_event (and at at_ns), not as an event
  // of its own at at_ns: how a session records what a user did between two events, so that a
  // saved session replays bit for bit (sim/session.h).
  int64_t at_event = -1;
  SourceMark mark;
};

struct TopicSpec {
  std::string name;
  int32_t partitions = 1;
  int32_t replication_factor = 1;
  std::map<std::string, std::string> config;  // topic-level Kafka configs (canonical strings)
};

struct ClusterSpec {
  std::string kind = "samsa";          // "samsa" (broker nodes) or "toy" (PingNode)
  int32_t brokers = 3;
  std::vector<int32_t> controllers;    // controller voters (broker ids or controller_only ids)
  std::vector<int32_t> controller_only;  // dedicated controller nodes (ids > brokers)
  std::map<std::string, std::string> config;  // broker-level Kafka configs (canonical strings)
};

enum class ExpectKind : uint8_t {
  kNoViolations,           // no violation (except kinds named by `violation:` expectations)
  kViolation,              // at least one violation of `violation_kind` (optionally on partition)
  kNewLeaderWithin,        // partition gets a leader other than its leader at `after` within `within`
  kLeaderWithin,           // partition has a leader within `within` of `after`
  kControllerWithin,       // a (possibly new) active controller within `within` of `after`
  kAllAckedReadable,       // every acknowledged record is readable at the end
  kIsrShrinks,             // partition's ISR shrinks within `within` of `after`
  kIsrExpands,             // partition's ISR grows within `within` of `after`
  kProducersMakeProgress,  // acknowledgements keep coming after `after` (default: the settle start);
                           // with max_stall, no gap between acknowledgements exceeds it
  kLagBelow,               // every consumer's lag is at most `messages` at `after`
};
std::string_view ExpectKindName(ExpectKind kind);  // as written: "new_leader_within"

struct Expectation {
  ExpectKind kind = ExpectKind::kNoViolations;
  std::string name;  // canonical text, e.g. "new_leader_within orders-0 after=10s within=5s"
  std::optional<PartitionRef> partition;
  int64_t after_ns = 0;
  int64_t within_ns = 0;
  std::string violation_kind;  // kViolation
  int64_t messages = 0;        // kLagBelow
  int64_t max_stall_ns = 0;    // kProducersMakeProgress: 0 = not checked
  SourceMark mark;
};

struct Scenario {
  std::string file_name;
  std::string name;
  std::string description;
  std::optional<uint64_t> seed;   // default seed; `--seed` overrides
  ClusterSpec cluster;
  int64_t latency_min_ns = 1'000'000;
  int64_t latency_max_ns = 3'000'000;
  // disk.writeback: the OS writes every node's dirty pages back this often (Linux's
  // dirty_writeback_centisecs = 5 s); 0 = off (only the broker's syncs make data durable).
  int64_t disk_writeback_ns = 5'000'000'000;
  std::vector<TopicSpec> topics;
  std::vector<ProducerSpec> producers;
  std::vector<ConsumerSpec> consumers;
  std::vector<FaultStep> faults;  // sorted by at_ns (stable: file order at equal times)
  std::optional<NemesisSpec> nemesis;
  std::vector<Caption> captions;  // standalone captions, sorted by at_ns
  int64_t run_for_ns = 60'000'000'000;
  int64_t settle_ns = 0;
  std::vector<Expectation> expectations;
  // Violation kinds reported but not failing the run (e.g. duplicate for at-least-once producers).
  std::vector<std::string> tolerated_kinds;

  // True when a violation of `kind` does not fail the run: the scenario tolerates the kind, or
  // one of its expectations asks for a violation of it (on any partition).
  bool AllowsViolation(std::string_view kind) const;
  // Broker and controller_only ids, sorted.
  std::vector<int32_t> ServerIds() const;
  // The most bytes of record values the producers may generate over the run: each producer
  // client's highest rate (its own, or a set-rate naming it) for its whole window, times its
  // value size. The simulator holds every record in memory (the checkers' history, each
  // replica's log), so a scenario may generate at most kMaxValueBytes.
  int64_t ValueBytesBound() const;
  const TopicSpec* FindTopic(std::string_view name) const;
  // Effective config value: topic config, then cluster config, then nullopt.
  std::optional<std::string> Config(std::string_view key, std::string_view topic = {}) const;
};

// Broker-level Kafka property names accepted in cluster.config, and topic-level ones in
// topics[].config (sorted; for the README and for "did you mean" messages).
const std::vector<std::string>& BrokerConfigNames();
const std::vector<std::string>& TopicConfigNames();
// Violation kinds a `violation:` expectation may name.
const std::vector<std::string>& KnownViolationKinds();

Result<Scenario> ParseScenario(std::string_view yaml_text, std::string_view file_name);

// One schedule entry (what a `faults` list holds: a fault or a workload change), as YAML, e.g.
// "{ crash: leader-of orders-0, for: 5s }", checked against `context` (its topics, nodes and
// clients); `at` may be left out (0). Errors as ParseScenario's, `where` naming the source.
Result<FaultStep> ParseScheduleEntry(std::string_view yaml_text, const Scenario& context, std::string_view where);

// One schedule entry as the format writes it: a YAML flow map such as
//   { at: 12003417293ns, at_event: 48211, crash: broker-2, for: 5s }
// which ParseScenario reads back into an equal FaultStep (mark aside).
std::string FaultStepToYaml(const FaultStep& step);
// The scenario text `original` with `seed` set and its recorded entries (those with at_event)
// replaced by `recorded`, appended to its faults (created if missing); re-emitted as YAML
// (comments are not kept). InvalidArgument when `original` is not YAML.
Result<std::string> ScenarioYamlWith(std::string_view original, uint64_t seed, const std::vector<FaultStep>& recorded);

}  // namespace samsa::sim
