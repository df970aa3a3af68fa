#pragma once
// Test harness for ReplicaManager: three brokers (node ids 1..3), each with its own MemDisk, over a
// deterministic message bus (samsa::Prng delays and drops, link cuts), and a minimal in-test
// controller that owns the partition metadata (ReplicaAssignments), answers AlterPartition like
// KRaft's controller (leader epoch and partition epoch checks) and broadcasts every change to all
// brokers at once. Every message crosses the real codec (requests and responses are encoded and
// decoded), so RECORDS views point into frames exactly as they would in the broker.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/base/mem_disk.h"
#include "core/base/prng.h"
#include "core/protocol/error_codes.h"
#include "core/protocol/messages/dispatch.h"
#include "core/record/record_batch.h"
#include "core/replication/replica_manager.h"

namespace samsa::testing {

inline Bytes MakeBatch(const std::string& value, int64_t timestamp_ms, int records = 1) {
  RecordBatchBuilder b;
  for (int i = 0; i < records; ++i) {
    std::string v = value + "#" + std::to_string(i);
    b.Add(timestamp_ms, std::nullopt, AsBytes(v));
  }
  auto built = b.Build();
  SAMSA_ASSERT(built.ok());
  return std::move(built).value();
}

// What a leader's log answers a fetch from `from` with, once `batches` were appended to it in
// order at leader epoch `epoch`: the batches with their offsets and epoch assigned.
inline Bytes LeaderLogBytes(const std::vector<Bytes>& batches, int64_t from = 0, int32_t epoch = 0) {
  MemDisk disk;
  auto log = PartitionLog::Open(disk, "leader-0", LogConfig{}, 0);
  SAMSA_ASSERT(log.ok());
  for (const Bytes& b : batches) SAMSA_ASSERT((*log)->AppendAsLeader(b, epoch, 0).ok());
  auto read = (*log)->Read(from, 1 << 20);
  SAMSA_ASSERT(read.ok());
  return std::move(read->records);
}

// A fetch by `replica` (-1: a consumer) of `topic` at the given (partition, offset) pairs, answered
// at once (max_wait_ms 0), each partition naming `leader_epoch` (-1: not checked). No partitions:
// no topic.
inline FetchRequest FetchOf(int32_t replica, const std::string& topic,
                            const std::vector<std::pair<int32_t, int64_t>>& parts, int32_t leader_epoch = -1) {
  FetchRequest req;
  req.replica_id = replica;
  req.max_wait_ms = 0;
  if (parts.empty()) return req;
  FetchRequest::Topic t;
  t.topic = topic;
  for (auto [p, offset] : parts) {
    FetchRequest::Partition fp;
    fp.partition = p;
    fp.fetch_offset = offset;
    fp.current_leader_epoch = leader_epoch;
    fp.partition_max_bytes = 1 << 20;
    t.partitions.push_back(fp);
  }
  req.topics.push_back(std::move(t));
  return req;
}

// The same of topic "t".
inline FetchRequest FetchOfT(int32_t replica, const std::vector<std::pair<int32_t, int64_t>>& parts,
                             int32_t leader_epoch = -1) {
  return FetchOf(replica, "t", parts, leader_epoch);
}

// Whole batches of a log below `end`, concatenated.
inline Bytes ReadBelow(PartitionLog* log, int64_t end) {
  Bytes out;
  int64_t offset = log->log_start_offset();
  while (offset < end && offset < log->log_end_offset()) {
    auto r = log->Read(offset, 1 << 20);
    if (!r.ok() || r->records.empty()) break;
    size_t pos = 0;
    bool stop = false;
    while (pos < r->records.size()) {
      auto h = ParseBatchHeader(ByteView(r->records).subspan(pos));
      SAMSA_ASSERT(h.ok());
      if (h->last_offset() >= end) {
        stop = true;
        break;
      }
      out.insert(out.end(), r->records.begin() + pos, r->records.begin() + pos + h->total_bytes());
      pos += h->total_bytes();
      offset = h->next_offset();
    }
    if (stop) break;
  }
  return out;
}

// The batch holding offset, or nullopt.
inline std::optional<BatchHeader> BatchAt(PartitionLog* log, int64_t offset) {
  if (offset < log->log_start_offset() || offset >= log->log_end_offset()) return std::nullopt;
  auto r = log->Read(offset, 1);
  if (!r.ok() || r->records.empty()) return std::nullopt;
  auto h = ParseBatchHeader(r->records);
  if (!h.ok()) return std::nullopt;
  return *h;
}

struct HarnessOptions {
  int64_t min_delay_ms = 1;
  int64_t max_delay_ms = 3;
  uint64_t drop_per_mille = 0;
  int64_t request_timeout_ms = 2000;
  // Each broker applies a metadata version up to this long after the controller commits it
  // (in commit order). 0: at once.
  int64_t metadata_delay_max_ms = 0;
  ReplicaConfig base;  // node_id is filled per node
};

class Harness {
 public:
  static constexpr int kNodes = 3;

  Harness(uint64_t seed, HarnessOptions options) : seed_(seed), prng_(seed), options_(std::move(options)) {
    for (int id = 1; id <= kNodes; ++id) {
      auto box = std::make_unique<Box>();
      ReplicaConfig c = options_.base;
      c.node_id = id;
      box->rm = std::make_unique<ReplicaManager>(c, box->disk);
      Status s = box->rm->Open(now_);
      SAMSA_ASSERT(s.ok());
      boxes_.push_back(std::move(box));
    }
  }

  ReplicaManager& rm(int id) { return *boxes_[size_t(id - 1)]->rm; }
  int64_t now() const { return now_; }
  uint64_t seed() const { return seed_; }
  Prng& prng() { return prng_; }
  ReplicaAssignments& meta() { return meta_; }
  const AssignedPartition& part(const std::string& topic, int32_t p) { return meta_.topics.at(topic).partitions.at(p); }
  void set_drop_per_mille(uint64_t v) { options_.drop_per_mille = v; }
  std::function<void()> after_step;  // invariant checks
  bool trace = false;                // prints controller decisions

  // ---- controller ----
  void CreateTopic(const std::string& name, int partitions, std::vector<int32_t> replicas,
                   std::map<std::string, std::string> configs = {}) {
    AssignedTopic& t = meta_.topics[name];
    t.name = name;
    t.id = Uuid::FromHalves(0x5a5a, ++topics_created_);  // with ids, leaders send AlterPartition v3
    t.configs = std::move(configs);
    for (int p = 0; p < partitions; ++p) {
      AssignedPartition& a = t.partitions[p];
      a.partition = p;
      a.replicas = replicas;
      // Rotate the preferred leader.
      std::rotate(a.replicas.begin(), a.replicas.begin() + (p % replicas.size()), a.replicas.end());
      a.isr = a.replicas;
      a.leader = a.replicas[0];
      a.leader_epoch = 0;
      a.partition_epoch = 0;
    }
    Publish();
  }
  void ElectLeader(const std::string& topic, int32_t p, int32_t leader) {
    AssignedPartition& a = meta_.topics.at(topic).partitions.at(p);
    a.leader = leader;
    a.leader_epoch++;
    a.partition_epoch++;
    if (trace) std::printf("%lld elect %s-%d leader %d epoch %d\n", (long long)now_, topic.c_str(), p, leader, a.leader_epoch);
    Publish();
  }
  void DeleteTopic(const std::string& topic) {
    meta_.topics.erase(topic);
    Publish();
  }
  void Publish() {
    for (int id = 1; id <= kNodes; ++id) meta_.broker_epochs[id] = BrokerEpoch(id);
    if (options_.metadata_delay_max_ms == 0) {
      for (int id = 1; id <= kNodes; ++id) {
        rm(id).OnAssignments(meta_, BrokerEpoch(id), now_);
        Drain(id);
      }
      Step();
      return;
    }
    auto snapshot = std::make_shared<ReplicaAssignments>(meta_);
    for (int id = 1; id <= kNodes; ++id) {
      Box& box = *boxes_[size_t(id - 1)];
      int64_t at = std::max(now_ + prng_.Range(0, options_.metadata_delay_max_ms), box.last_metadata_at);
      box.last_metadata_at = at;
      uint64_t inc = box.incarnation;
      At(at, [this, id, inc, snapshot] {
        if (boxes_[size_t(id - 1)]->incarnation != inc) return;  // superseded by a restart
        rm(id).OnAssignments(*snapshot, BrokerEpoch(id), now_);
        Drain(id);
      });
    }
  }
  int64_t BrokerEpoch(int id) const { return 100 * int64_t(boxes_[size_t(id - 1)]->incarnation) + id; }

  // Crashes a broker (its disk loses unsynced data, possibly a torn tail) and restarts it at once
  // with a fresh ReplicaManager. The controller fences it first: out of every ISR, and partitions
  // it led get a new leader from the remaining ISR. Callers avoid crashing a sole ISR member.
  void CrashAndRestart(int id) {
    for (auto& [name, t] : meta_.topics) {
      for (auto& [index, a] : t.partitions) {
        if (!Contains(a.isr, id)) continue;
        SAMSA_ASSERT(a.isr.size() > 1);
        a.isr.erase(std::find(a.isr.begin(), a.isr.end(), id));
        if (a.leader == id) {
          a.leader = a.isr.front();
          a.leader_epoch++;
        }
        a.partition_epoch++;
      }
    }
    Box& box = *boxes_[size_t(id - 1)];
    box.incarnation++;
    if (trace) std::printf("%lld crash %d\n", (long long)now_, id);
    Prng crash_prng = prng_.Split(uint64_t(now_) * 8 + uint64_t(id));
    box.disk.Crash(&crash_prng);
    ReplicaConfig c = options_.base;
    c.node_id = id;
    box.rm = std::make_unique<ReplicaManager>(c, box.disk);
    Status s = box.rm->Open(now_);
    SAMSA_ASSERT_MSG(s.ok(), "restart: Open failed");
    box.last_metadata_at = now_;
    crashes_++;
    Publish();
  }
  bool SoleIsrMemberAnywhere(int id) const {
    for (const auto& [name, t] : meta_.topics) {
      for (const auto& [index, a] : t.partitions) {
        if (a.isr.size() == 1 && a.isr[0] == id) return true;
      }
    }
    return false;
  }
  int crashes() const { return crashes_; }
  // While held, node id's disk syncs stay pending (a slow disk); releasing completes them.
  void HoldSyncs(int id, bool hold) {
    boxes_[size_t(id - 1)]->hold_syncs = hold;
    if (!hold) Drain(id);
  }
  MemDisk& disk(int id) { return boxes_[size_t(id - 1)]->disk; }
  int alter_requests() const { return alter_requests_; }

  // ---- network ----
  void Cut(int a, int b) { cut_.insert({std::min(a, b), std::max(a, b)}); }
  void Isolate(int a) {
    for (int b = 1; b <= kNodes; ++b) {
      if (b != a) Cut(a, b);
    }
  }
  void HealAll() { cut_.clear(); }
  bool Linked(int a, int b) const { return cut_.count({std::min(a, b), std::max(a, b)}) == 0; }

  // ---- clients (direct calls; replies collected by token) ----
  uint64_t Produce(int node, const std::string& topic, int32_t partition, int16_t acks, const Bytes& records,
                   int32_t timeout_ms = 5000) {
    ProduceRequest req;
    req.acks = acks;
    req.timeout_ms = timeout_ms;
    req.topic_data.push_back({topic, {{partition, ByteView(records)}}});
    uint64_t token = NewClientToken();
    rm(node).HandleProduce(token, req, 9, now_);
    Drain(node);
    Step();
    return token;
  }
  uint64_t Fetch(int node, const FetchRequest& req, int16_t version = 12) {
    uint64_t token = NewClientToken();
    rm(node).HandleFetch(token, req, version, now_);
    Drain(node);
    Step();
    return token;
  }
  uint64_t ListOffsets(int node, const ListOffsetsRequest& req, int16_t version = 7) {
    uint64_t token = NewClientToken();
    rm(node).HandleListOffsets(token, req, version, now_);
    Drain(node);
    Step();
    return token;
  }
  uint64_t OffsetForLeaderEpoch(int node, const OffsetForLeaderEpochRequest& req, int16_t version = 4) {
    uint64_t token = NewClientToken();
    rm(node).HandleOffsetForLeaderEpoch(token, req, version, now_);
    Drain(node);
    Step();
    return token;
  }
  const ReplicaReply* ClientReply(uint64_t token) const {
    auto it = client_replies_.find(token);
    return it == client_replies_.end() ? nullptr : &it->second;
  }
  template <typename T>
  const T* ClientResponse(uint64_t token) const {
    const ReplicaReply* r = ClientReply(token);
    return r ? std::get_if<T>(&r->response) : nullptr;
  }

  // ---- time ----
  void RunFor(int64_t ms) { RunUntil(now_ + ms); }
  void RunUntil(int64_t t) {
    int64_t same_time_steps = 0;
    int64_t last = now_;
    for (;;) {
      int64_t next = events_.empty() ? INT64_MAX : events_.begin()->first.first;
      for (int id = 1; id <= kNodes; ++id) next = std::min(next, rm(id).NextDeadlineMs());
      if (next > t) {
        now_ = t;
        return;
      }
      now_ = std::max(now_, next);
      if (now_ == last) {
        SAMSA_ASSERT_MSG(++same_time_steps < 100000, "harness: no progress at one instant");
      } else {
        same_time_steps = 0;
        last = now_;
      }
      while (!events_.empty() && events_.begin()->first.first <= now_) {
        auto fn = std::move(events_.begin()->second);
        events_.erase(events_.begin());
        fn();
        Step();
      }
      for (int id = 1; id <= kNodes; ++id) {
        if (rm(id).NextDeadlineMs() <= now_) {
          rm(id).Tick(now_);
          Drain(id);
          Step();
        }
      }
    }
  }

 private:
  struct Box {
    MemDisk disk;
    std::unique_ptr<ReplicaManager> rm;
    uint64_t incarnation = 1;
    int64_t last_metadata_at = 0;
    bool hold_syncs = false;
  };
  struct TokenInfo {
    bool client = false;
    int from = 0;
    uint64_t from_incarnation = 0;
    uint64_t send_id = 0;
    ApiKey key = ApiKey::kProduce;
    int16_t version = 0;
  };

  static bool Contains(const std::vector<int32_t>& v, int32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }
  uint64_t Inc(int id) const { return boxes_[size_t(id - 1)]->incarnation; }

  void Step() {
    if (after_step) after_step();
  }
  uint64_t NewClientToken() {
    uint64_t token = next_token_++;
    tokens_[token] = TokenInfo{true};
    return token;
  }
  int64_t Delay() { return prng_.Range(options_.min_delay_ms, options_.max_delay_ms); }
  bool Deliverable(int a, int b) {
    if (!Linked(a, b)) return false;
    return !(options_.drop_per_mille > 0 && prng_.Chance(options_.drop_per_mille, 1000));
  }
  void At(int64_t t, std::function<void()> fn) { events_.emplace(std::make_pair(t, next_seq_++), std::move(fn)); }

  void Drain(int id) {
    for (;;) {
      std::vector<SyncId> syncs;
      if (!boxes_[size_t(id - 1)]->hold_syncs) syncs = boxes_[size_t(id - 1)]->disk.CompleteAllSyncs();
      for (SyncId s : syncs) EXPECT_TRUE(rm(id).OnSyncDone(s, true, now_)) << "seed " << seed_;
      auto sends = rm(id).TakeSends();
      auto replies = rm(id).TakeReplies();
      if (sends.empty() && replies.empty() && syncs.empty()) return;
      for (auto& s : sends) Route(id, std::move(s));
      for (auto& r : replies) {
        auto it = tokens_.find(r.token);
        ASSERT_NE(it, tokens_.end()) << "seed " << seed_ << ": reply for an unknown token";
        TokenInfo info = it->second;
        tokens_.erase(it);
        if (info.client) {
          client_replies_[r.token] = std::move(r);
          continue;
        }
        if (!r.send_response) continue;
        auto frame = std::make_shared<Bytes>();
        EncodeResponseBody(r.response, info.version, *frame);
        if (!Deliverable(id, info.from)) continue;
        At(now_ + Delay(), [this, info, frame] {
          DeliverResponse(info.from, info.from_incarnation, info.send_id, info.key, info.version, *frame);
        });
      }
    }
  }

  void Route(int from, ReplicaSend s) {
    uint64_t id = s.id;
    uint64_t inc = Inc(from);
    open_.insert({from, inc, id});
    At(now_ + options_.request_timeout_ms, [this, from, inc, id] {
      if (open_.erase({from, inc, id}) == 0) return;
      rm(from).OnSendFailed(id, now_);
      Drain(from);
    });
    auto frame = std::make_shared<Bytes>();
    EncodeRequestBody(s.request, s.version, *frame);
    ApiKey key = ApiKeyOf(s.request);
    int16_t version = s.version;
    if (s.to == kToController) {
      At(now_ + Delay(), [this, from, inc, id, version, frame] { Controller(from, inc, id, version, *frame); });
      return;
    }
    int to = s.to;
    if (!Deliverable(from, to)) return;
    uint64_t to_inc = Inc(to);
    At(now_ + Delay(), [this, from, inc, to, to_inc, id, key, version, frame] {
      // A restart drops the node's connections and what was in flight on them, both ways.
      if (!Linked(from, to) || Inc(to) != to_inc || Inc(from) != inc) return;
      auto decoded = DecodeRequestBody(key, version, *frame);
      ASSERT_TRUE(decoded.ok()) << "seed " << seed_ << ": " << decoded.status().ToString();
      uint64_t token = next_token_++;
      tokens_[token] = TokenInfo{false, from, inc, id, key, version};
      ReplicaManager& dst = rm(to);
      if (auto* f = std::get_if<FetchRequest>(&*decoded)) {
        dst.HandleFetch(token, *f, version, now_);
      } else if (auto* o = std::get_if<OffsetForLeaderEpochRequest>(&*decoded)) {
        dst.HandleOffsetForLeaderEpoch(token, *o, version, now_);
      } else {
        ADD_FAILURE() << "seed " << seed_ << ": unexpected broker-to-broker request";
      }
      Drain(to);
    });
  }

  void DeliverResponse(int to, uint64_t incarnation, uint64_t send_id, ApiKey key, int16_t version,
                       const Bytes& frame) {
    if (open_.erase({to, incarnation, send_id}) == 0) return;
    auto decoded = DecodeResponseBody(key, version, frame);
    ASSERT_TRUE(decoded.ok()) << "seed " << seed_ << ": " << decoded.status().ToString();
    rm(to).OnResponse(send_id, *decoded, now_);
    Drain(to);
  }

  // KRaft-like handling of AlterPartition: check leader epoch and partition epoch, commit the
  // new ISR, broadcast, answer.
  void Controller(int from, uint64_t incarnation, uint64_t send_id, int16_t version, const Bytes& frame) {
    if (Inc(from) != incarnation) return;
    auto decoded = DecodeRequestBody(ApiKey::kAlterPartition, version, frame);
    ASSERT_TRUE(decoded.ok()) << "seed " << seed_;
    const auto& req = std::get<AlterPartitionRequest>(*decoded);
    alter_requests_++;
    AlterPartitionResponse resp;
    bool changed = false;
    for (const auto& t : req.topics) {
      AlterPartitionResponse::Topic rt;
      rt.topic_name = t.topic_name;
      rt.topic_id = t.topic_id;
      std::string name = t.topic_name;
      for (const auto& [n, info] : meta_.topics) {
        if (version >= 2 && info.id == t.topic_id) name = n;
      }
      for (const auto& p : t.partitions) {
        AlterPartitionResponse::Partition rp;
        rp.partition_index = p.partition_index;
        auto ti = meta_.topics.find(name);
        if (ti == meta_.topics.end() || ti->second.partitions.count(p.partition_index) == 0) {
          rp.error_code = int16_t(ErrorCode::kUnknownTopicOrPartition);
        } else {
          AssignedPartition& a = ti->second.partitions.at(p.partition_index);
          if (req.broker_epoch != BrokerEpoch(req.broker_id)) {
            rp.error_code = int16_t(ErrorCode::kStaleBrokerEpoch);
          } else if (a.leader != req.broker_id || p.leader_epoch != a.leader_epoch) {
            rp.error_code = int16_t(ErrorCode::kFencedLeaderEpoch);
          } else if (p.partition_epoch != a.partition_epoch) {
            rp.error_code = int16_t(ErrorCode::kInvalidUpdateVersion);
          } else if (!IsrEpochsCurrent(p)) {
            // KIP-903: a member the leader knew under an older broker epoch has restarted since.
            rp.error_code = int16_t(ErrorCode::kIneligibleReplica);
          } else {
            a.isr = version >= 3 ? std::vector<int32_t>{} : p.new_isr;
            for (const auto& m : p.new_isr_with_epochs) a.isr.push_back(m.broker_id);
            if (trace) {
              std::printf("%lld alter %s-%d by %d isr", (long long)now_, name.c_str(), p.partition_index, from);
              for (const auto& m : p.new_isr_with_epochs) std::printf(" %d@%lld", m.broker_id, (long long)m.broker_epoch);
              std::printf("\n");
            }
            a.partition_epoch++;
            changed = true;
          }
          rp.leader_id = a.leader;
          rp.leader_epoch = a.leader_epoch;
          rp.isr = a.isr;
          rp.partition_epoch = a.partition_epoch;
        }
        rt.partitions.push_back(std::move(rp));
      }
      resp.topics.push_back(std::move(rt));
    }
    if (changed) Publish();
    auto out = std::make_shared<Bytes>();
    EncodeResponseBody(ResponseBody(std::move(resp)), version, *out);
    At(now_ + Delay(), [this, from, incarnation, send_id, version, out] {
      DeliverResponse(from, incarnation, send_id, ApiKey::kAlterPartition, version, *out);
    });
  }

  bool IsrEpochsCurrent(const AlterPartitionRequest::Partition& p) const {
    for (const auto& m : p.new_isr_with_epochs) {
      if (m.broker_epoch != -1 && m.broker_epoch != BrokerEpoch(m.broker_id)) return false;
    }
    return true;
  }

  uint64_t seed_;
  Prng prng_;
  uint64_t topics_created_ = 0;
  HarnessOptions options_;
  int64_t now_ = 0;
  std::vector<std::unique_ptr<Box>> boxes_;
  ReplicaAssignments meta_;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> events_;
  uint64_t next_seq_ = 0;
  std::set<std::pair<int, int>> cut_;
  std::set<std::tuple<int, uint64_t, uint64_t>> open_;  // (node, incarnation, send id)
  std::map<uint64_t, TokenInfo> tokens_;
  std::map<uint64_t, ReplicaReply> client_replies_;
  uint64_t next_token_ = 1;
  int alter_requests_ = 0;
  int crashes_ = 0;
};

}  // namespace samsa::testing
