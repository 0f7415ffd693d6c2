// Opening a media file for its main video stream, with clear one-line reasons on failure and a
// deadline that aborts blocking demuxer I/O (so a pathological file cannot hang a batch).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "media/ffmpeg_raii.h"
#include "util/status.h"

namespace clipdex {

// Wall-clock deadline checked by libavformat's interrupt callback and by the decode loop.
class Deadline {
 public:
  explicit Deadline(double seconds);  // <= 0: never expires
  bool Expired() const;
  double seconds() const { return seconds_; }
  // Moves the end later (a limited deadline only): the decoder adds time for a long input once
  // it knows the input's duration.
  void ExtendBy(double seconds);

 private:
  double seconds_;
  std::chrono::steady_clock::time_point end_;
};

struct InputFile {
  FormatContextPtr format;
  int stream_index = -1;
  std::unique_ptr<Deadline> deadline;  // heap: its address is registered with libavformat
};

// `read_stream_info` false skips the probing decode (avformat_find_stream_info): for a second
// reader of a file already opened and probed once, whose container header says enough.
Result<InputFile> OpenInput(const std::filesystem::path& path, double deadline_seconds,
                            bool read_stream_info = true);

struct ProbeInfo;
// Fills `info` from an opened input's stream (used by Probe and the decoder). `path` is read
// again only for stills, whose EXIF orientation libavformat does not parse.
Status FillProbeInfo(AVFormatContext* fmt, int stream_index, const std::filesystem::path& path,
                     ProbeInfo* info);

// The last error-level message libav logged on this thread (e.g. "moov atom not found"),
// captured so failures can name the real reason; "" if none since the last call.
std::string TakeLastLibavError();

}  // namespace clipdex
