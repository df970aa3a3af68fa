#include "sim/runtime_checker.h"

#include <algorithm>

#include <fmt/format.h>

namespace samsa::sim {

void RuntimeChecker::NoteHighWatermark(const std::string& topic, int32_t partition, int64_t hw) {
  int64_t& max_hw = max_high_watermark_[{topic, partition}];
  max_hw = std::max(max_hw, hw);
}

void RuntimeChecker::UpdateMetadata(int32_t node, int64_t offset, uint64_t hash, std::vector<Violation>& out) {
  // Controllers (and every node) agree on committed metadata.
  auto [it, inserted] = metadata_hash_at_.try_emplace(offset, hash, node);
  if (!inserted && it->second.first != hash) {
    out.push_back({"metadata-divergence", "", -1, offset,
                   fmt::format("nodes {} and {} replayed different metadata up to offset {}", it->second.second, node,
                               offset)});
  }
}

RuntimeChecker::Track* RuntimeChecker::FindTrack(const std::string& topic, int32_t partition, bool create) {
  if (last_topic_ == nullptr || last_topic_->first != topic) {
    auto it = tracks_.find(topic);
    if (it == tracks_.end()) {
      if (!create) return nullptr;
      it = tracks_.emplace(topic, TopicTracks()).first;
    }
    last_topic_ = &*it;
  }
  TopicTracks& t = last_topic_->second;
  size_t slot = t.slots.Find(partition);
  if (slot == PartitionSlots::kNone) {
    if (!create) return nullptr;
    slot = t.tracks.size();
    t.tracks.emplace_back();
    t.slots.Set(partition, uint32_t(slot), t.tracks.size());
  }
  return &t.tracks[slot];
}

template <typename Fn>
void RuntimeChecker::ForEachTrack(Fn&& fn) {
  for (auto& [topic, t] : tracks_)
    for (Track& track : t.tracks) fn(track);
}

void RuntimeChecker::UpdatePartition(int32_t node, int64_t at_ns, const ReplicaManager::PartitionState& st,
                                     std::vector<Violation>& out) {
  auto leader_of = [](Track& t, int32_t n) {
    return std::lower_bound(t.leaders.begin(), t.leaders.end(), n,
                            [](const std::pair<int32_t, int32_t>& e, int32_t k) { return e.first < k; });
  };
  if (!st.is_leader) {
    if (Track* t = FindTrack(st.topic, st.partition, false)) {
      auto l = leader_of(*t, node);
      if (l != t->leaders.end() && l->first == node) t->leaders.erase(l);
    }
    return;
  }
  Track& track = *FindTrack(st.topic, st.partition, true);
  // Two current leaders of one epoch: reported at each change while it lasts (the runner keeps
  // one of identical violations), naming the lower id first.
  if (auto l = leader_of(track, node); l != track.leaders.end() && l->first == node)
    l->second = st.leader_epoch;
  else
    track.leaders.insert(l, {node, st.leader_epoch});
  for (const auto& [other, epoch] : track.leaders)
    if (other != node && epoch == st.leader_epoch)
      out.push_back({"multiple-leaders", st.topic, st.partition, -1,
                     fmt::format("nodes {} and {} both lead epoch {}", std::min(node, other), std::max(node, other),
                                 st.leader_epoch)});
  auto [eit, first] = track.epochs.try_emplace(st.leader_epoch, Track::Epoch{node, st.high_watermark});
  Track::Epoch& epoch = eit->second;
  if (first) {
    std::vector<ElectionNote>& e = elections_[Tp(st.topic, st.partition)];
    // Reports arrive in time order; a report of an older time would go in its place.
    auto pos = std::upper_bound(e.begin(), e.end(), at_ns,
                                [](int64_t t, const ElectionNote& n) { return t < n.at_ns; });
    e.insert(pos, ElectionNote{at_ns, st.leader_epoch, node});
  } else if (st.high_watermark < epoch.max_hw && epoch.first_leader == node) {
    out.push_back({"hw-regression", st.topic, st.partition, st.high_watermark,
                   fmt::format("leader {} epoch {}: high watermark {} -> {}", node, st.leader_epoch, epoch.max_hw,
                               st.high_watermark)});
  }
  epoch.max_hw = std::max(epoch.max_hw, st.high_watermark);
  if (st.high_watermark > st.log_end_offset) {
    out.push_back({"hw-above-leo", st.topic, st.partition, st.high_watermark,
                   fmt::format("leader {}: high watermark {} above log end offset {}", node, st.high_watermark,
                               st.log_end_offset)});
  }
  if (track.max_hw == nullptr) track.max_hw = &max_high_watermark_[Tp(st.topic, st.partition)];
  *track.max_hw = std::max(*track.max_hw, st.high_watermark);
}

std::vector<Violation> RuntimeChecker::Update(const BrokerReport& b) {
  std::vector<Violation> out;
  if (b.metadata_offset >= 0) UpdateMetadata(b.node, b.metadata_offset, b.metadata_hash, out);
  for (const auto& [offset, why] : b.undecodable_metadata)
    out.push_back({"metadata-divergence", "", -1, offset,
                   fmt::format("node {} cannot decode the committed metadata record at offset {}: {}", b.node,
                               offset, why)});
  for (const auto& st : b.partitions) UpdatePartition(b.node, b.at_ns, st, out);
  return out;
}

void RuntimeChecker::NodeDown(int32_t node) {
  ForEachTrack([&](Track& t) {
    t.leaders.erase(std::remove_if(t.leaders.begin(), t.leaders.end(),
                                   [&](const std::pair<int32_t, int32_t>& e) { return e.first == node; }),
                    t.leaders.end());
  });
}

std::vector<Violation> RuntimeChecker::Check(const std::vector<BrokerReport>& reports) {
  // Every node's state is replaced by its report (nodes not listed are down): forget every
  // current leadership, then apply the reports (a node that stopped leading does not count as a
  // leader while the others are applied).
  ForEachTrack([](Track& t) { t.leaders.clear(); });
  std::vector<Violation> out;
  for (const BrokerReport& b : reports) {
    std::vector<Violation> v = Update(b);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

}  // namespace samsa::sim
