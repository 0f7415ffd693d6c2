// FrameFetcher: exact pictures of a few frames, by timestamp, from a second reader of the same
// file. Sparse decoding skips non-reference frames; when the content jumps across such a gap
// (a possible cut) the shot detector needs the real pictures of the skipped frames, so it can
// place the boundary on the exact frame. The fetcher seeks to the keyframe before the gap and
// decodes forward, reference frames plus the requested ones only. It is rare by design (the
// decoder already decodes the frames before likely scene changes), so it is opened lazily.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <vector>

#include "media/ffmpeg_raii.h"
#include "media/open_input.h"
#include "util/status.h"

namespace clipdex {

class FrameFetcher {
 public:
  // `time_limit_seconds`: the per-file limit (0 = none), counted from the first fetch.
  FrameFetcher(std::filesystem::path path, bool fast, double time_limit_seconds)
      : path_(std::move(path)), fast_(fast), time_limit_seconds_(time_limit_seconds) {}

  // Decodes the frames stamped `pts` (ascending, one stream's timestamps). On success `out`
  // holds one frame per requested timestamp, in order.
  Status Fetch(const std::vector<int64_t>& pts, std::vector<FramePtr>* out);
  long fetches() const { return fetches_; }
  long seeks() const { return seeks_; }

 private:
  Status Open();

  std::filesystem::path path_;
  bool fast_;
  double time_limit_seconds_;
  InputFile input_;
  CodecContextPtr codec_;
  PacketPtr packet_;
  FramePtr frame_;
  long fetches_ = 0, seeks_ = 0;
  std::map<int64_t, FramePtr> cache_;  // decoded past the last request, by timestamp
  bool positioned_ = false;            // the decoder holds the state of the packets read so far
  int64_t max_read_pts_ = INT64_MIN, max_read_dts_ = INT64_MIN;
};

}  // namespace clipdex
