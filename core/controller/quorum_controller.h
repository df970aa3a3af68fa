#pragma once
// QuorumController: the KRaft controller's decision logic (Kafka's QuorumController with its
// ClusterControlManager, ReplicationControlManager and BrokerHeartbeatManager), as a
// deterministic state machine. The Raft protocol itself lives in core/controller/raft.*; the
// glue code feeds committed records in through Replay() and appends what the Handle*/Tick
// calls return to the metadata log.
//
// STATES AND TRANSITIONS
//
//   inactive --Activate(now)--> active --Deactivate()--> inactive
//
//   inactive: Replay() applies committed records to the committed image. Every request is
//             answered NOT_CONTROLLER with no records; Tick() returns nothing.
//   active:   the node is the Raft leader and has replayed the committed log to its end.
//             Requests and Tick() produce records; the controller applies them at once to a
//             WORKING image (= committed image + pending records, in order) so the next request
//             already sees them. The caller appends the records to the log and sends the
//             response only once they commit.
//
// APPLY-ONCE RULE (what Kafka does with its snapshot registry): a record this controller
// generated is applied to the working image when generated and to the committed image when
// it comes back through Replay(). Replay() of a record equal to the oldest pending record pops
// it without touching the working image again. A record that is not the oldest pending one (a
// contract violation while active: only the active controller writes) is applied to the
// committed image and the working image is rebuilt as committed + pending; if a pending record
// no longer applies, the pending list is dropped and Replay returns FailedPrecondition (the
// caller should resign). Deactivate() drops the pending records and reverts to the committed
// image: records that were appended but not committed are either lost, or they commit later
// and arrive through Replay() like any other record.
//
// BROKER SESSIONS live only in the active controller's memory: Activate() gives every
// registered broker a fresh session starting at its activation time. A broker whose last
// heartbeat is older than broker_session_timeout_ms (now > last + timeout) is fenced by Tick().
// A registration from a new incarnation of a registered broker is refused
// (DUPLICATE_BROKER_REGISTRATION) only while the old registration holds a session this controller
// has heard from (as Kafka's BrokerHeartbeatTracker counts only heartbeats received): a fresh
// session after a failover is a grace period before fencing, not evidence that the old process
// lives, and refusing on it would keep a restarted broker out for as long as failovers come
// faster than the session timeout.
//
// LEADER ELECTION (Kafka's PartitionChangeBuilder, election "online", or "unclean" when the
// topic's unclean.leader.election.enable is true). A replica is ACCEPTABLE as leader when it is
// registered, unfenced and not in controlled shutdown (and is not the broker being removed).
// When a broker B is fenced or enters controlled shutdown, for every partition whose ISR holds
// B: target ISR = ISR - B; the current leader stays if it is in the target ISR and acceptable;
// otherwise the first replica (assignment order) in the target ISR that is acceptable; failing
// that, with unclean election, the first acceptable replica at all (the ISR becomes just it and
// the leader recovery state RECOVERING); failing that, leader -1. The ISR is changed to the
// target only when the target is non-empty: the last ISR member stays in the ISR of a leaderless
// partition. When a broker is unfenced, leaderless partitions get the same election (with the
// broker acceptable), so the last ISR member takes leadership back when it returns.
// ELIGIBLE LEADER REPLICAS (KIP-966): while a partition's ISR is below min.insync.replicas
// (capped at its replica count) its leader does not advance the high watermark, so the members
// that left the ISR meanwhile still hold every committed record: they are its ELR, and when no
// ISR member is acceptable the first acceptable ELR member (assignment order) is elected, with
// the ISR just it. The ELR empties once the ISR reaches min.insync.replicas again, and after an
// unclean election. A broker that registers reporting a partition whose log lost committed
// records (lost_data_partitions, samsa's extension) leaves that ISR, even as its last member, and
// its ELR; if nobody is eligible the partition stays leaderless (unclean election aside).
// A leader change bumps the leader epoch; every PartitionChangeRecord bumps the partition epoch.
//
// Determinism: no clocks; time is now_ms; topic ids and placement starts come from the Prng.

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/base/status.h"
#include "core/controller/metadata_image.h"
#include "core/controller/metadata_records.h"
#include "core/protocol/messages/dispatch.h"

namespace samsa {

struct ControllerConfig {
  // cluster.id of the metadata log; a registration naming another id gets
  // INCONSISTENT_CLUSTER_ID. Empty: accept any.
  std::string cluster_id;
  int64_t broker_session_timeout_ms = 9000;             // broker.session.timeout.ms
  int64_t broker_heartbeat_interval_ms = 2000;          // broker.heartbeat.interval.ms
  int32_t num_partitions = 1;                           // num.partitions
  int16_t default_replication_factor = 1;               // default.replication.factor
  int32_t min_insync_replicas = 1;                      // min.insync.replicas
  bool unclean_leader_election_enable = false;          // unclean.leader.election.enable
  bool auto_leader_rebalance_enable = true;             // auto.leader.rebalance.enable
  int64_t leader_imbalance_check_interval_ms = 300000;  // leader.imbalance.check.interval.seconds
  bool delete_topic_enable = true;                      // delete.topic.enable
  // samsa limits (no Kafka equivalent): partitions per created topic, elections per rebalance.
  int32_t max_partitions_per_topic = 10000;
  int32_t max_elections_per_rebalance = 1000;
};

struct ControllerResult {
  std::vector<MetadataRecord> records;  // to append, in order; the response waits for them
  ResponseBody response;
};

class QuorumController {
 public:
  QuorumController(ControllerConfig config, Prng prng);

  // Every committed record, in log order, on every controller (active or not). `offset` must
  // increase; a record that does not apply to the committed image is Corruption.
  Status Replay(const MetadataRecord& record, int64_t offset);

  const MetadataImage& image() const { return committed_; }
  // The image requests are decided against: committed + pending when active, else committed.
  const MetadataImage& working_image() const { return active_ ? working_ : committed_; }
  // Records generated but not yet seen by Replay(), oldest first.
  const std::deque<MetadataRecord>& pending() const { return pending_; }

  // Call Activate only once the committed log has been replayed to its end.
  void Activate(int64_t now_ms);
  void Deactivate();
  bool active() const { return active_; }

  // `next_write_offset`, when known (>= 0), is the log offset the first returned record will
  // take (the leader's log end offset, records appended in order right away): the new broker
  // epoch is then exactly the RegisterBrokerRecord's offset, as in Kafka (it may follow
  // partition changes that move an uncleanly restarted broker's leadership away).
  // Otherwise the epoch is a strictly increasing estimate beyond every offset and epoch seen.
  ControllerResult HandleBrokerRegistration(const BrokerRegistrationRequest& request,
                                            int64_t now_ms, int64_t next_write_offset = -1);
  ControllerResult HandleBrokerHeartbeat(const BrokerHeartbeatRequest& request, int64_t now_ms);
  ControllerResult HandleCreateTopics(const CreateTopicsRequest& request, int64_t now_ms);
  ControllerResult HandleDeleteTopics(const DeleteTopicsRequest& request, int64_t now_ms);
  ControllerResult HandleAlterPartition(const AlterPartitionRequest& request, int64_t now_ms);

  // Fences brokers whose session expired (one at a time, lowest id first, each seeing the
  // previous one's changes) and, every leader_imbalance_check_interval_ms, moves leadership
  // back to preferred replicas. Nothing when inactive.
  std::vector<MetadataRecord> Tick(int64_t now_ms);
  // The earliest now_ms at which Tick() may have work; INT64_MAX when inactive or idle.
  int64_t NextDeadlineMs() const;

  const ControllerConfig& config() const { return config_; }

 private:
  struct Session {
    int64_t last_contact_ms = 0;
    int64_t metadata_offset = -1;  // current_metadata_offset of its last heartbeat
    // When this controller last heard from that registration (its registration or a heartbeat);
    // -1: not since this controller became active (the session only runs from activation).
    int64_t heard_ms = -1;
  };

  // Applies a generated record to the working image and queues it as pending.
  void Emit(MetadataRecord record, std::vector<MetadataRecord>* out);
  bool IsActiveBroker(int32_t id) const;  // registered, unfenced, not in controlled shutdown
  bool UncleanEnabled(const TopicInfo& topic) const;
  // The broker's session, created fresh (at the latest time seen) if it has none.
  Session& SessionOf(int32_t id);
  // The election described in the class comment, for one partition. Returns nullopt when
  // nothing changes.
  // `removed_lost_data`: broker_to_remove reported that its log lost committed records; it
  // leaves the ISR even as the last member, and the eligible leaders.
  std::optional<PartitionChangeRecord> BuildLeaderAndIsrUpdate(const TopicInfo& topic,
                                                               const PartitionInfo& partition,
                                                               int32_t broker_to_remove,
                                                               int32_t broker_to_add,
                                                               bool removed_lost_data) const;
  // The eligible leader replicas (KIP-966) once the partition's ISR becomes new_isr: empty when
  // new_isr has at least min.insync.replicas members (capped at the replica count); otherwise the
  // current ones plus the members leaving the ISR, minus new_isr and lost_broker.
  std::vector<int32_t> NextEligibleLeaders(const TopicInfo& topic, const PartitionInfo& partition,
                                           const std::vector<int32_t>& new_isr,
                                           int32_t lost_broker) const;
  // Partition changes for every partition whose ISR holds `broker` (it leaves the ISR and
  // leadership), emitted in topic-name, partition order.
  void MoveAwayFrom(int32_t broker, std::vector<MetadataRecord>* out);
  // Elections for leaderless partitions now that `broker` is acceptable.
  void ElectForUnfenced(int32_t broker, std::vector<MetadataRecord>* out);
  void FenceBroker(int32_t broker, std::vector<MetadataRecord>* out);
  void RebalancePreferredLeaders(std::vector<MetadataRecord>* out);
  // Kafka's lowestActiveOffset: the lowest metadata offset reported by an unfenced broker.
  int64_t LowestActiveOffset() const;
  Uuid NewTopicId();

  ControllerConfig config_;
  Prng prng_;
  MetadataImage committed_;
  MetadataImage working_;
  std::deque<MetadataRecord> pending_;
  bool active_ = false;
  std::map<int32_t, Session> sessions_;
  // Committed offset of each broker's entry into controlled shutdown (from Replay).
  std::map<int32_t, int64_t> controlled_shutdown_offsets_;
  int64_t next_rebalance_ms_ = std::numeric_limits<int64_t>::max();
  int64_t last_issued_broker_epoch_ = -1;
  int64_t last_now_ms_ = 0;  // latest now_ms seen while active
};

// Kafka's topic-name rule: 1..249 chars of [a-zA-Z0-9._-], not "." or "..".
bool IsValidTopicName(std::string_view name);

}  // namespace samsa
