#include "sim/history_checker.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <tuple>

namespace samsa::sim {
namespace {

using client::EventOp;
using client::EventType;
using client::HistoryEvent;
using Tp = std::pair<std::string, int32_t>;

struct SendOp {
  int32_t process = -1;
  uint64_t invoke_index = 0;
  uint64_t complete_index = std::numeric_limits<uint64_t>::max();
  EventType outcome = EventType::kInvoke;  // kInvoke while pending
  Tp tp;
  std::string value;
  int64_t offset = -1;
};

std::string Pos(const Tp& tp, int64_t offset) {
  return tp.first + "-" + std::to_string(tp.second) + "@" + std::to_string(offset);
}

}  // namespace

std::map<std::string, uint64_t> CheckReport::CountsByKind() const {
  std::map<std::string, uint64_t> out;
  for (const Violation& v : violations) ++out[v.kind];
  return out;
}

std::string CheckReport::Summary(size_t max_lines) const {
  std::string s = "sends invoked=" + std::to_string(sends_invoked) +
                  " ok=" + std::to_string(sends_acked) + " fail=" + std::to_string(sends_failed) +
                  " info=" + std::to_string(sends_indeterminate) +
                  " polls=" + std::to_string(polls) + " unseen=" + std::to_string(unseen) +
                  " violations=" + std::to_string(violations.size());
  for (const auto& [kind, n] : CountsByKind()) s += " " + kind + "=" + std::to_string(n);
  s += "\n";
  for (size_t i = 0; i < violations.size() && i < max_lines; ++i) {
    const Violation& v = violations[i];
    s += v.kind + " " + v.topic + "-" + std::to_string(v.partition) + "@" +
         std::to_string(v.offset) + ": " + v.detail + "\n";
  }
  return s;
}

CheckReport CheckHistory(const client::History& history, const CheckerOptions& options) {
  CheckReport report;
  std::map<uint64_t, SendOp> sends;                    // by op id
  std::map<std::string, uint64_t> op_of_value;         // first send of each value
  std::map<Tp, std::map<int64_t, std::set<std::string>>> at_offset;  // acks and reads
  std::map<std::string, std::set<std::pair<Tp, int64_t>>> positions;  // value -> where seen
  std::set<std::string> read_values;
  std::map<Tp, int64_t> max_read;
  std::vector<const HistoryEvent*> polls;

  for (const HistoryEvent& e : history.events()) {
    if (e.op == EventOp::kSend) {
      if (e.type == EventType::kInvoke) {
        ++report.sends_invoked;
        SendOp& s = sends[e.op_id];
        s.process = e.process;
        s.invoke_index = e.index;
        s.value = e.value;
        op_of_value.emplace(e.value, e.op_id);
        continue;
      }
      SendOp& s = sends[e.op_id];
      s.complete_index = e.index;
      s.outcome = e.type;
      s.tp = Tp(e.topic, e.partition);
      if (s.value.empty()) s.value = e.value;
      if (e.type == EventType::kOk) {
        ++report.sends_acked;
        s.offset = e.offset;
        if (e.offset >= 0) {
          at_offset[s.tp][e.offset].insert(e.value);
          positions[e.value].insert({s.tp, e.offset});
        }
      } else if (e.type == EventType::kFail) {
        ++report.sends_failed;
      } else {
        ++report.sends_indeterminate;
      }
    } else if (e.type == EventType::kOk) {
      ++report.polls;
      Tp tp(e.topic, e.partition);
      at_offset[tp][e.offset].insert(e.value);
      positions[e.value].insert({tp, e.offset});
      read_values.insert(e.value);
      auto [it, fresh] = max_read.emplace(tp, e.offset);
      if (!fresh) it->second = std::max(it->second, e.offset);
      polls.push_back(&e);
    }
  }

  std::vector<Violation>& out = report.violations;

  // inconsistent-offsets
  for (const auto& [tp, offsets] : at_offset) {
    for (const auto& [offset, values] : offsets) {
      if (values.size() < 2) continue;
      std::string detail = "values";
      for (const std::string& v : values) detail += " " + v;
      out.push_back({"inconsistent-offsets", tp.first, tp.second, offset, detail});
    }
  }

  // duplicate
  for (const auto& [value, where] : positions) {
    if (where.size() < 2) continue;
    std::string detail = "value " + value + " at";
    for (const auto& [tp, offset] : where) detail += " " + Pos(tp, offset);
    const auto& first = *where.begin();
    out.push_back({"duplicate", first.first.first, first.first.second, first.second, detail});
  }

  // lost-write and unseen
  for (const auto& [op, s] : sends) {
    if (s.outcome != EventType::kOk || s.offset < 0 || read_values.count(s.value)) continue;
    auto mr = max_read.find(s.tp);
    if (mr != max_read.end() && s.offset <= mr->second) {
      out.push_back({"lost-write", s.tp.first, s.tp.second, s.offset,
                     "value " + s.value + " acknowledged at offset " + std::to_string(s.offset) +
                         " but never read; reads reached offset " + std::to_string(mr->second)});
    } else {
      ++report.unseen;
      ++report.unseen_by_partition[s.tp];
    }
  }

  // nonmonotonic-send: per (producer, partition), compare each acked send with the highest
  // offset acknowledged to that producer before the send was invoked.
  {
    std::map<std::pair<int32_t, Tp>, std::vector<const SendOp*>> by_producer;
    for (const auto& [op, s] : sends)
      if (s.outcome == EventType::kOk && s.offset >= 0) by_producer[{s.process, s.tp}].push_back(&s);
    for (auto& [key, ops] : by_producer) {
      std::vector<const SendOp*> by_completion = ops;
      std::sort(by_completion.begin(), by_completion.end(),
                [](const SendOp* a, const SendOp* b) { return a->complete_index < b->complete_index; });
      std::vector<const SendOp*> by_invoke = ops;
      std::sort(by_invoke.begin(), by_invoke.end(),
                [](const SendOp* a, const SendOp* b) { return a->invoke_index < b->invoke_index; });
      size_t j = 0;
      const SendOp* highest = nullptr;
      for (const SendOp* b : by_invoke) {
        while (j < by_completion.size() && by_completion[j]->complete_index < b->invoke_index) {
          if (!highest || by_completion[j]->offset > highest->offset) highest = by_completion[j];
          ++j;
        }
        if (highest && b->offset < highest->offset) {
          out.push_back({"nonmonotonic-send", b->tp.first, b->tp.second, b->offset,
                         "producer " + std::to_string(b->process) + " sent " + b->value +
                             " after " + highest->value + " was acknowledged at offset " +
                             std::to_string(highest->offset) + ", but it landed at offset " +
                             std::to_string(b->offset)});
        }
      }
    }
  }

  // nonmonotonic-poll, poll-skip, phantom-read, read-beyond-hw
  std::map<std::tuple<int32_t, uint64_t, Tp>, int64_t> last_read;
  for (const HistoryEvent* e : polls) {
    Tp tp(e->topic, e->partition);
    auto sent = op_of_value.find(e->value);
    if (sent == op_of_value.end()) {
      out.push_back({"phantom-read", tp.first, tp.second, e->offset,
                     "consumer " + std::to_string(e->process) + " read value " + e->value +
                         " that no producer sent"});
    } else if (sends[sent->second].outcome == EventType::kFail) {
      out.push_back({"phantom-read", tp.first, tp.second, e->offset,
                     "consumer " + std::to_string(e->process) + " read value " + e->value +
                         " of a failed send"});
    }
    auto hw = options.max_high_watermark.find(tp);
    if (hw != options.max_high_watermark.end() && e->offset >= hw->second) {
      out.push_back({"read-beyond-hw", tp.first, tp.second, e->offset,
                     "consumer " + std::to_string(e->process) + " read " + e->value +
                         " at or above the highest high watermark " +
                         std::to_string(hw->second)});
    }
    auto key = std::make_tuple(e->process, e->session, tp);
    auto it = last_read.find(key);
    if (it != last_read.end()) {
      int64_t prev = it->second;
      std::string who = "consumer " + std::to_string(e->process) + " session " +
                        std::to_string(e->session);
      if (e->offset <= prev) {
        out.push_back({"nonmonotonic-poll", tp.first, tp.second, e->offset,
                       who + " read offset " + std::to_string(e->offset) + " after offset " +
                           std::to_string(prev)});
      } else if (e->offset > prev + 1) {
        const auto& offsets = at_offset[tp];
        auto skipped = offsets.upper_bound(prev);
        if (skipped != offsets.end() && skipped->first < e->offset) {
          out.push_back({"poll-skip", tp.first, tp.second, skipped->first,
                         who + " jumped from offset " + std::to_string(prev) + " to " +
                             std::to_string(e->offset) + " over " + *skipped->second.begin() +
                             " at offset " + std::to_string(skipped->first)});
        }
      }
    }
    last_read[key] = e->offset;
  }

  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return report;
}

}  // namespace samsa::sim
