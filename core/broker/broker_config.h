#pragma once
// BrokerConfig: a node's configuration under Kafka's own property names and defaults, parsed
// from a server.properties text (samsa-broker) or a scenario's config map (samsa-sim).
//
// server.properties format (java.util.Properties, the subset Kafka configs use): one
// `key=value` (or `key: value`) per line; '#' or '!' starts a comment line; blank lines ignored;
// surrounding whitespace trimmed. A later duplicate key overrides an earlier one.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/status.h"

namespace samsa {

using Properties = std::map<std::string, std::string>;

// Parses server.properties text. Errors name the file and line: "server.properties:7: ...".
Result<Properties> ParseProperties(std::string_view text, std::string_view file_name);

struct VoterEndpoint {
  int32_t id = -1;
  std::string host;
  int32_t port = 0;
};

struct BrokerConfig {
  int32_t node_id = -1;                                  // node.id (required)
  bool broker_role = true;                               // process.roles contains "broker"
  bool controller_role = true;                           // process.roles contains "controller"
  std::vector<VoterEndpoint> quorum_voters;              // controller.quorum.voters "1@h:9093,..."
  std::string advertised_host = "localhost";             // from advertised.listeners / listeners
  int32_t advertised_port = 9092;
  std::string log_dir = "data";                          // log.dirs (the first one)
  std::string cluster_id = "samsa-cluster";              // cluster.id (meta.properties in Kafka)

  // Topic defaults (also the controller's).
  int32_t num_partitions = 1;                            // num.partitions
  int16_t default_replication_factor = 1;                // default.replication.factor
  int32_t min_insync_replicas = 1;                       // min.insync.replicas
  bool unclean_leader_election_enable = false;           // unclean.leader.election.enable
  bool auto_create_topics_enable = true;                 // auto.create.topics.enable
  bool auto_leader_rebalance_enable = true;              // auto.leader.rebalance.enable
  int64_t leader_imbalance_check_interval_ms = 300000;   // leader.imbalance.check.interval.seconds

  // Replication.
  int64_t replica_lag_time_max_ms = 30000;               // replica.lag.time.max.ms
  int32_t replica_fetch_max_bytes = 1048576;             // replica.fetch.max.bytes
  int64_t replica_fetch_wait_max_ms = 500;               // replica.fetch.wait.max.ms
  int32_t replica_fetch_min_bytes = 1;                   // replica.fetch.min.bytes
  int64_t replica_fetch_backoff_ms = 1000;               // replica.fetch.backoff.ms

  // Log.
  int64_t log_segment_bytes = 1073741824;                // log.segment.bytes
  int64_t log_roll_ms = 604800000;                       // log.roll.ms (log.roll.hours = 168)
  int64_t log_retention_ms = 604800000;                  // log.retention.ms (log.retention.hours)
  int64_t log_retention_bytes = -1;                      // log.retention.bytes
  int64_t log_retention_check_interval_ms = 300000;      // log.retention.check.interval.ms
  int64_t log_flush_interval_messages = INT64_MAX;       // log.flush.interval.messages
  // log.flush.interval.ms. Kafka leaves it unset, so the log flusher never syncs by time
  // (log.flush.scheduler.interval.ms = Long.MAX_VALUE): durability comes from replication, and
  // the OS writes dirty pages back on its own (in the simulator: the disk's `writeback`).
  // INT64_MAX = never.
  int64_t log_flush_interval_ms = INT64_MAX;
  int32_t message_max_bytes = 1048588;                   // message.max.bytes
  std::string log_cleanup_policy = "delete";             // log.cleanup.policy (compact refused)
  std::string compression_type = "producer";             // compression.type (topics' default)

  // KRaft.
  int64_t broker_session_timeout_ms = 9000;              // broker.session.timeout.ms
  int64_t broker_heartbeat_interval_ms = 2000;           // broker.heartbeat.interval.ms
  int64_t quorum_election_timeout_ms = 1000;             // controller.quorum.election.timeout.ms
  int64_t quorum_election_backoff_max_ms = 1000;         // controller.quorum.election.backoff.max.ms
  int64_t quorum_fetch_timeout_ms = 2000;                // controller.quorum.fetch.timeout.ms
  int64_t quorum_request_timeout_ms = 2000;              // controller.quorum.request.timeout.ms

  // Network.
  int64_t request_timeout_ms = 30000;                    // request.timeout.ms (inter-broker)
  int32_t socket_request_max_bytes = 104857600;          // socket.request.max.bytes

  // Keys that were given but are not known to samsa (Kafka logs them as unused; so do we). A
  // key the registry (core/config/properties.h) lists but refuses is an error instead.
  std::vector<std::string> unknown_keys;

  bool IsVoter(int32_t id) const;
  std::vector<int32_t> VoterIds() const;  // sorted

  // Every property this config holds, as (Kafka name, effective value), in the units of the name
  // (log.roll.ms, not hours), sorted by name: what an inspector shows.
  std::vector<std::pair<std::string, std::string>> Describe() const;

  // Validates (against the property registry) and converts. Errors list every bad key:
  // "min.insync.replicas: 'x' is not an integer".
  static Result<BrokerConfig> FromProperties(const Properties& props);
};

}  // namespace samsa
