#include "core/base/crc32c.h"

#include <isa-l/crc.h>

#include <climits>

namespace samsa {

// ISA-L's crc32_iscsi takes and returns the raw register (no final inversion), so a standard
// CRC-32C is crc32_iscsi(data, len, ~0) ^ ~0, and extension feeds back the un-inverted value.
uint32_t Crc32cExtend(uint32_t crc, ByteView data) {
  uint32_t reg = ~crc;
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n > 0) {
    int chunk = n > size_t(INT_MAX) ? INT_MAX : int(n);
    reg = crc32_iscsi(const_cast<unsigned char*>(p), chunk, reg);
    p += chunk;
    n -= size_t(chunk);
  }
  return ~reg;
}

uint32_t Crc32c(ByteView data) { return Crc32cExtend(0, data); }

}  // namespace samsa
