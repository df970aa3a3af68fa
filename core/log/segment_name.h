#pragma once
// Segment file names: the base offset (first offset of the segment) as 20 zero-padded decimal
// digits, then a suffix: "00000000000000000042.log", ".index", ".timeindex".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace samsa {

inline constexpr std::string_view kLogFileSuffix = ".log";
inline constexpr std::string_view kIndexFileSuffix = ".index";
inline constexpr std::string_view kTimeIndexFileSuffix = ".timeindex";
inline constexpr size_t kSegmentNameDigits = 20;

// "00000000000000000042" + suffix. base_offset >= 0.
std::string SegmentFileName(int64_t base_offset, std::string_view suffix);

struct ParsedSegmentName {
  int64_t base_offset = 0;
  std::string_view suffix;  // one of the k*Suffix constants above
};

// Parses a segment file name; nullopt for anything else (wrong digit count, unknown suffix).
std::optional<ParsedSegmentName> ParseSegmentFileName(std::string_view name);

}  // namespace samsa
