// BrokerNode at the protocol edge, driven directly through its inputs: what it advertises, what it
// answers to versions it does not serve, and that malformed frames close the connection.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>
#include <string>

#include "core/base/mem_disk.h"
#include "core/broker/broker.h"
#include "core/protocol/error_codes.h"
#include "core/protocol/messages/dispatch.h"
#include "core/record/record_batch.h"
#include "core/replication/replica_manager.h"

namespace samsa {
namespace {

class BrokerProtocolTest : public ::testing::Test {
 protected:
  BrokerProtocolTest() {
    auto config = BrokerConfig::FromProperties({{"node.id", "1"}});
    EXPECT_TRUE(config.ok());
    broker_ = std::make_unique<BrokerNode>(*config, disk_, 7);
    Step(ConnOpened{conn_, kNoNode, false});
  }
  void Step(decltype(Input::event) event) {
    now_ns_ += 1'000'000;
    broker_->Step(Input{now_ns_, std::move(event)});
    Ready r = broker_->TakeReady();
    for (auto& f : r.frames) frames_.push_back(std::move(f));
    for (ConnId c : r.closes) closes_.push_back(c);
  }
  Bytes Request(ApiKey key, int16_t version, const RequestBody& body, int32_t correlation = 42) {
    RequestHeader h;
    h.api_key = key;
    h.api_version = version;
    h.correlation_id = correlation;
    h.client_id = "test";
    Bytes frame;
    AppendRequest(h, body, frame);
    return frame;
  }

  MemDisk disk_;
  std::unique_ptr<BrokerNode> broker_;
  ConnId conn_{(uint64_t(1) << 63) | 1};
  int64_t now_ns_ = 0;
  std::vector<OutFrame> frames_;
  std::vector<ConnId> closes_;
};

TEST_F(BrokerProtocolTest, ApiVersionsAdvertisesFromV0AndServesV3) {
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 3, ApiVersionsRequest{})});
  ASSERT_EQ(frames_.size(), 1u);
  auto resp = DecodeResponse(ApiKey::kApiVersions, 3, frames_[0].frame);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  const auto& body = std::get<ApiVersionsResponse>(resp->body);
  EXPECT_EQ(body.error_code, 0);
  EXPECT_EQ(resp->header.correlation_id, 42);
  bool produce = false, fetch = false;
  for (const auto& k : body.api_keys) {
    if (k.api_key == int16_t(ApiKey::kProduce)) {
      produce = true;
      EXPECT_EQ(k.min_version, 0);  // librdkafka's feature gates need Produce v0 advertised
      EXPECT_EQ(k.max_version, 8);
    }
    if (k.api_key == int16_t(ApiKey::kFetch)) {
      fetch = true;
      EXPECT_EQ(k.min_version, 0);
      EXPECT_EQ(k.max_version, 11);
    }
  }
  EXPECT_TRUE(produce && fetch);
}

TEST_F(BrokerProtocolTest, UnknownApiVersionsVersionGetsV0LayoutError) {
  // ApiVersions v9 (beyond any codec) must still be answered, with the v0 layout and error 35.
  Bytes frame;
  PutBe16(frame, uint16_t(ApiKey::kApiVersions));
  PutBe16(frame, 9);
  PutBe32(frame, 77);  // correlation id
  PutBe16(frame, 4);
  Append(frame, AsBytes("test"));
  frame.push_back(0);  // empty tagged fields
  Step(FrameArrived{conn_, frame});
  ASSERT_EQ(frames_.size(), 1u);
  auto resp = DecodeResponse(ApiKey::kApiVersions, 0, frames_[0].frame);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->header.correlation_id, 77);
  EXPECT_EQ(std::get<ApiVersionsResponse>(resp->body).error_code, int16_t(ErrorCode::kUnsupportedVersion));
  EXPECT_TRUE(closes_.empty());
}

TEST_F(BrokerProtocolTest, AdvertisedButUnservedProduceVersionGetsUnsupportedVersion) {
  ProduceRequest req;
  req.acks = 1;
  req.timeout_ms = 1000;
  req.topic_data.push_back({"orders", {{0, std::nullopt}}});
  Step(FrameArrived{conn_, Request(ApiKey::kProduce, 2, req)});
  ASSERT_EQ(frames_.size(), 1u);
  auto resp = DecodeResponse(ApiKey::kProduce, 2, frames_[0].frame);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  const auto& body = std::get<ProduceResponse>(resp->body);
  ASSERT_EQ(body.responses.size(), 1u);
  EXPECT_EQ(body.responses[0].partition_responses[0].error_code, int16_t(ErrorCode::kUnsupportedVersion));
}

TEST_F(BrokerProtocolTest, ResponsesFollowRequestOrderOnAConnection) {
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 0, ApiVersionsRequest{}, 1)});
  Step(FrameArrived{conn_, Request(ApiKey::kMetadata, 1, MetadataRequest{}, 2)});
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 0, ApiVersionsRequest{}, 3)});
  ASSERT_EQ(frames_.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(int32_t(LoadBe32(frames_[i].frame.data())), i + 1);
}

// A request answered with nothing (acks=0) takes its turn without a frame.
TEST_F(BrokerProtocolTest, RequestsWithoutAnAnswerKeepTheOrder) {
  ProduceRequest req;
  req.acks = 0;
  req.timeout_ms = 1000;
  req.topic_data.push_back({"nowhere", {{0, std::nullopt}}});
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 0, ApiVersionsRequest{}, 1)});
  Step(FrameArrived{conn_, Request(ApiKey::kProduce, 3, req, 2)});
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 0, ApiVersionsRequest{}, 3)});
  ASSERT_EQ(frames_.size(), 2u);
  EXPECT_EQ(int32_t(LoadBe32(frames_[0].frame.data())), 1);
  EXPECT_EQ(int32_t(LoadBe32(frames_[1].frame.data())), 3);
  EXPECT_TRUE(closes_.empty());
}

// A parked Fetch holds back the answers to the requests behind it on its connection until it is
// answered itself; then all go out in request order.
TEST_F(BrokerProtocolTest, AnswersBehindAParkedFetchWaitForIt) {
  // Time passes in 1 ms steps, the disk completing every sync at once.
  auto tick = [&] {
    Step(TimerFired{});
    for (SyncId id : disk_.CompleteAllSyncs()) Step(SyncDone{id, true});
  };
  // The single-voter controller elects itself, the broker registers; then a one-partition topic.
  auto unfenced = [&] {
    const BrokerInfo* b = broker_->image().FindBroker(1);
    return broker_->IsActiveController() && b != nullptr && !b->fenced;
  };
  for (int i = 0; i < 5000 && !unfenced(); ++i) tick();
  ASSERT_TRUE(unfenced());
  CreateTopicsRequest create;
  create.timeout_ms = 1000;
  CreateTopicsRequest::Topic t;
  t.name = "t";
  t.num_partitions = 1;
  t.replication_factor = 1;
  create.topics.push_back(t);
  Step(FrameArrived{conn_, Request(ApiKey::kCreateTopics, 4, create, 10)});
  for (int i = 0; i < 3000 && (broker_->replicas() == nullptr || broker_->replicas()->FindLog("t", 0) == nullptr ||
                               !broker_->replicas()->Partitions().at(0).is_leader);
       ++i) {
    tick();
  }
  ASSERT_NE(broker_->replicas()->FindLog("t", 0), nullptr);
  frames_.clear();

  FetchRequest fetch;
  fetch.replica_id = -1;
  fetch.max_wait_ms = 60000;
  fetch.min_bytes = 1;
  FetchRequest::Topic ft;
  ft.topic = "t";
  FetchRequest::Partition fp;
  fp.partition = 0;
  fp.fetch_offset = 0;
  fp.partition_max_bytes = 1 << 20;
  ft.partitions.push_back(fp);
  fetch.topics.push_back(ft);
  Step(FrameArrived{conn_, Request(ApiKey::kFetch, 11, fetch, 21)});
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 0, ApiVersionsRequest{}, 22)});
  EXPECT_TRUE(frames_.empty()) << "the ApiVersions answer waits behind the parked fetch";

  // A produce on another connection gives the fetch its data (acks=1: the HW moves at once).
  ConnId other((uint64_t(1) << 63) | 2);
  Step(ConnOpened{other, kNoNode, false});
  RecordBatchBuilder b;
  b.Add(1000, std::nullopt, AsBytes("v"));
  Bytes batch = *b.Build();
  ProduceRequest produce;
  produce.acks = 1;
  produce.timeout_ms = 1000;
  produce.topic_data.push_back({"t", {{0, ByteView(batch)}}});
  Step(FrameArrived{other, Request(ApiKey::kProduce, 8, produce, 31)});
  std::vector<int32_t> on_conn;
  for (const auto& f : frames_) {
    if (f.conn == conn_) on_conn.push_back(int32_t(LoadBe32(f.frame.data())));
  }
  EXPECT_EQ(on_conn, (std::vector<int32_t>{21, 22}));
}

TEST_F(BrokerProtocolTest, MalformedFramesCloseTheConnectionWithoutCrashing) {
  Prng prng(5);
  for (int i = 0; i < 300; ++i) {
    ConnId c((uint64_t(1) << 63) | uint64_t(100 + i));
    Step(ConnOpened{c, kNoNode, false});
    // A valid Metadata request, truncated or with random bytes flipped.
    Bytes frame = Request(ApiKey::kMetadata, 4, MetadataRequest{});
    if (i % 2 == 0) {
      frame.resize(prng.Uniform(frame.size()));
    } else {
      for (int k = 0; k < 3; ++k) frame[prng.Uniform(frame.size())] ^= uint8_t(1 + prng.Uniform(255));
    }
    size_t before_frames = frames_.size(), before_closes = closes_.size();
    Step(FrameArrived{c, frame});
    // Either an answer (the damage left a valid request) or the connection is closed.
    EXPECT_TRUE(frames_.size() > before_frames || closes_.size() > before_closes) << "case " << i;
  }
  // The broker still serves well-formed requests afterwards.
  size_t before = frames_.size();
  Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 3, ApiVersionsRequest{})});
  EXPECT_EQ(frames_.size(), before + 1);
}

TEST_F(BrokerProtocolTest, UnknownApiKeyClosesTheConnection) {
  Bytes frame;
  PutBe16(frame, 999);
  PutBe16(frame, 0);
  PutBe32(frame, 5);
  PutBe16(frame, 0xffff);  // null client id
  Step(FrameArrived{conn_, frame});
  ASSERT_EQ(closes_.size(), 1u);
  EXPECT_EQ(closes_[0], conn_);
  EXPECT_TRUE(frames_.empty());
}

// A node with the given process.roles, on a fresh MemDisk, driven like BrokerProtocolTest's.
class RolesProtocolTest : public BrokerProtocolTest {
 protected:
  ~RolesProtocolTest() override { broker_.reset(); }  // before the disks it uses
  void UseNode(std::map<std::string, std::string> props) {
    auto config = BrokerConfig::FromProperties(props);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    broker_.reset();
    disks_.push_back(std::make_unique<MemDisk>());
    broker_ = std::make_unique<BrokerNode>(*config, *disks_.back(), 11);
    Step(ConnOpened{conn_, kNoNode, false});
    frames_.clear();
    closes_.clear();
  }
  void UseControllerOnlyNode() { UseNode({{"node.id", "101"}, {"process.roles", "controller"}}); }
  void UseBrokerOnlyNode() {
    UseNode({{"node.id", "1"}, {"process.roles", "broker"}, {"controller.quorum.voters", "101@localhost:9093"}});
  }
  std::set<int16_t> Advertised() {
    frames_.clear();
    Step(FrameArrived{conn_, Request(ApiKey::kApiVersions, 3, ApiVersionsRequest{}, 9)});
    EXPECT_EQ(frames_.size(), 1u);
    std::set<int16_t> keys;
    if (frames_.empty()) return keys;
    auto resp = DecodeResponse(ApiKey::kApiVersions, 3, frames_[0].frame);
    EXPECT_TRUE(resp.ok());
    if (!resp.ok()) return keys;
    for (const auto& k : std::get<ApiVersionsResponse>(resp->body).api_keys) keys.insert(k.api_key);
    frames_.clear();
    return keys;
  }

  std::vector<std::unique_ptr<MemDisk>> disks_;  // one per node, each fresh
};

// Regression: a controller-only node used to drop ListOffsets and OffsetForLeaderEpoch without
// any answer (the client waited for its request timeout). Partition APIs a node without the
// broker role does not serve are answered per partition with NOT_LEADER_OR_FOLLOWER.
TEST_F(RolesProtocolTest, ControllerOnlyNodeAnswersBrokerApisWithPartitionErrors) {
  UseControllerOnlyNode();
  const int16_t not_leader = int16_t(ErrorCode::kNotLeaderOrFollower);

  ListOffsetsRequest list;
  list.topics.push_back({"orders", {{0, -1, -1, 1}, {1, -1, -2, 1}}});
  Step(FrameArrived{conn_, Request(ApiKey::kListOffsets, 1, list, 1)});
  ASSERT_EQ(frames_.size(), 1u);
  auto lo = DecodeResponse(ApiKey::kListOffsets, 1, frames_[0].frame);
  ASSERT_TRUE(lo.ok()) << lo.status().ToString();
  EXPECT_EQ(lo->header.correlation_id, 1);
  const auto& lob = std::get<ListOffsetsResponse>(lo->body);
  ASSERT_EQ(lob.topics.size(), 1u);
  EXPECT_EQ(lob.topics[0].name, "orders");
  ASSERT_EQ(lob.topics[0].partitions.size(), 2u);
  for (const auto& p : lob.topics[0].partitions) EXPECT_EQ(p.error_code, not_leader);
  EXPECT_EQ(lob.topics[0].partitions[1].partition_index, 1);

  OffsetForLeaderEpochRequest ofle;
  ofle.topics.push_back({"orders", {{2, -1, 3}}});
  Step(FrameArrived{conn_, Request(ApiKey::kOffsetForLeaderEpoch, 2, ofle, 2)});
  ASSERT_EQ(frames_.size(), 2u);
  auto oe = DecodeResponse(ApiKey::kOffsetForLeaderEpoch, 2, frames_[1].frame);
  ASSERT_TRUE(oe.ok()) << oe.status().ToString();
  EXPECT_EQ(oe->header.correlation_id, 2);
  const auto& oeb = std::get<OffsetForLeaderEpochResponse>(oe->body);
  ASSERT_EQ(oeb.topics.size(), 1u);
  ASSERT_EQ(oeb.topics[0].partitions.size(), 1u);
  EXPECT_EQ(oeb.topics[0].partitions[0].partition, 2);
  EXPECT_EQ(oeb.topics[0].partitions[0].error_code, not_leader);
  EXPECT_EQ(oeb.topics[0].partitions[0].end_offset, -1);

  ProduceRequest produce;
  produce.acks = -1;
  produce.timeout_ms = 1000;
  produce.topic_data.push_back({"orders", {{0, std::nullopt}}});
  Step(FrameArrived{conn_, Request(ApiKey::kProduce, 3, produce, 3)});
  ASSERT_EQ(frames_.size(), 3u);
  auto pr = DecodeResponse(ApiKey::kProduce, 3, frames_[2].frame);
  ASSERT_TRUE(pr.ok()) << pr.status().ToString();
  EXPECT_EQ(pr->header.correlation_id, 3);
  EXPECT_EQ(std::get<ProduceResponse>(pr->body).responses[0].partition_responses[0].error_code, not_leader);

  EXPECT_TRUE(closes_.empty());
  // The node still serves what it does serve.
  EXPECT_TRUE(Advertised().count(int16_t(ApiKey::kVote)));
}

// The other direction: a broker-only node does not serve the quorum's APIs; Vote gets a
// VoteResponse carrying UNSUPPORTED_VERSION (it used to close the connection).
TEST_F(RolesProtocolTest, BrokerOnlyNodeAnswersVoteWithUnsupportedVersion) {
  UseBrokerOnlyNode();
  VoteRequest vote;
  vote.cluster_id = "x";
  vote.topics.push_back({"__cluster_metadata", {{0, 5, 2, {}, {}, 4, 100}}});
  Step(FrameArrived{conn_, Request(ApiKey::kVote, 0, vote, 4)});
  ASSERT_EQ(frames_.size(), 1u);
  auto resp = DecodeResponse(ApiKey::kVote, 0, frames_[0].frame);
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->header.correlation_id, 4);
  EXPECT_EQ(std::get<VoteResponse>(resp->body).error_code, int16_t(ErrorCode::kUnsupportedVersion));
  EXPECT_TRUE(closes_.empty());
}

// ApiVersions advertises exactly the routing table's rows that a node's roles serve, and every
// API the codec decodes has a row (so no decodable request goes unanswered).
TEST_F(RolesProtocolTest, ApiVersionsMatchesTheRoutingTableForEveryRole) {
  for (const auto& v : SupportedApiVersions()) {
    const BrokerNode::ApiRoute* route = BrokerNode::FindRoute(ApiKey(v.api_key));
    ASSERT_NE(route, nullptr) << ApiKeyName(ApiKey(v.api_key)) << " has no route";
    EXPECT_LE(route->advertised_max, v.max_version) << ApiKeyName(route->key);
    EXPECT_GE(route->served_min, v.min_version) << ApiKeyName(route->key);
  }
  struct Case {
    bool broker, controller;
    std::function<void()> use;
  };
  std::vector<Case> cases = {{true, true, [] {}},
                             {true, false, [&] { UseBrokerOnlyNode(); }},
                             {false, true, [&] { UseControllerOnlyNode(); }}};
  for (const auto& c : cases) {
    c.use();
    std::set<int16_t> want;
    for (const auto& r : BrokerNode::Routes())
      if (BrokerNode::RolesServe(r, c.broker, c.controller)) want.insert(int16_t(r.key));
    EXPECT_EQ(Advertised(), want) << "broker=" << c.broker << " controller=" << c.controller;
  }
  UseControllerOnlyNode();
  std::set<int16_t> controller_only = Advertised();
  EXPECT_FALSE(controller_only.count(int16_t(ApiKey::kListOffsets)));
  EXPECT_FALSE(controller_only.count(int16_t(ApiKey::kOffsetForLeaderEpoch)));
  EXPECT_FALSE(controller_only.count(int16_t(ApiKey::kProduce)));
  EXPECT_TRUE(controller_only.count(int16_t(ApiKey::kFetch)));  // the metadata log's Fetch
}

}  // namespace
}  // namespace samsa
