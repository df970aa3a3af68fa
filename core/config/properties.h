#pragma once
// The property registry: every Kafka property samsa knows, once.
//
// Each entry gives the Kafka name, its scope (a broker's server.properties, a topic's config, a
// producer's or a consumer's config), its type and range, Kafka's default, where samsa applies it,
// and the test that fails if samsa ignores it. BrokerConfig (server.properties and a scenario's
// cluster.config), the scenario parser (cluster, topic, producer and consumer configs) and the
// controller (CreateTopics configs) all read this table, so that a property is accepted in one
// place exactly when it is accepted in all of them.
//
// Accepted means applied: a property samsa does not implement yet is listed with the reason and
// refused everywhere (an error naming it), never accepted and then ignored. Kafka names samsa has
// never heard of are not listed: server.properties reports them as unknown (Kafka logs them as
// unused), scenarios and CreateTopics refuse them.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace samsa::config {

enum class Scope : uint8_t { kBroker, kTopic, kProducer, kConsumer };
std::string_view ScopeName(Scope scope);  // "broker", "topic", "producer", "consumer"

enum class Type : uint8_t {
  kInt,     // a decimal integer within [min, max]
  kMs,      // milliseconds within [min, max] (scenarios also take durations: "5s")
  kBool,    // true or false (any case)
  kChoice,  // one of `choices` (a comma-separated list)
  kString,  // any non-empty text (its owner checks the shape: listeners, voters...)
};

struct Property {
  std::string_view name;
  Scope scope;
  Type type;
  std::string_view default_value;  // Kafka's default, as text ("" when Kafka has none)
  int64_t min = 0;                 // kInt, kMs
  int64_t max = INT64_MAX;
  std::string_view choices;        // kChoice: the values samsa accepts, "a,b"
  // Where samsa applies it ("BrokerConfig -> ReplicaManager: the log's segment size").
  std::string_view applies;
  // The test (GoogleTest "Suite.Name") that fails if the property is ignored. Every entry has
  // one; for a refused entry it is the test that proves the refusal.
  std::string_view test;
  // Non-empty: refused, for this reason ("compaction arrives with consumer groups").
  std::string_view refused;
  // Values of an otherwise accepted property that are refused ('|'-separated), with the reason.
  std::string_view refused_values;
  std::string_view refused_value_reason;
  // Topic properties: the broker property that gives the default ("log.segment.bytes").
  std::string_view broker_default;
  // Broker properties the simulator sets for each node itself (node.id, listeners...): a
  // scenario may not set them.
  bool per_node = false;
};

// Every entry, sorted by scope then name.
std::span<const Property> All();
// The entry of `name` in `scope`, or nullptr.
const Property* Find(Scope scope, std::string_view name);

// Checks `value` against the entry: "" when acceptable, else the reason, e.g.
// "'x' is not an integer", "'compact' is not supported by samsa yet: ...",
// "is not supported by samsa yet: ...".
std::string Check(const Property& property, std::string_view value);

// The canonical text of an accepted value: integers without '+' or leading zeros, booleans in
// lower case. Only meaningful when Check returned "".
std::string Canonical(const Property& property, std::string_view value);

}  // namespace samsa::config
