#include "core/base/bytes.h"

namespace samsa {

std::string HexString(ByteView b, size_t max_bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  size_t n = b.size() < max_bytes ? b.size() : max_bytes;
  out.reserve(n * 2 + 3);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[b[i] >> 4]);
    out.push_back(kDigits[b[i] & 15]);
  }
  if (n < b.size()) out += "...";
  return out;
}

}  // namespace samsa
