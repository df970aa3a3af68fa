#pragma once
// The cases of PropertyEffectTest: for each property, a value that must change a small run of a
// cluster under faults (its trace, its final ClusterView or its segments) if samsa applies it.
// The registry test checks that every entry naming the effect test has a case here.

#include <string>
#include <vector>

#include "core/config/properties.h"

namespace samsa {

inline constexpr std::string_view kEffectTestName = "PropertyEffectTest.ChangingItChangesTheRun";

struct EffectCase {
  config::Scope scope;
  std::string name;
  std::string value;              // YAML scalar
  std::string also_broker = {};   // cluster.config entries for both runs, "k: v, k: v"
  std::string also_topic = {};    // topic config entries for both runs
  std::string topic_fields = "partitions: 2, replication.factor: 3";
  // The faults of both runs (YAML list items); the default crashes the controller, then pauses
  // a leader.
  std::string faults = "{ at: 3s, crash: controller, for: 4s }, { at: 9s, pause: leader-of t-0, for: 2s }";
  std::string also_client = {};  // entries of the producer or consumer of the case's scope, both runs
};

inline std::vector<EffectCase> EffectCases() {
  using S = config::Scope;
  const std::string kTopicFields = EffectCase{}.topic_fields;
  // Raft requests to a paused voter time out (a crashed one closes its connections at once).
  const std::string pause_controller = "{ at: 3s, pause: controller, for: 6s }";
  // Connections to a clogged broker hang until their setup times out (an isolated one refuses).
  // Every broker unreachable for a while: clients fail to connect to each several times, so the
  // exponential setup timeout reaches its maximum.
  const std::string clog_all = "{ at: 0s, clog: 1, for: 8s }, { at: 0s, clog: 2, for: 7s }, { at: 0s, clog: 3, for: 6s }";
  const std::string fast_setup = "socket.connection.setup.timeout.ms: 200ms";
  const std::string clog_brokers = "{ at: 0s, clog: 1, for: 8s }, { at: 0s, clog: 2, for: 4s }";
  const std::string small_segments_broker = "log.segment.bytes: 2000";
  const std::string small_segments_topic = "segment.bytes: 2000";
  const std::string retention_checks = "log.retention.check.interval.ms: 1s";
  return {
      // Broker.
      {S::kBroker, "auto.leader.rebalance.enable", "false", "leader.imbalance.check.interval.seconds: 1"},
      {S::kBroker, "leader.imbalance.check.interval.seconds", "1"},
      {S::kBroker, "broker.heartbeat.interval.ms", "500ms"},
      {S::kBroker, "broker.session.timeout.ms", "2s"},
      {S::kBroker, "compression.type", "gzip"},
      {S::kBroker, "controller.quorum.election.backoff.max.ms", "5s"},
      {S::kBroker, "controller.quorum.election.timeout.ms", "300ms"},
      {S::kBroker, "controller.quorum.fetch.timeout.ms", "500ms"},
      {S::kBroker, "controller.quorum.request.timeout.ms", "200ms", "", "", kTopicFields, pause_controller},
      {S::kBroker, "log.flush.interval.messages", "10"},
      {S::kBroker, "log.flush.interval.ms", "200ms"},
      {S::kBroker, "log.retention.bytes", "4000", small_segments_broker + ", " + retention_checks},
      {S::kBroker, "log.retention.check.interval.ms", "1s", small_segments_broker + ", log.retention.ms: 2s"},
      {S::kBroker, "log.retention.ms", "2s", small_segments_broker + ", " + retention_checks},
      {S::kBroker, "log.roll.ms", "1s"},
      {S::kBroker, "log.segment.bytes", "5000"},
      {S::kBroker, "message.max.bytes", "100"},
      {S::kBroker, "min.insync.replicas", "3"},
      {S::kBroker, "replica.fetch.backoff.ms", "50ms"},
      {S::kBroker, "replica.fetch.max.bytes", "200"},
      {S::kBroker, "replica.fetch.min.bytes", "5000"},
      {S::kBroker, "replica.fetch.wait.max.ms", "50ms"},
      {S::kBroker, "replica.lag.time.max.ms", "1s"},
      {S::kBroker, "request.timeout.ms", "300ms"},
      {S::kBroker, "socket.request.max.bytes", "300"},
      // Topic: each must change the run through the topic's config alone.
      {S::kTopic, "compression.type", "gzip"},
      {S::kTopic, "flush.messages", "10"},
      {S::kTopic, "flush.ms", "200ms"},
      {S::kTopic, "max.message.bytes", "100"},
      {S::kTopic, "min.insync.replicas", "3"},
      {S::kTopic, "retention.bytes", "4000", retention_checks, small_segments_topic},
      {S::kTopic, "retention.ms", "2s", retention_checks, small_segments_topic},
      {S::kTopic, "segment.bytes", "5000"},
      {S::kTopic, "segment.ms", "1s"},
      // Producer.
      {S::kProducer, "acks", "1"},
      {S::kProducer, "batch.size", "100"},
      {S::kProducer, "compression.type", "gzip"},
      {S::kProducer, "delivery.timeout.ms", "1s"},
      {S::kProducer, "linger.ms", "50ms"},
      {S::kProducer, "max.in.flight.requests.per.connection", "1"},
      {S::kProducer, "request.timeout.ms", "500ms"},
      // A crashed leader fails the requests in flight to it: retried, unless retries is 0.
      {S::kProducer, "retries", "0", "", "", kTopicFields, "{ at: 9s, crash: leader-of t-0, for: 2s }"},
      {S::kProducer, "retry.backoff.max.ms", "100ms"},
      {S::kProducer, "retry.backoff.ms", "1s"},
      {S::kProducer, "socket.connection.setup.timeout.ms", "200ms", "", "", kTopicFields, clog_brokers},
      {S::kProducer, "socket.connection.setup.timeout.max.ms", "400ms", "", "", kTopicFields, clog_all, fast_setup},
      // Consumer.
      {S::kConsumer, "socket.connection.setup.timeout.ms", "200ms", "", "", kTopicFields, clog_brokers},
      {S::kConsumer, "socket.connection.setup.timeout.max.ms", "400ms", "", "", kTopicFields, clog_all, fast_setup},
  };
}

}  // namespace samsa
