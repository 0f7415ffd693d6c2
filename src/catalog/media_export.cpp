#include "catalog/media_export.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "catalog/clip_json.h"
#include "catalog/export_state.h"
#include "media/clip_writer.h"
#include "util/json_dump.h"
#include "util/progress_line.h"

namespace clipdex {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// A long video's clips are split into jobs of about this many seconds (each job decodes from
// a seek near its first clip), so one long video still keeps several threads busy.
constexpr double kChunkSeconds = 30.0;
constexpr const char* kWorkDir = ".clipdex-work";

// ---------------------------------------------------------------------------------------------
// Plan: what a clip becomes.

struct Piece {
  std::string key;          // sample key of the piece (stills: the prefix of theirs)
  int part = 0, parts = 1;  // part 1-based when split, 0 otherwise
  long first_frame = 0, last_frame = 0;
  double start_time = 0, end_time = 0;
  bool trimmed = false;
  std::vector<long> stills;  // frame indices (options.stills)
  std::vector<std::string> still_keys;
};

std::string Suffixed(const std::string& key, const char* format, long n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, format, n);
  return key + buf;
}

std::vector<Piece> PlanPieces(const VideoRecord& v, const ClipRecord& c,
                              const MediaExportOptions& o) {
  const std::string key = SampleKey(v, c);
  const long frames = std::max(1L, c.last_frame - c.first_frame + 1);
  const double duration = std::max(0.0, c.end_time - c.start_time);
  int parts = 1;
  long kept = frames;
  bool trimmed = false;
  if (o.max_seconds > 0 && duration > o.max_seconds + 1e-9 && frames > 1) {
    if (o.split) {
      parts =
          static_cast<int>(std::min<double>(frames, std::ceil(duration / o.max_seconds - 1e-9)));
    } else {
      kept = std::clamp(static_cast<long>(std::floor(frames * o.max_seconds / duration + 1e-9)), 1L,
                        frames);
      trimmed = true;
    }
  }
  std::vector<Piece> pieces;
  const double per_frame = duration / frames;
  for (int p = 0; p < parts; ++p) {
    Piece piece;
    piece.part = parts > 1 ? p + 1 : 0;
    piece.parts = parts;
    piece.trimmed = trimmed;
    piece.first_frame = c.first_frame + kept * p / parts;
    piece.last_frame = c.first_frame + kept * (p + 1) / parts - 1;
    // Whole clips keep their recorded times; parts and trims are placed by frame count.
    piece.start_time =
        p == 0 ? c.start_time : c.start_time + (piece.first_frame - c.first_frame) * per_frame;
    piece.end_time = (p == parts - 1 && !trimmed)
                         ? c.end_time
                         : c.start_time + (piece.last_frame + 1 - c.first_frame) * per_frame;
    piece.key = parts > 1 ? Suffixed(key, "_p%02ld", p + 1) : key;
    if (o.stills) {
      const long n = piece.last_frame - piece.first_frame + 1;
      const long count = std::clamp<long>(
          std::lround((piece.end_time - piece.start_time) * o.frames_per_second), 1, n);
      for (long k = 0; k < count; ++k) {
        piece.stills.push_back(piece.first_frame +
                               static_cast<long>(std::floor((k + 0.5) * n / count)));
        piece.still_keys.push_back(Suffixed(piece.key, "_f%04ld", k));
      }
    }
    pieces.push_back(std::move(piece));
  }
  return pieces;
}

// The sample keys of a piece, in order.
const std::vector<std::string>& PieceKeys(const Piece& piece, std::vector<std::string>* scratch) {
  if (!piece.still_keys.empty()) return piece.still_keys;
  scratch->assign(1, piece.key);
  return *scratch;
}

// ---------------------------------------------------------------------------------------------
// Jobs: a video's clips (or a stretch of them), processed on a worker thread.

struct ClipWork {
  ClipRecord clip;
  std::string tier;
  std::vector<Piece> pieces;
  std::set<std::string> skip;  // keys already in complete shards (resumed run)
};

struct Job {
  long id = 0;
  VideoRecord video;
  std::vector<ClipWork> clips;
  double seconds = 0;
  bool allow_seek = false;
};

struct SampleOut {
  std::string key;
  fs::path file;
  std::string ext;
  nlohmann::ordered_json info;
};

struct PieceOut {
  std::vector<SampleOut> samples;
  Status error;
  bool output_failed = false;  // writing failed (not the source): stop, a rerun redoes the clip
  bool skipped = false;        // every sample already written
  bool copied = false, encoded = false;
  std::string reason_kind;  // why it was re-encoded
  double seconds = 0;
};

struct JobResult {
  std::vector<std::vector<PieceOut>> clips;  // per clip, per piece
};

// Short names for why a clip was not stream-copied, for the summary.
std::string ReasonKind(const std::string& reason) {
  for (const char* what : {"codec ", "audio "}) {
    if (reason.rfind(what, 0) == 0 && reason.find("cannot be stream-copied") != std::string::npos) {
      return reason.substr(0, reason.find(' ', 6)) + " does not fit the container";
    }
  }
  if (reason.find("timestamps jump backwards") != std::string::npos)
    return "timestamps run backwards";
  if (reason.find("no keyframe near") != std::string::npos) return "no keyframe near the start";
  return reason;
}

// Why no clip of `v` may be stream-copied ("" = copies may be tried).
std::string CopyVeto(const VideoRecord& v, const MediaExportOptions& o) {
  if (o.encode_all) return "normalisation or --accurate asked for";
  // Loaders (decord, torchvision, PyAV without autorotate) ignore the display matrix.
  if (v.probe.rotation != 0) return "picture stored rotated (turned upright)";
  // They ignore the sample aspect ratio too: a copy of PAL 720x576 at 16:15 would load stretched.
  if (v.probe.sar_num > 0 && v.probe.sar_den > 0 && v.probe.sar_num != v.probe.sar_den)
    return "non-square pixels (made square)";
  return "";
}

nlohmann::ordered_json PieceInfo(const Piece& piece) {
  nlohmann::ordered_json info;
  info["start"] = piece.start_time;
  info["end"] = piece.end_time;
  if (piece.part > 0) {
    info["part"] = piece.part;
    info["parts"] = piece.parts;
  }
  if (piece.trimmed) info["trimmed"] = true;
  return info;
}

// The head of a video sample's record, the same keys in the same order for a copied and a
// re-encoded clip (`reason` only on re-encodes: why the copy was not used).
template <typename Written>
nlohmann::ordered_json VideoSampleInfo(const char* method, const std::string& reason,
                                       const Written& written) {
  nlohmann::ordered_json info;
  info["media"] = "mp4";
  info["method"] = method;
  if (std::string_view(method) == "encode") info["reason"] = reason;
  info["codec"] = written.codec;
  info["width"] = written.width;
  info["height"] = written.height;
  info["duration"] = written.duration;
  info["frames"] = written.frames;
  return info;
}

JobResult ProcessJob(const Job& job, const MediaExportOptions& o, const fs::path& work,
                     int decode_threads, const std::atomic<bool>* cancel) {
  JobResult result;
  const VideoRecord& v = job.video;
  const std::string veto = CopyVeto(v, o);
  std::vector<TranscodeTarget> targets;
  std::vector<std::pair<size_t, size_t>> target_of;  // (clip, piece)
  std::vector<std::string> target_reason;
  result.clips.resize(job.clips.size());
  for (size_t i = 0; i < job.clips.size(); ++i) {
    const ClipWork& cw = job.clips[i];
    result.clips[i].resize(cw.pieces.size());
    for (size_t j = 0; j < cw.pieces.size(); ++j) {
      const Piece& piece = cw.pieces[j];
      PieceOut& out = result.clips[i][j];
      std::vector<std::string> scratch;
      const auto& keys = PieceKeys(piece, &scratch);
      out.skipped = std::all_of(keys.begin(), keys.end(),
                                [&](const std::string& k) { return cw.skip.count(k) > 0; });
      if (out.skipped) continue;
      out.seconds = piece.end_time - piece.start_time;
      const std::string base =
          (work / (std::to_string(job.id) + "_" + std::to_string(i) + "_" + std::to_string(j)))
              .string();
      TranscodeTarget target;
      target.first_frame = piece.first_frame;
      target.last_frame = piece.last_frame;
      target.start_time = piece.start_time;
      target.end_time = piece.end_time;
      std::string reason = veto;
      if (o.stills) {
        for (size_t k = 0; k < piece.stills.size(); ++k) {
          target.still_frames.push_back(piece.stills[k]);
          target.still_paths.push_back(Suffixed(base, "_f%04ld.jpg", static_cast<long>(k)));
        }
      } else {
        target.video_path = base + ".mp4";
        if (veto.empty()) {
          CopyOptions copy;
          copy.audio = o.encode.audio;
          copy.max_start_offset = o.copy_tolerance;
          ClipCut cut{piece.first_frame, piece.last_frame, piece.start_time, piece.end_time};
          auto copied = CopyClip(v.path, cut, target.video_path, copy);
          if (copied.ok()) {
            nlohmann::ordered_json info = VideoSampleInfo("copy", "", *copied);
            info["offset"] = copied->start_offset;
            info["audio"] = copied->audio;
            info.update(PieceInfo(piece));
            out.samples.push_back({piece.key, target.video_path, "mp4", std::move(info)});
            out.copied = true;
            continue;
          }
          reason = copied.status().message();
        }
      }
      targets.push_back(std::move(target));
      target_of.emplace_back(i, j);
      target_reason.push_back(reason);
    }
  }
  if (targets.empty()) return result;
  TranscodeOptions topts;
  topts.decode_threads = decode_threads;
  topts.allow_seek = job.allow_seek;
  topts.cancel = cancel;
  const auto outcomes = TranscodeClips(v.path, targets, o.encode, topts);
  for (size_t t = 0; t < targets.size(); ++t) {
    const auto [i, j] = target_of[t];
    const Piece& piece = job.clips[i].pieces[j];
    const ClipWork& cw = job.clips[i];
    PieceOut& out = result.clips[i][j];
    const TranscodeOutcome& oc = outcomes[t];
    if (!oc.status.ok()) {
      out.error = oc.status;
      out.output_failed = oc.output_failed;
      continue;
    }
    if (o.stills) {
      for (size_t k = 0; k < piece.stills.size(); ++k) {
        if (cw.skip.count(piece.still_keys[k])) {
          std::error_code ec;
          fs::remove(targets[t].still_paths[k], ec);
          continue;
        }
        nlohmann::ordered_json info;
        info["media"] = "jpg";
        info["frame"] = piece.stills[k];
        info["time"] = (piece.start_time - cw.clip.start_time) +
                       (k < oc.still_times.size() ? oc.still_times[k] : 0.0);
        info["width"] = oc.width;
        info["height"] = oc.height;
        info.update(PieceInfo(piece));
        out.samples.push_back(
            {piece.still_keys[k], targets[t].still_paths[k], "jpg", std::move(info)});
      }
      continue;
    }
    nlohmann::ordered_json info = VideoSampleInfo("encode", target_reason[t], oc);
    if (o.encode.fps > 0) info["fps"] = o.encode.fps;
    info["audio"] = oc.audio;
    info.update(PieceInfo(piece));
    out.samples.push_back({piece.key, targets[t].video_path, "mp4", std::move(info)});
    out.encoded = true;
    out.reason_kind = ReasonKind(target_reason[t]);
  }
  return result;
}

// Runs jobs on worker threads; the caller takes results in submission order.
class JobQueue {
 public:
  JobQueue(int workers, std::function<JobResult(const Job&)> process)
      : process_(std::move(process)) {
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this] { Work(); });
  }
  ~JobQueue() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Submit(Job job) {
    auto slot = std::make_shared<Slot>();
    slot->job = std::move(job);
    {
      std::lock_guard lock(mu_);
      slots_.push_back(slot);
    }
    cv_.notify_all();
  }
  size_t pending() {
    std::lock_guard lock(mu_);
    return slots_.size();
  }
  // Waits up to `timeout` for the oldest job; true (and the job and its result) when done.
  bool TakeFront(std::chrono::milliseconds timeout, Job* job, JobResult* result) {
    std::unique_lock lock(mu_);
    if (slots_.empty()) return false;
    auto front = slots_.front();
    if (!done_cv_.wait_for(lock, timeout, [&] { return front->done; })) return false;
    *job = std::move(front->job);
    *result = std::move(front->result);
    slots_.pop_front();
    return true;
  }

 private:
  struct Slot {
    Job job;
    JobResult result;
    bool started = false, done = false;
  };
  void Work() {
    while (true) {
      std::shared_ptr<Slot> slot;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] {
          if (stop_) return true;
          for (auto& s : slots_) {
            if (!s->started) return true;
          }
          return false;
        });
        if (stop_) return;
        for (auto& s : slots_) {
          if (!s->started) {
            slot = s;
            break;
          }
        }
        slot->started = true;
      }
      JobResult r = process_(slot->job);
      {
        std::lock_guard lock(mu_);
        slot->result = std::move(r);
        slot->done = true;
      }
      done_cv_.notify_all();
    }
  }

  std::function<JobResult(const Job&)> process_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::deque<std::shared_ptr<Slot>> slots_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Progress on stderr: one live line on a terminal, a plain line every 10 s otherwise. The ETA
// is by seconds of source video (clips differ in length far more than in cost per second).
class Progress {
 public:
  Progress(bool enabled, long clips, double seconds)
      : enabled_(enabled),
        tty_(isatty(2) == 1),
        clips_(clips),
        seconds_(seconds),
        start_(Clock::now()),
        last_(start_) {}
  void Update(const MediaExportSummary& s, long clips_done, double seconds_done) {
    if (!enabled_) return;
    const auto now = Clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    if (since < (tty_ ? 0.5 : 10.0) && clips_done < clips_) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double rate = elapsed > 0 ? seconds_done / elapsed : 0;
    const std::string eta = seconds_done > 0 && seconds_ > seconds_done
                                ? FormatDuration(elapsed * (seconds_ - seconds_done) / seconds_done)
                                : (clips_done >= clips_ ? "0s" : "?");
    std::fprintf(stderr,
                 "%s[%ld/%ld clips] copied %ld  re-encoded %ld  failed %ld  %.1f clips/s  "
                 "%.1fx realtime  ETA %s%s",
                 tty_ ? "\r\033[K" : "", clips_done, clips_, s.copied, s.reencoded, s.failed,
                 elapsed > 0 ? clips_done / elapsed : 0.0, rate, eta.c_str(), tty_ ? "" : "\n");
    std::fflush(stderr);
    shown_ = true;
  }
  // Clears the live line before other output.
  void Clear() {
    if (enabled_ && tty_ && shown_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_, tty_;
  long clips_;
  double seconds_;
  Clock::time_point start_, last_;
  bool shown_ = false;
};

// Where a resumed run starts: clips before `clip` are done; in `clip`, keys in `keys` are.
struct ResumeAt {
  long clip = -1;
  std::set<std::string> keys;
};

// The whole selection's plan, walked once before any work: totals for the progress line, and
// the check of the shards a resumed run keeps against it.
struct PlanTotals {
  long clips = 0;
  double seconds = 0;
  long samples = 0;
  std::string last_key;
  ResumeAt resume;
  size_t matched = 0;  // written keys found in the plan, in order
};

Result<PlanTotals> WalkPlan(Catalog& catalog, const ExportSelection& selection,
                            const MediaExportOptions& o, const std::vector<std::string>& written) {
  PlanTotals t;
  long seen = 0;
  if (selection.limit == 0) return t;
  Status s = catalog.ForEachClip(
      [&](const VideoRecord& v, const ClipRecord& c) {
        const long ordinal = t.clips++;
        std::vector<std::string> scratch;
        for (const Piece& piece : PlanPieces(v, c, o)) {
          t.seconds += piece.end_time - piece.start_time;
          for (const std::string& key : PieceKeys(piece, &scratch)) {
            ++t.samples;
            t.last_key = key;
            if (t.matched < written.size() && written[t.matched] == key) {
              ++t.matched;
              if (t.resume.clip != ordinal) t.resume.keys.clear();
              t.resume.clip = ordinal;
              t.resume.keys.insert(key);
            }
          }
        }
        return selection.limit < 0 || ++seen < selection.limit;
      },
      selection.clip_table);
  if (!s.ok()) return s;
  return t;
}

// The export loop shared by shards and files: plans, runs jobs, hands each finished clip's
// samples to `consume` in catalog order.
using ConsumeFn =
    std::function<Status(const VideoRecord&, const ClipWork&, std::vector<PieceOut>&)>;

Status RunExport(Catalog& catalog, const ExportSelection& selection, const MediaExportOptions& o,
                 const fs::path& work, const PlanTotals& plan, MediaExportSummary* summary,
                 const MediaFailureFn& on_failure, const ConsumeFn& consume) {
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  if (ec) return Status::Error("cannot create " + work.string() + ": " + ec.message());
  const int jobs = std::max(1, o.jobs);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int decode_threads = std::max(1, cores / jobs);
  std::atomic<bool> cancel{false};
  Progress progress(o.progress, plan.clips, plan.seconds);
  long clips_done = 0;
  double seconds_done = 0;
  Status error;

  {
    JobQueue queue(
        jobs, [&](const Job& job) { return ProcessJob(job, o, work, decode_threads, &cancel); });
    // Takes finished jobs off the front (waiting for the oldest when `wait`), writes them.
    auto consume_ready = [&](bool wait) {
      while (error.ok()) {
        Job job;
        JobResult result;
        if (!queue.TakeFront(std::chrono::milliseconds(wait ? 500 : 0), &job, &result)) {
          progress.Update(*summary, clips_done, seconds_done);
          if (!wait || queue.pending() == 0) return;
          continue;
        }
        for (size_t i = 0; i < job.clips.size() && error.ok(); ++i) {
          const ClipWork& cw = job.clips[i];
          for (size_t j = 0; j < result.clips[i].size(); ++j) {
            PieceOut& p = result.clips[i][j];
            if (p.skipped) continue;
            ++summary->pieces;
            seconds_done += p.seconds;
            summary->media_seconds += p.seconds;
            if (!p.error.ok() && p.output_failed) {
              // Not the clip's fault (a full disk, an encoder refusing): dropping it would
              // thin the dataset, so the export stops unfinished and a rerun resumes with it.
              error = Status::Error("cannot write clip " + std::to_string(cw.clip.index) + " of " +
                                    job.video.path + ": " + p.error.message() +
                                    "; the export stops here, rerun to resume");
              break;
            }
            if (!p.error.ok()) {
              ++summary->failed;
              progress.Clear();
              if (on_failure) on_failure(job.video, cw.clip, cw.pieces[j].part, p.error);
              continue;
            }
            if (p.copied) ++summary->copied;
            if (p.encoded) {
              ++summary->reencoded;
              ++summary->reencode_reasons[p.reason_kind];
            }
            if (o.stills) summary->stills += static_cast<long>(p.samples.size());
          }
          if (!error.ok()) break;
          error = consume(job.video, cw, result.clips[i]);
          ++clips_done;
        }
        // Whatever was not consumed (an error stopped the writer) goes now.
        for (auto& clip : result.clips) {
          for (auto& piece : clip) {
            for (auto& sample : piece.samples) fs::remove(sample.file, ec);
          }
        }
        progress.Update(*summary, clips_done, seconds_done);
        if (!wait) continue;
        return;
      }
    };
    const size_t window = static_cast<size_t>(jobs) * 2 + 1;
    Job current;
    long next_id = 0, ordinal = -1, seen = 0;
    auto submit = [&]() {
      if (current.clips.empty()) return;
      current.id = next_id++;
      queue.Submit(std::move(current));
      current = Job();
      while (error.ok() && queue.pending() >= window) consume_ready(/*wait=*/true);
      consume_ready(/*wait=*/false);
    };
    Status walk;
    if (selection.limit != 0) {
      walk = catalog.ForEachClip(
          [&](const VideoRecord& v, const ClipRecord& c) {
            ++ordinal;
            const bool more = selection.limit < 0 || ++seen < selection.limit;
            if (ordinal < plan.resume.clip) {  // already in complete shards
              ++clips_done;
              return more;
            }
            ClipWork cw;
            cw.clip = c;
            cw.pieces = PlanPieces(v, c, o);
            if (ordinal == plan.resume.clip) cw.skip = plan.resume.keys;
            auto tier = catalog.TierOfClip(c.id);
            if (!tier.ok()) {
              error = tier.status();
              return false;
            }
            cw.tier = tier.value();
            const bool chunked = !v.probe.is_vfr && !v.probe.is_image;
            if (!current.clips.empty() &&
                (current.video.id != v.id || (chunked && current.seconds >= kChunkSeconds))) {
              submit();
            }
            if (current.clips.empty()) {
              current.video = v;
              current.allow_seek = chunked;
            }
            current.seconds += std::max(0.0, c.end_time - c.start_time);
            current.clips.push_back(std::move(cw));
            return error.ok() && more;
          },
          selection.clip_table);
    }
    if (walk.ok() && error.ok()) submit();
    while (error.ok() && queue.pending() > 0) consume_ready(/*wait=*/true);
    if (!error.ok() || !walk.ok()) cancel = true;
    progress.Clear();
    if (!walk.ok()) error = walk;
  }  // joins the workers
  fs::remove_all(work, ec);
  return error;
}

// Members of a finished sample: the media, the record, the caption, the thumbnail.
std::vector<SampleMember> Members(Catalog& catalog, const VideoRecord& v, const ClipWork& cw,
                                  const SampleOut& sample, const MediaExportOptions& o,
                                  std::string* json_text) {
  nlohmann::ordered_json j = ClipJson(v, cw.clip, o.all_attributes);
  if (!cw.tier.empty()) j["tier"] = cw.tier;
  j["export"] = sample.info;
  *json_text = DumpJson(j);
  std::vector<SampleMember> members;
  members.push_back({sample.ext, sample.file, ""});
  members.push_back({"json", {}, *json_text});
  const Attribute* caption = FindAttribute(cw.clip, "caption.text");
  if (caption != nullptr && !caption->text.empty()) members.push_back({"txt", {}, caption->text});
  if (!o.stills && o.thumbnails && !cw.clip.thumbnail.empty() &&
      fs::exists(catalog.dir() / cw.clip.thumbnail)) {
    members.push_back({"jpg", catalog.dir() / cw.clip.thumbnail, ""});
  }
  return members;
}

}  // namespace

nlohmann::ordered_json MediaExportIdentity(const MediaExportOptions& o) {
  nlohmann::ordered_json j;
  if (o.stills) {
    j["frames_per_second"] = o.frames_per_second;
  } else {
    j["copy"] = !o.encode_all;
    if (!o.encode_all) j["copy_tolerance"] = o.copy_tolerance;
  }
  j["codec"] = o.encode.codec;
  j["crf"] = o.encode.crf >= 0 ? o.encode.crf : DefaultCrf(o.encode.codec);
  j["encoder_threads"] = o.encode.threads;
  if (o.encode.short_side > 0) j["resize"] = o.encode.short_side;
  if (o.encode.box_width > 0) {
    j["resize"] = std::to_string(o.encode.box_width) + "x" + std::to_string(o.encode.box_height);
    j["fit"] = o.encode.pad ? "pad" : "crop";
  }
  if (o.encode.fps > 0) j["fps"] = o.encode.fps;
  j["audio"] = o.encode.audio;
  if (o.max_seconds > 0) {
    j["max_seconds"] = o.max_seconds;
    j["long_clips"] = o.split ? "split" : "trim";
  }
  j["thumbnails"] = o.thumbnails && !o.stills;
  j["all_attributes"] = o.all_attributes;
  return j;
}

Result<MediaExportSummary> ExportShards(Catalog& catalog, const ExportSelection& selection,
                                        const fs::path& dir, ShardLimit limit,
                                        const nlohmann::ordered_json& selection_identity,
                                        const MediaExportOptions& o,
                                        const MediaFailureFn& on_failure) {
  const auto started = Clock::now();
  nlohmann::ordered_json identity;
  identity["media"] = MediaExportIdentity(o);
  identity["selection"] = selection_identity;
  identity["shard_samples"] = limit.max_samples;
  identity["shard_bytes"] = limit.max_bytes;
  auto state = PrepareShardDir(dir, identity);
  if (!state.ok()) return state.status();
  if (!state->unfinished_because.empty()) {
    std::fprintf(stderr, "%s: %s; resuming\n", dir.string().c_str(),
                 state->unfinished_because.c_str());
  }
  auto plan = WalkPlan(catalog, selection, o, state->keys);
  if (!plan.ok()) return plan.status();
  if (plan->matched != state->keys.size()) {
    return Status::Error(dir.string() +
                         " holds samples this export would not write (the catalog or the "
                         "selection changed); use an empty directory");
  }
  MediaExportSummary summary;
  summary.clips = plan->clips;
  summary.shards_kept = state->complete_shards;
  summary.skipped = static_cast<long>(state->keys.size());
  const fs::path manifest = dir / kManifestFile;
  const fs::path manifest_partial = manifest.string() + ".partial";
  auto write_manifest = [&](const std::vector<std::string>& lines, bool append) -> Status {
    std::ofstream out(manifest_partial, append ? std::ios::app : std::ios::trunc);
    for (const std::string& line : lines) out << line << '\n';
    out.flush();
    return out ? Status::Ok() : Status::Error("cannot write " + manifest_partial.string());
  };
  auto finish_manifest = [&]() -> Status {
    std::error_code ec;
    fs::rename(manifest_partial, manifest, ec);
    return ec ? Status::Error("cannot write " + manifest.string() + ": " + ec.message())
              : Status::Ok();
  };
  if (state->finished) {
    if (plan->samples != state->planned || plan->last_key != state->last_key) {
      return Status::Error(dir.string() +
                           " holds a finished export of another selection (the catalog "
                           "changed?); use an empty directory");
    }
    summary.shards = state->complete_shards;
    if (!fs::exists(manifest)) {
      if (Status s = write_manifest(state->manifest_lines, false); !s.ok()) return s;
      if (Status s = finish_manifest(); !s.ok()) return s;
    }
    summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return summary;
  }
  std::error_code ec;
  fs::remove(manifest, ec);
  if (Status s = write_manifest(state->manifest_lines, false); !s.ok()) return s;
  long samples_total = static_cast<long>(state->keys.size());
  if (Status s = WriteExportState(dir, identity, false, plan->samples, plan->last_key,
                                  samples_total, state->complete_shards);
      !s.ok()) {
    return s;
  }
  WebDatasetWriter writer(dir, limit);
  writer.ContinueAt(state->complete_shards);
  std::vector<std::string> open_lines;  // manifest lines of the open shard
  int open_shard = -1;
  auto consume = [&](const VideoRecord& v, const ClipWork& cw,
                     std::vector<PieceOut>& pieces) -> Status {
    for (PieceOut& p : pieces) {
      for (SampleOut& sample : p.samples) {
        std::string json;
        auto members = Members(catalog, v, cw, sample, o, &json);
        const int before = writer.shards();
        Status s = writer.Add(sample.key, members);
        fs::remove(sample.file, ec);
        if (!s.ok()) return s;
        if (writer.shards() != before && open_shard >= 0) {
          // The shard before closed: its lines go to the manifest.
          if (s = write_manifest(open_lines, true); !s.ok()) return s;
          open_lines.clear();
        }
        open_shard = writer.shards() - 1;
        open_lines.push_back(
            ManifestLine(WebDatasetWriter::ShardName(open_shard), sample.key, json));
        ++summary.samples;
        ++samples_total;
      }
    }
    return Status::Ok();
  };
  Status s =
      RunExport(catalog, selection, o, dir / kWorkDir, plan.value(), &summary, on_failure, consume);
  if (s.ok()) s = writer.Finish();
  if (s.ok()) s = write_manifest(open_lines, true);
  if (s.ok()) s = finish_manifest();
  summary.shards = std::max(writer.shards(), state->complete_shards);
  if (s.ok()) {
    s = WriteExportState(dir, identity, true, plan->samples, plan->last_key, samples_total,
                         summary.shards);
  }
  if (!s.ok()) return s;
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return summary;
}

Result<MediaExportSummary> ExportMediaFiles(Catalog& catalog, const ExportSelection& selection,
                                            const fs::path& dir, const MediaExportOptions& o,
                                            const MediaFailureFn& on_failure) {
  const auto started = Clock::now();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Error("cannot create " + dir.string() + ": " + ec.message());
  auto plan = WalkPlan(catalog, selection, o, {});
  if (!plan.ok()) return plan.status();
  MediaExportSummary summary;
  summary.clips = plan->clips;
  auto consume = [&](const VideoRecord& v, const ClipWork& cw,
                     std::vector<PieceOut>& pieces) -> Status {
    std::string name = ClipFileName(v, cw.clip);
    name = name.substr(0, name.size() - 4);  // without ".mp4"
    for (size_t j = 0; j < pieces.size(); ++j) {
      const Piece& piece = cw.pieces[j];
      std::string stem = piece.part > 0 ? Suffixed(name, "_p%02ld", piece.part) : name;
      for (SampleOut& sample : pieces[j].samples) {
        std::string file = stem;
        if (sample.ext == "jpg") file = Suffixed(stem, "_f%04ld", sample.info["frame"].get<long>());
        const fs::path target = dir / (file + "." + sample.ext);
        fs::rename(sample.file, target, ec);
        if (ec) {
          // Another file system: copy, then remove the work file.
          fs::copy_file(sample.file, target, fs::copy_options::overwrite_existing, ec);
          std::error_code ignored;
          fs::remove(sample.file, ignored);
          if (ec) return Status::Error("cannot write " + target.string() + ": " + ec.message());
        }
        ++summary.samples;
      }
    }
    return Status::Ok();
  };
  Status s =
      RunExport(catalog, selection, o, dir / kWorkDir, plan.value(), &summary, on_failure, consume);
  if (!s.ok()) return s;
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return summary;
}

}  // namespace clipdex
