#include <gtest/gtest.h>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include "core/broker/broker.h"
#include "core/client/producer.h"
#include "core/controller/raft.h"
#include "core/controller/quorum_controller.h"
#include "core/replication/replica_manager.h"
#include "sim/scenario_runner.h"
#include "sim/cluster_factory.h"
#include "sim/simulation.h"

namespace samsa {
namespace {
struct Wrap : sim::ClusterFactory {
  sim::ClusterFactory* d = sim::DefaultClusterFactory();
  sim::NodeFactory Broker(const sim::Scenario& s, int32_t id) override { return d->Broker(s, id); }
  sim::NodeFactory Producer(const sim::Scenario& s, const sim::ProducerSpec& p, int32_t id) override { return d->Producer(s, p, id); }
  sim::NodeFactory Consumer(const sim::Scenario& s, const sim::ConsumerSpec& p, int32_t id) override { return d->Consumer(s, p, id); }
  void InstallProviders(sim::Simulation& s) override { d->InstallProviders(s); }
  std::vector<NodeId> LeaderOf(sim::Simulation& s, const sim::PartitionRef& p) override { return d->LeaderOf(s, p); }
  std::vector<sim::Violation> CheckHistory(sim::Simulation& s) override { return d->CheckHistory(s); }
  sim::ExpectationResult Evaluate(const sim::Expectation& e, sim::Simulation& s, const sim::RunTimeline& t) override { return d->Evaluate(e, s, t); }
  sim::Stats CollectStats(sim::Simulation& s) override { return d->CollectStats(s); }
  std::vector<sim::Violation> CheckRuntime(sim::Simulation& s) override {
    auto v = d->CheckRuntime(s);
    int64_t t = s.now_ns() / 1000000; fmt::print("chk {}\n", t);
    if (t >= (std::getenv("FROM") ? std::atoll(std::getenv("FROM")) : 30000)) Dump(s);
    return v;
  }
  void Dump(sim::Simulation& s) {
    std::string out = fmt::format("=== t={}ms\n", s.now_ns() / 1000000);
    for (NodeId id : s.broker_ids()) {
      auto* b = dynamic_cast<BrokerNode*>(s.node(id));
      if (!b || !b->raft()) { out += fmt::format(" node {} down\n", id.value()); continue; }
      out += fmt::format(" node {}: raft={} ep={} leader={} hw={} leo={} active={} lc={} bep={} img={}\n", id.value(),
        b->raft()->StateName(), b->raft()->Epoch(), b->raft()->LeaderId(), b->raft()->HighWatermark(), b->raft()->LogEndOffset(),
        b->IsActiveController(), int(b->lifecycle()), b->broker_epoch(), b->image().offset());
      out += "   img:";
      for (const auto& [bid, info] : b->image().brokers()) out += fmt::format(" b{}{}e{}", bid, info.fenced ? "F" : "", info.epoch);
      for (const auto& [n, t] : b->image().topics()) for (const auto& [pi, pinfo] : t.partitions)
        out += fmt::format(" p{}:L{} e{} isr[{}]", pi, pinfo.leader, pinfo.leader_epoch, fmt::join(pinfo.isr, ","));
      out += "\n";
      if (b->replicas()) for (auto& st : b->replicas()->Partitions())
        out += fmt::format("   {}-{} leader={} ep={} leo={} hw={} isr=[{}]\n", st.topic, st.partition, st.is_leader, st.leader_epoch,
          st.log_end_offset, st.high_watermark, fmt::join(st.isr, ","));
    }
    auto* p = dynamic_cast<client::ProducerNode*>(s.node(NodeId(1001)));
    if (p) out += fmt::format(" producer acked={} failed={} reqs={} retries={} expired={}\n", p->stats().acked, p->stats().failed,
        p->stats().produce_requests, p->stats().retries, p->stats().expired);
    fmt::print("{}", out);
  }
};
TEST(ZZDebug, Run) {
  const char* seed_s = std::getenv("SEED");
  uint64_t seed = seed_s ? std::stoull(seed_s) : 3;
  std::ifstream f(SAMSA_SOURCE_DIR "/scenarios/random-nemesis-safe.yaml");
  std::stringstream ss; ss << f.rdbuf();
  auto sc = sim::ParseScenario(ss.str(), "x");
  ASSERT_TRUE(sc.ok());
  Wrap w;
  sim::RunOptions o;
  auto r = sim::RunScenario(*sc, seed, w, o);
  for (auto& e : r.expectations) fmt::print("{} {}\n", e.passed, e.detail);
}
}
}
