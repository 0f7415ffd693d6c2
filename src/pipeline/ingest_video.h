// One video, one decode: probe, decode every frame, detect shots online, cut shots into clips,
// write thumbnails. Produces a VideoResult for the catalog to commit in one transaction.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "analyze/analyzer.h"
#include "catalog/records.h"
#include "media/decoder.h"
#include "pipeline/stage_times.h"
#include "shots/shot_detector.h"
#include "util/status.h"

namespace clipdex {

struct IngestOptions {
  DecodeOptions decode{.fast = true, .sparse = true};
  ShotDetectorOptions shots;
  double min_clip_seconds = 0.0;  // shorter clips are kept and flagged too_short
  double max_clip_seconds = 0.0;  // longer shots are split into equal parts; 0 = never split
  bool thumbnails = true;
  int thumb_long_side = 320;
  int tiny_width = 64;  // shot-detection frame size (luma); chroma is half of it
  int tiny_height = 36;
  // Analyzers to run on every clip; one instance per video is made from each factory, so an
  // analyzer may keep per-video state and needs no locking.
  std::vector<std::function<std::unique_ptr<ClipAnalyzer>()>> analyzers;
};

struct VideoIngestContext {
  std::filesystem::path thumbs_dir;  // where <fingerprint>_<clip>.jpg go; empty = none
  std::string fingerprint;
  // Per-frame detector signals, for --stats. May be empty.
  std::function<void(const FrameSignals&)> signals_sink;
  std::function<void(const RegionRecord&)> region_sink;
  std::atomic<long>* frames_counter = nullptr;  // incremented per decoded frame (progress)
  const std::atomic<bool>* cancel = nullptr;    // stop early (returns an error)
  StageTimes* profile = nullptr;                // wall time per stage (--profile), or none
};

Result<VideoResult> IngestVideo(const std::filesystem::path& path, const IngestOptions& options,
                                const VideoIngestContext& context);

}  // namespace clipdex
