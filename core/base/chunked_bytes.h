#pragma once
// ChunkedBytes: a byte string stored in fixed-size chunks that copies share, for MemDisk's file
// contents (the page cache, the durable content, sync snapshots).
//
// A flat vector that grows by appends moves all of its bytes each time it outgrows its capacity
// (touching fresh pages for the whole file), and a snapshot of it copies it whole. Here an append
// writes only the new bytes, a read copies only the range asked for, and a copy (or AssignPrefix)
// shares the chunks: it costs a pointer per 64 KiB, and a chunk is copied only when one of its
// sharers changes bytes another may see (copy on write).
//
// Chunk i holds bytes [i * kChunkBytes, (i + 1) * kChunkBytes); every chunk but the last is full.
// Sharers may hold the same chunk with different lengths (one appended to it after the other took
// its copy): each reads only its own length (from size()), and appends in place only when the
// chunk ends exactly at its own length, so it never writes bytes another sharer reads. The first
// chunk grows as a vector does, so a small file costs only its size; later chunks are allocated
// whole.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/base/assert.h"
#include "core/base/bytes.h"

namespace samsa {

class ChunkedBytes {
 public:
  static constexpr size_t kChunkBytes = size_t{64} << 10;

  ChunkedBytes() = default;
  explicit ChunkedBytes(ByteView data) { Append(data); }

  uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void Append(ByteView data) {
    size_t pos = 0;
    while (pos < data.size()) {
      Bytes& last = TailForAppend();
      size_t n = std::min(data.size() - pos, kChunkBytes - last.size());
      last.insert(last.end(), data.begin() + int64_t(pos), data.begin() + int64_t(pos + n));
      size_ += n;
      pos += n;
    }
  }

  // Makes this other[0, n): shares other's chunks, copies no byte.
  void AssignPrefix(const ChunkedBytes& other, uint64_t n) {
    SAMSA_ASSERT(n <= other.size());
    if (&other == this) return Resize(n);
    chunks_.assign(other.chunks_.begin(), other.chunks_.begin() + int64_t(ChunksFor(n)));
    size_ = n;
  }

  // Appends this[offset, offset + n) to out; the range must lie within size().
  void CopyTo(uint64_t offset, size_t n, Bytes& out) const {
    SAMSA_ASSERT(offset <= size_ && n <= size_ - offset);
    out.reserve(out.size() + n);
    ForEachPiece(offset, n, [&](ByteView piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  }

  // Shrinks, or grows with zeros.
  void Resize(uint64_t size) {
    if (size <= size_) {
      chunks_.resize(ChunksFor(size));
      size_ = size;
      // A chunk nobody else holds gives back the bytes past the new end at once; a shared one
      // keeps them for its other holders (the next append here copies it first).
      if (!chunks_.empty() && chunks_.back().use_count() == 1) chunks_.back()->resize(LengthOf(chunks_.size() - 1));
      return;
    }
    uint64_t missing = size - size_;
    while (missing > 0) {
      Bytes& last = TailForAppend();
      size_t n = size_t(std::min<uint64_t>(missing, kChunkBytes - last.size()));
      last.resize(last.size() + n, 0);
      size_ += n;
      missing -= n;
    }
  }

  // Overwrites this[offset, offset + data.size()), which must lie within size().
  void Overwrite(uint64_t offset, ByteView data) {
    SAMSA_ASSERT(offset <= size_ && data.size() <= size_ - offset);
    size_t pos = 0;
    while (pos < data.size()) {
      size_t i = size_t(offset / kChunkBytes);
      size_t at = size_t(offset % kChunkBytes);
      Bytes& chunk = Writable(i);
      size_t n = std::min(data.size() - pos, LengthOf(i) - at);
      std::copy(data.begin() + int64_t(pos), data.begin() + int64_t(pos + n), chunk.begin() + int64_t(at));
      pos += n;
      offset += n;
    }
  }

  uint8_t& at(uint64_t i) {
    SAMSA_ASSERT(i < size_);
    return Writable(size_t(i / kChunkBytes))[size_t(i % kChunkBytes)];
  }

  // True when prefix equals this[0, prefix.size()).
  bool StartsWith(const ChunkedBytes& prefix) const {
    if (prefix.size_ > size_) return false;
    for (size_t i = 0; i < prefix.chunks_.size(); ++i) {
      if (prefix.chunks_[i] == chunks_[i]) continue;  // shared: the same bytes where both read
      const uint8_t* p = prefix.chunks_[i]->data();
      if (!std::equal(p, p + prefix.LengthOf(i), chunks_[i]->data())) return false;
    }
    return true;
  }

  Bytes ToBytes() const {
    Bytes out;
    CopyTo(0, size_t(size_), out);
    return out;
  }

  friend bool operator==(const ChunkedBytes& a, const ChunkedBytes& b) {
    return a.size_ == b.size_ && a.StartsWith(b);
  }

 private:
  static size_t ChunksFor(uint64_t size) { return size_t((size + kChunkBytes - 1) / kChunkBytes); }
  // How many bytes of chunk i are this string's.
  size_t LengthOf(size_t i) const {
    return i + 1 < chunks_.size() ? kChunkBytes : size_t(size_ - uint64_t(i) * kChunkBytes);
  }

  // Chunk i, for writing within this string's length: copied first when shared.
  Bytes& Writable(size_t i) {
    std::shared_ptr<Bytes>& chunk = chunks_[i];
    size_t length = LengthOf(i);
    if (chunk.use_count() > 1) {
      auto copy = std::make_shared<Bytes>();
      copy->reserve(i == 0 ? length : kChunkBytes);
      copy->assign(chunk->begin(), chunk->begin() + int64_t(length));
      chunk = std::move(copy);
    } else if (chunk->size() != length) {
      chunk->resize(length);  // bytes a former sharer appended past this string's end
    }
    return *chunk;
  }

  // The last chunk, ready to take appended bytes at its end (size() == its length here), or a new
  // one when it is full or there is none.
  Bytes& TailForAppend() {
    if (chunks_.empty() || LengthOf(chunks_.size() - 1) == kChunkBytes) {
      auto chunk = std::make_shared<Bytes>();
      if (!chunks_.empty()) chunk->reserve(kChunkBytes);
      chunks_.push_back(std::move(chunk));
      return *chunks_.back();
    }
    size_t i = chunks_.size() - 1;
    // In place when the chunk ends where this string does, even if shared: the bytes appended lie
    // past every other holder's length. Otherwise another holder appended past ours: copy.
    if (chunks_[i]->size() == LengthOf(i)) return *chunks_[i];
    return Writable(i);
  }

  template <typename Fn>
  void ForEachPiece(uint64_t offset, size_t n, Fn&& fn) const {
    while (n > 0) {
      size_t i = size_t(offset / kChunkBytes);
      size_t at = size_t(offset % kChunkBytes);
      size_t take = std::min(n, LengthOf(i) - at);
      fn(ByteView(chunks_[i]->data() + at, take));
      offset += take;
      n -= take;
    }
  }

  std::vector<std::shared_ptr<Bytes>> chunks_;
  uint64_t size_ = 0;
};

}  // namespace samsa
