// AnalysisStage: the analyzers of one video, the sample buffers of their distinct needs, and the
// conversion of each decoded frame at most once per distinct (size, colour) pair. Closed clips are
// analysed (and their thumbnails written) on the stage's own thread, at a lower priority than the
// decoder.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "analyze/analyzer.h"
#include "media/decoder.h"
#include "media/frame_convert.h"
#include "pipeline/ingest_video.h"
#include "pipeline/sample_buffer.h"
#include "pipeline/stage_times.h"

namespace clipdex {

class AnalysisStage {
 public:
  AnalysisStage(const IngestOptions& options, const ProbeInfo& info, StageTimes* profile);
  ~AnalysisStage() { Finish(); }

  // `shot_start`: the frame may open a new shot; sample it so short shots get a sample too.
  void OnFrame(const DecodedFrame& f, bool shot_start);

  // True when some need samples (nearly) every frame, which sparse decoding would starve (needs
  // marked FrameNeed::sparse_ok excepted).
  bool WantsEveryFrame() const;

  // Queues the analysis (and thumbnail) of one clip on this video's analysis thread, so the decoder
  // keeps decoding meanwhile. Samples are gathered here (cheap: cv::Mat shares pixels); at most two
  // clips wait, which bounds the memory held by queued samples.
  void Submit(const ClipSpan& span, int clip_index, std::filesystem::path thumb_file,
              int thumb_long_side);

  // Waits for every queued clip; then Results() is complete.
  void Finish();

  struct ClipResult {
    std::vector<Attribute> attributes;
    bool thumbnail_written = false;
    std::string thumbnail_error;  // why a wanted thumbnail was not written (e.g. disk full)
  };
  const std::map<int, ClipResult>& Results() const { return results_; }

  // Samples before this frame are no longer needed (their shot is closed).
  void DropBefore(long index) {
    for (SampleBuffer& slot : slots_) slot.DropBefore(index);
  }

 private:
  struct Job {
    ClipSpan span;
    int clip_index = 0;
    std::vector<std::vector<AnalysisFrame>> frames;  // per analyzer
    cv::Mat thumb;
    std::filesystem::path thumb_file;
    int thumb_long_side = 320;
  };

  int SlotFor(const FrameNeed& need);
  void Work();
  // The sample nearest the middle of [first, last] from the thumbnail need; empty if none.
  cv::Mat MiddleSample(long first, long last) const;
  cv::Mat Image(const AVFrame* frame, const FrameNeed& need);

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

}  // namespace clipdex
