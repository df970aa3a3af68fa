#pragma once
// A deterministic in-test cluster for RaftReplica: N replicas, each on its own MemDisk, a message
// bus with random delays, drops and partitions driven by one Prng, virtual time, disk syncs
// completing after random delays, crashes (drop the replica, MemDisk::Crash with torn tails,
// reconstruct, Open). Every message crosses the real Kafka codec (encode, decode).
//
// Safety checks run after every step (CheckStep): at most one leader per epoch; each node's
// TakeCommitted stream agrees with one global committed sequence (no change, no gap, no
// duplicate value); HW <= LEO; observers never lead or campaign. CheckMajority (periodic) checks
// every committed record sits on a majority of voters' logs. Violations are collected as strings
// that include the seed.

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/base/mem_disk.h"
#include "core/base/prng.h"
#include "core/controller/raft.h"
#include "core/protocol/messages/dispatch.h"
#include "core/record/record_batch.h"

namespace samsa::raft_test {

inline uint64_t g_current_seed = 0;
inline void PrintSeedOnAbort(int) {
  std::fprintf(stderr, "raft_test: aborted while running seed %llu\n",
               static_cast<unsigned long long>(g_current_seed));
  std::fflush(stderr);
}
inline void InstallAbortHandler() { std::signal(SIGABRT, PrintSeedOnAbort); }

struct ClusterOptions {
  int nodes = 3;
  int voters = 3;  // nodes [1, voters] vote; the rest observe
  int64_t delay_min_ms = 1;
  int64_t delay_max_ms = 20;
  int64_t sync_delay_max_ms = 15;
  int64_t request_timeout_ms = 400;  // when a dropped message is reported as failed
  RaftConfig base;                   // timeouts; node_id / voters are filled in
};

class Cluster {
 public:
  struct Node {
    int32_t id = 0;
    std::unique_ptr<MemDisk> disk;
    std::unique_ptr<RaftReplica> raft;
    uint64_t incarnation = 0;
    std::set<uint64_t> scheduled_syncs;
    int64_t cursor = -1;  // last committed offset this incarnation delivered
    int64_t isolated_until_ms = 0;
    std::vector<RaftRecord> delivered;  // this incarnation's committed stream
  };

  Cluster(uint64_t seed, ClusterOptions options) : seed_(seed), options_(options), prng_(seed) {
    g_current_seed = seed;
    for (int i = 1; i <= options_.nodes; ++i) {
      auto node = std::make_unique<Node>();
      node->id = i;
      node->disk = std::make_unique<MemDisk>();
      nodes_.push_back(std::move(node));
    }
    for (int i = 1; i <= options_.voters; ++i) voter_ids_.push_back(i);
    for (auto& n : nodes_) Start(*n);
  }

  // --- accessors --------------------------------------------------------------------------------
  int64_t now() const { return now_ms_; }
  Node& node(int32_t id) { return *nodes_[size_t(id - 1)]; }
  RaftReplica& raft(int32_t id) { return *node(id).raft; }
  Prng& prng() { return prng_; }
  const std::vector<std::string>& violations() const { return violations_; }
  const std::map<int64_t, RaftRecord>& committed() const { return committed_; }
  uint64_t seed() const { return seed_; }
  int voters() const { return options_.voters; }
  int size() const { return options_.nodes; }
  uint64_t steps() const { return steps_; }

  // The unique node that is leader in the highest epoch seen among leaders, or -1.
  int32_t Leader() {
    int32_t best = -1;
    int32_t best_epoch = -1;
    for (auto& n : nodes_) {
      if (n->raft->IsLeader() && n->raft->Epoch() > best_epoch) {
        best = n->id;
        best_epoch = n->raft->Epoch();
      }
    }
    return best;
  }

  // --- faults -----------------------------------------------------------------------------------
  void SetDropPermille(uint64_t permille) { drop_permille_ = permille; }
  void Block(int32_t a, int32_t b) { blocked_.insert({a, b}); }
  void Isolate(int32_t id) {
    for (auto& n : nodes_) {
      if (n->id == id) continue;
      Block(id, n->id);
      Block(n->id, id);
    }
  }
  void HealAll() {
    blocked_.clear();
    drop_permille_ = 0;
    for (auto& n : nodes_) n->isolated_until_ms = 0;
  }
  // Crashes node id and restarts it; before_start (if any) may damage its disk in between.
  void Crash(int32_t id, const std::function<void(MemDisk&)>& before_start = nullptr) {
    Node& n = node(id);
    n.raft.reset();
    n.disk->Crash(&prng_);
    if (before_start) {
      before_start(*n.disk);
      n.disk->Crash();  // what the restarted process reads is the durable state, damage included
    }
    // Requests held by the dead process fail at their senders.
    for (auto it = inflight_.begin(); it != inflight_.end();) {
      if (it->second.to == id && it->second.to_incarnation == n.incarnation && it->second.delivered) {
        ScheduleFailure(it->first, it->second);
        it = inflight_.erase(it);
      } else {
        ++it;
      }
    }
    n.incarnation++;
    n.scheduled_syncs.clear();
    Start(n);
  }

  // --- driving ----------------------------------------------------------------------------------
  // Runs one step: the earliest event or node deadline. Returns false when nothing is scheduled.
  bool Step() {
    int64_t next_event = events_.empty() ? INT64_MAX : events_.begin()->first.first;
    int32_t tick_node = -1;
    int64_t tick_at = INT64_MAX;
    for (auto& n : nodes_) {
      int64_t d = n->raft->NextDeadlineMs();
      if (d < tick_at) {
        tick_at = d;
        tick_node = n->id;
      }
    }
    if (next_event == INT64_MAX && tick_at == INT64_MAX) return false;
    ++steps_;
    if (tick_at <= next_event) {
      int64_t t = std::max(now_ms_, tick_at);
      if (t == now_ms_) {
        if (++same_time_ticks_ > 10000) {
          Violation("tick livelock at t=" + std::to_string(now_ms_) + " node " + std::to_string(tick_node));
          return false;
        }
      } else {
        same_time_ticks_ = 0;
      }
      now_ms_ = t;
      node(tick_node).raft->Tick(now_ms_);
    } else {
      auto it = events_.begin();
      Event ev = std::move(it->second);
      now_ms_ = std::max(now_ms_, it->first.first);
      events_.erase(it);
      same_time_ticks_ = 0;
      Deliver(ev);
    }
    Pump();
    CheckStep();
    return true;
  }

  void RunFor(int64_t duration_ms) {
    int64_t until = now_ms_ + duration_ms;
    while (NextTime() <= until && violations_.empty()) {
      if (!Step()) break;
    }
    now_ms_ = std::max(now_ms_, until);
  }

  // Runs until pred() or the time bound; returns whether pred() held.
  template <typename Pred>
  bool RunUntil(Pred pred, int64_t bound_ms) {
    int64_t until = now_ms_ + bound_ms;
    while (!pred()) {
      if (!violations_.empty()) return false;
      if (NextTime() > until) return false;
      if (!Step()) return false;
    }
    return true;
  }

  Result<int64_t> AppendOnLeader(int32_t id, const std::string& value) {
    Result<int64_t> r = raft(id).Append({ToBytes(value)}, now_ms_);
    Pump();
    return r;
  }

  // Every committed record is in the logs of a majority of voters.
  void CheckMajority() {
    if (committed_.empty()) return;
    int holding = 0;
    for (int i = 1; i <= options_.voters; ++i) {
      std::map<int64_t, RaftRecord> log = ReadLog(raft(i));
      bool all = true;
      for (const auto& [offset, rec] : committed_) {
        auto it = log.find(offset);
        if (it == log.end() || !(it->second == rec)) {
          all = false;
          break;
        }
      }
      if (all) ++holding;
    }
    if (holding < options_.voters / 2 + 1) {
      Violation("committed records on only " + std::to_string(holding) + " voters (of " +
                std::to_string(options_.voters) + ")");
    }
  }

  static std::map<int64_t, RaftRecord> ReadLog(const RaftReplica& r) {
    std::map<int64_t, RaftRecord> out;
    const PartitionLog& log = r.log();
    int64_t offset = log.log_start_offset();
    while (offset < log.log_end_offset()) {
      Result<LogReadResult> read = log.Read(offset, 1 << 20);
      if (!read.ok() || read->records.empty()) break;
      Result<std::vector<ByteView>> batches = SplitBatches(read->records);
      if (!batches.ok()) break;
      for (ByteView b : *batches) {
        Result<BatchHeader> h = ParseBatchHeader(b);
        if (!h.ok()) return out;
        if (!h->control()) {
          Result<std::vector<Record>> recs = DecodeRecords(b, kDefaultMaxDecompressedBytes);
          if (!recs.ok()) return out;
          for (Record& rec : *recs) {
            int64_t o = rec.AbsoluteOffset(*h);
            out[o] = RaftRecord{o, h->partition_leader_epoch, rec.value.value_or(Bytes())};
          }
        }
        offset = h->next_offset();
      }
    }
    return out;
  }

  void Violation(const std::string& what) {
    violations_.push_back("seed " + std::to_string(seed_) + " t=" + std::to_string(now_ms_) + " step " +
                          std::to_string(steps_) + ": " + what);
  }

  std::string Describe() {
    std::string s;
    for (auto& n : nodes_) {
      const RaftReplica& r = *n->raft;
      s += "  node " + std::to_string(n->id) + " " + r.StateName() + " epoch " + std::to_string(r.Epoch()) +
           " leader " + std::to_string(r.LeaderId()) + " hw " + std::to_string(r.HighWatermark()) + " leo " +
           std::to_string(r.LogEndOffset()) + "\n";
    }
    return s;
  }

 private:
  enum class Kind { kRequest, kResponse, kFailed, kSync };
  struct Event {
    Kind kind = Kind::kRequest;
    uint64_t token = 0;
    int32_t node = 0;         // receiver of the event
    uint64_t incarnation = 0; // receiver incarnation it is meant for (responses, failures, syncs)
    int32_t peer = 0;         // the other end
    ApiKey api = ApiKey::kFetch;
    int16_t version = 0;
    Bytes frame;
    uint64_t sync_id = 0;
  };
  struct Inflight {
    int32_t from = 0;
    uint64_t from_incarnation = 0;
    int32_t to = 0;
    uint64_t to_incarnation = 0;
    bool delivered = false;
    ApiKey api = ApiKey::kFetch;
    int16_t version = 0;
  };

  int64_t NextTime() {
    int64_t t = events_.empty() ? INT64_MAX : events_.begin()->first.first;
    for (auto& n : nodes_) t = std::min(t, n->raft->NextDeadlineMs());
    return std::max(t, now_ms_);
  }

  void Start(Node& n) {
    RaftConfig cfg = options_.base;
    cfg.node_id = n.id;
    cfg.voters = voter_ids_;
    n.raft = std::make_unique<RaftReplica>(cfg, *n.disk, prng_.Split(n.id * 1000003ULL + n.incarnation));
    Status s = n.raft->Open(now_ms_);
    if (!s.ok()) Violation("node " + std::to_string(n.id) + " failed to open: " + s.ToString());
    if (std::getenv("SAMSA_RAFT_TRACE") && s.ok()) {
      for (const std::string& note : n.raft->log().recovery_notes())
        std::printf("t=%lld node %d recovery: %s\n", (long long)now_ms_, n.id, note.c_str());
      std::printf("t=%lld node %d opened: leo %lld epoch %d\n", (long long)now_ms_, n.id,
                  (long long)n.raft->LogEndOffset(), n.raft->Epoch());
    }
    n.cursor = -1;
    n.delivered.clear();
    Pump();
  }

  void Schedule(int64_t at, Event ev) { events_.emplace(std::make_pair(at, next_seq_++), std::move(ev)); }

  bool LinkDown(int32_t from, int32_t to) {
    if (blocked_.count({from, to})) return true;
    if (node(from).isolated_until_ms > now_ms_ || node(to).isolated_until_ms > now_ms_) return true;
    return drop_permille_ > 0 && prng_.Chance(drop_permille_, 1000);
  }
  int64_t Delay() { return prng_.Range(options_.delay_min_ms, options_.delay_max_ms); }

  void ScheduleFailure(uint64_t token, const Inflight& f) {
    Event ev;
    ev.kind = Kind::kFailed;
    ev.token = token;
    ev.node = f.from;
    ev.incarnation = f.from_incarnation;
    ev.peer = f.to;
    Schedule(now_ms_ + prng_.Range(options_.request_timeout_ms / 4, options_.request_timeout_ms), std::move(ev));
  }

  void Pump() {
    for (auto& n : nodes_) {
      if (!n->raft) continue;
      for (RaftSend& send : n->raft->TakeSends()) {
        uint64_t token = next_token_++;
        Inflight f;
        f.from = n->id;
        f.from_incarnation = n->incarnation;
        f.to = send.to;
        f.api = ApiKeyOf(send.request);
        f.version = send.version;
        if (send.to < 1 || send.to > options_.nodes) {
          Violation("send to unknown node " + std::to_string(send.to));
          continue;
        }
        Event ev;
        ev.kind = Kind::kRequest;
        ev.token = token;
        ev.node = send.to;
        ev.peer = n->id;
        ev.api = f.api;
        ev.version = send.version;
        EncodeRequestBody(send.request, send.version, ev.frame);
        if (LinkDown(n->id, send.to)) {
          ScheduleFailure(token, f);
        } else {
          inflight_[token] = f;
          Schedule(now_ms_ + Delay(), std::move(ev));
        }
      }
      for (RaftReply& reply : n->raft->TakeReplies()) {
        auto it = inflight_.find(reply.token);
        if (it == inflight_.end()) {
          Violation("reply to unknown token " + std::to_string(reply.token));
          continue;
        }
        Inflight f = it->second;
        inflight_.erase(it);
        if (f.to != n->id || f.to_incarnation != n->incarnation) {
          Violation("reply from the wrong node for token " + std::to_string(reply.token));
          continue;
        }
        if (ApiKeyOf(reply.response) != f.api || reply.version != f.version) {
          Violation("reply api/version mismatch");
          continue;
        }
        if (LinkDown(n->id, f.from)) {
          ScheduleFailure(reply.token, f);
          continue;
        }
        Event ev;
        ev.kind = Kind::kResponse;
        ev.token = reply.token;
        ev.node = f.from;
        ev.incarnation = f.from_incarnation;
        ev.peer = n->id;
        ev.api = f.api;
        ev.version = f.version;
        EncodeResponseBody(reply.response, reply.version, ev.frame);
        Schedule(now_ms_ + Delay(), std::move(ev));
      }
      for (SyncId id : n->disk->PendingSyncs()) {
        if (!n->scheduled_syncs.insert(id.value()).second) continue;
        Event ev;
        ev.kind = Kind::kSync;
        ev.node = n->id;
        ev.incarnation = n->incarnation;
        ev.sync_id = id.value();
        Schedule(now_ms_ + prng_.Range(0, options_.sync_delay_max_ms), std::move(ev));
      }
    }
  }

  void Deliver(const Event& ev) {
    Node& n = node(ev.node);
    switch (ev.kind) {
      case Kind::kRequest: {
        auto it = inflight_.find(ev.token);
        if (it == inflight_.end()) return;
        if (node(ev.peer).incarnation != it->second.from_incarnation) {
          inflight_.erase(it);  // the sender died; its connection is gone
          return;
        }
        it->second.to_incarnation = n.incarnation;
        it->second.delivered = true;
        Result<RequestBody> body = DecodeRequestBody(ev.api, ev.version, ev.frame);
        if (!body.ok()) {
          Violation("request does not decode: " + body.status().ToString());
          return;
        }
        n.raft->OnRequest(ev.token, *body, ev.version, now_ms_);
        return;
      }
      case Kind::kResponse: {
        if (n.incarnation != ev.incarnation) return;
        Result<ResponseBody> body = DecodeResponseBody(ev.api, ev.version, ev.frame);
        if (!body.ok()) {
          Violation("response does not decode: " + body.status().ToString());
          return;
        }
        n.raft->OnResponse(ev.peer, *body, now_ms_);
        return;
      }
      case Kind::kFailed:
        if (n.incarnation != ev.incarnation) return;
        n.raft->OnSendFailed(ev.peer, now_ms_);
        return;
      case Kind::kSync:
        if (n.incarnation != ev.incarnation) return;
        n.disk->CompleteSync(SyncId(ev.sync_id));
        n.raft->OnSyncDone(SyncId(ev.sync_id), true, now_ms_);
        return;
    }
  }

  void CheckStep() {
    for (auto& n : nodes_) {
      RaftReplica& r = *n->raft;
      if (r.IsLeader()) {
        auto [it, inserted] = leader_of_epoch_.emplace(r.Epoch(), n->id);
        if (!inserted && it->second != n->id) {
          Violation("two leaders in epoch " + std::to_string(r.Epoch()) + ": " + std::to_string(it->second) +
                    " and " + std::to_string(n->id));
        }
      }
      if (!r.IsVoter() && (r.state() == RaftReplica::State::kCandidate || r.state() == RaftReplica::State::kLeader ||
                           r.state() == RaftReplica::State::kVoted)) {
        Violation("observer " + std::to_string(n->id) + " is " + std::to_string(int(r.state())));
      }
      if (r.HighWatermark() > r.LogEndOffset()) {
        Violation("node " + std::to_string(n->id) + " hw " + std::to_string(r.HighWatermark()) + " > leo " +
                  std::to_string(r.LogEndOffset()));
      }
      for (RaftRecord& rec : r.TakeCommitted()) CheckCommitted(*n, std::move(rec));
    }
  }

  void CheckCommitted(Node& n, RaftRecord rec) {
    std::string who = "node " + std::to_string(n.id) + " offset " + std::to_string(rec.offset);
    if (rec.offset <= n.cursor) return Violation(who + ": committed stream went backwards");
    // No globally committed record may be skipped between the previous delivery and this one.
    auto gap = committed_.upper_bound(n.cursor);
    if (gap != committed_.end() && gap->first < rec.offset) {
      return Violation(who + ": skipped committed offset " + std::to_string(gap->first));
    }
    auto it = committed_.find(rec.offset);
    if (it != committed_.end()) {
      if (!(it->second == rec)) {
        return Violation(who + ": committed record changed (epoch " + std::to_string(it->second.epoch) + " -> " +
                         std::to_string(rec.epoch) + ", value '" + std::string(AsString(it->second.value)) +
                         "' -> '" + std::string(AsString(rec.value)) + "')");
      }
    } else {
      if (!committed_.empty() && committed_.rbegin()->first > rec.offset) {
        return Violation(who + ": new committed record below the committed end");
      }
      std::string v(AsString(rec.value));
      if (!committed_values_.insert(v).second) return Violation(who + ": value '" + v + "' committed twice");
      committed_[rec.offset] = rec;
    }
    n.cursor = rec.offset;
    n.delivered.push_back(std::move(rec));
  }

  uint64_t seed_;
  ClusterOptions options_;
  Prng prng_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<int32_t> voter_ids_;
  int64_t now_ms_ = 0;
  uint64_t steps_ = 0;
  uint64_t same_time_ticks_ = 0;
  std::map<std::pair<int64_t, uint64_t>, Event> events_;
  uint64_t next_seq_ = 0;
  uint64_t next_token_ = 1;
  std::map<uint64_t, Inflight> inflight_;
  std::set<std::pair<int32_t, int32_t>> blocked_;
  uint64_t drop_permille_ = 0;
  std::map<int32_t, int32_t> leader_of_epoch_;
  std::map<int64_t, RaftRecord> committed_;
  std::set<std::string> committed_values_;
  std::vector<std::string> violations_;
};

}  // namespace samsa::raft_test
