#pragma once
// FakeBroker: a scripted, single-node Kafka stand-in for client tests. It decodes request frames
// with core/protocol/messages/dispatch.h and answers ApiVersions, Metadata, Produce, Fetch and
// ListOffsets from an in-memory log (it leads every partition), with knobs to inject faults.
// Its state lives in a FakeBrokerState shared with the test, so it outlives the node.

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/node.h"
#include "core/protocol/messages/dispatch.h"
#include "core/record/record_batch.h"

namespace samsa::client::testing {

struct StoredRecord {
  std::optional<std::string> key;
  std::string value;
};

struct FakeBrokerState {
  std::map<std::string, int32_t> topics;  // name -> partition count
  std::map<std::pair<std::string, int32_t>, std::vector<StoredRecord>> logs;
  // Fault knobs.
  int not_leader_produce_responses = 0;   // answer this many Produce partitions NOT_LEADER
  int16_t persistent_produce_error = 0;   // answer every Produce partition with this error
  int swallow_produce_responses = 0;      // append, but never answer this many Produce requests
  int swallow_metadata_requests = 0;      // never answer this many Metadata requests
  int64_t produce_delay_ns = 0;           // answer Produce this long after it arrived
  // Observations.
  int metadata_requests = 0;
  std::vector<int64_t> metadata_arrivals_ns;
  int produce_requests = 0;
  int fetch_requests = 0;
  int list_offsets_requests = 0;
  int max_produce_outstanding = 0;        // most Produce requests answered late at once
  std::vector<int64_t> produce_arrivals_ns;
  std::vector<int16_t> produce_versions;
  std::vector<int16_t> produce_acks;
  std::vector<size_t> records_per_batch;
};

class FakeBroker final : public Node {
 public:
  FakeBroker(NodeId id, std::shared_ptr<FakeBrokerState> state)
      : id_(id), state_(std::move(state)) {}
  NodeId id() const override { return id_; }

  void Step(const Input& in) override {
    now_ns_ = in.now_ns;
    if (const auto* f = std::get_if<FrameArrived>(&in.event)) Handle(f->conn, f->frame);
    Flush();
  }
  Ready TakeReady() override {
    Ready r = std::move(ready_);
    ready_ = Ready{};
    return r;
  }

 private:
  struct Delayed {
    int64_t due_ns;
    ConnId conn;
    Bytes frame;
  };
  struct ParkedFetch {
    ConnId conn;
    int32_t correlation_id;
    int16_t version;
    FetchRequest request;
    int64_t deadline_ns;
  };

  void Reply(ConnId conn, const RequestHeader& h, const ResponseBody& body, int64_t delay_ns = 0) {
    Bytes out;
    ResponseHeader rh;
    rh.correlation_id = h.correlation_id;
    AppendResponse(h.api_key, h.api_version, rh, body, out);
    if (delay_ns == 0) {
      ready_.frames.push_back({conn, std::move(out)});
    } else {
      delayed_.push_back({now_ns_ + delay_ns, conn, std::move(out)});
    }
  }

  void Handle(ConnId conn, const Bytes& frame) {
    Result<Request> req = DecodeRequest(frame);
    if (!req.ok()) {
      ready_.closes.push_back(conn);
      return;
    }
    const RequestHeader& h = req->header;
    if (std::get_if<ApiVersionsRequest>(&req->body)) {
      ApiVersionsResponse r;
      r.api_keys = SupportedApiVersions();
      Reply(conn, h, r);
    } else if (const auto* m = std::get_if<MetadataRequest>(&req->body)) {
      ++state_->metadata_requests;
      state_->metadata_arrivals_ns.push_back(now_ns_);
      if (state_->swallow_metadata_requests > 0) {
        --state_->swallow_metadata_requests;
        return;
      }
      MetadataResponse r;
      r.brokers.push_back({id_.value(), "fake", 9092, std::nullopt});
      r.controller_id = id_.value();
      std::vector<std::string> names;
      if (m->topics) {
        for (const auto& t : *m->topics)
          if (t.name) names.push_back(*t.name);
      } else {
        for (const auto& [n, c] : state_->topics) names.push_back(n);
      }
      for (const std::string& n : names) {
        MetadataResponse::Topic t;
        t.name = n;
        auto it = state_->topics.find(n);
        if (it == state_->topics.end()) {
          t.error_code = int16_t(ErrorCode::kUnknownTopicOrPartition);
        } else {
          for (int32_t p = 0; p < it->second; ++p) {
            MetadataResponse::Partition mp;
            mp.partition_index = p;
            mp.leader_id = id_.value();
            mp.leader_epoch = 0;
            mp.replica_nodes = {id_.value()};
            mp.isr_nodes = {id_.value()};
            t.partitions.push_back(mp);
          }
        }
        r.topics.push_back(std::move(t));
      }
      Reply(conn, h, r);
    } else if (const auto* p = std::get_if<ProduceRequest>(&req->body)) {
      HandleProduce(conn, h, *p);
    } else if (const auto* f = std::get_if<FetchRequest>(&req->body)) {
      ++state_->fetch_requests;
      ParkedFetch pf{conn, h.correlation_id, h.api_version, *f, now_ns_ + f->max_wait_ms * 1'000'000LL};
      parked_.push_back(std::move(pf));
    } else if (const auto* l = std::get_if<ListOffsetsRequest>(&req->body)) {
      ++state_->list_offsets_requests;
      ListOffsetsResponse r;
      for (const auto& t : l->topics) {
        ListOffsetsResponse::Topic rt;
        rt.name = t.name;
        for (const auto& lp : t.partitions) {
          ListOffsetsResponse::Partition rp;
          rp.partition_index = lp.partition_index;
          rp.offset = lp.timestamp == kListOffsetsEarliestTimestamp
                          ? 0
                          : int64_t(state_->logs[{t.name, lp.partition_index}].size());
          rt.partitions.push_back(rp);
        }
        r.topics.push_back(std::move(rt));
      }
      Reply(conn, h, r);
    }
  }

  void HandleProduce(ConnId conn, const RequestHeader& h, const ProduceRequest& p) {
    ++state_->produce_requests;
    state_->produce_arrivals_ns.push_back(now_ns_);
    state_->produce_versions.push_back(h.api_version);
    state_->produce_acks.push_back(p.acks);
    ProduceResponse r;
    for (const auto& t : p.topic_data) {
      ProduceResponse::Topic rt;
      rt.name = t.name;
      for (const auto& pd : t.partition_data) {
        ProduceResponse::Partition rp;
        rp.index = pd.index;
        if (state_->not_leader_produce_responses > 0) {
          --state_->not_leader_produce_responses;
          rp.error_code = int16_t(ErrorCode::kNotLeaderOrFollower);
        } else if (state_->persistent_produce_error != 0) {
          rp.error_code = state_->persistent_produce_error;
        } else {
          auto& log = state_->logs[{t.name, pd.index}];
          rp.base_offset = int64_t(log.size());
          auto batches = SplitBatches(pd.records.value_or(ByteView()));
          EXPECT_TRUE(batches.ok());
          for (ByteView b : batches.value_or({})) {
            auto recs = DecodeRecords(b, kDefaultMaxDecompressedBytes);
            EXPECT_TRUE(recs.ok()) << recs.status().ToString();
            if (!recs.ok()) continue;
            state_->records_per_batch.push_back(recs->size());
            for (const Record& rec : *recs) {
              StoredRecord s;
              if (rec.key) s.key = std::string(AsString(*rec.key));
              s.value = std::string(AsString(rec.value.value_or(Bytes())));
              log.push_back(std::move(s));
            }
          }
        }
        rt.partition_responses.push_back(rp);
      }
      r.responses.push_back(std::move(rt));
    }
    if (p.acks == 0) return;
    if (state_->swallow_produce_responses > 0) {
      --state_->swallow_produce_responses;
      return;
    }
    Reply(conn, h, r, state_->produce_delay_ns);
  }

  // Answers parked fetches that have data or whose wait ran out; sends due delayed frames.
  void Flush() {
    std::vector<Delayed> keep;
    for (Delayed& d : delayed_) {
      if (d.due_ns <= now_ns_) {
        ready_.frames.push_back({d.conn, std::move(d.frame)});
      } else {
        keep.push_back(std::move(d));
      }
    }
    delayed_ = std::move(keep);
    state_->max_produce_outstanding =
        std::max(state_->max_produce_outstanding, int(delayed_.size()));
    std::vector<ParkedFetch> still;
    for (ParkedFetch& pf : parked_) {
      if (!AnswerFetch(pf, pf.deadline_ns <= now_ns_)) still.push_back(std::move(pf));
    }
    parked_ = std::move(still);
    std::optional<int64_t> wake;
    for (const Delayed& d : delayed_) wake = wake ? std::min(*wake, d.due_ns) : d.due_ns;
    for (const ParkedFetch& pf : parked_)
      wake = wake ? std::min(*wake, pf.deadline_ns) : pf.deadline_ns;
    if (wake) ready_.wake_at_ns = *wake;
  }

  bool AnswerFetch(const ParkedFetch& pf, bool force) {
    FetchResponse r;
    std::deque<Bytes> blobs;
    bool any = false;
    for (const auto& t : pf.request.topics) {
      FetchResponse::Topic rt;
      rt.topic = t.topic;
      for (const auto& fp : t.partitions) {
        FetchResponse::Partition rp;
        rp.partition_index = fp.partition;
        const auto& log = state_->logs[{t.topic, fp.partition}];
        rp.high_watermark = int64_t(log.size());
        rp.log_start_offset = 0;
        rp.last_stable_offset = int64_t(log.size());
        if (fp.fetch_offset > int64_t(log.size()) || fp.fetch_offset < 0) {
          rp.error_code = int16_t(ErrorCode::kOffsetOutOfRange);
          any = true;
        } else if (fp.fetch_offset < int64_t(log.size())) {
          RecordBatchBuilder b;
          b.set_base_offset(fp.fetch_offset);
          for (size_t i = size_t(fp.fetch_offset); i < log.size(); ++i) {
            std::optional<ByteView> key;
            if (log[i].key) key = AsBytes(*log[i].key);
            b.Add(0, key, AsBytes(log[i].value));
          }
          auto built = b.Build();
          EXPECT_TRUE(built.ok());
          blobs.push_back(std::move(built).value());
          rp.records = ByteView(blobs.back());
          any = true;
        }
        rt.partitions.push_back(rp);
      }
      r.responses.push_back(std::move(rt));
    }
    if (!any && !force) return false;
    RequestHeader h;
    h.api_key = ApiKey::kFetch;
    h.api_version = pf.version;
    h.correlation_id = pf.correlation_id;
    Reply(pf.conn, h, r);
    return true;
  }

  NodeId id_;
  std::shared_ptr<FakeBrokerState> state_;
  int64_t now_ns_ = 0;
  Ready ready_;
  std::vector<Delayed> delayed_;
  std::vector<ParkedFetch> parked_;
};

}  // namespace samsa::client::testing
