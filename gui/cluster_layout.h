#pragma once
// ClusterLayout: where each node of a ClusterView goes in the cluster picture. Plain C++ (no Qt
// types): Boost.Graph's Fruchterman–Reingold layout, run on each connected component on its own
// (nodes joined by links that are not cut in both directions), each component in its own box,
// boxes side by side in order of their smallest node id. A partitioned cluster therefore falls
// apart on screen, and rejoins when healed. Producers stand in a column on the left and consumers
// on the right. The generator is seeded, so the same components give the same picture; Layout()
// only recomputes when the components or the clients change.
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "core/view/cluster_view.h"

namespace samsa::gui {

struct NodePlace {
  double x = 0.5;  // in [0, 1] of the picture's width
  double y = 0.5;  // in [0, 1] of its height
  int component = 0;  // -1 for clients
  friend bool operator==(const NodePlace&, const NodePlace&) = default;
};

class ClusterLayout {
 public:
  // Nodes: every broker and every producer or consumer (not the admin client).
  const std::map<int32_t, NodePlace>& Layout(const view::ClusterView& view);
  int components() const { return components_; }

 private:
  std::set<std::pair<int32_t, int32_t>> edges_;  // of the last layout
  std::set<int32_t> nodes_;
  std::map<int32_t, NodePlace> places_;
  int components_ = 0;
};

}  // namespace samsa::gui
