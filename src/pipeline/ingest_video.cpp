#include "pipeline/ingest_video.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <thread>
#include <utility>

#include "media/frame_convert.h"
#include "media/jpeg.h"
#include "pipeline/sample_buffer.h"
#include "pipeline/skipped_frames.h"
#include "shots/shot_start_hint.h"

namespace clipdex {

namespace {

constexpr size_t kSampleBytesPerNeed = 12u << 20;  // memory bound of one need's open-shot samples
constexpr FrameNeed kThumbnailNeed{1.0, false, 320, false};
// Sparse decoding: after the pictures of a gap had to be re-decoded, decode every frame for
// this long (fast motion or a transition usually lasts a while).
constexpr double kDenseSecondsAfterJump = 2.0;
// ... and while the median tiny-frame difference is this high (fast motion: about the level at
// which a jump across a one-frame gap starts to look like it could hide a cut).
constexpr double kDenseMotion = 4.0;
// The analysis thread's nice value (see AnalysisStage::Work).
constexpr int kAnalysisNice = 10;
// A need sampling faster than this wants (nearly) every frame: sparse decoding is turned off.
constexpr double kSparseMaxSampleFps = 10.0;

// Recent frame times by index; old entries fall off. Shot ends are decided within a few
// seconds of the frame, far inside this window.
class TimeRing {
 public:
  void Add(long index, double time, double duration) {
    ring_[index % kSize] = {index, time, duration};
  }
  bool Get(long index, double* time, double* duration) const {
    const Item& it = ring_[index % kSize];
    if (it.index != index) return false;
    *time = it.time;
    if (duration) *duration = it.duration;
    return true;
  }

 private:
  struct Item {
    long index = -1;
    double time = 0, duration = 0;
  };
  static constexpr long kSize = 8192;
  std::vector<Item> ring_ = std::vector<Item>(kSize);
};

// The analyzers of one video, the sample buffers of their distinct needs, and the conversion
// of each decoded frame at most once per distinct (size, colour) pair.
class AnalysisStage {
 public:
  AnalysisStage(const IngestOptions& options, const ProbeInfo& info, StageTimes* profile)
      : converter_(info.rotation, info.sar_num, info.sar_den, info.mirror), profile_(profile) {
    for (const auto& make : options.analyzers) analyzers_.push_back(make());
    for (const auto& a : analyzers_) analyzer_slot_.push_back(SlotFor(a->need()));
    if (options.thumbnails) {
      // Thumbnails come from the largest colour need at >= 0.5 sample/s, or a need of their own.
      int best = -1;
      for (size_t i = 0; i < slots_.size(); ++i) {
        const FrameNeed& n = slots_[i].need();
        if (!n.gray && n.sample_fps >= 0.5 && n.long_side >= 320 &&
            (best < 0 || n.long_side > slots_[best].need().long_side)) {
          best = static_cast<int>(i);
        }
      }
      thumb_slot_ = best >= 0 ? best : SlotFor(kThumbnailNeed);
    }
  }

  // `shot_start`: the frame may open a new shot; sample it so short shots get a sample too.
  void OnFrame(const DecodedFrame& f, bool shot_start) {
    cache_.clear();
    for (SampleBuffer& slot : slots_) {
      // A pair never straddles a likely cut: the waiting sample stays unpaired and the new shot
      // gets its own sample here (a short shot would otherwise get none).
      if (slot.WantsPair() && !shot_start) {
        slot.SetPair(Image(f.frame, slot.need()), f.time, f.index);
      } else if (slot.Wants(f.time) || shot_start) {
        slot.CancelPair();
        AnalysisFrame sample;
        sample.index = f.index;
        sample.time = f.time;
        sample.image = Image(f.frame, slot.need());
        slot.Add(std::move(sample));
      }
    }
  }

  ~AnalysisStage() { Finish(); }

  // True when some need samples (nearly) every frame, which sparse decoding would starve.
  bool WantsEveryFrame() const {
    for (const SampleBuffer& slot : slots_) {
      if (slot.need().sample_fps > kSparseMaxSampleFps) return true;
    }
    return false;
  }

  // Queues the analysis (and thumbnail) of one clip on this video's analysis thread, so the
  // decoder keeps decoding meanwhile. Samples are gathered here (cheap: cv::Mat shares pixels);
  // at most two clips wait, which bounds the memory held by queued samples.
  void Submit(const ClipSpan& span, int clip_index, std::filesystem::path thumb_file,
              int thumb_long_side) {
    Job job;
    job.span = span;
    job.clip_index = clip_index;
    for (size_t i = 0; i < analyzers_.size(); ++i) {
      job.frames.push_back(slots_[analyzer_slot_[i]].Range(span.first_frame, span.last_frame));
    }
    if (!thumb_file.empty()) {
      job.thumb = MiddleSample(span.first_frame, span.last_frame);
      job.thumb_file = std::move(thumb_file);
      job.thumb_long_side = thumb_long_side;
    }
    std::unique_lock lock(mu_);
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
    room_.wait(lock, [this] { return queue_.size() < 2; });
    queue_.push_back(std::move(job));
    ready_.notify_one();
  }

  // Waits for every queued clip; then Results() is complete.
  void Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
      ready_.notify_one();
    }
    if (worker_.joinable()) worker_.join();
  }

  struct ClipResult {
    std::vector<Attribute> attributes;
    bool thumbnail_written = false;
  };
  const std::map<int, ClipResult>& Results() const { return results_; }

  void DropBefore(long index) {
    for (SampleBuffer& slot : slots_) slot.DropBefore(index);
  }

 private:
  int SlotFor(const FrameNeed& need) {
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].need() == need) return static_cast<int>(i);
    }
    // Capacity from a memory budget: a 16:9 sample of this size, doubled for pairs.
    size_t bytes = size_t(need.long_side) * need.long_side * 9 / 16 * (need.gray ? 1 : 3) *
                   (need.pairs ? 2 : 1);
    slots_.emplace_back(need,
                        std::max<size_t>(8, kSampleBytesPerNeed / std::max<size_t>(1, bytes)));
    return static_cast<int>(slots_.size() - 1);
  }

  struct Job {
    ClipSpan span;
    int clip_index = 0;
    std::vector<std::vector<AnalysisFrame>> frames;  // per analyzer
    cv::Mat thumb;
    std::filesystem::path thumb_file;
    int thumb_long_side = 320;
  };

  void Work() {
    // Analysis is throughput work: at a lower priority it runs in the decoder threads' gaps
    // instead of taking the cores from them (camera + framing on the 1080p bench: +13 % -> +11 %
    // wall over shots only, 4 alternating runs). Linux nice values are per thread; failure to
    // lower it only costs that gain.
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kAnalysisNice);
    while (true) {
      Job job;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [this] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        job = std::move(queue_.front());
        queue_.pop_front();
        room_.notify_one();
      }
      ClipResult r;
      for (size_t i = 0; i < analyzers_.size(); ++i) {
        // An analyzer failure (e.g. an OpenCV exception on a degenerate picture) is recorded
        // on the clip, never allowed to take the whole ingest down.
        try {
          StageTimer timer(profile_, "analyzer " + analyzers_[i]->name());
          analyzers_[i]->Analyze(job.span, job.frames[i], &r.attributes);
        } catch (const std::exception& e) {
          r.attributes.push_back(
              Attribute::Text("analysis.error", analyzers_[i]->name() + ": " + e.what()));
        }
      }
      if (!job.thumb.empty()) {
        StageTimer timer(profile_, "thumbnails");
        cv::Mat img = job.thumb;
        const int longest = std::max(img.cols, img.rows);
        if (longest > job.thumb_long_side) {
          const double f = double(job.thumb_long_side) / longest;
          cv::resize(img, img, cv::Size(), f, f, cv::INTER_AREA);
        }
        r.thumbnail_written = WriteJpeg(job.thumb_file, img, 85).ok();
      }
      std::lock_guard lock(mu_);
      results_[job.clip_index] = std::move(r);
    }
  }

  // The sample nearest the middle of [first, last] from the thumbnail need; empty if none.
  cv::Mat MiddleSample(long first, long last) const {
    if (thumb_slot_ < 0) return {};
    auto frames = slots_[thumb_slot_].Range(first, last);
    if (frames.empty()) return {};
    const long mid = (first + last) / 2;
    const AnalysisFrame* best = &frames.front();
    for (const auto& f : frames) {
      if (std::labs(f.index - mid) < std::labs(best->index - mid)) best = &f;
    }
    return best->image;
  }

  cv::Mat Image(const AVFrame* frame, const FrameNeed& need) {
    auto key = std::make_pair(need.long_side, need.gray);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    cv::Mat img = need.gray ? converter_.ToGray(frame, need.long_side)
                            : converter_.ToBgr(frame, need.long_side);
    cache_.emplace(key, img);
    return img;
  }

  ImageConverter converter_;
  StageTimes* profile_;
  std::vector<std::unique_ptr<ClipAnalyzer>> analyzers_;
  std::vector<int> analyzer_slot_;
  std::vector<SampleBuffer> slots_;
  int thumb_slot_ = -1;
  std::map<std::pair<int, bool>, cv::Mat> cache_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<Job> queue_;
  bool done_ = false;
  std::thread worker_;
  std::map<int, ClipResult> results_;
};

// Runs the shot detector on its own thread, so the ingest thread goes back to feeding the
// decoder's threads at once (on 2 cores, the 0.2 ms/frame of detection on the ingest thread
// left decoder threads idle). Frames go in in order; confirmed boundaries come back.
class ShotDetectionWorker {
 public:
  ShotDetectionWorker(ShotDetector* detector, StageTimes* profile)
      : detector_(detector), profile_(profile), thread_([this] { Work(); }) {}
  ~ShotDetectionWorker() { Finish(); }

  // Queues frames (moved out of `frames`); waits while too many are queued (bounded memory).
  void Push(std::vector<SkippedFrameFiller::Ready>* frames) {
    if (frames->empty()) return;
    std::unique_lock lock(mu_);
    room_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    for (auto& f : *frames) queue_.push_back(std::move(f));
    frames->clear();
    ready_.notify_one();
  }
  std::vector<Transition> TakeConfirmed() {
    std::lock_guard lock(mu_);
    return std::exchange(confirmed_, {});
  }
  // Detects on everything queued, then decides what is still pending (end of stream).
  void Finish() {
    {
      std::lock_guard lock(mu_);
      if (finished_) return;
      finished_ = true;
      ready_.notify_one();
    }
    thread_.join();
    detector_->Finish();
    auto last = detector_->TakeConfirmed();
    std::lock_guard lock(mu_);
    confirmed_.insert(confirmed_.end(), last.begin(), last.end());
  }

 private:
  static constexpr size_t kMaxQueued = 64;

  void Work() {
    while (true) {
      std::deque<SkippedFrameFiller::Ready> batch;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [this] { return !queue_.empty() || finished_; });
        if (queue_.empty()) return;
        batch.swap(queue_);
        room_.notify_all();
      }
      StageTimer timer(profile_, "shot detection");
      for (const auto& r : batch) detector_->Push(r.index, r.time, r.tiny);
      auto confirmed = detector_->TakeConfirmed();
      if (confirmed.empty()) continue;
      std::lock_guard lock(mu_);
      confirmed_.insert(confirmed_.end(), confirmed.begin(), confirmed.end());
    }
  }

  ShotDetector* detector_;
  StageTimes* profile_;
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<SkippedFrameFiller::Ready> queue_;
  std::vector<Transition> confirmed_;
  bool finished_ = false;
  std::thread thread_;
};

class ClipBuilder {
 public:
  ClipBuilder(const IngestOptions& options, const VideoIngestContext& context,
              const ProbeInfo& info, AnalysisStage* analysis, VideoResult* result)
      : options_(options), context_(context), info_(info), analysis_(analysis), result_(result) {}

  // Closes the shot [first, last] (frames); `in`/`out` name the bounding transitions.
  void CloseShot(long first, long last, double start_time, double end_time, const std::string& in,
                 const std::string& out) {
    if (last < first) return;
    int parts = 1;
    double dur = end_time - start_time;
    if (options_.max_clip_seconds > 0 && dur > options_.max_clip_seconds) {
      parts = static_cast<int>(std::ceil(dur / options_.max_clip_seconds - 1e-9));
    }
    const long frames = last - first + 1;
    parts = static_cast<int>(std::min<long>(parts, frames));
    for (int p = 0; p < parts; ++p) {
      ClipRecord clip;
      clip.index = static_cast<int>(result_->clips.size());
      clip.first_frame = first + frames * p / parts;
      clip.last_frame = first + frames * (p + 1) / parts - 1;
      // Split points between known shot ends are placed by frame count (times interpolated).
      clip.start_time = start_time + dur * p / parts;
      clip.end_time = start_time + dur * (p + 1) / parts;
      clip.transition_in = p == 0 ? in : "split";
      clip.transition_out = p == parts - 1 ? out : "split";
      clip.split_part = parts > 1 ? p + 1 : 0;
      clip.too_short = options_.min_clip_seconds > 0 &&
                       clip.end_time - clip.start_time < options_.min_clip_seconds;
      ClipSpan span{clip.first_frame,      clip.last_frame,        clip.start_time, clip.end_time,
                    info_.display_width(), info_.display_height(), IsStillImage()};
      std::filesystem::path thumb_file;
      if (options_.thumbnails && !context_.thumbs_dir.empty()) {
        thumb_file = context_.thumbs_dir /
                     (context_.fingerprint + "_" + std::to_string(clip.index) + ".jpg");
      }
      analysis_->Submit(span, clip.index, thumb_file, options_.thumb_long_side);
      result_->clips.push_back(std::move(clip));
    }
  }

 private:
  bool IsStillImage() const { return info_.is_image; }

  const IngestOptions& options_;
  const VideoIngestContext& context_;
  const ProbeInfo& info_;
  AnalysisStage* analysis_;
  VideoResult* result_;
};

}  // namespace

Result<VideoResult> IngestVideo(const std::filesystem::path& path, const IngestOptions& options,
                                const VideoIngestContext& context) {
  const auto started = std::chrono::steady_clock::now();
  auto opened = VideoDecoder::Open(path, options.decode);
  if (!opened.ok()) return opened.status();
  VideoDecoder& dec = *opened.value();
  const ProbeInfo& info = dec.info();

  VideoResult result;
  result.video.path = std::filesystem::absolute(path).lexically_normal().string();
  result.video.fingerprint = context.fingerprint;
  result.video.probe = info;

  ShotDetector detector(options.shots, info.fps());
  if (context.signals_sink) detector.set_signals_sink(context.signals_sink);
  TinyYuvMaker tiny_maker(options.tiny_width, options.tiny_height);
  AnalysisStage analysis(options, info, context.profile);
  if (analysis.WantsEveryFrame()) dec.DisableSparse();
  TimeRing times;
  ClipBuilder clips(options, context, info, &analysis, &result);

  long shot_first = 0;
  double shot_start_time = 0.0;
  std::string shot_in;
  TinyYuv tiny;
  DecodedFrame f;

  ShotDetectionWorker detection(&detector, context.profile);
  auto close_confirmed = [&]() {
    for (const Transition& t : detection.TakeConfirmed()) {
      result.transitions.push_back(t);
      // The old shot ends where the transition begins; gradual frames belong to no clip
      // (they are blends of two shots, poor training material).
      double end_time = t.first_time, unused = 0;
      if (IsGradual(t.type)) times.Get(t.first_frame, &end_time, &unused);
      clips.CloseShot(shot_first, t.first_frame - 1, shot_start_time, end_time, shot_in,
                      std::string(ToString(t.type)));
      shot_first = IsGradual(t.type) ? t.last_frame + 1 : t.first_frame;
      double next_time = t.last_time, next_dur = 0;
      if (IsGradual(t.type) && times.Get(t.last_frame, &next_time, &next_dur)) {
        next_time += next_dur;
      }
      shot_start_time = next_time;
      shot_in = std::string(ToString(t.type));
      analysis.DropBefore(shot_first);
    }
  };

  SkippedFrameFiller filler(path, options.decode, options.shots, &tiny_maker);
  std::vector<SkippedFrameFiller::Ready> ready;
  ShotStartHint hint(options.shots);
  auto push_ready = [&]() { detection.Push(&ready); };
  while (true) {
    if (context.cancel != nullptr && context.cancel->load()) return Status::Error("cancelled");
    Result<bool> got = false;
    {
      StageTimer timer(context.profile, "decode");
      got = dec.Next(&f);
    }
    if (!got.ok()) return got.status();
    if (!got.value()) break;
    for (const SkippedFrame& s : f.skipped) times.Add(s.index, s.time, s.duration);
    if (f.frame != nullptr) {
      times.Add(f.index, f.time, f.duration);
      StageTimer timer(context.profile, "shot detection");
      tiny_maker.Make(f.frame, &tiny);
    }
    {
      StageTimer timer(context.profile, "skipped frames (interpolate or re-decode)");
      // The content jumps or moves fast: decode densely for a while. Gaps there often need
      // their real pictures, and re-decoding them one by one costs far more.
      if (filler.Add(f.skipped, f.frame != nullptr ? &tiny : nullptr, f.index, f.time, &ready) ||
          filler.recent_motion() >= kDenseMotion) {
        dec.RequestDense(kDenseSecondsAfterJump);
      }
    }
    push_ready();
    if (f.frame != nullptr) {
      StageTimer timer(context.profile, "analysis frames (convert + buffer)");
      analysis.OnFrame(f, hint.Update(tiny));
    }
    close_confirmed();
    if (context.frames_counter != nullptr) {
      context.frames_counter->fetch_add(1 + static_cast<long>(f.skipped.size()));
    }
  }
  filler.Finish(&ready);
  push_ready();
  if (context.profile != nullptr) {
    context.profile->Count("frames decoded", dec.frames_decoded() - dec.frames_skipped());
    context.profile->Count("frames skipped (sparse decoding)", dec.frames_skipped());
    context.profile->Count("skipped frames interpolated", filler.interpolated());
    context.profile->Count("skipped frames re-decoded exactly", filler.fetched());
    context.profile->Count("re-decode seeks", filler.seeks());
    context.profile->Count("re-decode failures (interpolated instead)", filler.fetch_failures());
  }
  detection.Finish();
  close_confirmed();
  const long total = dec.frames_decoded();
  clips.CloseShot(shot_first, total - 1, shot_start_time, dec.decoded_duration(), shot_in, "");
  analysis.Finish();
  for (ClipRecord& clip : result.clips) {
    auto it = analysis.Results().find(clip.index);
    if (it == analysis.Results().end()) continue;
    clip.attributes = it->second.attributes;
    if (it->second.thumbnail_written) {
      clip.thumbnail = "thumbs/" + context.fingerprint + "_" + std::to_string(clip.index) + ".jpg";
    }
  }

  result.video.status = "ok";
  result.video.frames = total;
  result.video.decoded_duration = dec.decoded_duration();
  result.video.probe.is_vfr = info.is_vfr || dec.observed_vfr();
  result.video.decode_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace clipdex
