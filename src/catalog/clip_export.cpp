#include "catalog/clip_export.h"

#include <algorithm>
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
#include "util/cpu_count.h"
#include "util/json_dump.h"
#include "util/progress_line.h"

namespace clipdex {

namespace {

namespace fs = std::filesystem;

using ClipFn = std::function<bool(const VideoRecord&, ClipRecord&)>;

// The clips an export will write, as far as known (0 when not: the progress line then shows
// counts only).
long ExpectedClips(const ExportSelection& selection) {
  long n = selection.clips < 0 ? 0 : selection.clips;
  if (selection.limit >= 0 && (n == 0 || selection.limit < n)) n = selection.limit;
  return n;
}

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

// JSONL on every core. The walk of ids (this connection: it holds the selection; index-only)
// cuts the export order into chunks; each worker reads its chunks' clips on a connection of its
// own and formats their lines; the chunks are written in order. Reading ~57 attributes a clip
// and formatting them are both per-clip work, so they spread over the workers. The earlier
// design read on one thread and formatted on another: the reading side alone set the pace
// (74k clips/s with every attribute at a million clips, docs/scale.md). At most two chunks per
// worker are in flight, so memory stays bounded whatever the catalog's size.
class ParallelJsonl {
 public:
  ParallelJsonl(std::vector<std::unique_ptr<Catalog>> readers, bool all_attributes, std::FILE* out)
      : all_attributes_(all_attributes), out_(out) {
    for (auto& r : readers) {
      threads_.emplace_back([this, reader = std::move(r)]() mutable { Work(*reader); });
    }
    max_in_flight_ = 2 * threads_.size();
  }
  ~ParallelJsonl() { Finish(); }
  ParallelJsonl(const ParallelJsonl&) = delete;
  ParallelJsonl& operator=(const ParallelJsonl&) = delete;

  // Adds the next clip id of the export order.
  Status Add(int64_t id) {
    if (!filling_) filling_ = TakeChunk();
    filling_->ids.push_back(id);
    return filling_->ids.size() == kChunkClips ? Submit() : Status::Ok();
  }
  // Writes every chunk, stops the workers; the first error of any of them.
  Status Finish() {
    Status s = filling_ ? Submit() : Status::Ok();
    if (s.ok()) s = WriteDone(/*all=*/true);
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    return s;
  }

 private:
  static constexpr size_t kChunkClips = 512;
  struct Chunk {
    std::vector<int64_t> ids;
    std::string text;
    bool done = false;
    Status status = Status::Ok();
  };

  // A written chunk is used again: its buffers keep their capacity, where a new chunk's text
  // grew from nothing each time (page faults and copies were ~8 % of the export's CPU).
  std::shared_ptr<Chunk> TakeChunk() {
    std::lock_guard lock(mu_);
    if (spare_.empty()) return std::make_shared<Chunk>();
    auto chunk = std::move(spare_.back());
    spare_.pop_back();
    return chunk;
  }
  Status Submit() {
    auto chunk = std::move(filling_);
    {
      std::lock_guard lock(mu_);
      order_.push_back(chunk);
      pending_.push_back(chunk);
    }
    work_cv_.notify_one();
    return WriteDone(/*all=*/false);
  }
  // Writes finished chunks from the front of the order: all of them (waiting for each), or only
  // as many as it takes to bring the chunks in flight under the bound.
  // After a chunk failed nothing more is written: the output stays a clean prefix of the
  // export, and the first error is what every later call returns.
  Status WriteDone(bool all) {
    std::unique_lock lock(mu_);
    while (!order_.empty() && (all || order_.size() >= max_in_flight_ || order_.front()->done)) {
      done_cv_.wait(lock, [&] { return order_.front()->done; });
      auto chunk = std::move(order_.front());
      order_.pop_front();
      if (failed_.ok() && !chunk->status.ok()) failed_ = chunk->status;
      if (!failed_.ok()) continue;
      lock.unlock();
      std::fwrite(chunk->text.data(), 1, chunk->text.size(), out_);
      chunk->ids.clear();
      chunk->text.clear();
      chunk->done = false;
      lock.lock();
      spare_.push_back(std::move(chunk));
    }
    return failed_;
  }
  void Work(Catalog& reader) {
    for (;;) {
      std::shared_ptr<Chunk> chunk;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
        if (pending_.empty()) return;
        chunk = std::move(pending_.front());
        pending_.pop_front();
      }
      chunk->status = reader.ReadClips(chunk->ids, [&](const VideoRecord& v, ClipRecord& c) {
        AppendClipJsonLine(v, c, all_attributes_, &chunk->text);
      });
      {
        std::lock_guard lock(mu_);
        chunk->done = true;
      }
      done_cv_.notify_all();
    }
  }

  const bool all_attributes_;
  std::FILE* const out_;
  size_t max_in_flight_ = 2;
  std::shared_ptr<Chunk> filling_;  // the walk's side only
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::shared_ptr<Chunk>> order_, pending_;
  std::vector<std::shared_ptr<Chunk>> spare_;  // written chunks, for reuse
  Status failed_ = Status::Ok();               // the first chunk's error (mu_)
  bool stop_ = false;
  std::vector<std::thread> threads_;  // last: started in the constructor's body
};

}  // namespace

Status ExportRows(Catalog& catalog, const ExportSelection& selection, RowFormat format,
                  bool all_attributes, std::FILE* out) {
  if (format == RowFormat::kJsonl) {
    if (selection.limit == 0) return Status::Ok();
    // One reading connection per core (at most 4: the id walk and the ordered writes are the
    // main thread's). Later commits by another process may show in a worker's reads (a clip
    // deleted since the walk is left out); the export reflects the catalog as it runs.
    const int workers = std::clamp(UsableCores(), 1, 4);
    std::vector<std::unique_ptr<Catalog>> readers;
    for (int i = 0; i < workers; ++i) {
      auto reader = Catalog::Open(catalog.dir(), /*create=*/false);
      if (!reader.ok()) return reader.status();
      readers.push_back(std::move(*reader));
    }
    ParallelJsonl writer(std::move(readers), all_attributes, out);
    // Ten million clips take half a minute or more: say how far it is (stderr; stdout is the
    // export).
    ProgressLine progress("export", "clips", ExpectedClips(selection));
    long seen = 0;
    Status added = Status::Ok();
    Status walked = catalog.ForEachClipId(
        [&](int64_t id) {
          added = writer.Add(id);
          if ((++seen & 4095) == 0) progress.Update(seen);
          return added.ok() && (selection.limit < 0 || seen < selection.limit);
        },
        selection.clip_table);
    Status written = writer.Finish();
    progress.Update(seen);
    progress.Done();
    if (!walked.ok()) return walked;
    return added.ok() ? written : added;
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
