#include "core/config/properties.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <vector>

namespace samsa::config {

namespace {

constexpr int64_t kMax = INT64_MAX;
constexpr int64_t kInt32 = INT32_MAX;
// The smallest batch limit: one record batch header (61 bytes). Kafka takes 0 and then refuses
// every batch; samsa refuses such a setting instead.
constexpr int64_t kMinBatch = 61;

constexpr std::string_view kEffect = "PropertyEffectTest.ChangingItChangesTheRun";
constexpr std::string_view kRefusal = "PropertyRegistryTest.RefusedPropertiesAreRefusedEverywhere";
constexpr std::string_view kGroups = "consumer groups are not simulated yet (they bring the group coordinator and "
                                     "__consumer_offsets)";
constexpr std::string_view kCompaction = "log compaction arrives with consumer groups (__consumer_offsets is compacted)";
constexpr std::string_view kNotImplemented = "samsa does not implement this topic property";

using S = Scope;
using T = Type;

// Shorthands for the table.
constexpr Property Broker(std::string_view name, Type type, std::string_view def, int64_t min, int64_t max,
                          std::string_view applies, std::string_view test = kEffect) {
  return Property{name, S::kBroker, type, def, min, max, {}, applies, test, {}, {}, {}, {}, false};
}
constexpr Property PerNode(std::string_view name, Type type, std::string_view def, int64_t min, int64_t max,
                           std::string_view applies, std::string_view test) {
  return Property{name, S::kBroker, type, def, min, max, {}, applies, test, {}, {}, {}, {}, true};
}
constexpr Property Topic(std::string_view name, Type type, std::string_view def, int64_t min, int64_t max,
                         std::string_view broker_default, std::string_view applies,
                         std::string_view test = kEffect) {
  return Property{name, S::kTopic, type, def, min, max, {}, applies, test, {}, {}, {}, broker_default, false};
}
constexpr Property Client(Scope scope, std::string_view name, Type type, std::string_view def, int64_t min,
                          int64_t max, std::string_view applies, std::string_view test = kEffect) {
  return Property{name, scope, type, def, min, max, {}, applies, test, {}, {}, {}, {}, false};
}
constexpr Property Refused(Scope scope, std::string_view name, std::string_view why) {
  return Property{name, scope, T::kString, {}, 0, kMax, {}, {}, kRefusal, why, {}, {}, {}, false};
}
constexpr Property WithChoices(Property p, std::string_view choices, std::string_view refused_values = {},
                               std::string_view refused_value_reason = {}) {
  p.choices = choices;
  p.refused_values = refused_values;
  p.refused_value_reason = refused_value_reason;
  return p;
}

constexpr std::string_view kCodecs = "producer,none,gzip,snappy,lz4,zstd";

const Property kTable[] = {
    // ---------------------------------------------------------------- broker (server.properties)
    Broker("auto.create.topics.enable", T::kBool, "true", 0, 0, "controller: a Metadata request for an unknown topic creates it",
           "BrokerSimTest.AutoCreatedTopicsFollowTheBrokerDefaults"),
    Broker("auto.leader.rebalance.enable", T::kBool, "true", 0, 0, "controller: moves leadership back to preferred replicas"),
    Broker("broker.heartbeat.interval.ms", T::kMs, "2000", 1, kMax, "broker: heartbeats to the controller, each waiting this long for its answer"),
    PerNode("broker.id", T::kInt, "-1", 0, kInt32, "broker: its node id (an alias of node.id)",
            "BrokerConfigTest.IdentityAndAliases"),
    Broker("broker.session.timeout.ms", T::kMs, "9000", 1, kMax, "controller: fences a broker without heartbeats"),
    PerNode("cluster.id", T::kString, "", 0, 0, "broker: the cluster id it registers with", "BrokerConfigTest.IdentityAndAliases"),
    WithChoices(Broker("compression.type", T::kChoice, "producer", 0, 0,
                       "replica manager: a leader recompresses produced batches to this codec (the default of "
                       "every topic's compression.type)"),
                kCodecs),
    Broker("controller.quorum.election.backoff.max.ms", T::kMs, "1000", 0, kMax, "Raft: the longest backoff before a new election"),
    Broker("controller.quorum.election.timeout.ms", T::kMs, "1000", 1, kMax, "Raft: how long a voter waits for a leader"),
    Broker("controller.quorum.fetch.timeout.ms", T::kMs, "2000", 1, kMax, "Raft: how long a follower waits for a fetch answer"),
    Broker("controller.quorum.request.timeout.ms", T::kMs, "2000", 1, kMax, "Raft: request timeout between voters"),
    PerNode("controller.quorum.voters", T::kString, "", 0, 0, "broker and controller: the voters' ids and endpoints",
            "PropertiesTest.ParsesKafkaServerProperties"),
    Broker("default.replication.factor", T::kInt, "1", 1, INT16_MAX, "controller: the replication factor of auto-created topics",
           "BrokerSimTest.AutoCreatedTopicsFollowTheBrokerDefaults"),
    Broker("leader.imbalance.check.interval.seconds", T::kInt, "300", 1, kMax / 1000,
           "controller: how often it checks for leaders off their preferred replica"),
    WithChoices(Broker("log.cleanup.policy", T::kChoice, "delete", 0, 0,
                       "replica manager: delete old segments (retention); the default of cleanup.policy",
                       kRefusal),
                "delete", "compact|compact,delete|delete,compact", kCompaction),
    PerNode("log.dir", T::kString, "/tmp/kafka-logs", 0, 0, "broker: where its logs live (log.dirs wins)",
            "BrokerConfigTest.IdentityAndAliases"),
    PerNode("log.dirs", T::kString, "", 0, 0, "broker: where its logs live (the first directory)",
            "PropertiesTest.ParsesKafkaServerProperties"),
    Broker("log.flush.interval.messages", T::kInt, "9223372036854775807", 1, kMax,
           "replica manager: syncs a log once this many records were appended since its last sync"),
    Broker("log.flush.interval.ms", T::kMs, "9223372036854775807", 1, kMax,
           "replica manager: syncs a log whose oldest unsynced data is this old"),
    Broker("log.retention.bytes", T::kInt, "-1", -1, kMax, "log: deletes the oldest segments while the log is larger"),
    Broker("log.retention.check.interval.ms", T::kMs, "300000", 1, kMax,
           "replica manager: how often every log applies its retention"),
    Broker("log.retention.hours", T::kInt, "168", -1, kMax / 3600000, "log: log.retention.ms in hours",
           "BrokerConfigTest.RetentionAndRollUnits"),
    Broker("log.retention.minutes", T::kInt, "", -1, kMax / 60000, "log: log.retention.ms in minutes",
           "BrokerConfigTest.RetentionAndRollUnits"),
    Broker("log.retention.ms", T::kMs, "604800000", -1, kMax, "log: deletes segments whose newest record is older"),
    Broker("log.roll.hours", T::kInt, "168", 1, kMax / 3600000, "log: log.roll.ms in hours", "BrokerConfigTest.RetentionAndRollUnits"),
    Broker("log.roll.ms", T::kMs, "604800000", 1, kMax, "log: rolls a segment whose first record is older"),
    Broker("log.segment.bytes", T::kInt, "1073741824", 14, kInt32, "log: rolls a segment that would grow past this"),
    PerNode("listeners", T::kString, "PLAINTEXT://:9092", 0, 0, "broker: its endpoint (advertised.listeners wins)",
            "BrokerConfigTest.IdentityAndAliases"),
    PerNode("advertised.listeners", T::kString, "", 0, 0, "broker: the endpoint it registers", "BrokerConfigTest.IdentityAndAliases"),
    Broker("message.max.bytes", T::kInt, "1048588", kMinBatch, kInt32,
           "replica manager: refuses larger batches with MESSAGE_TOO_LARGE; the default of max.message.bytes"),
    Broker("min.insync.replicas", T::kInt, "1", 1, INT16_MAX,
           "replica manager: acks=all needs this many in-sync replicas; the default of the topic's"),
    PerNode("node.id", T::kInt, "-1", 0, kInt32, "broker: its id", "PropertiesTest.ParsesKafkaServerProperties"),
    Broker("num.partitions", T::kInt, "1", 1, 1000000, "controller: the partition count of auto-created topics",
           "BrokerSimTest.AutoCreatedTopicsFollowTheBrokerDefaults"),
    PerNode("process.roles", T::kString, "", 0, 0, "broker: runs a broker, a controller or both",
            "PropertiesTest.ParsesKafkaServerProperties"),
    Broker("replica.fetch.backoff.ms", T::kMs, "1000", 0, kMax, "replica fetcher: waits this long after a failed fetch"),
    Broker("replica.fetch.max.bytes", T::kInt, "1048576", 1, kInt32, "replica fetcher: bytes asked per partition"),
    Broker("replica.fetch.min.bytes", T::kInt, "1", 1, kInt32, "replica fetcher: a leader answers once this much is ready"),
    Broker("replica.fetch.wait.max.ms", T::kMs, "500", 0, kMax, "replica fetcher: the longest a leader holds a fetch"),
    Broker("replica.lag.time.max.ms", T::kMs, "30000", 1, kMax, "leader: drops a follower from the ISR after this"),
    Broker("request.timeout.ms", T::kMs, "30000", 1, kMax, "broker: timeout of its requests to other brokers"),
    Broker("socket.request.max.bytes", T::kInt, "104857600", 1, kInt32,
           "broker: closes a connection that sends a larger request"),
    Broker("unclean.leader.election.enable", T::kBool, "false", 0, 0,
           "controller: may elect an out-of-sync replica; the default of the topic's",
           "ControllerTest.UncleanElectionWhenEnabledClusterWide"),
    Refused(S::kBroker, "group.initial.rebalance.delay.ms", kGroups),
    Refused(S::kBroker, "offsets.topic.num.partitions", kGroups),
    Refused(S::kBroker, "offsets.topic.replication.factor", kGroups),
    Refused(S::kBroker, "replica.socket.timeout.ms",
            "replica fetchers time out with request.timeout.ms; a separate socket timeout is not modelled"),

    // ---------------------------------------------------------------- topic (CreateTopics configs)
    WithChoices(Topic("cleanup.policy", T::kChoice, "delete", 0, 0, "log.cleanup.policy",
                      "replica manager: delete old segments (retention)", kRefusal),
                "delete", "compact|compact,delete|delete,compact", kCompaction),
    WithChoices(Topic("compression.type", T::kChoice, "producer", 0, 0, "compression.type",
                      "replica manager: a leader recompresses this topic's produced batches to this codec"),
                kCodecs),
    Topic("flush.messages", T::kInt, "9223372036854775807", 1, kMax, "log.flush.interval.messages",
          "replica manager: syncs this topic's logs every N records"),
    Topic("flush.ms", T::kMs, "9223372036854775807", 1, kMax, "log.flush.interval.ms",
          "replica manager: syncs this topic's logs whose unsynced data is this old"),
    Topic("max.message.bytes", T::kInt, "1048588", kMinBatch, kInt32, "message.max.bytes",
          "replica manager: refuses larger batches to this topic with MESSAGE_TOO_LARGE"),
    Topic("min.insync.replicas", T::kInt, "1", 1, INT16_MAX, "min.insync.replicas",
          "replica manager: acks=all to this topic needs this many in-sync replicas"),
    Topic("retention.bytes", T::kInt, "-1", -1, kMax, "log.retention.bytes", "log: this topic's size limit per partition"),
    Topic("retention.ms", T::kMs, "604800000", -1, kMax, "log.retention.ms", "log: this topic's age limit"),
    Topic("segment.bytes", T::kInt, "1073741824", 14, kInt32, "log.segment.bytes", "log: this topic's segment size"),
    Topic("segment.ms", T::kMs, "604800000", 1, kMax, "log.roll.ms", "log: this topic's segment age"),
    Topic("unclean.leader.election.enable", T::kBool, "false", 0, 0, "unclean.leader.election.enable",
          "controller: may elect an out-of-sync replica of this topic", "ControllerTest.UncleanElectionFollowsTopicConfig"),
    Refused(S::kTopic, "delete.retention.ms", kCompaction),
    Refused(S::kTopic, "file.delete.delay.ms", kNotImplemented),
    Refused(S::kTopic, "follower.replication.throttled.replicas", kNotImplemented),
    Refused(S::kTopic, "index.interval.bytes", kNotImplemented),
    Refused(S::kTopic, "leader.replication.throttled.replicas", kNotImplemented),
    Refused(S::kTopic, "local.retention.bytes", "tiered storage is not implemented"),
    Refused(S::kTopic, "local.retention.ms", "tiered storage is not implemented"),
    Refused(S::kTopic, "max.compaction.lag.ms", kCompaction),
    Refused(S::kTopic, "message.downconversion.enable", kNotImplemented),
    Refused(S::kTopic, "message.format.version", kNotImplemented),
    Refused(S::kTopic, "message.timestamp.after.max.ms", kNotImplemented),
    Refused(S::kTopic, "message.timestamp.before.max.ms", kNotImplemented),
    Refused(S::kTopic, "message.timestamp.difference.max.ms", kNotImplemented),
    Refused(S::kTopic, "message.timestamp.type", kNotImplemented),
    Refused(S::kTopic, "min.cleanable.dirty.ratio", kCompaction),
    Refused(S::kTopic, "min.compaction.lag.ms", kCompaction),
    Refused(S::kTopic, "preallocate", kNotImplemented),
    Refused(S::kTopic, "remote.storage.enable", "tiered storage is not implemented"),
    Refused(S::kTopic, "segment.index.bytes", kNotImplemented),
    Refused(S::kTopic, "segment.jitter.ms", kNotImplemented),

    // ---------------------------------------------------------------- producer (scenario workload)
    WithChoices(Client(S::kProducer, "acks", T::kChoice, "all", 0, 0, "producer: how many replicas acknowledge"),
                "0,1,-1,all"),
    Client(S::kProducer, "batch.size", T::kInt, "16384", 0, 64 << 20, "producer: the largest batch it builds"),
    WithChoices(Client(S::kProducer, "compression.type", T::kChoice, "none", 0, 0, "producer: compresses its batches"),
                "none,gzip,snappy,lz4,zstd"),
    Client(S::kProducer, "delivery.timeout.ms", T::kMs, "120000", 1, kInt32, "producer: gives up on a record after this"),
    WithChoices(Client(S::kProducer, "enable.idempotence", T::kBool, "false", 0, 0, "producer: must be false",
                       kRefusal),
                {}, "true", "idempotent producers are not simulated yet (no producer ids or sequence numbers)"),
    Client(S::kProducer, "linger.ms", T::kMs, "5", 0, kMax,
           "producer: a batch waits up to this long to fill; a request to its leader takes it sooner"),
    Client(S::kProducer, "max.in.flight.requests.per.connection", T::kInt, "5", 1, 1000,
           "producer: unanswered requests per broker"),
    Client(S::kProducer, "request.timeout.ms", T::kMs, "30000", 1, kInt32, "producer: waits this long for an answer"),
    Client(S::kProducer, "retries", T::kInt, "2147483647", 0, kInt32, "producer: retries of a failed batch"),
    Client(S::kProducer, "retry.backoff.max.ms", T::kMs, "1000", 0, kMax,
           "producer: the longest wait before a retry of a batch or a metadata refresh (see retry.backoff.ms)"),
    Client(S::kProducer, "retry.backoff.ms", T::kMs, "100", 0, kMax,
           "producer: waits this long before a batch's first retry, twice as long before each further one "
           "(+-20%), up to retry.backoff.max.ms; a constant retry.backoff.max.ms when that is lower. Metadata "
           "refreshes back off alike after failed requests and after answers that changed nothing"),
    Client(S::kProducer, "socket.connection.setup.timeout.max.ms", T::kMs, "30000", 1, kMax,
           "producer: the longest connection setup timeout (exponential backoff)"),
    Client(S::kProducer, "socket.connection.setup.timeout.ms", T::kMs, "10000", 1, kMax,
           "producer: gives up on a connection not set up in this time"),
    Refused(S::kProducer, "transactional.id", "transactions are not simulated"),

    // ---------------------------------------------------------------- consumer (scenario workload)
    Refused(S::kConsumer, "group.id", kGroups),
    Client(S::kConsumer, "socket.connection.setup.timeout.max.ms", T::kMs, "30000", 1, kMax,
           "consumer: the longest connection setup timeout (exponential backoff)"),
    Client(S::kConsumer, "socket.connection.setup.timeout.ms", T::kMs, "10000", 1, kMax,
           "consumer: gives up on a connection not set up in this time"),
};

const std::vector<Property>& Sorted() {
  static const std::vector<Property> sorted = [] {
    std::vector<Property> v(std::begin(kTable), std::end(kTable));
    std::sort(v.begin(), v.end(), [](const Property& a, const Property& b) {
      return std::pair(a.scope, a.name) < std::pair(b.scope, b.name);
    });
    return v;
  }();
  return sorted;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

// True when `value` is one of the `sep`-separated `list`.
bool InList(std::string_view list, std::string_view value, char sep) {
  while (!list.empty()) {
    size_t comma = list.find(sep);
    if (list.substr(0, comma) == value) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

std::string Quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

}  // namespace

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kBroker: return "broker";
    case Scope::kTopic: return "topic";
    case Scope::kProducer: return "producer";
    case Scope::kConsumer: return "consumer";
  }
  return "?";
}

std::span<const Property> All() { return Sorted(); }

const Property* Find(Scope scope, std::string_view name) {
  const std::vector<Property>& v = Sorted();
  auto it = std::lower_bound(v.begin(), v.end(), std::pair(scope, name), [](const Property& p, const auto& key) {
    return std::pair(p.scope, p.name) < key;
  });
  return it != v.end() && it->scope == scope && it->name == name ? &*it : nullptr;
}

std::string Check(const Property& p, std::string_view raw) {
  if (!p.refused.empty()) return "is not supported by samsa yet: " + std::string(p.refused);
  std::string_view value = Trim(raw);
  std::string lowered = Lower(value);
  if (!p.refused_values.empty() && InList(p.refused_values, p.type == Type::kBool ? std::string_view(lowered) : value, '|'))
    return Quoted(value) + " is not supported by samsa yet: " + std::string(p.refused_value_reason);
  switch (p.type) {
    case Type::kInt:
    case Type::kMs: {
      int64_t x;
      if (!ParseInt(value, &x)) return Quoted(value) + " is not an integer";
      if (x < p.min || x > p.max)
        return Quoted(value) + " is out of range [" + std::to_string(p.min) + ", " + std::to_string(p.max) + "]";
      return "";
    }
    case Type::kBool:
      return lowered == "true" || lowered == "false" ? "" : Quoted(value) + " is not true or false";
    case Type::kChoice:
      return InList(p.choices, value, ',') ? "" : Quoted(value) + " is not one of: " + std::string(p.choices);
    case Type::kString:
      return value.empty() ? "is empty" : "";
  }
  return "";
}

std::string Canonical(const Property& p, std::string_view raw) {
  std::string_view value = Trim(raw);
  switch (p.type) {
    case Type::kInt:
    case Type::kMs: {
      int64_t x = 0;
      return ParseInt(value, &x) ? std::to_string(x) : std::string(value);
    }
    case Type::kBool: return Lower(value);
    case Type::kChoice:
    case Type::kString: return std::string(value);
  }
  return std::string(value);
}

}  // namespace samsa::config
