#include "sim/runtime_checker.h"

#include <gtest/gtest.h>

namespace samsa::sim {
namespace {

using State = ReplicaManager::PartitionState;

State Leader(int32_t epoch, int64_t hw, int64_t leo, const std::string& topic = "t", int32_t partition = 0) {
  State s;
  s.topic = topic;
  s.partition = partition;
  s.is_leader = true;
  s.leader_epoch = epoch;
  s.high_watermark = hw;
  s.log_end_offset = leo;
  return s;
}

State Follower(int32_t epoch, int64_t hw, int64_t leo) {
  State s = Leader(epoch, hw, leo);
  s.is_leader = false;
  return s;
}

BrokerReport Report(int32_t node, std::vector<State> partitions, int64_t metadata_offset = 10,
                    uint64_t metadata_hash = 0xabc) {
  BrokerReport r;
  r.node = node;
  r.metadata_offset = metadata_offset;
  r.metadata_hash = metadata_hash;
  r.partitions = std::move(partitions);
  return r;
}

std::vector<std::string> Kinds(const std::vector<Violation>& vs) {
  std::vector<std::string> out;
  for (const Violation& v : vs) out.push_back(v.kind);
  return out;
}

TEST(RuntimeChecker, HealthyClusterOverTime) {
  RuntimeChecker c;
  // Leader 1, then a clean failover to 2 in a new epoch whose high watermark starts lower.
  EXPECT_TRUE(c.Check({Report(1, {Leader(3, 10, 12)}), Report(2, {Follower(3, 9, 12)})}).empty());
  EXPECT_TRUE(c.Check({Report(1, {Leader(3, 15, 15)}), Report(2, {Follower(3, 15, 15)})}).empty());
  EXPECT_TRUE(c.Check({Report(2, {Leader(4, 14, 15)})}).empty());
  EXPECT_TRUE(c.Check({Report(1, {Follower(4, 14, 15)}), Report(2, {Leader(4, 16, 16)})}).empty());
  EXPECT_EQ(c.max_high_watermark().at({"t", 0}), 16);
}

TEST(RuntimeChecker, TwoLeadersOfOneEpochAtOnce) {
  RuntimeChecker c;
  EXPECT_TRUE(c.Check({Report(1, {Leader(3, 10, 10)})}).empty());
  std::vector<Violation> v = c.Check({Report(1, {Leader(3, 10, 10)}), Report(2, {Leader(3, 10, 10)})});
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"multiple-leaders"});
  EXPECT_EQ(v[0].topic, "t");
  EXPECT_EQ(v[0].detail, "nodes 1 and 2 both lead epoch 3");
  // Node 1 gone (or no longer leading): node 2 claiming the epoch alone is not two leaders.
  EXPECT_TRUE(c.Check({Report(2, {Leader(3, 10, 10)})}).empty());
  // Another partition's leader in the same epoch number is not a conflict.
  EXPECT_TRUE(c.Check({Report(1, {Leader(3, 5, 5, "t", 1)}), Report(2, {Leader(3, 10, 10)})}).empty());
}

TEST(RuntimeChecker, HighWatermarkGoingBackWithinAnEpoch) {
  RuntimeChecker c;
  EXPECT_TRUE(c.Check({Report(1, {Leader(3, 10, 10)})}).empty());
  std::vector<Violation> v = c.Check({Report(1, {Leader(3, 8, 10)})});
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"hw-regression"});
  EXPECT_EQ(v[0].offset, 8);
  EXPECT_EQ(v[0].detail, "leader 1 epoch 3: high watermark 10 -> 8");
  EXPECT_TRUE(c.Check({Report(1, {Leader(4, 8, 10)})}).empty());  // a new epoch starts afresh
}

TEST(RuntimeChecker, HighWatermarkAboveLogEnd) {
  RuntimeChecker c;
  std::vector<Violation> v = c.Check({Report(1, {Leader(3, 11, 10)}), Report(2, {Follower(3, 11, 10)})});
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"hw-above-leo"});  // leaders only
  EXPECT_EQ(v[0].detail, "leader 1: high watermark 11 above log end offset 10");
}

TEST(RuntimeChecker, NodesReplayingDifferentMetadata) {
  RuntimeChecker c;
  EXPECT_TRUE(c.Check({Report(1, {}, 50, 0x1), Report(2, {}, 50, 0x1), Report(3, {}, 40, 0x7)}).empty());
  std::vector<Violation> v = c.Check({Report(3, {}, 50, 0x2)});  // caught up, differently
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"metadata-divergence"});
  EXPECT_EQ(v[0].offset, 50);
  EXPECT_EQ(v[0].detail, "nodes 1 and 3 replayed different metadata up to offset 50");
}

// A committed metadata record a node could not decode: its image lacks it, whatever the hashes.
TEST(RuntimeChecker, UndecodableCommittedMetadataRecord) {
  RuntimeChecker c;
  BrokerReport r = Report(2, {}, 51, 0x1);
  r.undecodable_metadata = {{51, "Corruption: bad record"}};
  std::vector<Violation> v = c.Check({Report(1, {}, 51, 0x1), r});
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"metadata-divergence"});
  EXPECT_EQ(v[0].offset, 51);
  EXPECT_EQ(v[0].detail, "node 2 cannot decode the committed metadata record at offset 51: Corruption: bad record");
}

// Incremental reports: each carries only what changed on one node; the checker remembers the
// rest (who leads what now), so a split brain is found at the report that starts it, and ends
// when one side reports it stopped leading or crashed.
BrokerReport Changes(int32_t node, int64_t at_ns, std::vector<State> partitions, int64_t metadata_offset = -1,
                     uint64_t metadata_hash = 0) {
  BrokerReport r = Report(node, std::move(partitions), metadata_offset, metadata_hash);
  r.at_ns = at_ns;
  return r;
}

TEST(RuntimeChecker, IncrementalReportsFindAShortSplitBrain) {
  RuntimeChecker c;
  EXPECT_TRUE(c.Update(Changes(1, 100, {Leader(3, 10, 10)})).empty());
  EXPECT_TRUE(c.Update(Changes(2, 110, {Follower(3, 9, 10)})).empty());
  EXPECT_TRUE(c.Update(Changes(1, 120, {Leader(3, 11, 11)})).empty());  // node 2 said nothing new
  std::vector<Violation> v = c.Update(Changes(2, 130, {Leader(3, 10, 10)}));
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"multiple-leaders"});
  EXPECT_EQ(v[0].detail, "nodes 1 and 2 both lead epoch 3");
  EXPECT_EQ(Kinds(c.Update(Changes(1, 140, {Leader(3, 12, 12)}))), std::vector<std::string>{"multiple-leaders"});
  EXPECT_TRUE(c.Update(Changes(2, 150, {Follower(3, 10, 10)})).empty());  // over
  EXPECT_TRUE(c.Update(Changes(1, 160, {Leader(3, 13, 13)})).empty());
  // A crashed node leads nothing: node 3 taking the epoch after node 1 died is not two leaders
  // (the controller would bump the epoch; this checks only the bookkeeping).
  c.NodeDown(1);
  EXPECT_TRUE(c.Update(Changes(3, 170, {Leader(3, 13, 13)})).empty());
  // Elections: the first report of each epoch led.
  const auto& e = c.elections().at({"t", 0});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].at_ns, 100);
  EXPECT_EQ(e[0].leader, 1);
  EXPECT_EQ(e[0].leader_epoch, 3);
  EXPECT_TRUE(c.Update(Changes(3, 180, {Leader(4, 13, 13)})).empty());
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[1].at_ns, 180);
  EXPECT_EQ(e[1].leader, 3);
}

// Tracks are kept per topic and partition number: the same number in another topic is another
// partition, reports may switch topics at every partition, and numbers no valid topic has
// (negative, huge) are still tracked, and forgotten with their node.
TEST(RuntimeChecker, TracksTopicsAndPartitionNumbersApart) {
  RuntimeChecker c;
  EXPECT_TRUE(c.Update(Changes(1, 100, {Leader(3, 1, 1, "a", 5)})).empty());
  EXPECT_TRUE(c.Update(Changes(2, 110, {Leader(3, 1, 1, "b", 5), Leader(3, 1, 1, "a", 4)})).empty());
  std::vector<Violation> v = c.Update(Changes(2, 120, {Leader(3, 1, 1, "b", 5), Leader(3, 1, 1, "a", 5)}));
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"multiple-leaders"});
  EXPECT_EQ(v[0].topic, "a");
  EXPECT_EQ(v[0].partition, 5);
  // A follower report of a partition never seen leads nothing and finds nothing.
  State unseen = Follower(1, 0, 0);
  unseen.topic = "zz";
  unseen.partition = 9;
  EXPECT_TRUE(c.Update(Changes(3, 130, {unseen})).empty());
  // Partition numbers outside any topic's range.
  const int32_t huge = int32_t{1} << 20;
  EXPECT_TRUE(c.Update(Changes(1, 140, {Leader(1, 1, 1, "a", -1), Leader(1, 1, 1, "a", huge)})).empty());
  v = c.Update(Changes(3, 150, {Leader(1, 1, 1, "a", huge)}));
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"multiple-leaders"});
  EXPECT_EQ(v[0].partition, huge);
  EXPECT_EQ(v[0].detail, "nodes 1 and 3 both lead epoch 1");
  c.NodeDown(1);
  c.NodeDown(3);
  EXPECT_TRUE(c.Update(Changes(2, 160, {Leader(1, 1, 1, "a", -1), Leader(1, 1, 1, "a", huge)})).empty());
  // Node 2's other leaderships stay: node 1, back, claiming a/5's epoch makes two leaders.
  v = c.Update(Changes(1, 170, {Leader(3, 2, 2, "a", 5)}));
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"multiple-leaders"});
  EXPECT_EQ(v[0].detail, "nodes 1 and 2 both lead epoch 3");
  EXPECT_EQ(c.max_high_watermark().at({"a", huge}), 1);
  EXPECT_EQ(c.elections().at({"a", -1}).size(), 1u);
}

TEST(RuntimeChecker, IncrementalReportsCheckMetadataWhenItMoves) {
  RuntimeChecker c;
  EXPECT_TRUE(c.Update(Changes(1, 0, {}, 50, 0x1)).empty());
  EXPECT_TRUE(c.Update(Changes(2, 0, {Follower(3, 1, 1)})).empty());  // metadata unchanged: not compared
  std::vector<Violation> v = c.Update(Changes(2, 0, {}, 50, 0x2));
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"metadata-divergence"});
  EXPECT_EQ(v[0].detail, "nodes 1 and 2 replayed different metadata up to offset 50");
  // The HW rules hold on incremental reports too.
  EXPECT_TRUE(c.Update(Changes(1, 0, {Leader(5, 20, 20)})).empty());
  EXPECT_EQ(Kinds(c.Update(Changes(1, 0, {Leader(5, 19, 20)}))), std::vector<std::string>{"hw-regression"});
  EXPECT_EQ(Kinds(c.Update(Changes(1, 0, {Leader(5, 21, 20)}))), std::vector<std::string>{"hw-above-leo"});
}

}  // namespace
}  // namespace samsa::sim
