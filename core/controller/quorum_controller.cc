#include "core/controller/quorum_controller.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "core/config/properties.h"
#include "core/protocol/error_codes.h"

namespace samsa {
namespace {

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
constexpr int8_t kDynamicTopicConfigSource = 1;  // Kafka's DescribeConfigs DYNAMIC_TOPIC_CONFIG

int16_t Code(ErrorCode code) { return int16_t(code); }

bool Contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Validates one topic config against the property registry (core/config/properties.h): a name
// Kafka does not know, a property samsa refuses, or a bad value is INVALID_CONFIG. Returns the
// error and message, or nullopt when valid.
std::optional<std::pair<ErrorCode, std::string>> ValidateTopicConfig(
    const CreateTopicsRequest::Config& c) {
  if (!c.value) {
    return std::make_pair(ErrorCode::kInvalidRequest,
                          "Null value not supported for topic configs: " + c.name);
  }
  const config::Property* p = config::Find(config::Scope::kTopic, c.name);
  if (p == nullptr) {
    return std::make_pair(ErrorCode::kInvalidConfig, "Unknown topic config name: " + c.name);
  }
  if (std::string why = config::Check(*p, *c.value); !why.empty()) {
    return std::make_pair(ErrorCode::kInvalidConfig,
                          "Invalid value " + *c.value + " for configuration " + c.name + ": " + why);
  }
  return std::nullopt;
}

}  // namespace

bool IsValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

QuorumController::QuorumController(ControllerConfig config, Prng prng)
    : config_(std::move(config)), prng_(prng) {}

// ---- replay, activation ----

Status QuorumController::Replay(const MetadataRecord& record, int64_t offset) {
  if (offset <= committed_.offset()) {
    return Status::InvalidArgument("replay offset " + std::to_string(offset) +
                                   " is not after the committed offset " +
                                   std::to_string(committed_.offset()));
  }
  SAMSA_RETURN_IF_ERROR(committed_.Apply(record, offset));

  // Controlled-shutdown bookkeeping (Kafka's controlledShutdownOffset).
  if (const auto* r = std::get_if<BrokerRegistrationChangeRecord>(&record)) {
    if (r->in_controlled_shutdown == 1) controlled_shutdown_offsets_[r->broker_id] = offset;
    if (r->fenced == 1) controlled_shutdown_offsets_.erase(r->broker_id);
  } else if (const auto* f = std::get_if<FenceBrokerRecord>(&record)) {
    controlled_shutdown_offsets_.erase(f->id);
  } else if (const auto* g = std::get_if<RegisterBrokerRecord>(&record)) {
    controlled_shutdown_offsets_.erase(g->broker_id);
  } else if (const auto* u = std::get_if<UnregisterBrokerRecord>(&record)) {
    controlled_shutdown_offsets_.erase(u->broker_id);
  }

  if (!active_) return Status::Ok();
  if (!pending_.empty() && pending_.front() == record) {
    // Ours, already applied to the working image when generated: apply once.
    pending_.pop_front();
    return Status::Ok();
  }
  // Not ours (a contract violation while active): rebuild working = committed + pending.
  working_ = committed_;
  for (const MetadataRecord& p : pending_) {
    Status s = working_.Apply(p, committed_.offset());
    if (!s.ok()) {
      pending_.clear();
      working_ = committed_;
      return Status::FailedPrecondition(
          "active controller saw a foreign record (" + DescribeMetadataRecord(record) +
          ") that conflicts with its pending records: " + s.ToString());
    }
  }
  return Status::Ok();
}

void QuorumController::Activate(int64_t now_ms) {
  active_ = true;
  working_ = committed_;
  pending_.clear();
  sessions_.clear();
  for (const auto& [id, broker] : committed_.brokers()) sessions_[id] = Session{now_ms, -1};
  next_rebalance_ms_ = config_.auto_leader_rebalance_enable
                           ? now_ms + config_.leader_imbalance_check_interval_ms
                           : kNever;
  last_now_ms_ = now_ms;
}

void QuorumController::Deactivate() {
  active_ = false;
  pending_.clear();
  working_ = MetadataImage();
  sessions_.clear();
  next_rebalance_ms_ = kNever;
}

// ---- helpers ----

void QuorumController::Emit(MetadataRecord record, std::vector<MetadataRecord>* out) {
  Status s = working_.Apply(record, working_.offset());
  SAMSA_ASSERT_MSG(s.ok(), s.ToString().c_str());
  pending_.push_back(record);
  out->push_back(std::move(record));
}

bool QuorumController::IsActiveBroker(int32_t id) const {
  const BrokerInfo* b = working_.FindBroker(id);
  return b != nullptr && !b->fenced && !b->shutting_down;
}

bool QuorumController::UncleanEnabled(const TopicInfo& topic) const {
  return TopicUncleanLeaderElection(topic, config_.unclean_leader_election_enable);
}

QuorumController::Session& QuorumController::SessionOf(int32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) it = sessions_.emplace(id, Session{last_now_ms_, -1}).first;
  return it->second;
}

std::vector<int32_t> QuorumController::NextEligibleLeaders(const TopicInfo& topic, const PartitionInfo& p,
                                                           const std::vector<int32_t>& new_isr,
                                                           int32_t lost_broker) const {
  const size_t min_isr = size_t(std::clamp<int32_t>(
      TopicMinInsyncReplicas(topic, config_.min_insync_replicas), 1, int32_t(p.replicas.size())));
  // At or above min.insync.replicas the high watermark may move on without the others.
  if (new_isr.size() >= min_isr) return {};
  std::vector<int32_t> elr = p.eligible_leaders;
  for (int32_t r : p.isr) {
    if (!Contains(new_isr, r) && !Contains(elr, r)) elr.push_back(r);
  }
  std::erase_if(elr, [&](int32_t r) { return Contains(new_isr, r) || r == lost_broker; });
  std::sort(elr.begin(), elr.end());
  return elr;
}

std::optional<PartitionChangeRecord> QuorumController::BuildLeaderAndIsrUpdate(
    const TopicInfo& topic, const PartitionInfo& p, int32_t broker_to_remove,
    int32_t broker_to_add, bool removed_lost_data) const {
  auto acceptable = [&](int32_t r) {
    return r != broker_to_remove && (r == broker_to_add || IsActiveBroker(r));
  };
  std::vector<int32_t> target_isr;
  for (int32_t r : p.isr) {
    if (r != broker_to_remove) target_isr.push_back(r);
  }
  auto valid = [&](int32_t r) { return Contains(target_isr, r) && acceptable(r); };

  int32_t new_leader = kNoLeader;
  bool unclean = false;
  bool from_elr = false;
  if (p.leader >= 0 && valid(p.leader)) {
    new_leader = p.leader;  // the current leader meets every constraint: keep it
  } else {
    for (int32_t r : p.replicas) {
      if (valid(r)) {
        new_leader = r;
        break;
      }
    }
    // KIP-966: with no ISR member to elect, an eligible leader replica (it holds everything up
    // to the high watermark) is as good.
    for (size_t i = 0; new_leader == kNoLeader && i < p.replicas.size(); ++i) {
      const int32_t r = p.replicas[i];
      if (Contains(p.eligible_leaders, r) && acceptable(r)) {
        new_leader = r;
        from_elr = true;
      }
    }
    if (new_leader == kNoLeader && UncleanEnabled(topic)) {
      for (int32_t r : p.replicas) {
        if (acceptable(r)) {
          new_leader = r;
          unclean = true;
          break;
        }
      }
    }
  }

  // The new ISR. It never becomes empty by a fence: a leaderless partition keeps its last member
  // (it has every committed record). A replica that lost committed data leaves it even then.
  std::vector<int32_t> new_isr = p.isr;
  if (unclean || from_elr) {
    new_isr = {new_leader};
  } else if (!target_isr.empty() || removed_lost_data) {
    new_isr = target_isr;
  }
  // An unclean election gives up on committed data: nobody else is eligible any more.
  std::vector<int32_t> new_elr =
      unclean ? std::vector<int32_t>{}
              : NextEligibleLeaders(topic, p, new_isr, removed_lost_data ? broker_to_remove : kNoLeader);

  PartitionChangeRecord rec;
  rec.topic_id = topic.id;
  rec.partition_id = p.partition;
  bool changed = false;
  if (new_leader != p.leader) {
    rec.leader = new_leader;
    changed = true;
    if (unclean && p.leader_recovery_state != kLeaderRecovering) {
      rec.leader_recovery_state = kLeaderRecovering;  // possible data loss
    }
  }
  if (new_isr != p.isr) {
    rec.isr = new_isr;
    changed = true;
  }
  if (new_elr != p.eligible_leaders) {
    rec.eligible_leader_replicas = new_elr;
    changed = true;
  }
  if (!changed) return std::nullopt;
  return rec;
}

void QuorumController::MoveAwayFrom(int32_t broker, std::vector<MetadataRecord>* out) {
  std::vector<PartitionChangeRecord> changes;
  for (const auto& [name, topic] : working_.topics()) {
    for (const auto& [index, p] : topic.partitions) {
      if (!Contains(p.isr, broker) && p.leader != broker) continue;
      if (auto rec = BuildLeaderAndIsrUpdate(topic, p, broker, kNoLeader, /*removed_lost_data=*/false)) {
        changes.push_back(std::move(*rec));
      }
    }
  }
  for (PartitionChangeRecord& c : changes) Emit(std::move(c), out);
}

void QuorumController::ElectForUnfenced(int32_t broker, std::vector<MetadataRecord>* out) {
  std::vector<PartitionChangeRecord> changes;
  for (const auto& [name, topic] : working_.topics()) {
    for (const auto& [index, p] : topic.partitions) {
      if (p.leader != kNoLeader) continue;
      if (auto rec = BuildLeaderAndIsrUpdate(topic, p, kNoLeader, broker, /*removed_lost_data=*/false)) {
        changes.push_back(std::move(*rec));
      }
    }
  }
  for (PartitionChangeRecord& c : changes) Emit(std::move(c), out);
}

void QuorumController::FenceBroker(int32_t broker, std::vector<MetadataRecord>* out) {
  const BrokerInfo* b = working_.FindBroker(broker);
  SAMSA_ASSERT(b != nullptr);
  const int64_t epoch = b->epoch;
  MoveAwayFrom(broker, out);
  Emit(FenceBrokerRecord{broker, epoch}, out);
}

void QuorumController::RebalancePreferredLeaders(std::vector<MetadataRecord>* out) {
  std::vector<PartitionChangeRecord> changes;
  for (const auto& [name, topic] : working_.topics()) {
    for (const auto& [index, p] : topic.partitions) {
      if (int32_t(changes.size()) >= config_.max_elections_per_rebalance) break;
      if (p.replicas.empty()) continue;
      const int32_t preferred = p.replicas.front();
      if (p.leader == preferred) continue;
      if (!Contains(p.isr, preferred) || !IsActiveBroker(preferred)) continue;
      PartitionChangeRecord rec;
      rec.topic_id = topic.id;
      rec.partition_id = p.partition;
      rec.leader = preferred;
      changes.push_back(std::move(rec));
    }
  }
  for (PartitionChangeRecord& c : changes) Emit(std::move(c), out);
}

int64_t QuorumController::LowestActiveOffset() const {
  int64_t lowest = kNever;
  for (const auto& [id, b] : working_.brokers()) {
    if (b.fenced) continue;
    auto it = sessions_.find(id);
    const int64_t offset = it == sessions_.end() ? -1 : it->second.metadata_offset;
    lowest = std::min(lowest, offset);
  }
  return lowest;
}

Uuid QuorumController::NewTopicId() {
  for (;;) {
    // A version-4 (random) UUID, as Java's UUID.randomUUID makes.
    uint64_t hi = prng_.NextU64();
    uint64_t lo = prng_.NextU64();
    hi = (hi & ~uint64_t(0xF000)) | uint64_t(0x4000);
    lo = (lo & ~(uint64_t(0xC) << 60)) | (uint64_t(0x8) << 60);
    Uuid id = Uuid::FromHalves(hi, lo);
    if (id.IsZero() || working_.FindTopicById(id) != nullptr) continue;
    return id;
  }
}

// ---- BrokerRegistration ----

ControllerResult QuorumController::HandleBrokerRegistration(const BrokerRegistrationRequest& req,
                                                            int64_t now_ms,
                                                            int64_t next_write_offset) {
  ControllerResult result;
  BrokerRegistrationResponse resp;
  auto reply = [&](ErrorCode code) {
    resp.error_code = Code(code);
    result.response = resp;
    return result;
  };
  if (!active_) return reply(ErrorCode::kNotController);
  last_now_ms_ = std::max(last_now_ms_, now_ms);
  if (!config_.cluster_id.empty() && req.cluster_id != config_.cluster_id) {
    return reply(ErrorCode::kInconsistentClusterId);
  }
  if (req.broker_id < 0) return reply(ErrorCode::kInvalidRegistration);

  const BrokerInfo* existing = working_.FindBroker(req.broker_id);
  if (existing != nullptr) {
    // Another live process already holds this id (Kafka: a valid session and a different
    // incarnation): refuse until its session expires.
    auto s = sessions_.find(req.broker_id);
    const bool valid_session = !existing->fenced && s != sessions_.end() && s->second.heard_ms >= 0 &&
                               now_ms <= s->second.heard_ms + config_.broker_session_timeout_ms;
    if (valid_session && existing->incarnation_id != req.incarnation_id) {
      return reply(ErrorCode::kDuplicateBrokerRegistration);
    }
  }

  const int64_t existing_epoch = existing != nullptr ? existing->epoch : -1;
  if (existing != nullptr && req.previous_broker_epoch != existing_epoch) {
    // Unclean restart (Kafka's handleBrokerUncleanShutdown): the old incarnation may have lost
    // unflushed data, so it leaves every ISR and leadership before the new registration.
    MoveAwayFrom(req.broker_id, &result.records);
  }
  // Partitions whose log this broker found corrupt below what it had acknowledged (samsa's
  // extension of the registration): its copy may miss committed records, so it leaves the ISR,
  // even as the last member, and the eligible leaders, until it has caught up again.
  for (const auto& lost : req.lost_data_partitions) {
    const TopicInfo* topic = working_.FindTopic(lost.topic);
    if (topic == nullptr) continue;
    auto pit = topic->partitions.find(lost.partition);
    if (pit == topic->partitions.end()) continue;
    const PartitionInfo& p = pit->second;
    if (!Contains(p.isr, req.broker_id) && !Contains(p.eligible_leaders, req.broker_id) &&
        p.leader != req.broker_id) {
      continue;
    }
    if (auto rec = BuildLeaderAndIsrUpdate(*topic, p, req.broker_id, kNoLeader, /*removed_lost_data=*/true)) {
      Emit(std::move(*rec), &result.records);
    }
  }

  // The epoch is the offset the RegisterBrokerRecord will take: after the records above.
  const int64_t register_offset =
      next_write_offset >= 0 ? next_write_offset + int64_t(result.records.size()) : -1;
  const int64_t epoch =
      std::max({register_offset, committed_.offset() + int64_t(pending_.size()) + 1,
                last_issued_broker_epoch_ + 1, existing_epoch + 1});
  last_issued_broker_epoch_ = epoch;

  RegisterBrokerRecord rec;
  rec.broker_id = req.broker_id;
  rec.is_migrating_zk_broker = req.is_migrating_zk_broker;
  rec.incarnation_id = req.incarnation_id;
  rec.broker_epoch = epoch;
  for (const auto& l : req.listeners) {
    rec.end_points.push_back({l.name, l.host, l.port, l.security_protocol});
  }
  for (const auto& f : req.features) {
    rec.features.push_back({f.name, f.min_supported_version, f.max_supported_version});
  }
  rec.rack = req.rack;
  rec.fenced = true;
  rec.in_controlled_shutdown = false;
  rec.log_dirs = req.log_dirs;
  Emit(std::move(rec), &result.records);
  sessions_[req.broker_id] = Session{now_ms, -1, now_ms};

  resp.broker_epoch = epoch;
  return reply(ErrorCode::kNone);
}

// ---- BrokerHeartbeat ----

ControllerResult QuorumController::HandleBrokerHeartbeat(const BrokerHeartbeatRequest& req,
                                                         int64_t now_ms) {
  ControllerResult result;
  BrokerHeartbeatResponse resp;
  auto reply = [&](ErrorCode code) {
    resp.error_code = Code(code);
    result.response = resp;
    return result;
  };
  if (!active_) return reply(ErrorCode::kNotController);
  last_now_ms_ = std::max(last_now_ms_, now_ms);
  const BrokerInfo* b = working_.FindBroker(req.broker_id);
  if (b == nullptr) return reply(ErrorCode::kBrokerIdNotRegistered);
  if (b->epoch != req.broker_epoch) return reply(ErrorCode::kStaleBrokerEpoch);

  Session& session = SessionOf(req.broker_id);
  session.last_contact_ms = now_ms;
  session.heard_ms = now_ms;
  session.metadata_offset = req.current_metadata_offset;

  // Caught up: the registration has committed and the broker has replayed past it.
  const BrokerInfo* committed = committed_.FindBroker(req.broker_id);
  const bool caught_up = committed != nullptr && committed->epoch == b->epoch &&
                         req.current_metadata_offset >= b->epoch;
  resp.is_caught_up = caught_up;
  const int32_t id = req.broker_id;
  const int64_t epoch = b->epoch;

  if (b->fenced) {
    if (req.want_shut_down) {
      resp.is_fenced = true;
      resp.should_shut_down = true;
    } else if (!req.want_fence && caught_up) {
      Emit(UnfenceBrokerRecord{id, epoch}, &result.records);
      ElectForUnfenced(id, &result.records);
      resp.is_fenced = false;
    } else {
      resp.is_fenced = true;
    }
  } else if (b->shutting_down) {
    // Controlled shutdown cannot be cancelled. Keep moving leadership away (normally a no-op),
    // and let the broker go once every active broker has replayed the shutdown record.
    MoveAwayFrom(id, &result.records);
    auto cs = controlled_shutdown_offsets_.find(id);
    if (req.want_shut_down && cs != controlled_shutdown_offsets_.end() &&
        cs->second <= LowestActiveOffset()) {
      FenceBroker(id, &result.records);
      resp.is_fenced = true;
      resp.should_shut_down = true;
    } else {
      resp.is_fenced = false;
    }
  } else if (req.want_fence) {
    FenceBroker(id, &result.records);
    resp.is_fenced = true;
  } else if (req.want_shut_down) {
    BrokerRegistrationChangeRecord rec;
    rec.broker_id = id;
    rec.broker_epoch = epoch;
    rec.in_controlled_shutdown = 1;
    Emit(std::move(rec), &result.records);
    MoveAwayFrom(id, &result.records);
    resp.is_fenced = false;
  } else {
    resp.is_fenced = false;
  }
  return reply(ErrorCode::kNone);
}

// ---- CreateTopics ----

ControllerResult QuorumController::HandleCreateTopics(const CreateTopicsRequest& req,
                                                      int64_t now_ms) {
  ControllerResult result;
  CreateTopicsResponse resp;
  if (active_) last_now_ms_ = std::max(last_now_ms_, now_ms);

  std::map<std::string, int> name_counts;
  for (const auto& t : req.topics) ++name_counts[t.name];

  std::vector<int32_t> usable;  // ascending broker ids
  if (active_) {
    for (const auto& [id, b] : working_.brokers()) {
      if (IsActiveBroker(id)) usable.push_back(id);
    }
  }

  for (const CreateTopicsRequest::Topic& t : req.topics) {
    CreateTopicsResponse::Topic out;
    out.name = t.name;
    auto fail = [&](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
      out.num_partitions = -1;
      out.replication_factor = -1;
      out.configs = std::nullopt;
    };

    std::vector<std::vector<int32_t>> assignment;  // partition -> replicas
    if (!active_) {
      fail(ErrorCode::kNotController, "This node is not the active controller.");
    } else if (name_counts[t.name] > 1) {
      fail(ErrorCode::kInvalidRequest, "Duplicate topic name.");
    } else if (!IsValidTopicName(t.name)) {
      fail(ErrorCode::kInvalidTopicException, "Topic name '" + t.name +
                                                  "' is illegal: it must be 1 to 249 characters of "
                                                  "[a-zA-Z0-9._-], and not '.' or '..'.");
    } else if (working_.FindTopic(t.name) != nullptr) {
      fail(ErrorCode::kTopicAlreadyExists, "Topic '" + t.name + "' already exists.");
    } else {
      std::optional<std::pair<ErrorCode, std::string>> error;
      std::set<std::string> config_names;
      for (const auto& c : t.configs) {
        if (!config_names.insert(c.name).second) {
          error = std::make_pair(ErrorCode::kInvalidRequest, "Duplicate config name: " + c.name);
        } else if (!error) {
          error = ValidateTopicConfig(c);
        }
        if (error) break;
      }

      if (!error && !t.assignments.empty()) {
        if (t.num_partitions != -1 || t.replication_factor != -1) {
          error = std::make_pair(ErrorCode::kInvalidRequest,
                                 "A manual partition assignment was specified, but numPartitions "
                                 "or replicationFactor was not set to -1.");
        } else {
          std::map<int32_t, std::vector<int32_t>> by_index;
          for (const auto& a : t.assignments) {
            if (!by_index.emplace(a.partition_index, a.broker_ids).second) {
              error =
                  std::make_pair(ErrorCode::kInvalidReplicaAssignment,
                                 "Duplicate partition index " + std::to_string(a.partition_index));
              break;
            }
          }
          int32_t expect = 0;
          for (const auto& [index, replicas] : by_index) {
            if (error) break;
            const std::string where = "partition " + std::to_string(index);
            if (index != expect++) {
              error = std::make_pair(ErrorCode::kInvalidReplicaAssignment,
                                     "Partitions must be numbered contiguously from 0.");
            } else if (replicas.empty()) {
              error = std::make_pair(ErrorCode::kInvalidReplicaAssignment,
                                     "The manual partition assignment includes an empty replica "
                                     "list for " +
                                         where + ".");
            } else if (std::set<int32_t>(replicas.begin(), replicas.end()).size() !=
                       replicas.size()) {
              error = std::make_pair(ErrorCode::kInvalidReplicaAssignment,
                                     "The manual partition assignment includes duplicate replicas "
                                     "for " +
                                         where + ".");
            } else {
              bool any_active = false;
              for (int32_t r : replicas) {
                if (working_.FindBroker(r) == nullptr) {
                  error = std::make_pair(ErrorCode::kInvalidReplicaAssignment,
                                         "All brokers specified in the manual partition "
                                         "assignment for " +
                                             where + " must be registered.");
                  break;
                }
                any_active = any_active || IsActiveBroker(r);
              }
              if (!error && !any_active) {
                error = std::make_pair(ErrorCode::kInvalidReplicaAssignment,
                                       "All brokers specified in the manual partition assignment "
                                       "for " +
                                           where + " are fenced or in controlled shutdown.");
              }
            }
            if (!error) assignment.push_back(replicas);
          }
          if (!error && int32_t(assignment.size()) > config_.max_partitions_per_topic) {
            error = std::make_pair(ErrorCode::kInvalidPartitions, "Too many partitions.");
          }
        }
      } else if (!error) {
        const int32_t n = t.num_partitions == -1 ? config_.num_partitions : t.num_partitions;
        const int32_t rf =
            t.replication_factor == -1 ? config_.default_replication_factor : t.replication_factor;
        const int32_t brokers = int32_t(usable.size());
        if (n <= 0) {
          error = std::make_pair(ErrorCode::kInvalidPartitions,
                                 "Number of partitions was set to an invalid non-positive value.");
        } else if (n > config_.max_partitions_per_topic) {
          error = std::make_pair(ErrorCode::kInvalidPartitions,
                                 "Number of partitions " + std::to_string(n) +
                                     " is above the maximum of " +
                                     std::to_string(config_.max_partitions_per_topic) + ".");
        } else if (rf <= 0) {
          error = std::make_pair(ErrorCode::kInvalidReplicationFactor,
                                 "Replication factor must be larger than 0, or -1 to use the "
                                 "default value.");
        } else if (brokers == 0) {
          error = std::make_pair(ErrorCode::kInvalidReplicationFactor,
                                 "Unable to replicate the partition " + std::to_string(rf) +
                                     " times: All brokers are currently fenced.");
        } else if (rf > brokers) {
          error = std::make_pair(ErrorCode::kInvalidReplicationFactor,
                                 "Unable to replicate the partition " + std::to_string(rf) +
                                     " times: The target replication factor of " +
                                     std::to_string(rf) + " cannot be reached because only " +
                                     std::to_string(brokers) + " broker(s) are registered.");
        } else {
          // Kafka's rack-unaware assignment: partition p's first replica is broker
          // (p + start) mod n; followers follow at a shift that grows every n partitions, so
          // leaders and followers spread evenly.
          const int32_t start = int32_t(prng_.Uniform(uint64_t(brokers)));
          int32_t shift = int32_t(prng_.Uniform(uint64_t(brokers)));
          for (int32_t p = 0; p < n; ++p) {
            if (p > 0 && p % brokers == 0) ++shift;
            const int32_t first = (p + start) % brokers;
            std::vector<int32_t> replicas{usable[size_t(first)]};
            for (int32_t j = 0; j < rf - 1; ++j) {
              const int32_t step = 1 + (shift + j) % (brokers - 1);
              replicas.push_back(usable[size_t((first + step) % brokers)]);
            }
            assignment.push_back(std::move(replicas));
          }
        }
      }

      if (error) {
        fail(error->first, error->second);
      } else {
        out.num_partitions = int32_t(assignment.size());
        out.replication_factor = int16_t(assignment.front().size());
        std::vector<CreateTopicsResponse::Config> configs;
        for (const auto& c : t.configs) {
          configs.push_back({c.name, c.value, false, kDynamicTopicConfigSource, false});
        }
        out.configs = std::move(configs);
        if (!req.validate_only) {
          const Uuid id = NewTopicId();
          out.topic_id = id;
          Emit(TopicRecord{t.name, id}, &result.records);
          for (const auto& c : t.configs) {
            Emit(ConfigRecord{kConfigResourceTopic, t.name, c.name, c.value}, &result.records);
          }
          for (size_t p = 0; p < assignment.size(); ++p) {
            PartitionRecord rec;
            rec.partition_id = int32_t(p);
            rec.topic_id = id;
            rec.replicas = assignment[p];
            for (int32_t r : assignment[p]) {
              if (IsActiveBroker(r)) rec.isr.push_back(r);
            }
            rec.leader = rec.isr.front();
            rec.leader_epoch = 0;
            rec.partition_epoch = 0;
            Emit(std::move(rec), &result.records);
          }
        }
      }
    }
    resp.topics.push_back(std::move(out));
  }
  result.response = std::move(resp);
  return result;
}

// ---- DeleteTopics ----

ControllerResult QuorumController::HandleDeleteTopics(const DeleteTopicsRequest& req,
                                                      int64_t now_ms) {
  ControllerResult result;
  DeleteTopicsResponse resp;
  if (active_) last_now_ms_ = std::max(last_now_ms_, now_ms);

  std::vector<DeleteTopicsRequest::Topic> targets;
  for (const std::string& name : req.topic_names) targets.push_back({name, Uuid()});
  for (const auto& t : req.topics) targets.push_back(t);
  std::map<std::string, int> name_counts;
  std::map<Uuid, int> id_counts;
  for (const auto& t : targets) {
    if (t.name) ++name_counts[*t.name];
    if (!t.topic_id.IsZero()) ++id_counts[t.topic_id];
  }

  for (const auto& t : targets) {
    DeleteTopicsResponse::TopicResult out;
    out.name = t.name;
    out.topic_id = t.topic_id;
    auto fail = [&](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
    };
    const TopicInfo* topic = nullptr;
    if (!active_) {
      fail(ErrorCode::kNotController, "This node is not the active controller.");
    } else if (!config_.delete_topic_enable) {
      fail(ErrorCode::kTopicDeletionDisabled, "Topic deletion is disabled.");
    } else if (t.name && !t.topic_id.IsZero()) {
      fail(ErrorCode::kInvalidRequest, "You may not specify both topic name and topic id.");
    } else if (!t.name && t.topic_id.IsZero()) {
      fail(ErrorCode::kInvalidRequest, "Neither topic name nor id were specified.");
    } else if ((t.name && name_counts[*t.name] > 1) ||
               (!t.topic_id.IsZero() && id_counts[t.topic_id] > 1)) {
      fail(ErrorCode::kInvalidRequest, "Duplicate topic name or id.");
    } else if (t.name) {
      topic = working_.FindTopic(*t.name);
      if (topic == nullptr) {
        fail(ErrorCode::kUnknownTopicOrPartition,
             "This server does not host this topic-partition.");
      }
    } else {
      topic = working_.FindTopicById(t.topic_id);
      if (topic == nullptr)
        fail(ErrorCode::kUnknownTopicId, "This server does not host this topic ID.");
    }
    if (topic != nullptr) {
      out.name = topic->name;
      out.topic_id = topic->id;
      Emit(RemoveTopicRecord{topic->id}, &result.records);
    }
    resp.responses.push_back(std::move(out));
  }
  result.response = std::move(resp);
  return result;
}

// ---- AlterPartition ----

ControllerResult QuorumController::HandleAlterPartition(const AlterPartitionRequest& req,
                                                        int64_t now_ms) {
  ControllerResult result;
  AlterPartitionResponse resp;
  auto top_level = [&](ErrorCode code) {
    resp.error_code = Code(code);
    result.response = resp;
    return result;
  };
  if (!active_) return top_level(ErrorCode::kNotController);
  last_now_ms_ = std::max(last_now_ms_, now_ms);
  const BrokerInfo* sender = working_.FindBroker(req.broker_id);
  if (sender == nullptr || sender->epoch != req.broker_epoch) {
    return top_level(ErrorCode::kStaleBrokerEpoch);
  }

  for (const AlterPartitionRequest::Topic& t : req.topics) {
    AlterPartitionResponse::Topic tout;
    tout.topic_name = t.topic_name;
    tout.topic_id = t.topic_id;
    const bool by_id = !t.topic_id.IsZero();
    const TopicInfo* topic =
        by_id ? working_.FindTopicById(t.topic_id) : working_.FindTopic(t.topic_name);
    for (const AlterPartitionRequest::Partition& pd : t.partitions) {
      AlterPartitionResponse::Partition pout;
      pout.partition_index = pd.partition_index;
      auto fail = [&](ErrorCode code) {
        pout.error_code = Code(code);
        tout.partitions.push_back(pout);
      };
      if (topic == nullptr) {
        fail(by_id ? ErrorCode::kUnknownTopicId : ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      auto pit = topic->partitions.find(pd.partition_index);
      if (pit == topic->partitions.end()) {
        fail(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      const PartitionInfo& p = pit->second;

      // The requested ISR, with broker epochs when the version carries them (-1: unknown).
      std::vector<AlterPartitionRequest::BrokerState> states = pd.new_isr_with_epochs;
      if (states.empty()) {
        for (int32_t r : pd.new_isr) states.push_back({r, -1});
      }
      std::vector<int32_t> new_isr;
      for (const auto& s : states) new_isr.push_back(s.broker_id);

      if (pd.leader_epoch != p.leader_epoch) {
        fail(ErrorCode::kFencedLeaderEpoch);
        continue;
      }
      if (req.broker_id != p.leader) {
        fail(ErrorCode::kInvalidRequest);  // only the leader may change the ISR
        continue;
      }
      if (pd.partition_epoch != p.partition_epoch) {
        fail(ErrorCode::kInvalidUpdateVersion);
        continue;
      }
      bool subset = std::set<int32_t>(new_isr.begin(), new_isr.end()).size() == new_isr.size();
      for (int32_t r : new_isr) subset = subset && Contains(p.replicas, r);
      if (!subset || !Contains(new_isr, p.leader)) {
        fail(ErrorCode::kInvalidRequest);  // the ISR must be replicas, distinct, with the leader
        continue;
      }
      if (pd.leader_recovery_state != kLeaderRecovered &&
          pd.leader_recovery_state != kLeaderRecovering) {
        fail(ErrorCode::kInvalidRequest);
        continue;
      }
      if ((pd.leader_recovery_state == kLeaderRecovering && new_isr.size() > 1) ||
          (p.leader_recovery_state == kLeaderRecovered &&
           pd.leader_recovery_state == kLeaderRecovering)) {
        fail(ErrorCode::kInvalidRequest);
        continue;
      }
      bool eligible = true;
      for (const auto& s : states) {
        const BrokerInfo* b = working_.FindBroker(s.broker_id);
        if (b == nullptr || b->fenced || b->shutting_down ||
            (s.broker_epoch != -1 && s.broker_epoch != b->epoch)) {
          eligible = false;
        }
      }
      if (!eligible) {
        fail(ErrorCode::kIneligibleReplica);
        continue;
      }

      PartitionChangeRecord rec;
      rec.topic_id = topic->id;
      rec.partition_id = p.partition;
      bool changed = false;
      if (new_isr != p.isr) {
        rec.isr = new_isr;
        changed = true;
      }
      if (std::vector<int32_t> elr = NextEligibleLeaders(*topic, p, new_isr, kNoLeader); elr != p.eligible_leaders) {
        rec.eligible_leader_replicas = std::move(elr);
        changed = true;
      }
      if (pd.leader_recovery_state != p.leader_recovery_state) {
        rec.leader_recovery_state = pd.leader_recovery_state;
        changed = true;
      }
      const std::string topic_name = topic->name;
      if (changed) {
        Emit(std::move(rec), &result.records);
        topic = working_.FindTopic(topic_name);  // the image changed under us; re-find
      }
      const PartitionInfo* now_p = working_.FindPartition(topic_name, pd.partition_index);
      SAMSA_ASSERT(now_p != nullptr);
      pout.error_code = Code(ErrorCode::kNone);
      pout.leader_id = now_p->leader;
      pout.leader_epoch = now_p->leader_epoch;
      pout.isr = now_p->isr;
      pout.leader_recovery_state = now_p->leader_recovery_state;
      pout.partition_epoch = now_p->partition_epoch;
      tout.partitions.push_back(pout);
    }
    resp.topics.push_back(std::move(tout));
  }
  return top_level(ErrorCode::kNone);
}

// ---- timers ----

std::vector<MetadataRecord> QuorumController::Tick(int64_t now_ms) {
  std::vector<MetadataRecord> out;
  if (!active_) return out;
  last_now_ms_ = std::max(last_now_ms_, now_ms);

  std::vector<int32_t> expired;
  for (const auto& [id, b] : working_.brokers()) {
    if (b.fenced) continue;
    const Session& s = SessionOf(id);
    if (now_ms > s.last_contact_ms + config_.broker_session_timeout_ms) expired.push_back(id);
  }
  for (int32_t id : expired) FenceBroker(id, &out);

  if (now_ms >= next_rebalance_ms_) {
    RebalancePreferredLeaders(&out);
    next_rebalance_ms_ = now_ms + config_.leader_imbalance_check_interval_ms;
  }
  return out;
}

int64_t QuorumController::NextDeadlineMs() const {
  if (!active_) return kNever;
  int64_t deadline = next_rebalance_ms_;
  for (const auto& [id, b] : working_.brokers()) {
    if (b.fenced) continue;
    auto it = sessions_.find(id);
    const int64_t last = it == sessions_.end() ? last_now_ms_ : it->second.last_contact_ms;
    deadline = std::min(deadline, last + config_.broker_session_timeout_ms + 1);
  }
  return deadline;
}

}  // namespace samsa
