#include "core/client/history.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/base/assert.h"

namespace samsa::client {

std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kInvoke:
      return "invoke";
    case EventType::kOk:
      return "ok";
    case EventType::kFail:
      return "fail";
    case EventType::kInfo:
      return "info";
  }
  return "?";
}

std::string_view EventOpName(EventOp op) { return op == EventOp::kSend ? "send" : "poll"; }

namespace {
constexpr size_t kTextChunk = size_t{1} << 20;
}  // namespace

char* History::TextSpace(size_t n, uint64_t* at) {
  if (text_.empty() || text_capacity_ - text_used_ < n) {
    text_capacity_ = std::max(kTextChunk, n);
    text_.push_back(std::make_unique_for_overwrite<char[]>(text_capacity_));
    text_used_ = 0;
  }
  *at = (uint64_t(text_.size() - 1) << 32) | text_used_;
  char* p = text_.back().get() + text_used_;
  text_used_ += n;
  return p;
}

uint32_t History::Names::Number(std::string_view name) {
  if (last_ < names_.size() && names_[last_] == name) return last_;
  auto it = numbers_.find(name);
  if (it != numbers_.end()) return last_ = it->second;
  names_.emplace_back(name);
  numbers_.emplace(names_.back(), uint32_t(names_.size() - 1));
  return last_ = uint32_t(names_.size() - 1);
}

History::Entry History::EntryOf(const HistoryEvent& e) {
  Entry s;
  s.time_ns = e.time_ns;
  s.op_id = e.op_id;
  s.session = e.session;
  s.offset = e.offset;
  s.error = errors_.Number(e.error);
  s.process = e.process;
  s.partition = e.partition;
  s.topic = topics_.Number(e.topic);
  SAMSA_ASSERT(topics_.size() <= (size_t{1} << 24));  // the entry's topic field
  s.type_bits = uint32_t(e.type);
  s.op_bits = uint32_t(e.op);
  return s;
}

uint64_t History::Append(const HistoryEvent& e) {
  const size_t key_size = e.key ? e.key->size() : 0;
  SAMSA_ASSERT(key_size < kNoKey && e.value.size() < kNoKey);
  Entry s = EntryOf(e);
  s.text.key_size = e.key ? uint32_t(key_size) : kNoKey;
  s.text.value_size = uint32_t(e.value.size());
  char* p = TextSpace(key_size + e.value.size(), &s.text.at);
  if (key_size > 0) std::memcpy(p, e.key->data(), key_size);
  if (!e.value.empty()) std::memcpy(p + key_size, e.value.data(), e.value.size());
  entries_.push_back(s);
  return entries_.size() - 1;
}

uint64_t History::AppendWithText(const TextRef& text, const HistoryEvent& e) {
  Entry s = EntryOf(e);
  s.text = text;
  entries_.push_back(s);
  return entries_.size() - 1;
}

HistoryEvent History::event(size_t i) const {
  const Entry& s = entries_[i];
  HistoryEvent e;
  e.index = i;
  e.time_ns = s.time_ns;
  e.type = s.type();
  e.op = s.op();
  e.process = s.process;
  e.op_id = s.op_id;
  e.session = s.session;
  e.topic = topics_.Name(s.topic);
  e.partition = s.partition;
  e.key = Key(s);
  e.value = Value(s);
  e.offset = s.offset;
  e.error = Error(s);
  return e;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string History::ToJsonLines() const {
  std::string out;
  for (const HistoryEvent& e : events()) {
    out += "{\"index\":" + std::to_string(e.index);
    out += ",\"time_ns\":" + std::to_string(e.time_ns);
    out += ",\"type\":" + JsonQuote(EventTypeName(e.type));
    out += ",\"f\":" + JsonQuote(EventOpName(e.op));
    out += ",\"process\":" + std::to_string(e.process);
    out += ",\"op\":" + std::to_string(e.op_id);
    out += ",\"session\":" + std::to_string(e.session);
    out += ",\"topic\":" + JsonQuote(e.topic);
    out += ",\"partition\":" + std::to_string(e.partition);
    out += ",\"key\":" + (e.key ? JsonQuote(*e.key) : std::string("null"));
    out += ",\"value\":" + JsonQuote(e.value);
    out += ",\"offset\":" + std::to_string(e.offset);
    out += ",\"error\":" + JsonQuote(e.error);
    out += "}\n";
  }
  return out;
}

}  // namespace samsa::client
