#include "core/record/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <span>
#include <string>

namespace samsa {
namespace {

constexpr size_t kMinOutputChunkBytes = 64 * 1024;
constexpr size_t kTrustedHintBytes = 1 << 20;
// A raw snappy block cannot expand more than 64 bytes (the longest copy) per 3-byte element: a
// length preamble beyond 32x the block is a lie, rejected before allocating for it.
constexpr size_t kSnappyMaxExpansion = 32;
constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper
constexpr int kGzipDefaultLevel = 6;
constexpr int kLz4DefaultLevel = 9;
constexpr int kZstdDefaultLevel = 3;
constexpr int kLz4MaxLevel = 17;

Status Corrupt(CompressionCodec codec, std::string_view what) {
  return Status::Corruption(std::string(CompressionCodecName(codec)) + ": " + std::string(what));
}

Status TooLarge(CompressionCodec codec, size_t max_output_bytes) {
  return Corrupt(codec, "decompressed size exceeds limit of " + std::to_string(max_output_bytes) + " bytes");
}

// A growable output buffer that never holds more than max_output_bytes + 1 bytes: decoders write
// into Space() and Commit() what they produced; one byte past the bound proves the bound is
// exceeded without decoding further.
class BoundedOutput {
 public:
  // size_hint is the expected output size, as the input claims it: it is only trusted up to
  // kTrustedHintBytes or 16x the input, so that a lying size field cannot make us allocate the
  // whole bound up front (the buffer still grows to the bound if real output needs it).
  BoundedOutput(size_t max_output_bytes, size_t size_hint, size_t input_bytes)
      : max_(max_output_bytes), limit_(max_output_bytes == SIZE_MAX ? SIZE_MAX : max_output_bytes + 1) {
    size_t trusted = std::max(kTrustedHintBytes, input_bytes > SIZE_MAX / 16 ? SIZE_MAX : input_bytes * 16);
    buf_.resize(std::min({std::max<size_t>(size_hint, 1), trusted, limit_}));
  }
  // Free space at the end of the buffer; never empty while !Exceeded().
  std::span<uint8_t> Space() {
    if (used_ == buf_.size()) {
      size_t target = std::max(kMinOutputChunkBytes, buf_.size() * 2);
      buf_.resize(std::min(target, limit_));
    }
    return std::span<uint8_t>(buf_.data() + used_, buf_.size() - used_);
  }
  void Commit(size_t n) { used_ += n; }
  bool Exceeded() const { return used_ > max_; }
  Bytes Take() && {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  size_t max_;
  size_t limit_;
  size_t used_ = 0;
  Bytes buf_;
};

// ---- gzip ----

Result<Bytes> GzipCompress(ByteView input, int level) {
  if (level == kDefaultCompressionLevel) level = kGzipDefaultLevel;
  if (level < 0 || level > 9) return Status::InvalidArgument("gzip level must be 0..9");
  if (input.size() > UINT_MAX) return Status::InvalidArgument("gzip input too large");
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return Status::InvalidArgument("gzip: deflateInit2 failed");
  Bytes out(deflateBound(&zs, uLong(input.size())));
  zs.next_in = const_cast<Bytef*>(input.data());
  zs.avail_in = uInt(input.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  int ret = deflate(&zs, Z_FINISH);
  size_t produced = zs.total_out;
  deflateEnd(&zs);
  SAMSA_ASSERT_MSG(ret == Z_STREAM_END, "deflate with a deflateBound buffer must finish");
  out.resize(produced);
  return out;
}

Result<Bytes> GzipDecompress(ByteView input, size_t max_output_bytes) {
  constexpr CompressionCodec kCodec = CompressionCodec::kGzip;
  // ISIZE (the last 4 bytes, little-endian) is the uncompressed size mod 2^32 of the last
  // member: a good first guess at the output size, clamped by the bound.
  size_t hint = input.size() * 4;
  if (input.size() >= 18) {
    const uint8_t* p = input.data() + input.size() - 4;
    // +1 leaves room for inflate to reach the trailer without another buffer growth.
    hint = (size_t(p[0]) | size_t(p[1]) << 8 | size_t(p[2]) << 16 | size_t(p[3]) << 24) + 1;
  }
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) return Corrupt(kCodec, "inflateInit2 failed");
  struct Guard {
    z_stream* zs;
    ~Guard() { inflateEnd(zs); }
  } guard{&zs};
  BoundedOutput out(max_output_bytes, hint, input.size());
  size_t consumed = 0;
  for (;;) {
    std::span<uint8_t> space = out.Space();
    size_t in_left = input.size() - consumed;
    zs.next_in = const_cast<Bytef*>(input.data() + consumed);
    zs.avail_in = uInt(std::min<size_t>(in_left, UINT_MAX));
    zs.next_out = space.data();
    zs.avail_out = uInt(std::min<size_t>(space.size(), UINT_MAX));
    uInt in_before = zs.avail_in;
    uInt out_before = zs.avail_out;
    int ret = inflate(&zs, Z_NO_FLUSH);
    size_t used_in = in_before - zs.avail_in;
    size_t produced = out_before - zs.avail_out;
    consumed += used_in;
    out.Commit(produced);
    if (out.Exceeded()) return TooLarge(kCodec, max_output_bytes);
    if (ret == Z_STREAM_END) {
      if (consumed == input.size()) return std::move(out).Take();
      // Another gzip member follows; anything else fails on its header.
      if (inflateReset(&zs) != Z_OK) return Corrupt(kCodec, "inflateReset failed");
      continue;
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR)
      return Corrupt(kCodec, zs.msg != nullptr ? zs.msg : "invalid deflate stream");
    // With room left in the output, inflate consumed everything it could: no more input means
    // the stream is cut short.
    if (consumed == input.size() && zs.avail_out > 0) return Corrupt(kCodec, "truncated stream");
    if (used_in == 0 && produced == 0) return Corrupt(kCodec, "no progress");
  }
}

// ---- snappy (xerial framing or raw) ----

Result<Bytes> SnappyCompress(ByteView input) {
  Bytes out;
  size_t blocks = input.size() / kXerialSnappyBlockInputBytes + 1;
  out.reserve(kXerialSnappyHeaderBytes + snappy::MaxCompressedLength(input.size()) + 36 * blocks);
  out.insert(out.end(), std::begin(kXerialSnappyMagic), std::end(kXerialSnappyMagic));
  PutBe32(out, 1);  // version
  PutBe32(out, 1);  // compatible version
  for (size_t pos = 0; pos < input.size(); pos += kXerialSnappyBlockInputBytes) {
    size_t n = std::min(kXerialSnappyBlockInputBytes, input.size() - pos);
    size_t at = out.size();
    out.resize(at + 4 + snappy::MaxCompressedLength(n));
    size_t compressed = 0;
    snappy::RawCompress(reinterpret_cast<const char*>(input.data() + pos), n,
                        reinterpret_cast<char*>(out.data() + at + 4), &compressed);
    StoreBe32(out.data() + at, uint32_t(compressed));
    out.resize(at + 4 + compressed);
  }
  return out;
}

// Appends the decoding of one raw snappy block to out (a plain Bytes: snappy states its
// uncompressed length up front, so the bound is checked before allocating).
Status AppendRawSnappy(ByteView block, Bytes& out, size_t max_output_bytes) {
  constexpr CompressionCodec kCodec = CompressionCodec::kSnappy;
  const char* p = reinterpret_cast<const char*>(block.data());
  size_t n = 0;
  if (!snappy::GetUncompressedLength(p, block.size(), &n)) return Corrupt(kCodec, "bad block length preamble");
  if (n > max_output_bytes - out.size()) return TooLarge(kCodec, max_output_bytes);
  if (n / kSnappyMaxExpansion > block.size()) return Corrupt(kCodec, "block length preamble impossible for its size");
  size_t at = out.size();
  out.resize(at + n);
  if (!snappy::RawUncompress(p, block.size(), reinterpret_cast<char*>(out.data() + at)))
    return Corrupt(kCodec, "invalid block");
  return Status::Ok();
}

bool HasXerialMagic(ByteView data, size_t pos) {
  return data.size() - pos >= sizeof(kXerialSnappyMagic) &&
         std::memcmp(data.data() + pos, kXerialSnappyMagic, sizeof(kXerialSnappyMagic)) == 0;
}

Result<Bytes> SnappyDecompress(ByteView input, size_t max_output_bytes) {
  constexpr CompressionCodec kCodec = CompressionCodec::kSnappy;
  Bytes out;
  if (!HasXerialMagic(input, 0)) {
    SAMSA_RETURN_IF_ERROR(AppendRawSnappy(input, out, max_output_bytes));
    return out;
  }
  // The version fields are not checked: readers in the wild (librdkafka) ignore them too.
  size_t pos = 0;
  while (pos < input.size()) {
    if (HasXerialMagic(input, pos)) {  // a (further) concatenated stream header
      if (input.size() - pos < kXerialSnappyHeaderBytes) return Corrupt(kCodec, "truncated xerial header");
      pos += kXerialSnappyHeaderBytes;
      continue;
    }
    if (input.size() - pos < 4) return Corrupt(kCodec, "truncated xerial block length");
    uint32_t length = LoadBe32(input.data() + pos);
    pos += 4;
    if (length > input.size() - pos) return Corrupt(kCodec, "xerial block longer than the input");
    SAMSA_RETURN_IF_ERROR(AppendRawSnappy(input.subspan(pos, length), out, max_output_bytes));
    pos += length;
  }
  return out;
}

// ---- lz4 frame ----

Result<Bytes> Lz4Compress(ByteView input, int level) {
  if (level == kDefaultCompressionLevel) level = kLz4DefaultLevel;
  if (level < 0 || level > kLz4MaxLevel) return Status::InvalidArgument("lz4 level must be 0..17");
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.compressionLevel = level;
  Bytes out(LZ4F_compressFrameBound(input.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return Status::InvalidArgument(std::string("lz4: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Result<Bytes> Lz4Decompress(ByteView input, size_t max_output_bytes) {
  constexpr CompressionCodec kCodec = CompressionCodec::kLz4;
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
    return Corrupt(kCodec, "cannot create decompression context");
  struct Guard {
    LZ4F_dctx* d;
    ~Guard() { LZ4F_freeDecompressionContext(d); }
  } guard{dctx};
  BoundedOutput out(max_output_bytes, std::max(kMinOutputChunkBytes, input.size() * 4), input.size());
  size_t pos = 0;
  for (;;) {
    std::span<uint8_t> space = out.Space();
    size_t dst_size = space.size();
    size_t src_size = input.size() - pos;
    size_t ret = LZ4F_decompress(dctx, space.data(), &dst_size, input.data() + pos, &src_size, nullptr);
    if (LZ4F_isError(ret)) return Corrupt(kCodec, LZ4F_getErrorName(ret));
    pos += src_size;
    out.Commit(dst_size);
    if (out.Exceeded()) return TooLarge(kCodec, max_output_bytes);
    if (ret == 0) {  // a frame ended (the context is ready for another)
      if (pos == input.size()) return std::move(out).Take();
      continue;
    }
    if (pos == input.size() && dst_size < space.size()) return Corrupt(kCodec, "truncated frame");
    if (src_size == 0 && dst_size == 0) return Corrupt(kCodec, "no progress");
  }
}

// ---- zstd ----

Result<Bytes> ZstdCompress(ByteView input, int level) {
  if (level == kDefaultCompressionLevel) level = kZstdDefaultLevel;
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) return Status::InvalidArgument("zstd level out of range");
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  SAMSA_ASSERT(cctx != nullptr);
  struct Guard {
    ZSTD_CCtx* c;
    ~Guard() { ZSTD_freeCCtx(c); }
  } guard{cctx};
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  Bytes out(ZSTD_compressBound(input.size()));
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), input.data(), input.size());
  if (ZSTD_isError(n)) return Status::InvalidArgument(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<Bytes> ZstdDecompress(ByteView input, size_t max_output_bytes) {
  constexpr CompressionCodec kCodec = CompressionCodec::kZstd;
  size_t hint = std::max(kMinOutputChunkBytes, input.size() * 4);
  unsigned long long content_size = ZSTD_getFrameContentSize(input.data(), input.size());
  if (content_size != ZSTD_CONTENTSIZE_UNKNOWN && content_size != ZSTD_CONTENTSIZE_ERROR)
    hint = size_t(std::min<unsigned long long>(content_size, SIZE_MAX - 1)) + 1;
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  SAMSA_ASSERT(dctx != nullptr);
  struct Guard {
    ZSTD_DCtx* d;
    ~Guard() { ZSTD_freeDCtx(d); }
  } guard{dctx};
  BoundedOutput out(max_output_bytes, hint, input.size());
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  for (;;) {
    std::span<uint8_t> space = out.Space();
    ZSTD_outBuffer zout{space.data(), space.size(), 0};
    size_t in_before = in.pos;
    size_t ret = ZSTD_decompressStream(dctx, &zout, &in);
    if (ZSTD_isError(ret)) return Corrupt(kCodec, ZSTD_getErrorName(ret));
    out.Commit(zout.pos);
    if (out.Exceeded()) return TooLarge(kCodec, max_output_bytes);
    if (in.pos == in.size) {
      if (ret == 0) return std::move(out).Take();  // last frame decoded and flushed
      if (zout.pos < zout.size) return Corrupt(kCodec, "truncated frame");
    } else if (in.pos == in_before && zout.pos == 0) {
      return Corrupt(kCodec, "no progress");
    }
  }
}

}  // namespace

std::string_view CompressionCodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kNone:
      return "none";
    case CompressionCodec::kGzip:
      return "gzip";
    case CompressionCodec::kSnappy:
      return "snappy";
    case CompressionCodec::kLz4:
      return "lz4";
    case CompressionCodec::kZstd:
      return "zstd";
  }
  return "unknown";
}

std::optional<CompressionCodec> CompressionCodecFromName(std::string_view name) {
  for (CompressionCodec codec : {CompressionCodec::kNone, CompressionCodec::kGzip, CompressionCodec::kSnappy,
                                 CompressionCodec::kLz4, CompressionCodec::kZstd})
    if (CompressionCodecName(codec) == name) return codec;
  return std::nullopt;
}

Result<Bytes> Compress(CompressionCodec codec, ByteView input, int level) {
  switch (codec) {
    case CompressionCodec::kNone:
      return Bytes(input.begin(), input.end());
    case CompressionCodec::kGzip:
      return GzipCompress(input, level);
    case CompressionCodec::kSnappy:
      return SnappyCompress(input);
    case CompressionCodec::kLz4:
      return Lz4Compress(input, level);
    case CompressionCodec::kZstd:
      return ZstdCompress(input, level);
  }
  return Status::InvalidArgument("unknown compression codec " + std::to_string(int(codec)));
}

Result<Bytes> Decompress(CompressionCodec codec, ByteView input, size_t max_output_bytes) {
  switch (codec) {
    case CompressionCodec::kNone:
      if (input.size() > max_output_bytes) return TooLarge(codec, max_output_bytes);
      return Bytes(input.begin(), input.end());
    case CompressionCodec::kGzip:
      return GzipDecompress(input, max_output_bytes);
    case CompressionCodec::kSnappy:
      return SnappyDecompress(input, max_output_bytes);
    case CompressionCodec::kLz4:
      return Lz4Decompress(input, max_output_bytes);
    case CompressionCodec::kZstd:
      return ZstdDecompress(input, max_output_bytes);
  }
  return Status::Corruption("unknown compression codec " + std::to_string(int(codec)));
}

}  // namespace samsa
