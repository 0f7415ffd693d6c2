// ClipOutput: one media file being written by the clip writers (stream copy and transcode).
// Unless Finish() succeeds the destructor closes the file and deletes what was written, so a
// failed export never leaves a truncated clip that looks valid. Muxing is bit-exact (no
// library version strings), so the same packets give byte-identical files.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "media/ffmpeg_raii.h"
#include "util/status.h"

namespace clipdex {

// The last libav error logged on this thread, else the text of `code`.
std::string LibavReason(int code);

// A failure to open or read the source, worded so a caller that prints "clip 3: <reason>" is
// unambiguous about which file is at fault ("cannot read source X: ...", "source has no video
// stream").
Status SourceError(const std::filesystem::path& source, const Status& status);

// Error when `out_path` is the source file itself.
Status CheckNotSource(const std::filesystem::path& source, const std::filesystem::path& out_path);

class ClipOutput {
 public:
  explicit ClipOutput(std::filesystem::path path) : path_(std::move(path)) {}
  ClipOutput(const ClipOutput&) = delete;
  ClipOutput& operator=(const ClipOutput&) = delete;
  ~ClipOutput();

  // Picks the container from the extension and creates the file (without writing to it yet),
  // so an unwritable destination fails before any slow decoding starts.
  Status Create();
  AVFormatContext* ctx() { return ctx_.get(); }
  Status WriteHeader();
  // Takes over the packet's data (av_interleaved_write_frame leaves `packet` blank).
  Status Write(AVPacket* packet);
  Status Finish();
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Freer {
    void operator()(AVFormatContext* ctx) const;
  };
  Status Fail(const std::string& why) const;

  std::filesystem::path path_;
  std::unique_ptr<AVFormatContext, Freer> ctx_;
  bool file_created_ = false;
  bool finished_ = false;
};

}  // namespace clipdex
