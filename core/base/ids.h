#pragma once
// Strong ids for the handles of the node seam (core/base/node.h, core/base/disk.h) and the
// simulator's API: a NodeId cannot be passed where a ConnId or a SyncId is expected.
//
// Offsets, leader and controller epochs, partition indexes, and the node ids inside requests,
// metadata records and replica lists are plain integers (int64_t, int32_t), as Kafka's wire
// protocol and log formats have them: they are read from and written to frames, batch headers,
// indexes and checkpoints everywhere, and offset arithmetic (next offset, distance, lag) is on
// the hot paths of the log, replication and clients. A wrapper would be unwrapped at nearly
// every use.

#include <compare>
#include <cstdint>
#include <functional>
#include <ostream>

namespace samsa {

template <typename Tag, typename T>
class StrongId {
 public:
  using ValueType = T;
  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  friend constexpr auto operator<=>(StrongId, StrongId) = default;
  friend std::ostream& operator<<(std::ostream& os, StrongId id) { return os << +id.v_; }

 private:
  T v_{};
};

struct NodeIdTag {};
struct ConnIdTag {};
struct SyncIdTag {};

using NodeId = StrongId<NodeIdTag, int32_t>;   // broker.id / node.id
using ConnId = StrongId<ConnIdTag, uint64_t>;  // one ordered connection, per node
using SyncId = StrongId<SyncIdTag, uint64_t>;  // one asynchronous disk sync

inline constexpr NodeId kNoNode{-1};

}  // namespace samsa

template <typename Tag, typename T>
struct std::hash<samsa::StrongId<Tag, T>> {
  size_t operator()(samsa::StrongId<Tag, T> id) const noexcept { return std::hash<T>()(id.value()); }
};
