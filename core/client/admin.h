#pragma once
// AdminNode: a simulated admin client that creates topics over the wire, like
// `kafka-topics.sh --create` or an AdminClient: it sends CreateTopics (v4) to a broker (brokers
// forward it to the active controller) and retries retriable errors every retry.backoff.ms until
// every topic exists (created now, or TOPIC_ALREADY_EXISTS) or failed for good.
// Given the cluster's broker count, it first waits until metadata lists that many brokers, for
// at most kBrokerWaitNs (5 s) after it saw the first one, as a deployment script waits for its
// cluster: a controller places replicas on the brokers registered when the topic is created, so
// a topic created while some brokers were still registering would never reach them (a 5-broker
// cluster's topics on 3 brokers, depending on timing alone).
//
// States per topic: kPending --sent--> kInFlight --ok / TOPIC_ALREADY_EXISTS--> kDone
//                   kInFlight --retriable error / request failed--> kPending (after backoff)
//                   kInFlight --non-retriable error--> kFailed

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/client/client_base.h"

namespace samsa::client {

struct TopicToCreate {
  std::string name;
  int32_t partitions = -1;           // -1: the broker's num.partitions
  int16_t replication_factor = -1;   // -1: the broker's default.replication.factor
  std::map<std::string, std::string> configs;  // topic-level overrides
};

class AdminNode final : public ClientBase {
 public:
  enum class TopicState { kPending, kInFlight, kDone, kFailed };

  // The longest wait for the remaining brokers once metadata listed one.
  static constexpr int64_t kBrokerWaitNs = 5'000'000'000;

  // expected_brokers: the cluster's broker count to wait for (0: create at once).
  AdminNode(NodeId id, ClientConfig config, std::vector<TopicToCreate> topics,
            std::shared_ptr<History> history, uint64_t seed, size_t expected_brokers = 0);

  TopicState state(const std::string& topic) const;
  bool done() const;                 // every topic is kDone or kFailed
  int16_t error(const std::string& topic) const;  // last error code seen for the topic
  int64_t attempts() const { return attempts_; }

 private:
  struct Entry {
    TopicToCreate spec;
    TopicState state = TopicState::kPending;
    int16_t last_error = 0;
  };

  void OnResponse(uint64_t token, const ResponseBody& body) override;
  void OnRequestFailed(uint64_t token, std::string_view reason) override;
  void Poll() override;
  // False while it still waits for the expected brokers (asking for metadata meanwhile).
  bool BrokersReady();

  std::map<std::string, Entry> topics_;
  std::map<uint64_t, std::vector<std::string>> in_flight_;  // token -> topics
  uint64_t next_token_ = 1;
  int64_t retry_at_ns_ = 0;
  int64_t attempts_ = 0;
  size_t next_broker_ = 0;
  size_t expected_brokers_ = 0;
  int64_t first_broker_ns_ = -1;  // when metadata first listed a broker
  bool brokers_ready_ = false;
};

}  // namespace samsa::client
