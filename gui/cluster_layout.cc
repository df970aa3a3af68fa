#include "gui/cluster_layout.h"

#include <algorithm>
#include <cmath>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <boost/graph/fruchterman_reingold.hpp>
#include <boost/graph/random_layout.hpp>
#include <boost/graph/topology.hpp>
#include <boost/random/linear_congruential.hpp>

namespace samsa::gui {

namespace {
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
using Topology = boost::square_topology<boost::minstd_rand>;
using Point = Topology::point_type;
}  // namespace

const std::map<int32_t, NodePlace>& ClusterLayout::Layout(const view::ClusterView& v) {
  // Brokers are laid out by components; producers stand in a column on the left and consumers
  // on the right (data flows left to right), so that they do not crowd the brokers.
  std::set<int32_t> nodes;
  for (const view::BrokerView& b : v.brokers) nodes.insert(b.id);
  std::vector<int32_t> producers, consumers;
  for (const view::ClientView& c : v.clients) {
    if (c.kind == "producer") producers.push_back(c.id);
    if (c.kind == "consumer") consumers.push_back(c.id);
  }
  // Joined: a link between two listed nodes that is not cut both ways.
  std::map<std::pair<int32_t, int32_t>, int> cut_directions;
  std::set<std::pair<int32_t, int32_t>> linked;
  for (const view::LinkView& l : v.links) {
    if (!nodes.count(l.from) || !nodes.count(l.to)) continue;
    auto key = std::minmax(l.from, l.to);
    linked.insert(key);
    if (l.state == view::LinkView::State::kCut) ++cut_directions[key];
  }
  std::set<std::pair<int32_t, int32_t>> edges;
  for (const auto& key : linked)
    if (cut_directions[key] < 2) edges.insert(key);
  std::set<int32_t> all_nodes = nodes;
  all_nodes.insert(producers.begin(), producers.end());
  all_nodes.insert(consumers.begin(), consumers.end());
  if (edges == edges_ && all_nodes == nodes_ && !places_.empty()) return places_;
  edges_ = edges;
  nodes_ = all_nodes;
  places_.clear();
  const bool sides = !producers.empty() || !consumers.empty();
  auto column = [&](const std::vector<int32_t>& ids, double x) {
    for (size_t i = 0; i < ids.size(); ++i) places_[ids[i]] = NodePlace{x, (double(i) + 1) / double(ids.size() + 1), -1};
  };
  column(producers, 0.07);
  column(consumers, 0.93);
  const double left = sides ? 0.16 : 0.0, width = sides ? 0.68 : 1.0;

  std::vector<int32_t> ids(nodes.begin(), nodes.end());
  std::map<int32_t, size_t> index;
  for (size_t i = 0; i < ids.size(); ++i) index[ids[i]] = i;
  Graph all(ids.size());
  for (const auto& [a, b] : edges) boost::add_edge(index[a], index[b], all);
  std::vector<int> component(ids.size());
  components_ = ids.empty() ? 0 : boost::connected_components(all, component.data());
  // Components in order of their smallest node id (ids are sorted, so first appearance).
  std::vector<int> order;
  for (int c : component)
    if (std::find(order.begin(), order.end(), c) == order.end()) order.push_back(c);
  const double box_width = order.empty() ? 1.0 : 1.0 / double(order.size());
  for (size_t slot = 0; slot < order.size(); ++slot) {
    std::vector<size_t> members;
    for (size_t i = 0; i < ids.size(); ++i)
      if (component[i] == order[slot]) members.push_back(i);
    std::map<size_t, size_t> local;
    for (size_t k = 0; k < members.size(); ++k) local[members[k]] = k;
    Graph g(members.size());
    for (const auto& [a, b] : edges)
      if (local.count(index[a]) && local.count(index[b])) boost::add_edge(local[index[a]], local[index[b]], g);
    std::vector<Point> pos(members.size());
    auto pmap = boost::make_iterator_property_map(pos.begin(), boost::get(boost::vertex_index, g));
    boost::minstd_rand gen(uint32_t(1 + ids[members.front()]));
    Topology topology(gen, 100.0);
    if (members.size() == 1) {
      pos[0][0] = 0;
      pos[0][1] = 0;
    } else {
      boost::random_graph_layout(g, pmap, topology);
      boost::fruchterman_reingold_force_directed_layout(g, pmap, topology,
                                                        boost::cooling(boost::linear_cooling<double>(200)));
    }
    double min_x = pos[0][0], max_x = pos[0][0], min_y = pos[0][1], max_y = pos[0][1];
    for (const Point& p : pos) {
      min_x = std::min(min_x, p[0]), max_x = std::max(max_x, p[0]);
      min_y = std::min(min_y, p[1]), max_y = std::max(max_y, p[1]);
    }
    // Normalised to the unit square, then pushed apart where two nodes stand closer than a box
    // (Fruchterman–Reingold balances forces; it does not know how big a broker is drawn).
    std::vector<std::pair<double, double>> unit(members.size());
    for (size_t k = 0; k < members.size(); ++k)
      unit[k] = {max_x > min_x ? (pos[k][0] - min_x) / (max_x - min_x) : 0.5,
                 max_y > min_y ? (pos[k][1] - min_y) / (max_y - min_y) : 0.5};
    const double min_gap = std::min(0.45, 1.2 / std::sqrt(double(members.size())));
    for (int round = 0; round < 200; ++round) {
      bool moved = false;
      for (size_t a = 0; a < unit.size(); ++a)
        for (size_t b = a + 1; b < unit.size(); ++b) {
          double dx = unit[b].first - unit[a].first, dy = unit[b].second - unit[a].second;
          const double d = std::hypot(dx, dy);
          if (d >= min_gap) continue;
          if (d < 1e-9) dx = 1, dy = 0;
          const double push = (min_gap - d) / 2 / std::max(d, 1e-9);
          unit[a].first -= dx * push, unit[a].second -= dy * push;
          unit[b].first += dx * push, unit[b].second += dy * push;
          moved = true;
        }
      for (auto& [x, y] : unit) x = std::clamp(x, 0.0, 1.0), y = std::clamp(y, 0.0, 1.0);
      if (!moved) break;
    }
    for (size_t k = 0; k < members.size(); ++k) {
      NodePlace place;
      const double nx = unit[k].first, ny = unit[k].second;
      // Inside the component's box, with a margin for labels.
      // One node alone stands in the middle of its box; boxes keep a wide gap between them.
      place.x = left + width * box_width * (double(slot) + 0.2 + 0.6 * nx);
      place.y = 0.12 + 0.76 * ny;
      place.component = int(slot);
      places_[ids[members[k]]] = place;
    }
  }
  return places_;
}

}  // namespace samsa::gui
