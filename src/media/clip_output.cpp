#include "media/clip_output.h"

#include <system_error>

#include "media/open_input.h"

namespace clipdex {

namespace fs = std::filesystem;

std::string LibavReason(int code) {
  std::string why = TakeLastLibavError();
  return why.empty() ? AvErrorString(code) : why;
}

Status SourceError(const fs::path& source, const Status& status) {
  const std::string& msg = status.message();
  if (msg.rfind("no video stream", 0) == 0) {
    return Status::Error("source has no video stream" + msg.substr(15));
  }
  return Status::Error("cannot read source " + source.string() + ": " + msg);
}

Status CheckNotSource(const fs::path& source, const fs::path& out_path) {
  std::error_code ec;
  if (fs::equivalent(source, out_path, ec)) {
    return Status::Error("cannot create output " + out_path.string() + ": it is the source file");
  }
  return Status::Ok();
}

void ClipOutput::Freer::operator()(AVFormatContext* ctx) const {
  if (ctx->pb != nullptr && !(ctx->oformat->flags & AVFMT_NOFILE)) avio_closep(&ctx->pb);
  avformat_free_context(ctx);
}

ClipOutput::~ClipOutput() {
  if (finished_) return;
  ctx_.reset();  // close before deleting
  if (file_created_) {
    std::error_code ec;
    fs::remove(path_, ec);
  }
}

Status ClipOutput::Fail(const std::string& why) const {
  return Status::Error("cannot create output " + path_.string() + ": " + why);
}

Status ClipOutput::Create() {
  QuietFfmpegLogs();
  TakeLastLibavError();
  AVFormatContext* raw = nullptr;
  int rc = avformat_alloc_output_context2(&raw, nullptr, nullptr, path_.c_str());
  if (rc < 0 || raw == nullptr) {
    return Fail("no container format for extension '" + path_.extension().string() + "'");
  }
  ctx_.reset(raw);
  // No "encoder: Lavf..." tag and no creation time: the bytes depend on the packets only.
  raw->flags |= AVFMT_FLAG_BITEXACT;
  if (!(raw->oformat->flags & AVFMT_NOFILE)) {
    // "file:" keeps libavformat from reading a colon in the name as a protocol prefix.
    const std::string url = "file:" + path_.string();
    rc = avio_open(&raw->pb, url.c_str(), AVIO_FLAG_WRITE);
    if (rc < 0) return Fail(LibavReason(rc));
    file_created_ = true;
  }
  return Status::Ok();
}

// Each libav call below first clears the last logged error, so that a failure reports its own
// reason and not a stale decoder complaint.
Status ClipOutput::WriteHeader() {
  TakeLastLibavError();
  int rc = avformat_write_header(ctx_.get(), nullptr);
  if (rc < 0) return Fail(LibavReason(rc));
  return Status::Ok();
}

Status ClipOutput::Write(AVPacket* packet) {
  TakeLastLibavError();
  int rc = av_interleaved_write_frame(ctx_.get(), packet);
  if (rc < 0) {
    return Status::Error("cannot write output " + path_.string() + ": " + LibavReason(rc));
  }
  return Status::Ok();
}

Status ClipOutput::Finish() {
  TakeLastLibavError();
  int rc = av_write_trailer(ctx_.get());
  if (rc >= 0 && ctx_->pb != nullptr && !(ctx_->oformat->flags & AVFMT_NOFILE)) {
    rc = avio_closep(&ctx_->pb);  // reports a failed final flush (e.g. disk full)
  }
  if (rc < 0) {
    return Status::Error("cannot write output " + path_.string() + ": " + LibavReason(rc));
  }
  finished_ = true;
  ctx_.reset();
  return Status::Ok();
}

}  // namespace clipdex
