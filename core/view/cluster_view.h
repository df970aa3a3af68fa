#pragma once
// ClusterView: a plain picture of a whole cluster at one instant, and ClusterEvent: one thing
// that happened in it, with its cause in data. Plain data, no behaviour, no Qt: the simulator
// assembles views (sim/session.h), reports and `samsa-sim --views/inspect` print them, and the GUI
// only draws them. The JSON encoding is sim/view_json.h.
//
// Who fills what:
//  - each broker describes itself (BrokerNode::Describe): its lifecycle, broker epoch, Raft
//    state, metadata offset, and per local partition replica its log start, log end, durable
//    offset and high watermark as it knows them; a leader adds each follower's last caught-up
//    time;
//  - each client describes itself (ProducerNode/ConsumerNode::Describe);
//  - the simulator adds what only it knows (process up/down/paused, links) and takes leaders,
//    epochs, replicas, ISR, ELR, fencing and controlled shutdown from the freshest committed
//    metadata among live brokers.
// Unknown numbers are -1 (an offline replica's offsets, a follower's caught-up time on a
// replica that is not the leader's view).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace samsa::view {

enum class ProcessState : uint8_t { kUp, kDown, kPaused };

struct BrokerView {
  int32_t id = -1;
  ProcessState process = ProcessState::kUp;
  bool is_broker = true;            // process.roles has broker
  bool is_voter = false;            // a controller voter (process.roles has controller)
  bool is_active_controller = false;
  bool registered = false;          // its registration is in the committed metadata
  bool fenced = true;               // as the committed metadata says
  bool in_controlled_shutdown = false;
  int64_t broker_epoch = -1;
  std::string lifecycle;            // "starting", "running" (controller-only), "registering",
                                    // "registered", "failed", "stopped"; "down"
  // Raft (the metadata quorum) as this node sees it; -1 / "" while down.
  int32_t raft_epoch = -1;
  std::string raft_role;            // "leader", "follower", "candidate", "voted", "unattached",
                                    // "resigned"; observers (non-voters) follow as "observer"
  int32_t raft_leader = -1;
  int64_t metadata_offset = -1;     // of the image it replayed
};

// One directed link (from -> to); links between clients are not listed.
struct LinkView {
  enum class State : uint8_t { kOk, kCut, kClogged, kSlowed };
  int32_t from = -1;
  int32_t to = -1;
  State state = State::kOk;
  int64_t clogged_until_ns = -1;    // kClogged
  int64_t extra_latency_ns = 0;     // kSlowed (and possibly alongside a clog)
};

struct ReplicaView {
  int32_t broker = -1;
  bool online = false;              // its broker is up and holds the partition's log
  bool in_isr = false;
  bool eligible = false;            // in the ELR (KIP-966)
  bool is_leader = false;
  int64_t log_start_offset = -1;
  int64_t log_end_offset = -1;
  int64_t durable_offset = -1;      // every offset below it is flushed to disk
  int64_t high_watermark = -1;      // as this replica knows it
  int64_t last_caught_up_ns = -1;   // as the leader last saw it (the leader: now); -1 unknown
};

struct PartitionView {
  std::string topic;
  int32_t partition = 0;
  int32_t leader = -1;              // -1: offline
  int32_t leader_epoch = -1;
  int32_t partition_epoch = -1;
  std::vector<int32_t> replicas;    // assignment order (the first is the preferred leader)
  std::vector<int32_t> isr;         // sorted
  std::vector<int32_t> elr;         // sorted
  std::vector<ReplicaView> replica_views;  // in `replicas` order
};

struct TopicView {
  std::string name;
  std::vector<PartitionView> partitions;  // by index
};

struct ConsumerPositionView {
  int32_t partition = 0;
  int64_t position = -1;            // next offset to read; -1 while unknown
  int64_t high_watermark = -1;      // the leader's, now; -1 while offline
  int64_t lag = -1;                 // high_watermark - position; -1 when either is unknown
};

struct ClientView {
  int32_t id = -1;
  std::string kind;                 // "producer", "consumer", "admin"
  std::string target;               // the topic
  bool up = true;
  bool stopped = false;             // stopped by its schedule (stop) or removed
  int64_t rate_per_s = 0;           // producers: the configured rate
  int64_t in_flight = 0;            // requests in flight
  uint64_t sent = 0;                // producers: records handed to the producer
  uint64_t acknowledged = 0;        // producers: records acknowledged; consumers: records read
  std::map<std::string, uint64_t> errors;  // by Kafka error name (or "timeout", "disconnected")
  std::vector<ConsumerPositionView> positions;  // consumers, by partition

  // The lag summed over the partitions whose lag is known; -1 when none is.
  int64_t TotalLag() const;
};

// Consumer groups: the type exists; it stays empty until groups land.
struct GroupView {
  std::string group_id;
  std::string state;
  int32_t generation = -1;
  std::vector<int32_t> members;
};

// What one broker node says of itself (BrokerNode::Describe), from state it keeps; the
// simulator merges these with the committed metadata into a ClusterView.
struct LocalReplica {
  std::string topic;
  int32_t partition = 0;
  bool is_leader = false;
  int32_t leader_epoch = -1;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  int64_t durable_offset = 0;
  int64_t high_watermark = 0;
  // The leader's record of each follower: (follower id, last caught-up time in the leader's
  // local ms clock, -1 never).
  std::vector<std::pair<int32_t, int64_t>> follower_caught_up_ms;
};
struct BrokerSelf {
  int32_t id = -1;
  std::string lifecycle;
  int64_t broker_epoch = -1;
  bool is_broker = true;
  bool is_voter = false;
  bool is_active_controller = false;
  int32_t raft_epoch = -1;
  std::string raft_role;
  int32_t raft_leader = -1;
  int64_t metadata_offset = -1;
  int64_t local_now_ms = 0;
  std::vector<LocalReplica> replicas;  // sorted by (topic, partition)
};

struct ClusterView {
  int64_t at_ns = 0;
  uint64_t event_index = 0;         // events run so far
  std::vector<BrokerView> brokers;  // by id
  std::vector<LinkView> links;      // by (from, to)
  std::vector<TopicView> topics;    // by name
  std::vector<ClientView> clients;  // by id
  std::vector<GroupView> groups;

  const PartitionView* FindPartition(const std::string& topic, int32_t partition) const;
  const BrokerView* FindBroker(int32_t id) const;
  // Whether any broker process is up or paused (not down).
  bool AnyBrokerRunning() const;
};

// What happened, with its cause.
enum class EventKind : uint8_t {
  kLeaderElected,     // partition, leader, previous_leader, epoch, cause, unclean, isr
  kIsrShrink,         // partition, replica, cause, isr
  kIsrExpand,         // partition, replica, cause (caught up), isr
  kBrokerRegistered,  // broker, epoch
  kBrokerFenced,      // broker, cause
  kBrokerUnfenced,    // broker
  kControllerChange,  // leader (the new active controller), previous_leader, epoch
  kFault,             // a fault injected: text, nodes
  kRevert,            // a fault reverted (or everything healed)
  kCaption,           // text
  kWorkload,          // a workload change (rate, consumer added or removed): text, nodes
  kExpectation,       // an expectation's verdict: text (name), passed, detail
  kViolation,         // a violation: text (kind), partition, detail
};

enum class EventCause : uint8_t {
  kNone,
  kCreated,            // the partition was created
  kLeaderFenced,       // the previous leader's broker was fenced (missed heartbeats, or down)
  kLeaderShutdown,     // the previous leader is in controlled shutdown
  kLeaderLeftIsr,      // the previous leader left the ISR (lost data, or was removed)
  kPreferred,          // preferred leader election: leadership back to the first replica
  kLeaderless,         // the partition had no leader; a replica became eligible again
  kReassigned,         // the replica set changed
  kLagged,             // a follower lagged longer than replica.lag.time.max.ms
  kCaughtUp,           // a follower caught up with the leader's log end
  kBrokerFenced,       // ISR shrank because the replica's broker was fenced
  kBrokerShutdown,     // ISR shrank because the replica's broker shut down
  kElection,           // ISR reset by an election (from the ELR, or unclean)
  kMissedHeartbeats,   // broker fenced: its session (broker.session.timeout.ms) expired
  kRegistration,       // broker fenced/unfenced by (re-)registration
};

struct ClusterEvent {
  int64_t at_ns = 0;
  uint64_t event_index = 0;
  EventKind kind = EventKind::kCaption;
  EventCause cause = EventCause::kNone;
  std::vector<int32_t> nodes;       // nodes involved (sorted)
  std::string topic;                // "" when no partition is involved
  int32_t partition = -1;
  int32_t leader = -1;              // the new leader / controller
  int32_t previous_leader = -1;
  int32_t epoch = -1;               // leader epoch, broker epoch or Raft epoch
  int32_t replica = -1;             // ISR changes, broker events
  bool unclean = false;             // leader elected from outside the ISR and ELR
  std::vector<int32_t> isr;         // the partition's ISR after the change (sorted): ISR and
                                    // leader events; empty elsewhere
  bool passed = false;              // kExpectation
  bool allowed = false;             // kViolation: the scenario tolerates or expects this kind,
                                    // so it does not fail the run (a teaching point, not a bug)
  std::string text;                 // what a reader sees first (caption, fault, expectation name)
  std::string detail;               // a sentence of explanation
};

// One record of a replica's log, as an inspector shows it.
struct LogRecordView {
  int64_t offset = 0;
  bool has_key = false;
  std::string key;
  bool has_value = false;
  std::string value;
  int64_t timestamp_ms = 0;
  int32_t batch_leader_epoch = -1;  // the partitionLeaderEpoch of its batch
};

// One broker's configuration and log segments, as an inspector shows them.
struct ConfigEntryView {
  std::string name;     // the Kafka property name
  std::string value;    // the effective value
  std::string source;   // "scenario" (cluster.config), "simulator" (set per node), "default"
};
struct SegmentView {
  std::string topic;
  int32_t partition = 0;
  int64_t base_offset = 0;
  uint64_t size_bytes = 0;
};
struct BrokerDetailsView {
  int32_t id = -1;
  std::vector<ConfigEntryView> config;   // by name
  std::vector<SegmentView> segments;     // by (topic, partition, base offset)
};

// What the clients' history says of one record (a producer's value): when it was sent and
// acknowledged, and which consumers read it when. Times are the clients' clocks (the simulated
// clock unless a clock-drift fault skews them); -1 when it did not happen (yet).
struct RecordHistoryView {
  int32_t producer = -1;
  int64_t sent_ns = -1;
  int64_t acked_ns = -1;
  int64_t acked_offset = -1;
  std::string ack_error;                            // a failed send's error
  std::vector<std::pair<int32_t, int64_t>> read_by;  // (consumer, when), first read of each
};

// A frame on the wire now (sent, not yet delivered).
struct FrameView {
  int32_t from = -1;
  int32_t to = -1;
  bool request = true;              // sent by the connection's initiator
  std::string api;                  // requests: the Kafka API name ("Produce"); responses: ""
  int32_t correlation_id = -1;
  uint64_t bytes = 0;
  int64_t deliver_at_ns = 0;
};

std::string_view EventKindName(EventKind kind);    // "leader-elected", "isr-shrink", ...
std::string_view EventCauseName(EventCause cause); // "leader-fenced", "lagged", ...
std::string_view ProcessStateName(ProcessState state);  // "up", "down", "paused"
std::string_view LinkStateName(LinkView::State state);  // "ok", "cut", "clogged", "slowed"

}  // namespace samsa::view
