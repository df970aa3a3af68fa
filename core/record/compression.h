#pragma once
// Compression codecs of RecordBatch v2, in the framing Kafka clients put on the wire.
//
// A compressed batch carries all its records, encoded back to back, as ONE compressed blob
// after the 61-byte header (see core/record/batch_header.h). Each codec's framing:
//
//   gzip    RFC 1952 gzip member(s): 1f 8b 08 FLG MTIME(4) XFL OS ... deflate ... CRC32 ISIZE.
//           Concatenated members are decoded one after another (as java.util.zip does).
//   snappy  The snappy-java ("xerial") stream that the Java producer writes:
//             offset size field
//             0      8    magic 82 53 4e 41 50 50 59 00  ("\x82SNAPPY\0")
//             8      4    version             int32 BE, = 1
//             12     4    compatible version  int32 BE, = 1
//             16     ...  blocks: [int32 BE compressed length][raw snappy block of <= 32 KiB input]
//           A stream may be followed by another whole stream (the magic appears where a block
//           length would). Decompression also accepts one plain raw snappy block, which
//           librdkafka and old producers send; a blob starting with the magic is xerial.
//   lz4     The LZ4 frame format (magic 04 22 4d 18, frame descriptor with the correct header
//           checksum as in KIP-57, blocks, end mark, optional content checksum). We write
//           independent 64 KiB blocks (the Java consumer rejects linked blocks) with a content
//           checksum; any valid frame, or several concatenated, decodes.
//   zstd    Standard zstd frame(s); decoded with the streaming API since frames written by
//           streaming encoders do not carry their content size. We write a content checksum.
//
// Contracts:
// - Decompress never returns more than max_output_bytes bytes: once the output would exceed the
//   bound it stops and fails, so a small blob that expands hugely costs at most the bound in
//   memory. Malformed, truncated or trailing-garbage input, and output over the bound, all yield
//   a Corruption status; nothing crashes or reads out of bounds.
// - Codec values outside 0..4 (the three spare attribute bits) are Corruption for Decompress
//   (they come from the wire) and InvalidArgument for Compress.
// - kNone copies (Decompress still applies the bound).

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/base/bytes.h"
#include "core/base/status.h"
#include "core/record/batch_header.h"

namespace samsa {

// Use the codec's Kafka default level: gzip 6 (zlib's default), lz4 9, zstd 3. Snappy has no
// levels and ignores the argument.
inline constexpr int kDefaultCompressionLevel = -1000;

// Accepted explicit levels (others are InvalidArgument): gzip 0..9, lz4 0..17 (above 12 means
// 12; 0 and 1 are the fast compressor, 3+ the HC one), zstd ZSTD_minCLevel()..ZSTD_maxCLevel().
Result<Bytes> Compress(CompressionCodec codec, ByteView input, int level = kDefaultCompressionLevel);

Result<Bytes> Decompress(CompressionCodec codec, ByteView input, size_t max_output_bytes);

// "none", "gzip", "snappy", "lz4", "zstd" (Kafka's compression.type names), or "unknown".
std::string_view CompressionCodecName(CompressionCodec codec);
// The codec of one of those names; nullopt for any other.
std::optional<CompressionCodec> CompressionCodecFromName(std::string_view name);

// The snappy-java stream magic, for tests and tools.
inline constexpr uint8_t kXerialSnappyMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
inline constexpr size_t kXerialSnappyHeaderBytes = 16;
// Input bytes per xerial block that we write (snappy-java's default block size).
inline constexpr size_t kXerialSnappyBlockInputBytes = 32 * 1024;

}  // namespace samsa
