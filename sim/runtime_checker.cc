#include "sim/runtime_checker.h"

#include <algorithm>

#include <fmt/format.h>

namespace samsa::sim {

void RuntimeChecker::NoteHighWatermark(const std::string& topic, int32_t partition, int64_t hw) {
  int64_t& max_hw = max_high_watermark_[{topic, partition}];
  max_hw = std::max(max_hw, hw);
}

std::vector<Violation> RuntimeChecker::Check(const std::vector<BrokerReport>& reports) {
  std::vector<Violation> out;
  for (const BrokerReport& b : reports) {
    const int32_t node = b.node;
    // Controllers (and every node) agree on committed metadata.
    auto [it, inserted] = metadata_hash_at_.try_emplace(b.metadata_offset, b.metadata_hash, node);
    if (!inserted && it->second.first != b.metadata_hash) {
      out.push_back({"metadata-divergence", "", -1, b.metadata_offset,
                     fmt::format("nodes {} and {} replayed different metadata up to offset {}", it->second.second, node,
                                 b.metadata_offset)});
    }
    for (const auto& st : b.partitions) {
      if (!st.is_leader) continue;
      EpochKey key(st.topic, st.partition, st.leader_epoch);
      auto [lit, first] = leader_of_epoch_.try_emplace(key, node);
      if (!first && lit->second != node) {
        // Both claim the epoch? Only a violation if the other still leads it now.
        for (const BrokerReport& other : reports) {
          if (other.node != lit->second) continue;
          for (const auto& os : other.partitions)
            if (os.is_leader && os.topic == st.topic && os.partition == st.partition && os.leader_epoch == st.leader_epoch)
              out.push_back({"multiple-leaders", st.topic, st.partition, -1,
                             fmt::format("nodes {} and {} both lead epoch {}", lit->second, node, st.leader_epoch)});
        }
      }
      auto [hit, hw_first] = hw_of_epoch_.try_emplace(key, st.high_watermark);
      if (!hw_first && st.high_watermark < hit->second && lit->second == node) {
        out.push_back({"hw-regression", st.topic, st.partition, st.high_watermark,
                       fmt::format("leader {} epoch {}: high watermark {} -> {}", node, st.leader_epoch, hit->second,
                                   st.high_watermark)});
      }
      hit->second = std::max(hit->second, st.high_watermark);
      if (st.high_watermark > st.log_end_offset) {
        out.push_back({"hw-above-leo", st.topic, st.partition, st.high_watermark,
                       fmt::format("leader {}: high watermark {} above log end offset {}", node, st.high_watermark,
                                   st.log_end_offset)});
      }
      NoteHighWatermark(st.topic, st.partition, st.high_watermark);
    }
  }
  return out;
}

}  // namespace samsa::sim
