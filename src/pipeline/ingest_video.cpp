#include "pipeline/ingest_video.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>

#include <opencv2/imgcodecs.hpp>

#include "media/frame_convert.h"

namespace clipdex {

namespace {

// Bounded store of sampled display frames for the shot that is still open, used for
// thumbnails (and, later, per-shot analyzers). When it fills up, every other sample is dropped
// and the sampling interval doubles, so a two-hour shot costs the same as a two-minute one.
class ShotSamples {
 public:
  explicit ShotSamples(double interval) : interval_(interval) {}
  bool Wants(double time) const { return samples_.empty() || time >= samples_.back().time + interval_; }
  void Add(long index, double time, cv::Mat image) {
    samples_.push_back({index, time, std::move(image)});
    if (samples_.size() > kCapacity) {
      std::deque<Sample> kept;
      for (size_t i = 0; i < samples_.size(); i += 2) kept.push_back(std::move(samples_[i]));
      samples_.swap(kept);
      interval_ *= 2;
    }
  }
  // The sample nearest to the middle of [first, last].
  const cv::Mat* Middle(long first, long last) const {
    const cv::Mat* best = nullptr;
    long best_dist = 0;
    long mid = (first + last) / 2;
    for (const Sample& s : samples_) {
      if (s.index < first || s.index > last) continue;
      long dist = std::labs(s.index - mid);
      if (best == nullptr || dist < best_dist) {
        best = &s.image;
        best_dist = dist;
      }
    }
    return best;
  }
  void DropBefore(long index) {
    while (!samples_.empty() && samples_.front().index < index) samples_.pop_front();
  }

 private:
  struct Sample {
    long index;
    double time;
    cv::Mat image;
  };
  static constexpr size_t kCapacity = 64;
  double interval_;
  std::deque<Sample> samples_;
};

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

class ClipBuilder {
 public:
  ClipBuilder(const IngestOptions& options, const VideoIngestContext& context, VideoResult* result)
      : options_(options), context_(context), result_(result) {}

  // Closes the shot [first, last] (frames); `in`/`out` name the bounding transitions.
  void CloseShot(long first, long last, double start_time, double end_time, const std::string& in,
                 const std::string& out, const ShotSamples& samples) {
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
      if (options_.thumbnails && !context_.thumbs_dir.empty()) {
        if (const cv::Mat* img = samples.Middle(clip.first_frame, clip.last_frame)) {
          std::string name = context_.fingerprint + "_" + std::to_string(clip.index) + ".jpg";
          if (cv::imwrite((context_.thumbs_dir / name).string(), *img,
                          {cv::IMWRITE_JPEG_QUALITY, 85})) {
            clip.thumbnail = "thumbs/" + name;
          }
        }
      }
      result_->clips.push_back(std::move(clip));
    }
  }

 private:
  const IngestOptions& options_;
  const VideoIngestContext& context_;
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
  ImageConverter converter(info.rotation, info.sar_num, info.sar_den);
  ShotSamples samples(/*interval=*/1.0);
  TimeRing times;
  ClipBuilder clips(options, context, &result);

  long shot_first = 0;
  double shot_start_time = 0.0;
  std::string shot_in;
  TinyYuv tiny;
  DecodedFrame f;

  auto close_confirmed = [&]() {
    for (const Transition& t : detector.TakeConfirmed()) {
      result.transitions.push_back(t);
      double end_time = t.first_time, unused = 0;
      // The old shot ends where the transition begins; gradual frames belong to no clip
      // (they are blends of two shots, poor training material).
      const long last = t.first_frame - 1;
      if (IsGradual(t.type)) times.Get(t.first_frame, &end_time, &unused);
      clips.CloseShot(shot_first, last, shot_start_time, end_time, shot_in,
                      std::string(ToString(t.type)), samples);
      shot_first = IsGradual(t.type) ? t.last_frame + 1 : t.first_frame;
      double next_time = t.last_time, next_dur = 0;
      if (IsGradual(t.type)) {
        if (times.Get(t.last_frame, &next_time, &next_dur)) next_time += next_dur;
      }
      shot_start_time = next_time;
      shot_in = std::string(ToString(t.type));
      samples.DropBefore(shot_first);
    }
  };

  while (true) {
    if (context.cancel != nullptr && context.cancel->load()) return Status::Error("cancelled");
    auto got = dec.Next(&f);
    if (!got.ok()) return got.status();
    if (!got.value()) break;
    times.Add(f.index, f.time, f.duration);
    tiny_maker.Make(f.frame, &tiny);
    detector.Push(f.index, f.time, tiny);
    if (options.thumbnails && samples.Wants(f.time)) {
      samples.Add(f.index, f.time, converter.ToBgr(f.frame, options.thumb_long_side));
    }
    close_confirmed();
    if (context.frames_counter != nullptr) context.frames_counter->fetch_add(1);
  }
  detector.Finish();
  close_confirmed();
  const long total = dec.frames_decoded();
  clips.CloseShot(shot_first, total - 1, shot_start_time, dec.decoded_duration(), shot_in, "",
                  samples);

  result.video.status = "ok";
  result.video.frames = total;
  result.video.decoded_duration = dec.decoded_duration();
  result.video.probe.is_vfr = info.is_vfr || dec.observed_vfr();
  result.video.decode_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace clipdex
