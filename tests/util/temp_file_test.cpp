// TempFile: unnamed spill files (util/temp_file.h) — what is appended reads back, across the
// append buffer's flushes; nothing is left in the directory; errors name the directory or say
// what went wrong.
#include "util/temp_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>
#include <vector>

#include "../support/test_env.h"

namespace clipdex {
namespace {

TEST(TempFile, ReadsBackWhatWasAppendedAndLeavesNoName) {
  testing::TempDir tmp;
  auto file = TempFile::Create(tmp.path(), "probe");
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));  // unlinked at once
  // 3 MB in pieces of 7 bytes: several flushes of the 1 MB buffer, pieces across their ends.
  std::vector<uint32_t> values(786432);
  std::iota(values.begin(), values.end(), 1u);
  const auto* bytes = reinterpret_cast<const char*>(values.data());
  const size_t total = values.size() * sizeof(uint32_t);
  for (size_t at = 0; at < total; at += 7) {
    ASSERT_TRUE(file->Append(bytes + at, std::min<size_t>(7, total - at)).ok());
  }
  EXPECT_EQ(file->size(), total);
  ASSERT_TRUE(file->Flush().ok());
  std::vector<uint32_t> back(values.size());
  ASSERT_TRUE(file->ReadAt(back.data(), total, 0).ok());
  EXPECT_EQ(back, values);
  uint32_t one = 0;
  ASSERT_TRUE(file->ReadAt(&one, sizeof one, 4 * 1000).ok());
  EXPECT_EQ(one, 1001u);
  auto past = file->ReadAt(&one, sizeof one, total);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.message(), "cannot read a temporary file (shorter than written)");
}

TEST(TempFile, AMissingDirectoryIsAnErrorNamingIt) {
  testing::TempDir tmp;
  const auto missing = tmp.path() / "no" / "such";
  auto file = TempFile::Create(missing, "probe");
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.status().message().find("cannot create a temporary file in " + missing.string()),
            std::string::npos)
      << file.status().message();
}

}  // namespace
}  // namespace clipdex
