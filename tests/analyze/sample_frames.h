// Test helper: decodes a file with the project's own decoder and samples it the way the pipeline
// would for one FrameNeed (display-oriented, scaled once, optional next-frame pairs), so analyzer
// tests exercise the same pixels the engine feeds them. Header-only; tests only.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "analyze/analyzer.h"
#include "media/decoder.h"
#include "media/frame_convert.h"
#include "util/status.h"

namespace clipdex::testing {

struct SampledClip {
  ClipSpan span;
  std::vector<AnalysisFrame> frames;
  double fps = 0;
};

// Samples [start, end) seconds of `path` (end <= 0: to the end of the stream) per `need`.
// `sparse`: decode as the ingest does by default (non-reference frames skipped where possible).
inline Result<SampledClip> SampleFile(const std::filesystem::path& path, const FrameNeed& need,
                                      double start = 0, double end = 0, bool sparse = false) {
  DecodeOptions options;
  options.threads = 2;
  options.sparse = sparse;
  auto opened = VideoDecoder::Open(path, options);
  if (!opened.ok()) return opened.status();
  VideoDecoder& dec = *opened.value();
  const ProbeInfo& info = dec.info();
  ImageConverter converter(info.rotation, info.sar_num, info.sar_den, info.mirror);
  auto convert = [&](const AVFrame* f) {
    return need.gray ? converter.ToGray(f, need.long_side) : converter.ToBgr(f, need.long_side);
  };

  SampledClip clip;
  clip.fps = info.fps();
  clip.span.width = info.display_width();
  clip.span.height = info.display_height();
  const double interval = need.sample_fps > 0 ? 1.0 / need.sample_fps : 0.0;
  double next_sample = start;
  bool want_pair = false;  // the previous frame was sampled and waits for its successor
  int pair_skips = 0;
  bool first = true;
  DecodedFrame f;
  while (true) {
    auto got = dec.Next(&f);
    if (!got.ok()) return got.status();
    if (!got.value()) break;
    if (f.frame == nullptr) continue;  // sparse decoding: trailing skipped frames only
    if (f.time < start - 1e-6) continue;
    if (end > 0 && f.time >= end) break;
    if (first) {
      clip.span.first_frame = f.index;
      clip.span.start_time = f.time;
      first = false;
    }
    clip.span.last_frame = f.index;
    clip.span.end_time = f.time + f.duration;
    if (want_pair) {
      cv::Mat next = convert(f.frame);
      AnalysisFrame& last = clip.frames.back();
      // Like the pipeline's SampleBuffer::SetPair: repeats of the sample are passed over.
      if (pair_skips >= kMaxRepeatedPairFrames || !SamePicture(last.image, next)) {
        last.next_image = next;
        last.next_time = f.time;
        last.next_index = f.index;
        want_pair = false;
      } else {
        ++pair_skips;
        continue;
      }
    }
    if (f.time + 1e-6 >= next_sample) {
      AnalysisFrame a;
      a.index = f.index;
      a.time = f.time;
      a.image = convert(f.frame);
      clip.frames.push_back(std::move(a));
      want_pair = need.pairs;
      pair_skips = 0;
      // Advance on the sampling grid (not from this frame's time) so the rate does not drift.
      while (next_sample <= f.time + 1e-6) next_sample += interval > 0 ? interval : 1e9;
    }
  }
  // A trailing sample without its pair is useless for motion analyzers.
  if (want_pair && !clip.frames.empty()) clip.frames.pop_back();
  if (first) return Status::Error("no frames decoded in range: " + path.string());
  return clip;
}

}  // namespace clipdex::testing
