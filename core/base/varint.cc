#include "core/base/varint.h"

namespace samsa {

void PutUnsignedVarlong(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(uint8_t(v | 0x80));
    v >>= 7;
  }
  out.push_back(uint8_t(v));
}

void PutUnsignedVarint(Bytes& out, uint32_t v) { PutUnsignedVarlong(out, v); }


static bool GetRaw(ByteView data, size_t* pos, size_t max_bytes, int value_bits, uint64_t* out) {
  uint64_t result = 0;
  size_t p = *pos;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (p >= data.size()) return false;
    uint8_t b = data[p++];
    uint64_t group = b & 0x7f;
    int shift = int(7 * i);
    // The last permitted byte may only carry the bits that remain in the type.
    if (i == max_bytes - 1 && (group >> (value_bits - shift)) != 0) return false;
    result |= group << shift;
    if ((b & 0x80) == 0) {
      *pos = p;
      *out = result;
      return true;
    }
  }
  return false;
}

bool GetUnsignedVarint(ByteView data, size_t* pos, uint32_t* out) {
  uint64_t v;
  if (!GetRaw(data, pos, kMaxVarint32Bytes, 32, &v)) return false;
  *out = uint32_t(v);
  return true;
}

bool GetUnsignedVarlong(ByteView data, size_t* pos, uint64_t* out) {
  return GetRaw(data, pos, kMaxVarint64Bytes, 64, out);
}

bool GetVarint(ByteView data, size_t* pos, int32_t* out) {
  uint32_t v;
  if (!GetUnsignedVarint(data, pos, &v)) return false;
  *out = ZigZagDecode32(v);
  return true;
}

bool GetVarlong(ByteView data, size_t* pos, int64_t* out) {
  uint64_t v;
  if (!GetUnsignedVarlong(data, pos, &v)) return false;
  *out = ZigZagDecode64(v);
  return true;
}

}  // namespace samsa
