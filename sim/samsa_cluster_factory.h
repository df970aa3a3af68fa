#pragma once
// SamsaClusterFactory: runs scenarios on real samsa BrokerNodes (core/broker/broker.h) with the
// simulated producer, consumer and admin clients (core/client/).
//
// Per run (the runner calls Broker() first for the lowest server id, which resets the state):
//  - every server node gets a server.properties built from the scenario: node.id,
//    process.roles (broker, controller, or both), controller.quorum.voters, advertised.listeners
//    ("broker-N:9092"), log.dirs, cluster.id, then cluster.config;
//  - an admin client (id kAdminId) creates the scenario's topics over the wire at time 0;
//  - producers and consumers share one History.
//
// Runtime invariants, named as the checker reports them:
//  multiple-leaders, hw-regression, hw-above-leo, metadata-divergence: sim/runtime_checker.h,
//                       checked after every step of a broker node (a Simulation node observer)
//                       on what changed in it: the partitions whose role, leader epoch or high
//                       watermark moved (ReplicaManager::TakeChangedPartitions), and its metadata
//                       when its offset moved (with the committed records it could not decode);
//                       a crashed node leads nothing. So a split brain of a few milliseconds is
//                       seen. Found violations are handed to the runner at the next CheckRuntime;
//  replica-divergence   an ISR follower holds different bytes than its leader below both HWs
//                       (read from their logs at every 5th CheckRuntime: every 5 s of simulated
//                       time with the default check interval of 1 s; it reads logs, so it stays
//                       periodic, and a divergence healed within 5 s can go unseen).
// Leadership and ISR over time (for the leader/ISR expectations) are sampled from a broker's
// metadata image whenever a broker's metadata offset passes the highest one sampled; the same
// images, diffed, give the cluster events (elections with their cause, ISR changes, broker
// registrations and fencing; controller changes come from the brokers' Raft state). The active
// controller is followed at every step of a server (for controller_within); consumer lag is read
// from the cluster's view (Describe) at each CheckRuntime.
// History anomalies (CheckHistory, at the end): sim/history_checker.h, acked-lost included (on
// FinalLogs, with the timeline's faults); and, for scenarios with a settle phase, liveness:
// every partition has a leader again at the end (read from the view).

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/client/history.h"
#include "core/controller/metadata_image.h"
#include "sim/cluster_factory.h"
#include "sim/runtime_checker.h"

namespace samsa {
class BrokerNode;
}

namespace samsa::sim {

class SamsaClusterFactory final : public ClusterFactory {
 public:
  static constexpr int32_t kAdminId = 999;  // below kFirstClientId, above any broker id we allow

  NodeFactory Broker(const Scenario& scenario, int32_t node_id) override;
  NodeFactory Producer(const Scenario& scenario, const ProducerSpec& spec, int32_t client_id) override;
  NodeFactory Consumer(const Scenario& scenario, const ConsumerSpec& spec, int32_t client_id) override;
  void InstallProviders(Simulation& sim) override;
  std::vector<NodeId> LeaderOf(Simulation& sim, const PartitionRef& partition) override;
  std::vector<NodeId> FollowersOf(Simulation& sim, const PartitionRef& partition) override;
  std::vector<NodeId> IsrOf(Simulation& sim, const PartitionRef& partition) override;
  std::vector<Violation> CheckRuntime(Simulation& sim) override;
  std::vector<Violation> CheckHistory(Simulation& sim, const RunTimeline& timeline) override;
  ExpectationResult Evaluate(const Expectation& expectation, Simulation& sim, const RunTimeline& timeline) override;
  Stats CollectStats(Simulation& sim) override;
  void Describe(Simulation& sim, view::ClusterView* view) override;
  Status SetRate(Simulation& sim, int32_t client, int64_t rate_per_s) override;
  Status StopConsumer(Simulation& sim, int32_t client) override;
  Result<view::BrokerDetailsView> DescribeBroker(Simulation& sim, int32_t node) override;
  Result<view::RecordHistoryView> RecordHistory(Simulation& sim, const PartitionRef& partition,
                                                std::string_view value) override;
  Result<std::vector<view::LogRecordView>> ReadLog(Simulation& sim, int32_t node, const PartitionRef& partition,
                                                   int64_t from, size_t max_records) override;

  const client::History* history() const { return history_.get(); }

 private:
  struct Sample {
    int64_t at_ns;
    int32_t leader;
    int32_t leader_epoch;
    std::vector<int32_t> isr;
  };
  using Tp = std::pair<std::string, int32_t>;

  void Reset(const Scenario& scenario);
  // CheckRuntime's samples: consumer lag.
  void Observe(Simulation& sim);
  // The largest consumer lag of the cluster view (Describe) now, over consumers and partitions.
  int64_t MaxConsumerLag(Simulation& sim);
  // The node observer: after each step (start, crash) of a node, the runtime checks on what
  // changed in it.
  void OnNodeChange(Simulation& sim, NodeId id, Node* node, Simulation::NodeChange change);
  // Leadership and ISR of every partition as `image` says, at `now`; and the events (elections,
  // ISR changes, registrations, fencing) between the previous image sampled and this one.
  void SampleLeadership(Simulation& sim, const MetadataImage& image, int64_t now);
  void EmitViolation(Simulation& sim, const Violation& v);
  // The broker with the newest metadata among live nodes (nullptr if none is up).
  BrokerNode* Freshest(Simulation& sim);
  // The partition as the freshest broker's metadata image has it (nullptr: unknown, or no broker up).
  const PartitionInfo* FreshestPartition(Simulation& sim, const PartitionRef& partition);
  std::vector<BrokerNode*> LiveBrokers(Simulation& sim);
  void CheckReplicaBytes(Simulation& sim, std::vector<Violation>& out);
  // What the cluster holds at the end of the run, per partition of the scenario's topics: the
  // committed records (below the high watermark) of the leader the freshest metadata names, or,
  // when it has no live leader, of the live replica with the highest high watermark. Read once
  // per run (the first call, at CheckHistory) and kept: the checker's acked-lost and the
  // all_acked_readable expectation both judge it.
  const std::map<Tp, FinalLog>& FinalLogs(Simulation& sim);

  const Scenario* scenario_ = nullptr;
  std::shared_ptr<client::History> history_;
  std::vector<std::pair<int32_t, std::string>> consumer_ids_;  // (client id, topic)
  std::map<int32_t, std::pair<std::string, std::string>> client_kinds_;  // id -> (kind, topic)
  // Events: the metadata last sampled (to diff the next image against), the active controller
  // (id, Raft epoch) last announced, and the violations already announced.
  std::map<Tp, PartitionInfo> known_partitions_;
  std::map<int32_t, BrokerInfo> known_brokers_;
  int32_t controller_id_ = -1;
  int32_t controller_epoch_ = -1;
  std::set<Violation> announced_;
  std::map<Tp, std::vector<Sample>> samples_;                 // leader/ISR changes over time
  // Exact: which servers believe they are the active controller (after their last step; a
  // crashed or exited node does not), and every change of the lowest such id (-1: none), at the
  // instant of the step that changed it. controller_within judges these.
  std::vector<bool> active_by_id_;
  std::vector<std::pair<int64_t, int32_t>> active_controller_changes_;
  std::vector<std::pair<int64_t, int64_t>> lag_samples_;     // (time, max consumer lag)
  RuntimeChecker runtime_;
  // For OnNodeChange, by node id (servers only): the live broker node, the metadata offset it
  // last reported, and the violations found since the last CheckRuntime.
  std::vector<BrokerNode*> brokers_by_id_;
  std::vector<int64_t> reported_metadata_offset_;
  int64_t sampled_metadata_offset_ = -1;  // of the last SampleLeadership
  BrokerReport report_;                   // reused
  std::set<Violation> pending_;
  std::optional<std::map<Tp, FinalLog>> final_logs_;  // FinalLogs, once read
  uint64_t checks_ = 0;
  // CheckReplicaBytes resumes where it left off for a (leader, follower, topic, partition): the
  // logs below `verified_to` were equal, and still are while the last batch compared (base
  // offset `last_base`, CRC `last_crc`) is still in both logs unchanged (a truncation below
  // verified_to removes it). Every kFullCompareEvery-th comparison starts over from the log
  // start anyway.
  struct ReplicaCompare {
    int64_t verified_to = -1;
    int64_t last_base = -1;
    uint32_t last_crc = 0;
    uint64_t compares = 0;
  };
  static constexpr uint64_t kFullCompareEvery = 10;
  std::map<std::tuple<int32_t, int32_t, std::string, int32_t>, ReplicaCompare> replica_compare_;
};

}  // namespace samsa::sim
