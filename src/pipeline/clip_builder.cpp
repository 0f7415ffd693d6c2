#include "pipeline/clip_builder.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

namespace clipdex {

void ClipBuilder::CloseShot(long first, long last, double start_time, double end_time,
                            const std::string& in, const std::string& out) {
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
      thumb_file =
          context_.thumbs_dir / (context_.fingerprint + "_" + std::to_string(clip.index) + ".jpg");
    }
    analysis_->Submit(span, clip.index, thumb_file, options_.thumb_long_side);
    result_->clips.push_back(std::move(clip));
  }
}

}  // namespace clipdex
