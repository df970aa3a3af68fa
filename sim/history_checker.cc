#include "sim/history_checker.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace samsa::sim {
namespace {

using client::EventOp;
using client::EventType;
using client::HistoryEvent;
using Tp = std::pair<std::string, int32_t>;


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
  // Strings are interned to dense ids in order of first appearance; only lookups go through
  // the hash map (never iteration), and every output is sorted at the end.
  CheckReport report;
  const auto& events = history.events();

  // Partitions: id -> (topic, partition).
  std::vector<Tp> tps;
  std::map<Tp, uint32_t> tp_ids;
  uint32_t last_tp = std::numeric_limits<uint32_t>::max();  // consecutive events often share one
  auto tp_id = [&](const std::string& topic, int32_t partition) -> uint32_t {
    if (last_tp < tps.size() && tps[last_tp].second == partition && tps[last_tp].first == topic)
      return last_tp;
    Tp key(topic, partition);
    auto it = tp_ids.find(key);
    if (it == tp_ids.end()) {
      it = tp_ids.emplace(std::move(key), uint32_t(tps.size())).first;
      tps.push_back(it->first);
    }
    return last_tp = it->second;
  };
  // Values: id -> text (views into the history, which outlives this call).
  std::vector<std::string_view> values;
  std::unordered_map<std::string_view, uint32_t> value_ids;
  value_ids.reserve(events.size());
  auto value_id = [&](const std::string& v) -> uint32_t {
    auto it = value_ids.find(std::string_view(v));
    if (it != value_ids.end()) return it->second;
    values.push_back(v);
    value_ids.emplace(values.back(), uint32_t(values.size() - 1));
    return uint32_t(values.size() - 1);
  };
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  struct Send {
    uint64_t op_id = 0;
    int32_t process = -1;
    uint64_t invoke_index = 0;
    uint64_t complete_index = std::numeric_limits<uint64_t>::max();
    EventType outcome = EventType::kInvoke;  // kInvoke while pending
    uint32_t tp = kNone;
    uint32_t value = kNone;
    bool value_empty = true;
    int64_t offset = -1;
  };
  std::vector<Send> sends;
  std::unordered_map<uint64_t, uint32_t> send_of_op;  // op id -> index in sends
  send_of_op.reserve(events.size() / 2 + 1);
  auto send_for = [&](uint64_t op) -> Send& {
    auto it = send_of_op.find(op);
    if (it != send_of_op.end()) return sends[it->second];
    send_of_op.emplace(op, uint32_t(sends.size()));
    sends.emplace_back();
    sends.back().op_id = op;
    return sends.back();
  };
  std::vector<uint32_t> first_send_of_value;  // by value id: index in sends, or kNone
  struct Seen {  // one ack or read: value at tp/offset
    uint32_t value;
    uint32_t tp;
    int64_t offset;
  };
  std::vector<Seen> seen;
  std::vector<bool> read_value;  // by value id
  std::vector<std::optional<int64_t>> max_read;  // by tp id
  struct Poll {
    const HistoryEvent* e;
    uint32_t tp;
    uint32_t value;
  };
  std::vector<Poll> polls;
  auto grow = [&]() {
    if (first_send_of_value.size() < values.size()) {
      first_send_of_value.resize(values.size(), kNone);
      read_value.resize(values.size(), false);
    }
    if (max_read.size() < tps.size()) max_read.resize(tps.size());
  };

  for (const HistoryEvent& e : events) {
    if (e.op == EventOp::kSend) {
      if (e.type == EventType::kInvoke) {
        ++report.sends_invoked;
        uint32_t v = value_id(e.value);
        grow();
        Send& s = send_for(e.op_id);
        s.process = e.process;
        s.invoke_index = e.index;
        s.value = v;
        s.value_empty = e.value.empty();
        if (first_send_of_value[v] == kNone) first_send_of_value[v] = send_of_op.at(e.op_id);
        continue;
      }
      Send& s = send_for(e.op_id);
      s.complete_index = e.index;
      s.outcome = e.type;
      s.tp = tp_id(e.topic, e.partition);
      // A completion usually repeats its invoke's value: skip the lookup then.
      uint32_t v = s.value != kNone && values[s.value] == e.value ? s.value : value_id(e.value);
      grow();
      if (s.value_empty) {
        s.value = v;
        s.value_empty = e.value.empty();
      }
      if (e.type == EventType::kOk) {
        ++report.sends_acked;
        s.offset = e.offset;
        if (e.offset >= 0) seen.push_back({v, s.tp, e.offset});
      } else if (e.type == EventType::kFail) {
        ++report.sends_failed;
      } else {
        ++report.sends_indeterminate;
      }
    } else if (e.type == EventType::kOk) {
      ++report.polls;
      uint32_t tp = tp_id(e.topic, e.partition);
      uint32_t v = value_id(e.value);
      grow();
      seen.push_back({v, tp, e.offset});
      read_value[v] = true;
      if (!max_read[tp] || e.offset > *max_read[tp]) max_read[tp] = e.offset;
      polls.push_back({&e, tp, v});
    }
  }
  grow();

  // Partitions ranked by (topic, partition), so that sorting by rank sorts as the names do.
  std::vector<uint32_t> tp_rank(tps.size());
  {
    uint32_t r = 0;
    for (const auto& [tp, id] : tp_ids) tp_rank[id] = r++;
  }
  auto value_less = [&](uint32_t a, uint32_t b) { return values[a] < values[b]; };

  std::vector<Violation>& out = report.violations;

  // inconsistent-offsets: distinct values at one (partition, offset).
  std::vector<Seen> by_offset = seen;
  std::sort(by_offset.begin(), by_offset.end(), [&](const Seen& a, const Seen& b) {
    return std::tie(tp_rank[a.tp], a.offset, a.value) < std::tie(tp_rank[b.tp], b.offset, b.value);
  });
  by_offset.erase(std::unique(by_offset.begin(), by_offset.end(),
                              [](const Seen& a, const Seen& b) {
                                return a.tp == b.tp && a.offset == b.offset && a.value == b.value;
                              }),
                  by_offset.end());
  // Per partition, the range of by_offset holding it.
  std::vector<std::pair<size_t, size_t>> tp_range(tps.size(), {0, 0});
  for (size_t i = 0; i < by_offset.size();) {
    size_t j = i;
    while (j < by_offset.size() && by_offset[j].tp == by_offset[i].tp) ++j;
    tp_range[by_offset[i].tp] = {i, j};
    for (size_t k = i; k < j;) {
      size_t m = k;
      while (m < j && by_offset[m].offset == by_offset[k].offset) ++m;
      if (m - k >= 2) {
        std::vector<uint32_t> vs;
        for (size_t x = k; x < m; ++x) vs.push_back(by_offset[x].value);
        std::sort(vs.begin(), vs.end(), value_less);
        std::string detail = "values";
        for (uint32_t v : vs) {
          detail += " ";
          detail += values[v];
        }
        const Tp& tp = tps[by_offset[k].tp];
        out.push_back({"inconsistent-offsets", tp.first, tp.second, by_offset[k].offset, detail});
      }
      k = m;
    }
    i = j;
  }

  // duplicate: one value at two or more positions.
  {
    std::vector<Seen> by_value = std::move(seen);
    std::sort(by_value.begin(), by_value.end(), [&](const Seen& a, const Seen& b) {
      return std::tie(a.value, tp_rank[a.tp], a.offset) < std::tie(b.value, tp_rank[b.tp], b.offset);
    });
    by_value.erase(std::unique(by_value.begin(), by_value.end(),
                               [](const Seen& a, const Seen& b) {
                                 return a.value == b.value && a.tp == b.tp && a.offset == b.offset;
                               }),
                   by_value.end());
    for (size_t i = 0; i < by_value.size();) {
      size_t j = i;
      while (j < by_value.size() && by_value[j].value == by_value[i].value) ++j;
      if (j - i >= 2) {
        std::string detail = "value ";
        detail += values[by_value[i].value];
        detail += " at";
        for (size_t k = i; k < j; ++k) detail += " " + Pos(tps[by_value[k].tp], by_value[k].offset);
        const Tp& tp = tps[by_value[i].tp];
        out.push_back({"duplicate", tp.first, tp.second, by_value[i].offset, detail});
      }
      i = j;
    }
  }

  // Sends in op id order (as a map by op id would hold them).
  std::vector<uint32_t> by_op(sends.size());
  for (uint32_t i = 0; i < by_op.size(); ++i) by_op[i] = i;
  std::sort(by_op.begin(), by_op.end(),
            [&](uint32_t a, uint32_t b) { return sends[a].op_id < sends[b].op_id; });

  // lost-write and unseen
  std::vector<uint64_t> unseen_by_tp(tps.size(), 0);
  for (uint32_t i : by_op) {
    const Send& s = sends[i];
    if (s.outcome != EventType::kOk || s.offset < 0 || read_value[s.value]) continue;
    const std::optional<int64_t>& mr = max_read[s.tp];
    if (mr && s.offset <= *mr) {
      const Tp& tp = tps[s.tp];
      out.push_back({"lost-write", tp.first, tp.second, s.offset,
                     "value " + std::string(values[s.value]) + " acknowledged at offset " +
                         std::to_string(s.offset) + " but never read; reads reached offset " +
                         std::to_string(*mr)});
    } else {
      ++report.unseen;
      ++unseen_by_tp[s.tp];
    }
  }
  for (size_t t = 0; t < tps.size(); ++t)
    if (unseen_by_tp[t] > 0) report.unseen_by_partition[tps[t]] = unseen_by_tp[t];

  // nonmonotonic-send: per (producer, partition), compare each acked send with the highest
  // offset acknowledged to that producer before the send was invoked.
  {
    std::vector<const Send*> acked;
    for (uint32_t i : by_op)
      if (sends[i].outcome == EventType::kOk && sends[i].offset >= 0) acked.push_back(&sends[i]);
    // Group by (producer, partition), keeping op id order within a group.
    std::stable_sort(acked.begin(), acked.end(), [&](const Send* a, const Send* b) {
      return std::tie(a->process, tp_rank[a->tp]) < std::tie(b->process, tp_rank[b->tp]);
    });
    std::vector<const Send*> by_completion, by_invoke;
    for (size_t g = 0; g < acked.size();) {
      size_t h = g;
      while (h < acked.size() && acked[h]->process == acked[g]->process &&
             acked[h]->tp == acked[g]->tp)
        ++h;
      by_completion.assign(acked.begin() + ptrdiff_t(g), acked.begin() + ptrdiff_t(h));
      std::sort(by_completion.begin(), by_completion.end(), [](const Send* a, const Send* b) {
        return a->complete_index < b->complete_index;
      });
      by_invoke.assign(acked.begin() + ptrdiff_t(g), acked.begin() + ptrdiff_t(h));
      std::sort(by_invoke.begin(), by_invoke.end(),
                [](const Send* a, const Send* b) { return a->invoke_index < b->invoke_index; });
      size_t j = 0;
      const Send* highest = nullptr;
      for (const Send* b : by_invoke) {
        while (j < by_completion.size() && by_completion[j]->complete_index < b->invoke_index) {
          if (!highest || by_completion[j]->offset > highest->offset) highest = by_completion[j];
          ++j;
        }
        if (highest && b->offset < highest->offset) {
          const Tp& tp = tps[b->tp];
          out.push_back({"nonmonotonic-send", tp.first, tp.second, b->offset,
                         "producer " + std::to_string(b->process) + " sent " +
                             std::string(values[b->value]) + " after " +
                             std::string(values[highest->value]) +
                             " was acknowledged at offset " + std::to_string(highest->offset) +
                             ", but it landed at offset " + std::to_string(b->offset)});
        }
      }
      g = h;
    }
  }

  // nonmonotonic-poll, poll-skip, phantom-read, read-beyond-hw
  std::vector<std::optional<int64_t>> hw_of(tps.size());
  for (size_t t = 0; t < tps.size(); ++t) {
    auto hw = options.max_high_watermark.find(tps[t]);
    if (hw != options.max_high_watermark.end()) hw_of[t] = hw->second;
  }
  std::map<std::tuple<int32_t, uint64_t, uint32_t>, int64_t> last_read;
  for (const Poll& p : polls) {
    const HistoryEvent* e = p.e;
    const Tp& tp = tps[p.tp];
    uint32_t sent = first_send_of_value[p.value];
    if (sent == kNone) {
      out.push_back({"phantom-read", tp.first, tp.second, e->offset,
                     "consumer " + std::to_string(e->process) + " read value " + e->value +
                         " that no producer sent"});
    } else if (sends[sent].outcome == EventType::kFail) {
      out.push_back({"phantom-read", tp.first, tp.second, e->offset,
                     "consumer " + std::to_string(e->process) + " read value " + e->value +
                         " of a failed send"});
    }
    if (hw_of[p.tp] && e->offset >= *hw_of[p.tp]) {
      out.push_back({"read-beyond-hw", tp.first, tp.second, e->offset,
                     "consumer " + std::to_string(e->process) + " read " + e->value +
                         " at or above the highest high watermark " +
                         std::to_string(*hw_of[p.tp])});
    }
    auto [it, fresh] = last_read.try_emplace(std::make_tuple(e->process, e->session, p.tp), e->offset);
    if (!fresh) {
      int64_t prev = it->second;
      std::string who = "consumer " + std::to_string(e->process) + " session " +
                        std::to_string(e->session);
      if (e->offset <= prev) {
        out.push_back({"nonmonotonic-poll", tp.first, tp.second, e->offset,
                       who + " read offset " + std::to_string(e->offset) + " after offset " +
                           std::to_string(prev)});
      } else if (e->offset > prev + 1) {
        // The first known offset above prev; by_offset holds each partition sorted by offset,
        // then by value id: take the lowest value (by text) at that offset.
        auto [lo, hi] = tp_range[p.tp];
        auto first = by_offset.begin() + ptrdiff_t(lo);
        auto last = by_offset.begin() + ptrdiff_t(hi);
        auto skipped = std::upper_bound(first, last, prev,
                                        [](int64_t o, const Seen& s) { return o < s.offset; });
        if (skipped != last && skipped->offset < e->offset) {
          uint32_t lowest = skipped->value;
          for (auto k = skipped; k != last && k->offset == skipped->offset; ++k)
            if (value_less(k->value, lowest)) lowest = k->value;
          out.push_back({"poll-skip", tp.first, tp.second, skipped->offset,
                         who + " jumped from offset " + std::to_string(prev) + " to " +
                             std::to_string(e->offset) + " over " + std::string(values[lowest]) +
                             " at offset " + std::to_string(skipped->offset)});
        }
      }
      it->second = e->offset;
    }
  }

  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return report;
}

}  // namespace samsa::sim
