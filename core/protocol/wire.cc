#include "core/protocol/wire.h"

#include <bit>
#include <limits>

#include "core/base/assert.h"
#include "core/base/varint.h"

namespace samsa {

// ---------------------------------------------------------------------------------------------
// Uuid

Uuid Uuid::FromHalves(uint64_t most_significant, uint64_t least_significant) {
  std::array<uint8_t, kBytes> b{};
  StoreBe64(b.data(), most_significant);
  StoreBe64(b.data() + 8, least_significant);
  return Uuid(b);
}

bool Uuid::IsZero() const {
  for (uint8_t b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

std::string Uuid::ToString() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < kBytes; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kDigits[bytes_[i] >> 4]);
    out.push_back(kDigits[bytes_[i] & 15]);
  }
  return out;
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::array<uint8_t, kBytes> b{};
  size_t nibble = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return std::nullopt;
      continue;
    }
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    b[nibble / 2] = uint8_t(b[nibble / 2] | (nibble % 2 == 0 ? v << 4 : v));
    ++nibble;
  }
  return Uuid(b);
}

std::string Uuid::ToKafkaString() const {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(22);
  // 16 bytes = five 3-byte groups (20 chars) and one trailing byte (2 chars, no padding).
  size_t i = 0;
  for (; i + 3 <= kBytes; i += 3) {
    uint32_t g = (uint32_t(bytes_[i]) << 16) | (uint32_t(bytes_[i + 1]) << 8) | bytes_[i + 2];
    out.push_back(kAlphabet[(g >> 18) & 63]);
    out.push_back(kAlphabet[(g >> 12) & 63]);
    out.push_back(kAlphabet[(g >> 6) & 63]);
    out.push_back(kAlphabet[g & 63]);
  }
  uint32_t last = bytes_[i];
  out.push_back(kAlphabet[last >> 2]);
  out.push_back(kAlphabet[(last & 3) << 4]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// WireWriter

void WireWriter::WriteVarint(int32_t v) { PutVarint(out_, v); }
void WireWriter::WriteVarlong(int64_t v) { PutVarlong(out_, v); }
void WireWriter::WriteUnsignedVarint(uint32_t v) { PutUnsignedVarint(out_, v); }
void WireWriter::WriteFloat64(double v) { PutBe64(out_, std::bit_cast<uint64_t>(v)); }
void WireWriter::WriteUuid(const Uuid& v) { WriteRaw(v.bytes()); }

void WireWriter::WriteString(std::string_view v) {
  SAMSA_ASSERT_MSG(v.size() <= kMaxWireStringBytes, "STRING longer than 32767 bytes");
  PutBe16(out_, uint16_t(v.size()));
  WriteRaw(AsBytes(v));
}

void WireWriter::WriteNullableString(std::optional<std::string_view> v) {
  if (!v) {
    WriteInt16(-1);
    return;
  }
  WriteString(*v);
}

void WireWriter::WriteCompactString(std::string_view v) {
  SAMSA_ASSERT_MSG(v.size() <= kMaxWireStringBytes, "COMPACT_STRING longer than 32767 bytes");
  PutUnsignedVarint(out_, uint32_t(v.size() + 1));
  WriteRaw(AsBytes(v));
}

void WireWriter::WriteCompactNullableString(std::optional<std::string_view> v) {
  if (!v) {
    PutUnsignedVarint(out_, 0);
    return;
  }
  WriteCompactString(*v);
}

void WireWriter::WriteBytes(ByteView v) {
  SAMSA_ASSERT_MSG(v.size() <= size_t(std::numeric_limits<int32_t>::max()), "BYTES too long");
  PutBe32(out_, uint32_t(v.size()));
  WriteRaw(v);
}

void WireWriter::WriteNullableBytes(std::optional<ByteView> v) {
  if (!v) {
    WriteInt32(-1);
    return;
  }
  WriteBytes(*v);
}

void WireWriter::WriteCompactBytes(ByteView v) {
  SAMSA_ASSERT_MSG(v.size() < size_t(std::numeric_limits<uint32_t>::max()), "COMPACT_BYTES too long");
  PutUnsignedVarint(out_, uint32_t(v.size() + 1));
  WriteRaw(v);
}

void WireWriter::WriteCompactNullableBytes(std::optional<ByteView> v) {
  if (!v) {
    PutUnsignedVarint(out_, 0);
    return;
  }
  WriteCompactBytes(*v);
}

void WireWriter::WriteArrayLength(int32_t count) {
  SAMSA_ASSERT_MSG(count >= -1, "ARRAY count below -1");
  WriteInt32(count);
}

void WireWriter::WriteCompactArrayLength(int32_t count) {
  SAMSA_ASSERT_MSG(count >= -1, "COMPACT_ARRAY count below -1");
  PutUnsignedVarint(out_, uint32_t(count + 1));
}

void WireWriter::WriteTaggedFields(const TaggedFields& fields) {
  PutUnsignedVarint(out_, uint32_t(fields.size()));
  for (size_t i = 0; i < fields.size(); ++i) {
    SAMSA_ASSERT_MSG(i == 0 || fields[i - 1].tag < fields[i].tag,
                     "tagged fields not in strictly ascending tag order");
    SAMSA_ASSERT_MSG(fields[i].data.size() <= std::numeric_limits<uint32_t>::max(),
                     "tagged field too long");
    PutUnsignedVarint(out_, fields[i].tag);
    PutUnsignedVarint(out_, uint32_t(fields[i].data.size()));
    WriteRaw(fields[i].data);
  }
}

// ---------------------------------------------------------------------------------------------
// WireReader: error recording

void WireReader::FailAt(size_t at, StatusCode code, const char* type, const char* field,
                        std::string_view what) {
  if (!status_.ok()) return;
  std::string m = "protocol:";
  if (type != nullptr && *type != '\0') {
    m += " ";
    m += type;
  }
  if (field != nullptr && *field != '\0') {
    m += " '";
    m += field;
    m += "'";
  }
  m += " at byte " + std::to_string(base_ + at) + ": ";
  m += what;
  status_ = Status(code, std::move(m));
}

void WireReader::Fail(StatusCode code, std::string_view what) {
  SAMSA_ASSERT(code != StatusCode::kOk);
  FailAt(pos_, code, "", nullptr, what);
}

void WireReader::ExpectEnd(const char* field) {
  if (!ok() || AtEnd()) return;
  FailAt(pos_, StatusCode::kCorruption, "", field,
         std::to_string(remaining()) + " unexpected trailing byte(s)");
}

bool WireReader::NeedSlow(size_t n, const char* type, const char* field) {
  if (!ok()) return false;
  if (n > remaining()) {
    FailAt(pos_, StatusCode::kTruncated, type, field,
           "needs " + std::to_string(n) + " byte(s), " + std::to_string(remaining()) + " remain");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Fixed-width primitives

uint16_t WireReader::ReadUint16(const char* field) {
  if (!Need(2, "UINT16", field)) return 0;
  uint16_t v = LoadBe16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

uint32_t WireReader::ReadUint32(const char* field) {
  if (!Need(4, "UINT32", field)) return 0;
  uint32_t v = LoadBe32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

double WireReader::ReadFloat64(const char* field) {
  if (!Need(8, "FLOAT64", field)) return 0.0;
  uint64_t bits = LoadBe64(data_.data() + pos_);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

Uuid WireReader::ReadUuid(const char* field) {
  if (!Need(Uuid::kBytes, "UUID", field)) return Uuid();
  std::array<uint8_t, Uuid::kBytes> b{};
  for (size_t i = 0; i < Uuid::kBytes; ++i) b[i] = data_[pos_ + i];
  pos_ += Uuid::kBytes;
  return Uuid(b);
}

ByteView WireReader::ReadRaw(size_t n, const char* field) {
  if (!Need(n, "RAW", field)) return {};
  ByteView v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Varints

namespace {
// After a failed varint decode at data[pos]: true when the input simply ended inside the value
// (every byte available had the continuation bit and fewer than max_bytes were present).
bool VarintTruncated(ByteView data, size_t pos, size_t max_bytes) {
  for (size_t i = 0; i < max_bytes; ++i) {
    if (pos + i >= data.size()) return true;
    if ((data[pos + i] & 0x80) == 0) return false;
  }
  return false;
}
}  // namespace

bool WireReader::GetUvarint32(uint32_t* out, const char* type, const char* field) {
  if (!ok()) return false;
  size_t p = pos_;
  if (GetUnsignedVarint(data_, &p, out)) {
    pos_ = p;
    return true;
  }
  if (VarintTruncated(data_, pos_, kMaxVarint32Bytes)) {
    FailAt(pos_, StatusCode::kTruncated, type, field, "input ends inside the varint");
  } else {
    FailAt(pos_, StatusCode::kCorruption, type, field, "varint longer than 5 bytes or above 32 bits");
  }
  *out = 0;
  return false;
}

bool WireReader::GetUvarint64(uint64_t* out, const char* type, const char* field) {
  if (!ok()) return false;
  size_t p = pos_;
  if (GetUnsignedVarlong(data_, &p, out)) {
    pos_ = p;
    return true;
  }
  if (VarintTruncated(data_, pos_, kMaxVarint64Bytes)) {
    FailAt(pos_, StatusCode::kTruncated, type, field, "input ends inside the varint");
  } else {
    FailAt(pos_, StatusCode::kCorruption, type, field, "varint longer than 10 bytes or above 64 bits");
  }
  *out = 0;
  return false;
}

int32_t WireReader::ReadVarint(const char* field) {
  uint32_t v = 0;
  if (!GetUvarint32(&v, "VARINT", field)) return 0;
  return ZigZagDecode32(v);
}

int64_t WireReader::ReadVarlong(const char* field) {
  uint64_t v = 0;
  if (!GetUvarint64(&v, "VARLONG", field)) return 0;
  return ZigZagDecode64(v);
}

uint32_t WireReader::ReadUnsignedVarint(const char* field) {
  uint32_t v = 0;
  if (!GetUvarint32(&v, "UNSIGNED_VARINT", field)) return 0;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Lengths. Each helper leaves pos_ after the prefix and guarantees the payload fits in what
// remains, so callers can slice (or allocate) without further checks.

// Classic (fixed-width, big-endian, -1 = null) lengths: INT16 for strings, INT32 for bytes.
std::optional<size_t> WireReader::ReadFixedLength(size_t width, bool null_ok, const char* type,
                                                  const char* field) {
  size_t at = pos_;
  if (!Need(width, type, field)) return std::nullopt;
  int32_t len = width == 2 ? int32_t(int16_t(LoadBe16(data_.data() + pos_))) : int32_t(LoadBe32(data_.data() + pos_));
  pos_ += width;
  if (len == -1) {
    if (!null_ok) FailAt(at, StatusCode::kCorruption, type, field, "null in a non-nullable field");
    return std::nullopt;
  }
  if (len < 0) {
    FailAt(at, StatusCode::kCorruption, type, field, "negative length " + std::to_string(len));
    return std::nullopt;
  }
  if (size_t(len) > remaining()) {
    FailAt(at, StatusCode::kTruncated, type, field,
           "length " + std::to_string(len) + " exceeds the " + std::to_string(remaining()) +
               " byte(s) remaining");
    return std::nullopt;
  }
  return size_t(len);
}

std::optional<size_t> WireReader::ReadLength16(bool null_ok, const char* type, const char* field) {
  return ReadFixedLength(2, null_ok, type, field);
}

std::optional<size_t> WireReader::ReadLength32(bool null_ok, const char* type, const char* field) {
  return ReadFixedLength(4, null_ok, type, field);
}

std::optional<size_t> WireReader::ReadCompactLength(bool null_ok, const char* type,
                                                    const char* field) {
  size_t at = pos_;
  uint32_t n = 0;
  if (!GetUvarint32(&n, type, field)) return std::nullopt;
  if (n == 0) {
    if (!null_ok) FailAt(at, StatusCode::kCorruption, type, field, "null in a non-nullable field");
    return std::nullopt;
  }
  size_t len = size_t(n) - 1;
  if (len > remaining()) {
    FailAt(at, StatusCode::kTruncated, type, field,
           "length " + std::to_string(len) + " exceeds the " + std::to_string(remaining()) +
               " byte(s) remaining");
    return std::nullopt;
  }
  return len;
}

// ---------------------------------------------------------------------------------------------
// Strings and bytes

std::string WireReader::ReadString(const char* field) {
  std::optional<size_t> len = ReadLength16(false, "STRING", field);
  if (!len) return {};
  std::string s(AsString(data_.subspan(pos_, *len)));
  pos_ += *len;
  return s;
}

std::optional<std::string> WireReader::ReadNullableString(const char* field) {
  std::optional<size_t> len = ReadLength16(true, "NULLABLE_STRING", field);
  if (!len) return std::nullopt;
  std::string s(AsString(data_.subspan(pos_, *len)));
  pos_ += *len;
  return s;
}

std::string WireReader::ReadCompactString(const char* field) {
  size_t at = pos_;
  std::optional<size_t> len = ReadCompactLength(false, "COMPACT_STRING", field);
  if (!len) return {};
  if (*len > kMaxWireStringBytes) {
    FailAt(at, StatusCode::kCorruption, "COMPACT_STRING", field,
           "length " + std::to_string(*len) + " exceeds 32767");
    return {};
  }
  std::string s(AsString(data_.subspan(pos_, *len)));
  pos_ += *len;
  return s;
}

std::optional<std::string> WireReader::ReadCompactNullableString(const char* field) {
  size_t at = pos_;
  std::optional<size_t> len = ReadCompactLength(true, "COMPACT_NULLABLE_STRING", field);
  if (!len) return std::nullopt;
  if (*len > kMaxWireStringBytes) {
    FailAt(at, StatusCode::kCorruption, "COMPACT_NULLABLE_STRING", field,
           "length " + std::to_string(*len) + " exceeds 32767");
    return std::nullopt;
  }
  std::string s(AsString(data_.subspan(pos_, *len)));
  pos_ += *len;
  return s;
}

ByteView WireReader::ReadBytes(const char* field) {
  std::optional<size_t> len = ReadLength32(false, "BYTES", field);
  if (!len) return {};
  ByteView v = data_.subspan(pos_, *len);
  pos_ += *len;
  return v;
}

std::optional<ByteView> WireReader::ReadNullableBytes(const char* field) {
  std::optional<size_t> len = ReadLength32(true, "NULLABLE_BYTES", field);
  if (!len) return std::nullopt;
  ByteView v = data_.subspan(pos_, *len);
  pos_ += *len;
  return v;
}

ByteView WireReader::ReadCompactBytes(const char* field) {
  std::optional<size_t> len = ReadCompactLength(false, "COMPACT_BYTES", field);
  if (!len) return {};
  ByteView v = data_.subspan(pos_, *len);
  pos_ += *len;
  return v;
}

std::optional<ByteView> WireReader::ReadCompactNullableBytes(const char* field) {
  std::optional<size_t> len = ReadCompactLength(true, "COMPACT_NULLABLE_BYTES", field);
  if (!len) return std::nullopt;
  ByteView v = data_.subspan(pos_, *len);
  pos_ += *len;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Arrays

std::optional<int32_t> WireReader::CheckCount(std::optional<size_t> count, size_t at,
                                              size_t min_element_bytes, const char* type,
                                              const char* field) {
  if (!count) return std::nullopt;
  if (min_element_bytes == 0) min_element_bytes = 1;
  if (*count > remaining() / min_element_bytes) {
    FailAt(at, StatusCode::kTruncated, type, field,
           "count " + std::to_string(*count) + " of elements of at least " +
               std::to_string(min_element_bytes) + " byte(s) exceeds the " +
               std::to_string(remaining()) + " byte(s) remaining");
    return std::nullopt;
  }
  // Only reachable with an input over 2 GiB: counts are INT32 in every API.
  if (*count > size_t(std::numeric_limits<int32_t>::max())) {
    FailAt(at, StatusCode::kCorruption, type, field, "count " + std::to_string(*count) + " too large");
    return std::nullopt;
  }
  return int32_t(*count);
}

// Array prefixes decode their own null marker: a count is checked against elements' minimum
// size rather than as a byte length.
std::optional<int32_t> WireReader::ReadNullableArrayLength(const char* field,
                                                           size_t min_element_bytes) {
  size_t at = pos_;
  if (!Need(4, "ARRAY", field)) return std::nullopt;
  int32_t n = int32_t(LoadBe32(data_.data() + pos_));
  pos_ += 4;
  if (n == -1) return std::nullopt;
  if (n < 0) {
    FailAt(at, StatusCode::kCorruption, "ARRAY", field, "negative count " + std::to_string(n));
    return std::nullopt;
  }
  return CheckCount(size_t(n), at, min_element_bytes, "ARRAY", field);
}

int32_t WireReader::ReadArrayLength(const char* field, size_t min_element_bytes) {
  size_t at = pos_;
  std::optional<int32_t> n = ReadNullableArrayLength(field, min_element_bytes);
  if (!n) {
    if (ok()) FailAt(at, StatusCode::kCorruption, "ARRAY", field, "null in a non-nullable field");
    return 0;
  }
  return *n;
}

std::optional<int32_t> WireReader::ReadCompactNullableArrayLength(const char* field,
                                                                  size_t min_element_bytes) {
  size_t at = pos_;
  uint32_t n = 0;
  if (!GetUvarint32(&n, "COMPACT_ARRAY", field)) return std::nullopt;
  if (n == 0) return std::nullopt;
  return CheckCount(size_t(n) - 1, at, min_element_bytes, "COMPACT_ARRAY", field);
}

int32_t WireReader::ReadCompactArrayLength(const char* field, size_t min_element_bytes) {
  size_t at = pos_;
  std::optional<int32_t> n = ReadCompactNullableArrayLength(field, min_element_bytes);
  if (!n) {
    if (ok()) FailAt(at, StatusCode::kCorruption, "COMPACT_ARRAY", field, "null in a non-nullable field");
    return 0;
  }
  return *n;
}

// ---------------------------------------------------------------------------------------------
// Tagged fields

bool WireReader::ReadTagCount(uint32_t* count, const char* field) {
  size_t at = pos_;
  if (!GetUvarint32(count, "TAGGED_FIELDS", field)) return false;
  // Each field takes at least two bytes (tag and size), so a count is checked before looping.
  if (*count > remaining() / 2) {
    FailAt(at, StatusCode::kTruncated, "TAGGED_FIELDS", field,
           "count " + std::to_string(*count) + " exceeds what the " + std::to_string(remaining()) +
               " byte(s) remaining can hold");
    return false;
  }
  return true;
}

bool WireReader::ReadTagHeader(int64_t* last_tag, uint32_t* tag, ByteView* data,
                               size_t* data_at, const char* field) {
  size_t at = pos_;
  if (!GetUvarint32(tag, "TAGGED_FIELD", field)) return false;
  if (int64_t(*tag) <= *last_tag) {
    FailAt(at, StatusCode::kCorruption, "TAGGED_FIELD", field,
           "tag " + std::to_string(*tag) + " does not follow tag " + std::to_string(*last_tag) +
               " in ascending order");
    return false;
  }
  *last_tag = *tag;
  size_t size_at = pos_;
  uint32_t size = 0;
  if (!GetUvarint32(&size, "TAGGED_FIELD", field)) return false;
  if (size > remaining()) {
    FailAt(size_at, StatusCode::kTruncated, "TAGGED_FIELD", field,
           "tag " + std::to_string(*tag) + " size " + std::to_string(size) + " exceeds the " +
               std::to_string(remaining()) + " byte(s) remaining");
    return false;
  }
  *data_at = pos_;
  *data = data_.subspan(pos_, size);
  pos_ += size;
  return true;
}

TaggedFields WireReader::ReadTaggedFields(const char* field) {
  TaggedFields fields;
  ReadTaggedFields([](uint32_t, WireReader&) { return false; }, &fields, field);
  if (!ok()) fields.clear();
  return fields;
}

}  // namespace samsa
