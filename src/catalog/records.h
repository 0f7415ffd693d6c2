// Plain records stored in and read from the catalog.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "media/probe.h"
#include "shots/transition.h"
#include "util/attribute.h"

namespace clipdex {

struct VideoRecord {
  int64_t id = 0;
  std::string fingerprint;  // content fingerprint (see util/fingerprint.h); unique per dataset
  std::string path;         // absolute path at ingest time
  int64_t file_size = 0;
  std::string status;  // "ok" or "failed"
  std::string error;   // one-line reason when failed
  ProbeInfo probe;
  long frames = 0;  // decoded frame count
  double decoded_duration =
      0.0;  // seconds covered by decoded frames (last pts - first pts + 1 frame)
  double decode_seconds = 0.0;  // wall time spent on this video
  int64_t run_id = 0;
};

struct ClipRecord {
  int64_t id = 0;
  int64_t video_id = 0;
  int index = 0;          // 0-based order within the video
  long first_frame = 0;   // inclusive, decoded-frame index
  long last_frame = 0;    // inclusive
  double start_time = 0;  // seconds, presentation time of first_frame (relative to stream start)
  double end_time = 0;    // seconds, end of last_frame (its pts + its duration)
  std::string transition_in;   // type of the boundary that opens the clip, "" for video start
  std::string transition_out;  // type of the boundary that closes it, "" for video end
  bool too_short = false;      // shorter than --min-clip: kept and flagged, never dropped
  int split_part = 0;          // >0 when a long shot was split by --max-clip (1-based part)
  std::string thumbnail;       // path relative to the dataset directory, "" if none
  std::vector<Attribute> attributes;  // analyzer outputs, stored in clip_attributes
};

// The attribute `name` of `clip`, or nullptr.
inline const Attribute* FindAttribute(const ClipRecord& clip, std::string_view name) {
  for (const Attribute& a : clip.attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// Everything one ingested video produces; committed in one transaction.
struct VideoResult {
  VideoRecord video;
  std::vector<Transition> transitions;
  std::vector<ClipRecord> clips;
};

}  // namespace clipdex
