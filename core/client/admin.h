#pragma once
// AdminNode: a simulated admin client that creates topics over the wire, like
// `kafka-topics.sh --create` or an AdminClient: it sends CreateTopics (v4) to a broker (brokers
// forward it to the active controller) and retries retriable errors every retry.backoff.ms until
// every topic exists (created now, or TOPIC_ALREADY_EXISTS) or failed for good.
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

  AdminNode(NodeId id, ClientConfig config, std::vector<TopicToCreate> topics,
            std::shared_ptr<History> history, uint64_t seed);

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

  std::map<std::string, Entry> topics_;
  std::map<uint64_t, std::vector<std::string>> in_flight_;  // token -> topics
  uint64_t next_token_ = 1;
  int64_t retry_at_ns_ = 0;
  int64_t attempts_ = 0;
  size_t next_broker_ = 0;
};

}  // namespace samsa::client
