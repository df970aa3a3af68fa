#pragma once
// Building blocks shared by the message definitions in core/protocol/messages/.
//
// THE SHAPE OF A MESSAGE DEFINITION (every <api>.h in this directory follows it):
//
//   struct FooRequest {
//     static constexpr ApiKey kApiKey = ApiKey::kFoo;
//     static constexpr int16_t kMinVersion = 0, kMaxVersion = N;   // what this codec can do
//     ...fields, snake_case, with Kafka's defaults, each commented with the versions that carry it...
//     TaggedFields unknown_tagged_fields;   // flexible versions: top-level tags we do not know
//
//     // Appends the body (the bytes after the request/response header) in `version`.
//     // `version` outside [kMinVersion, kMaxVersion] is a caller bug (assert). Fields the version
//     // does not carry are not written; a null value in a version where the field is not
//     // nullable is written as the empty value.
//     void Encode(WireWriter& w, int16_t version) const;
//     // Streaming decode at the reader's position; errors are sticky in `r` (check r.status()).
//     void Read(WireReader& r, int16_t version);
//     // Decodes a whole body: the version must be in range (else kUnsupported), the body must be
//     // consumed exactly (trailing bytes are kCorruption). BYTES/RECORDS fields are views into
//     // `body` and live only as long as it does.
//     static Result<FooRequest> Decode(ByteView body, int16_t version);
//   };
//
// Fields a version lacks decode to their defaults. Nested structs in flexible versions end with
// their own tagged-field section: tags we know are decoded, other nested tags are skipped.
// Top-level unknown tags are kept in `unknown_tagged_fields` and re-encoded (merged in tag order
// with the known ones). Tagged fields are written only when they differ from their default, as
// Kafka does.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/assert.h"
#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/protocol/api_keys.h"
#include "core/protocol/wire.h"

namespace samsa {

struct VersionRange {
  int16_t min = 0;
  int16_t max = -1;
  bool Contains(int16_t v) const { return v >= min && v <= max; }
  bool empty() const { return max < min; }
  friend bool operator==(const VersionRange&, const VersionRange&) = default;
};

// Byte-wise equality of nullable RECORDS views (spans have no operator==).
bool RecordsEqual(const std::optional<ByteView>& a, const std::optional<ByteView>& b);

// Writes primitives in the classic or compact form chosen by `flexible`.
class MessageWriter {
 public:
  MessageWriter(WireWriter& w, bool flexible) : w_(w), flexible_(flexible) {}

  bool flexible() const { return flexible_; }
  WireWriter& wire() { return w_; }

  void Bool(bool v) { w_.WriteBool(v); }
  void Int8(int8_t v) { w_.WriteInt8(v); }
  void Int16(int16_t v) { w_.WriteInt16(v); }
  void Int32(int32_t v) { w_.WriteInt32(v); }
  void Int64(int64_t v) { w_.WriteInt64(v); }
  void Uint16(uint16_t v) { w_.WriteUint16(v); }
  void Uuid(const samsa::Uuid& v) { w_.WriteUuid(v); }
  void String(std::string_view v);
  void NullableString(const std::optional<std::string>& v);
  void Records(const std::optional<ByteView>& v);
  // Array prefix for `count` elements; NullableArrayLength(nullopt) writes the null marker.
  void ArrayLength(size_t count);
  void NullableArrayLength(std::optional<size_t> count);
  void Int32Array(const std::vector<int32_t>& v);
  void Int64Array(const std::vector<int64_t>& v);
  void UuidArray(const std::vector<samsa::Uuid>& v);
  void StringArray(const std::vector<std::string>& v);
  template <typename T, typename F>
  void Array(const std::vector<T>& v, F&& each) {
    ArrayLength(v.size());
    for (const T& e : v) each(e);
  }
  // A struct's tagged-field section (flexible only; a no-op otherwise).
  void Tags(const TaggedFields& fields) {
    if (flexible_) w_.WriteTaggedFields(fields);
  }
  void EmptyTags() {
    if (flexible_) w_.WriteEmptyTaggedFields();
  }

 private:
  WireWriter& w_;
  bool flexible_;
};

// Collects known tagged fields for one struct, then writes them merged with unknown ones.
class TagWriter {
 public:
  // Encodes one known field's value with `encode(MessageWriter&)` (always flexible forms).
  template <typename F>
  void Add(uint32_t tag, F&& encode) {
    TaggedField f;
    f.tag = tag;
    WireWriter w(f.data);
    MessageWriter m(w, true);
    encode(m);
    fields_.push_back(std::move(f));
  }
  // Writes the section: known fields plus `unknown` (if not null), by ascending tag. An unknown
  // field whose tag equals a known field's is dropped. `unknown` must itself be strictly
  // ascending (as decoding leaves it).
  void Finish(MessageWriter& m, const TaggedFields* unknown = nullptr);

 private:
  TaggedFields fields_;
};

// Reads primitives in the classic or compact form chosen by `flexible`; sticky errors in `r`.
class MessageReader {
 public:
  MessageReader(WireReader& r, bool flexible) : r_(r), flexible_(flexible) {}

  bool flexible() const { return flexible_; }
  bool ok() const { return r_.ok(); }
  WireReader& wire() { return r_; }

  bool Bool(const char* f) { return r_.ReadBool(f); }
  int8_t Int8(const char* f) { return r_.ReadInt8(f); }
  int16_t Int16(const char* f) { return r_.ReadInt16(f); }
  int32_t Int32(const char* f) { return r_.ReadInt32(f); }
  int64_t Int64(const char* f) { return r_.ReadInt64(f); }
  uint16_t Uint16(const char* f) { return r_.ReadUint16(f); }
  samsa::Uuid Uuid(const char* f) { return r_.ReadUuid(f); }
  std::string String(const char* f) {
    return flexible_ ? r_.ReadCompactString(f) : r_.ReadString(f);
  }
  std::optional<std::string> NullableString(const char* f) {
    return flexible_ ? r_.ReadCompactNullableString(f) : r_.ReadNullableString(f);
  }
  std::optional<ByteView> Records(const char* f) {
    return flexible_ ? r_.ReadCompactRecords(f) : r_.ReadRecords(f);
  }
  int32_t ArrayLength(const char* f, size_t min_element_bytes) {
    return flexible_ ? r_.ReadCompactArrayLength(f, min_element_bytes)
                     : r_.ReadArrayLength(f, min_element_bytes);
  }
  std::optional<int32_t> NullableArrayLength(const char* f, size_t min_element_bytes) {
    return flexible_ ? r_.ReadCompactNullableArrayLength(f, min_element_bytes)
                     : r_.ReadNullableArrayLength(f, min_element_bytes);
  }
  std::vector<int32_t> Int32Array(const char* f);
  std::vector<int64_t> Int64Array(const char* f);
  std::vector<samsa::Uuid> UuidArray(const char* f);
  std::vector<std::string> StringArray(const char* f);

  // Reads a non-nullable array of structs: `read(T*)` decodes one element.
  template <typename T, typename F>
  std::vector<T> Array(const char* f, size_t min_element_bytes, F&& read) {
    std::vector<T> out;
    int32_t n = ArrayLength(f, min_element_bytes);
    out.reserve(size_t(n));
    for (int32_t i = 0; i < n && ok(); ++i) {
      out.emplace_back();
      read(&out.back());
    }
    if (!ok()) out.clear();
    return out;
  }
  template <typename T, typename F>
  std::optional<std::vector<T>> NullableArray(const char* f, size_t min_element_bytes, F&& read) {
    std::optional<int32_t> n = NullableArrayLength(f, min_element_bytes);
    if (!n) return std::nullopt;
    std::vector<T> out;
    out.reserve(size_t(*n));
    for (int32_t i = 0; i < *n && ok(); ++i) {
      out.emplace_back();
      read(&out.back());
    }
    return out;
  }

  // A struct's tagged-field section (flexible only). `on_field(tag, MessageReader& sub)` returns
  // true when it decoded a known tag; other tags go to *unknown (if not null) or are skipped.
  template <typename F>
  void Tags(F&& on_field, TaggedFields* unknown) {
    if (!flexible_) return;
    r_.ReadTaggedFields(
        [&](uint32_t tag, WireReader& sub) {
          MessageReader m(sub, true);
          return on_field(tag, m);
        },
        unknown, "tagged fields");
  }
  // A section with no known tags: keeps them in *unknown (if not null) or skips them.
  void Tags(TaggedFields* unknown) {
    Tags([](uint32_t, MessageReader&) { return false; }, unknown);
  }

 private:
  WireReader& r_;
  bool flexible_;
};

// Decodes a whole body with T::Read (see the file comment for the contract).
template <typename T>
Result<T> DecodeMessageBody(ByteView body, int16_t version) {
  if (version < T::kMinVersion || version > T::kMaxVersion) {
    return Status::Unsupported(std::string(ApiKeyName(T::kApiKey)) + " version " +
                               std::to_string(version) + " is not supported by this codec");
  }
  WireReader r(body);
  T out;
  out.Read(r, version);
  r.ExpectEnd("message body");
  if (!r.ok()) return r.status();
  return out;
}

// Asserts that an encoder was asked for a version it can write.
template <typename T>
void CheckEncodeVersion(int16_t version) {
  SAMSA_ASSERT_MSG(version >= T::kMinVersion && version <= T::kMaxVersion,
                   "encoding a message version this codec does not support");
}

}  // namespace samsa
