#pragma once
// Kafka's default partitioning, as the Java client does it.
//
// Keyed records: toPositive(murmur2(key)) % num_partitions, where murmur2 is the Java client's
// org.apache.kafka.common.utils.Utils.murmur2 (MurmurHash2, seed 0x9747b28c, little-endian
// 4-byte blocks, Java int arithmetic) and toPositive clears the sign bit (number & 0x7fffffff;
// not Math.abs, which would map INT_MIN to itself).
//
// Null keys: the sticky partitioner (KIP-480). A topic sticks to one partition until a new batch
// would be started for it; then the producer calls OnNewBatch() and the next partition is drawn
// uniformly from the partitions with a known leader ("available"), or from all partitions when
// none is available, avoiding the previous one when there is a choice. Draws come from the Prng
// the caller passes, so a run is reproducible from its seed.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/prng.h"

namespace samsa::client {

// Java's Utils.murmur2 as a signed 32-bit value.
int32_t Murmur2(ByteView data);
// Java's Utils.toPositive.
inline int32_t ToPositive(int32_t number) { return number & 0x7fffffff; }
// The partition for a non-null key: toPositive(murmur2(key)) % num_partitions (> 0).
int32_t KeyedPartition(ByteView key, int32_t num_partitions);

// States per topic: NoPartition --Partition()--> Stuck(p) --OnNewBatch(p)--> Stuck(q), q != p
// when more than one candidate exists.
class StickyPartitioner {
 public:
  // The current sticky partition of `topic`, drawing one first if there is none (or if the
  // remembered one is no longer below num_partitions). `available` lists partitions with a
  // leader (any order; may be empty).
  int32_t Partition(const std::string& topic, int32_t num_partitions,
                    const std::vector<int32_t>& available, Prng& prng);
  // A new batch is about to be created for `previous` of `topic`: if `previous` is the current
  // sticky partition, draw another.
  void OnNewBatch(const std::string& topic, int32_t previous, int32_t num_partitions,
                  const std::vector<int32_t>& available, Prng& prng);

 private:
  static int32_t Draw(int32_t previous, int32_t num_partitions,
                      const std::vector<int32_t>& available, Prng& prng);
  std::map<std::string, int32_t> sticky_;
};

}  // namespace samsa::client
