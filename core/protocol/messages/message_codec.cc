#include "core/protocol/messages/message_codec.h"

#include <algorithm>

namespace samsa {

bool RecordsEqual(const std::optional<ByteView>& a, const std::optional<ByteView>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return std::equal(a->begin(), a->end(), b->begin(), b->end());
}

void MessageWriter::String(std::string_view v) {
  if (flexible_) {
    w_.WriteCompactString(v);
  } else {
    w_.WriteString(v);
  }
}

void MessageWriter::NullableString(const std::optional<std::string>& v) {
  std::optional<std::string_view> sv;
  if (v) sv = *v;
  if (flexible_) {
    w_.WriteCompactNullableString(sv);
  } else {
    w_.WriteNullableString(sv);
  }
}

void MessageWriter::Records(const std::optional<ByteView>& v) {
  if (flexible_) {
    w_.WriteCompactRecords(v);
  } else {
    w_.WriteRecords(v);
  }
}

void MessageWriter::ArrayLength(size_t count) {
  SAMSA_ASSERT_MSG(count <= size_t(INT32_MAX - 1), "array too long");
  if (flexible_) {
    w_.WriteCompactArrayLength(int32_t(count));
  } else {
    w_.WriteArrayLength(int32_t(count));
  }
}

void MessageWriter::NullableArrayLength(std::optional<size_t> count) {
  if (count) {
    ArrayLength(*count);
  } else if (flexible_) {
    w_.WriteCompactArrayLength(-1);
  } else {
    w_.WriteArrayLength(-1);
  }
}

void MessageWriter::Int32Array(const std::vector<int32_t>& v) {
  ArrayLength(v.size());
  for (int32_t x : v) w_.WriteInt32(x);
}

void MessageWriter::Int64Array(const std::vector<int64_t>& v) {
  ArrayLength(v.size());
  for (int64_t x : v) w_.WriteInt64(x);
}

void MessageWriter::UuidArray(const std::vector<samsa::Uuid>& v) {
  ArrayLength(v.size());
  for (const samsa::Uuid& x : v) w_.WriteUuid(x);
}

void MessageWriter::StringArray(const std::vector<std::string>& v) {
  ArrayLength(v.size());
  for (const std::string& x : v) String(x);
}

void TagWriter::Finish(MessageWriter& m, const TaggedFields* unknown) {
  if (!m.flexible()) return;
  if (unknown != nullptr && !unknown->empty()) {
    // An unknown field can carry a tag this version knows (it was kept when the message was
    // decoded at a version that did not know it): the known value wins.
    size_t known = fields_.size();
    for (const TaggedField& f : *unknown) {
      bool clash = false;
      for (size_t i = 0; i < known; ++i) clash = clash || fields_[i].tag == f.tag;
      if (!clash) fields_.push_back(f);
    }
    std::stable_sort(fields_.begin(), fields_.end(),
                     [](const TaggedField& a, const TaggedField& b) { return a.tag < b.tag; });
  }
  m.wire().WriteTaggedFields(fields_);
}

std::vector<int32_t> MessageReader::Int32Array(const char* f) {
  std::vector<int32_t> out;
  int32_t n = ArrayLength(f, 4);
  out.reserve(size_t(n));
  for (int32_t i = 0; i < n && ok(); ++i) out.push_back(r_.ReadInt32(f));
  if (!ok()) out.clear();
  return out;
}

std::vector<int64_t> MessageReader::Int64Array(const char* f) {
  std::vector<int64_t> out;
  int32_t n = ArrayLength(f, 8);
  out.reserve(size_t(n));
  for (int32_t i = 0; i < n && ok(); ++i) out.push_back(r_.ReadInt64(f));
  if (!ok()) out.clear();
  return out;
}

std::vector<samsa::Uuid> MessageReader::UuidArray(const char* f) {
  std::vector<samsa::Uuid> out;
  int32_t n = ArrayLength(f, samsa::Uuid::kBytes);
  out.reserve(size_t(n));
  for (int32_t i = 0; i < n && ok(); ++i) out.push_back(r_.ReadUuid(f));
  if (!ok()) out.clear();
  return out;
}

std::vector<std::string> MessageReader::StringArray(const char* f) {
  std::vector<std::string> out;
  int32_t n = ArrayLength(f, flexible_ ? 1 : 2);
  out.reserve(size_t(n));
  for (int32_t i = 0; i < n && ok(); ++i) out.push_back(String(f));
  if (!ok()) out.clear();
  return out;
}

}  // namespace samsa
