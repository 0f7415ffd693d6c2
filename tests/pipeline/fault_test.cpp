// Faults an unattended run meets: the dataset's disk fills up mid-run, the dataset is read-only,
// an input disappears between listing and decoding. Each must end in one clear line naming what
// and why, a catalog that passes PRAGMA integrity_check, and (disk full) a rerun that completes
// the dataset once space is back, equal in clips to an ingest that never ran out of space.
//
// The small filesystem is a real tmpfs of 1 MiB mounted for the test (mount(2); the suite runs
// as root here). Where mounting is not permitted the child clipdex runs under RLIMIT_FSIZE
// instead (SIGXFSZ ignored, so writes past the limit fail with EFBIG as on a full disk). The
// read-only dataset is a read-only bind mount of it (root ignores file modes), or chmod a-w when
// not root.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "../support/catalog_peek.h"
#include "../support/test_env.h"
#include "media/open_input.h"

namespace clipdex {
namespace {

using testing::CatalogPeek;

// A mount (tmpfs, or a read-only bind) undone on destruction; mounted() false when refused.
class ScopedMount {
 public:
  static ScopedMount Tmpfs(const std::filesystem::path& dir, const std::string& size) {
    ScopedMount m(dir);
    std::string options = "size=";
    options += size;
    options += ",mode=0755";
    m.mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0;
    m.error_ = m.mounted_ ? "" : std::strerror(errno);
    return m;
  }
  static ScopedMount ReadOnlyBind(const std::filesystem::path& dir) {
    ScopedMount m(dir);
    m.mounted_ = ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) == 0;
    if (m.mounted_ &&
        ::mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      m.error_ = std::strerror(errno);
      m.Unmount();
    }
    if (!m.mounted_ && m.error_.empty()) m.error_ = std::strerror(errno);
    return m;
  }
  ScopedMount(ScopedMount&& other) noexcept
      : dir_(other.dir_), mounted_(other.mounted_), error_(other.error_) {
    other.mounted_ = false;
  }
  ScopedMount& operator=(ScopedMount&&) = delete;
  ~ScopedMount() { Unmount(); }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  // Grows a tmpfs in place: "space comes back".
  bool Resize(const std::string& size) {
    const std::string options = "size=" + size;
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }
  void Unmount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    mounted_ = false;
  }

 private:
  explicit ScopedMount(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

// Eight small clips of ../shared/media, cut into <= 0.25 s clips: ~1.1 MB of dataset.
std::vector<std::string> EightClips() {
  return {"video/gh_psd_counter_10fps.mp4",     "video/deb_imageio_realshort.mp4",
          "video/deb_mimetype_lego.mov",        "synthetic/dup_scaled_360p.mp4",
          "synthetic/dup_reencode_crf32.mp4",   "video/deb_mimetype_lego.webm",
          "video/deb_mecavideo_g1_bicycle.avi", "video/gh_intel_asl_book.mkv"};
}

std::string QuotedMedia(const std::vector<std::string>& rel) {
  std::string out;
  for (const auto& f : rel) {
    out += ' ';
    out += ShellQuote(Media(f).string());
  }
  return out;
}

std::string IntegrityCheck(const std::filesystem::path& ds) {
  CatalogPeek peek(ds);
  return peek.Text("PRAGMA integrity_check");
}

// Clips and thumbnails per video path, as text: what two runs over the same inputs share. A
// thumbnail the full disk refused must not leave its clip committed without one.
std::string ClipsPerVideo(const std::filesystem::path& ds) {
  CatalogPeek peek(ds);
  return peek.Text(
      "SELECT group_concat(line, '\n') FROM (SELECT v.path || ' ' || v.status || ' ' || "
      "COUNT(c.id) || ' clips ' || COUNT(NULLIF(c.thumbnail, '')) || ' thumbnails' AS line "
      "FROM videos v LEFT JOIN clips c ON c.video_id = v.id GROUP BY v.id ORDER BY v.path)");
}

TEST(Faults, DiskFullMidRunFailsClearlyKeepsTheCatalogAndResumes) {
  for (const auto& f : EightClips()) CLIPDEX_REQUIRE_FILE(Media(f));
  TempDir tmp;
  const std::string flags = " -q --jobs 1 --max-clip 0.25";
  auto reference = RunClipdex("ingest" + flags + QuotedMedia(EightClips()) + " -o " +
                              ShellQuote((tmp / "reference.clipdex").string()));
  ASSERT_EQ(reference.exit_code, 0) << reference.output;

  std::filesystem::create_directories(tmp / "small");
  ScopedMount small = ScopedMount::Tmpfs(tmp / "small", "1m");
  const std::filesystem::path ds = tmp / "small" / "ds.clipdex";
  // Without a mount: the same effect on every file the child writes (SIGXFSZ ignored -> EFBIG).
  const std::string limit = small.mounted() ? "" : "trap '' XFSZ; ulimit -f 1024; ";
  auto full = RunShell(limit + ShellQuote(CLIPDEX_BINARY) + " ingest" + flags +
                       QuotedMedia(EightClips()) + " -o " + ShellQuote(ds.string()));
  // Done with failures named one a line: the files that met the full disk, and why.
  EXPECT_EQ(full.exit_code, 3) << full.output;
  size_t failed_lines = 0;
  for (const std::string& line : Lines(full.output)) {
    if (line.rfind("FAILED ", 0) != 0) continue;
    ++failed_lines;
    EXPECT_NE(line.find(Media("").string()), std::string::npos) << "no input named: " << line;
    // The catalog's commit or a thumbnail meets the full disk first, whichever writes first.
    const bool catalog = line.find("catalog write failed") != std::string::npos;
    const bool thumbnail = line.find("thumbnail: cannot write") != std::string::npos;
    EXPECT_TRUE(catalog || thumbnail) << line;
    if (small.mounted()) {
      EXPECT_TRUE(line.find("database or disk is full") != std::string::npos ||
                  line.find("No space left on device") != std::string::npos)
          << line;
    }
  }
  // The first file that meets the full disk stops the batch (every later one would only fail at
  // its commit too); the rest are each named as not attempted.
  EXPECT_EQ(failed_lines, 1u) << full.output;
  EXPECT_NE(full.output.find("stopped early: the dataset's disk is full"), std::string::npos)
      << full.output;
  size_t not_attempted = 0, ingested = 0;
  for (const std::string& line : Lines(full.output)) {
    not_attempted += line.rfind("NOT ATTEMPTED ", 0) == 0;
    if (line.rfind("done: ", 0) == 0) ingested = std::stoul(line.substr(6));
  }
  EXPECT_EQ(ingested + failed_lines + not_attempted, EightClips().size()) << full.output;
  EXPECT_EQ(IntegrityCheck(ds), "ok");
  auto info = RunClipdex("info " + ShellQuote(ds.string()));
  EXPECT_EQ(info.exit_code, 0) << info.output;

  // Space comes back: the rerun ingests what the full disk refused, and only that.
  if (small.mounted()) {
    ASSERT_TRUE(small.Resize("16m")) << std::strerror(errno);
  }
  auto resumed =
      RunClipdex("ingest" + flags + QuotedMedia(EightClips()) + " -o " + ShellQuote(ds.string()));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("already in catalog"), std::string::npos) << resumed.output;
  EXPECT_EQ(IntegrityCheck(ds), "ok");
  EXPECT_EQ(ClipsPerVideo(ds), ClipsPerVideo(tmp / "reference.clipdex"));
}

TEST(Faults, ReadOnlyDatasetRefusesWritesWithOneLineAndStaysReadable) {
  CLIPDEX_REQUIRE_FILE(Media("video/gh_psd_counter_10fps.mp4"));
  TempDir tmp;
  const std::filesystem::path ds = tmp / "ro.clipdex";
  ASSERT_EQ(IngestMedia({"video/gh_psd_counter_10fps.mp4"}, ShellQuote(ds.string())), "");
  const std::string before = ClipsPerVideo(ds);

  std::optional<ScopedMount> ro;
  if (::geteuid() == 0) {
    ro.emplace(ScopedMount::ReadOnlyBind(ds));
    if (!ro->mounted())
      GTEST_SKIP() << "root, and a read-only bind mount is refused: " << ro->error();
  } else {
    ASSERT_EQ(RunShell("chmod -R a-w " + ShellQuote(ds.string())).exit_code, 0);
  }
  const std::string q = ShellQuote(ds.string());
  for (const std::string& verb :
       {"ingest -q " + ShellQuote(Media("video/deb_imageio_realshort.mp4").string()) + " -o " + q,
        "tier " + q, "dedup " + q, "caption " + q}) {
    auto run = RunClipdex(verb);
    EXPECT_NE(run.exit_code, 0) << verb << ": " << run.output;
    auto lines = Lines(run.output);
    ASSERT_EQ(lines.size(), 1u) << verb << ": " << run.output;
    EXPECT_NE(lines[0].find(ds.string()), std::string::npos) << lines[0];
    EXPECT_TRUE(lines[0].find("Read-only file system") != std::string::npos ||
                lines[0].find("Permission denied") != std::string::npos)
        << lines[0];
  }
  // Reading verbs still work on it.
  auto info = RunClipdex("info " + q);
  EXPECT_EQ(info.exit_code, 0) << info.output;
  auto search = RunClipdex("search " + q + " --where \"duration > 0\"");
  EXPECT_EQ(search.exit_code, 0) << search.output;
  ro.reset();
  if (::geteuid() != 0) RunShell("chmod -R u+w " + q);
  EXPECT_EQ(IntegrityCheck(ds), "ok");
  EXPECT_EQ(ClipsPerVideo(ds), before);
}

TEST(Faults, InputThatDisappearsMidRunIsNamedAndTheBatchGoesOn) {
  const std::string first = "video/gh_intel_car-detection.mp4";  // 1416 frames: a few seconds
  const std::string last = "video/deb_imageio_realshort.mp4";
  CLIPDEX_REQUIRE_FILE(Media(first));
  CLIPDEX_REQUIRE_FILE(Media(last));
  TempDir tmp;
  const std::filesystem::path doomed = tmp / "doomed.mp4";
  std::filesystem::copy_file(Media("video/gh_psd_counter_10fps.mp4"), doomed);
  const std::filesystem::path stats = tmp / "stats.csv";
  const std::filesystem::path out = tmp / "out.txt";
  const std::filesystem::path ds = tmp / "ds.clipdex";
  // Files in order, one at a time: `doomed` is listed (and sized) at the start and deleted while
  // the first file decodes, i.e. after the listing and before its own turn.
  std::thread ingest([&] {
    RunShell(ShellQuote(CLIPDEX_BINARY) + " ingest -q --jobs 1 --stats " +
             ShellQuote(stats.string()) + " " + ShellQuote(Media(first).string()) + " " +
             ShellQuote(doomed.string()) + " " + ShellQuote(Media(last).string()) + " -o " +
             ShellQuote(ds.string()) + " > " + ShellQuote(out.string()) +
             " 2>&1; echo \"exit $?\" >> " + ShellQuote(out.string()));
  });
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::error_code ec;
  while (std::filesystem::file_size(stats, ec) == 0 || ec) {
    if (std::chrono::steady_clock::now() > give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::filesystem::remove(doomed);
  ingest.join();
  std::ifstream in(out);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Exactly one failure, naming the file and the reason; the files around it are ingested.
  size_t failed_lines = 0;
  for (const std::string& line : Lines(output)) {
    if (line.rfind("FAILED ", 0) == 0) {
      ++failed_lines;
      EXPECT_NE(line.find(doomed.string()), std::string::npos) << line;
      EXPECT_NE(line.find("no such file"), std::string::npos) << line;
    }
  }
  EXPECT_EQ(failed_lines, 1u) << output;
  EXPECT_NE(output.find("2 ingested"), std::string::npos) << output;
  EXPECT_NE(output.find("exit 3"), std::string::npos) << output;
  EXPECT_EQ(IntegrityCheck(ds), "ok");
  CatalogPeek peek(ds);
  EXPECT_EQ(peek.Count("SELECT COUNT(*) FROM videos WHERE status = 'ok'"), 2);
  EXPECT_EQ(peek.Count("SELECT COUNT(*) FROM videos WHERE status = 'failed'"), 1);
}

// An export onto a disk that fills up drops no clip: it stops unfinished with one line saying
// so (not "wrote N samples ... 0 failed" over a thinner dataset), and once space is back the
// same command resumes and ends with shards and manifest identical to an export that never ran
// out of space.
TEST(Faults, ExportOntoAFullDiskStopsAndTheRerunCompletesIdentically) {
  for (const auto& f : EightClips()) CLIPDEX_REQUIRE_FILE(Media(f));
  TempDir tmp;
  const std::string ds = ShellQuote((tmp / "ds.clipdex").string());
  ASSERT_EQ(
      RunClipdex("ingest -q --max-clip 0.5" + QuotedMedia(EightClips()) + " -o " + ds).exit_code,
      0);
  const std::string options = " --format webdataset -q --shard-size 4 --codec h264 --resize 96";
  auto reference =
      RunClipdex("export " + ds + options + " -o " + ShellQuote((tmp / "reference").string()));
  ASSERT_EQ(reference.exit_code, 0) << reference.output;

  std::filesystem::create_directories(tmp / "small");
  ScopedMount small = ScopedMount::Tmpfs(tmp / "small", "160k");
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a small tmpfs: " << small.error();
  const std::filesystem::path out = tmp / "small" / "shards";
  auto full = RunClipdex("export " + ds + options + " -o " + ShellQuote(out.string()));
  EXPECT_NE(full.exit_code, 0) << full.output;
  EXPECT_EQ(full.output.find("0 failed"), std::string::npos) << full.output;
  EXPECT_NE(full.output.find("No space left on device"), std::string::npos) << full.output;

  ASSERT_TRUE(small.Resize("64m")) << std::strerror(errno);
  auto resumed = RunClipdex("export " + ds + options + " -o " + ShellQuote(out.string()));
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  std::vector<std::string> shards;
  for (const auto& e : std::filesystem::directory_iterator(tmp / "reference")) {
    shards.push_back(e.path().filename().string());
  }
  ASSERT_GE(shards.size(), 3u);
  for (const std::string& name : shards) {
    std::ifstream a(tmp / "reference" / name, std::ios::binary), b(out / name, std::ios::binary);
    const std::string x{std::istreambuf_iterator<char>(a), {}};
    const std::string y{std::istreambuf_iterator<char>(b), {}};
    EXPECT_TRUE(b.is_open()) << name;
    EXPECT_TRUE(x == y) << name << " differs";
  }
}

// --timeout is a base that grows with the input's duration (2 wall s per media s), so a long
// file is not failed for being long: a 1 s base on a 14 s 720p clip (whose ingest takes longer
// than 1 s) still completes, while a deadline that never grew expires after its base.
TEST(Faults, PerFileTimeLimitGrowsWithTheInputsDuration) {
  Deadline fixed(0.05);
  Deadline grown(0.05);
  grown.ExtendBy(60);
  Deadline unlimited(0);
  unlimited.ExtendBy(60);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_TRUE(fixed.Expired());
  EXPECT_FALSE(grown.Expired());
  EXPECT_DOUBLE_EQ(grown.seconds(), 60.05);
  EXPECT_FALSE(unlimited.Expired());
  EXPECT_EQ(unlimited.seconds(), 0);  // still "no limit"

  const auto clip = Media("video/deb_pd_diver.mov");
  CLIPDEX_REQUIRE_FILE(clip);
  TempDir tmp;
  const auto t0 = std::chrono::steady_clock::now();
  auto run = RunClipdex("ingest -q --timeout 1 " + ShellQuote(clip.string()) + " -o " +
                        ShellQuote((tmp / "ds").string()));
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("timed out"), std::string::npos) << run.output;
  // Only meaningful when the ingest outlasted the base; say so when it did not.
  if (took <= 1.0) std::printf("note: ingest took %.2f s, within the 1 s base\n", took);
}

}  // namespace
}  // namespace clipdex
