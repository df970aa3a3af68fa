// Accepted means applied: changing a property changes a run. For each case of
// property_effect_cases.h, a small cluster under faults runs twice from one seed, once with the
// property at the case's value; the trace hash, the final ClusterView or the brokers' segments
// must differ. A property that is parsed and then ignored leaves all three equal.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/scenario.h"
#include "sim/session.h"
#include "sim/view_json.h"
#include "tests/config/property_effect_cases.h"

namespace samsa {
namespace {

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts)
    if (!p.empty()) out += (out.empty() ? "" : ", ") + p;
  return out;
}

std::string ScenarioYaml(const EffectCase& c, bool with) {
  auto entry = [&](config::Scope scope) {
    if (c.scope != scope) return std::string();
    if (with) return c.name + ": " + c.value;
    // Both runs of a topic case carry one topic config, so that the metadata logs (whose offsets
    // the view shows) have as many records: the other run sets one that equals its default.
    if (scope == config::Scope::kTopic)
      return std::string(c.name == "min.insync.replicas" ? "unclean.leader.election.enable: false" : "min.insync.replicas: 1");
    return std::string();
  };
  auto also = [&](config::Scope scope) { return c.scope == scope ? c.also_client : std::string(); };
  std::string producer = Join({"topic: t", "rate_per_s: 200", "keys: 20", also(config::Scope::kProducer), entry(config::Scope::kProducer)});
  std::string consumer = Join({"topic: t", also(config::Scope::kConsumer), entry(config::Scope::kConsumer)});
  return fmt::format(R"(name: property-effect
cluster:
  brokers: 3
  controllers: [1, 2, 3]
  config: {{ {} }}
topics:
  - {{ name: t, {}, config: {{ {} }} }}
workload:
  producers: [{{ {} }}]
  consumers: [{{ {} }}]
faults: [{}]
run_for: 14s
tolerate: [duplicate]
)",
                     Join({c.also_broker, entry(config::Scope::kBroker)}), c.topic_fields,
                     Join({c.also_topic, entry(config::Scope::kTopic)}), producer, consumer, c.faults);
}

// What a run shows: the cluster's view every simulated second (offsets, leaders, ISRs, clients'
// positions), its cluster events, its client statistics and every broker's segments at the end.
// Not the trace hash: a topic config travels in the CreateTopics request, so any value would
// change the trace even if no broker applied it.
std::string Fingerprint(const std::string& yaml) {
  auto scenario = sim::ParseScenario(yaml, "effect.yaml");
  if (!scenario.ok()) return "parse error: " + scenario.status().message();
  auto session = sim::Session::Open(*scenario, 7);
  if (!session.ok()) return "session error: " + session.status().message();
  sim::Session& s = **session;
  std::string out;
  while (!s.at_end()) {
    s.RunFor(1'000'000'000);
    out += sim::ViewJson(s.View()).dump() + "\n";
  }
  const sim::RunResult& result = s.Finish();
  out += fmt::format("produced={} acked={} consumed={}\n", result.stats.produced, result.stats.acked, result.stats.consumed);
  for (const auto& e : result.events) out += sim::EventJson(e).dump() + "\n";
  for (int32_t id = 1; id <= 3; ++id) {
    auto details = s.DescribeBroker(id);
    if (!details.ok()) continue;
    for (const auto& seg : details->segments)
      out += fmt::format("{} {}-{} @{} {}B\n", id, seg.topic, seg.partition, seg.base_offset, seg.size_bytes);
  }
  return out;
}

TEST(PropertyEffectTest, ChangingItChangesTheRun) {
  std::vector<std::string> ignored;
  for (const EffectCase& c : EffectCases()) {
    SCOPED_TRACE(fmt::format("{} {}: {}", config::ScopeName(c.scope), c.name, c.value));
    const std::string without = Fingerprint(ScenarioYaml(c, false));
    const std::string with = Fingerprint(ScenarioYaml(c, true));
    ASSERT_FALSE(without.starts_with("parse error") || without.starts_with("session error")) << without << ScenarioYaml(c, false);
    ASSERT_FALSE(with.starts_with("parse error") || with.starts_with("session error")) << with << ScenarioYaml(c, true);
    if (with == without) ignored.push_back(fmt::format("{} {}={}", config::ScopeName(c.scope), c.name, c.value));
  }
  EXPECT_TRUE(ignored.empty()) << "these changed nothing in the run:\n  " << fmt::format("{}", fmt::join(ignored, "\n  "));
}

}  // namespace
}  // namespace samsa
