#include "catalog/catalog.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "../support/catalog_peek.h"
#include "catalog/dataset_lock.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

// Each test gets its own directory so tests can run in parallel (ctest -j) without sharing state.
class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("clipdex_catalog_" + std::string(info->name()) + "_" + std::to_string(getpid()) + "_" +
             std::to_string(counter++) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(root_);
    dataset_ = root_ / "ds";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::unique_ptr<Catalog> OpenOrDie(bool create = true) {
    auto cat = Catalog::Open(dataset_, create);
    EXPECT_TRUE(cat.ok()) << cat.status().message();
    return cat.ok() ? std::move(cat.value()) : nullptr;
  }

  fs::path root_;
  fs::path dataset_;
};

VideoResult MakeResult(const std::string& fingerprint, const std::string& path) {
  VideoResult r;
  VideoRecord& v = r.video;
  v.fingerprint = fingerprint;
  v.path = path;
  v.file_size = 123456789;
  v.probe.container = "mov,mp4,m4a,3gp,3g2,mj2";
  v.probe.codec = "h264";
  v.probe.width = 1920;
  v.probe.height = 1080;
  v.probe.sar_num = 4;
  v.probe.sar_den = 3;
  v.probe.rotation = 90;
  v.probe.fps_num = 30000;
  v.probe.fps_den = 1001;
  v.probe.is_vfr = true;
  v.probe.duration = 12.345;
  v.probe.start_time = 0.0334;
  v.probe.pix_fmt = "yuv420p10le";
  v.probe.bit_depth = 10;
  v.probe.interlaced = true;
  v.probe.has_alpha = false;
  v.probe.stream_index = 1;
  v.probe.frame_count_hint = 370;
  v.frames = 369;
  v.decoded_duration = 12.31;
  v.decode_seconds = 1.5;

  r.transitions.push_back({TransitionType::kCut, 100, 100, 3.336, 3.336, 0.9});
  r.transitions.push_back({TransitionType::kDissolve, 200, 215, 6.673, 7.173, 0.4});

  ClipRecord c0;
  c0.index = 0;
  c0.first_frame = 0;
  c0.last_frame = 99;
  c0.start_time = 0.0;
  c0.end_time = 3.336;
  c0.transition_out = "cut";
  c0.thumbnail = "thumbs/a_0.jpg";
  ClipRecord c1;
  c1.index = 1;
  c1.first_frame = 100;
  c1.last_frame = 199;
  c1.start_time = 3.336;
  c1.end_time = 6.673;
  c1.transition_in = "cut";
  c1.transition_out = "dissolve";
  c1.split_part = 2;
  ClipRecord c2;
  c2.index = 2;
  c2.first_frame = 216;
  c2.last_frame = 229;
  c2.start_time = 7.206;
  c2.end_time = 7.673;
  c2.transition_in = "dissolve";
  c2.too_short = true;
  // Out of order on purpose: ForEachClip must sort by index.
  r.clips = {c2, c0, c1};
  return r;
}

void ExpectProbeEq(const ProbeInfo& a, const ProbeInfo& b) {
  EXPECT_EQ(a.container, b.container);
  EXPECT_EQ(a.codec, b.codec);
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.sar_num, b.sar_num);
  EXPECT_EQ(a.sar_den, b.sar_den);
  EXPECT_EQ(a.rotation, b.rotation);
  EXPECT_EQ(a.fps_num, b.fps_num);
  EXPECT_EQ(a.fps_den, b.fps_den);
  EXPECT_EQ(a.is_vfr, b.is_vfr);
  EXPECT_DOUBLE_EQ(a.duration, b.duration);
  EXPECT_DOUBLE_EQ(a.start_time, b.start_time);
  EXPECT_EQ(a.pix_fmt, b.pix_fmt);
  EXPECT_EQ(a.bit_depth, b.bit_depth);
  EXPECT_EQ(a.interlaced, b.interlaced);
  EXPECT_EQ(a.has_alpha, b.has_alpha);
  EXPECT_EQ(a.stream_index, b.stream_index);
  EXPECT_EQ(a.frame_count_hint, b.frame_count_hint);
}

void ExpectClipEq(const ClipRecord& a, const ClipRecord& b) {
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.first_frame, b.first_frame);
  EXPECT_EQ(a.last_frame, b.last_frame);
  EXPECT_DOUBLE_EQ(a.start_time, b.start_time);
  EXPECT_DOUBLE_EQ(a.end_time, b.end_time);
  EXPECT_EQ(a.transition_in, b.transition_in);
  EXPECT_EQ(a.transition_out, b.transition_out);
  EXPECT_EQ(a.too_short, b.too_short);
  EXPECT_EQ(a.split_part, b.split_part);
  EXPECT_EQ(a.thumbnail, b.thumbnail);
}

int64_t CountRows(Catalog& cat, const std::string& table) {
  return testing::CatalogPeek(cat.dir()).Count("SELECT count(*) FROM " + table);
}

std::vector<ClipRecord> AllClips(Catalog& cat, std::vector<VideoRecord>* videos = nullptr) {
  std::vector<ClipRecord> clips;
  Status st = cat.ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
    if (videos) videos->push_back(v);
    clips.push_back(c);
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return clips;
}

TEST_F(CatalogTest, CreateMakesLayout) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ(cat->dir(), dataset_);
  EXPECT_EQ(cat->thumbs_dir(), dataset_ / "thumbs");
  EXPECT_TRUE(fs::is_directory(dataset_ / "thumbs"));
  EXPECT_TRUE(fs::is_regular_file(dataset_ / "catalog.sqlite"));
  auto sum = cat->GetSummary();
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->videos_ok, 0);
  EXPECT_EQ(sum->clips, 0);
  EXPECT_EQ(sum->runs, 0);
}

TEST_F(CatalogTest, ReopenKeepsData) {
  {
    auto cat = OpenOrDie();
    ASSERT_NE(cat, nullptr);
    auto run = cat->BeginRun("0.1.0", R"({"jobs":2})");
    ASSERT_TRUE(run.ok()) << run.status().message();
    ASSERT_TRUE(cat->CommitVideo(MakeResult("fp1", "/v/a.mp4"), *run).ok());
    ASSERT_TRUE(cat->FinishRun(*run, 1, 0, 2.5).ok());
  }
  auto cat = OpenOrDie(/*create=*/false);
  ASSERT_NE(cat, nullptr);
  EXPECT_TRUE(cat->IsCommitted("fp1"));
  auto sum = cat->GetSummary();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->videos_ok, 1);
  EXPECT_EQ(sum->runs, 1);
  // Reopening with create=true on an existing dataset is also fine (idempotent).
  auto again = Catalog::Open(dataset_, /*create=*/true);
  ASSERT_TRUE(again.ok()) << again.status().message();
}

TEST_F(CatalogTest, CommitAndReadBack) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  auto run = cat->BeginRun("0.1.0", "{}");
  ASSERT_TRUE(run.ok());
  VideoResult in = MakeResult("fp1", "/v/a.mp4");
  Status st = cat->CommitVideo(in, *run);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_TRUE(cat->IsCommitted("fp1"));
  EXPECT_FALSE(cat->IsCommitted("nope"));

  auto videos = cat->Videos();
  ASSERT_TRUE(videos.ok()) << videos.status().message();
  ASSERT_EQ(videos->size(), 1u);
  const VideoRecord& v = (*videos)[0];
  EXPECT_GT(v.id, 0);
  EXPECT_EQ(v.fingerprint, "fp1");
  EXPECT_EQ(v.path, "/v/a.mp4");
  EXPECT_EQ(v.file_size, 123456789);
  EXPECT_EQ(v.status, "ok");
  EXPECT_EQ(v.error, "");
  EXPECT_EQ(v.frames, 369);
  EXPECT_DOUBLE_EQ(v.decoded_duration, 12.31);
  EXPECT_DOUBLE_EQ(v.decode_seconds, 1.5);
  EXPECT_EQ(v.run_id, *run);
  ExpectProbeEq(v.probe, in.video.probe);

  auto trans = cat->TransitionsFor(v.id);
  ASSERT_TRUE(trans.ok()) << trans.status().message();
  ASSERT_EQ(trans->size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ((*trans)[i].type, in.transitions[i].type);
    EXPECT_EQ((*trans)[i].first_frame, in.transitions[i].first_frame);
    EXPECT_EQ((*trans)[i].last_frame, in.transitions[i].last_frame);
    EXPECT_DOUBLE_EQ((*trans)[i].first_time, in.transitions[i].first_time);
    EXPECT_DOUBLE_EQ((*trans)[i].last_time, in.transitions[i].last_time);
    EXPECT_DOUBLE_EQ((*trans)[i].score, in.transitions[i].score);
  }
  auto none = cat->TransitionsFor(v.id + 1000);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::vector<VideoRecord> clip_videos;
  std::vector<ClipRecord> clips = AllClips(*cat, &clip_videos);
  ASSERT_EQ(clips.size(), 3u);
  // in.clips is {c2, c0, c1}; read back sorted by index.
  ExpectClipEq(clips[0], in.clips[1]);
  ExpectClipEq(clips[1], in.clips[2]);
  ExpectClipEq(clips[2], in.clips[0]);
  for (size_t i = 0; i < clips.size(); ++i) {
    EXPECT_EQ(clips[i].video_id, v.id);
    EXPECT_GT(clips[i].id, 0);
    EXPECT_EQ(clip_videos[i].id, v.id);
    EXPECT_EQ(clip_videos[i].path, v.path);
  }

  auto sum = cat->GetSummary();
  ASSERT_TRUE(sum.ok()) << sum.status().message();
  EXPECT_EQ(sum->videos_ok, 1);
  EXPECT_EQ(sum->videos_failed, 0);
  EXPECT_EQ(sum->clips, 3);
  const double seconds = (3.336 - 0.0) + (6.673 - 3.336) + (7.673 - 7.206);
  EXPECT_NEAR(sum->hours, seconds / 3600.0, 1e-12);
  EXPECT_EQ(sum->transitions_by_type.size(), 2u);
  EXPECT_EQ(sum->transitions_by_type["cut"], 1);
  EXPECT_EQ(sum->transitions_by_type["dissolve"], 1);
  EXPECT_EQ(sum->runs, 1);
}

TEST_F(CatalogTest, ForEachClipOrdersByPathAndStops) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  ASSERT_TRUE(cat->CommitVideo(MakeResult("fpb", "/v/b.mp4"), 0).ok());
  ASSERT_TRUE(cat->CommitVideo(MakeResult("fpa", "/v/a.mp4"), 0).ok());
  std::vector<VideoRecord> videos;
  std::vector<ClipRecord> clips = AllClips(*cat, &videos);
  ASSERT_EQ(clips.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(videos[i].path, i < 3 ? "/v/a.mp4" : "/v/b.mp4");
    EXPECT_EQ(clips[i].index, static_cast<int>(i % 3));
  }
  int seen = 0;
  Status st = cat->ForEachClip([&](const VideoRecord&, const ClipRecord&) { return ++seen < 2; });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(seen, 2);

  auto listed = cat->Videos();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].path, "/v/a.mp4");
  EXPECT_EQ((*listed)[1].path, "/v/b.mp4");
  EXPECT_EQ((*listed)[0].run_id, 0);  // committed without a run
}

TEST_F(CatalogTest, RecommitReplaces) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  ASSERT_TRUE(cat->CommitVideo(MakeResult("fp1", "/v/a.mp4"), 0).ok());
  VideoResult second = MakeResult("fp1", "/v/renamed.mp4");
  second.clips.pop_back();
  second.transitions.pop_back();
  ASSERT_TRUE(cat->CommitVideo(second, 0).ok());

  auto videos = cat->Videos();
  ASSERT_TRUE(videos.ok());
  ASSERT_EQ(videos->size(), 1u);
  EXPECT_EQ((*videos)[0].path, "/v/renamed.mp4");
  EXPECT_EQ(CountRows(*cat, "clips"), 2);
  EXPECT_EQ(CountRows(*cat, "transitions"), 1);
  EXPECT_EQ(AllClips(*cat).size(), 2u);
}

TEST_F(CatalogTest, FailureThenCommitReplacesFailedRow) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  auto run = cat->BeginRun("0.1.0", "{}");
  ASSERT_TRUE(run.ok());
  Status st = cat->RecordFailure("fp1", "/v/a.mp4", 42, "truncated: moov atom not found", *run);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_FALSE(cat->IsCommitted("fp1"));

  auto videos = cat->Videos();
  ASSERT_TRUE(videos.ok());
  ASSERT_EQ(videos->size(), 1u);
  EXPECT_EQ((*videos)[0].status, "failed");
  EXPECT_EQ((*videos)[0].error, "truncated: moov atom not found");
  EXPECT_EQ((*videos)[0].file_size, 42);
  auto sum = cat->GetSummary();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->videos_ok, 0);
  EXPECT_EQ(sum->videos_failed, 1);

  // A second failure replaces the first rather than adding a row.
  ASSERT_TRUE(cat->RecordFailure("fp1", "/v/a.mp4", 42, "again", *run).ok());
  EXPECT_EQ(CountRows(*cat, "videos"), 1);

  ASSERT_TRUE(cat->CommitVideo(MakeResult("fp1", "/v/a.mp4"), *run).ok());
  EXPECT_TRUE(cat->IsCommitted("fp1"));
  videos = cat->Videos();
  ASSERT_TRUE(videos.ok());
  ASSERT_EQ(videos->size(), 1u);
  EXPECT_EQ((*videos)[0].status, "ok");
  EXPECT_EQ((*videos)[0].error, "");
  sum = cat->GetSummary();
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(sum->videos_ok, 1);
  EXPECT_EQ(sum->videos_failed, 0);

  // And a failure after a success drops the clips with the ok row.
  ASSERT_TRUE(cat->RecordFailure("fp1", "/v/a.mp4", 42, "decode error", *run).ok());
  EXPECT_FALSE(cat->IsCommitted("fp1"));
  EXPECT_EQ(CountRows(*cat, "clips"), 0);
  EXPECT_EQ(CountRows(*cat, "transitions"), 0);
}

TEST_F(CatalogTest, CommitIsWholeOrNothing) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  ASSERT_TRUE(cat->CommitVideo(MakeResult("old", "/v/old.mp4"), 0).ok());

  // Duplicate clip index violates UNIQUE(video_id, idx) after the video and transitions and
  // the first clips were inserted: everything of this commit must vanish.
  VideoResult bad = MakeResult("new", "/v/new.mp4");
  bad.clips.push_back(bad.clips[0]);
  Status st = cat->CommitVideo(bad, 0);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("UNIQUE"), std::string::npos) << st.message();
  EXPECT_FALSE(cat->IsCommitted("new"));
  EXPECT_EQ(CountRows(*cat, "videos"), 1);
  EXPECT_EQ(CountRows(*cat, "clips"), 3);
  EXPECT_EQ(CountRows(*cat, "transitions"), 2);

  // A failing recommit of an existing fingerprint must also keep the old row (its delete is
  // part of the rolled-back transaction).
  VideoResult bad_old = MakeResult("old", "/v/old2.mp4");
  bad_old.clips.push_back(bad_old.clips[1]);
  EXPECT_FALSE(cat->CommitVideo(bad_old, 0).ok());
  EXPECT_TRUE(cat->IsCommitted("old"));
  auto videos = cat->Videos();
  ASSERT_TRUE(videos.ok());
  ASSERT_EQ(videos->size(), 1u);
  EXPECT_EQ((*videos)[0].path, "/v/old.mp4");
  EXPECT_EQ(CountRows(*cat, "clips"), 3);

  // The connection is usable afterwards (no transaction left open).
  EXPECT_TRUE(cat->CommitVideo(MakeResult("new", "/v/new.mp4"), 0).ok());
  EXPECT_EQ(CountRows(*cat, "videos"), 2);
}

TEST_F(CatalogTest, UnknownRunIsRejected) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  EXPECT_FALSE(cat->CommitVideo(MakeResult("fp", "/v/a.mp4"), 777).ok());
  EXPECT_FALSE(cat->FinishRun(777, 0, 0, 0).ok());
  EXPECT_EQ(CountRows(*cat, "videos"), 0);
}

TEST_F(CatalogTest, PathIsAFile) {
  std::ofstream(dataset_) << "not a dir";
  for (bool create : {true, false}) {
    auto cat = Catalog::Open(dataset_, create);
    ASSERT_FALSE(cat.ok());
    EXPECT_EQ(cat.status().message(),
              "dataset path " + dataset_.string() + " is a file, not a directory");
  }
}

TEST_F(CatalogTest, OpenWithoutCreateNeedsCatalog) {
  fs::create_directories(dataset_);
  auto cat = Catalog::Open(dataset_, /*create=*/false);
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.status().message(),
            dataset_.string() + " is not a clipdex dataset (no catalog.sqlite)");
  EXPECT_FALSE(fs::exists(dataset_ / "catalog.sqlite"));  // create=false must not create it

  auto missing = Catalog::Open(root_ / "missing", /*create=*/false);
  ASSERT_FALSE(missing.ok());
  EXPECT_FALSE(fs::exists(root_ / "missing"));
}

TEST_F(CatalogTest, NewerSchemaIsRefused) {
  {
    auto cat = OpenOrDie();
    ASSERT_NE(cat, nullptr);
    ASSERT_TRUE(testing::CatalogPeek(dataset_).Exec("PRAGMA user_version = 99"));
  }
  auto cat = Catalog::Open(dataset_, /*create=*/false);
  ASSERT_FALSE(cat.ok());
  EXPECT_EQ(cat.status().message(), "catalog schema version 99 is newer than this clipdex (" +
                                        std::to_string(kCatalogSchemaVersion) + ")");
}

TEST_F(CatalogTest, SchemaHasWalAndForeignKeys) {
  auto cat = OpenOrDie();
  ASSERT_NE(cat, nullptr);
  auto pragma = [&](const char* sql) { return testing::CatalogPeek(dataset_).Text(sql); };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  // foreign_keys is per connection: the catalog's own must refuse an attribute of no clip.
  EXPECT_FALSE(cat->ReplaceAttributes({}, {{12345, "x.y", 1.0, ""}}).ok());
  EXPECT_EQ(pragma("PRAGMA user_version"), std::to_string(kCatalogSchemaVersion));
  ASSERT_TRUE(cat->CommitVideo(MakeResult("fp", "/v/a.mp4"), 0).ok());
  EXPECT_EQ(pragma("SELECT printf('%.3f', total(duration)) FROM clips"),
            "7.140");  // 3.336 + 3.337 + 0.467
}

// Runs `body` in a forked child and returns its exit code; the child never returns into gtest.
int RunInChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST_F(CatalogTest, LockExcludesOtherProcesses) {
  fs::create_directories(dataset_);
  const std::string expected = "dataset " + dataset_.string() +
                               " is in use by another clipdex process (pid " +
                               std::to_string(getpid()) + ")";
  {
    auto lock = DatasetLock::Acquire(dataset_);
    ASSERT_TRUE(lock.ok()) << lock.status().message();

    // Exit codes: 0 = refused with the expected message, 1 = acquired, 2 = wrong message.
    int code = RunInChild([&] {
      auto other = DatasetLock::Acquire(dataset_);
      if (other.ok()) return 1;
      return other.status().message() == expected ? 0 : 2;
    });
    EXPECT_EQ(code, 0);

    // A second descriptor in the same process is refused too.
    auto same = DatasetLock::Acquire(dataset_);
    ASSERT_FALSE(same.ok());
    EXPECT_EQ(same.status().message(), expected);

    // Moving keeps the lock held.
    DatasetLock moved = std::move(lock.value());
    EXPECT_FALSE(DatasetLock::Acquire(dataset_).ok());
  }
  // Released on destruction: a child can take it now.
  EXPECT_EQ(RunInChild([&] { return DatasetLock::Acquire(dataset_).ok() ? 0 : 1; }), 0);
  EXPECT_TRUE(DatasetLock::Acquire(dataset_).ok());
}

TEST_F(CatalogTest, LockNeedsExistingDirectory) {
  auto lock = DatasetLock::Acquire(root_ / "missing");
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().message(),
            "dataset directory " + (root_ / "missing").string() + " does not exist");
  EXPECT_FALSE(fs::exists(root_ / "missing"));
}

}  // namespace
}  // namespace clipdex
