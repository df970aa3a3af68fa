#pragma once
// RuntimeChecker: the invariants a Kafka cluster must keep at every instant, checked on what the
// live brokers report (SamsaClusterFactory feeds it after every step of a broker node, with the
// partitions whose state changed in that step):
//   multiple-leaders     two nodes lead the same partition in the same leader epoch at once
//   hw-regression        a leader's high watermark goes back within its epoch
//   hw-above-leo         a leader's high watermark is above its log end offset
//   metadata-divergence  two nodes replayed different metadata up to the same offset, or a
//                        node could not decode a committed metadata record (its image lacks it)
// It keeps what it learns across reports (each node's current leaderships, who led each epoch,
// the highest high watermark seen, the metadata hash at each offset), so one instance serves one
// run, and a report need only carry what changed. Plain data in, violations out: tests feed it
// made-up reports.
//
// It also records, for loss attribution (sim/history_checker.h AttributeLoss), each partition's
// elections: the first time each leader epoch is seen led, by whom.

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/container/flat_map.hpp>
#include <boost/container/small_vector.hpp>

#include "core/base/partition_slots.h"
#include "core/replication/replica_manager.h"
#include "sim/history_checker.h"

namespace samsa::sim {

// What one live node reports.
struct BrokerReport {
  int32_t node = -1;
  int64_t at_ns = 0;              // simulated time of the report (for the elections it shows)
  int64_t metadata_offset = -1;   // of its metadata image; -1: unchanged since its last report
  uint64_t metadata_hash = 0;     // chain hash of the metadata it replayed up to there
  // Committed metadata records it could not decode, newly seen in this report: (offset, why).
  std::vector<std::pair<int64_t, std::string>> undecodable_metadata;
  // Full reports (Check): every partition of the node. Incremental reports (Update): the
  // partitions whose state changed since the node's last report. Empty on a controller-only node.
  std::vector<ReplicaManager::PartitionState> partitions;
};

class RuntimeChecker {
 public:
  using Tp = std::pair<std::string, int32_t>;

  RuntimeChecker() = default;
  // Not copyable: Track::max_hw and last_topic_ point into this checker's own maps (a move keeps
  // the maps' nodes).
  RuntimeChecker(const RuntimeChecker&) = delete;
  RuntimeChecker& operator=(const RuntimeChecker&) = delete;
  RuntimeChecker(RuntimeChecker&&) = default;
  RuntimeChecker& operator=(RuntimeChecker&&) = default;

  // One node's changes (an incremental report): the partitions listed replace what the node
  // reported of them before; others keep their last reported state. Returns the violations
  // found.
  std::vector<Violation> Update(const BrokerReport& report);
  // The node crashed: it leads nothing any more (a paused node still counts as leading).
  void NodeDown(int32_t node);
  // A snapshot of the whole cluster: `reports` from every live node at one instant, each
  // listing all its partitions (nodes not listed are down). Returns the violations found.
  std::vector<Violation> Check(const std::vector<BrokerReport>& reports);

  // The highest high watermark any leader reported for each partition (what a consumer may
  // have been allowed to read); NoteHighWatermark adds a sample taken outside Check.
  const std::map<Tp, int64_t>& max_high_watermark() const { return max_high_watermark_; }
  void NoteHighWatermark(const std::string& topic, int32_t partition, int64_t hw);

  // Each partition's elections, in time order: a leader epoch the first time a node reported
  // leading it.
  const std::map<Tp, std::vector<ElectionNote>>& elections() const { return elections_; }

 private:
  // What is known of one partition; one lookup per reported partition state. Small and flat: with
  // hundreds of partitions, each report touches a partition's track cold, so it is one block of
  // memory (and the epoch array) rather than a tree of nodes.
  struct Track {
    // Current leaders, by node: (node, leader epoch). Nearly always one.
    boost::container::small_vector<std::pair<int32_t, int32_t>, 2> leaders;
    struct Epoch {
      int32_t first_leader = -1;  // the first node seen leading it
      int64_t max_hw = 0;         // the highest HW seen in it
    };
    boost::container::flat_map<int32_t, Epoch> epochs;
    int64_t* max_hw = nullptr;  // this partition's entry in max_high_watermark_, once it has one
  };
  // The partition's track, or nullptr when it has none and create is false.
  Track* FindTrack(const std::string& topic, int32_t partition, bool create);
  template <typename Fn>
  void ForEachTrack(Fn&& fn);
  void UpdatePartition(int32_t node, int64_t at_ns, const ReplicaManager::PartitionState& st,
                       std::vector<Violation>& out);
  void UpdateMetadata(int32_t node, int64_t offset, uint64_t hash, std::vector<Violation>& out);

  // A topic's tracks, in the order they were made, and where each partition number's sits.
  struct TopicTracks {
    PartitionSlots slots;
    std::vector<Track> tracks;
  };
  // By topic; looked up on every reported partition state (the last topic is remembered). The
  // order is never walked in a way that shows.
  std::map<std::string, TopicTracks, std::less<>> tracks_;
  std::pair<const std::string, TopicTracks>* last_topic_ = nullptr;  // map nodes stay put
  std::map<int64_t, std::pair<uint64_t, int32_t>> metadata_hash_at_;  // offset -> (hash, node)
  std::map<Tp, int64_t> max_high_watermark_;
  std::map<Tp, std::vector<ElectionNote>> elections_;
};

}  // namespace samsa::sim
