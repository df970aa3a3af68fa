#pragma once
// Kafka's variable-length integers (protobuf style, base 128, little-endian groups):
// - unsigned varint: compact lengths, tagged-field tags and sizes;
// - varint/varlong: zigzag-encoded signed values in record headers and records.
// Decoders are bounds-checked: they never read past the end and reject overlong encodings.

#include <cstddef>
#include <cstdint>

#include "core/base/bytes.h"

namespace samsa {

inline constexpr size_t kMaxVarint32Bytes = 5;
inline constexpr size_t kMaxVarint64Bytes = 10;

inline uint32_t ZigZagEncode32(int32_t v) { return (uint32_t(v) << 1) ^ uint32_t(v >> 31); }
inline int32_t ZigZagDecode32(uint32_t v) { return int32_t(v >> 1) ^ -int32_t(v & 1); }
inline uint64_t ZigZagEncode64(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline int64_t ZigZagDecode64(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

// Writers into a buffer the caller has sized (at least the *Size() of the value): return the
// position after the encoding.
inline uint8_t* WriteUnsignedVarlong(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v | 0x80);
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}
inline uint8_t* WriteVarint(uint8_t* p, int32_t v) { return WriteUnsignedVarlong(p, ZigZagEncode32(v)); }
inline uint8_t* WriteVarlong(uint8_t* p, int64_t v) { return WriteUnsignedVarlong(p, ZigZagEncode64(v)); }

// Most values on the hot paths (lengths, deltas, counts) fit one byte: the inline functions below
// handle that case and leave the rest to the out-of-line general forms.
void PutUnsignedVarlongSlow(Bytes& out, uint64_t v);
size_t UnsignedVarlongSizeSlow(uint64_t v);
bool GetUnsignedVarintSlow(ByteView data, size_t* pos, uint32_t* out);
bool GetUnsignedVarlongSlow(ByteView data, size_t* pos, uint64_t* out);

inline void PutUnsignedVarlong(Bytes& out, uint64_t v) {
  if (v < 0x80) {
    out.push_back(uint8_t(v));
    return;
  }
  PutUnsignedVarlongSlow(out, v);
}
inline void PutUnsignedVarint(Bytes& out, uint32_t v) { PutUnsignedVarlong(out, v); }
inline void PutVarint(Bytes& out, int32_t v) { PutUnsignedVarint(out, ZigZagEncode32(v)); }
inline void PutVarlong(Bytes& out, int64_t v) { PutUnsignedVarlong(out, ZigZagEncode64(v)); }
inline size_t UnsignedVarlongSize(uint64_t v) { return v < 0x80 ? 1 : UnsignedVarlongSizeSlow(v); }
inline size_t UnsignedVarintSize(uint32_t v) { return UnsignedVarlongSize(v); }
inline size_t VarintSize(int32_t v) { return UnsignedVarintSize(ZigZagEncode32(v)); }
inline size_t VarlongSize(int64_t v) { return UnsignedVarlongSize(ZigZagEncode64(v)); }

// Each decoder reads from data[*pos], advances *pos and returns true, or returns false (leaving
// *pos unchanged) when the input is truncated or the encoding is too long for the type.
inline bool GetUnsignedVarint(ByteView data, size_t* pos, uint32_t* out) {
  size_t p = *pos;
  if (p < data.size() && data[p] < 0x80) {
    *out = data[p];
    *pos = p + 1;
    return true;
  }
  return GetUnsignedVarintSlow(data, pos, out);
}
inline bool GetUnsignedVarlong(ByteView data, size_t* pos, uint64_t* out) {
  size_t p = *pos;
  if (p < data.size() && data[p] < 0x80) {
    *out = data[p];
    *pos = p + 1;
    return true;
  }
  return GetUnsignedVarlongSlow(data, pos, out);
}
inline bool GetVarint(ByteView data, size_t* pos, int32_t* out) {
  uint32_t v;
  if (!GetUnsignedVarint(data, pos, &v)) return false;
  *out = ZigZagDecode32(v);
  return true;
}
inline bool GetVarlong(ByteView data, size_t* pos, int64_t* out) {
  uint64_t v;
  if (!GetUnsignedVarlong(data, pos, &v)) return false;
  *out = ZigZagDecode64(v);
  return true;
}

}  // namespace samsa
