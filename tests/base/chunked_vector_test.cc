#include "core/base/chunked_vector.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace samsa {
namespace {

TEST(ChunkedVectorTest, AppendsAcrossChunksKeepOrderAndAddresses) {
  ChunkedVector<std::string, 2> v;  // chunks of 4: 10 elements span three
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.begin(), v.end());
  std::vector<const std::string*> addresses;
  for (int i = 0; i < 10; ++i) {
    std::string s = "value-" + std::to_string(i);
    if (i % 2 == 0) {
      v.push_back(s);
    } else {
      v.push_back(std::move(s));
    }
    addresses.push_back(&v.back());
  }
  ASSERT_EQ(v.size(), 10u);
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(v[i], "value-" + std::to_string(i));
    EXPECT_EQ(&v[i], addresses[i]) << "element " << i << " moved";
  }
  std::vector<std::string> walked(v.begin(), v.end());
  ASSERT_EQ(walked.size(), 10u);
  EXPECT_EQ(walked.front(), "value-0");
  EXPECT_EQ(walked.back(), "value-9");
  size_t n = 0;
  for (const std::string& s : v) EXPECT_EQ(s, v[n++]);
  EXPECT_EQ(n, 10u);
  v[3] = "changed";
  EXPECT_EQ(v[3], "changed");
  EXPECT_EQ(v.begin()->size(), 7u);
}

}  // namespace
}  // namespace samsa
