#pragma once
// Kafka framing: every request and response on a connection is one frame.
//
//   offset size field
//   0      4    size      INT32, big-endian: bytes that follow (header + body); never negative
//   4      size payload   request or response: header, then body
//
// A broker refuses frames above socket.request.max.bytes (default 104857600 = 100 MiB) by
// closing the connection; FrameDecoder reports such a size (or a negative one) as an error as
// soon as the 4-byte prefix has arrived, before buffering the body.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/bytes.h"
#include "core/base/status.h"

namespace samsa {

inline constexpr size_t kFrameSizePrefixBytes = 4;
inline constexpr size_t kDefaultMaxFrameBytes = 100 * 1024 * 1024;  // socket.request.max.bytes

// Splits a byte stream into frames. Feed it chunks exactly as they arrive (any sizes, any split
// points); it returns each complete frame's payload, size prefix stripped, in stream order.
//
// States: kReading (initial; buffers at most one incomplete frame, i.e. at most
// max_frame_bytes + 4 bytes) -> kFailed (a size prefix was negative or above the maximum). The
// transition is one-way: once failed, Feed() returns the same error, yields nothing and holds
// no buffered bytes. The caller closes the connection.
class FrameDecoder {
 public:
  explicit FrameDecoder(size_t max_frame_bytes = kDefaultMaxFrameBytes);

  // Consumes `chunk` and appends every frame it completes to *frames. Frames completed before
  // a bad size prefix are still appended; the returned status then reports the bad prefix
  // (kCorruption for a negative size, kOutOfRange for one above the maximum).
  Status Feed(ByteView chunk, std::vector<Bytes>* frames);

  const Status& status() const { return status_; }
  bool failed() const { return !status_.ok(); }
  // Bytes held for the incomplete frame at the end of the stream so far.
  size_t buffered_bytes() const { return buffer_.size() - start_; }
  size_t max_frame_bytes() const { return max_frame_bytes_; }

 private:
  size_t max_frame_bytes_;
  Bytes buffer_;
  size_t start_ = 0;  // first unconsumed byte of buffer_
  Status status_;
};

// Appends a 4-byte size prefix and the payload.
void AppendFrame(Bytes& out, ByteView payload);

// Writes a frame in place, avoiding a copy of the payload:
//   size_t at = BeginFrame(out);  ...encode header and body into out...;  FinishFrame(out, at);
size_t BeginFrame(Bytes& out);
void FinishFrame(Bytes& out, size_t frame_start);

}  // namespace samsa
