#pragma once
// Kafka wire-protocol primitive types: WireWriter (encode, appending to Bytes) and WireReader
// (bounds-checked decode over a ByteView).
//
// Byte layouts (all multi-byte fixed-width integers are big-endian, two's complement):
//
//   BOOLEAN                  1 byte: 0 = false, anything else reads as true (written as 0/1)
//   INT8 / INT16 / INT32 / INT64      1 / 2 / 4 / 8 bytes
//   UINT16 / UINT32                   2 / 4 bytes
//   VARINT / VARLONG         zigzag, then base-128 groups, least significant first, high bit =
//                            "more follows"; at most 5 / 10 bytes
//   UNSIGNED_VARINT          the same without zigzag, at most 5 bytes (a uint32)
//   FLOAT64                  the 8 bytes of the IEEE 754 binary64 bit pattern
//   UUID                     16 raw bytes (most significant half first)
//   STRING                   INT16 length N >= 0, then N bytes of UTF-8
//   NULLABLE_STRING          INT16 length; -1 = null
//   COMPACT_STRING           UNSIGNED_VARINT N+1, then N bytes (0 is not allowed)
//   COMPACT_NULLABLE_STRING  UNSIGNED_VARINT N+1; 0 = null
//   BYTES / NULLABLE_BYTES   INT32 length N (-1 = null for the nullable form), then N bytes
//   COMPACT_BYTES / COMPACT_NULLABLE_BYTES   UNSIGNED_VARINT N+1 (0 = null), then N bytes
//   RECORDS                  NULLABLE_BYTES (classic) or COMPACT_NULLABLE_BYTES (flexible)
//   ARRAY                    INT32 count N (-1 = null), then N elements
//   COMPACT_ARRAY            UNSIGNED_VARINT N+1 (0 = null), then N elements
//   tagged fields            UNSIGNED_VARINT count, then per field: UNSIGNED_VARINT tag,
//                            UNSIGNED_VARINT size, size bytes. Tags strictly ascending.
//
// Strings of either form are limited to 32767 bytes, as in Kafka. Strings are not validated as
// UTF-8 (Kafka does not reject bad UTF-8 either).
//
// READER ERROR MODEL: sticky. The first failure (truncation, negative length other than the
// null marker, overlong varint, out-of-order tag, a decoder's own Fail()) is recorded as a
// Status naming the primitive type, the field name if one was given, and the absolute byte
// position where the failing value starts. From then on every read returns a zero value (0,
// false, "", std::nullopt, empty view, empty vector) without consuming input, so a message
// decoder reads every field unconditionally and checks `status()` once at the end:
//
//   WireReader r(frame);
//   h.correlation_id = r.ReadInt32("correlation_id");
//   h.client_id = r.ReadNullableString("client_id");
//   if (!r.ok()) return r.status();
//
// Status codes: kTruncated when a value or a declared length runs past the end of the input
// (a hostile length is indistinguishable from truncation, and is reported the same way);
// kCorruption for malformed encodings (negative lengths, overlong varints, a non-nullable
// value sent as null, out-of-order tags, trailing bytes for ExpectEnd()).
//
// ALLOCATION: the reader never allocates from an unchecked length. Every length or count is
// checked against the bytes that remain before anything is read or reserved: a string or byte
// length must fit in the remainder, an array count times `min_element_bytes` must fit too. So
// `v.reserve(count)` after ReadArrayLength() is bounded by the input size.
//
// LIFETIMES: STRING values are returned as owned std::string. BYTES/RECORDS values are returned
// as ByteView into the reader's input (zero-copy): valid only as long as that input buffer is.
// Tagged fields are returned owned (TaggedField::data is a copy), so they can be preserved in a
// message struct and re-encoded.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace samsa {

inline constexpr size_t kMaxWireStringBytes = 0x7fff;

// A 128-bit UUID as Kafka uses for topic ids and directory ids. Value type, ordered by bytes.
class Uuid {
 public:
  static constexpr size_t kBytes = 16;

  constexpr Uuid() = default;
  constexpr explicit Uuid(const std::array<uint8_t, kBytes>& bytes) : bytes_(bytes) {}
  static Uuid FromHalves(uint64_t most_significant, uint64_t least_significant);
  // Parses the canonical 8-4-4-4-12 hex form (either case); nullopt if malformed.
  static std::optional<Uuid> Parse(std::string_view text);

  const std::array<uint8_t, kBytes>& bytes() const { return bytes_; }
  uint64_t most_significant() const { return LoadBe64(bytes_.data()); }
  uint64_t least_significant() const { return LoadBe64(bytes_.data() + 8); }
  // Kafka's "zero" id (no topic id / unset).
  bool IsZero() const;

  // Canonical lowercase hex, 8-4-4-4-12: "00000000-0000-0000-0000-000000000001".
  std::string ToString() const;
  // Kafka's own textual form (what kafka-topics.sh prints): 22 chars of unpadded URL-safe
  // base64 of the 16 bytes. Zero id -> "AAAAAAAAAAAAAAAAAAAAAA".
  std::string ToKafkaString() const;

  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, kBytes> bytes_{};
};

// One entry of a tagged-field section.
struct TaggedField {
  uint32_t tag = 0;
  Bytes data;
  friend bool operator==(const TaggedField&, const TaggedField&) = default;
};
// Sorted by tag, strictly ascending.
using TaggedFields = std::vector<TaggedField>;

// Appends encodings to a caller-owned buffer. Values that cannot be represented (a string over
// 32767 bytes, a byte string over 2^31-1 bytes, an array count below -1, tags not strictly
// ascending) are caller bugs: they hit an always-on assert. Callers validate user input first.
class WireWriter {
 public:
  explicit WireWriter(Bytes& out) : out_(out) {}

  Bytes& out() { return out_; }
  size_t size() const { return out_.size(); }

  void WriteBool(bool v) { out_.push_back(v ? 1 : 0); }
  void WriteInt8(int8_t v) { out_.push_back(uint8_t(v)); }
  void WriteInt16(int16_t v) { PutBe16(out_, uint16_t(v)); }
  void WriteInt32(int32_t v) { PutBe32(out_, uint32_t(v)); }
  void WriteInt64(int64_t v) { PutBe64(out_, uint64_t(v)); }
  void WriteUint16(uint16_t v) { PutBe16(out_, v); }
  void WriteUint32(uint32_t v) { PutBe32(out_, v); }
  void WriteVarint(int32_t v);
  void WriteVarlong(int64_t v);
  void WriteUnsignedVarint(uint32_t v);
  void WriteFloat64(double v);
  void WriteUuid(const Uuid& v);

  void WriteString(std::string_view v);
  void WriteNullableString(std::optional<std::string_view> v);
  void WriteCompactString(std::string_view v);
  void WriteCompactNullableString(std::optional<std::string_view> v);

  void WriteBytes(ByteView v);
  void WriteNullableBytes(std::optional<ByteView> v);
  void WriteCompactBytes(ByteView v);
  void WriteCompactNullableBytes(std::optional<ByteView> v);
  // RECORDS: nullable bytes in classic versions, compact nullable bytes in flexible ones.
  void WriteRecords(std::optional<ByteView> v) { WriteNullableBytes(v); }
  void WriteCompactRecords(std::optional<ByteView> v) { WriteCompactNullableBytes(v); }

  // Array counts; -1 writes the null marker (INT32 -1, or unsigned varint 0).
  void WriteArrayLength(int32_t count);
  void WriteCompactArrayLength(int32_t count);

  // The tagged-field section. Fields must be sorted by strictly ascending tag.
  void WriteTaggedFields(const TaggedFields& fields);
  void WriteEmptyTaggedFields() { out_.push_back(0); }

  // Raw bytes with no length prefix.
  void WriteRaw(ByteView v) { Append(out_, v); }

 private:
  Bytes& out_;
};

// Bounds-checked reader with a sticky error (see the file comment). `field` arguments are
// optional names used only in error messages; they must outlive the call (string literals).
class WireReader {
 public:
  // `base_position` is added to positions in error messages (for sub-readers over a slice).
  explicit WireReader(ByteView data, size_t base_position = 0)
      : data_(data), base_(base_position) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  // Bytes consumed so far, relative to the start of `data`.
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool AtEnd() const { return pos_ == data_.size(); }
  // The unread part of the input.
  ByteView Rest() const { return data_.subspan(pos_); }

  // Records `status` (with the current position appended) unless an error is already recorded.
  // For decoders' own semantic checks (e.g. "api version out of range").
  void Fail(StatusCode code, std::string_view what);
  // Records a kCorruption error if unread bytes remain.
  void ExpectEnd(const char* field = nullptr);

  bool ReadBool(const char* field = nullptr) {
    if (!Need(1, "BOOLEAN", field)) return false;
    return data_[pos_++] != 0;
  }
  int8_t ReadInt8(const char* field = nullptr) {
    if (!Need(1, "INT8", field)) return 0;
    return int8_t(data_[pos_++]);
  }
  int16_t ReadInt16(const char* field = nullptr) {
    if (!Need(2, "INT16", field)) return 0;
    int16_t v = int16_t(LoadBe16(data_.data() + pos_));
    pos_ += 2;
    return v;
  }
  int32_t ReadInt32(const char* field = nullptr) {
    if (!Need(4, "INT32", field)) return 0;
    int32_t v = int32_t(LoadBe32(data_.data() + pos_));
    pos_ += 4;
    return v;
  }
  int64_t ReadInt64(const char* field = nullptr) {
    if (!Need(8, "INT64", field)) return 0;
    int64_t v = int64_t(LoadBe64(data_.data() + pos_));
    pos_ += 8;
    return v;
  }
  uint16_t ReadUint16(const char* field = nullptr);
  uint32_t ReadUint32(const char* field = nullptr);
  int32_t ReadVarint(const char* field = nullptr);
  int64_t ReadVarlong(const char* field = nullptr);
  uint32_t ReadUnsignedVarint(const char* field = nullptr);
  double ReadFloat64(const char* field = nullptr);
  Uuid ReadUuid(const char* field = nullptr);

  // Non-nullable forms reject the null marker with kCorruption.
  std::string ReadString(const char* field = nullptr);
  std::optional<std::string> ReadNullableString(const char* field = nullptr);
  std::string ReadCompactString(const char* field = nullptr);
  std::optional<std::string> ReadCompactNullableString(const char* field = nullptr);

  // Views into the input (see LIFETIMES above).
  ByteView ReadBytes(const char* field = nullptr);
  std::optional<ByteView> ReadNullableBytes(const char* field = nullptr);
  ByteView ReadCompactBytes(const char* field = nullptr);
  std::optional<ByteView> ReadCompactNullableBytes(const char* field = nullptr);
  std::optional<ByteView> ReadRecords(const char* field = nullptr) { return ReadNullableBytes(field); }
  std::optional<ByteView> ReadCompactRecords(const char* field = nullptr) {
    return ReadCompactNullableBytes(field);
  }

  // Array counts, checked so that count * min_element_bytes <= remaining() (min_element_bytes
  // >= 1; pass the smallest encoded size of one element for a tighter bound). The non-nullable
  // forms reject null with kCorruption; the nullable forms return nullopt for null.
  int32_t ReadArrayLength(const char* field = nullptr, size_t min_element_bytes = 1);
  std::optional<int32_t> ReadNullableArrayLength(const char* field = nullptr,
                                                 size_t min_element_bytes = 1);
  int32_t ReadCompactArrayLength(const char* field = nullptr, size_t min_element_bytes = 1);
  std::optional<int32_t> ReadCompactNullableArrayLength(const char* field = nullptr,
                                                        size_t min_element_bytes = 1);

  // Reads a whole tagged-field section, returning every field (owned copies). Tags must be
  // strictly ascending. A decoder that knows some tags decodes their `data` with a sub-reader
  // (see ReadTaggedFields below) and keeps the others to preserve or skip.
  TaggedFields ReadTaggedFields(const char* field = nullptr);

  // Streaming form: for each field, calls `on_field(tag, WireReader& sub)` where `sub` reads
  // exactly that field's bytes (positions stay absolute). `on_field` returns true when it knew
  // and decoded the tag: the sub-reader must then have consumed all bytes without error, or the
  // error is recorded here. When it returns false, the field is appended to *unknown (if not
  // null), else skipped.
  template <typename OnField>
  void ReadTaggedFields(OnField&& on_field, TaggedFields* unknown, const char* field = nullptr);

  // Raw bytes, no length prefix.
  ByteView ReadRaw(size_t n, const char* field = nullptr);
  void Skip(size_t n, const char* field = nullptr) { (void)ReadRaw(n, field); }

 private:
  // True when n more bytes are available; otherwise records a truncation error for `type`.
  bool Need(size_t n, const char* type, const char* field) {
    return (status_.ok() && n <= remaining()) || NeedSlow(n, type, field);
  }
  bool NeedSlow(size_t n, const char* type, const char* field);
  void FailAt(size_t at, StatusCode code, const char* type, const char* field, std::string_view what);
  // Varint helpers: decode or record truncation / overlong errors.
  bool GetUvarint32(uint32_t* out, const char* type, const char* field);
  bool GetUvarint64(uint64_t* out, const char* type, const char* field);
  // Length helpers: nullopt for null (null_ok) or on error (ok() is then false).
  std::optional<size_t> ReadFixedLength(size_t width, bool null_ok, const char* type, const char* field);
  std::optional<size_t> ReadLength16(bool null_ok, const char* type, const char* field);
  std::optional<size_t> ReadLength32(bool null_ok, const char* type, const char* field);
  std::optional<size_t> ReadCompactLength(bool null_ok, const char* type, const char* field);
  std::optional<int32_t> CheckCount(std::optional<size_t> count, size_t at, size_t min_element_bytes,
                                    const char* type, const char* field);
  // Reads the section header and the next (tag, data view) pair; shared by both forms.
  bool ReadTagCount(uint32_t* count, const char* field);
  bool ReadTagHeader(int64_t* last_tag, uint32_t* tag, ByteView* data, size_t* data_at,
                     const char* field);

  ByteView data_;
  size_t base_ = 0;
  size_t pos_ = 0;
  Status status_;
};

template <typename OnField>
void WireReader::ReadTaggedFields(OnField&& on_field, TaggedFields* unknown, const char* field) {
  uint32_t count = 0;
  if (!ReadTagCount(&count, field)) return;
  int64_t last_tag = -1;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t tag = 0;
    ByteView data;
    size_t data_at = 0;
    if (!ReadTagHeader(&last_tag, &tag, &data, &data_at, field)) return;
    WireReader sub(data, base_ + data_at);
    if (on_field(tag, sub)) {
      if (!sub.ok()) {
        if (status_.ok()) status_ = sub.status();
        return;
      }
      if (!sub.AtEnd()) {
        FailAt(data_at + sub.position(), StatusCode::kCorruption, "TAGGED_FIELD", field,
               "known tag " + std::to_string(tag) + " left " + std::to_string(sub.remaining()) +
                   " byte(s) unread");
        return;
      }
    } else if (unknown != nullptr) {
      unknown->push_back(TaggedField{tag, Bytes(data.begin(), data.end())});
    }
  }
}

}  // namespace samsa
