#include "core/log/log_config.h"

#include <cstdint>

#include "core/record/batch_header.h"

namespace samsa {

Status LogConfig::Validate() const {
  if (max_batch_bytes < int64_t(kBatchHeaderBytes) || max_batch_bytes > INT32_MAX)
    return Status::InvalidArgument("message.max.bytes out of range");
  if (segment_bytes < 1 || segment_bytes > INT32_MAX) return Status::InvalidArgument("log.segment.bytes out of range");
  if (roll_ms < 1) return Status::InvalidArgument("log.roll.ms must be positive");
  if (retention_bytes < -1) return Status::InvalidArgument("log.retention.bytes must be >= -1");
  if (retention_ms < -1) return Status::InvalidArgument("log.retention.ms must be >= -1");
  if (index_interval_bytes < 0) return Status::InvalidArgument("log.index.interval.bytes must be >= 0");
  return Status::Ok();
}

}  // namespace samsa
