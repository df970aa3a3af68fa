#include "core/protocol/wire.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <functional>
#include <cstdlib>
#include <limits>
#include <new>
#include <variant>

#include "core/base/prng.h"

// Largest single allocation while tracking is on: proves hostile lengths allocate nothing big.
// (This replaces the global allocator for the whole protocol_test binary; it only counts.)
namespace {
bool g_track_allocations = false;
size_t g_largest_allocation = 0;
}  // namespace

// GCC flags malloc/free inside replacement operators once they are inlined; they do match.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpragmas"
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t n) {
  if (g_track_allocations && n > g_largest_allocation) g_largest_allocation = n;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
// The nothrow forms too (std::stable_sort's temporary buffer uses them): every form of new and
// delete must come from the same pair, or ASan reports an alloc-dealloc mismatch.
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  if (g_track_allocations && n > g_largest_allocation) g_largest_allocation = n;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace samsa {
namespace {

Bytes B(std::initializer_list<int> v) {
  Bytes out;
  for (int x : v) out.push_back(uint8_t(x));
  return out;
}

template <typename F>
Bytes Encode(F&& f) {
  Bytes out;
  WireWriter w(out);
  f(w);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Known answers, worked out by hand from the protocol documentation.

TEST(WireKnownAnswer, FixedWidth) {
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteBool(true); }), B({0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteBool(false); }), B({0x00}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt8(-1); }), B({0xff}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt8(0x7f); }), B({0x7f}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt16(0x1234); }), B({0x12, 0x34}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt16(-2); }), B({0xff, 0xfe}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt32(1); }), B({0, 0, 0, 1}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt32(-1); }), B({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt32(std::numeric_limits<int32_t>::min()); }),
            B({0x80, 0, 0, 0}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt64(0x0102030405060708); }),
            B({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteInt64(-1); }), Bytes(8, 0xff));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUint16(65535); }), B({0xff, 0xff}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUint32(0xdeadbeef); }), B({0xde, 0xad, 0xbe, 0xef}));
  // IEEE 754: 1.0 = 0x3ff0000000000000, -2.5 = 0xc004000000000000.
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteFloat64(1.0); }), B({0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteFloat64(-2.5); }), B({0xc0, 0x04, 0, 0, 0, 0, 0, 0}));
}

TEST(WireKnownAnswer, ReadFixedWidth) {
  Bytes in = B({0x02, 0xff, 0xff, 0xfe, 0x80, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff,
                0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8});
  WireReader r(in);
  EXPECT_TRUE(r.ReadBool());  // any non-zero byte is true
  EXPECT_EQ(r.ReadInt8(), -1);
  EXPECT_EQ(r.ReadInt16(), -2);
  EXPECT_EQ(r.ReadInt32(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(r.ReadUint32(), 0xdeadbeefu);
  EXPECT_EQ(r.ReadUint16(), 65535);
  EXPECT_EQ(r.ReadFloat64(), 1.0);
  EXPECT_EQ(r.ReadInt64(), 0x0102030405060708);
  EXPECT_TRUE(r.AtEnd());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(WireKnownAnswer, Varints) {
  // zigzag: 0->0, -1->1, 1->2, -64->127, 64->128, 300->600
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(0); }), B({0x00}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(-1); }), B({0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(1); }), B({0x02}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(-64); }), B({0x7f}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(64); }), B({0x80, 0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(300); }), B({0xd8, 0x04}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(std::numeric_limits<int32_t>::max()); }),
            B({0xfe, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarint(std::numeric_limits<int32_t>::min()); }),
            B({0xff, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarlong(-1); }), B({0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteVarlong(std::numeric_limits<int64_t>::min()); }),
            B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUnsignedVarint(0); }), B({0x00}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUnsignedVarint(127); }), B({0x7f}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUnsignedVarint(128); }), B({0x80, 0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUnsignedVarint(300); }), B({0xac, 0x02}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteUnsignedVarint(0xffffffff); }),
            B({0xff, 0xff, 0xff, 0xff, 0x0f}));

  Bytes in = B({0xd8, 0x04, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  WireReader r(in);
  EXPECT_EQ(r.ReadVarint(), 300);
  EXPECT_EQ(r.ReadUnsignedVarint(), 300u);
  EXPECT_EQ(r.ReadVarlong(), std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(r.ok() && r.AtEnd());
}

TEST(WireKnownAnswer, NonMinimalVarintIsAccepted) {
  // 0 written in two groups: Kafka's readers accept it, as long as it fits the byte limit.
  Bytes in = B({0x80, 0x00});
  WireReader r(in);
  EXPECT_EQ(r.ReadUnsignedVarint(), 0u);
  EXPECT_TRUE(r.ok() && r.AtEnd());
}

TEST(WireKnownAnswer, Uuid) {
  Uuid id = Uuid::FromHalves(0x0123456789abcdef, 0xfedcba9876543210);
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteUuid(id); }),
            B({0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54,
               0x32, 0x10}));
  EXPECT_EQ(id.ToString(), "01234567-89ab-cdef-fedc-ba9876543210");
  EXPECT_EQ(id.most_significant(), 0x0123456789abcdefu);
  EXPECT_EQ(id.least_significant(), 0xfedcba9876543210u);
  EXPECT_EQ(Uuid::Parse("01234567-89AB-cdef-fedc-ba9876543210"), id);
  EXPECT_FALSE(Uuid::Parse("01234567-89ab-cdef-fedc-ba987654321"));
  EXPECT_FALSE(Uuid::Parse("01234567x89ab-cdef-fedc-ba9876543210"));
  EXPECT_FALSE(Uuid::Parse("01234567-89ab-cdef-fedc-ba987654321g"));
  EXPECT_TRUE(Uuid().IsZero());
  EXPECT_FALSE(id.IsZero());
  // Kafka prints ids as unpadded URL-safe base64; its metadata topic id is (0, 1).
  EXPECT_EQ(Uuid().ToKafkaString(), "AAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(Uuid::FromHalves(0, 1).ToKafkaString(), "AAAAAAAAAAAAAAAAAAAAAQ");
  EXPECT_EQ(Uuid::FromHalves(~0ull, ~0ull).ToKafkaString(), "_____________________w");

  Bytes in = Encode([&](WireWriter& w) { w.WriteUuid(id); });
  WireReader r(in);
  EXPECT_EQ(r.ReadUuid(), id);
  EXPECT_TRUE(r.ok() && r.AtEnd());
  EXPECT_LT(Uuid::FromHalves(0, 1), Uuid::FromHalves(1, 0));
}

TEST(WireKnownAnswer, Strings) {
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteString("abc"); }), B({0x00, 0x03, 0x61, 0x62, 0x63}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteString(""); }), B({0x00, 0x00}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteNullableString(std::nullopt); }), B({0xff, 0xff}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteNullableString("a"); }), B({0x00, 0x01, 0x61}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactString("abc"); }), B({0x04, 0x61, 0x62, 0x63}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactString(""); }), B({0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactNullableString(std::nullopt); }), B({0x00}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactNullableString(""); }), B({0x01}));
  std::string s127(127, 'x');  // 128 = length + 1 needs two varint bytes
  Bytes c127 = Encode([&](WireWriter& w) { w.WriteCompactString(s127); });
  ASSERT_EQ(c127.size(), 129u);
  EXPECT_EQ(c127[0], 0x80);
  EXPECT_EQ(c127[1], 0x01);

  Bytes in = B({0x00, 0x03, 0x61, 0x62, 0x63, 0xff, 0xff, 0x04, 0x61, 0x62, 0x63, 0x00, 0x01});
  WireReader r(in);
  EXPECT_EQ(r.ReadString(), "abc");
  EXPECT_EQ(r.ReadNullableString(), std::nullopt);
  EXPECT_EQ(r.ReadCompactString(), "abc");
  EXPECT_EQ(r.ReadCompactNullableString(), std::nullopt);
  EXPECT_EQ(r.ReadCompactNullableString(), std::optional<std::string>(""));
  EXPECT_TRUE(r.ok() && r.AtEnd());
}

TEST(WireKnownAnswer, BytesAndRecords) {
  Bytes two = B({1, 2});
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteBytes(two); }), B({0, 0, 0, 2, 1, 2}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteNullableBytes(std::nullopt); }),
            B({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteCompactBytes(two); }), B({0x03, 1, 2}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteCompactNullableBytes(std::nullopt); }), B({0x00}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteRecords(std::nullopt); }), B({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteRecords(ByteView(two)); }), B({0, 0, 0, 2, 1, 2}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteCompactRecords(ByteView(two)); }), B({0x03, 1, 2}));
  EXPECT_EQ(Encode([&](WireWriter& w) { w.WriteCompactRecords(std::nullopt); }), B({0x00}));

  Bytes in = B({0, 0, 0, 2, 1, 2, 0xff, 0xff, 0xff, 0xff, 0x03, 1, 2, 0x00, 0x01});
  WireReader r(in);
  ByteView v = r.ReadBytes();
  EXPECT_EQ(Bytes(v.begin(), v.end()), two);
  EXPECT_EQ(v.data(), in.data() + 4);  // a view into the input, not a copy
  EXPECT_FALSE(r.ReadRecords().has_value());
  v = r.ReadCompactBytes();
  EXPECT_EQ(Bytes(v.begin(), v.end()), two);
  EXPECT_FALSE(r.ReadCompactRecords().has_value());
  std::optional<ByteView> empty = r.ReadCompactNullableBytes();
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_TRUE(r.ok() && r.AtEnd());
}

TEST(WireKnownAnswer, ArrayLengths) {
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteArrayLength(3); }), B({0, 0, 0, 3}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteArrayLength(-1); }), B({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactArrayLength(3); }), B({0x04}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactArrayLength(0); }), B({0x01}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteCompactArrayLength(-1); }), B({0x00}));

  Bytes in = B({0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0xaa});
  WireReader r(in);
  EXPECT_EQ(r.ReadNullableArrayLength(), std::nullopt);
  EXPECT_EQ(r.ReadArrayLength(), 0);
  EXPECT_EQ(r.ReadCompactNullableArrayLength(), std::nullopt);
  EXPECT_EQ(r.ReadCompactArrayLength(), 0);
  EXPECT_EQ(r.ReadCompactArrayLength(), 1);
  EXPECT_EQ(r.ReadInt8(), int8_t(0xaa));
  EXPECT_TRUE(r.ok() && r.AtEnd());
}

TEST(WireKnownAnswer, TaggedFields) {
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteEmptyTaggedFields(); }), B({0x00}));
  EXPECT_EQ(Encode([](WireWriter& w) { w.WriteTaggedFields({}); }), B({0x00}));
  TaggedFields fields = {{0, ToBytes("ab")}, {3, B({0x01})}};
  Bytes enc = Encode([&](WireWriter& w) { w.WriteTaggedFields(fields); });
  EXPECT_EQ(enc, B({0x02, 0x00, 0x02, 0x61, 0x62, 0x03, 0x01, 0x01}));
  WireReader r(enc);
  EXPECT_EQ(r.ReadTaggedFields(), fields);
  EXPECT_TRUE(r.ok() && r.AtEnd());
  // A tag above 127 needs a two-byte varint.
  Bytes big = Encode([](WireWriter& w) { w.WriteTaggedFields({{200, {}}}); });
  EXPECT_EQ(big, B({0x01, 0xc8, 0x01, 0x00}));
}

// ---------------------------------------------------------------------------------------------
// Malformed input

TEST(WireErrors, NegativeLengthsOtherThanNullAreCorruption) {
  {
    Bytes in = B({0xff, 0xfe, 0x61});
    WireReader r(in);
    EXPECT_EQ(r.ReadNullableString("name"), std::nullopt);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  {
    Bytes in = B({0x80, 0x00, 0x00, 0x00});
    WireReader r(in);
    EXPECT_FALSE(r.ReadNullableBytes().has_value());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  {
    Bytes in = B({0xff, 0xff, 0xff, 0xfe});
    WireReader r(in);
    EXPECT_EQ(r.ReadNullableArrayLength(), std::nullopt);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

TEST(WireErrors, NullInNonNullableFieldIsCorruption) {
  struct Case {
    Bytes in;
    std::function<void(WireReader&)> read;
  };
  std::vector<Case> cases = {
      {B({0xff, 0xff}), [](WireReader& r) { (void)r.ReadString(); }},
      {B({0x00}), [](WireReader& r) { (void)r.ReadCompactString(); }},
      {B({0xff, 0xff, 0xff, 0xff}), [](WireReader& r) { (void)r.ReadBytes(); }},
      {B({0x00}), [](WireReader& r) { (void)r.ReadCompactBytes(); }},
      {B({0xff, 0xff, 0xff, 0xff}), [](WireReader& r) { (void)r.ReadArrayLength(); }},
      {B({0x00}), [](WireReader& r) { (void)r.ReadCompactArrayLength(); }},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    WireReader r(cases[i].in);
    cases[i].read(r);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << "case " << i << " " << r.status().ToString();
  }
}

TEST(WireErrors, OverlongVarints) {
  {
    Bytes in = B({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});  // six bytes
    WireReader r(in);
    EXPECT_EQ(r.ReadUnsignedVarint(), 0u);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  {
    Bytes in = B({0xff, 0xff, 0xff, 0xff, 0x1f});  // 35 bits
    WireReader r(in);
    (void)r.ReadVarint();
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  {
    Bytes in(11, 0x80);
    in.back() = 0x00;
    WireReader r(in);
    (void)r.ReadVarlong();
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
  {
    Bytes in = B({0x80, 0x80});  // input ends inside the varint
    WireReader r(in);
    (void)r.ReadUnsignedVarint();
    EXPECT_EQ(r.status().code(), StatusCode::kTruncated);
  }
  {
    Bytes in = B({0x80, 0x80, 0x80, 0x80, 0x80});  // 5 continuation bytes: overlong, not short
    WireReader r(in);
    (void)r.ReadUnsignedVarint();
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  }
}

TEST(WireErrors, CompactStringAboveKafkaLimit) {
  Bytes in;
  WireWriter w(in);
  w.WriteUnsignedVarint(0x8000 + 1);  // length 32768
  in.resize(in.size() + 0x8000, 'x');
  WireReader r(in);
  EXPECT_EQ(r.ReadCompactString(), "");
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

TEST(WireErrors, TaggedFieldsOutOfOrderOrDuplicate) {
  for (Bytes in : {B({0x02, 0x05, 0x00, 0x03, 0x00}), B({0x02, 0x05, 0x00, 0x05, 0x00})}) {
    WireReader r(in);
    EXPECT_TRUE(r.ReadTaggedFields().empty());
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  }
}

TEST(WireErrors, StickyErrorReportsFirstFailureWithPositionAndField) {
  Bytes in = B({0x00, 0x00, 0x00, 0x07, 0x00, 0x05, 0x61});
  WireReader r(in, 100);
  EXPECT_EQ(r.ReadInt32("correlation_id"), 7);
  EXPECT_EQ(r.ReadString("client_id"), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kTruncated);
  EXPECT_NE(r.status().message().find("client_id"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("at byte 104"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("STRING"), std::string::npos) << r.status().message();
  // Later reads return zero values and do not replace the first error.
  Status first = r.status();
  size_t pos = r.position();
  EXPECT_EQ(r.ReadInt8("later"), 0);
  EXPECT_EQ(r.ReadCompactNullableString("later"), std::nullopt);
  EXPECT_EQ(r.ReadUuid(), Uuid());
  EXPECT_TRUE(r.ReadTaggedFields().empty());
  EXPECT_EQ(r.position(), pos);
  EXPECT_EQ(r.status().message(), first.message());
}

TEST(WireErrors, FailAndExpectEnd) {
  Bytes in = B({1, 2, 3});
  {
    WireReader r(in);
    (void)r.ReadInt8();
    r.ExpectEnd("body");
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find("2 unexpected trailing"), std::string::npos);
  }
  {
    WireReader r(in);
    r.Fail(StatusCode::kInvalidArgument, "acks must be -1, 0 or 1");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.ReadInt8(), 0);
  }
  {
    WireReader r(in);
    r.Skip(3);
    r.ExpectEnd();
    EXPECT_TRUE(r.ok());
  }
}

TEST(WireErrors, HostileLengthsDoNotAllocate) {
  struct Case {
    const char* name;
    Bytes in;
    std::function<void(WireReader&)> read;
  };
  // Each declares far more than the 4 (or so) bytes that follow.
  std::vector<Case> cases = {
      {"array", B({0x7f, 0xff, 0xff, 0xff, 1, 2, 3, 4}),
       [](WireReader& r) {
         int32_t n = r.ReadArrayLength();
         std::vector<int32_t> v;
         v.reserve(size_t(n));
       }},
      {"compact array", B({0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4}),
       [](WireReader& r) {
         std::optional<int32_t> n = r.ReadCompactNullableArrayLength();
         std::vector<int64_t> v;
         v.reserve(size_t(n.value_or(0)));
       }},
      {"array of int32", B({0x00, 0x00, 0x00, 0x02, 1, 2, 3, 4}),
       [](WireReader& r) { (void)r.ReadArrayLength(nullptr, 4); }},
      {"string", B({0x7f, 0xff, 1, 2, 3, 4}), [](WireReader& r) { (void)r.ReadString(); }},
      {"compact string", B({0xff, 0xff, 0x01, 1, 2, 3, 4}),
       [](WireReader& r) { (void)r.ReadCompactString(); }},
      {"bytes", B({0x7f, 0xff, 0xff, 0xff, 1, 2, 3, 4}), [](WireReader& r) { (void)r.ReadBytes(); }},
      {"compact bytes", B({0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4}),
       [](WireReader& r) { (void)r.ReadCompactBytes(); }},
      {"tag count", B({0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4}),
       [](WireReader& r) { (void)r.ReadTaggedFields(); }},
      {"tag size", B({0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3, 4}),
       [](WireReader& r) { (void)r.ReadTaggedFields(); }},
  };
  for (const Case& c : cases) {
    WireReader r(c.in);
    g_largest_allocation = 0;
    g_track_allocations = true;
    c.read(r);
    g_track_allocations = false;
    EXPECT_EQ(r.status().code(), StatusCode::kTruncated) << c.name << ": " << r.status().ToString();
    // Only the error message is allocated.
    EXPECT_LT(g_largest_allocation, 1024u) << c.name;
  }
}

// ---------------------------------------------------------------------------------------------
// Tagged fields: known tags decoded in place, unknown tags preserved.

TEST(WireTaggedFields, KnownAndUnknownTags) {
  Bytes sub0 = Encode([](WireWriter& w) { w.WriteInt32(42); });
  Bytes sub7 = Encode([](WireWriter& w) { w.WriteCompactString("zone-a"); });
  TaggedFields all = {{0, sub0}, {1, B({9, 9})}, {7, sub7}, {300, B({})}};
  Bytes enc = Encode([&](WireWriter& w) {
    w.WriteInt8(5);
    w.WriteTaggedFields(all);
    w.WriteInt8(6);
  });

  WireReader r(enc);
  EXPECT_EQ(r.ReadInt8(), 5);
  int32_t known0 = 0;
  std::string known7;
  TaggedFields unknown;
  r.ReadTaggedFields(
      [&](uint32_t tag, WireReader& sub) {
        if (tag == 0) {
          known0 = sub.ReadInt32("tag0");
          return true;
        }
        if (tag == 7) {
          known7 = sub.ReadCompactString("tag7");
          return true;
        }
        return false;
      },
      &unknown);
  EXPECT_EQ(r.ReadInt8(), 6);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r.AtEnd());
  EXPECT_EQ(known0, 42);
  EXPECT_EQ(known7, "zone-a");
  EXPECT_EQ(unknown, (TaggedFields{{1, B({9, 9})}, {300, B({})}}));

  // Skipping: unknown tags dropped.
  WireReader skip(enc);
  (void)skip.ReadInt8();
  skip.ReadTaggedFields([](uint32_t, WireReader&) { return false; }, nullptr);
  EXPECT_EQ(skip.ReadInt8(), 6);
  EXPECT_TRUE(skip.ok() && skip.AtEnd());

  // Re-encoding the preserved tags alongside the known ones reproduces the input.
  TaggedFields merged = unknown;
  merged.push_back({0, sub0});
  merged.push_back({7, sub7});
  std::sort(merged.begin(), merged.end(), [](auto& a, auto& b) { return a.tag < b.tag; });
  EXPECT_EQ(Encode([&](WireWriter& w) {
              w.WriteInt8(5);
              w.WriteTaggedFields(merged);
              w.WriteInt8(6);
            }),
            enc);
}

TEST(WireTaggedFields, KnownTagMustConsumeExactlyItsBytes) {
  Bytes enc = Encode([](WireWriter& w) { w.WriteTaggedFields({{2, B({0, 0, 0, 1, 0xee})}}); });
  {
    WireReader r(enc);
    r.ReadTaggedFields(
        [](uint32_t, WireReader& sub) {
          (void)sub.ReadInt32();
          return true;
        },
        nullptr);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  }
  {
    // A read past the field's end fails inside the field even though bytes follow it.
    Bytes more = enc;
    more.insert(more.end(), {1, 2, 3, 4, 5, 6, 7, 8});
    WireReader r(more, 1000);
    r.ReadTaggedFields(
        [](uint32_t, WireReader& sub) {
          (void)sub.ReadInt64("wide");
          return true;
        },
        nullptr);
    EXPECT_EQ(r.status().code(), StatusCode::kTruncated);
    // Positions stay absolute: the field's data starts at byte 3 of the input.
    EXPECT_NE(r.status().message().find("at byte 1003"), std::string::npos) << r.status().message();
  }
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(WireRoundTrip, EachType) {
  Uuid id = Uuid::FromHalves(0xa1a2a3a4a5a6a7a8, 0xb1b2b3b4b5b6b7b8);
  Bytes blob = B({0, 1, 2, 0xff});
  TaggedFields tags = {{1, B({1})}, {2, {}}, {1000, blob}};
  Bytes enc = Encode([&](WireWriter& w) {
    w.WriteBool(true);
    w.WriteInt8(-128);
    w.WriteInt16(-32768);
    w.WriteInt32(-123456789);
    w.WriteInt64(std::numeric_limits<int64_t>::min());
    w.WriteUint16(40000);
    w.WriteUint32(4000000000u);
    w.WriteVarint(-5000);
    w.WriteVarlong(int64_t(1) << 40);
    w.WriteUnsignedVarint(1u << 31);
    w.WriteFloat64(-0.0);
    w.WriteUuid(id);
    w.WriteString("topic");
    w.WriteNullableString("x");
    w.WriteCompactString(std::string(kMaxWireStringBytes, 'q'));
    w.WriteCompactNullableString("y");
    w.WriteBytes(blob);
    w.WriteNullableBytes(ByteView(blob));
    w.WriteCompactBytes(blob);
    w.WriteCompactNullableBytes(ByteView(blob));
    w.WriteRecords(ByteView(blob));
    w.WriteCompactRecords(ByteView(blob));
    w.WriteArrayLength(2);
    w.WriteCompactArrayLength(2);
    w.WriteTaggedFields(tags);
  });
  WireReader r(enc);
  EXPECT_TRUE(r.ReadBool());
  EXPECT_EQ(r.ReadInt8(), -128);
  EXPECT_EQ(r.ReadInt16(), -32768);
  EXPECT_EQ(r.ReadInt32(), -123456789);
  EXPECT_EQ(r.ReadInt64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.ReadUint16(), 40000);
  EXPECT_EQ(r.ReadUint32(), 4000000000u);
  EXPECT_EQ(r.ReadVarint(), -5000);
  EXPECT_EQ(r.ReadVarlong(), int64_t(1) << 40);
  EXPECT_EQ(r.ReadUnsignedVarint(), 1u << 31);
  EXPECT_EQ(std::bit_cast<uint64_t>(r.ReadFloat64()), std::bit_cast<uint64_t>(-0.0));
  EXPECT_EQ(r.ReadUuid(), id);
  EXPECT_EQ(r.ReadString(), "topic");
  EXPECT_EQ(r.ReadNullableString(), std::optional<std::string>("x"));
  EXPECT_EQ(r.ReadCompactString(), std::string(kMaxWireStringBytes, 'q'));
  EXPECT_EQ(r.ReadCompactNullableString(), std::optional<std::string>("y"));
  auto same = [&](ByteView v) { return Bytes(v.begin(), v.end()) == blob; };
  EXPECT_TRUE(same(r.ReadBytes()));
  EXPECT_TRUE(same(*r.ReadNullableBytes()));
  EXPECT_TRUE(same(r.ReadCompactBytes()));
  EXPECT_TRUE(same(*r.ReadCompactNullableBytes()));
  EXPECT_TRUE(same(*r.ReadRecords()));
  EXPECT_TRUE(same(*r.ReadCompactRecords()));
  EXPECT_EQ(r.ReadArrayLength(), 2);
  EXPECT_EQ(r.ReadCompactArrayLength(), 2);
  EXPECT_EQ(r.ReadTaggedFields(), tags);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r.AtEnd());
}

// A randomly generated field: which primitive, and its value.
struct Field {
  enum Kind {
    kBool, kInt8, kInt16, kInt32, kInt64, kUint16, kUint32, kVarint, kVarlong, kUvarint, kFloat64,
    kUuid, kString, kNullableString, kCompactString, kCompactNullableString, kBytes,
    kNullableBytes, kCompactBytes, kCompactNullableBytes, kArrayOfInt32, kCompactArrayOfString,
    kTaggedFields, kNumKinds
  };
  Kind kind = kBool;
  int64_t i = 0;
  uint64_t u = 0;
  std::optional<std::string> s;
  std::optional<Bytes> b;
  std::optional<std::vector<int32_t>> ints;
  std::vector<std::string> strings;
  TaggedFields tags;
};

int64_t RandomInt(Prng& p, int bits) {
  // Mix edge values with uniformly random ones of every magnitude.
  // The most negative and most positive values of the width, then -1..1, then anything.
  uint64_t v;
  switch (p.Uniform(4)) {
    case 0: v = uint64_t(1) << (bits - 1); break;
    case 1: v = (uint64_t(1) << (bits - 1)) - 1; break;
    case 2: return int64_t(p.Uniform(3)) - 1;
    default: v = p.NextU64() >> p.Uniform(64); break;
  }
  // Sign-extend the low `bits` bits.
  return int64_t(v << (64 - bits)) >> (64 - bits);
}

std::string RandomString(Prng& p) {
  std::string s(size_t(p.Uniform(40)), ' ');
  for (char& c : s) c = char(p.Uniform(256));
  return s;
}

Bytes RandomBytes(Prng& p, size_t max = 200) {
  Bytes b(size_t(p.Uniform(max)));
  for (uint8_t& c : b) c = uint8_t(p.Uniform(256));
  return b;
}

Field RandomField(Prng& p) {
  Field f;
  f.kind = Field::Kind(p.Uniform(Field::kNumKinds));
  bool null = p.Chance(1, 4);
  switch (f.kind) {
    case Field::kBool: f.i = int64_t(p.Uniform(2)); break;
    case Field::kInt8: f.i = RandomInt(p, 8); break;
    case Field::kInt16: f.i = RandomInt(p, 16); break;
    case Field::kInt32: case Field::kVarint: f.i = RandomInt(p, 32); break;
    case Field::kInt64: case Field::kVarlong: f.i = RandomInt(p, 64); break;
    case Field::kUint16: f.u = p.NextU64() & 0xffff; break;
    case Field::kUint32: case Field::kUvarint: f.u = (p.NextU64() & 0xffffffff) >> p.Uniform(32); break;
    case Field::kFloat64: case Field::kUuid: f.u = p.NextU64(); f.i = int64_t(p.NextU64()); break;
    case Field::kString: case Field::kCompactString: f.s = RandomString(p); break;
    case Field::kNullableString: case Field::kCompactNullableString:
      if (!null) f.s = RandomString(p);
      break;
    case Field::kBytes: case Field::kCompactBytes: f.b = RandomBytes(p); break;
    case Field::kNullableBytes: case Field::kCompactNullableBytes:
      if (!null) f.b = RandomBytes(p);
      break;
    case Field::kArrayOfInt32:
      if (!null) {
        f.ints.emplace(size_t(p.Uniform(6)));
        for (int32_t& x : *f.ints) x = int32_t(RandomInt(p, 32));
      }
      break;
    case Field::kCompactArrayOfString:
      f.strings.resize(size_t(p.Uniform(4)));
      for (std::string& s : f.strings) s = RandomString(p);
      break;
    case Field::kTaggedFields: {
      uint32_t tag = uint32_t(p.Uniform(3));
      for (uint64_t n = p.Uniform(4); n > 0; --n) {
        f.tags.push_back({tag, RandomBytes(p, 12)});
        tag += 1 + uint32_t(p.Uniform(p.Chance(1, 4) ? 100000 : 5));
      }
      break;
    }
    case Field::kNumKinds: break;
  }
  return f;
}

void WriteField(WireWriter& w, const Field& f) {
  switch (f.kind) {
    case Field::kBool: w.WriteBool(f.i != 0); break;
    case Field::kInt8: w.WriteInt8(int8_t(f.i)); break;
    case Field::kInt16: w.WriteInt16(int16_t(f.i)); break;
    case Field::kInt32: w.WriteInt32(int32_t(f.i)); break;
    case Field::kInt64: w.WriteInt64(f.i); break;
    case Field::kUint16: w.WriteUint16(uint16_t(f.u)); break;
    case Field::kUint32: w.WriteUint32(uint32_t(f.u)); break;
    case Field::kVarint: w.WriteVarint(int32_t(f.i)); break;
    case Field::kVarlong: w.WriteVarlong(f.i); break;
    case Field::kUvarint: w.WriteUnsignedVarint(uint32_t(f.u)); break;
    case Field::kFloat64: w.WriteFloat64(std::bit_cast<double>(f.u)); break;
    case Field::kUuid: w.WriteUuid(Uuid::FromHalves(f.u, uint64_t(f.i))); break;
    case Field::kString: w.WriteString(*f.s); break;
    case Field::kNullableString: w.WriteNullableString(f.s); break;
    case Field::kCompactString: w.WriteCompactString(*f.s); break;
    case Field::kCompactNullableString: w.WriteCompactNullableString(f.s); break;
    case Field::kBytes: w.WriteBytes(*f.b); break;
    case Field::kNullableBytes:
      w.WriteNullableBytes(f.b ? std::optional<ByteView>(*f.b) : std::nullopt);
      break;
    case Field::kCompactBytes: w.WriteCompactBytes(*f.b); break;
    case Field::kCompactNullableBytes:
      w.WriteCompactNullableBytes(f.b ? std::optional<ByteView>(*f.b) : std::nullopt);
      break;
    case Field::kArrayOfInt32:
      w.WriteArrayLength(f.ints ? int32_t(f.ints->size()) : -1);
      if (f.ints) {
        for (int32_t x : *f.ints) w.WriteInt32(x);
      }
      break;
    case Field::kCompactArrayOfString:
      w.WriteCompactArrayLength(int32_t(f.strings.size()));
      for (const std::string& s : f.strings) w.WriteCompactString(s);
      break;
    case Field::kTaggedFields: w.WriteTaggedFields(f.tags); break;
    case Field::kNumKinds: break;
  }
}

// Reads a field of f's kind and returns whether it equals f (only meaningful while r.ok()).
bool ReadAndCompare(WireReader& r, const Field& f) {
  auto opt_bytes = [](std::optional<ByteView> v) {
    return v ? std::optional<Bytes>(Bytes(v->begin(), v->end())) : std::nullopt;
  };
  switch (f.kind) {
    case Field::kBool: return r.ReadBool() == (f.i != 0);
    case Field::kInt8: return r.ReadInt8() == f.i;
    case Field::kInt16: return r.ReadInt16() == f.i;
    case Field::kInt32: return r.ReadInt32() == f.i;
    case Field::kInt64: return r.ReadInt64() == f.i;
    case Field::kUint16: return r.ReadUint16() == f.u;
    case Field::kUint32: return r.ReadUint32() == f.u;
    case Field::kVarint: return r.ReadVarint() == f.i;
    case Field::kVarlong: return r.ReadVarlong() == f.i;
    case Field::kUvarint: return r.ReadUnsignedVarint() == f.u;
    case Field::kFloat64: return std::bit_cast<uint64_t>(r.ReadFloat64()) == f.u;
    case Field::kUuid: return r.ReadUuid() == Uuid::FromHalves(f.u, uint64_t(f.i));
    case Field::kString: return r.ReadString() == *f.s;
    case Field::kNullableString: return r.ReadNullableString() == f.s;
    case Field::kCompactString: return r.ReadCompactString() == *f.s;
    case Field::kCompactNullableString: return r.ReadCompactNullableString() == f.s;
    case Field::kBytes: return opt_bytes(r.ReadBytes()) == f.b;
    case Field::kNullableBytes: return opt_bytes(r.ReadNullableBytes()) == f.b;
    case Field::kCompactBytes: return opt_bytes(r.ReadCompactBytes()) == f.b;
    case Field::kCompactNullableBytes: return opt_bytes(r.ReadCompactNullableBytes()) == f.b;
    case Field::kArrayOfInt32: {
      std::optional<int32_t> n = r.ReadNullableArrayLength("ints", 4);
      if (!n) return !f.ints.has_value();
      std::vector<int32_t> v;
      v.reserve(size_t(*n));
      for (int32_t k = 0; k < *n; ++k) v.push_back(r.ReadInt32());
      return f.ints == v;
    }
    case Field::kCompactArrayOfString: {
      int32_t n = r.ReadCompactArrayLength("strings");
      std::vector<std::string> v;
      for (int32_t k = 0; k < n; ++k) v.push_back(r.ReadCompactString());
      return v == f.strings;
    }
    case Field::kTaggedFields: return r.ReadTaggedFields() == f.tags;
    case Field::kNumKinds: break;
  }
  return false;
}

TEST(WireRoundTrip, RandomSequencesAndEveryPrefixIsTruncated) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Prng prng(seed);
    std::vector<Field> fields(size_t(1 + prng.Uniform(12)));
    for (Field& f : fields) f = RandomField(prng);
    Bytes enc;
    WireWriter w(enc);
    for (const Field& f : fields) WriteField(w, f);

    WireReader r(enc);
    for (size_t i = 0; i < fields.size(); ++i) {
      ASSERT_TRUE(ReadAndCompare(r, fields[i])) << "seed " << seed << " field " << i << " kind "
                                                << fields[i].kind << " " << r.status().ToString();
    }
    ASSERT_TRUE(r.ok()) << "seed " << seed << ": " << r.status().ToString();
    ASSERT_TRUE(r.AtEnd()) << "seed " << seed;

    for (size_t cut = 0; cut < enc.size(); ++cut) {
      // A copy of exactly the prefix, so reading past it is an ASan error, not silent.
      Bytes prefix(enc.begin(), enc.begin() + ptrdiff_t(cut));
      WireReader pr(prefix);
      for (const Field& f : fields) (void)ReadAndCompare(pr, f);
      ASSERT_EQ(pr.status().code(), StatusCode::kTruncated)
          << "seed " << seed << " cut " << cut << ": " << pr.status().ToString();
      ASSERT_LE(pr.position(), cut);
    }
  }
}

TEST(WireRoundTrip, RandomGarbageNeverCrashes) {
  Prng prng(0x5eed);
  for (int iter = 0; iter < 2000; ++iter) {
    Bytes junk = RandomBytes(prng, 64);
    Prng choose = prng.Split(uint64_t(iter));
    WireReader r(junk);
    for (int k = 0; k < 16 && r.ok(); ++k) (void)ReadAndCompare(r, RandomField(choose));
    EXPECT_LE(r.position(), junk.size());
  }
}

}  // namespace
}  // namespace samsa
