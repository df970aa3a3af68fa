#pragma once
// RuntimeChecker: the invariants a Kafka cluster must keep at every instant, checked on what the
// live brokers report at each runtime check (SamsaClusterFactory::CheckRuntime feeds it):
//   multiple-leaders     two nodes lead the same partition in the same leader epoch at once
//   hw-regression        a leader's high watermark goes back within its epoch
//   hw-above-leo         a leader's high watermark is above its log end offset
//   metadata-divergence  two nodes replayed different metadata up to the same offset
// It keeps what it learns across checks (who led each epoch, the highest high watermark seen),
// so one instance serves one run. Plain data in, violations out: tests feed it made-up reports.

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/replication/replica_manager.h"
#include "sim/history_checker.h"

namespace samsa::sim {

// What one live node reports at a check.
struct BrokerReport {
  int32_t node = -1;
  int64_t metadata_offset = -1;   // of its metadata image
  uint64_t metadata_hash = 0;     // chain hash of the metadata it replayed up to there
  std::vector<ReplicaManager::PartitionState> partitions;  // empty on a controller-only node
};

class RuntimeChecker {
 public:
  using Tp = std::pair<std::string, int32_t>;

  // One check: `reports` from every live node at one instant. Returns the violations found.
  std::vector<Violation> Check(const std::vector<BrokerReport>& reports);

  // The highest high watermark any leader reported for each partition (what a consumer may
  // have been allowed to read); NoteHighWatermark adds a sample taken outside Check.
  const std::map<Tp, int64_t>& max_high_watermark() const { return max_high_watermark_; }
  void NoteHighWatermark(const std::string& topic, int32_t partition, int64_t hw);

 private:
  using EpochKey = std::tuple<std::string, int32_t, int32_t>;  // (topic, partition, epoch)
  std::map<EpochKey, int32_t> leader_of_epoch_;                 // the first node seen leading it
  std::map<EpochKey, int64_t> hw_of_epoch_;                     // highest HW seen in it
  std::map<int64_t, std::pair<uint64_t, int32_t>> metadata_hash_at_;  // offset -> (hash, node)
  std::map<Tp, int64_t> max_high_watermark_;
};

}  // namespace samsa::sim
