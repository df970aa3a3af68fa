#pragma once
// Network: the simulated topology, its per-link fault state, and the timing of deliveries.
//
// The topology is a Boost.Graph undirected graph: one vertex per node (broker or client), one edge
// per link, carrying a latency range [latency_min_ns, latency_max_ns] drawn uniformly per frame and
// an optional bandwidth (bytes per second; 0 = unlimited) that serialises frames per direction.
// Two nodes talk only over a direct link: there is no routing, so a "majority ring" partition
// really leaves each node seeing only its own majority.
//
// Faults are per DIRECTED link (from -> to):
//   cut            frames from -> to are dropped and new connections fail (a two-way cut also
//                  resets connections; the Simulation does that)
//   extra latency  added to every frame, plus a uniform jitter in [0, jitter_ns]
//   clog until T   frames SENT while the clog holds are delivered, in order, no earlier than T
//                  (frames already in flight when the clog starts are not held back)
// Connection ordering (TCP-like) is the Simulation's job: it delivers a frame at
// max(DeliveryTime(...), the connection's previous delivery in that direction).
//
// Reachability: connected components (boost::connected_components) of the graph of links that
// are uncut in both directions. Component numbers are assigned in node-id order, so they are
// deterministic. All random draws come from the network's own Prng stream.

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/base/ids.h"
#include "core/base/prng.h"

namespace samsa::sim {

struct LinkSpec {
  int64_t latency_min_ns = 100'000;  // 0.1 ms
  int64_t latency_max_ns = 500'000;  // 0.5 ms
  uint64_t bandwidth_bytes_per_s = 0;  // 0 = unlimited
};

struct LinkFault {
  bool cut = false;
  int64_t extra_latency_ns = 0;
  int64_t jitter_ns = 0;
  int64_t clog_until_ns = 0;
  bool healthy() const { return !cut && extra_latency_ns == 0 && jitter_ns == 0 && clog_until_ns == 0; }
};

class Network {
 public:
  struct VertexInfo {
    NodeId id;
    bool is_client = false;
  };
  struct EdgeInfo {
    LinkSpec spec;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, VertexInfo, EdgeInfo>;

  explicit Network(Prng prng) : prng_(prng) {}

  // Adds a vertex. Ids must be unique.
  void AddNode(NodeId id, bool is_client = false);
  bool HasNode(NodeId id) const { return vertex_.count(id) > 0; }
  bool IsClient(NodeId id) const;
  // All node ids, sorted.
  std::vector<NodeId> nodes() const;
  std::vector<NodeId> brokers() const;  // non-client nodes, sorted

  // Adds or replaces the link a <-> b.
  void SetLink(NodeId a, NodeId b, LinkSpec spec);
  void RemoveLink(NodeId a, NodeId b);
  bool HasLink(NodeId a, NodeId b) const;
  // Links every pair of nodes that has none yet.
  void FullMesh(LinkSpec spec);

  // Directed faults.
  void Cut(NodeId from, NodeId to) { fault_[{from, to}].cut = true; }
  void CutBoth(NodeId a, NodeId b) { Cut(a, b), Cut(b, a); }
  void Uncut(NodeId from, NodeId to);
  void SetExtraLatency(NodeId from, NodeId to, int64_t extra_ns, int64_t jitter_ns);
  void Clog(NodeId from, NodeId to, int64_t until_ns);
  // Removes every fault of every link (cuts, latency, clogs).
  void HealAll() { fault_.clear(); }
  LinkFault fault(NodeId from, NodeId to) const;
  bool AnyFault() const;

  // True when a frame from -> to would not be dropped (link exists and is not cut).
  bool CanSend(NodeId from, NodeId to) const;
  // True when a connection can be set up (both directions usable).
  bool CanConnect(NodeId a, NodeId b) const { return CanSend(a, b) && CanSend(b, a); }

  // When a frame of `bytes` sent now from -> to arrives, or nullopt when it is dropped. Draws
  // latency and jitter from the network's stream and books the link's bandwidth.
  std::optional<int64_t> DeliveryTime(NodeId from, NodeId to, int64_t now_ns, uint64_t bytes);

  // Component index of every node over links uncut in both directions; numbered 0.. in order of
  // each component's smallest node id.
  std::map<NodeId, int> Components() const;
  bool Reachable(NodeId a, NodeId b) const;

  const Graph& graph() const { return graph_; }
  Prng& prng() { return prng_; }

 private:
  Graph::vertex_descriptor V(NodeId id) const;
  std::optional<Graph::edge_descriptor> Edge(NodeId a, NodeId b) const;

  Prng prng_;
  Graph graph_;
  std::map<NodeId, Graph::vertex_descriptor> vertex_;
  std::map<std::pair<NodeId, NodeId>, LinkFault> fault_;
  std::map<std::pair<NodeId, NodeId>, int64_t> busy_until_ns_;  // bandwidth booking per direction
};

}  // namespace samsa::sim
