#include "sim/trace.h"

#include <gtest/gtest.h>

namespace samsa::sim {
namespace {

uint64_t HashOf(int64_t t, int32_t node, std::string_view kind, std::string_view summary) {
  Trace tr;
  tr.Record(t, node, kind, summary);
  return tr.hash();
}

TEST(TraceTest, HashCoversEveryField) {
  uint64_t base = HashOf(5, 1, "frame", "conn=1 len=3");
  EXPECT_EQ(base, HashOf(5, 1, "frame", "conn=1 len=3"));
  EXPECT_NE(base, HashOf(6, 1, "frame", "conn=1 len=3"));
  EXPECT_NE(base, HashOf(5, 2, "frame", "conn=1 len=3"));
  EXPECT_NE(base, HashOf(5, 1, "timer", "conn=1 len=3"));
  EXPECT_NE(base, HashOf(5, 1, "frame", "conn=1 len=4"));
  EXPECT_NE(HashOf(0, 0, "ab", "c"), HashOf(0, 0, "a", "bc"));  // field boundaries count
  Trace a, b;
  a.Record(1, 1, "x", "");
  a.Record(2, 1, "y", "");
  b.Record(2, 1, "y", "");
  b.Record(1, 1, "x", "");
  EXPECT_NE(a.hash(), b.hash());  // order counts
  EXPECT_EQ(HashHex(0xabc), "0x0000000000000abc");
}

TEST(TraceTest, HashOnlyModeKeepsNoRecords) {
  Trace kept(true), bare(false);
  for (int i = 0; i < 10; ++i) {
    kept.Record(i, 1, "k", "s");
    bare.Record(i, 1, "k", "s");
  }
  EXPECT_EQ(kept.hash(), bare.hash());
  EXPECT_EQ(bare.size(), 10u);
  EXPECT_TRUE(bare.records().empty());
  EXPECT_EQ(kept.records().size(), 10u);
}

TEST(TraceTest, NamesTheFirstDivergentEvent) {
  Trace a, b;
  for (int i = 0; i < 5; ++i) {
    a.Record(i * 10, 1, "frame", "len=3");
    b.Record(i * 10, 1, "frame", i == 3 ? "len=4" : "len=3");
  }
  EXPECT_EQ(Trace::FirstDivergence(a, a), std::nullopt);
  EXPECT_EQ(Trace::FirstDivergence(a, b), 3u);
  EXPECT_EQ(Trace::FirstDivergentLine(a.ToText(), b.ToText()), 3u);
  std::string report = Trace::DescribeDivergence(a.ToText(), b.ToText());
  EXPECT_NE(report.find("#3"), std::string::npos) << report;
  EXPECT_NE(report.find("30 1 frame len=3"), std::string::npos) << report;
  EXPECT_NE(report.find("30 1 frame len=4"), std::string::npos) << report;
  EXPECT_EQ(Trace::DescribeDivergence(a.ToText(), a.ToText()), "identical");
  Trace c = a;
  c.Record(99, 2, "timer", "");
  EXPECT_EQ(Trace::FirstDivergence(a, c), 5u);  // a prefix diverges where it ends
  EXPECT_EQ(a.ToText().substr(0, 16), "0 1 frame len=3\n");
}

}  // namespace
}  // namespace samsa::sim
