// Probe: the facts about a video file's main video stream, read without decoding it all.
#pragma once

#include <filesystem>
#include <string>

#include "util/status.h"

namespace clipdex {

struct ProbeInfo {
  std::string container;  // libavformat short name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;      // e.g. "h264"
  int width = 0;          // coded size, before rotation
  int height = 0;
  int sar_num = 1;  // sample (pixel) aspect ratio; 1:1 = square pixels
  int sar_den = 1;
  int rotation = 0;       // clockwise degrees the picture must be turned for display: 0/90/180/270
  bool mirror = false;    // flip left-right before turning (EXIF orientations 2, 4, 5, 7)
  bool is_image = false;  // a still image (image demuxer: jpeg_pipe, png_pipe, image2 ...)
  int exif_orientation = 0;  // EXIF orientation tag of a still (1..8), 0 when not read
  int fps_num = 0;           // average frame rate (r_frame_rate when the average is unknown)
  int fps_den = 1;
  bool is_vfr = false;      // timestamps advance irregularly (checked on the first frames)
  double duration = 0.0;    // seconds, from the container (0 when unknown)
  double start_time = 0.0;  // seconds, first presentation timestamp of the stream
  std::string pix_fmt;      // e.g. "yuv420p10le"
  int bit_depth = 8;
  bool interlaced = false;  // field order says the stream is interlaced
  bool has_alpha = false;
  int stream_index = -1;
  long frame_count_hint = 0;  // from the container (nb_frames); 0 when unknown; not trusted

  double fps() const { return fps_den > 0 && fps_num > 0 ? double(fps_num) / fps_den : 0.0; }
  // Display size after rotation and pixel-aspect correction (what a viewer sees).
  int display_width() const;
  int display_height() const;
};

// True for libavformat's image demuxers (jpeg_pipe, png_pipe, webp_pipe, image2 ...).
bool IsImageContainer(const std::string& container);

// Opens `path`, finds the best video stream and fills ProbeInfo. Errors name the reason:
// "empty file", "not a media file", "no video stream", "unsupported codec xyz", ...
Result<ProbeInfo> Probe(const std::filesystem::path& path);

}  // namespace clipdex
