#include "sim/network.h"

#include <algorithm>
#include <boost/graph/connected_components.hpp>

#include "core/base/assert.h"

namespace samsa::sim {

void Network::AddNode(NodeId id, bool is_client) {
  SAMSA_ASSERT_MSG(!vertex_.count(id), "duplicate node id");
  auto v = boost::add_vertex(graph_);
  graph_[v].id = id;
  graph_[v].is_client = is_client;
  vertex_[id] = v;
}

bool Network::IsClient(NodeId id) const { return graph_[V(id)].is_client; }

std::vector<NodeId> Network::nodes() const {
  std::vector<NodeId> out;
  for (const auto& [id, _] : vertex_) out.push_back(id);
  return out;
}

std::vector<NodeId> Network::brokers() const {
  std::vector<NodeId> out;
  for (const auto& [id, v] : vertex_)
    if (!graph_[v].is_client) out.push_back(id);
  return out;
}

Network::Graph::vertex_descriptor Network::V(NodeId id) const {
  auto it = vertex_.find(id);
  SAMSA_ASSERT_MSG(it != vertex_.end(), "unknown node id");
  return it->second;
}

std::optional<Network::Graph::edge_descriptor> Network::Edge(NodeId a, NodeId b) const {
  auto [e, found] = boost::edge(V(a), V(b), graph_);
  if (!found) return std::nullopt;
  return e;
}

void Network::SetLink(NodeId a, NodeId b, LinkSpec spec) {
  SAMSA_ASSERT(a != b);
  SAMSA_ASSERT(spec.latency_min_ns >= 0 && spec.latency_min_ns <= spec.latency_max_ns);
  if (auto e = Edge(a, b)) {
    graph_[*e].spec = spec;
  } else {
    auto [ne, ok] = boost::add_edge(V(a), V(b), graph_);
    graph_[ne].spec = spec;
  }
}

void Network::RemoveLink(NodeId a, NodeId b) { boost::remove_edge(V(a), V(b), graph_); }

bool Network::HasLink(NodeId a, NodeId b) const { return Edge(a, b).has_value(); }

void Network::FullMesh(LinkSpec spec) {
  auto ids = nodes();
  for (size_t i = 0; i < ids.size(); ++i)
    for (size_t j = i + 1; j < ids.size(); ++j)
      if (!HasLink(ids[i], ids[j])) SetLink(ids[i], ids[j], spec);
}

void Network::Uncut(NodeId from, NodeId to) {
  auto it = fault_.find({from, to});
  if (it == fault_.end()) return;
  it->second.cut = false;
  if (it->second.healthy()) fault_.erase(it);
}

void Network::SetExtraLatency(NodeId from, NodeId to, int64_t extra_ns, int64_t jitter_ns) {
  SAMSA_ASSERT(extra_ns >= 0 && jitter_ns >= 0);
  auto& f = fault_[{from, to}];
  f.extra_latency_ns = extra_ns;
  f.jitter_ns = jitter_ns;
  if (f.healthy()) fault_.erase({from, to});
}

void Network::Clog(NodeId from, NodeId to, int64_t until_ns) {
  auto& f = fault_[{from, to}];
  f.clog_until_ns = std::max(f.clog_until_ns, until_ns);
}

LinkFault Network::fault(NodeId from, NodeId to) const {
  auto it = fault_.find({from, to});
  return it == fault_.end() ? LinkFault{} : it->second;
}

bool Network::AnyFault() const {
  for (const auto& [_, f] : fault_)
    if (!f.healthy()) return true;
  return false;
}

bool Network::CanSend(NodeId from, NodeId to) const {
  if (!HasLink(from, to)) return false;
  return !fault(from, to).cut;
}

std::optional<int64_t> Network::DeliveryTime(NodeId from, NodeId to, int64_t now_ns, uint64_t bytes) {
  auto e = Edge(from, to);
  if (!e) return std::nullopt;
  LinkFault f = fault(from, to);
  if (f.cut) return std::nullopt;
  const LinkSpec& spec = graph_[*e].spec;
  int64_t start_ns = now_ns;
  if (spec.bandwidth_bytes_per_s > 0) {
    // Serialise on the link: the frame starts after the previous one left.
    int64_t& busy = busy_until_ns_[{from, to}];
    start_ns = std::max(now_ns, busy);
    unsigned __int128 tx = (unsigned __int128)bytes * 1'000'000'000ULL / spec.bandwidth_bytes_per_s;
    busy = start_ns + int64_t(tx);
    start_ns = busy;
  }
  int64_t latency = prng_.Range(spec.latency_min_ns, spec.latency_max_ns);
  latency += f.extra_latency_ns;
  if (f.jitter_ns > 0) latency += prng_.Range(0, f.jitter_ns);
  int64_t at = start_ns + latency;
  if (f.clog_until_ns > at) at = f.clog_until_ns;
  return at;
}

std::map<NodeId, int> Network::Components() const {
  // Graph of usable links only.
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> g(boost::num_vertices(graph_));
  auto [ei, ee] = boost::edges(graph_);
  for (; ei != ee; ++ei) {
    auto a = boost::source(*ei, graph_), b = boost::target(*ei, graph_);
    if (!fault(graph_[a].id, graph_[b].id).cut && !fault(graph_[b].id, graph_[a].id).cut)
      boost::add_edge(a, b, g);
  }
  std::vector<int> comp(boost::num_vertices(g));
  boost::connected_components(g, comp.data());
  // Renumber in node-id order.
  std::map<int, int> renumber;
  std::map<NodeId, int> out;
  for (const auto& [id, v] : vertex_) {
    auto [it, _] = renumber.emplace(comp[v], int(renumber.size()));
    out[id] = it->second;
  }
  return out;
}

bool Network::Reachable(NodeId a, NodeId b) const {
  auto c = Components();
  return c.at(a) == c.at(b);
}

}  // namespace samsa::sim
