#include "sim/network.h"

#include <gtest/gtest.h>

#include <set>

#include "sim/targets.h"
#include "tests/sim/probe_node.h"

namespace samsa::sim {
namespace {

using testing::ProbeCluster;

std::vector<NodeId> Ids(int n) {
  std::vector<NodeId> v;
  for (int i = 1; i <= n; ++i) v.emplace_back(i);
  return v;
}

TEST(NetworkTest, ConnectionOpensBothEndsAndCarriesExactBytesInOrderUnderJitter) {
  ProbeCluster c(2);
  uint64_t b_conn = c.Connect(1, 7, 2);
  ASSERT_NE(b_conn, 0u);
  auto a_open = c.L(1).Of("open");
  ASSERT_EQ(a_open.size(), 1u);
  EXPECT_TRUE(a_open[0].outbound);
  EXPECT_EQ(a_open[0].peer, NodeId(2));
  EXPECT_EQ(c.L(2).Of("open")[0].peer, NodeId(1));
  EXPECT_FALSE(c.L(2).Of("open")[0].outbound);
  EXPECT_LT(a_open[0].now_ns, 50'000'000);

  // Heavy jitter: per-frame latency varies by up to 20 ms, order must still hold.
  c.sim.SetLinkLatency(NodeId(1), NodeId(2), 1'000'000, 20'000'000);
  std::string binary("\x00\x01\xff\n", 4);
  for (int i = 0; i < 200; ++i) {
    c.P(1).Send(7, fmt::format("m{}", i) + binary);
    if (i % 10 == 0) {
      c.sim.Drain(NodeId(1));
      c.sim.RunFor(1'000'000);
    }
  }
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(1'000'000'000);
  auto frames = c.L(2).Of("frame");
  ASSERT_EQ(frames.size(), 200u);
  int64_t last = 0;
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(frames[size_t(i)].data, fmt::format("m{}", i) + binary);
    EXPECT_EQ(frames[size_t(i)].conn, b_conn);
    EXPECT_GE(frames[size_t(i)].now_ns, last);
    last = frames[size_t(i)].now_ns;
  }
  // And back on the accepted connection.
  c.P(2).Send(b_conn, "reply");
  c.sim.Drain(NodeId(2));
  c.sim.RunFor(100'000'000);
  ASSERT_EQ(c.L(1).Of("frame").size(), 1u);
  EXPECT_EQ(c.L(1).Of("frame")[0].conn, 7u);
}

TEST(NetworkTest, CutDropsFramesResetsConnectionsAndFailsNewOnes) {
  ProbeCluster c(2);
  uint64_t b_conn = c.Connect(1, 1, 2);
  c.P(1).Send(1, "lost");
  c.sim.Drain(NodeId(1));
  c.sim.CutLink(NodeId(1), NodeId(2));  // the frame in flight is dropped
  c.sim.RunFor(100'000'000);
  EXPECT_TRUE(c.L(2).Of("frame").empty());
  ASSERT_EQ(c.L(1).Of("closed").size(), 1u);
  ASSERT_EQ(c.L(2).Of("closed").size(), 1u);
  EXPECT_EQ(c.L(2).Of("closed")[0].conn, b_conn);
  EXPECT_EQ(c.sim.open_connections(), 0u);
  // A new connection attempt fails.
  c.P(1).Open(2, NodeId(2));
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(100'000'000);
  EXPECT_EQ(c.L(1).Of("closed").size(), 2u);
  EXPECT_EQ(c.L(1).Of("closed")[1].conn, 2u);
  EXPECT_EQ(c.L(2).Of("open").size(), 1u);
  EXPECT_GT(c.sim.stats().frames_dropped, 0u);
  // Healed: connecting works again.
  c.sim.HealNetwork();
  EXPECT_NE(c.Connect(1, 3, 2), b_conn);
  EXPECT_EQ(c.L(1).Of("open").size(), 2u);
}

TEST(NetworkTest, OneWayCutDropsOneDirectionOnlyThenTheConnectionTimesOut) {
  SimOptions so;
  so.stall_reset_ns = 300'000'000;
  ProbeCluster c(2, so);
  uint64_t b_conn = c.Connect(1, 1, 2);
  c.sim.CutOneWay(NodeId(1), NodeId(2));
  c.P(1).Send(1, "a->b lost");
  c.sim.Drain(NodeId(1));
  c.sim.HealNetwork();
  c.P(1).Send(1, "a->b after the gap");  // never delivered past the lost frame
  c.sim.Drain(NodeId(1));
  c.P(2).Send(b_conn, "b->a");
  c.sim.Drain(NodeId(2));
  c.sim.RunFor(100'000'000);
  EXPECT_TRUE(c.L(2).Of("frame").empty());
  ASSERT_EQ(c.L(1).Of("frame").size(), 1u);
  EXPECT_EQ(c.L(1).Of("frame")[0].data, "b->a");
  EXPECT_TRUE(c.L(1).Of("closed").empty());  // not reset yet
  c.sim.CutOneWay(NodeId(1), NodeId(2));
  EXPECT_FALSE(c.sim.network().Reachable(NodeId(1), NodeId(2)));
  EXPECT_FALSE(c.sim.network().CanConnect(NodeId(2), NodeId(1)));
  EXPECT_TRUE(c.sim.network().CanSend(NodeId(2), NodeId(1)));
  c.sim.RunFor(300'000'000);  // the stalled connection times out on both ends
  EXPECT_EQ(c.L(1).Of("closed").size(), 1u);
  EXPECT_EQ(c.L(2).Of("closed").size(), 1u);
}

TEST(NetworkTest, ClogHoldsFramesThenReleasesThemInOrder) {
  ProbeCluster c(2);
  c.Connect(1, 1, 2);
  int64_t until = c.sim.now_ns() + 500'000'000;
  c.sim.Clog(NodeId(1), NodeId(2), until);
  for (int i = 0; i < 20; ++i) c.P(1).Send(1, fmt::format("{}", i));
  c.sim.Drain(NodeId(1));
  c.sim.RunUntil(until - 1);
  EXPECT_TRUE(c.L(2).Of("frame").empty());
  c.sim.RunFor(10'000'000);
  auto frames = c.L(2).Of("frame");
  ASSERT_EQ(frames.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(frames[size_t(i)].data, fmt::format("{}", i));
    EXPECT_EQ(frames[size_t(i)].now_ns, until);
  }
}

TEST(NetworkTest, ResetAndGracefulClose) {
  ProbeCluster c(2);
  uint64_t b_conn = c.Connect(1, 1, 2);
  c.sim.ResetConnections(NodeId(1), NodeId(2));
  c.sim.RunFor(10'000'000);
  EXPECT_EQ(c.L(1).Of("closed").size(), 1u);
  EXPECT_EQ(c.L(2).Of("closed").size(), 1u);
  // Graceful close: the peer gets the data first, then ConnClosed; the closer gets no ConnClosed.
  b_conn = c.Connect(1, 2, 2);
  c.P(1).Send(2, "last words");
  c.P(1).Close(2);
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(100'000'000);
  ASSERT_GE(c.L(2).events.size(), 2u);
  EXPECT_EQ(c.L(2).events[c.L(2).events.size() - 2].data, "last words");
  EXPECT_EQ(c.L(2).events.back().kind, "closed");
  EXPECT_EQ(c.L(2).events.back().conn, b_conn);
  EXPECT_EQ(c.L(1).Of("closed").size(), 1u);
  EXPECT_EQ(c.sim.open_connections(), 0u);
}

TEST(NetworkTest, AcceptorNeverHearsOfAConnectionResetBeforeItArrived) {
  ProbeCluster c(2);
  c.P(1).Open(1, NodeId(2));
  c.sim.Drain(NodeId(1));
  c.sim.Crash(NodeId(1));  // before the connection reaches node 2
  c.sim.RunFor(100'000'000);
  EXPECT_TRUE(c.L(2).Of("open").empty());
  EXPECT_TRUE(c.L(2).Of("closed").empty());
  EXPECT_EQ(c.sim.open_connections(), 0u);
}

TEST(NetworkTest, ConnectingToADownNodeIsRefused) {
  ProbeCluster c(2);
  c.sim.Crash(NodeId(2));
  c.P(1).Open(5, NodeId(2));
  c.sim.Drain(NodeId(1));
  c.sim.RunFor(10'000'000);
  ASSERT_EQ(c.L(1).Of("closed").size(), 1u);
  EXPECT_EQ(c.L(1).Of("closed")[0].conn, 5u);
}

TEST(NetworkTest, ClientConnectionsShowNoPeerAtTheAcceptor) {
  Simulation sim(SimOptions{});
  auto broker_log = std::make_shared<testing::ProbeLog>();
  auto client_log = std::make_shared<testing::ProbeLog>();
  sim.AddNode(NodeId(1), testing::ProbeFactory(broker_log));
  sim.AddNode(NodeId(100), testing::ProbeFactory(client_log), /*is_client=*/true);
  EXPECT_EQ(sim.broker_ids(), std::vector<NodeId>{NodeId(1)});
  testing::Probe(sim, NodeId(100)).Open(1, NodeId(1));
  sim.Drain(NodeId(100));
  sim.RunFor(10'000'000);
  ASSERT_EQ(broker_log->Of("open").size(), 1u);
  EXPECT_EQ(broker_log->Of("open")[0].peer, kNoNode);
  EXPECT_GE(broker_log->Of("open")[0].conn, uint64_t(1) << 63);
}

TEST(NetworkTest, BandwidthSerialisesFrames) {
  Network net(Prng(1));
  net.AddNode(NodeId(1));
  net.AddNode(NodeId(2));
  net.SetLink(NodeId(1), NodeId(2), LinkSpec{1000, 1000, 1'000'000});  // 1 MB/s, 1 us latency
  int64_t a = *net.DeliveryTime(NodeId(1), NodeId(2), 0, 1000);  // 1 ms on the wire
  int64_t b = *net.DeliveryTime(NodeId(1), NodeId(2), 0, 1000);
  EXPECT_EQ(a, 1'000'000 + 1000);
  EXPECT_EQ(b, 2'000'000 + 1000);
  EXPECT_EQ(*net.DeliveryTime(NodeId(2), NodeId(1), 0, 1000), a);  // the other direction is free
}

TEST(NetworkTest, ComponentsFollowCuts) {
  Network net(Prng(1));
  for (NodeId id : Ids(5)) net.AddNode(id);
  net.FullMesh(LinkSpec{});
  auto comp = net.Components();
  for (NodeId id : Ids(5)) EXPECT_EQ(comp[id], 0);
  for (auto [a, b] : CompleteGrudge({{NodeId(1), NodeId(4)}, {NodeId(2), NodeId(3), NodeId(5)}})) net.Cut(a, b);
  comp = net.Components();
  EXPECT_EQ(comp[NodeId(1)], 0);
  EXPECT_EQ(comp[NodeId(4)], 0);
  EXPECT_EQ(comp[NodeId(2)], 1);
  EXPECT_EQ(comp[NodeId(5)], 1);
  EXPECT_TRUE(net.Reachable(NodeId(2), NodeId(3)));
  EXPECT_FALSE(net.Reachable(NodeId(1), NodeId(2)));
  net.HealAll();
  EXPECT_TRUE(net.Reachable(NodeId(1), NodeId(2)));
  net.RemoveLink(NodeId(1), NodeId(2));
  EXPECT_FALSE(net.HasLink(NodeId(1), NodeId(2)));
  EXPECT_FALSE(net.DeliveryTime(NodeId(1), NodeId(2), 0, 1).has_value());
  EXPECT_TRUE(net.Reachable(NodeId(1), NodeId(2)));  // via others
}

TEST(TargetsTest, OneMinorityMajorityAll) {
  Prng p(7);
  auto nodes = Ids(5);
  TargetProviders none;
  auto one = ResolveNodes(TargetKind::kOne, nodes, p, none);
  ASSERT_EQ(one.size(), 1u);
  auto [minority, majority] = MinorityMajority(nodes, p);
  EXPECT_EQ(minority.size(), 2u);
  EXPECT_EQ(majority.size(), 3u);
  std::set<NodeId> all(minority.begin(), minority.end());
  all.insert(majority.begin(), majority.end());
  EXPECT_EQ(all.size(), 5u);
  EXPECT_EQ(ResolveNodes(TargetKind::kMinority, nodes, p, none).size(), 2u);
  EXPECT_EQ(ResolveNodes(TargetKind::kMajority, nodes, p, none).size(), 3u);
  EXPECT_EQ(ResolveNodes(TargetKind::kAll, nodes, p, none), nodes);
  // Leaders and controller come from providers; without them there is no target.
  EXPECT_TRUE(ResolveNodes(TargetKind::kLeaders, nodes, p, none).empty());
  TargetProviders prov;
  prov.partition_leaders = [] { return std::vector<NodeId>{NodeId(4), NodeId(2), NodeId(4)}; };
  prov.active_controller = [] { return std::vector<NodeId>{NodeId(3)}; };
  EXPECT_EQ(ResolveNodes(TargetKind::kLeaders, nodes, p, prov), (std::vector<NodeId>{NodeId(2), NodeId(4)}));
  EXPECT_EQ(ResolveNodes(TargetKind::kController, nodes, p, prov), std::vector<NodeId>{NodeId(3)});
  // Isolating the controller: it alone in one component.
  Network net(Prng(1));
  for (NodeId id : nodes) net.AddNode(id);
  net.FullMesh(LinkSpec{});
  for (auto [a, b] : ResolveGrudge(TargetKind::kController, nodes, p, prov)) net.Cut(a, b);
  auto comp = net.Components();
  for (NodeId id : nodes) EXPECT_EQ(comp[id] == comp[NodeId(3)], id == NodeId(3));
  // Halves: two components of sizes 2 and 3.
  net.HealAll();
  for (auto [a, b] : ResolveGrudge(TargetKind::kMinority, nodes, p, none)) net.Cut(a, b);
  std::map<int, int> sizes;
  for (auto [id, k] : net.Components()) ++sizes[k];
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_EQ(std::min(sizes[0], sizes[1]), 2);
}

TEST(TargetsTest, MajorityRingGivesEachNodeADifferentMajority) {
  for (int n : {3, 5, 7}) {
    Prng p{uint64_t(n)};
    auto nodes = Ids(n);
    Grudge g = MajorityRingGrudge(nodes, p);
    std::set<std::pair<NodeId, NodeId>> cut(g.begin(), g.end());
    std::set<std::set<NodeId>> views;
    for (NodeId a : nodes) {
      std::set<NodeId> sees{a};
      for (NodeId b : nodes)
        if (a != b && !cut.count({a, b})) {
          EXPECT_FALSE(cut.count({b, a}));  // symmetric
          sees.insert(b);
        }
      EXPECT_GE(int(sees.size()), n / 2 + 1) << "n=" << n;
      views.insert(sees);
    }
    if (n >= 5) {
      EXPECT_EQ(int(views.size()), n);  // all different
    }
  }
}

TEST(TargetsTest, BridgeNodeSeesBothSides) {
  Prng p(3);
  auto nodes = Ids(5);
  NodeId bridge;
  Grudge g = BridgeGrudge(nodes, p, &bridge);
  Network net(Prng(1));
  for (NodeId id : nodes) net.AddNode(id);
  net.FullMesh(LinkSpec{});
  for (auto [a, b] : g) net.Cut(a, b);
  int others_cut = 0;
  for (NodeId a : nodes) {
    if (a == bridge) {
      for (NodeId b : nodes)
        if (b != a) {
          EXPECT_TRUE(net.CanConnect(a, b));
        }
    } else {
      for (NodeId b : nodes)
        if (b != a && b != bridge && !net.CanConnect(a, b)) ++others_cut;
    }
  }
  EXPECT_EQ(others_cut, 2 * 2 * 2);  // 2x2 cross pairs, counted from both ends
  auto comp = net.Components();
  EXPECT_EQ(std::set<int>({comp[NodeId(1)], comp[NodeId(2)], comp[NodeId(3)], comp[NodeId(4)], comp[NodeId(5)]}).size(), 1u);
}

}  // namespace
}  // namespace samsa::sim
