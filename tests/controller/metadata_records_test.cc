#include "core/controller/metadata_records.h"

#include <gtest/gtest.h>

#include <vector>

namespace samsa {
namespace {

const Uuid kTopicId = Uuid::FromHalves(0x0102030405060708ULL, 0x090a0b0c0d0e0f10ULL);

std::vector<MetadataRecord> OneOfEach() {
  std::vector<MetadataRecord> v;
  RegisterBrokerRecord rb;
  rb.broker_id = 3;
  rb.incarnation_id = Uuid::FromHalves(7, 8);
  rb.broker_epoch = 1234;
  rb.end_points = {{"PLAINTEXT", "broker3", 9092, 0}, {"CONTROLLER", "broker3", 9093, 0}};
  rb.features = {{"metadata.version", 1, 20}};
  rb.rack = "rack-a";
  rb.fenced = true;
  rb.in_controlled_shutdown = true;
  v.push_back(rb);
  RegisterBrokerRecord rb3 = rb;  // v3: log dirs (tag 0), no rack
  rb3.rack = std::nullopt;
  rb3.is_migrating_zk_broker = true;
  rb3.log_dirs = {Uuid::FromHalves(1, 2), Uuid::FromHalves(3, 4)};
  v.push_back(rb3);
  v.push_back(UnregisterBrokerRecord{3, 1234});
  v.push_back(TopicRecord{"orders", kTopicId});
  PartitionRecord pr;
  pr.partition_id = 2;
  pr.topic_id = kTopicId;
  pr.replicas = {1, 2, 3};
  pr.isr = {1, 2};
  pr.removing_replicas = {3};
  pr.leader = 1;
  pr.leader_epoch = 5;
  pr.partition_epoch = 9;
  pr.leader_recovery_state = kLeaderRecovering;
  v.push_back(pr);
  PartitionRecord pr2 = pr;  // v2: directories and ELR
  pr2.leader_recovery_state = 0;
  pr2.directories = {Uuid::FromHalves(5, 6), Uuid::FromHalves(5, 7), Uuid::FromHalves(5, 8)};
  pr2.eligible_leader_replicas = std::vector<int32_t>{3};
  pr2.last_known_elr = std::vector<int32_t>{};
  v.push_back(pr2);
  v.push_back(ConfigRecord{kConfigResourceTopic, "orders", "min.insync.replicas", "2"});
  v.push_back(ConfigRecord{kConfigResourceBroker, "1", "log.retention.ms", std::nullopt});
  PartitionChangeRecord pc;
  pc.partition_id = 0;
  pc.topic_id = kTopicId;
  pc.isr = std::vector<int32_t>{2};
  pc.leader = 2;
  pc.replicas = std::vector<int32_t>{2, 1};
  pc.removing_replicas = std::vector<int32_t>{};
  pc.adding_replicas = std::vector<int32_t>{5};
  pc.leader_recovery_state = kLeaderRecovering;
  v.push_back(pc);
  PartitionChangeRecord pc2;  // v2 with every optional set
  pc2.partition_id = 7;
  pc2.topic_id = kTopicId;
  pc2.leader = kNoLeader;
  pc2.eligible_leader_replicas = std::vector<int32_t>{1};
  pc2.last_known_elr = std::vector<int32_t>{2};
  pc2.directories = std::vector<Uuid>{Uuid::FromHalves(9, 9)};
  v.push_back(pc2);
  PartitionChangeRecord nothing;  // nothing changed but the partition epoch
  nothing.partition_id = 1;
  nothing.topic_id = kTopicId;
  v.push_back(nothing);
  v.push_back(FenceBrokerRecord{4, 77});
  v.push_back(UnfenceBrokerRecord{4, 77});
  v.push_back(RemoveTopicRecord{kTopicId});
  v.push_back(FeatureLevelRecord{"metadata.version", 20});
  BrokerRegistrationChangeRecord brc;
  brc.broker_id = 4;
  brc.broker_epoch = 77;
  brc.fenced = -1;
  v.push_back(brc);
  brc.fenced = 0;
  brc.in_controlled_shutdown = 1;
  v.push_back(brc);
  brc.log_dirs = {Uuid::FromHalves(1, 1)};
  v.push_back(brc);
  v.push_back(NoOpRecord{});
  return v;
}

TEST(MetadataRecordsTest, RoundTripEveryType) {
  for (const MetadataRecord& rec : OneOfEach()) {
    SCOPED_TRACE(DescribeMetadataRecord(rec));
    Bytes bytes = EncodeMetadataRecord(rec);
    Result<MetadataRecord> back = DecodeMetadataRecord(bytes);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, rec);
    EXPECT_EQ(EncodeMetadataRecord(*back), bytes);
  }
}

TEST(MetadataRecordsTest, EveryStrictPrefixAndTrailingByteFailCleanly) {
  for (const MetadataRecord& rec : OneOfEach()) {
    SCOPED_TRACE(DescribeMetadataRecord(rec));
    Bytes bytes = EncodeMetadataRecord(rec);
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<MetadataRecord> r = DecodeMetadataRecord(ByteView(bytes.data(), n));
      EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
    }
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(DecodeMetadataRecord(longer).status().code(), StatusCode::kCorruption);
  }
}

// Every single-byte corruption either fails cleanly or decodes to a record that round-trips.
TEST(MetadataRecordsTest, SingleByteMutationsNeverCrash) {
  for (const MetadataRecord& rec : OneOfEach()) {
    const Bytes bytes = EncodeMetadataRecord(rec);
    for (size_t i = 0; i < bytes.size(); ++i) {
      for (uint8_t v : {uint8_t(0x00), uint8_t(0x01), uint8_t(0x7f), uint8_t(0x80), uint8_t(0xff),
                        uint8_t(bytes[i] ^ 0x01)}) {
        Bytes m = bytes;
        m[i] = v;
        Result<MetadataRecord> r = DecodeMetadataRecord(m);
        if (!r.ok()) continue;
        Result<MetadataRecord> again = DecodeMetadataRecord(EncodeMetadataRecord(*r));
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(*again, *r);
      }
    }
  }
}

TEST(MetadataRecordsTest, EncodesLowestSufficientVersion) {
  auto version_of = [](const MetadataRecord& r) { return EncodeMetadataRecord(r)[2]; };
  std::vector<MetadataRecord> v = OneOfEach();
  EXPECT_EQ(version_of(v[0]), 1);  // RegisterBroker with in_controlled_shutdown
  EXPECT_EQ(version_of(v[1]), 3);  // with log dirs
  EXPECT_EQ(version_of(v[4]), 0);  // PartitionRecord
  EXPECT_EQ(version_of(v[5]), 2);  // with ELR
  EXPECT_EQ(version_of(v[8]), 0);  // PartitionChangeRecord
  EXPECT_EQ(version_of(v[9]), 2);
}

// Worked out by hand from TopicRecord.json: frame version 1, api key 2, version 0,
// name COMPACT_STRING "foo" (length+1 = 4), topic id (16 bytes), empty tagged fields.
TEST(MetadataRecordsTest, TopicRecordKnownAnswer) {
  const Bytes expected = {0x01, 0x02, 0x00, 0x04, 'f',  'o',  'o',  0x01, 0x02, 0x03, 0x04, 0x05,
                          0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x00};
  EXPECT_EQ(EncodeMetadataRecord(TopicRecord{"foo", kTopicId}), expected);
  Result<MetadataRecord> r = DecodeMetadataRecord(expected);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<TopicRecord>(*r), (TopicRecord{"foo", kTopicId}));
}

// PartitionChangeRecord.json: partition_id INT32, topic_id UUID, then tagged fields only:
// tag 0 (Isr) = COMPACT_ARRAY [1, 2] (9 bytes), tag 1 (Leader) = INT32 2 (4 bytes).
TEST(MetadataRecordsTest, PartitionChangeRecordKnownAnswer) {
  PartitionChangeRecord pc;
  pc.partition_id = 1;
  pc.topic_id = kTopicId;
  pc.isr = std::vector<int32_t>{1, 2};
  pc.leader = 2;
  const Bytes expected = {
      0x01, 0x05, 0x00,                                                // frame, key 5, v0
      0x00, 0x00, 0x00, 0x01,                                          // partition_id
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,                  // topic_id
      0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,                  //
      0x02,                                                            // 2 tagged fields
      0x00, 0x09, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  // tag 0: isr
      0x01, 0x04, 0x00, 0x00, 0x00, 0x02,                              // tag 1: leader
  };
  EXPECT_EQ(EncodeMetadataRecord(pc), expected);
  Result<MetadataRecord> r = DecodeMetadataRecord(expected);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<PartitionChangeRecord>(*r), pc);
}

TEST(MetadataRecordsTest, FenceBrokerRecordKnownAnswer) {
  const Bytes expected = {0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00};
  EXPECT_EQ(EncodeMetadataRecord(FenceBrokerRecord{2, 42}), expected);
}

TEST(MetadataRecordsTest, RejectsBadFrames) {
  Bytes good = EncodeMetadataRecord(NoOpRecord{});
  ASSERT_EQ(good, (Bytes{0x01, 0x14, 0x00, 0x00}));
  EXPECT_EQ(DecodeMetadataRecord(Bytes{0x00, 0x14, 0x00, 0x00}).status().code(),
            StatusCode::kCorruption);  // frame version 0 (Kafka 2.8 preview)
  EXPECT_EQ(DecodeMetadataRecord(Bytes{0x01, 0x06, 0x00, 0x00}).status().code(),
            StatusCode::kUnsupported);  // api key 6 is not a record type here
  EXPECT_EQ(DecodeMetadataRecord(Bytes{0x01, 0x14, 0x01, 0x00}).status().code(),
            StatusCode::kUnsupported);  // NoOpRecord v1 does not exist
  EXPECT_EQ(DecodeMetadataRecord(Bytes{0x01, 0x05, 0x03}).status().code(),
            StatusCode::kUnsupported);  // PartitionChangeRecord v3
  // Overlong varint in the frame.
  EXPECT_FALSE(DecodeMetadataRecord(Bytes{0x81, 0x80, 0x80, 0x80, 0x80, 0x00}).ok());
}

TEST(MetadataRecordsTest, SkipsUnknownTaggedFieldsAndVersionGatedTags) {
  // PartitionChangeRecord v0 with tag 6 (ELR, v2+ only) and an unknown tag 30: both skipped.
  Bytes b = {0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00};
  for (int i = 0; i < 16; ++i) b.push_back(uint8_t(i + 1));
  const Bytes tags = {0x03, 0x01, 0x04, 0xff, 0xff, 0xff, 0xff,  // leader -1
                      0x06, 0x02, 0x01, 0x00,                    // elr: wrongly shaped, skipped
                      0x1e, 0x01, 0x07};                         // unknown tag 30
  b.insert(b.end(), tags.begin(), tags.end());
  Result<MetadataRecord> r = DecodeMetadataRecord(b);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& pc = std::get<PartitionChangeRecord>(*r);
  EXPECT_EQ(pc.leader, -1);
  EXPECT_FALSE(pc.eligible_leader_replicas.has_value());
}

TEST(MetadataRecordsTest, KnownTagWithTrailingBytesIsCorrupt) {
  Bytes b = {0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00};
  for (int i = 0; i < 16; ++i) b.push_back(uint8_t(i + 1));
  const Bytes tags = {0x01, 0x01, 0x05, 0x00, 0x00, 0x00, 0x02, 0x09};  // leader + 1 extra byte
  b.insert(b.end(), tags.begin(), tags.end());
  EXPECT_EQ(DecodeMetadataRecord(b).status().code(), StatusCode::kCorruption);
}

TEST(MetadataRecordsTest, HostileArrayLengthIsRejectedWithoutAllocating) {
  // TopicRecord is fine; PartitionRecord with replicas count 2^28 in a tiny buffer.
  Bytes b = {0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00};
  for (int i = 0; i < 16; ++i) b.push_back(0);
  const Bytes count = {0x80, 0x80, 0x80, 0x80, 0x01};
  b.insert(b.end(), count.begin(), count.end());
  EXPECT_FALSE(DecodeMetadataRecord(b).ok());
}

}  // namespace
}  // namespace samsa
