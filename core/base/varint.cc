#include "core/base/varint.h"

namespace samsa {

void PutUnsignedVarlongSlow(Bytes& out, uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  size_t n = 0;
  while (v >= 0x80) {
    buf[n++] = uint8_t(v | 0x80);
    v >>= 7;
  }
  buf[n++] = uint8_t(v);
  out.insert(out.end(), buf, buf + n);
}

size_t UnsignedVarlongSizeSlow(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

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

bool GetUnsignedVarintSlow(ByteView data, size_t* pos, uint32_t* out) {
  uint64_t v;
  if (!GetRaw(data, pos, kMaxVarint32Bytes, 32, &v)) return false;
  *out = uint32_t(v);
  return true;
}

bool GetUnsignedVarlongSlow(ByteView data, size_t* pos, uint64_t* out) {
  return GetRaw(data, pos, kMaxVarint64Bytes, 64, out);
}

}  // namespace samsa
