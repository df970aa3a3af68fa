#include "core/config/properties.h"
#include "core/controller/quorum_controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "core/protocol/error_codes.h"

namespace samsa {
namespace {

// A tiny harness standing in for the Raft glue: records returned by the controller are
// "appended" at the next offset and (unless told otherwise) committed at once.
class ControllerTest : public ::testing::Test {
 protected:
  void Start(uint64_t seed = 42) {
    c = std::make_unique<QuorumController>(config, Prng(seed));
    c->Activate(now);
  }

  void Commit(const std::vector<MetadataRecord>& records) {
    for (const MetadataRecord& r : records) {
      Status s = c->Replay(r, next_offset++);
      ASSERT_TRUE(s.ok()) << s.ToString() << " replaying " << DescribeMetadataRecord(r);
    }
  }

  BrokerRegistrationRequest RegistrationRequest(int32_t id) {
    BrokerRegistrationRequest req;
    req.broker_id = id;
    req.cluster_id = "cluster";
    req.incarnation_id = Uuid::FromHalves(uint64_t(id), uint64_t(incarnation));
    req.listeners = {{"PLAINTEXT", "broker" + std::to_string(id), uint16_t(9092), 0}};
    return req;
  }

  int64_t Register(int32_t id) {
    ControllerResult r = c->HandleBrokerRegistration(RegistrationRequest(id), now, next_offset);
    const auto& resp = std::get<BrokerRegistrationResponse>(r.response);
    EXPECT_EQ(resp.error_code, 0);
    Commit(r.records);
    epochs[id] = resp.broker_epoch;
    return resp.broker_epoch;
  }

  BrokerHeartbeatResponse Heartbeat(int32_t id, bool want_fence = false,
                                    bool want_shut_down = false) {
    BrokerHeartbeatRequest req;
    req.broker_id = id;
    req.broker_epoch = epochs[id];
    req.current_metadata_offset = next_offset - 1;
    req.want_fence = want_fence;
    req.want_shut_down = want_shut_down;
    ControllerResult r = c->HandleBrokerHeartbeat(req, now);
    last_records = r.records;
    Commit(r.records);
    return std::get<BrokerHeartbeatResponse>(r.response);
  }

  void StartCluster(int n) {
    Start();
    for (int i = 1; i <= n; ++i) Register(i);
    for (int i = 1; i <= n; ++i) {
      EXPECT_FALSE(Heartbeat(i).is_fenced);
    }
  }

  CreateTopicsResponse::Topic Create(const std::string& name, int32_t partitions, int16_t rf,
                                     std::vector<CreateTopicsRequest::Config> configs = {},
                                     bool validate_only = false) {
    CreateTopicsRequest req;
    req.topics.push_back({name, partitions, rf, {}, configs});
    req.validate_only = validate_only;
    ControllerResult r = c->HandleCreateTopics(req, now);
    last_records = r.records;
    Commit(r.records);
    return std::get<CreateTopicsResponse>(r.response).topics.at(0);
  }

  AlterPartitionResponse Alter(int32_t broker, const std::string& topic, int32_t partition,
                               std::vector<int32_t> isr, int32_t leader_epoch = -100,
                               int32_t partition_epoch = -100) {
    const PartitionInfo* p = c->image().FindPartition(topic, partition);
    AlterPartitionRequest req;
    req.broker_id = broker;
    req.broker_epoch = epochs[broker];
    AlterPartitionRequest::Partition pd;
    pd.partition_index = partition;
    pd.leader_epoch = leader_epoch == -100 ? p->leader_epoch : leader_epoch;
    pd.partition_epoch = partition_epoch == -100 ? p->partition_epoch : partition_epoch;
    pd.new_isr = std::move(isr);
    req.topics.push_back({"", c->image().FindTopic(topic)->id, {pd}});
    ControllerResult r = c->HandleAlterPartition(req, now);
    last_records = r.records;
    Commit(r.records);
    return std::get<AlterPartitionResponse>(r.response);
  }

  std::vector<MetadataRecord> TickAndCommit() {
    std::vector<MetadataRecord> recs = c->Tick(now);
    Commit(recs);
    return recs;
  }

  // Topic t, one partition on brokers {replicas}, with these topic configs.
  void CreateT(std::vector<int32_t> replicas, std::vector<CreateTopicsRequest::Config> configs = {}) {
    CreateTopicsRequest req;
    req.topics.push_back({"t", -1, -1, {{0, std::move(replicas)}}, std::move(configs)});
    Commit(c->HandleCreateTopics(req, now).records);
  }

  // A (same-incarnation) restart of `id` whose registration reports lost data.
  void RegisterReportingLostData(int32_t id, std::vector<BrokerRegistrationRequest::LostPartition> lost) {
    BrokerRegistrationRequest req = RegistrationRequest(id);
    req.lost_data_partitions = std::move(lost);
    ControllerResult r = c->HandleBrokerRegistration(req, now, next_offset);
    ASSERT_EQ(std::get<BrokerRegistrationResponse>(r.response).error_code, 0);
    Commit(r.records);
    epochs[id] = std::get<BrokerRegistrationResponse>(r.response).broker_epoch;
  }

  const PartitionInfo& P(const std::string& topic, int32_t partition) {
    const PartitionInfo* p = c->image().FindPartition(topic, partition);
    SAMSA_ASSERT(p != nullptr);
    return *p;
  }

  ControllerConfig config;
  std::unique_ptr<QuorumController> c;
  int64_t next_offset = 0;
  int64_t now = 1000;
  int incarnation = 1;
  std::map<int32_t, int64_t> epochs;
  std::vector<MetadataRecord> last_records;
};

using V = std::vector<int32_t>;

// ---- registration and heartbeats ----

TEST_F(ControllerTest, RegisterThreeBrokersThenHeartbeatsUnfence) {
  Start();
  for (int i = 1; i <= 3; ++i) {
    const int64_t epoch = Register(i);
    EXPECT_EQ(epoch, next_offset - 1);  // broker epoch = offset of its RegisterBrokerRecord
    EXPECT_TRUE(c->image().FindBroker(i)->fenced);
  }
  // A heartbeat that has not replayed up to the registration stays fenced.
  BrokerHeartbeatRequest behind;
  behind.broker_id = 3;
  behind.broker_epoch = epochs[3];
  behind.current_metadata_offset = epochs[3] - 1;
  ControllerResult r = c->HandleBrokerHeartbeat(behind, now);
  const auto& resp = std::get<BrokerHeartbeatResponse>(r.response);
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(resp.is_fenced);
  EXPECT_FALSE(resp.is_caught_up);

  for (int i = 1; i <= 3; ++i) {
    BrokerHeartbeatResponse hb = Heartbeat(i);
    EXPECT_EQ(hb.error_code, 0);
    EXPECT_FALSE(hb.is_fenced);
    EXPECT_TRUE(hb.is_caught_up);
    ASSERT_EQ(last_records.size(), 1u);
    EXPECT_EQ(std::get<UnfenceBrokerRecord>(last_records[0]), (UnfenceBrokerRecord{i, epochs[i]}));
    EXPECT_FALSE(c->image().FindBroker(i)->fenced);
  }
  // Steady-state heartbeats write nothing.
  EXPECT_FALSE(Heartbeat(2).is_fenced);
  EXPECT_TRUE(last_records.empty());
}

TEST_F(ControllerTest, UncommittedRegistrationDoesNotUnfence) {
  Start();
  ControllerResult r = c->HandleBrokerRegistration(RegistrationRequest(1), now, 0);
  const int64_t epoch = std::get<BrokerRegistrationResponse>(r.response).broker_epoch;
  BrokerHeartbeatRequest hb;
  hb.broker_id = 1;
  hb.broker_epoch = epoch;
  hb.current_metadata_offset = 100;  // claims to be far ahead, but nothing committed yet
  ControllerResult h = c->HandleBrokerHeartbeat(hb, now);
  EXPECT_TRUE(std::get<BrokerHeartbeatResponse>(h.response).is_fenced);
  EXPECT_TRUE(h.records.empty());
}

TEST_F(ControllerTest, HeartbeatAndRegistrationErrors) {
  StartCluster(1);
  BrokerHeartbeatRequest hb;
  hb.broker_id = 9;
  ControllerResult r = c->HandleBrokerHeartbeat(hb, now);
  EXPECT_EQ(std::get<BrokerHeartbeatResponse>(r.response).error_code,
            int16_t(ErrorCode::kBrokerIdNotRegistered));
  hb.broker_id = 1;
  hb.broker_epoch = epochs[1] + 5;
  r = c->HandleBrokerHeartbeat(hb, now);
  EXPECT_EQ(std::get<BrokerHeartbeatResponse>(r.response).error_code,
            int16_t(ErrorCode::kStaleBrokerEpoch));

  // Another incarnation with broker 1's id while broker 1 has a live session.
  incarnation = 2;
  r = c->HandleBrokerRegistration(RegistrationRequest(1), now, next_offset);
  EXPECT_EQ(std::get<BrokerRegistrationResponse>(r.response).error_code,
            int16_t(ErrorCode::kDuplicateBrokerRegistration));
  EXPECT_TRUE(r.records.empty());
  // Once the old session has expired it may register.
  now += config.broker_session_timeout_ms + 1;
  TickAndCommit();
  EXPECT_TRUE(c->image().FindBroker(1)->fenced);
  const int64_t old_epoch = epochs[1];
  EXPECT_GT(Register(1), old_epoch);

  config.cluster_id = "right";
  Start();
  r = c->HandleBrokerRegistration(RegistrationRequest(5), now, next_offset);
  EXPECT_EQ(std::get<BrokerRegistrationResponse>(r.response).error_code,
            int16_t(ErrorCode::kInconsistentClusterId));
}

// Regression (issue 9; bench-reference seed 100067 before the fix): controller failovers came
// faster than broker.session.timeout.ms, each gave a crashed broker's old registration a fresh
// session, and its restarted incarnation was refused as a duplicate for 43 simulated seconds,
// leaving too few brokers for min.insync.replicas. A session that the active controller has not
// heard from since it became active no longer blocks a new incarnation.
TEST_F(ControllerTest, AfterAFailoverARestartedBrokerRegistersAtOnce) {
  StartCluster(2);
  now += 1000;
  c->Deactivate();
  c->Activate(now);  // a failover: both old registrations get fresh sessions
  now += 100;
  EXPECT_FALSE(Heartbeat(2).is_fenced);  // broker 2 lives and heartbeats; broker 1 crashed
  incarnation = 2;
  const int64_t old_epoch = epochs[1];
  EXPECT_GT(Register(1), old_epoch);
  // Broker 2's old registration was heard from: another process with its id is still refused.
  ControllerResult r = c->HandleBrokerRegistration(RegistrationRequest(2), now, next_offset);
  EXPECT_EQ(std::get<BrokerRegistrationResponse>(r.response).error_code,
            int16_t(ErrorCode::kDuplicateBrokerRegistration));
  EXPECT_TRUE(r.records.empty());
}

TEST_F(ControllerTest, InactiveControllerAnswersNotController) {
  Start();
  c->Deactivate();
  EXPECT_FALSE(c->active());
  const int16_t kNotController = int16_t(ErrorCode::kNotController);
  ControllerResult r = c->HandleBrokerRegistration(RegistrationRequest(1), now);
  EXPECT_EQ(std::get<BrokerRegistrationResponse>(r.response).error_code, kNotController);
  r = c->HandleBrokerHeartbeat(BrokerHeartbeatRequest{}, now);
  EXPECT_EQ(std::get<BrokerHeartbeatResponse>(r.response).error_code, kNotController);
  CreateTopicsRequest ct;
  ct.topics.push_back({"t", 1, 1, {}, {}});
  r = c->HandleCreateTopics(ct, now);
  EXPECT_EQ(std::get<CreateTopicsResponse>(r.response).topics.at(0).error_code, kNotController);
  DeleteTopicsRequest dt;
  dt.topic_names = {"t"};
  r = c->HandleDeleteTopics(dt, now);
  EXPECT_EQ(std::get<DeleteTopicsResponse>(r.response).responses.at(0).error_code, kNotController);
  r = c->HandleAlterPartition(AlterPartitionRequest{}, now);
  EXPECT_EQ(std::get<AlterPartitionResponse>(r.response).error_code, kNotController);
  EXPECT_TRUE(c->Tick(now + 1000000).empty());
  EXPECT_EQ(c->NextDeadlineMs(), std::numeric_limits<int64_t>::max());
}

// ---- CreateTopics / DeleteTopics ----

TEST_F(ControllerTest, CreateTopicPlacesReplicasAndBalancesLeaders) {
  StartCluster(3);
  CreateTopicsResponse::Topic t = Create("orders", 6, 3);
  EXPECT_EQ(t.error_code, 0);
  EXPECT_FALSE(t.topic_id.IsZero());
  EXPECT_EQ(t.num_partitions, 6);
  EXPECT_EQ(t.replication_factor, 3);
  ASSERT_EQ(last_records.size(), 7u);  // TopicRecord + 6 PartitionRecords
  EXPECT_EQ(std::get<TopicRecord>(last_records[0]).name, "orders");

  const TopicInfo* topic = c->image().FindTopic("orders");
  ASSERT_NE(topic, nullptr);
  EXPECT_EQ(topic->id, t.topic_id);
  std::map<int32_t, int> leaders;
  for (const auto& [index, p] : topic->partitions) {
    EXPECT_EQ(p.replicas.size(), 3u);
    EXPECT_EQ(std::set<int32_t>(p.replicas.begin(), p.replicas.end()),
              (std::set<int32_t>{1, 2, 3}));
    EXPECT_EQ(p.isr, p.replicas);
    EXPECT_EQ(p.leader, p.replicas[0]);
    EXPECT_EQ(p.leader_epoch, 0);
    EXPECT_EQ(p.partition_epoch, 0);
    ++leaders[p.leader];
  }
  EXPECT_EQ(leaders, (std::map<int32_t, int>{{1, 2}, {2, 2}, {3, 2}}));
}

TEST_F(ControllerTest, CreateTopicDefaultsAndConfigs) {
  config.num_partitions = 4;
  config.default_replication_factor = 2;
  StartCluster(3);
  CreateTopicsResponse::Topic t =
      Create("events", -1, -1, {{"min.insync.replicas", "2"}, {"retention.ms", "1000"}});
  EXPECT_EQ(t.error_code, 0);
  EXPECT_EQ(t.num_partitions, 4);
  EXPECT_EQ(t.replication_factor, 2);
  ASSERT_TRUE(t.configs.has_value());
  EXPECT_EQ(t.configs->size(), 2u);
  const TopicInfo* topic = c->image().FindTopic("events");
  EXPECT_EQ(topic->partitions.size(), 4u);
  EXPECT_EQ(topic->configs.at("min.insync.replicas"), "2");
  EXPECT_EQ(TopicMinInsyncReplicas(*topic, 1), 2);
  EXPECT_EQ(std::get<ConfigRecord>(last_records[1]).name, "min.insync.replicas");
}

// The property registry's refusals hold for CreateTopics too (real clients create topics with
// configs): a refused topic property, or a refused value, is INVALID_CONFIG naming it.
TEST_F(ControllerTest, CreateTopicRefusesWhatTheRegistryRefuses) {
  StartCluster(3);
  int refused = 0;
  for (const config::Property& p : config::All()) {
    if (p.scope != config::Scope::kTopic) continue;
    std::vector<std::string> values;
    if (!p.refused.empty()) values.push_back("1");
    std::string_view rv = p.refused_values;
    while (!rv.empty()) {
      size_t bar = rv.find('|');
      values.emplace_back(rv.substr(0, bar));
      rv = bar == std::string_view::npos ? std::string_view() : rv.substr(bar + 1);
    }
    for (const std::string& v : values) {
      CreateTopicsResponse::Topic t = Create("refused-" + std::to_string(refused++), 1, 1, {{std::string(p.name), v}});
      EXPECT_EQ(ErrorCode(t.error_code), ErrorCode::kInvalidConfig) << p.name << "=" << v;
      EXPECT_NE(t.error_message.value_or("").find(std::string(p.name)), std::string::npos) << t.error_message.value_or("");
    }
  }
  EXPECT_GT(refused, 20);
  // What it accepts is stored.
  CreateTopicsResponse::Topic ok = Create("accepted", 1, 1, {{"segment.bytes", "4096"}, {"compression.type", "lz4"}});
  EXPECT_EQ(ok.error_code, 0) << ok.error_message.value_or("");
}

TEST_F(ControllerTest, CreateTopicErrors) {
  StartCluster(3);
  Create("exists", 1, 1);
  auto code = [](const CreateTopicsResponse::Topic& t) { return ErrorCode(t.error_code); };
  EXPECT_EQ(code(Create("exists", 1, 1)), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(code(Create("rf4", 1, 4)), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(code(Create("rf0", 1, 0)), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(code(Create("p0", 0, 1)), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(code(Create("pneg", -5, 1)), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(code(Create("bad name", 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(code(Create("..", 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(code(Create(std::string(250, 'a'), 1, 1)), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(code(Create("cfg", 1, 1, {{"min.insync.replicas", "zero"}})),
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(code(Create("cfg", 1, 1, {{"no.such.config", "1"}})), ErrorCode::kInvalidConfig);
  EXPECT_EQ(code(Create("cfg", 1, 1, {{"unclean.leader.election.enable", "maybe"}})),
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(code(Create("cfg", 1, 1, {{"retention.ms", std::nullopt}})),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(c->image().topics().size(), 1u);

  // validate_only: a full answer, no records.
  CreateTopicsResponse::Topic v = Create("dry", 3, 2, {}, /*validate_only=*/true);
  EXPECT_EQ(v.error_code, 0);
  EXPECT_EQ(v.num_partitions, 3);
  EXPECT_TRUE(last_records.empty());
  EXPECT_EQ(c->image().FindTopic("dry"), nullptr);

  // Duplicate names in one request fail both entries.
  CreateTopicsRequest req;
  req.topics.push_back({"dup", 1, 1, {}, {}});
  req.topics.push_back({"dup", 1, 1, {}, {}});
  req.topics.push_back({"fine", 1, 1, {}, {}});
  ControllerResult r = c->HandleCreateTopics(req, now);
  const auto& resp = std::get<CreateTopicsResponse>(r.response);
  EXPECT_EQ(ErrorCode(resp.topics[0].error_code), ErrorCode::kInvalidRequest);
  EXPECT_EQ(ErrorCode(resp.topics[1].error_code), ErrorCode::kInvalidRequest);
  EXPECT_EQ(resp.topics[2].error_code, 0);
  Commit(r.records);

  // Fenced brokers do not count toward the replication factor.
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(1);
  Heartbeat(2);
  TickAndCommit();  // broker 3 expires
  EXPECT_EQ(code(Create("rf3", 1, 3)), ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(code(Create("rf2", 1, 2)), ErrorCode::kNone);
}

TEST_F(ControllerTest, CreateTopicWithManualAssignment) {
  StartCluster(3);
  CreateTopicsRequest req;
  CreateTopicsRequest::Topic t{"manual", -1, -1, {{0, {3, 1}}, {1, {2, 3}}}, {}};
  req.topics.push_back(t);
  ControllerResult r = c->HandleCreateTopics(req, now);
  EXPECT_EQ(std::get<CreateTopicsResponse>(r.response).topics[0].error_code, 0);
  Commit(r.records);
  EXPECT_EQ(P("manual", 0).replicas, (V{3, 1}));
  EXPECT_EQ(P("manual", 0).leader, 3);
  EXPECT_EQ(P("manual", 1).leader, 2);

  req.topics[0] = {"manual2", -1, -1, {{0, {3, 3}}}, {}};
  r = c->HandleCreateTopics(req, now);
  EXPECT_EQ(ErrorCode(std::get<CreateTopicsResponse>(r.response).topics[0].error_code),
            ErrorCode::kInvalidReplicaAssignment);
  req.topics[0] = {"manual2", -1, -1, {{0, {7}}}, {}};
  r = c->HandleCreateTopics(req, now);
  EXPECT_EQ(ErrorCode(std::get<CreateTopicsResponse>(r.response).topics[0].error_code),
            ErrorCode::kInvalidReplicaAssignment);
  req.topics[0] = {"manual2", 2, -1, {{0, {1}}}, {}};
  r = c->HandleCreateTopics(req, now);
  EXPECT_EQ(ErrorCode(std::get<CreateTopicsResponse>(r.response).topics[0].error_code),
            ErrorCode::kInvalidRequest);
}

TEST_F(ControllerTest, DeleteTopicsByNameAndId) {
  StartCluster(1);
  Create("a", 1, 1);
  const Uuid b_id = Create("b", 1, 1).topic_id;
  DeleteTopicsRequest req;
  req.topic_names = {"a", "missing"};
  ControllerResult r = c->HandleDeleteTopics(req, now);
  const auto& resp = std::get<DeleteTopicsResponse>(r.response);
  EXPECT_EQ(resp.responses[0].error_code, 0);
  EXPECT_EQ(ErrorCode(resp.responses[1].error_code), ErrorCode::kUnknownTopicOrPartition);
  ASSERT_EQ(r.records.size(), 1u);
  Commit(r.records);
  EXPECT_EQ(c->image().FindTopic("a"), nullptr);

  DeleteTopicsRequest by_id;
  by_id.topics = {{std::nullopt, b_id}, {std::nullopt, Uuid::FromHalves(1, 1)}, {"b", b_id}};
  r = c->HandleDeleteTopics(by_id, now);
  const auto& resp2 = std::get<DeleteTopicsResponse>(r.response);
  EXPECT_EQ(ErrorCode(resp2.responses[0].error_code), ErrorCode::kInvalidRequest);  // duplicate id
  EXPECT_EQ(ErrorCode(resp2.responses[1].error_code), ErrorCode::kUnknownTopicId);
  EXPECT_EQ(ErrorCode(resp2.responses[2].error_code), ErrorCode::kInvalidRequest);  // both set
  by_id.topics = {{std::nullopt, b_id}};
  r = c->HandleDeleteTopics(by_id, now);
  EXPECT_EQ(std::get<DeleteTopicsResponse>(r.response).responses[0].name, "b");
  Commit(r.records);
  EXPECT_TRUE(c->image().topics().empty());
}

// ---- failures and elections ----

TEST_F(ControllerTest, SessionExpiryFencesAndMovesLeadershipWithinIsr) {
  StartCluster(3);
  Create("orders", 3, 3);
  EXPECT_EQ(c->NextDeadlineMs(), now + config.broker_session_timeout_ms + 1);
  // Brokers 2 and 3 keep heartbeating; broker 1 goes silent.
  now += config.broker_session_timeout_ms;
  Heartbeat(2);
  Heartbeat(3);
  EXPECT_TRUE(TickAndCommit().empty());  // exactly at the timeout: still valid
  now += 1;
  std::vector<MetadataRecord> recs = TickAndCommit();
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(std::get<FenceBrokerRecord>(recs.back()), (FenceBrokerRecord{1, epochs[1]}));
  EXPECT_TRUE(c->image().FindBroker(1)->fenced);
  for (const auto& [index, p] : c->image().FindTopic("orders")->partitions) {
    EXPECT_NE(p.leader, 1);
    EXPECT_EQ(p.isr.size(), 2u);
    EXPECT_EQ(std::count(p.isr.begin(), p.isr.end(), 1), 0);
    // The new leader is the first remaining ISR member in assignment order.
    if (p.replicas[0] == 1) {
      EXPECT_EQ(p.leader, p.replicas[1]);
      EXPECT_EQ(p.leader_epoch, 1);
    } else {
      EXPECT_EQ(p.leader, p.replicas[0]);
      EXPECT_EQ(p.leader_epoch, 0);  // only the ISR shrank
    }
    EXPECT_EQ(p.partition_epoch, 1);
  }
}

TEST_F(ControllerTest, LeaderlessWhenNoIsrMemberIsLiveThenLeaderReturns) {
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"solo", -1, -1, {{0, {1, 2}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  ASSERT_EQ(Alter(1, "solo", 0, {1}).topics[0].partitions[0].error_code, 0);  // ISR {1}
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(2);
  TickAndCommit();
  const PartitionInfo& p = P("solo", 0);
  EXPECT_EQ(p.leader, -1);
  EXPECT_EQ(p.isr, (V{1}));  // the last member stays in the ISR
  EXPECT_EQ(p.leader_recovery_state, 0);

  // Broker 1 comes back (same process): once unfenced it takes leadership back cleanly.
  BrokerHeartbeatResponse hb = Heartbeat(1);
  EXPECT_FALSE(hb.is_fenced);
  EXPECT_EQ(P("solo", 0).leader, 1);
  EXPECT_EQ(P("solo", 0).isr, (V{1}));
}

TEST_F(ControllerTest, UncleanElectionWhenEnabledClusterWide) {
  config.unclean_leader_election_enable = true;
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"u", -1, -1, {{0, {1, 2}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  Alter(1, "u", 0, {1});
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(2);
  TickAndCommit();
  const PartitionInfo& p = P("u", 0);
  EXPECT_EQ(p.leader, 2);
  EXPECT_EQ(p.isr, (V{2}));
  EXPECT_EQ(p.leader_recovery_state, kLeaderRecovering);
  // The new leader reports recovery; the state goes back to RECOVERED.
  AlterPartitionRequest ap;
  ap.broker_id = 2;
  ap.broker_epoch = epochs[2];
  AlterPartitionRequest::Partition pd;
  pd.partition_index = 0;
  pd.leader_epoch = p.leader_epoch;
  pd.partition_epoch = p.partition_epoch;
  pd.new_isr = {2};
  pd.leader_recovery_state = kLeaderRecovered;
  ap.topics.push_back({"u", Uuid(), {pd}});
  ControllerResult r = c->HandleAlterPartition(ap, now);
  EXPECT_EQ(std::get<AlterPartitionResponse>(r.response).topics[0].partitions[0].error_code, 0);
  Commit(r.records);
  EXPECT_EQ(P("u", 0).leader_recovery_state, kLeaderRecovered);
}

TEST_F(ControllerTest, UncleanElectionFollowsTopicConfig) {
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"on", -1, -1, {{0, {1, 2}}}, {{"unclean.leader.election.enable", "true"}}});
  req.topics.push_back({"off", -1, -1, {{0, {1, 2}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  Alter(1, "on", 0, {1});
  Alter(1, "off", 0, {1});
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(2);
  TickAndCommit();
  EXPECT_EQ(P("on", 0).leader, 2);
  EXPECT_EQ(P("on", 0).isr, (V{2}));
  EXPECT_EQ(P("off", 0).leader, -1);
  EXPECT_EQ(P("off", 0).isr, (V{1}));
}

TEST_F(ControllerTest, UncleanElectionOnUnfenceForLeaderlessPartition) {
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"on", -1, -1, {{0, {1, 2}}}, {{"unclean.leader.election.enable", "true"}}});
  Commit(c->HandleCreateTopics(req, now).records);
  Alter(1, "on", 0, {1});
  // Broker 2 leaves first, then broker 1 dies: the partition goes offline with ISR {1}.
  Heartbeat(2, /*want_fence=*/true);
  now += config.broker_session_timeout_ms + 1;
  TickAndCommit();
  EXPECT_EQ(P("on", 0).leader, -1);
  EXPECT_EQ(P("on", 0).isr, (V{1}));
  // Broker 2 (out of the ISR) returns first: unclean election picks it.
  Heartbeat(2);
  EXPECT_EQ(P("on", 0).leader, 2);
  EXPECT_EQ(P("on", 0).isr, (V{2}));
}

TEST_F(ControllerTest, AlterPartitionAcceptAndReject) {
  StartCluster(3);
  CreateTopicsRequest req;
  req.topics.push_back({"t", -1, -1, {{0, {1, 2, 3}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  auto part = [](const AlterPartitionResponse& r) { return r.topics.at(0).partitions.at(0); };

  // Shrink accepted: new ISR, partition epoch + 1, leader epoch unchanged.
  AlterPartitionResponse ok = Alter(1, "t", 0, {1, 2});
  EXPECT_EQ(ok.error_code, 0);
  EXPECT_EQ(part(ok).error_code, 0);
  EXPECT_EQ(part(ok).isr, (V{1, 2}));
  EXPECT_EQ(part(ok).leader_id, 1);
  EXPECT_EQ(part(ok).leader_epoch, 0);
  EXPECT_EQ(part(ok).partition_epoch, 1);
  EXPECT_EQ(P("t", 0).isr, (V{1, 2}));

  // Stale partition epoch.
  EXPECT_EQ(ErrorCode(part(Alter(1, "t", 0, {1}, 0, 0)).error_code),
            ErrorCode::kInvalidUpdateVersion);
  // Stale leader epoch.
  EXPECT_EQ(ErrorCode(part(Alter(1, "t", 0, {1}, 7)).error_code), ErrorCode::kFencedLeaderEpoch);
  // Not the leader.
  EXPECT_EQ(ErrorCode(part(Alter(2, "t", 0, {2})).error_code), ErrorCode::kInvalidRequest);
  // ISR without the leader, or with a non-replica.
  EXPECT_EQ(ErrorCode(part(Alter(1, "t", 0, {2, 3})).error_code), ErrorCode::kInvalidRequest);
  EXPECT_EQ(ErrorCode(part(Alter(1, "t", 0, {1, 9})).error_code), ErrorCode::kInvalidRequest);
  // Stale broker epoch: top-level error.
  epochs[1] += 100;
  EXPECT_EQ(ErrorCode(Alter(1, "t", 0, {1}).error_code), ErrorCode::kStaleBrokerEpoch);
  epochs[1] -= 100;
  // Expanding to a fenced broker is refused.
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(1);
  Heartbeat(2);
  TickAndCommit();  // fences 3
  EXPECT_EQ(ErrorCode(part(Alter(1, "t", 0, {1, 2, 3})).error_code), ErrorCode::kIneligibleReplica);
  // Expansion to 3 works once it is back.
  Heartbeat(3);
  AlterPartitionResponse grow = Alter(1, "t", 0, {1, 2, 3});
  EXPECT_EQ(part(grow).error_code, 0);
  EXPECT_EQ(P("t", 0).isr, (V{1, 2, 3}));
  // An unchanged ISR writes nothing and returns the current state.
  AlterPartitionResponse same = Alter(1, "t", 0, {1, 2, 3});
  EXPECT_EQ(part(same).error_code, 0);
  EXPECT_TRUE(last_records.empty());
  EXPECT_EQ(part(same).partition_epoch, P("t", 0).partition_epoch);

  // Unknown topic id and partition.
  AlterPartitionRequest bad;
  bad.broker_id = 1;
  bad.broker_epoch = epochs[1];
  AlterPartitionRequest::Partition p5;
  p5.partition_index = 5;
  bad.topics.push_back({"", Uuid::FromHalves(3, 3), {AlterPartitionRequest::Partition()}});
  bad.topics.push_back({"", c->image().FindTopic("t")->id, {p5}});
  ControllerResult r = c->HandleAlterPartition(bad, now);
  const auto& resp = std::get<AlterPartitionResponse>(r.response);
  EXPECT_EQ(ErrorCode(resp.topics[0].partitions[0].error_code), ErrorCode::kUnknownTopicId);
  EXPECT_EQ(ErrorCode(resp.topics[1].partitions[0].error_code),
            ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(ControllerTest, AlterPartitionV3ChecksIsrBrokerEpochs) {
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"t", -1, -1, {{0, {1, 2}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  const PartitionInfo& p = P("t", 0);
  AlterPartitionRequest ap;
  ap.broker_id = 1;
  ap.broker_epoch = epochs[1];
  AlterPartitionRequest::Partition pd;
  pd.leader_epoch = p.leader_epoch;
  pd.partition_epoch = p.partition_epoch;
  pd.new_isr_with_epochs = {{1, epochs[1]}, {2, epochs[2] - 1}};  // 2's epoch is stale
  ap.topics.push_back({"", c->image().FindTopic("t")->id, {pd}});
  ControllerResult r = c->HandleAlterPartition(ap, now);
  EXPECT_EQ(
      ErrorCode(std::get<AlterPartitionResponse>(r.response).topics[0].partitions[0].error_code),
      ErrorCode::kIneligibleReplica);
}

TEST_F(ControllerTest, ControlledShutdownMovesLeadershipThenFences) {
  StartCluster(3);
  Create("orders", 3, 3);
  int led_by_1 = 0;
  for (const auto& [i, p] : c->image().FindTopic("orders")->partitions) led_by_1 += p.leader == 1;
  ASSERT_GT(led_by_1, 0);

  BrokerHeartbeatResponse hb = Heartbeat(1, false, /*want_shut_down=*/true);
  EXPECT_FALSE(hb.should_shut_down);
  EXPECT_FALSE(hb.is_fenced);
  ASSERT_FALSE(last_records.empty());
  EXPECT_EQ(std::get<BrokerRegistrationChangeRecord>(last_records[0]).in_controlled_shutdown, 1);
  EXPECT_TRUE(c->image().FindBroker(1)->shutting_down);
  for (const auto& [i, p] : c->image().FindTopic("orders")->partitions) {
    EXPECT_NE(p.leader, 1);
    EXPECT_EQ(std::count(p.isr.begin(), p.isr.end(), 1), 0);
  }
  // A broker in controlled shutdown leads nothing new and cannot join an ISR.
  EXPECT_EQ(Create("later", 3, 2).error_code, 0);
  for (const auto& [i, p] : c->image().FindTopic("later")->partitions) {
    EXPECT_EQ(std::count(p.replicas.begin(), p.replicas.end(), 1), 0);
  }
  // Until the other brokers have replayed the shutdown record, it must wait.
  hb = Heartbeat(1, false, true);
  EXPECT_FALSE(hb.should_shut_down);
  Heartbeat(2);
  Heartbeat(3);
  hb = Heartbeat(1, false, true);
  EXPECT_TRUE(hb.should_shut_down);
  EXPECT_TRUE(hb.is_fenced);
  EXPECT_TRUE(c->image().FindBroker(1)->fenced);
  EXPECT_FALSE(c->image().FindBroker(1)->shutting_down);
}

TEST_F(ControllerTest, SingleBrokerControlledShutdownLeavesPartitionsOffline) {
  StartCluster(1);
  Create("t", 2, 1);
  Heartbeat(1, false, true);
  EXPECT_EQ(P("t", 0).leader, -1);
  EXPECT_EQ(P("t", 0).isr, (V{1}));
  EXPECT_TRUE(Heartbeat(1, false, true).should_shut_down);
}

TEST_F(ControllerTest, WantFenceFencesImmediately) {
  StartCluster(2);
  Create("t", 2, 2);
  BrokerHeartbeatResponse hb = Heartbeat(2, /*want_fence=*/true);
  EXPECT_TRUE(hb.is_fenced);
  EXPECT_TRUE(c->image().FindBroker(2)->fenced);
  EXPECT_EQ(P("t", 0).leader, 1);
  EXPECT_EQ(P("t", 1).leader, 1);
}

TEST_F(ControllerTest, PreferredLeaderRebalancingReturnsLeadershipToFirstReplica) {
  config.leader_imbalance_check_interval_ms = 60000;
  StartCluster(3);
  Create("orders", 3, 3);
  const int64_t first_check = now + 60000;
  EXPECT_EQ(c->NextDeadlineMs(), now + config.broker_session_timeout_ms + 1);
  // Broker 1 is fenced and comes back; ISR grows back.
  Heartbeat(1, /*want_fence=*/true);
  Heartbeat(1);
  for (const auto& [i, p] : c->image().FindTopic("orders")->partitions) {
    const PartitionInfo& cur = p;
    if (!std::count(cur.isr.begin(), cur.isr.end(), 1)) {
      V isr = cur.isr;
      isr.push_back(1);
      ASSERT_EQ(Alter(cur.leader, "orders", i, isr).topics[0].partitions[0].error_code, 0);
    }
  }
  int not_preferred = 0;
  for (const auto& [i, p] : c->image().FindTopic("orders")->partitions) {
    not_preferred += p.leader != p.replicas[0];
  }
  ASSERT_GT(not_preferred, 0);
  // Nothing before the interval.
  while (now + 2000 < first_check) {
    now += 2000;
    for (int b = 1; b <= 3; ++b) Heartbeat(b);
    EXPECT_TRUE(TickAndCommit().empty());
  }
  now = first_check;
  for (int b = 1; b <= 3; ++b) Heartbeat(b);
  std::vector<MetadataRecord> recs = TickAndCommit();
  EXPECT_EQ(int(recs.size()), not_preferred);
  for (const auto& [i, p] : c->image().FindTopic("orders")->partitions) {
    EXPECT_EQ(p.leader, p.replicas[0]);
  }
  EXPECT_EQ(c->NextDeadlineMs(), now + config.broker_session_timeout_ms + 1);
}

TEST_F(ControllerTest, TickFencesSeveralBrokersInIdOrderEachSeeingThePrevious) {
  StartCluster(3);
  CreateTopicsRequest req;
  req.topics.push_back({"t", -1, -1, {{0, {1, 2, 3}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(3);
  std::vector<MetadataRecord> recs = TickAndCommit();
  // 1's changes, Fence 1, 2's changes, Fence 2.
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(std::get<PartitionChangeRecord>(recs[0]).leader, 2);
  EXPECT_EQ(std::get<FenceBrokerRecord>(recs[1]).id, 1);
  EXPECT_EQ(std::get<PartitionChangeRecord>(recs[2]).leader, 3);
  EXPECT_EQ(std::get<FenceBrokerRecord>(recs[3]).id, 2);
  EXPECT_EQ(P("t", 0).leader, 3);
  EXPECT_EQ(P("t", 0).isr, (V{3}));
  EXPECT_EQ(P("t", 0).leader_epoch, 2);
  EXPECT_EQ(P("t", 0).partition_epoch, 2);
}

TEST_F(ControllerTest, NoRebalanceWhenDisabled) {
  config.auto_leader_rebalance_enable = false;
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"t", -1, -1, {{0, {1, 2}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  Heartbeat(1, /*want_fence=*/true);
  Heartbeat(1);
  Alter(2, "t", 0, {2, 1});
  ASSERT_EQ(P("t", 0).leader, 2);
  for (int i = 0; i < 200; ++i) {
    now += 2000;
    Heartbeat(1);
    Heartbeat(2);
    EXPECT_TRUE(TickAndCommit().empty());
  }
  EXPECT_EQ(P("t", 0).leader, 2);
  EXPECT_EQ(c->NextDeadlineMs(), now + config.broker_session_timeout_ms + 1);
}

TEST_F(ControllerTest, UncleanRestartMovesLeadershipAwayBeforeReRegistration) {
  StartCluster(2);
  CreateTopicsRequest req;
  req.topics.push_back({"t", -1, -1, {{0, {1, 2}}}, {}});
  Commit(c->HandleCreateTopics(req, now).records);
  // Broker 1 restarts before its session expires (same incarnation id is a restart of the
  // same process identity; previous_broker_epoch unknown = unclean).
  ControllerResult r = c->HandleBrokerRegistration(RegistrationRequest(1), now, next_offset);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(std::get<PartitionChangeRecord>(r.records[0]).leader, 2);
  EXPECT_TRUE(std::holds_alternative<RegisterBrokerRecord>(r.records[1]));
  const int64_t register_offset = next_offset + 1;
  Commit(r.records);
  epochs[1] = std::get<BrokerRegistrationResponse>(r.response).broker_epoch;
  EXPECT_EQ(epochs[1], register_offset);  // the epoch is the RegisterBrokerRecord's offset
  EXPECT_FALSE(Heartbeat(1).is_fenced);
  EXPECT_EQ(P("t", 0).leader, 2);
  EXPECT_EQ(P("t", 0).isr, (V{2}));
  // A clean restart (previous epoch given) writes only the registration.
  BrokerRegistrationRequest clean = RegistrationRequest(2);
  clean.previous_broker_epoch = epochs[2];
  r = c->HandleBrokerRegistration(clean, now, next_offset);
  EXPECT_EQ(r.records.size(), 1u);
}

// ---- eligible leader replicas (KIP-966) and lost data ----

TEST_F(ControllerTest, EligibleLeadersAreTheIsrLeaversBelowMinInsync) {
  StartCluster(3);
  CreateT({1, 2, 3}, {{"min.insync.replicas", "2"}});
  // Down to min.insync.replicas: the high watermark may still move on without 3.
  Alter(1, "t", 0, {1, 2});
  EXPECT_EQ(P("t", 0).eligible_leaders, V{});
  // Below it: 2 keeps everything below the (held) high watermark.
  Alter(1, "t", 0, {1});
  EXPECT_EQ(P("t", 0).eligible_leaders, (V{2}));
  // Back to min.insync.replicas: nobody outside the ISR is eligible any more.
  Alter(1, "t", 0, {1, 3});
  EXPECT_EQ(P("t", 0).eligible_leaders, V{});
  // A fence that takes the ISR below min.insync.replicas: the fenced member becomes eligible.
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(1);
  Heartbeat(2);
  TickAndCommit();  // fences 3
  EXPECT_EQ(P("t", 0).isr, (V{1}));
  EXPECT_EQ(P("t", 0).eligible_leaders, (V{3}));
}

TEST_F(ControllerTest, LostDataLeavesTheIsrAndAnEligibleLeaderIsElected) {
  StartCluster(3);
  CreateT({1, 2, 3}, {{"min.insync.replicas", "2"}});
  Alter(1, "t", 0, {1, 2});
  Alter(1, "t", 0, {1});  // 2 is eligible, 3 is not (it left while the ISR was big enough)
  // 2 and 3 go silent and are fenced; 1 is the last ISR member and leads alone.
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(1);
  TickAndCommit();
  EXPECT_EQ(P("t", 0).leader, 1);
  EXPECT_EQ(P("t", 0).eligible_leaders, (V{2}));
  // 1 crashes too: fenced, it stays the last ISR member (it has everything committed).
  now += config.broker_session_timeout_ms + 1;
  TickAndCommit();
  EXPECT_EQ(P("t", 0).leader, -1);
  EXPECT_EQ(P("t", 0).isr, (V{1}));
  EXPECT_EQ(P("t", 0).eligible_leaders, (V{2}));

  // 1 restarts and its log recovery cut committed data: it says so when it registers again.
  ++incarnation;
  RegisterReportingLostData(1, {{"t", 0}});
  // Out of the ISR even as its last member; nobody eligible is live, so no leader.
  EXPECT_EQ(P("t", 0).leader, -1);
  EXPECT_EQ(P("t", 0).isr, V{});
  EXPECT_EQ(P("t", 0).eligible_leaders, (V{2}));
  // 1 coming back does not make it a leader: its copy misses committed records.
  EXPECT_FALSE(Heartbeat(1).is_fenced);
  EXPECT_EQ(P("t", 0).leader, -1);
  // 3 coming back does not either: it left the ISR while the high watermark could still move.
  EXPECT_FALSE(Heartbeat(3).is_fenced);
  EXPECT_EQ(P("t", 0).leader, -1);
  // 2 does: elected from the eligible leaders, it is the ISR.
  EXPECT_FALSE(Heartbeat(2).is_fenced);
  EXPECT_EQ(P("t", 0).leader, 2);
  EXPECT_EQ(P("t", 0).isr, (V{2}));
  EXPECT_EQ(P("t", 0).eligible_leaders, V{});
  EXPECT_EQ(P("t", 0).leader_recovery_state, 0);  // a clean election
}

TEST_F(ControllerTest, LostDataWithoutEligibleLeadersWaitsForUncleanElection) {
  StartCluster(2);
  CreateT({1, 2});  // min.insync.replicas 1
  Alter(1, "t", 0, {1});  // at min.insync.replicas: 2 is not eligible
  EXPECT_EQ(P("t", 0).eligible_leaders, V{});
  RegisterReportingLostData(1, {{"t", 0}, {"gone", 4}});  // an unknown topic is ignored
  EXPECT_EQ(P("t", 0).leader, -1);
  EXPECT_EQ(P("t", 0).isr, V{});
  Heartbeat(1);
  Heartbeat(2);
  EXPECT_EQ(P("t", 0).leader, -1);  // unclean election is off: offline rather than lossy
}

// ---- the apply-once rule ----

TEST_F(ControllerTest, GeneratedRecordsApplyOnceToWorkingAndCommittedImages) {
  StartCluster(3);
  CreateTopicsRequest req;
  req.topics.push_back({"t", 2, 3, {}, {}});
  ControllerResult r = c->HandleCreateTopics(req, now);
  // Working image sees the topic at once; the committed image does not.
  EXPECT_NE(c->working_image().FindTopic("t"), nullptr);
  EXPECT_EQ(c->image().FindTopic("t"), nullptr);
  EXPECT_EQ(c->pending().size(), r.records.size());
  // The next request is decided against the working image.
  EXPECT_EQ(ErrorCode(Create("t", 1, 1).error_code), ErrorCode::kTopicAlreadyExists);

  // Another change on top, before anything commits.
  const Uuid id = c->working_image().FindTopic("t")->id;
  const int32_t leader = c->working_image().FindPartition("t", 0)->leader;
  AlterPartitionRequest ap;
  ap.broker_id = leader;
  ap.broker_epoch = epochs[leader];
  AlterPartitionRequest::Partition pd;
  pd.new_isr = {leader};
  ap.topics.push_back({"", id, {pd}});
  ControllerResult r2 = c->HandleAlterPartition(ap, now);
  ASSERT_EQ(r2.records.size(), 1u);
  EXPECT_EQ(c->working_image().FindPartition("t", 0)->partition_epoch, 1);

  // Commit both batches: the committed image catches up; nothing is applied twice.
  Commit(r.records);
  Commit(r2.records);
  EXPECT_TRUE(c->pending().empty());
  EXPECT_EQ(c->image().FindPartition("t", 0)->partition_epoch, 1);
  EXPECT_EQ(c->working_image().FindPartition("t", 0)->partition_epoch, 1);
  EXPECT_TRUE(c->image().SameContent(c->working_image()));
}

TEST_F(ControllerTest, DeactivateRevertsToCommittedImage) {
  StartCluster(1);
  ControllerResult r =
      c->HandleCreateTopics(CreateTopicsRequest{{{"lost", 1, 1, {}, {}}}, 1000, false, {}}, now);
  ASSERT_FALSE(r.records.empty());
  EXPECT_NE(c->working_image().FindTopic("lost"), nullptr);
  c->Deactivate();
  EXPECT_EQ(c->working_image().FindTopic("lost"), nullptr);
  EXPECT_TRUE(c->pending().empty());
  // The records were appended after all and commit under the next leader: applied once.
  Commit(r.records);
  EXPECT_NE(c->image().FindTopic("lost"), nullptr);
  c->Activate(now);
  EXPECT_TRUE(c->image().SameContent(c->working_image()));
  EXPECT_EQ(ErrorCode(Create("lost", 1, 1).error_code), ErrorCode::kTopicAlreadyExists);
}

TEST_F(ControllerTest, ForeignRecordWhileActiveRebuildsWorkingImage) {
  StartCluster(1);
  ControllerResult r =
      c->HandleCreateTopics(CreateTopicsRequest{{{"mine", 1, 1, {}, {}}}, 0, false, {}}, now);
  // A record this controller did not write commits first (a contract violation, handled).
  ASSERT_TRUE(c->Replay(TopicRecord{"theirs", Uuid::FromHalves(1, 2)}, next_offset++).ok());
  EXPECT_NE(c->working_image().FindTopic("theirs"), nullptr);
  EXPECT_NE(c->working_image().FindTopic("mine"), nullptr);
  Commit(r.records);
  EXPECT_TRUE(c->pending().empty());
  EXPECT_TRUE(c->image().SameContent(c->working_image()));

  // A conflicting foreign record drops the pending records and reports it.
  ControllerResult r2 =
      c->HandleCreateTopics(CreateTopicsRequest{{{"x", 1, 1, {}, {}}}, 0, false, {}}, now);
  const Uuid x_id = std::get<TopicRecord>(r2.records[0]).topic_id;
  Status s = c->Replay(TopicRecord{"x", Uuid::FromHalves(7, 7)}, next_offset++);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(c->pending().empty());
  EXPECT_NE(c->image().FindTopic("x")->id, x_id);
}

TEST_F(ControllerTest, ReplayRejectsNonIncreasingOffsets) {
  Start();
  Register(1);
  EXPECT_EQ(c->Replay(NoOpRecord{}, next_offset - 1).code(), StatusCode::kInvalidArgument);
}

TEST_F(ControllerTest, NewlyActiveControllerGivesBrokersFreshSessions) {
  StartCluster(2);
  c->Deactivate();
  now += 100000;  // far beyond the session timeout
  c->Activate(now);
  EXPECT_TRUE(c->Tick(now).empty());
  EXPECT_EQ(c->NextDeadlineMs(), now + config.broker_session_timeout_ms + 1);
  now += config.broker_session_timeout_ms + 1;
  Heartbeat(1);
  std::vector<MetadataRecord> recs = TickAndCommit();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(std::get<FenceBrokerRecord>(recs[0]).id, 2);
}

// ---- determinism ----

std::vector<Bytes> RunScript(uint64_t seed) {
  ControllerConfig config;
  config.leader_imbalance_check_interval_ms = 5000;
  QuorumController c(config, Prng(seed));
  c.Activate(0);
  int64_t offset = 0;
  int64_t now = 0;
  std::vector<Bytes> out;
  std::map<int32_t, int64_t> epochs;
  auto commit = [&](const std::vector<MetadataRecord>& recs) {
    for (const auto& r : recs) {
      out.push_back(EncodeMetadataRecord(r));
      SAMSA_ASSERT(c.Replay(r, offset++).ok());
    }
  };
  for (int32_t id = 1; id <= 4; ++id) {
    BrokerRegistrationRequest req;
    req.broker_id = id;
    req.incarnation_id = Uuid::FromHalves(uint64_t(id), 9);
    ControllerResult r = c.HandleBrokerRegistration(req, now);
    epochs[id] = std::get<BrokerRegistrationResponse>(r.response).broker_epoch;
    commit(r.records);
  }
  auto heartbeat = [&](int32_t id) {
    BrokerHeartbeatRequest hb;
    hb.broker_id = id;
    hb.broker_epoch = epochs[id];
    hb.current_metadata_offset = offset - 1;
    commit(c.HandleBrokerHeartbeat(hb, now).records);
  };
  for (int32_t id = 1; id <= 4; ++id) heartbeat(id);
  CreateTopicsRequest ct;
  ct.topics.push_back({"a", 8, 3, {}, {}});
  ct.topics.push_back({"b", 5, 2, {}, {{"unclean.leader.election.enable", "true"}}});
  commit(c.HandleCreateTopics(ct, now).records);
  for (int step = 0; step < 10; ++step) {
    now += 3000;
    for (int32_t id = 1; id <= 4; ++id) {
      if (id != 2 || step > 5) heartbeat(id);  // broker 2 is away for a while
    }
    commit(c.Tick(now));
  }
  return out;
}

TEST(ControllerDeterminismTest, SameInputsAndSeedGiveSameRecords) {
  std::vector<Bytes> a = RunScript(7);
  std::vector<Bytes> b = RunScript(7);
  EXPECT_EQ(a, b);
  EXPECT_GT(a.size(), 20u);
  EXPECT_NE(a, RunScript(8));  // topic ids (and placement) come from the seed
}

}  // namespace
}  // namespace samsa
