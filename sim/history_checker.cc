#include "sim/history_checker.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "core/base/chunked_vector.h"

namespace samsa::sim {
namespace {

// A checked history has millions of events, and the checker's time goes to memory more than to
// computing: a history fills about a hundred megabytes, a send's completion comes long after its
// invoke (often tens of thousands of events later, under faults), a value lookup lands
// anywhere in its table, and each new page of the arrays built here costs a page fault. Hence
// the shapes below: compact records, arrays that are never copied as they grow, integer ids
// instead of strings, linear passes instead of sorts, and a scan that prefetches ahead.

using client::EventOp;
using client::EventType;
using client::History;
using Tp = std::pair<std::string, int32_t>;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

std::string Pos(const Tp& tp, int64_t offset) {
  return tp.first + "-" + std::to_string(tp.second) + "@" + std::to_string(offset);
}

// Interns strings to dense ids 0, 1, 2, ... in order of first appearance, keeping a copy of
// each, back to back in one buffer.
//
// A flat open-addressing table (linear probing, power-of-two size, at most half full) of
// (32-bit hash, id) slots: a lookup touches one or two adjacent slots and compares text only
// when the 32-bit hashes are equal. The copies are for locality: the values interned recently
// share cache lines, where the History's own strings are each in a separate event.
class StringInterner {
 public:
  // The text of an id; valid until the next Intern.
  std::string_view operator[](uint32_t id) const {
    return std::string_view(text_).substr(starts_[id], starts_[id + 1] - starts_[id]);
  }
  size_t size() const { return starts_.size() - 1; }

  // Makes room for n strings without growing the table.
  void Reserve(size_t n) {
    starts_.reserve(n + 1);
    size_t capacity = slots_.size();
    while (capacity < 2 * n) capacity *= 2;
    if (capacity > slots_.size()) Rehash(capacity);
  }

  // The hash Intern takes: computed ahead, it lets the caller prefetch the slot to probe.
  static uint32_t Hash(std::string_view s) {
    const uint64_t h = std::hash<std::string_view>{}(s);
    return uint32_t(h ^ (h >> 32));
  }
  void PrefetchSlot(uint32_t hash) const {
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  void PrefetchText(uint32_t id) const { __builtin_prefetch(text_.data() + starts_[id]); }

  // The id of `s`, whose Hash is `hash`: a new one (== size() before the call) if `s` was not
  // seen before.
  uint32_t Intern(std::string_view s, uint32_t hash) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id == kNone) {
        const auto id = uint32_t(size());
        slot = {hash, id};
        text_.append(s);
        starts_.push_back(text_.size());
        if (2 * size() > slots_.size()) Rehash(2 * slots_.size());
        return id;
      }
      if (slot.hash == hash && (*this)[slot.id] == s) return slot.id;
    }
  }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t id = kNone;  // kNone: empty
  };

  // Moves the slots to a table of `capacity` (a power of two); the stored hashes place them
  // without touching the strings.
  void Rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id == kNone) continue;
      size_t i = slot.hash & mask;
      while (slots_[i].id != kNone) i = (i + 1) & mask;
      slots_[i] = slot;
    }
  }

  std::vector<Slot> slots_ = std::vector<Slot>(1024);
  std::string text_;                       // the strings, back to back
  std::vector<size_t> starts_{size_t{0}};  // string id is text_[starts_[id], starts_[id + 1])
};

// One ack or read: value id at partition id / offset.
struct Seen {
  uint32_t value;
  uint32_t tp;
  int64_t offset;
  friend bool operator==(const Seen&, const Seen&) = default;
};

// The distinct entries that for_each_seen(f) passes to f, sorted by (tp_rank[tp], offset, value);
// `count` is how many it passes.
//
// A partition's offsets are normally dense (0, 1, 2, ...) and each is seen about twice (its ack
// and its read) with one value, so one slot per (partition, offset), holding the first value
// seen there, does the bulk in linear time; only the other values at an offset (an inconsistent
// one) need sorting. A history whose offsets are too sparse for that is sorted instead.
template <typename ForEachSeen>
std::vector<Seen> SortedDistinct(const ForEachSeen& for_each_seen, size_t count,
                                 const std::vector<uint32_t>& tp_rank) {
  const size_t n_tps = tp_rank.size();
  std::vector<int64_t> lo(n_tps, std::numeric_limits<int64_t>::max());
  std::vector<int64_t> hi(n_tps, std::numeric_limits<int64_t>::min());
  for_each_seen([&](const Seen& s) {
    lo[s.tp] = std::min(lo[s.tp], s.offset);
    hi[s.tp] = std::max(hi[s.tp], s.offset);
  });
  // Partitions in rank order; (tp, offset) has slot base[tp] + offset - lo[tp].
  std::vector<uint32_t> by_rank(n_tps);
  for (uint32_t t = 0; t < n_tps; ++t) by_rank[tp_rank[t]] = t;
  std::vector<uint64_t> base(n_tps, 0);
  const uint64_t max_slots = 2 * uint64_t(count) + 1024;
  uint64_t n_slots = 0;
  bool dense = true;
  for (uint32_t t : by_rank) {
    base[t] = n_slots;
    if (lo[t] > hi[t]) continue;  // nothing seen in this partition
    // As unsigned, the difference cannot overflow; 0 means the full 2^64 range.
    const uint64_t span = uint64_t(hi[t]) - uint64_t(lo[t]) + 1;
    if (span == 0 || span > max_slots - n_slots) {
      dense = false;
      break;
    }
    n_slots += span;
  }

  std::vector<Seen> out;
  if (!dense) {
    out.reserve(count);
    for_each_seen([&](const Seen& s) { out.push_back(s); });
    std::sort(out.begin(), out.end(), [&](const Seen& a, const Seen& b) {
      return std::tie(tp_rank[a.tp], a.offset, a.value) < std::tie(tp_rank[b.tp], b.offset, b.value);
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  auto slot_of = [&](const Seen& s) { return base[s.tp] + uint64_t(s.offset - lo[s.tp]); };
  std::vector<uint32_t> first(n_slots, kNone);     // by slot: the first value seen there
  std::vector<std::pair<uint64_t, uint32_t>> more;  // (slot, value): the other values seen there
  size_t used = 0;
  for_each_seen([&](const Seen& s) {
    uint32_t& f = first[slot_of(s)];
    if (f == kNone) {
      f = s.value;
      ++used;
    } else if (f != s.value) {
      more.emplace_back(slot_of(s), s.value);
    }
  });
  std::sort(more.begin(), more.end());
  more.erase(std::unique(more.begin(), more.end()), more.end());
  out.reserve(used + more.size());
  auto next_more = more.begin();
  for (uint32_t t : by_rank) {
    if (lo[t] > hi[t]) continue;
    for (uint64_t slot = base[t], last = slot + uint64_t(hi[t] - lo[t]); slot <= last; ++slot) {
      if (first[slot] == kNone) continue;
      const int64_t offset = lo[t] + int64_t(slot - base[t]);
      const size_t begin = out.size();
      out.push_back({first[slot], t, offset});
      for (; next_more != more.end() && next_more->first == slot; ++next_more)
        out.push_back({next_more->second, t, offset});
      std::sort(out.begin() + ptrdiff_t(begin), out.end(),
                [](const Seen& a, const Seen& b) { return a.value < b.value; });
    }
  }
  return out;
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

std::string SimTime(int64_t ns) {
  const char* sign = ns < 0 ? "-" : "";
  const uint64_t a = ns < 0 ? uint64_t(0) - uint64_t(ns) : uint64_t(ns);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s%llu.%03llus", sign, (unsigned long long)(a / 1'000'000'000),
                (unsigned long long)(a / 1'000'000 % 1000));
  return buf;
}

std::string AttributeLoss(int64_t acked_at_ns, const std::string& topic, int32_t partition,
                          const std::vector<FaultNote>& faults, const std::vector<ElectionNote>& elections,
                          std::string_view fault_label) {
  // Both lists are in time order: the last entry at or after the acknowledgement is the last
  // entry overall, if that one is not earlier than the acknowledgement.
  std::string out = std::string(fault_label) + ": ";
  if (!faults.empty() && faults.back().at_ns >= acked_at_ns) {
    out += faults.back().text + " at t=" + SimTime(faults.back().at_ns);
  } else {
    out += "none";
  }
  out += "; last election: ";
  if (!elections.empty() && elections.back().at_ns >= acked_at_ns) {
    const ElectionNote& e = elections.back();
    out += topic + "-" + std::to_string(partition) + " epoch " + std::to_string(e.leader_epoch) + " leader " +
           std::to_string(e.leader) + " at t=" + SimTime(e.at_ns);
  } else {
    out += "none";
  }
  return out;
}

CheckReport CheckHistory(const client::History& history, const CheckerOptions& options) {
  // Strings are interned to dense ids in order of first appearance; hash tables serve lookups
  // only (never iteration), and every output is sorted at the end, so nothing below depends on
  // the order in which ids are assigned or sends are listed.
  CheckReport report;

  // Partitions: id -> (topic, partition), and by (topic number, partition + 1) (a completion
  // may carry partition -1); the map serves partition numbers too large for the table.
  std::vector<Tp> tps;
  std::map<Tp, uint32_t> tp_ids;
  std::vector<std::vector<uint32_t>> tp_by_number(history.topic_count());
  auto tp_id = [&](uint32_t topic, int32_t partition) -> uint32_t {
    const auto slot = uint32_t(partition) + 1;  // -1 -> 0; other negatives: past the end
    std::vector<uint32_t>& table = tp_by_number[topic];
    if (slot < table.size() && table[slot] != kNone) return table[slot];
    Tp key(std::string(history.TopicName(topic)), partition);
    auto it = tp_ids.find(key);
    if (it == tp_ids.end()) {
      it = tp_ids.emplace(std::move(key), uint32_t(tps.size())).first;
      tps.push_back(it->first);
    }
    if (slot < 1024) {
      if (slot >= table.size()) table.resize(slot + 1, kNone);
      table[slot] = it->second;
    }
    return it->second;
  };

  // Values: id -> text, and what the checker learns about each. A send takes two events (invoke
  // and completion), and its value is read about once: about a third of the events bring a new
  // value, so reserve for that many (more just grow the table).
  StringInterner values;
  values.Reserve(history.size() / 3);
  struct ValueInfo {
    uint32_t first_send = kNone;     // index in sends of the first send invoked with it
    bool first_send_failed = false;  // set after the scan
    bool read = false;
  };
  std::vector<ValueInfo> value_info;
  value_info.reserve(history.size() / 3);
  auto value_id = [&](std::string_view v, uint32_t hash) -> uint32_t {
    const uint32_t id = values.Intern(v, hash);
    if (id == value_info.size()) value_info.emplace_back();
    return id;
  };

  // Event indices are positions in the history (History::Append): like the ids here, they fit
  // 32 bits.
  struct Send {
    uint32_t invoke_index = 0;
    uint32_t complete_index = kNone;
    int64_t offset = -1;
    int32_t process = -1;
    uint32_t tp = kNone;
    uint32_t value = kNone;
    EventType outcome = EventType::kInvoke;  // kInvoke while pending
    bool value_empty = true;
  };
  ChunkedVector<Send> sends;
  // Op id -> index in sends. History::NewOpId hands out 1, 2, 3, ..., one per send, so ids up
  // to the number of events index a vector (grown as they come); any other id (a hand-made
  // history) goes to a map.
  std::vector<uint32_t> send_of_small_op;
  std::unordered_map<uint64_t, uint32_t> send_of_large_op;
  auto send_for = [&](uint64_t op) -> uint32_t {
    if (op >= send_of_small_op.size() && op <= history.size()) {
      const uint64_t size = std::min<uint64_t>(std::max<uint64_t>(2 * op, 1024), history.size() + 1);
      send_of_small_op.resize(size, kNone);
    }
    uint32_t& index = op < send_of_small_op.size()
                          ? send_of_small_op[op]
                          : send_of_large_op.try_emplace(op, kNone).first->second;
    if (index == kNone) {
      index = uint32_t(sends.size());
      sends.push_back(Send{});
    }
    return index;
  };
  struct Ack {  // an ok completion with an offset
    Seen at;
    uint32_t send;   // index in sends
    uint32_t index;  // of the completion event
  };
  ChunkedVector<Ack> acks;
  // Consumer sessions that read, (process, session) by number; consecutive reads nearly always
  // come from one session.
  std::vector<std::pair<int32_t, uint64_t>> readers;
  std::map<std::pair<int32_t, uint64_t>, uint32_t> reader_numbers;
  uint32_t last_reader = kNone;
  auto reader_number = [&](int32_t process, uint64_t session) -> uint32_t {
    if (last_reader != kNone && readers[last_reader] == std::pair(process, session))
      return last_reader;
    auto [it, fresh] = reader_numbers.try_emplace({process, session}, uint32_t(readers.size()));
    if (fresh) readers.emplace_back(process, session);
    return last_reader = it->second;
  };
  struct Poll {  // one read
    Seen at;
    uint32_t reader;
  };
  ChunkedVector<Poll> polls;
  std::vector<std::optional<int64_t>> max_read;  // by tp id

  // Scans entry i; value_hash is the Hash of its value if it is an invoke or a read.
  auto scan = [&](size_t index, uint32_t value_hash) {
    const History::Entry& e = history.entry(index);
    if (e.op() == EventOp::kSend) {
      if (e.type() == EventType::kInvoke) {
        ++report.sends_invoked;
        const std::string_view value = history.Value(e);
        const uint32_t v = value_id(value, value_hash);
        const uint32_t i = send_for(e.op_id);
        Send& s = sends[i];
        s.process = e.process;
        s.invoke_index = uint32_t(index);
        s.value = v;
        s.value_empty = value.empty();
        if (value_info[v].first_send == kNone) value_info[v].first_send = i;
        return;
      }
      const uint32_t i = send_for(e.op_id);
      Send& s = sends[i];
      s.complete_index = uint32_t(index);
      s.outcome = e.type();
      s.tp = tp_id(e.topic, e.partition);
      // A completion usually repeats its invoke's value: skip the lookup then.
      const std::string_view value = history.Value(e);
      const uint32_t v = s.value != kNone && values[s.value] == value
                             ? s.value
                             : value_id(value, StringInterner::Hash(value));
      if (s.value_empty) {
        s.value = v;
        s.value_empty = value.empty();
      }
      if (e.type() == EventType::kOk) {
        ++report.sends_acked;
        s.offset = e.offset;
        if (e.offset >= 0) acks.push_back({{v, s.tp, e.offset}, i, uint32_t(index)});
      } else if (e.type() == EventType::kFail) {
        ++report.sends_failed;
      } else {
        ++report.sends_indeterminate;
      }
    } else if (e.type() == EventType::kOk) {
      ++report.polls;
      const uint32_t tp = tp_id(e.topic, e.partition);
      const uint32_t v = value_id(history.Value(e), value_hash);
      if (max_read.size() < tps.size()) max_read.resize(tps.size());
      value_info[v].read = true;
      if (!max_read[tp] || e.offset > *max_read[tp]) max_read[tp] = e.offset;
      polls.push_back({{v, tp, e.offset}, reader_number(e.process, e.session)});
    }
  };
  // Scanned one by one, each event would wait for its cache misses in turn: the entry and its
  // text, the slot of its value, and for a completion its send and its send's value. So the
  // scan goes by blocks of events, each first walked to start those loads, independent of each
  // other: prefetch the entries two blocks ahead and their text one block ahead; hash the values
  // of invokes and reads and prefetch their slots; for a completion, load its send and prefetch
  // that send's value. Then scan the block.
  constexpr size_t kBlock = 32;
  uint32_t hashes[kBlock] = {};
  const size_t n = history.size();
  for (size_t i = 0; i < std::min(2 * kBlock, n); ++i) history.PrefetchEntry(i);
  for (size_t i = 0; i < std::min(kBlock, n); ++i) history.PrefetchText(i);
  for (size_t block = 0; block < n;) {
    const size_t block_end = std::min(block + kBlock, n);
    for (size_t i = block; i < block_end; ++i) {
      if (i + 2 * kBlock < n) history.PrefetchEntry(i + 2 * kBlock);
      if (i + kBlock < n) history.PrefetchText(i + kBlock);
      const History::Entry& e = history.entry(i);
      if (e.op() == EventOp::kSend ? e.type() == EventType::kInvoke : e.type() == EventType::kOk) {
        hashes[i - block] = StringInterner::Hash(history.Value(e));
        values.PrefetchSlot(hashes[i - block]);
      } else if (e.op() == EventOp::kSend && e.op_id < send_of_small_op.size()) {
        const uint32_t s = send_of_small_op[e.op_id];
        if (s != kNone && sends[s].value != kNone) values.PrefetchText(sends[s].value);
      }
    }
    for (size_t i = block; i < block_end; ++i) scan(i, hashes[i - block]);
    block = block_end;
  }
  max_read.resize(tps.size());
  // Read for every poll below: better looked up once per value, in value (~ send) order.
  for (ValueInfo& info : value_info) {
    info.first_send_failed =
        info.first_send != kNone && sends[info.first_send].outcome == EventType::kFail;
  }

  // Partitions ranked by (topic, partition), so that sorting by rank sorts as the names do.
  std::vector<uint32_t> tp_rank(tps.size());
  {
    uint32_t r = 0;
    for (const auto& [tp, id] : tp_ids) tp_rank[id] = r++;
  }
  auto value_less = [&](uint32_t a, uint32_t b) { return values[a] < values[b]; };

  std::vector<Violation>& out = report.violations;

  // inconsistent-offsets: distinct values at one (partition, offset).
  auto for_each_seen = [&](auto&& f) {
    for (size_t i = 0; i < acks.size(); ++i) f(acks[i].at);
    for (size_t i = 0; i < polls.size(); ++i) f(polls[i].at);
  };
  const std::vector<Seen> by_offset =
      SortedDistinct(for_each_seen, acks.size() + polls.size(), tp_rank);
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

  // duplicate: one value at two or more positions. by_offset holds each (value, position) once,
  // in position order: count the positions of each value, then list those of the values with
  // two or more.
  {
    std::vector<uint32_t> positions(values.size(), 0);
    for (const Seen& s : by_offset) ++positions[s.value];
    std::vector<std::pair<uint32_t, uint32_t>> dups;  // (value, index in by_offset)
    for (uint32_t i = 0; i < by_offset.size(); ++i)
      if (positions[by_offset[i].value] >= 2) dups.emplace_back(by_offset[i].value, i);
    std::sort(dups.begin(), dups.end());  // by value, each value's positions still in order
    for (size_t i = 0; i < dups.size();) {
      size_t j = i;
      while (j < dups.size() && dups[j].first == dups[i].first) ++j;
      std::string detail = "value ";
      detail += values[dups[i].first];
      detail += " at";
      for (size_t k = i; k < j; ++k) {
        const Seen& s = by_offset[dups[k].second];
        detail += " " + Pos(tps[s.tp], s.offset);
      }
      const Seen& first = by_offset[dups[i].second];
      const Tp& tp = tps[first.tp];
      out.push_back({"duplicate", tp.first, tp.second, first.offset, detail});
      i = j;
    }
  }

  // lost-write and unseen
  auto acked = [](const Send& s) { return s.outcome == EventType::kOk && s.offset >= 0; };
  std::vector<uint64_t> unseen_by_tp(tps.size(), 0);
  for (size_t i = 0; i < sends.size(); ++i) {
    const Send& s = sends[i];
    if (!acked(s) || value_info[s.value].read) continue;
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

  // acked-lost (acked-uncommitted): every acknowledged record at its offset in its partition's
  // final log (above its high watermark).
  if (!options.final_logs.empty()) {
    static const std::vector<ElectionNote> kNoElections;
    std::vector<const FinalLog*> final_of(tps.size(), nullptr);
    std::vector<const std::vector<ElectionNote>*> elections_of(tps.size(), &kNoElections);
    for (size_t t = 0; t < tps.size(); ++t) {
      if (auto f = options.final_logs.find(tps[t]); f != options.final_logs.end()) final_of[t] = &f->second;
      if (auto e = options.elections.find(tps[t]); e != options.elections.end()) elections_of[t] = &e->second;
    }
    for (size_t i = 0; i < sends.size(); ++i) {
      const Send& s = sends[i];
      if (!acked(s) || final_of[s.tp] == nullptr) continue;
      const FinalLog& log = *final_of[s.tp];
      auto at = std::lower_bound(log.records.begin(), log.records.end(), s.offset,
                                 [](const std::pair<int64_t, std::string>& r, int64_t o) { return r.first < o; });
      const bool held = at != log.records.end() && at->first == s.offset;
      if (held && at->second == values[s.value]) continue;
      const Tp& tp = tps[s.tp];
      const int64_t acked_at_ns = history.entry(s.complete_index).time_ns;
      // Not committed, but still there: held above the high watermark (looked for only when the
      // committed records do not hold that offset).
      bool uncommitted = false;
      if (!held) {
        auto above = std::lower_bound(log.uncommitted.begin(), log.uncommitted.end(), s.offset,
                                      [](const std::pair<int64_t, std::string>& r, int64_t o) { return r.first < o; });
        uncommitted = above != log.uncommitted.end() && above->first == s.offset && above->second == values[s.value];
      }
      const char* kind = uncommitted ? "acked-uncommitted" : "acked-lost";
      const char* where =
          uncommitted ? " is above the final high watermark, held uncommitted (" : " is not in the final log (";
      const char* fault_label = uncommitted ? "last fault since the acknowledgement" : "last fault before loss";
      std::string detail = "value " + std::string(values[s.value]) + " acknowledged at t=" + SimTime(acked_at_ns) +
                           " offset " + std::to_string(s.offset) + where + log.source +
                           (held ? "; offset " + std::to_string(s.offset) + " holds " + at->second : "") + "); " +
                           AttributeLoss(acked_at_ns, tp.first, tp.second, options.faults, *elections_of[s.tp],
                                         fault_label);
      out.push_back({kind, tp.first, tp.second, s.offset, std::move(detail)});
    }
  }

  // nonmonotonic-send: per (producer, partition), compare each acked send with the highest
  // offset acknowledged to that producer in that partition before the send was invoked.
  //
  // One sweep along the history: the acked sends in invoke order and, merged in, their acks in
  // completion order (as `acks` lists them; an ack counts if it is its send's last completion),
  // keeping the highest ack so far per (producer, partition).
  {
    // Groups numbered producer number * tps.size() + tp.
    std::map<int32_t, size_t> producer_number;
    std::vector<size_t> group_of(sends.size());  // by send index, for acked sends
    std::vector<uint32_t> by_invoke;             // acked sends
    for (uint32_t i = 0; i < sends.size(); ++i) {
      const Send& s = sends[i];
      if (!acked(s)) continue;
      const size_t p = producer_number.try_emplace(s.process, producer_number.size()).first->second;
      group_of[i] = p * tps.size() + s.tp;
      by_invoke.push_back(i);
    }
    // Sends are listed as first seen, normally at their invoke: in order already. Ties (sends
    // whose invoke is missing, all at 0) compare with nothing, so their order does not matter.
    auto invoked_before = [&](uint32_t a, uint32_t b) {
      return sends[a].invoke_index < sends[b].invoke_index;
    };
    if (!std::is_sorted(by_invoke.begin(), by_invoke.end(), invoked_before))
      std::sort(by_invoke.begin(), by_invoke.end(), invoked_before);
    std::vector<uint32_t> highest(producer_number.size() * tps.size(), kNone);  // by group: a send
    size_t next_ack = 0;
    for (uint32_t b : by_invoke) {
      const Send& s = sends[b];
      for (; next_ack < acks.size() && acks[next_ack].index < s.invoke_index; ++next_ack) {
        const uint32_t a = acks[next_ack].send;
        if (sends[a].complete_index != acks[next_ack].index) continue;  // a later one counts
        uint32_t& h = highest[group_of[a]];
        if (h == kNone || sends[a].offset > sends[h].offset) h = a;
      }
      const uint32_t h = highest[group_of[b]];
      if (h != kNone && s.offset < sends[h].offset) {
        const Tp& tp = tps[s.tp];
        out.push_back({"nonmonotonic-send", tp.first, tp.second, s.offset,
                       "producer " + std::to_string(s.process) + " sent " +
                           std::string(values[s.value]) + " after " +
                           std::string(values[sends[h].value]) + " was acknowledged at offset " +
                           std::to_string(sends[h].offset) + ", but it landed at offset " +
                           std::to_string(s.offset)});
      }
    }
  }

  // nonmonotonic-poll, poll-skip, phantom-read, read-beyond-hw
  std::vector<std::optional<int64_t>> hw_of(tps.size());
  for (size_t t = 0; t < tps.size(); ++t) {
    auto hw = options.max_high_watermark.find(tps[t]);
    if (hw != options.max_high_watermark.end()) hw_of[t] = hw->second;
  }
  // Last offset read per (consumer session, partition). A consumer reads a batch of records of
  // one partition at a time, so a poll usually has the previous poll's key: keep its entry.
  std::map<std::pair<uint32_t, uint32_t>, int64_t> last_read;
  auto last = last_read.end();
  for (size_t i = 0; i < polls.size(); ++i) {
    const auto [value, tp_index, offset] = polls[i].at;
    const auto [process, session] = readers[polls[i].reader];
    const Tp& tp = tps[tp_index];
    const ValueInfo& info = value_info[value];
    if (info.first_send == kNone) {
      out.push_back({"phantom-read", tp.first, tp.second, offset,
                     "consumer " + std::to_string(process) + " read value " +
                         std::string(values[value]) + " that no producer sent"});
    } else if (info.first_send_failed) {
      out.push_back({"phantom-read", tp.first, tp.second, offset,
                     "consumer " + std::to_string(process) + " read value " +
                         std::string(values[value]) + " of a failed send"});
    }
    if (hw_of[tp_index] && offset >= *hw_of[tp_index]) {
      out.push_back({"read-beyond-hw", tp.first, tp.second, offset,
                     "consumer " + std::to_string(process) + " read " +
                         std::string(values[value]) + " at or above the highest high watermark " +
                         std::to_string(*hw_of[tp_index])});
    }
    const std::pair key(polls[i].reader, tp_index);
    if (last == last_read.end() || last->first != key) {
      bool fresh;
      std::tie(last, fresh) = last_read.try_emplace(key, offset);
      if (fresh) continue;
    }
    const int64_t prev = last->second;
    last->second = offset;
    auto who = [&] {
      return "consumer " + std::to_string(process) + " session " + std::to_string(session);
    };
    if (offset <= prev) {
      out.push_back({"nonmonotonic-poll", tp.first, tp.second, offset,
                     who() + " read offset " + std::to_string(offset) + " after offset " +
                         std::to_string(prev)});
    } else if (offset > prev + 1) {
      // The first known offset above prev; by_offset holds each partition sorted by offset,
      // then by value id: take the lowest value (by text) at that offset.
      auto [lo, hi] = tp_range[tp_index];
      auto first = by_offset.begin() + ptrdiff_t(lo);
      auto end = by_offset.begin() + ptrdiff_t(hi);
      auto skipped = std::upper_bound(first, end, prev,
                                      [](int64_t o, const Seen& s) { return o < s.offset; });
      if (skipped != end && skipped->offset < offset) {
        uint32_t lowest = skipped->value;
        for (auto k = skipped; k != end && k->offset == skipped->offset; ++k)
          if (value_less(k->value, lowest)) lowest = k->value;
        out.push_back({"poll-skip", tp.first, tp.second, skipped->offset,
                       who() + " jumped from offset " + std::to_string(prev) + " to " +
                           std::to_string(offset) + " over " + std::string(values[lowest]) +
                           " at offset " + std::to_string(skipped->offset)});
      }
    }
  }

  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return report;
}

}  // namespace samsa::sim
