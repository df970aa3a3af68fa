#pragma once
// Strong ids: a NodeId cannot be passed where an Offset is expected.

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
struct PartitionIdTag {};
struct EpochTag {};
struct ConnIdTag {};
struct SyncIdTag {};

using NodeId = StrongId<NodeIdTag, int32_t>;            // broker.id / node.id
using PartitionId = StrongId<PartitionIdTag, int32_t>;  // partition index within a topic
using Epoch = StrongId<EpochTag, int32_t>;              // leader epoch or controller epoch
using ConnId = StrongId<ConnIdTag, uint64_t>;           // one ordered connection, per node
using SyncId = StrongId<SyncIdTag, uint64_t>;           // one asynchronous disk sync

// Offsets take arithmetic (next offset, distance), so they are a small value class of their own.
class Offset {
 public:
  constexpr Offset() = default;
  constexpr explicit Offset(int64_t v) : v_(v) {}
  constexpr int64_t value() const { return v_; }
  constexpr Offset operator+(int64_t d) const { return Offset(v_ + d); }
  constexpr Offset operator-(int64_t d) const { return Offset(v_ - d); }
  constexpr int64_t operator-(Offset o) const { return v_ - o.v_; }
  friend constexpr auto operator<=>(Offset, Offset) = default;
  friend std::ostream& operator<<(std::ostream& os, Offset o) { return os << o.v_; }

 private:
  int64_t v_ = 0;
};

inline constexpr Epoch kNoEpoch{-1};
inline constexpr NodeId kNoNode{-1};

}  // namespace samsa

template <typename Tag, typename T>
struct std::hash<samsa::StrongId<Tag, T>> {
  size_t operator()(samsa::StrongId<Tag, T> id) const noexcept { return std::hash<T>()(id.value()); }
};
template <>
struct std::hash<samsa::Offset> {
  size_t operator()(samsa::Offset o) const noexcept { return std::hash<int64_t>()(o.value()); }
};
