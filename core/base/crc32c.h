#pragma once
// CRC-32C (Castagnoli), as Kafka's RecordBatch v2 uses. Hardware-accelerated through Intel ISA-L.
// Check value: Crc32c("123456789") == 0xE3069283.

#include <cstdint>

#include "core/base/bytes.h"

namespace samsa {

uint32_t Crc32c(ByteView data);
// Continues a CRC: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Crc32cExtend(uint32_t crc, ByteView data);

}  // namespace samsa
