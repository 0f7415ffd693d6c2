#include "pipeline/batch.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <opencv2/core/utility.hpp>
#include <thread>

#include "catalog/catalog.h"
#include "catalog/dataset_lock.h"
#include "pipeline/inputs.h"
#include "pipeline/provenance.h"
#include "util/cpu_count.h"
#include "util/fingerprint.h"
#include "util/progress_line.h"

namespace clipdex {

namespace {

using Clock = std::chrono::steady_clock;

// Progress on a terminal (one line, refreshed twice a second), plain log lines otherwise.
class Progress {
 public:
  Progress(size_t total, bool quiet, double bytes_total)
      : total_(total), quiet_(quiet), tty_(isatty(2) == 1), bytes_total_(bytes_total) {}

  bool live() const { return tty_ && !quiet_; }

  void FileDone(const std::string& path, const std::string& error, long frames, size_t clips,
                double seconds, bool skipped, bool ok, double bytes, const std::string& warning) {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_;
    bytes_done_ += bytes;
    if (ok) ++ok_;
    if (!error.empty()) ++failed_;
    if (live()) std::fprintf(stderr, "\r\033[K");
    if (!error.empty()) {
      std::fprintf(stderr, "FAILED %s: %s\n", path.c_str(), error.c_str());
    } else if (!warning.empty()) {
      std::fprintf(stderr, "WARNING %s: %s\n", path.c_str(), warning.c_str());
    }
    if (error.empty() && !quiet_ && !tty_) {
      if (skipped) {
        std::fprintf(stderr, "skip   %s (already in catalog)\n", path.c_str());
      } else {
        std::fprintf(stderr, "ok     %s: %ld frames, %zu clips, %.1f fps\n", path.c_str(), frames,
                     clips, seconds > 0 ? frames / seconds : 0.0);
      }
    }
    PrintLine();
  }
  // Called by the ticker thread with the running totals.
  void Tick(long all_frames, double elapsed) {
    std::lock_guard<std::mutex> lock(mu_);
    frames_ = all_frames;
    elapsed_ = elapsed;
    PrintLine();
  }
  void End() {
    if (live()) std::fprintf(stderr, "\r\033[K");
  }

 private:
  void PrintLine() {
    if (!live()) return;
    double fps = elapsed_ > 0 ? frames_ / elapsed_ : 0;
    double eta = bytes_done_ > 0 ? elapsed_ * (bytes_total_ - bytes_done_) / bytes_done_ : 0;
    std::fprintf(stderr, "\r\033[K[%zu/%zu] ok %d  failed %d  %.0f frames/s  ETA %s", done_, total_,
                 ok_, failed_, fps, bytes_done_ > 0 ? FormatDuration(eta).c_str() : "?");
    std::fflush(stderr);
  }

  std::mutex mu_;
  size_t total_, done_ = 0;
  bool quiet_, tty_;
  double bytes_total_, bytes_done_ = 0;
  int ok_ = 0, failed_ = 0;
  long frames_ = 0;
  double elapsed_ = 0;
};

class StatsCsv {
 public:
  // Frames go to `path`; the dissolves and wipes that passed the classical tests, with their
  // measurements, to `path` + ".regions.csv" (the learned region check's training data,
  // scripts/train_region_check.py).
  explicit StatsCsv(const std::string& path) {
    if (path.empty()) return;
    out_.open(path);
    out_ << "video,frame,time,mean_y,std_y,diff,changed,cut_score,verdict\n";
    regions_.open(path + ".regions.csv");
    regions_ << "video,first_frame,last_frame";
    for (const char* name : kRegionFeatureNames) regions_ << ',' << name;
    regions_ << ",check_score,kept\n";
  }
  bool enabled() const { return out_.is_open(); }
  bool good() const { return out_.good() && regions_.good(); }
  void Write(const std::string& video, const FrameSignals& s) {
    char buf[256];
    std::snprintf(buf, sizeof(buf), ",%ld,%.4f,%.2f,%.2f,%.3f,%.3f,%.3f,%s\n", s.index, s.time,
                  s.mean_y, s.std_y, s.diff, s.changed, s.cut_score, s.verdict);
    std::lock_guard<std::mutex> lock(mu_);
    out_ << '"' << video << '"' << buf;
  }
  void WriteRegion(const std::string& video, const RegionRecord& r) {
    std::string line = "\"" + video + "\"";
    char buf[64];
    std::snprintf(buf, sizeof(buf), ",%ld,%ld", r.first_frame, r.last_frame);
    line.append(buf);
    for (double f : r.features) {
      std::snprintf(buf, sizeof(buf), ",%.5g", f);
      line.append(buf);
    }
    std::snprintf(buf, sizeof(buf), ",%.4f,%d\n", r.check_score, r.kept ? 1 : 0);
    line.append(buf);
    std::lock_guard<std::mutex> lock(mu_);
    regions_ << line;
  }

 private:
  std::mutex mu_;
  std::ofstream out_;
  std::ofstream regions_;
};

// A failure that every later file would meet too: the dataset's file system is full (SQLite's
// SQLITE_FULL text, ENOSPC, or EFBIG under a file-size limit). Matched on the messages because
// they come from SQLite, the C library and OpenCV alike.
bool IsOutOfSpace(const std::string& error) {
  for (const char* mark :
       {"database or disk is full", "No space left on device", "File too large"}) {
    if (error.find(mark) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Result<BatchSummary> RunIngestBatch(const std::vector<std::string>& inputs,
                                    const std::filesystem::path& dataset,
                                    const BatchOptions& options) {
  const auto started = Clock::now();
  auto catalog_or = Catalog::Open(dataset, /*create=*/true);
  if (!catalog_or.ok()) return catalog_or.status();
  auto lock = DatasetLock::Acquire(dataset);
  if (!lock.ok()) return lock.status();
  Catalog& catalog = *catalog_or.value();
  auto run_id = catalog.BeginRun(CLIPDEX_VERSION, options.options_json);
  if (!run_id.ok()) return run_id.status();

  if (!options.quiet) {
    for (const std::string& note : options.notes) std::fprintf(stderr, "%s\n", note.c_str());
  }
  std::vector<InputItem> items = ExpandInputs(inputs);
  int other_shards = 0;
  if (options.shard.active()) {
    std::erase_if(items, [&](const InputItem& item) {
      const bool other = !options.shard.Contains(item.shard_key);
      other_shards += other;
      return other;
    });
  }
  StatsCsv stats(options.stats_csv);
  if (!options.stats_csv.empty() && !stats.good()) {
    return Status::Error("cannot write stats file " + options.stats_csv);
  }
  double bytes_total = 0;
  std::vector<double> sizes(items.size(), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    std::error_code ec;
    auto sz = std::filesystem::file_size(items[i].path, ec);
    sizes[i] = ec ? 0 : double(sz);
    bytes_total += sizes[i];
  }

  BatchSummary summary;
  summary.other_shards = other_shards;
  std::mutex mu;  // guards summary and catalog
  std::atomic<size_t> next{0};
  std::atomic<long> frames{0};
  std::atomic<bool> out_of_space{false};
  Progress progress(items.size(), options.quiet, bytes_total);
  const int jobs = std::max(1, options.jobs);
  // The decoder threads already use every core; OpenCV's own worker pool on top would only
  // oversubscribe them (and spin). Analyzers run single-threaded inside each file's worker.
  cv::setNumThreads(1);
  IngestOptions ingest = options.ingest;
  if (ingest.decode.threads == 0) {
    // Never more busy threads than cores: split the cores between the parallel files. The cores
    // are those this process may run on (a scheduler's CPU binding), not the machine's.
    const int cores = UsableCores();
    ingest.decode.threads = std::max(1, cores / jobs);
  }

  auto worker = [&]() {
    while (true) {
      if (out_of_space.load()) return;
      size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      const InputItem& item = items[i];
      const std::string shown = item.path.string();
      const auto t0 = Clock::now();
      std::string error = item.error;
      std::string fingerprint;
      if (error.empty()) {
        auto fp = FingerprintFile(item.path);
        if (fp.ok())
          fingerprint = fp.value();
        else
          error = fp.status().message();
      }
      if (fingerprint.empty()) {
        // Unreadable inputs are still recorded, keyed by their path.
        fingerprint = "path:" + std::filesystem::absolute(item.path).lexically_normal().string();
        if (error.empty()) error = "cannot fingerprint";
      }
      bool skip = false;
      if (error.empty() && !options.force) {
        std::lock_guard<std::mutex> lock_guard(mu);
        skip = catalog.IsCommitted(fingerprint);
      }
      Result<VideoResult> result = Status::Error(error);
      if (error.empty() && !skip) {
        VideoIngestContext ctx;
        ctx.thumbs_dir = catalog.thumbs_dir();
        ctx.fingerprint = fingerprint;
        ctx.frames_counter = &frames;
        ctx.profile = options.profile;
        if (stats.enabled()) {
          ctx.signals_sink = [&stats, shown](const FrameSignals& s) { stats.Write(shown, s); };
          ctx.region_sink = [&stats, shown](const RegionRecord& r) { stats.WriteRegion(shown, r); };
        }
        result = IngestVideo(item.path, ingest, ctx);
        if (!result.ok()) error = result.status().message();
      }
      const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
      std::lock_guard<std::mutex> lock_guard(mu);
      long video_frames = 0;
      size_t clips = 0;
      std::string warning;
      if (skip) {
        ++summary.skipped;
      } else if (error.empty()) {
        result.value().video.file_size = static_cast<int64_t>(sizes[i]);
        Status s = catalog.CommitVideo(result.value(), run_id.value());
        if (s.ok()) {
          ++summary.ok;
          video_frames = result->video.frames;
          clips = result->clips.size();
          for (const ClipRecord& c : result->clips) {
            if (const Attribute* a = FindAttribute(c, kTruncationAttribute); a != nullptr) {
              warning = "truncated: " + a->text + "; kept the decodable part (clips marked " +
                        std::string(kTruncatedAttribute) + ")";
              break;
            }
          }
          summary.frames += video_frames;
        } else {
          error = "catalog write failed: " + s.message();
        }
      }
      if (!error.empty() && IsOutOfSpace(error) && !out_of_space.exchange(true)) {
        summary.stopped_because = "the dataset's disk is full (" + error + ")";
      }
      if (!error.empty()) {
        ++summary.failed;
        summary.failures.push_back({shown, error});
        std::error_code ec;
        auto size = std::filesystem::file_size(item.path, ec);
        Status s = catalog.RecordFailure(
            fingerprint, std::filesystem::absolute(item.path).lexically_normal().string(),
            ec ? 0 : static_cast<int64_t>(size), error, run_id.value());
        if (!s.ok())
          std::fprintf(stderr, "clipdex: cannot record failure: %s\n", s.message().c_str());
      }
      progress.FileDone(shown, error, video_frames, clips, secs, skip, error.empty() && !skip,
                        sizes[i], warning);
    }
  };
  std::atomic<bool> finished{false};
  std::thread ticker;
  if (progress.live()) {
    ticker = std::thread([&] {
      while (!finished.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        progress.Tick(frames.load(), std::chrono::duration<double>(Clock::now() - started).count());
      }
    });
  }
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  finished = true;
  if (ticker.joinable()) ticker.join();
  progress.End();
  // Name every input the stop left out, one line each, so none disappears without a reason.
  for (size_t i = std::min(next.load(), items.size()); i < items.size(); ++i) {
    ++summary.not_attempted;
    std::fprintf(stderr, "NOT ATTEMPTED %s: the dataset's disk is full; rerun to resume\n",
                 items[i].path.string().c_str());
  }
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  Status s = catalog.FinishRun(run_id.value(), summary.ok, summary.failed, summary.seconds);
  if (!s.ok()) return s;
  return summary;
}

}  // namespace clipdex
