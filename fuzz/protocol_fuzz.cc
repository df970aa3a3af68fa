// libFuzzer target for core/protocol: primitive reads, tagged fields, request/response headers
// and framing over arbitrary bytes.
//
// Input layout: byte 0 = program length L (mod 32); bytes 1..L = a program of primitive reads
// (one opcode per byte); the rest is what the WireReader reads. The program repeats until the
// reader fails or runs dry. Every value read is re-encoded with WireWriter; decoding that
// encoding with the same program must succeed and re-encode to identical bytes (the canonical
// form is a fixed point). The whole input is also decoded as request headers of every version,
// response headers, and fed to FrameDecoder in input-chosen chunks, checking that the frames
// it returns re-frame to exactly the bytes it consumed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/api_keys.h"
#include "core/protocol/error_codes.h"
#include "core/protocol/framing.h"
#include "core/protocol/header.h"
#include "core/protocol/wire.h"

namespace samsa {
namespace {

void Check(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "protocol_fuzz: property violated: %s\n", what);
    std::abort();
  }
}

enum Op : uint8_t {
  kBool, kInt8, kInt16, kInt32, kInt64, kUint16, kUint32, kVarint, kVarlong, kUvarint, kFloat64,
  kUuid, kString, kNullableString, kCompactString, kCompactNullableString, kBytes, kNullableBytes,
  kCompactBytes, kCompactNullableBytes, kRecords, kCompactRecords, kArray, kNullableArray,
  kCompactArray, kCompactNullableArray, kTaggedFields, kTaggedFieldsStreaming, kRaw,
  kNumOps
};

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string_view(*s);
}

// Decodes the sub-field of a "known" tag as one primitive chosen by the tag, re-encoding it.
bool DecodeKnownTag(uint32_t tag, WireReader& sub, TaggedFields* out) {
  if (tag % 2 != 0) return false;
  Bytes enc;
  WireWriter w(enc);
  switch ((tag / 2) % 4) {
    case 0: w.WriteInt32(sub.ReadInt32("t.int32")); break;
    case 1: w.WriteCompactString(sub.ReadCompactString("t.string")); break;
    case 2: w.WriteUuid(sub.ReadUuid("t.uuid")); break;
    default: {
      int32_t n = sub.ReadCompactArrayLength("t.array", 1);
      w.WriteCompactArrayLength(n);
      for (int32_t i = 0; i < n && sub.ok(); ++i) w.WriteVarint(sub.ReadVarint("t.elem"));
      break;
    }
  }
  // The caller checks that the sub-reader consumed everything; an error leaves `out` unused.
  if (sub.ok()) out->push_back({tag, std::move(enc)});
  return true;
}

// Executes one op: reads a value from r and writes its canonical encoding to w.
void Step(Op op, WireReader& r, WireWriter& w) {
  switch (op) {
    case kBool: w.WriteBool(r.ReadBool("b")); break;
    case kInt8: w.WriteInt8(r.ReadInt8("i8")); break;
    case kInt16: w.WriteInt16(r.ReadInt16("i16")); break;
    case kInt32: w.WriteInt32(r.ReadInt32("i32")); break;
    case kInt64: w.WriteInt64(r.ReadInt64("i64")); break;
    case kUint16: w.WriteUint16(r.ReadUint16("u16")); break;
    case kUint32: w.WriteUint32(r.ReadUint32("u32")); break;
    case kVarint: w.WriteVarint(r.ReadVarint("varint")); break;
    case kVarlong: w.WriteVarlong(r.ReadVarlong("varlong")); break;
    case kUvarint: w.WriteUnsignedVarint(r.ReadUnsignedVarint("uvarint")); break;
    case kFloat64: w.WriteFloat64(r.ReadFloat64("f64")); break;
    case kUuid: w.WriteUuid(r.ReadUuid("uuid")); break;
    case kString: w.WriteString(r.ReadString("s")); break;
    case kNullableString: w.WriteNullableString(View(r.ReadNullableString("ns"))); break;
    case kCompactString: w.WriteCompactString(r.ReadCompactString("cs")); break;
    case kCompactNullableString:
      w.WriteCompactNullableString(View(r.ReadCompactNullableString("cns")));
      break;
    case kBytes: w.WriteBytes(r.ReadBytes("by")); break;
    case kNullableBytes: w.WriteNullableBytes(r.ReadNullableBytes("nby")); break;
    case kCompactBytes: w.WriteCompactBytes(r.ReadCompactBytes("cby")); break;
    case kCompactNullableBytes: w.WriteCompactNullableBytes(r.ReadCompactNullableBytes("cnby")); break;
    case kRecords: w.WriteRecords(r.ReadRecords("rec")); break;
    case kCompactRecords: w.WriteCompactRecords(r.ReadCompactRecords("crec")); break;
    case kArray: {
      // Arrays of INT16: count checked against 2-byte elements, then reserved.
      int32_t n = r.ReadArrayLength("arr", 2);
      std::vector<int16_t> v;
      v.reserve(size_t(n));
      for (int32_t i = 0; i < n && r.ok(); ++i) v.push_back(r.ReadInt16("arr.elem"));
      w.WriteArrayLength(int32_t(v.size()));
      for (int16_t x : v) w.WriteInt16(x);
      break;
    }
    case kNullableArray: {
      std::optional<int32_t> n = r.ReadNullableArrayLength("narr");
      std::vector<std::string> v;
      if (n) v.reserve(size_t(*n));
      for (int32_t i = 0; n && i < *n && r.ok(); ++i) v.push_back(r.ReadString("narr.elem"));
      w.WriteArrayLength(n ? int32_t(v.size()) : -1);
      for (const std::string& s : v) w.WriteString(s);
      break;
    }
    case kCompactArray: {
      int32_t n = r.ReadCompactArrayLength("carr", 16);
      std::vector<Uuid> v;
      v.reserve(size_t(n));
      for (int32_t i = 0; i < n && r.ok(); ++i) v.push_back(r.ReadUuid("carr.elem"));
      w.WriteCompactArrayLength(int32_t(v.size()));
      for (const Uuid& u : v) w.WriteUuid(u);
      break;
    }
    case kCompactNullableArray: {
      std::optional<int32_t> n = r.ReadCompactNullableArrayLength("cnarr");
      std::vector<std::optional<std::string>> v;
      for (int32_t i = 0; n && i < *n && r.ok(); ++i) v.push_back(r.ReadCompactNullableString("e"));
      w.WriteCompactArrayLength(n ? int32_t(v.size()) : -1);
      for (const auto& s : v) w.WriteCompactNullableString(View(s));
      break;
    }
    case kTaggedFields: w.WriteTaggedFields(r.ReadTaggedFields("tags")); break;
    case kTaggedFieldsStreaming: {
      TaggedFields known, unknown;
      r.ReadTaggedFields([&](uint32_t tag, WireReader& sub) { return DecodeKnownTag(tag, sub, &known); },
                         &unknown, "stags");
      // Merge known (re-encoded) and unknown (preserved) fields back into tag order.
      TaggedFields all;
      size_t a = 0, b = 0;
      while (a < known.size() || b < unknown.size()) {
        if (b == unknown.size() || (a < known.size() && known[a].tag < unknown[b].tag)) {
          all.push_back(known[a++]);
        } else {
          all.push_back(unknown[b++]);
        }
      }
      if (r.ok()) w.WriteTaggedFields(all);
      break;
    }
    case kRaw: w.WriteRaw(r.ReadRaw(3, "raw")); break;
    case kNumOps: break;
  }
}

// Runs the program over input; returns the canonical re-encoding, and whether it all decoded.
bool Run(const std::vector<Op>& program, ByteView input, Bytes* out, size_t* steps) {
  WireReader r(input);
  WireWriter w(*out);
  size_t n = 0;
  while (r.ok() && !r.AtEnd() && n < 4096) {
    for (Op op : program) {
      Bytes scratch;
      WireWriter sw(scratch);
      Step(op, r, sw);
      if (!r.ok()) break;
      ++n;  // successful steps only: the check pass replays exactly these
      w.WriteRaw(scratch);
    }
  }
  *steps = n;
  Check(r.position() <= input.size(), "reader position within input");
  if (!r.ok()) {
    Check(!r.status().message().empty(), "error has a message");
    Check(r.status().code() == StatusCode::kTruncated || r.status().code() == StatusCode::kCorruption,
          "reader errors are truncation or corruption");
  }
  return r.ok();
}

void FuzzPrimitives(const uint8_t* data, size_t size) {
  if (size == 0) return;
  size_t program_len = std::min<size_t>(data[0] % 32, size - 1);
  std::vector<Op> program;
  for (size_t i = 0; i < program_len; ++i) program.push_back(Op(data[1 + i] % kNumOps));
  if (program.empty()) program.push_back(Op(data[0] % kNumOps));
  ByteView input(data + 1 + program_len, size - 1 - program_len);

  Bytes first;
  size_t steps1 = 0;
  Run(program, input, &first, &steps1);
  // Decoding the canonical form of what was decoded must succeed over the same step count and
  // reproduce it exactly.
  Bytes second;
  WireReader check(first);
  WireWriter w2(second);
  size_t n = 0;
  for (size_t k = 0; n < steps1 && check.ok(); ++k) {
    Bytes scratch;
    WireWriter sw(scratch);
    Step(program[k % program.size()], check, sw);
    ++n;
    w2.WriteRaw(scratch);
  }
  Check(check.ok(), "canonical encoding decodes");
  Check(check.AtEnd(), "canonical encoding fully consumed");
  Check(second == first, "canonical encoding is a fixed point");
}

void FuzzHeaders(ByteView input) {
  // Table-driven request header, as the broker reads a frame.
  size_t body_offset = 0;
  Result<RequestHeader> h = DecodeRequestHeader(input, &body_offset);
  if (h.ok()) {
    Check(body_offset <= input.size(), "body offset within frame");
    Check(ApiKeyFromInt(int16_t(h->api_key)).has_value(), "decoded api key is known");
    Bytes enc;
    WireWriter w(enc);
    WriteRequestHeader(w, *h);
    Result<RequestHeader> again = DecodeRequestHeader(enc);
    Check(again.ok() && *again == *h, "request header round trip");
  } else {
    StatusCode c = h.status().code();
    Check(c == StatusCode::kTruncated || c == StatusCode::kCorruption || c == StatusCode::kUnsupported,
          "request header error kind");
  }
  for (int16_t version = 0; version <= 2; ++version) {
    WireReader r(input);
    RequestHeader rh;
    if (ReadRequestHeader(r, version, &rh).ok()) {
      Bytes enc;
      WireWriter w(enc);
      WriteRequestHeader(w, rh, version);
      WireReader r2(enc);
      RequestHeader rh2;
      Check(ReadRequestHeader(r2, version, &rh2).ok() && rh2 == rh && r2.AtEnd(),
            "explicit request header round trip");
    }
  }
  for (int16_t version = 0; version <= 1; ++version) {
    WireReader r(input);
    ResponseHeader rh;
    if (ReadResponseHeader(r, version, &rh).ok()) {
      Bytes enc;
      WireWriter w(enc);
      WriteResponseHeader(w, rh, version);
      WireReader r2(enc);
      ResponseHeader rh2;
      Check(ReadResponseHeader(r2, version, &rh2).ok() && rh2 == rh && r2.AtEnd(),
            "response header round trip");
    }
  }
  // Table lookups on whatever the first bytes say.
  if (input.size() >= 4) {
    int16_t key = int16_t(LoadBe16(input.data()));
    int16_t version = int16_t(LoadBe16(input.data() + 2));
    int16_t req = RequestHeaderVersion(ApiKey(key), version);
    int16_t resp = ResponseHeaderVersion(ApiKey(key), version);
    Check((req == -1) == (FindApi(key) == nullptr), "header version for unknown keys");
    Check(req >= -1 && req <= 2 && resp >= -1 && resp <= 1, "header version range");
    (void)ApiKeyName(ApiKey(key));
    (void)ErrorCodeName(ErrorCode(key));
    (void)IsRetriable(ErrorCode(key));
  }
}

void FuzzFraming(const uint8_t* data, size_t size) {
  if (size == 0) return;
  // Small maximum so that both accepted and oversize frames are common.
  size_t max_frame = (data[0] & 1) ? 64 : kDefaultMaxFrameBytes;
  FrameDecoder d(max_frame);
  std::vector<Bytes> frames;
  ByteView input(data + 1, size - 1);
  size_t pos = 0;
  size_t chunk_seed = data[0];
  Status s;
  while (pos < input.size() && s.ok()) {
    size_t n = std::min(input.size() - pos, 1 + (chunk_seed % 17));
    chunk_seed = chunk_seed * 31 + 7;
    s = d.Feed(input.subspan(pos, n), &frames);
    pos += n;
  }
  Bytes reframed;
  for (const Bytes& f : frames) {
    Check(f.size() <= max_frame, "frame within maximum");
    AppendFrame(reframed, f);
  }
  Check(reframed.size() <= pos, "frames within consumed input");
  Check(std::equal(reframed.begin(), reframed.end(), input.begin()), "frames re-frame to the input");
  if (s.ok()) {
    Check(reframed.size() + d.buffered_bytes() == pos, "every byte is framed or buffered");
  } else {
    Check(d.failed() && d.buffered_bytes() == 0, "failed decoder holds nothing");
  }
}

}  // namespace
}  // namespace samsa

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  samsa::FuzzPrimitives(data, size);
  samsa::FuzzHeaders(samsa::ByteView(data, size));
  samsa::FuzzFraming(data, size);
  return 0;
}
