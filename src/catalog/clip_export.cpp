#include "catalog/clip_export.h"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "caption/caption_dpo.h"
#include "catalog/clip_json.h"
#include "util/json_dump.h"

namespace clipdex {

namespace {

namespace fs = std::filesystem;

using ClipFn = std::function<bool(const VideoRecord&, ClipRecord&)>;

// Walks the selected clips, at most `limit`.
Status WalkClips(Catalog& catalog, const ExportSelection& selection, const ClipFn& fn) {
  long seen = 0;
  if (selection.limit == 0) return Status::Ok();
  return catalog.ForEachClip(
      [&](const VideoRecord& v, ClipRecord& c) {
        if (!fn(v, c)) return false;
        return selection.limit < 0 || ++seen < selection.limit;
      },
      selection.clip_table);
}

std::string CsvField(const nlohmann::ordered_json& value) {
  std::string s = value.is_string() ? value.get<std::string>() : value.dump();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// JSONL lines written on a second thread while the catalog walk reads the next clips: the walk
// (SQLite) and the formatting each take about half of a JSONL export, so overlapping them on two
// cores nearly halves it (bench/scale_catalog.sh). Clips travel in batches, taken from the walk
// by swapping records (no copy), in order, at most kBatchesInFlight batches ahead; emptied
// batches go back to the walk so their strings are reused.
class JsonlWriterThread {
 public:
  JsonlWriterThread(bool all_attributes, std::FILE* out)
      : all_attributes_(all_attributes), out_(out), thread_([this] { Run(); }) {}
  ~JsonlWriterThread() { Finish(); }
  JsonlWriterThread(const JsonlWriterThread&) = delete;
  JsonlWriterThread& operator=(const JsonlWriterThread&) = delete;

  // Takes the clip's contents (the caller's record gets a used one back to read into).
  void Add(const VideoRecord& v, ClipRecord& c) {
    if (!filling_) filling_ = TakeEmpty();
    if (!last_video_ || last_video_->id != v.id) last_video_ = std::make_shared<VideoRecord>(v);
    Batch& b = *filling_;
    if (b.size == b.clips.size()) {
      b.clips.emplace_back();
      b.videos.emplace_back();
    }
    std::swap(b.clips[b.size], c);
    b.videos[b.size] = last_video_;
    if (++b.size == kBatchClips) Send();
  }
  // Writes everything added and stops the thread.
  void Finish() {
    if (!thread_.joinable()) return;
    if (filling_ && filling_->size > 0) Send();
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  static constexpr size_t kBatchClips = 256;
  static constexpr size_t kBatchesInFlight = 4;
  struct Batch {
    std::vector<ClipRecord> clips;
    std::vector<std::shared_ptr<const VideoRecord>> videos;
    size_t size = 0;
  };

  std::unique_ptr<Batch> TakeEmpty() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return full_.size() < kBatchesInFlight; });
    if (empty_.empty()) return std::make_unique<Batch>();
    auto b = std::move(empty_.front());
    empty_.pop_front();
    return b;
  }
  void Send() {
    {
      std::lock_guard lock(mu_);
      full_.push_back(std::move(filling_));
    }
    cv_.notify_all();
  }
  void Run() {
    std::string buffer;
    for (;;) {
      std::unique_ptr<Batch> b;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !full_.empty() || done_; });
        if (full_.empty()) break;
        b = std::move(full_.front());
        full_.pop_front();
      }
      cv_.notify_all();  // a slot in flight is free
      for (size_t i = 0; i < b->size; ++i) {
        AppendClipJsonLine(*b->videos[i], b->clips[i], all_attributes_, &buffer);
        b->videos[i].reset();
      }
      b->size = 0;
      if (buffer.size() >= (1u << 20)) {
        std::fwrite(buffer.data(), 1, buffer.size(), out_);
        buffer.clear();
      }
      std::lock_guard lock(mu_);
      empty_.push_back(std::move(b));
    }
    std::fwrite(buffer.data(), 1, buffer.size(), out_);
  }

  const bool all_attributes_;
  std::FILE* const out_;
  std::unique_ptr<Batch> filling_;  // the walk's side only
  std::shared_ptr<const VideoRecord> last_video_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Batch>> full_, empty_;
  bool done_ = false;
  std::thread thread_;  // last: starts after every member above is ready
};

}  // namespace

Status ExportRows(Catalog& catalog, const ExportSelection& selection, RowFormat format,
                  bool all_attributes, std::FILE* out) {
  if (format == RowFormat::kJsonl) {
    JsonlWriterThread writer(all_attributes, out);
    Status walked = WalkClips(catalog, selection, [&](const VideoRecord& v, ClipRecord& c) {
      writer.Add(v, c);
      return true;
    });
    writer.Finish();
    return walked;
  }
  bool header_done = false;
  return WalkClips(catalog, selection, [&](const VideoRecord& v, ClipRecord& c) {
    if (format == RowFormat::kCaptionDpo) {
      for (const auto& line : CaptionPreferencePairs(v, c)) {
        std::fprintf(out, "%s\n", DumpJson(line).c_str());
      }
      return true;
    }
    auto j = ClipJson(v, c, all_attributes);
    std::string line;
    if (!header_done) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) line += ',';
        line += it.key();
      }
      std::fprintf(out, "%s\n", line.c_str());
      line.clear();
      header_done = true;
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it != j.begin()) line += ',';
      line += CsvField(it.value());
    }
    std::fprintf(out, "%s\n", line.c_str());
    return true;
  });
}

std::string ClipFileName(const VideoRecord& v, const ClipRecord& c) {
  return fs::path(v.path).stem().string() + "_" + v.fingerprint.substr(v.fingerprint.size() - 8) +
         "_clip" + std::to_string(c.index) + ".mp4";
}

std::string SampleKey(const VideoRecord& v, const ClipRecord& c) {
  char idx[16];
  std::snprintf(idx, sizeof idx, "_c%05d", c.index);
  return v.fingerprint + idx;
}

}  // namespace clipdex
