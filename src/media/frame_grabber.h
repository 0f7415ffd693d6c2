// FrameGrabber: display-oriented pictures of a file at a few timestamps, by seeking — for passes
// that look at chosen moments of a clip after ingest (captioning's keyframes) and must not decode
// the whole video again. Each Grab seeks to the keyframe at or before the first wanted time and
// decodes forward; later times in the same request continue from there when they are near.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <vector>

#include "media/probe.h"
#include "util/status.h"

namespace clipdex {

struct GrabbedFrames {
  std::vector<cv::Mat> pictures;  // BGR, one per requested time, longer side <= long_side
  long decoded = 0;               // frames decoded to get them (cost, for reports)
};

// `times`: seconds on the stream's presentation clock (the catalog's clip times), ascending.
// `probe`: the file's ProbeInfo from the catalog (rotation, pixel aspect, EXIF mirror). A time
// past the end yields the last picture. `deadline_seconds` bounds the whole call (0 = none).
// Errors: one line ("open: ...", "no decoder", "no picture at 12.3 s", "timed out").
Result<GrabbedFrames> GrabFrames(const std::filesystem::path& path, const ProbeInfo& probe,
                                 const std::vector<double>& times, int long_side,
                                 double deadline_seconds);

}  // namespace clipdex
