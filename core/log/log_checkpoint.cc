#include "core/log/log_checkpoint.h"

#include <charconv>

namespace samsa {

std::string EncodeLogCheckpoint(const LogCheckpoint& checkpoint) {
  return "0\n" + std::to_string(checkpoint.recovery_point) + "\n" + std::to_string(checkpoint.log_start_offset) +
         "\n";
}

Result<LogCheckpoint> ParseLogCheckpoint(std::string_view text) {
  int64_t values[3] = {0, 0, 0};
  for (int64_t& v : values) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos || nl == 0) return Status::Corruption("recovery-point: truncated");
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + nl, v);
    if (ec != std::errc() || ptr != text.data() + nl || v < 0) return Status::Corruption("recovery-point: bad line");
    text.remove_prefix(nl + 1);
  }
  if (values[0] != 0) return Status::Corruption("recovery-point: unknown version");
  if (!text.empty()) return Status::Corruption("recovery-point: trailing bytes");
  return LogCheckpoint{values[1], values[2]};
}

}  // namespace samsa
