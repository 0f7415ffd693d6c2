// Directory inputs with symlinks: symlinked files and folders are followed, a symlink loop is
// entered once and reported, a dangling symlink becomes an item whose error names it. Nothing
// disappears without a line saying why.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "../support/test_env.h"
#include "pipeline/inputs.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

void Touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << "x";
}

TEST(InputsSymlinkTest, FollowsLinksStopsLoopsReportsDangling) {
  TempDir tmp;
  const fs::path root = tmp / "in";
  Touch(root / "plain.mp4");
  Touch(tmp / "elsewhere" / "linked_target.mp4");
  Touch(tmp / "other_dir" / "deep" / "in_linked_dir.mkv");
  fs::create_symlink(tmp / "elsewhere" / "linked_target.mp4", root / "link_file.mp4");
  fs::create_directory_symlink(tmp / "other_dir", root / "link_dir");
  fs::create_directory_symlink(root, root / "sub_loop");  // points back at the root
  fs::create_directory_symlink(root / "link_dir", tmp / "other_dir" / "deep" / "back");  // cycle
  fs::create_symlink(tmp / "missing.mp4", root / "dangling.mp4");

  ::testing::internal::CaptureStderr();
  std::vector<InputItem> items = ExpandInputs({root.string()});
  const std::string err = ::testing::internal::GetCapturedStderr();

  std::map<std::string, std::string> by_name;  // file name -> error
  for (const auto& it : items) by_name[it.path.filename().string()] = it.error;
  EXPECT_EQ(by_name.size(), 4u) << err;
  ASSERT_TRUE(by_name.count("plain.mp4"));
  EXPECT_EQ(by_name["plain.mp4"], "");
  ASSERT_TRUE(by_name.count("link_file.mp4")) << "symlinked file not followed";
  EXPECT_EQ(by_name["link_file.mp4"], "");
  ASSERT_TRUE(by_name.count("in_linked_dir.mkv")) << "symlinked folder not followed";
  EXPECT_EQ(by_name["in_linked_dir.mkv"], "");
  ASSERT_TRUE(by_name.count("dangling.mp4")) << "dangling symlink dropped silently";
  EXPECT_NE(by_name["dangling.mp4"].find("dangling symlink"), std::string::npos);
  EXPECT_NE(by_name["dangling.mp4"].find("missing.mp4"), std::string::npos);
  // Each file appears once even though the loops reach it by several paths.
  EXPECT_EQ(items.size(), 4u);
  EXPECT_NE(err.find("symlink loop"), std::string::npos) << err;
}

TEST(InputsSymlinkTest, SymlinkedDirectoryGivenOnTheCommandLine) {
  TempDir tmp;
  Touch(tmp / "real" / "a.webm");
  fs::create_directory_symlink(tmp / "real", tmp / "alias");
  std::vector<InputItem> items = ExpandInputs({(tmp / "alias").string()});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].path.filename(), "a.webm");
  EXPECT_EQ(items[0].error, "");
}

}  // namespace
}  // namespace clipdex
