// ClipSet: the bitmap of clip ids filters and selections are made of.
#include "catalog/clip_set.h"

#include <gtest/gtest.h>

#include <vector>

namespace clipdex {
namespace {

std::vector<int64_t> Ids(const ClipSet& s) {
  std::vector<int64_t> out;
  s.ForEach([&](int64_t id) { out.push_back(id); });
  return out;
}

TEST(ClipSet, IntersectKeepsTheIdsInBothInOrder) {
  ClipSet a, b;
  for (int64_t id : {1, 5, 63, 64, 200, 9000}) a.Add(id);
  for (int64_t id : {5, 64, 65, 200, 70}) b.Add(id);
  const ClipSet both = a.Intersect(b);
  EXPECT_EQ(Ids(both), (std::vector<int64_t>{5, 64, 200}));
  EXPECT_EQ(both.size(), 3u);
  EXPECT_EQ(Ids(b.Intersect(a)), Ids(both));
  EXPECT_EQ(a.Intersect(ClipSet()).size(), 0u);
  EXPECT_FALSE(both.Contains(9000));  // beyond the shorter bitmap
}

}  // namespace
}  // namespace clipdex
