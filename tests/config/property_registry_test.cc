// The property registry (core/config/properties.h): every entry names a test that fails if the
// property is ignored, and what the registry refuses is refused by every reader of properties.
#include "core/config/properties.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/broker/broker_config.h"
#include "sim/scenario.h"
#include "tests/config/property_effect_cases.h"

namespace samsa {
namespace {

using config::Property;
using config::Scope;

// "a|b" -> {"a", "b"}.
std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t i = s.find(sep);
    out.emplace_back(s.substr(0, i));
    s = i == std::string_view::npos ? std::string_view() : s.substr(i + 1);
  }
  return out;
}

// Every "TEST(Suite, Name)" / "TEST_F(...)" / "TEST_P(...)" under tests/, as "Suite.Name".
std::set<std::string> TestNamesInSources() {
  std::set<std::string> names;
  const std::regex test_re(R"(TEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\))");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SAMSA_SOURCE_DIR "/tests")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".cc") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), test_re); it != std::sregex_iterator(); ++it)
      names.insert((*it)[1].str() + "." + (*it)[2].str());
  }
  return names;
}

TEST(PropertyRegistryTest, EveryEntryNamesATestThatExists) {
  const std::set<std::string> tests = TestNamesInSources();
  ASSERT_GT(tests.size(), 100u) << "the test sources were not found under " SAMSA_SOURCE_DIR;
  std::set<std::pair<Scope, std::string>> effect_cases;
  for (const EffectCase& c : EffectCases()) effect_cases.insert({c.scope, c.name});
  size_t entries = 0;
  for (const Property& p : config::All()) {
    ++entries;
    SCOPED_TRACE(std::string(config::ScopeName(p.scope)) + " " + std::string(p.name));
    ASSERT_FALSE(p.test.empty()) << "every property names the test that fails if it is ignored";
    EXPECT_TRUE(tests.count(std::string(p.test))) << "no test named " << p.test;
    if (p.test == kEffectTestName) {
      EXPECT_TRUE(effect_cases.count({p.scope, std::string(p.name)}))
          << "named the effect test, but tests/config/property_effect_cases.h has no case for it";
    }
    EXPECT_FALSE(p.applies.empty() && p.refused.empty()) << "say where it applies, or why it is refused";
    if (p.scope == Scope::kTopic && p.refused.empty()) {
      EXPECT_NE(config::Find(Scope::kBroker, p.broker_default), nullptr) << "its broker default is not a broker property";
    }
  }
  EXPECT_GT(entries, 60u);
  // And the effect cases name only registry entries.
  for (const EffectCase& c : EffectCases()) EXPECT_NE(config::Find(c.scope, c.name), nullptr) << c.name;
}

TEST(PropertyRegistryTest, ChecksTypesRangesAndChoices) {
  const Property* segment = config::Find(Scope::kTopic, "segment.bytes");
  ASSERT_NE(segment, nullptr);
  EXPECT_EQ(config::Check(*segment, "1048576"), "");
  EXPECT_EQ(config::Check(*segment, "x"), "'x' is not an integer");
  EXPECT_EQ(config::Check(*segment, "3"), "'3' is out of range [14, 2147483647]");
  EXPECT_EQ(config::Canonical(*segment, " +0100 "), "100");
  const Property* unclean = config::Find(Scope::kBroker, "unclean.leader.election.enable");
  EXPECT_EQ(config::Check(*unclean, "TRUE"), "");
  EXPECT_EQ(config::Canonical(*unclean, "TRUE"), "true");
  EXPECT_EQ(config::Check(*unclean, "yes"), "'yes' is not true or false");
  const Property* codec = config::Find(Scope::kTopic, "compression.type");
  EXPECT_EQ(config::Check(*codec, "zstd"), "");
  EXPECT_EQ(config::Check(*codec, "brotli"), "'brotli' is not one of: producer,none,gzip,snappy,lz4,zstd");
  const Property* policy = config::Find(Scope::kTopic, "cleanup.policy");
  EXPECT_EQ(config::Check(*policy, "delete"), "");
  EXPECT_NE(config::Check(*policy, "compact").find("'compact' is not supported by samsa yet: log compaction"), std::string::npos);
  EXPECT_NE(config::Check(*policy, "compact,delete").find("not supported"), std::string::npos);
  EXPECT_EQ(config::Find(Scope::kTopic, "no.such.property"), nullptr);
  EXPECT_EQ(config::Find(Scope::kTopic, "log.segment.bytes"), nullptr) << "scopes are separate";
}

// A refused property (or value) is an error in server.properties, in every scenario section and
// in CreateTopics (ControllerTest.CreateTopicRefusesWhatTheRegistryRefuses); never accepted.
TEST(PropertyRegistryTest, RefusedPropertiesAreRefusedEverywhere) {
  struct Refusal {
    Scope scope;
    std::string name, value;
  };
  std::vector<Refusal> refusals;
  for (const Property& p : config::All()) {
    if (!p.refused.empty()) refusals.push_back({p.scope, std::string(p.name), p.type == config::Type::kMs ? "100" : "1"});
    for (const std::string& v : Split(p.refused_values, '|')) refusals.push_back({p.scope, std::string(p.name), v});
  }
  ASSERT_GT(refusals.size(), 25u);
  for (const Refusal& r : refusals) {
    SCOPED_TRACE(std::string(config::ScopeName(r.scope)) + " " + r.name + "=" + r.value);
    if (r.scope == Scope::kBroker) {
      auto c = BrokerConfig::FromProperties({{"node.id", "1"}, {r.name, r.value}});
      ASSERT_FALSE(c.ok());
      EXPECT_NE(c.status().message().find(r.name + ": "), std::string::npos) << c.status().message();
      EXPECT_NE(c.status().message().find("not supported by samsa yet"), std::string::npos) << c.status().message();
    }
    std::string cluster_config = r.scope == Scope::kBroker ? fmt::format("\n  config:\n    {}: \"{}\"", r.name, r.value) : "";
    std::string topic_config = r.scope == Scope::kTopic ? fmt::format(", config: {{ {}: \"{}\" }}", r.name, r.value) : "";
    std::string producer = r.scope == Scope::kProducer ? fmt::format(", {}: \"{}\"", r.name, r.value) : "";
    std::string consumer = r.scope == Scope::kConsumer ? fmt::format(", {}: \"{}\"", r.name, r.value) : "";
    std::string yaml = fmt::format(
        "name: refused\ncluster:\n  brokers: 3{}\ntopics:\n  - {{ name: t, partitions: 1, replication.factor: 3{} }}\n"
        "workload:\n  producers: [{{ topic: t{} }}]\n  consumers: [{{ topic: t{} }}]\nrun_for: 5s\n",
        cluster_config, topic_config, producer, consumer);
    auto s = sim::ParseScenario(yaml, "refused.yaml");
    ASSERT_FALSE(s.ok()) << yaml;
    const std::string& m = s.status().message();
    EXPECT_NE(m.find("refused.yaml:"), std::string::npos) << m;
    EXPECT_NE(m.find(r.name), std::string::npos) << m;
    EXPECT_NE(m.find("not supported by samsa yet"), std::string::npos) << m;
  }
}

// What the scenario format accepts is what the registry accepts: every settable broker and topic
// property is taken (with its default value), and a per-node one is refused with its reason.
TEST(PropertyRegistryTest, ScenariosAcceptExactlyTheRegistrysSettableProperties) {
  for (const Property& p : config::All()) {
    if (p.scope != Scope::kBroker && p.scope != Scope::kTopic) continue;
    if (!p.refused.empty()) continue;
    SCOPED_TRACE(std::string(config::ScopeName(p.scope)) + " " + std::string(p.name));
    std::string value = p.default_value.empty() || p.default_value == "-1" || p.default_value.size() > 12
                            ? "1" : std::string(p.default_value);
    if (p.type == config::Type::kChoice) value = std::string(p.choices.substr(0, p.choices.find(',')));
    if (p.type == config::Type::kString) value = "x";
    std::string yaml = p.scope == Scope::kBroker
                           ? fmt::format("name: s\ncluster:\n  brokers: 3\n  config:\n    {}: \"{}\"\nrun_for: 5s\n", p.name, value)
                           : fmt::format("name: s\ncluster: {{ brokers: 3 }}\ntopics:\n  - {{ name: t, partitions: 1, "
                                         "replication.factor: 3, config: {{ {}: \"{}\" }} }}\nrun_for: 5s\n",
                                         p.name, value);
    auto s = sim::ParseScenario(yaml, "s.yaml");
    if (p.per_node) {
      ASSERT_FALSE(s.ok());
      EXPECT_NE(s.status().message().find("set by the simulator for each node"), std::string::npos) << s.status().message();
    } else {
      EXPECT_TRUE(s.ok()) << s.status().message();
    }
  }
}

// BrokerConfig applies every broker property of the registry: each is a known key, and a value
// other than the default changes what Describe reports (aliases change their canonical name).
TEST(PropertyRegistryTest, BrokerConfigTakesEveryBrokerProperty) {
  for (const Property& p : config::All()) {
    if (p.scope != Scope::kBroker || !p.refused.empty()) continue;
    SCOPED_TRACE(std::string(p.name));
    Properties props = {{"node.id", "1"}};
    std::string value;
    switch (p.type) {
      case config::Type::kInt:
      case config::Type::kMs: value = std::to_string(std::max<int64_t>(p.min, 2) + 1); break;
      case config::Type::kBool: value = p.default_value == "true" ? "false" : "true"; break;
      case config::Type::kChoice: value = std::string(p.choices.substr(p.choices.rfind(',') == std::string_view::npos ? 0 : p.choices.rfind(',') + 1)); break;
      case config::Type::kString: value = "x"; break;
    }
    if (p.name == "process.roles") value = "broker";
    if (p.name == "controller.quorum.voters") value = "1@h:9093,2@h:9094";
    if (p.name == "listeners" || p.name == "advertised.listeners") value = "PLAINTEXT://h:1234";
    if (p.name == "node.id" || p.name == "broker.id") props.erase("node.id"), value = "7";
    if (p.name == "log.cleanup.policy") continue;  // "delete" is its only accepted value: nothing to change
    props[std::string(p.name)] = value;
    auto with = BrokerConfig::FromProperties(props);
    ASSERT_TRUE(with.ok()) << with.status().message();
    EXPECT_TRUE(with->unknown_keys.empty()) << "BrokerConfig has no setter for it";
    props.erase(std::string(p.name));
    if (p.name == "node.id" || p.name == "broker.id") props["node.id"] = "1";
    auto without = BrokerConfig::FromProperties(props);
    ASSERT_TRUE(without.ok());
    EXPECT_NE(with->Describe(), without->Describe()) << "setting it changed nothing BrokerConfig describes";
  }
}

}  // namespace
}  // namespace samsa

namespace samsa {
namespace {

// The properties section of scenarios/README.md, as the registry gives it.
std::string PropertiesMarkdown() {
  std::string out;
  for (config::Scope scope : {Scope::kBroker, Scope::kTopic, Scope::kProducer, Scope::kConsumer}) {
    out += fmt::format("\n{} properties:\n\n| property | values | Kafka's default | what samsa does with it |\n|---|---|---|---|\n",
                       scope == Scope::kBroker     ? "Broker (`cluster.config`)"
                       : scope == Scope::kTopic    ? "Topic (`topics[].config`; a topic property overrides its broker default)"
                       : scope == Scope::kProducer ? "Producer (`workload.producers[]`)"
                                                   : "Consumer (`workload.consumers[]`)");
    std::string refused;
    for (const Property& p : config::All()) {
      if (p.scope != scope || p.per_node) continue;
      if (!p.refused.empty()) {
        refused += fmt::format("{}`{}` ({})", refused.empty() ? "" : ", ", p.name, p.refused);
        continue;
      }
      std::string values;
      switch (p.type) {
        case config::Type::kInt: values = p.max == INT64_MAX ? fmt::format("integer >= {}", p.min) : fmt::format("{}..{}", p.min, p.max); break;
        case config::Type::kMs: values = p.min < 0 ? "duration, or -1" : "duration"; break;
        case config::Type::kBool: values = "true, false"; break;
        case config::Type::kChoice: values = fmt::format("{}", fmt::join(Split(p.choices, ','), ", ")); break;
        case config::Type::kString: values = "text"; break;
      }
      std::string def = p.default_value == "9223372036854775807" ? "never" : std::string(p.default_value);
      std::string what(p.applies);
      if (!p.refused_values.empty())
        what += fmt::format("; refused: `{}` ({})", fmt::join(Split(p.refused_values, '|'), "`, `"), p.refused_value_reason);
      out += fmt::format("| `{}` | {} | {} | {} |\n", p.name, values, def.empty() ? "-" : def, what);
    }
    if (!refused.empty()) out += fmt::format("\nRefused until implemented: {}.\n", refused);
  }
  return out;
}

TEST(PropertyRegistryTest, TheScenarioReadmeListsTheRegistry) {
  std::ifstream in(SAMSA_SOURCE_DIR "/scenarios/README.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- properties: generated from core/config/properties.cc -->\n";
  const std::string end = "<!-- end of properties -->";
  size_t a = readme.find(begin), b = readme.find(end);
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  const std::string section = readme.substr(a + begin.size(), b - a - begin.size());
  EXPECT_EQ(section, PropertiesMarkdown() + "\n") << "replace the section of scenarios/README.md with:\n"
                                                 << PropertiesMarkdown();
}

}  // namespace
}  // namespace samsa
