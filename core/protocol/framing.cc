#include "core/protocol/framing.h"

#include <limits>
#include <string>

#include "core/base/assert.h"

namespace samsa {

namespace {
constexpr size_t kKeepCapacityBytes = 1 << 20;
}  // namespace

FrameDecoder::FrameDecoder(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {
  SAMSA_ASSERT_MSG(max_frame_bytes <= size_t(std::numeric_limits<int32_t>::max()),
                   "max frame size must fit a frame's INT32 size");
}

Status FrameDecoder::Feed(ByteView chunk, std::vector<Bytes>* frames) {
  if (!status_.ok()) return status_;
  // Drop consumed bytes before growing. Only the tail of an incomplete frame that started in the
  // previous chunk moves, so the cost stays linear in the input.
  if (start_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + ptrdiff_t(start_));
    start_ = 0;
  }
  Append(buffer_, chunk);

  while (buffer_.size() - start_ >= kFrameSizePrefixBytes) {
    int32_t size = int32_t(LoadBe32(buffer_.data() + start_));
    if (size < 0) {
      status_ = Status::Corruption("frame: negative size " + std::to_string(size));
    } else if (size_t(size) > max_frame_bytes_) {
      status_ = Status::OutOfRange("frame: size " + std::to_string(size) + " exceeds the maximum " +
                                   std::to_string(max_frame_bytes_));
    }
    if (!status_.ok()) {
      Bytes().swap(buffer_);
      start_ = 0;
      return status_;
    }
    size_t end = start_ + kFrameSizePrefixBytes + size_t(size);
    if (end > buffer_.size()) break;
    frames->emplace_back(buffer_.begin() + ptrdiff_t(start_ + kFrameSizePrefixBytes),
                         buffer_.begin() + ptrdiff_t(end));
    start_ = end;
  }
  if (start_ == buffer_.size()) {
    // Nothing pending: return memory a large frame left behind.
    if (buffer_.capacity() > kKeepCapacityBytes) {
      Bytes().swap(buffer_);
    } else {
      buffer_.clear();
    }
    start_ = 0;
  }
  return Status::Ok();
}

void AppendFrame(Bytes& out, ByteView payload) {
  SAMSA_ASSERT_MSG(payload.size() <= size_t(std::numeric_limits<int32_t>::max()), "frame too large");
  PutBe32(out, uint32_t(payload.size()));
  Append(out, payload);
}

size_t BeginFrame(Bytes& out) {
  size_t at = out.size();
  out.resize(at + kFrameSizePrefixBytes);
  return at;
}

void FinishFrame(Bytes& out, size_t frame_start) {
  SAMSA_ASSERT(frame_start + kFrameSizePrefixBytes <= out.size());
  size_t size = out.size() - frame_start - kFrameSizePrefixBytes;
  SAMSA_ASSERT_MSG(size <= size_t(std::numeric_limits<int32_t>::max()), "frame too large");
  StoreBe32(out.data() + frame_start, uint32_t(size));
}

}  // namespace samsa
