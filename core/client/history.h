#pragma once
// History: what simulated clients did and saw, in the order it happened, for the checker
// (sim/history_checker.h). Plain data; every client of a run appends to one shared History,
// which outlives client crashes and restarts (the simulator rebuilds nodes, not histories).
//
// Events follow Jepsen's convention:
//   send  invoke  the application handed a record to the producer (partition -1: the producer
//                 partitions later; completions carry the partition)
//         ok      the broker acknowledged it at `offset` (-1 with acks=0: no offset is known)
//         fail    it definitely was not written (never sent, or rejected by a definite error)
//         info    outcome unknown (a request carrying it timed out or lost its connection, then
//                 the send gave up): it may or may not be in the log
//   poll  ok      a consumer read `value` at `offset` (one event per record read)
// `op` ties a send's completion to its invoke (unique per History). `session` names one
// consumer session: a consumer incarnation until it resets a position (start, restart, offset
// reset each begin a new session); positions only move forward within a session.
//
// Serialisation: ToJsonLines() writes one JSON object per event, in history order, with keys
// in a fixed order: {"index":0,"time_ns":..,"type":"invoke","f":"send","process":..,"op":..,
// "session":..,"topic":"t","partition":0,"key":"k1"|null,"value":"p1-0","offset":-1,"error":""}.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/base/chunked_vector.h"
#include "core/base/index_iterator.h"

namespace samsa::client {

enum class EventType : uint8_t { kInvoke, kOk, kFail, kInfo };
enum class EventOp : uint8_t { kSend, kPoll };

std::string_view EventTypeName(EventType type);
std::string_view EventOpName(EventOp op);

// One event. The strings are views: Append copies them into the History, and an event read
// back from a History views the History's own copies (valid as long as the History).
struct HistoryEvent {
  uint64_t index = 0;      // position in the history (assigned by Append)
  int64_t time_ns = 0;     // the client's local time
  EventType type = EventType::kInvoke;
  EventOp op = EventOp::kSend;
  int32_t process = -1;    // client node id (producer or consumer)
  uint64_t op_id = 0;      // sends: links invoke and completion
  uint64_t session = 0;    // polls: consumer session
  std::string_view topic;
  int32_t partition = -1;
  std::optional<std::string_view> key;
  std::string_view value;
  int64_t offset = -1;
  std::string_view error;  // fail/info: Kafka error name or client reason

  friend bool operator==(const HistoryEvent&, const HistoryEvent&) = default;
};

class History {
 public:
  // The events in order, read back as HistoryEvent values (views into the History).
  class Events {
   public:
    using const_iterator = IndexIterator<History, HistoryEvent>;

    size_t size() const { return h_->size(); }
    bool empty() const { return h_->size() == 0; }
    HistoryEvent operator[](size_t i) const { return h_->event(i); }
    HistoryEvent back() const { return h_->event(h_->size() - 1); }
    const_iterator begin() const { return const_iterator(h_, 0); }
    const_iterator end() const { return const_iterator(h_, h_->size()); }

   private:
    friend class History;
    explicit Events(const History* h) : h_(h) {}
    const History* h_;
  };

  // Appends a copy of `e` with its index set to the current size; returns that index.
  uint64_t Append(const HistoryEvent& e);
  // A fresh id for a send operation / a consumer session (1, 2, ...).
  uint64_t NewOpId() { return ++last_op_id_; }
  uint64_t NewSession() { return ++last_session_; }

  Events events() const { return Events(this); }
  size_t size() const { return entries_.size(); }
  HistoryEvent event(size_t i) const;
  HistoryEvent operator[](size_t i) const { return event(i); }

  static constexpr uint32_t kNoKey = UINT32_MAX;
  // Where an event's key and value are kept, for a later event to share: a send's completion
  // repeats its invoke's, and they are kept once.
  // Trivial (no initializers), so that chunks of entries are not written before use.
  struct TextRef {
    uint64_t at;  // text chunk << 32 | position in it: key and value back to back
    uint32_t key_size;  // kNoKey: no key
    uint32_t value_size;
  };
  TextRef TextOf(uint64_t index) const { return entries_[index].text; }
  // Appends `e` with the key and value at `text` (e's own are not read).
  uint64_t AppendWithText(const TextRef& text, const HistoryEvent& e);

  // The compact form an event is kept in. A run appends millions of events, so each is a
  // quarter of a HistoryEvent with its own strings: numbers inline, the key and value back to
  // back in the History's text, the topic and the error as numbers (each numbered 0, 1, ... in
  // order of first appearance). Scans over a whole history (the checker) read entries and build
  // no strings.
  struct alignas(64) Entry {
    int64_t time_ns;
    uint64_t op_id;
    uint64_t session;
    int64_t offset;
    TextRef text;
    uint32_t error;
    int32_t process;
    int32_t partition;
    uint32_t topic : 24;
    uint32_t type_bits : 4;
    uint32_t op_bits : 4;

    EventType type() const { return EventType(type_bits); }
    EventOp op() const { return EventOp(op_bits); }
  };
  static_assert(sizeof(Entry) == 64, "one cache line per event");
  static_assert(std::is_trivially_default_constructible_v<Entry>);

  const Entry& entry(size_t i) const { return entries_[i]; }
  std::optional<std::string_view> Key(const TextRef& t) const {
    if (t.key_size == kNoKey) return std::nullopt;
    return std::string_view(Text(t), t.key_size);
  }
  std::string_view Value(const TextRef& t) const { return {Text(t) + KeyBytes(t), t.value_size}; }
  std::optional<std::string_view> Key(const Entry& e) const { return Key(e.text); }
  std::string_view Value(const Entry& e) const { return Value(e.text); }
  std::string_view Error(const Entry& e) const { return errors_.Name(e.error); }
  std::string_view TopicName(uint32_t topic) const { return topics_.Name(topic); }
  size_t topic_count() const { return topics_.size(); }
  // For scans that look ahead: start loading entry i into the cache, or its text (which reads
  // the entry).
  void PrefetchEntry(size_t i) const { __builtin_prefetch(&entries_[i]); }
  void PrefetchText(size_t i) const { __builtin_prefetch(Text(entries_[i].text)); }

  std::string ToJsonLines() const;

 private:
  const char* Text(const TextRef& t) const { return text_[t.at >> 32].get() + (t.at & 0xffffffffu); }
  static size_t KeyBytes(const TextRef& t) { return t.key_size == kNoKey ? 0 : t.key_size; }
  // Strings numbered 0, 1, ... in order of first appearance.
  class Names {
   public:
    uint32_t Number(std::string_view name);
    std::string_view Name(uint32_t number) const { return names_[number]; }
    size_t size() const { return names_.size(); }

   private:
    std::deque<std::string> names_;  // by number (a deque: views stay valid)
    std::map<std::string, uint32_t, std::less<>> numbers_;
    uint32_t last_ = 0;  // the number asked for last (a guess for the next)
  };

  // Room for n contiguous bytes of text; sets *at to their position.
  char* TextSpace(size_t n, uint64_t* at);
  // An entry for e, without its text.
  Entry EntryOf(const HistoryEvent& e);

  // Chunked storage: appends never move earlier entries or text, so views stay valid.
  ChunkedVector<Entry> entries_;
  std::vector<std::unique_ptr<char[]>> text_;  // chunks of max(kTextChunk, one event's text)
  size_t text_used_ = 0;                       // bytes used in the last chunk
  size_t text_capacity_ = 0;                   // its size
  Names topics_;
  Names errors_;
  uint64_t last_op_id_ = 0;
  uint64_t last_session_ = 0;
};

// JSON string literal (quotes included) with control characters, quotes and backslashes escaped;
// bytes >= 0x80 pass through.
std::string JsonQuote(std::string_view s);

}  // namespace samsa::client
