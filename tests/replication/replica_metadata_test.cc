// ReplicaManager driven by a real MetadataImage built from KRaft metadata records.

#include <gtest/gtest.h>

#include "core/base/mem_disk.h"
#include "core/controller/metadata_image.h"
#include "core/protocol/error_codes.h"
#include "core/replication/replica_manager.h"
#include "tests/replication/replication_harness.h"

namespace samsa::testing {
namespace {

TEST(ReplicaMetadataTest, RolesAndConfigsComeFromTheImage) {
  MetadataImage image;
  int64_t offset = 0;
  auto apply = [&](MetadataRecord r) {
    Status s = image.Apply(r, offset++);
    ASSERT_TRUE(s.ok()) << s.ToString();
  };
  for (int32_t id = 1; id <= 3; ++id) {
    RegisterBrokerRecord b;
    b.broker_id = id;
    b.broker_epoch = 10 + id;
    b.fenced = false;
    apply(b);
  }
  Uuid topic_id = Uuid::FromHalves(7, 9);
  apply(TopicRecord{"t", topic_id});
  ConfigRecord c;
  c.resource_type = kConfigResourceTopic;
  c.resource_name = "t";
  c.name = "min.insync.replicas";
  c.value = "3";
  apply(c);
  PartitionRecord p;
  p.partition_id = 0;
  p.topic_id = topic_id;
  p.replicas = {1, 2, 3};
  p.isr = {1, 2};
  p.leader = 1;
  p.leader_epoch = 4;
  p.partition_epoch = 6;
  apply(p);
  ASSERT_FALSE(::testing::Test::HasFatalFailure());

  MemDisk disk;
  ReplicaConfig config;
  config.node_id = 1;
  ReplicaManager rm(config, disk);
  ASSERT_TRUE(rm.Open(0).ok());
  rm.OnMetadataUpdate(image, 11, 0);
  auto parts = rm.Partitions();
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_TRUE(parts[0].is_leader);
  EXPECT_EQ(parts[0].leader_epoch, 4);
  EXPECT_EQ(parts[0].isr, (std::vector<int32_t>{1, 2}));

  // min.insync.replicas=3 from the topic config: an ISR of 2 rejects acks=all before appending.
  Bytes batch = MakeBatch("x", 1);
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 1000;
  req.topic_data.push_back({"t", {{0, ByteView(batch)}}});
  rm.HandleProduce(1, req, 9, 0);
  auto replies = rm.TakeReplies();
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(std::get<ProduceResponse>(replies[0].response).responses[0].partition_responses[0].error_code,
            int16_t(ErrorCode::kNotEnoughReplicas));

  // The ISR proposal names the topic by id (AlterPartition v3) with the members' broker epochs.
  rm.Tick(config.replica_lag_time_max_ms + 1);
  auto sends = rm.TakeSends();
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].to, kToController);
  EXPECT_EQ(sends[0].version, 3);
  const auto& alter = std::get<AlterPartitionRequest>(sends[0].request);
  EXPECT_EQ(alter.broker_epoch, 11);
  EXPECT_EQ(alter.topics[0].topic_id, topic_id);
  EXPECT_EQ(alter.topics[0].partitions[0].new_isr, (std::vector<int32_t>{1}));
  EXPECT_EQ(alter.topics[0].partitions[0].partition_epoch, 6);
  EXPECT_EQ(alter.topics[0].partitions[0].leader_epoch, 4);

  // The leader moves to 2: node 1 follows and asks where to truncate.
  PartitionChangeRecord change;
  change.partition_id = 0;
  change.topic_id = topic_id;
  change.leader = 2;
  apply(change);
  rm.OnMetadataUpdate(image, 11, 20000);
  parts = rm.Partitions();
  EXPECT_FALSE(parts[0].is_leader);
  EXPECT_EQ(parts[0].leader_epoch, 5);
  sends = rm.TakeSends();
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].to, 2);
  EXPECT_TRUE(std::holds_alternative<FetchRequest>(sends[0].request)) << "an empty log fetches at once";

  // The topic goes away: the log is deleted.
  apply(RemoveTopicRecord{topic_id});
  rm.OnMetadataUpdate(image, 11, 20001);
  EXPECT_TRUE(rm.Partitions().empty());
  EXPECT_EQ(rm.FindLog("t", 0), nullptr);
  EXPECT_FALSE(disk.Exists("data/t-0"));
}

}  // namespace
}  // namespace samsa::testing
