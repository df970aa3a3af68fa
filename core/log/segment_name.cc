#include "core/log/segment_name.h"

#include "core/base/assert.h"

namespace samsa {

std::string SegmentFileName(int64_t base_offset, std::string_view suffix) {
  SAMSA_ASSERT(base_offset >= 0);
  std::string name(kSegmentNameDigits, '0');
  uint64_t v = uint64_t(base_offset);
  for (size_t i = kSegmentNameDigits; i > 0 && v > 0; --i, v /= 10) name[i - 1] = char('0' + v % 10);
  name.append(suffix);
  return name;
}

std::optional<ParsedSegmentName> ParseSegmentFileName(std::string_view name) {
  if (name.size() <= kSegmentNameDigits) return std::nullopt;
  std::string_view digits = name.substr(0, kSegmentNameDigits);
  std::string_view suffix = name.substr(kSegmentNameDigits);
  ParsedSegmentName out;
  if (suffix == kLogFileSuffix) {
    out.suffix = kLogFileSuffix;
  } else if (suffix == kIndexFileSuffix) {
    out.suffix = kIndexFileSuffix;
  } else if (suffix == kTimeIndexFileSuffix) {
    out.suffix = kTimeIndexFileSuffix;
  } else {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
    if (v > uint64_t(INT64_MAX)) return std::nullopt;
  }
  out.base_offset = int64_t(v);
  return out;
}

}  // namespace samsa
