#include "core/controller/metadata_image.h"

#include <gtest/gtest.h>

namespace samsa {
namespace {

const Uuid kId = Uuid::FromHalves(0xabcdULL, 0x1234ULL);

RegisterBrokerRecord Broker(int32_t id, int64_t epoch, bool fenced = true) {
  RegisterBrokerRecord r;
  r.broker_id = id;
  r.broker_epoch = epoch;
  r.incarnation_id = Uuid::FromHalves(uint64_t(id), 1);
  r.end_points = {{"PLAINTEXT", "host" + std::to_string(id), uint16_t(9090 + id), 0}};
  r.fenced = fenced;
  return r;
}

PartitionRecord Partition(int32_t index, std::vector<int32_t> replicas) {
  PartitionRecord p;
  p.partition_id = index;
  p.topic_id = kId;
  p.replicas = replicas;
  p.isr = replicas;
  p.leader = replicas.front();
  p.leader_epoch = 0;
  p.partition_epoch = 0;
  return p;
}

class MetadataImageTest : public ::testing::Test {
 protected:
  void Apply(const MetadataRecord& r) {
    Status s = image.Apply(r, ++offset);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  MetadataImage image;
  int64_t offset = -1;
};

TEST_F(MetadataImageTest, BrokersRegisterFenceUnfenceUnregister) {
  Apply(Broker(1, 0));
  Apply(Broker(2, 1, /*fenced=*/false));
  ASSERT_NE(image.FindBroker(1), nullptr);
  EXPECT_TRUE(image.FindBroker(1)->fenced);
  EXPECT_EQ(image.FindBroker(1)->host, "host1");
  EXPECT_EQ(image.FindBroker(1)->port, 9091);
  EXPECT_FALSE(image.FindBroker(2)->fenced);
  Apply(UnfenceBrokerRecord{1, 0});
  EXPECT_FALSE(image.FindBroker(1)->fenced);

  BrokerRegistrationChangeRecord cs;
  cs.broker_id = 1;
  cs.broker_epoch = 0;
  cs.in_controlled_shutdown = 1;
  Apply(cs);
  EXPECT_TRUE(image.FindBroker(1)->shutting_down);
  Apply(FenceBrokerRecord{1, 0});
  EXPECT_TRUE(image.FindBroker(1)->fenced);
  EXPECT_FALSE(image.FindBroker(1)->shutting_down);

  BrokerRegistrationChangeRecord unfence;
  unfence.broker_id = 1;
  unfence.broker_epoch = 0;
  unfence.fenced = -1;
  Apply(unfence);
  EXPECT_FALSE(image.FindBroker(1)->fenced);

  // A re-registration replaces the broker, fenced again, with the new epoch.
  Apply(Broker(1, 7));
  EXPECT_EQ(image.FindBroker(1)->epoch, 7);
  EXPECT_TRUE(image.FindBroker(1)->fenced);
  Apply(UnregisterBrokerRecord{2, 1});
  EXPECT_EQ(image.FindBroker(2), nullptr);
  EXPECT_EQ(image.offset(), offset);
}

TEST_F(MetadataImageTest, StaleEpochIsCorruptionAndLeavesImageUnchanged) {
  Apply(Broker(1, 5));
  const int64_t before = image.offset();
  EXPECT_EQ(image.Apply(UnfenceBrokerRecord{1, 4}, 100).code(), StatusCode::kCorruption);
  EXPECT_EQ(image.Apply(FenceBrokerRecord{9, 0}, 100).code(), StatusCode::kCorruption);
  EXPECT_EQ(image.Apply(UnregisterBrokerRecord{1, 6}, 100).code(), StatusCode::kCorruption);
  EXPECT_TRUE(image.FindBroker(1)->fenced);
  EXPECT_EQ(image.offset(), before);
}

TEST_F(MetadataImageTest, TopicPartitionChangesAndRemoval) {
  Apply(Broker(1, 0, false));
  Apply(Broker(2, 1, false));
  Apply(Broker(3, 2, false));
  Apply(TopicRecord{"orders", kId});
  Apply(ConfigRecord{kConfigResourceTopic, "orders", "min.insync.replicas", "2"});
  Apply(Partition(0, {1, 2, 3}));
  Apply(Partition(1, {2, 3, 1}));
  ASSERT_NE(image.FindTopicById(kId), nullptr);
  EXPECT_EQ(image.FindTopicById(kId)->name, "orders");
  EXPECT_EQ(TopicMinInsyncReplicas(*image.FindTopic("orders"), 1), 2);
  EXPECT_FALSE(TopicUncleanLeaderElection(*image.FindTopic("orders"), false));

  // ISR-only change: the partition epoch bumps, the leader epoch does not.
  PartitionChangeRecord shrink;
  shrink.topic_id = kId;
  shrink.partition_id = 0;
  shrink.isr = std::vector<int32_t>{1, 2};
  Apply(shrink);
  const PartitionInfo* p = image.FindPartition("orders", 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->isr, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(p->leader, 1);
  EXPECT_EQ(p->leader_epoch, 0);
  EXPECT_EQ(p->partition_epoch, 1);

  // Leader change: both epochs bump.
  PartitionChangeRecord lead;
  lead.topic_id = kId;
  lead.partition_id = 0;
  lead.leader = 2;
  lead.isr = std::vector<int32_t>{2};
  Apply(lead);
  p = image.FindPartition("orders", 0);
  EXPECT_EQ(p->leader, 2);
  EXPECT_EQ(p->leader_epoch, 1);
  EXPECT_EQ(p->partition_epoch, 2);

  // Leader -1 (offline), recovery state and replicas.
  PartitionChangeRecord offline;
  offline.topic_id = kId;
  offline.partition_id = 0;
  offline.leader = kNoLeader;
  offline.leader_recovery_state = kLeaderRecovering;
  offline.replicas = std::vector<int32_t>{2, 1};
  Apply(offline);
  p = image.FindPartition("orders", 0);
  EXPECT_EQ(p->leader, -1);
  EXPECT_EQ(p->leader_epoch, 2);
  EXPECT_EQ(p->partition_epoch, 3);
  EXPECT_EQ(p->leader_recovery_state, kLeaderRecovering);
  EXPECT_EQ(p->replicas, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(p->isr, (std::vector<int32_t>{2}));
  // Partition 1 is untouched.
  EXPECT_EQ(image.FindPartition("orders", 1)->partition_epoch, 0);

  Apply(ConfigRecord{kConfigResourceTopic, "orders", "min.insync.replicas", std::nullopt});
  EXPECT_TRUE(image.FindTopic("orders")->configs.empty());

  Apply(RemoveTopicRecord{kId});
  EXPECT_EQ(image.FindTopic("orders"), nullptr);
  EXPECT_EQ(image.FindTopicById(kId), nullptr);
  EXPECT_EQ(image.FindPartition("orders", 0), nullptr);
  // The name can be reused with a new id.
  Apply(TopicRecord{"orders", Uuid::FromHalves(5, 5)});
}

TEST_F(MetadataImageTest, ContradictionsAreCorruption) {
  Apply(TopicRecord{"a", kId});
  EXPECT_EQ(image.Apply(TopicRecord{"a", Uuid::FromHalves(1, 1)}, 50).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(image.Apply(TopicRecord{"b", kId}, 50).code(), StatusCode::kCorruption);
  PartitionRecord orphan = Partition(0, {1});
  orphan.topic_id = Uuid::FromHalves(9, 9);
  EXPECT_EQ(image.Apply(orphan, 50).code(), StatusCode::kCorruption);
  PartitionChangeRecord missing;
  missing.topic_id = kId;
  missing.partition_id = 3;
  EXPECT_EQ(image.Apply(missing, 50).code(), StatusCode::kCorruption);
  EXPECT_EQ(image.Apply(RemoveTopicRecord{Uuid::FromHalves(9, 9)}, 50).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(image.Apply(ConfigRecord{kConfigResourceTopic, "zzz", "retention.ms", "1"}, 50).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(image.offset(), 0);
}

TEST_F(MetadataImageTest, FeaturesAndOtherConfigs) {
  Apply(FeatureLevelRecord{"metadata.version", 20});
  EXPECT_EQ(image.features().at("metadata.version"), 20);
  Apply(FeatureLevelRecord{"metadata.version", 0});
  EXPECT_TRUE(image.features().empty());
  Apply(ConfigRecord{kConfigResourceBroker, "1", "log.retention.ms", "5"});
  EXPECT_EQ(image.resource_configs().at({kConfigResourceBroker, "1"}).at("log.retention.ms"), "5");
  Apply(NoOpRecord{});
  EXPECT_EQ(image.offset(), 3);
}

TEST(TopicConfigTest, ParsesLikeKafka) {
  TopicInfo t;
  EXPECT_TRUE(TopicUncleanLeaderElection(t, true));
  t.configs["unclean.leader.election.enable"] = "TRUE";
  EXPECT_TRUE(TopicUncleanLeaderElection(t, false));
  t.configs["unclean.leader.election.enable"] = "false";
  EXPECT_FALSE(TopicUncleanLeaderElection(t, true));
  t.configs["min.insync.replicas"] = "x";
  EXPECT_EQ(TopicMinInsyncReplicas(t, 3), 3);
  t.configs["min.insync.replicas"] = "2";
  EXPECT_EQ(TopicMinInsyncReplicas(t, 3), 2);
}

}  // namespace
}  // namespace samsa
