// ClipBuilder: turns a closed shot into clip records (split into equal parts past --max-clip,
// flagged too_short under --min-clip) and queues each clip's analysis and thumbnail.
#pragma once

#include <string>

#include "catalog/records.h"
#include "media/probe.h"
#include "pipeline/analysis_stage.h"
#include "pipeline/ingest_video.h"

namespace clipdex {

class ClipBuilder {
 public:
  ClipBuilder(const IngestOptions& options, const VideoIngestContext& context,
              const ProbeInfo& info, AnalysisStage* analysis, VideoResult* result)
      : options_(options), context_(context), info_(info), analysis_(analysis), result_(result) {}

  // Closes the shot [first, last] (frames); `in`/`out` name the bounding transitions.
  void CloseShot(long first, long last, double start_time, double end_time, const std::string& in,
                 const std::string& out);

 private:
  bool IsStillImage() const { return info_.is_image; }

  const IngestOptions& options_;
  const VideoIngestContext& context_;
  const ProbeInfo& info_;
  AnalysisStage* analysis_;
  VideoResult* result_;
};

}  // namespace clipdex
