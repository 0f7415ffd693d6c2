// Fuzz target: arbitrary bytes as a media file through everything ingest and caption do to an
// input before the analyzers: probe, open, decode (sparse and dense), conversion to the analysis
// pictures and the caption pass's seeking frame grabber. Any outcome but an error value is a bug
// (a crash, a sanitizer report, a hang past libFuzzer's -timeout).
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "media/decoder.h"
#include "media/frame_convert.h"
#include "media/frame_grabber.h"
#include "media/probe.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  av_log_set_level(AV_LOG_QUIET);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace clipdex;
  const auto path = fuzz::WriteScratch("input", data, size);
  auto probe = Probe(path);
  if (!probe.ok()) return 0;
  DecodeOptions options;
  options.threads = 1;
  options.time_limit_seconds = 3;
  options.sparse = size % 2 == 0;  // both decode paths, chosen by the input
  auto decoder = VideoDecoder::Open(path, options);
  if (decoder.ok()) {
    const ProbeInfo& info = (*decoder)->info();
    ImageConverter converter(info.rotation, info.sar_num, info.sar_den, info.mirror);
    TinyYuvMaker tiny(16, 9);
    TinyYuv yuv;
    DecodedFrame frame;
    for (int i = 0; i < 12; ++i) {
      auto next = (*decoder)->Next(&frame);
      if (!next.ok() || !*next) break;
      if (frame.frame == nullptr) continue;
      tiny.Make(frame.frame, &yuv);
      if (i % 4 == 0) {
        cv::Mat bgr = converter.ToBgr(frame.frame, 64);
        cv::Mat grey = converter.ToGray(frame.frame, 32);
        (void)bgr;
        (void)grey;
      }
    }
  }
  // Caption's seeking reader: a time inside the stream and one past its (claimed) end.
  auto grabbed = GrabFrames(path, *probe, {0.5, probe->duration + 1}, 64, 3);
  (void)grabbed;
  return 0;
}
