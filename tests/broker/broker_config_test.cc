#include "core/broker/broker_config.h"

#include <gtest/gtest.h>

namespace samsa {
namespace {

TEST(PropertiesTest, ParsesKafkaServerProperties) {
  auto props = ParseProperties(
      "# a comment\n! another\n\nnode.id=2\nprocess.roles = broker,controller\n"
      "controller.quorum.voters=1@localhost:9093,2@localhost:9094\r\nlog.dirs: /tmp/a,/tmp/b\n",
      "server.properties");
  ASSERT_TRUE(props.ok()) << props.status().ToString();
  EXPECT_EQ(props->at("node.id"), "2");
  EXPECT_EQ(props->at("process.roles"), "broker,controller");
  EXPECT_EQ(props->at("log.dirs"), "/tmp/a,/tmp/b");
  auto c = BrokerConfig::FromProperties(*props);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->node_id, 2);
  EXPECT_TRUE(c->broker_role && c->controller_role);
  EXPECT_EQ(c->VoterIds(), (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(c->quorum_voters[1].port, 9094);
  EXPECT_EQ(c->log_dir, "/tmp/a");
}

TEST(PropertiesTest, BadLinesNameFileAndLine) {
  auto props = ParseProperties("node.id=1\nthis line has no separator\n=value\n", "cfg/server.properties");
  ASSERT_FALSE(props.ok());
  EXPECT_NE(props.status().message().find("cfg/server.properties:2: expected key=value"), std::string::npos)
      << props.status().message();
  EXPECT_NE(props.status().message().find("cfg/server.properties:3: empty key"), std::string::npos);
}

TEST(BrokerConfigTest, DefaultsAreKafkas) {
  auto c = BrokerConfig::FromProperties({{"node.id", "1"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->min_insync_replicas, 1);
  EXPECT_FALSE(c->unclean_leader_election_enable);
  EXPECT_EQ(c->replica_lag_time_max_ms, 30000);
  EXPECT_EQ(c->log_segment_bytes, 1073741824);
  EXPECT_EQ(c->broker_session_timeout_ms, 9000);
  EXPECT_EQ(c->leader_imbalance_check_interval_ms, 300000);
  // A lone combined node is its own single voter.
  EXPECT_EQ(c->VoterIds(), std::vector<int32_t>{1});
}

TEST(BrokerConfigTest, EveryBadValueIsReported) {
  auto c = BrokerConfig::FromProperties({{"node.id", "1"},
                                         {"min.insync.replicas", "two"},
                                         {"unclean.leader.election.enable", "maybe"},
                                         {"log.retention.hours", "1"},
                                         {"replica.lag.time.max.ms", "-5"},
                                         {"controller.quorum.voters", "1@nohostport"},
                                         {"some.future.key", "x"}});
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("min.insync.replicas: 'two' is not an integer"), std::string::npos) << m;
  EXPECT_NE(m.find("unclean.leader.election.enable: 'maybe' is not true or false"), std::string::npos) << m;
  EXPECT_NE(m.find("replica.lag.time.max.ms: '-5' is out of range"), std::string::npos) << m;
  EXPECT_NE(m.find("controller.quorum.voters"), std::string::npos) << m;
  EXPECT_EQ(m.find("log.retention.hours"), std::string::npos) << m;
}

TEST(BrokerConfigTest, UnitsConvertAndUnknownKeysAreKept) {
  auto c = BrokerConfig::FromProperties(
      {{"node.id", "3"}, {"log.retention.hours", "2"}, {"some.future.key", "x"}, {"process.roles", "broker"},
       {"controller.quorum.voters", "1@a:1,2@b:2,4@c:3"}, {"advertised.listeners", "PLAINTEXT://broker-3:19092"},
       {"listeners", "PLAINTEXT://0.0.0.0:9092"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->log_retention_ms, 2 * 3600000);
  EXPECT_EQ(c->unknown_keys, std::vector<std::string>{"some.future.key"});
  EXPECT_FALSE(c->controller_role);
  EXPECT_FALSE(c->IsVoter(3));
  EXPECT_EQ(c->advertised_host, "broker-3");
  EXPECT_EQ(c->advertised_port, 19092);
}

TEST(BrokerConfigTest, StructuralErrors) {
  EXPECT_FALSE(BrokerConfig::FromProperties({}).ok());  // node.id missing
  auto c = BrokerConfig::FromProperties({{"node.id", "5"}, {"controller.quorum.voters", "1@a:1,2@b:2"}});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not a voter"), std::string::npos);
  EXPECT_FALSE(BrokerConfig::FromProperties({{"node.id", "1"}, {"process.roles", "router"}}).ok());
  EXPECT_FALSE(BrokerConfig::FromProperties({{"node.id", "1"}, {"controller.quorum.voters", "1@a:1,1@b:2"}}).ok());
}

TEST(BrokerConfigTest, IdentityAndAliases) {
  auto c = BrokerConfig::FromProperties({{"broker.id", "4"},
                                         {"log.dir", "/var/samsa"},
                                         {"cluster.id", "blue"},
                                         {"listeners", "PLAINTEXT://b4:19092"}});
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->node_id, 4);
  EXPECT_EQ(c->log_dir, "/var/samsa");
  EXPECT_EQ(c->cluster_id, "blue");
  EXPECT_EQ(c->advertised_host, "b4");
  EXPECT_EQ(c->advertised_port, 19092);
  // log.dirs wins over log.dir, advertised.listeners over listeners.
  auto d = BrokerConfig::FromProperties({{"node.id", "4"},
                                         {"log.dir", "/var/a"},
                                         {"log.dirs", "/var/b,/var/c"},
                                         {"listeners", "PLAINTEXT://x:1"},
                                         {"advertised.listeners", "PLAINTEXT://y:2"}});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->log_dir, "/var/b");
  EXPECT_EQ(d->advertised_host, "y");
  EXPECT_EQ(d->advertised_port, 2);
}

// Kafka's precedence: .ms over .minutes over .hours.
TEST(BrokerConfigTest, RetentionAndRollUnits) {
  auto c = BrokerConfig::FromProperties({{"node.id", "1"}, {"log.retention.hours", "3"}, {"log.roll.hours", "2"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_retention_ms, 3 * 3600000);
  EXPECT_EQ(c->log_roll_ms, 2 * 3600000);
  c = BrokerConfig::FromProperties({{"node.id", "1"}, {"log.retention.hours", "3"}, {"log.retention.minutes", "5"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_retention_ms, 5 * 60000);
  c = BrokerConfig::FromProperties({{"node.id", "1"}, {"log.retention.minutes", "5"}, {"log.retention.ms", "700"},
                                    {"log.roll.hours", "2"}, {"log.roll.ms", "900"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_retention_ms, 700);
  EXPECT_EQ(c->log_roll_ms, 900);
  c = BrokerConfig::FromProperties({{"node.id", "1"}, {"log.retention.hours", "-1"}});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->log_retention_ms, -1) << "unlimited stays unlimited";
}

// Describe lists every property with its effective value; read back, it gives the same config.
TEST(BrokerConfigTest, DescribeRoundTripsThroughFromProperties) {
  Properties props = {{"node.id", "3"},
                      {"process.roles", "broker"},
                      {"controller.quorum.voters", "1@a:9093,2@b:9093"},
                      {"min.insync.replicas", "2"},
                      {"log.roll.hours", "2"},
                      {"unclean.leader.election.enable", "true"},
                      {"leader.imbalance.check.interval.seconds", "30"}};
  auto c = BrokerConfig::FromProperties(props);
  ASSERT_TRUE(c.ok()) << c.status().message();
  const auto described = c->Describe();
  Properties back(described.begin(), described.end());
  EXPECT_EQ(back.at("min.insync.replicas"), "2");
  EXPECT_EQ(back.at("log.roll.ms"), "7200000") << "in the unit of the name";
  EXPECT_EQ(back.at("unclean.leader.election.enable"), "true");
  EXPECT_EQ(back.at("process.roles"), "broker");
  EXPECT_EQ(back.at("replica.lag.time.max.ms"), "30000") << "a default";
  auto again = BrokerConfig::FromProperties(back);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_TRUE(again->unknown_keys.empty()) << "every described name is a known property";
  EXPECT_EQ(again->Describe(), described);
}

}  // namespace
}  // namespace samsa
