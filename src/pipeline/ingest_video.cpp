#include "pipeline/ingest_video.h"

#include <chrono>
#include <limits>
#include <string>
#include <vector>

#include "media/frame_convert.h"
#include "pipeline/analysis_stage.h"
#include "pipeline/clip_builder.h"
#include "pipeline/provenance.h"
#include "pipeline/shot_detection_worker.h"
#include "pipeline/skipped_frames.h"
#include "pipeline/time_ring.h"
#include "shots/shot_start_hint.h"

namespace clipdex {

namespace {

// Sparse decoding: after the pictures of a gap had to be re-decoded, decode every frame for this
// long (fast motion or a transition usually lasts a while).
constexpr double kDenseSecondsAfterJump = 2.0;
// ... and while the median tiny-frame difference is this high (fast motion: about the level at
// which a jump across a one-frame gap starts to look like it could hide a cut).
constexpr double kDenseMotion = 4.0;
// How many frames the shot detector thread may run behind the sampling of analysis frames (see
// ShotDetectionWorker): boundaries confirmed by frame n are applied before frame n + kConfirmLag
// is sampled.
constexpr long kConfirmLag = 8;

}  // namespace

Result<VideoResult> IngestVideo(const std::filesystem::path& path, const IngestOptions& options,
                                const VideoIngestContext& context) {
  const auto started = std::chrono::steady_clock::now();
  auto opened = VideoDecoder::Open(path, options.decode);
  if (!opened.ok()) return opened.status();
  VideoDecoder& dec = *opened.value();
  const ProbeInfo& info = dec.info();

  VideoResult result;
  result.video.path = std::filesystem::absolute(path).lexically_normal().string();
  result.video.fingerprint = context.fingerprint;
  result.video.probe = info;

  ShotDetector detector(options.shots, info.fps());
  if (context.signals_sink) detector.set_signals_sink(context.signals_sink);
  if (context.region_sink) detector.set_region_sink(context.region_sink);
  TinyYuvMaker tiny_maker(options.tiny_width, options.tiny_height);
  AnalysisStage analysis(options, info, context.profile);
  if (analysis.WantsEveryFrame()) dec.DisableSparse();
  TimeRing times;
  ClipBuilder clips(options, context, info, &analysis, &result);

  long shot_first = 0;
  double shot_start_time = 0.0;
  std::string shot_in;
  TinyYuv tiny;
  DecodedFrame f;

  ShotDetectionWorker detection(&detector, context.profile);
  // Closes the shots whose boundaries the detection of frames <= `through` confirmed (all of
  // them by default): a fixed set for a given frame, whatever the detector thread's progress.
  auto close_confirmed = [&](long through) {
    for (const Transition& t : detection.TakeConfirmedThrough(through)) {
      result.transitions.push_back(t);
      // The old shot ends where the transition begins; gradual frames belong to no clip (they are
      // blends of two shots, poor training material).
      double end_time = t.first_time, unused = 0;
      if (IsGradual(t.type)) times.Get(t.first_frame, &end_time, &unused);
      clips.CloseShot(shot_first, t.first_frame - 1, shot_start_time, end_time, shot_in,
                      std::string(ToString(t.type)));
      shot_first = IsGradual(t.type) ? t.last_frame + 1 : t.first_frame;
      double next_time = t.last_time, next_dur = 0;
      if (IsGradual(t.type) && times.Get(t.last_frame, &next_time, &next_dur)) {
        next_time += next_dur;
      }
      shot_start_time = next_time;
      shot_in = std::string(ToString(t.type));
      analysis.DropBefore(shot_first);
    }
  };

  SkippedFrameFiller filler(path, options.decode, options.shots, &tiny_maker);
  std::vector<SkippedFrameFiller::Ready> ready;
  ShotStartHint hint(options.shots);
  auto push_ready = [&]() { detection.Push(&ready); };
  while (true) {
    if (context.cancel != nullptr && context.cancel->load()) return Status::Error("cancelled");
    Result<bool> got = false;
    {
      StageTimer timer(context.profile, "decode");
      got = dec.Next(&f);
    }
    if (!got.ok()) return got.status();
    if (!got.value()) break;
    for (const SkippedFrame& s : f.skipped) times.Add(s.index, s.time, s.duration);
    if (f.frame != nullptr) {
      times.Add(f.index, f.time, f.duration);
      StageTimer timer(context.profile, "shot detection");
      tiny_maker.Make(f.frame, &tiny);
    }
    {
      StageTimer timer(context.profile, "skipped frames (interpolate or re-decode)");
      // The content jumps or moves fast: decode densely for a while. Gaps there often need their
      // real pictures, and re-decoding them one by one costs far more.
      if (filler.Add(f.skipped, f.frame != nullptr ? &tiny : nullptr, f.index, f.time, &ready) ||
          filler.recent_motion() >= kDenseMotion) {
        dec.RequestDense(kDenseSecondsAfterJump);
      }
    }
    push_ready();
    if (f.frame != nullptr) {
      // The boundaries confirmed kConfirmLag frames back are applied before this frame is
      // sampled; the lag lets the detector thread run that far behind without a wait.
      close_confirmed(f.index - kConfirmLag);
      StageTimer timer(context.profile, "analysis frames (convert + buffer)");
      analysis.OnFrame(f, hint.Update(tiny));
    }
    if (context.frames_counter != nullptr) {
      context.frames_counter->fetch_add(1 + static_cast<long>(f.skipped.size()));
    }
  }
  filler.Finish(&ready);
  push_ready();
  if (context.profile != nullptr) {
    context.profile->Count("frames decoded", dec.frames_decoded() - dec.frames_skipped());
    context.profile->Count("frames skipped (sparse decoding)", dec.frames_skipped());
    context.profile->Count("skipped frames interpolated", filler.interpolated());
    context.profile->Count("skipped frames re-decoded exactly", filler.fetched());
    context.profile->Count("re-decode seeks", filler.seeks());
    context.profile->Count("re-decode failures (interpolated instead)", filler.fetch_failures());
  }
  detection.Finish();
  close_confirmed(std::numeric_limits<long>::max());
  const long total = dec.frames_decoded();
  clips.CloseShot(shot_first, total - 1, shot_start_time, dec.decoded_duration(), shot_in, "");
  analysis.Finish();
  for (ClipRecord& clip : result.clips) {
    auto it = analysis.Results().find(clip.index);
    if (it == analysis.Results().end()) continue;
    clip.attributes = it->second.attributes;
    // A clip committed without the thumbnail it should have would never get one (a rerun skips
    // committed videos): the video fails and a rerun redoes it once the disk has room.
    if (!it->second.thumbnail_error.empty()) {
      return Status::Error("thumbnail: " + it->second.thumbnail_error);
    }
    if (it->second.thumbnail_written) {
      clip.thumbnail = "thumbs/" + context.fingerprint + "_" + std::to_string(clip.index) + ".jpg";
    }
  }

  // A file cut off early keeps its decodable part; every clip says so (pipeline/provenance.h).
  if (!dec.truncation().empty()) {
    for (ClipRecord& clip : result.clips) {
      clip.attributes.push_back(Attribute::Num(std::string(kTruncatedAttribute), 1.0));
      clip.attributes.push_back(
          Attribute::Text(std::string(kTruncationAttribute), dec.truncation()));
    }
  }
  result.video.status = "ok";
  result.video.frames = total;
  result.video.decoded_duration = dec.decoded_duration();
  result.video.probe.is_vfr = info.is_vfr || dec.observed_vfr();
  result.video.decode_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace clipdex
