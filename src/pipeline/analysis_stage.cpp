#include "pipeline/analysis_stage.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <opencv2/imgproc.hpp>

#include "media/jpeg.h"

namespace clipdex {

namespace {

constexpr size_t kSampleBytesPerNeed = 12u << 20;  // memory bound of one need's open-shot samples
constexpr FrameNeed kThumbnailNeed{1.0, false, 320, false};
// The analysis thread's nice value (see AnalysisStage::Work).
constexpr int kAnalysisNice = 10;
// A need sampling faster than this wants (nearly) every frame: sparse decoding is turned off.
constexpr double kSparseMaxSampleFps = 10.0;

}  // namespace

AnalysisStage::AnalysisStage(const IngestOptions& options, const ProbeInfo& info,
                             StageTimes* profile)
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

void AnalysisStage::OnFrame(const DecodedFrame& f, bool shot_start) {
  cache_.clear();
  for (SampleBuffer& slot : slots_) {
    // A pair never straddles a likely cut: the waiting sample stays unpaired and the new shot gets
    // its own sample here (a short shot would otherwise get none).
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

bool AnalysisStage::WantsEveryFrame() const {
  for (const SampleBuffer& slot : slots_) {
    if (!slot.need().sparse_ok && slot.need().sample_fps > kSparseMaxSampleFps) return true;
  }
  return false;
}

void AnalysisStage::Submit(const ClipSpan& span, int clip_index, std::filesystem::path thumb_file,
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

void AnalysisStage::Finish() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
    ready_.notify_one();
  }
  if (worker_.joinable()) worker_.join();
}

int AnalysisStage::SlotFor(const FrameNeed& need) {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].need() == need) return static_cast<int>(i);
  }
  // Capacity from a memory budget: a 16:9 sample of this size, doubled for pairs.
  size_t bytes =
      size_t(need.long_side) * need.long_side * 9 / 16 * (need.gray ? 1 : 3) * (need.pairs ? 2 : 1);
  slots_.emplace_back(need, std::max<size_t>(8, kSampleBytesPerNeed / std::max<size_t>(1, bytes)));
  return static_cast<int>(slots_.size() - 1);
}

void AnalysisStage::Work() {
  // Analysis is throughput work: at a lower priority it runs in the decoder threads' gaps instead
  // of taking the cores from them (camera + framing on the 1080p bench: +13 % -> +11 % wall over
  // shots only, 4 alternating runs). Linux nice values are per thread; failure to lower it only
  // costs that gain.
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
      // An analyzer failure (e.g. an OpenCV exception on a degenerate picture) is recorded on the
      // clip, never allowed to take the whole ingest down.
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
      Status written = WriteJpeg(job.thumb_file, img, 85);
      r.thumbnail_written = written.ok();
      if (!written.ok()) r.thumbnail_error = written.message();
    }
    std::lock_guard lock(mu_);
    results_[job.clip_index] = std::move(r);
  }
}

cv::Mat AnalysisStage::MiddleSample(long first, long last) const {
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

cv::Mat AnalysisStage::Image(const AVFrame* frame, const FrameNeed& need) {
  auto key = std::make_pair(need.long_side, need.gray);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  cv::Mat img = need.gray ? converter_.ToGray(frame, need.long_side)
                          : converter_.ToBgr(frame, need.long_side);
  cache_.emplace(key, img);
  return img;
}

}  // namespace clipdex
