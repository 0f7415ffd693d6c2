#include <cstdio>
#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

#include "catalog/catalog.h"
#include "catalog/clip_export.h"
#include "catalog/media_export.h"
#include "catalog/webdataset_writer.h"
#include "cli/verbs.h"
#include "curate/clip_selection.h"
#include "generate/paired_export.h"
#include "generate/preference_pairs.h"

namespace clipdex::cli {

namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  std::string dataset;
  std::string format = "jsonl";
  double min_margin = 0.05;  // preference-pairs: pairs closer than this teach little
  std::string output;
  std::string shard_size = "1000";
  bool no_thumbs = false;
  std::string clips_dir;
  bool accurate = false;
  std::string tier;
  std::string where;
  long limit = -1;
  bool all_attributes = false;
  std::string pairs;    // --pairs KIND: paired samples (generate/paired_export.h) into -o DIR
  int pair_side = 512;  // longer side of the pictures of --pairs
  // Media of --clips and webdataset (catalog/media_export.h).
  std::string codec;  // "" = h264 for re-encodes, copies where possible
  int crf = -1;
  std::string resize;        // "N" (shorter side) or "WxH"
  std::string fit = "crop";  // with WxH: crop or pad
  double fps = 0;
  double max_seconds = 0;
  std::string long_clips = "trim";
  std::string audio = "keep";
  double frames = 0;  // --frames N: N pictures per second instead of clips
  double copy_tolerance = 0;
  int jobs = 0;
  int encoder_threads = 1;
  bool quiet = false;
};

void PrintFailure(const VideoRecord& v, const ClipRecord& c, const Status& error) {
  std::fprintf(stderr, "FAILED %s clip %d: %s\n", v.path.c_str(), c.index, error.message().c_str());
}

void PrintMediaFailure(const VideoRecord& v, const ClipRecord& c, int part, const Status& error) {
  if (part > 0) {
    std::fprintf(stderr, "FAILED %s clip %d part %d: %s\n", v.path.c_str(), c.index, part,
                 error.message().c_str());
  } else {
    PrintFailure(v, c, error);
  }
}

bool MediaOptionsGiven(const ExportArgs& a) {
  return !a.codec.empty() || a.crf >= 0 || !a.resize.empty() || a.fps > 0 || a.max_seconds > 0 ||
         a.audio != "keep" || a.frames > 0 || a.fit != "crop" || a.long_clips != "trim" ||
         a.jobs > 0 || a.encoder_threads != 1;
}

// The media options from the command line; false (the error printed) when they do not fit.
bool MakeMediaOptions(const ExportArgs& a, MediaExportOptions* o) {
  EncodeSettings& e = o->encode;
  if (!a.codec.empty()) e.codec = a.codec;
  if (Status s = CheckEncoder(e.codec); !s.ok()) {
    std::fprintf(stderr, "clipdex: --codec %s: %s\n", e.codec.c_str(), s.message().c_str());
    return false;
  }
  e.crf = a.crf;
  const int max_crf = e.codec == "av1" ? 63 : 51;
  if (e.crf > max_crf) {
    std::fprintf(stderr, "clipdex: --crf must be 0..%d for %s\n", max_crf, e.codec.c_str());
    return false;
  }
  if (!a.resize.empty()) {
    std::smatch m;
    if (std::regex_match(a.resize, m, std::regex(R"(([0-9]{1,5}))"))) {
      e.short_side = std::stoi(m[1]);
    } else if (std::regex_match(a.resize, m, std::regex(R"(([0-9]{1,5})[xX]([0-9]{1,5}))"))) {
      e.box_width = std::stoi(m[1]);
      e.box_height = std::stoi(m[2]);
    }
    const int smallest = e.short_side > 0 ? e.short_side : std::min(e.box_width, e.box_height);
    const int largest = std::max({e.short_side, e.box_width, e.box_height});
    if (smallest < 16 || largest > 8192) {
      std::fprintf(stderr,
                   "clipdex: --resize: expected N (shorter side) or WxH, 16..8192 pixels, got "
                   "'%s'\n",
                   a.resize.c_str());
      return false;
    }
  }
  if (a.fit != "crop" && e.box_width == 0) {
    std::fprintf(stderr, "clipdex: --fit is for --resize WxH\n");
    return false;
  }
  e.pad = a.fit == "pad";
  e.fps = a.fps;
  e.audio = a.audio == "keep";
  e.threads = a.encoder_threads;
  o->encode_all = a.accurate || !a.codec.empty() || a.crf >= 0 || !a.resize.empty() || a.fps > 0;
  o->stills = a.frames > 0;
  o->frames_per_second = a.frames;
  o->max_seconds = a.max_seconds;
  o->split = a.long_clips == "split";
  o->copy_tolerance = a.copy_tolerance;
  o->jobs =
      a.jobs > 0 ? a.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  o->thumbnails = !a.no_thumbs;
  o->all_attributes = a.all_attributes;
  o->progress = !a.quiet;
  return true;
}

// "... 120.5 s of video in 8.2 s (14.7x realtime, 8.9 clips/s)" and why clips were re-encoded.
void PrintMediaSummary(const MediaExportSummary& s, const MediaExportOptions& o) {
  const double wall = std::max(1e-9, s.wall_seconds);
  std::fprintf(stderr, "%.1f s of video in %.1f s (%.1fx realtime, %.1f clips/s)\n",
               s.media_seconds, s.wall_seconds, s.media_seconds / wall, s.pieces / wall);
  if (o.stills || s.reencode_reasons.empty()) return;
  std::string reasons;
  for (const auto& [why, n] : s.reencode_reasons) {
    if (!reasons.empty()) reasons += "; ";
    reasons += std::to_string(n) + " " + why;
  }
  std::fprintf(stderr, "re-encoded: %s\n", reasons.c_str());
}

int ExportClipFiles(Catalog& catalog, const ExportSelection& selection, const ExportArgs& args) {
  MediaExportOptions options;
  if (!MakeMediaOptions(args, &options)) return kExitUsage;
  auto summary = ExportMediaFiles(catalog, selection, args.clips_dir, options, PrintMediaFailure);
  if (!summary.ok()) {
    PrintError(summary.status());
    return kExitInternal;
  }
  if (options.stills) {
    std::fprintf(stderr, "wrote %ld pictures of %ld clips to %s (%ld failed)\n", summary->samples,
                 summary->clips, args.clips_dir.c_str(), summary->failed);
  } else {
    std::fprintf(stderr, "wrote %ld clips to %s (%ld copied, %ld re-encoded, %ld failed)\n",
                 summary->samples, args.clips_dir.c_str(), summary->copied, summary->reencoded,
                 summary->failed);
  }
  PrintMediaSummary(summary.value(), options);
  return summary->failed > 0 ? kExitSomeFailed : kExitOk;
}

// The shard writer for -o DIR and --shard-size; nullptr (the error printed) when there is none.
std::unique_ptr<WebDatasetWriter> OpenShardWriter(const ExportArgs& args) {
  auto limit = ParseShardSize(args.shard_size);
  if (!limit.ok()) {
    PrintError(limit.status());
    return nullptr;
  }
  auto writer = WebDatasetWriter::Create(args.output, limit.value());
  if (!writer.ok()) {
    PrintError(writer.status());
    return nullptr;
  }
  return std::move(*writer);
}

int ExportWebDataset(Catalog& catalog, const ExportSelection& selection, const ExportArgs& args) {
  auto limit = ParseShardSize(args.shard_size);
  if (!limit.ok()) {
    PrintError(limit.status());
    return kExitUsage;
  }
  MediaExportOptions options;
  if (!MakeMediaOptions(args, &options)) return kExitUsage;
  nlohmann::ordered_json selection_identity;
  selection_identity["tier"] = args.tier;
  selection_identity["where"] = args.where;
  selection_identity["limit"] = args.limit;
  auto summary = ExportShards(catalog, selection, args.output, limit.value(), selection_identity,
                              options, PrintMediaFailure);
  if (!summary.ok()) {
    PrintError(summary.status());
    const std::string& m = summary.status().message();
    const bool usage = m.find("use an empty directory") != std::string::npos;
    return usage ? kExitUsage : kExitInternal;
  }
  if (summary->shards_kept > 0) {
    std::fprintf(stderr, "kept %d complete shards (%ld samples) from the earlier run\n",
                 summary->shards_kept, summary->skipped);
    if (summary->pieces == 0 && summary->samples == 0) {
      std::fprintf(stderr, "nothing to do: %s holds the finished export\n", args.output.c_str());
      return kExitOk;
    }
  }
  if (options.stills) {
    std::fprintf(
        stderr, "wrote %ld samples (pictures of %ld clips, %ld failed) in %d shards to %s\n",
        summary->samples, summary->clips, summary->failed, summary->shards, args.output.c_str());
  } else {
    std::fprintf(stderr,
                 "wrote %ld samples (%ld copied, %ld re-encoded, %ld failed) in %d shards to %s\n",
                 summary->samples, summary->copied, summary->reencoded, summary->failed,
                 summary->shards, args.output.c_str());
  }
  PrintMediaSummary(summary.value(), options);
  return summary->failed > 0 ? kExitSomeFailed : kExitOk;
}

int ExportPairShards(Catalog& catalog, const ExportSelection& selection, const ExportArgs& args) {
  auto writer = OpenShardWriter(args);
  if (!writer) return kExitUsage;
  auto counts =
      ExportPairs(catalog, selection, args.pairs, args.pair_side, writer.get(), PrintFailure);
  if (!counts.ok()) {
    PrintError(counts.status());
    return kExitInternal;
  }
  std::fprintf(stderr, "wrote %ld %s pairs in %d shards to %s (%ld clips failed)\n",
               counts->written, args.pairs.c_str(), writer->shards(), args.output.c_str(),
               counts->failed);
  return counts->failed > 0 ? kExitSomeFailed : kExitOk;
}

int RunExport(const ExportArgs& args) {
  if (!args.pairs.empty() && args.output.empty()) {
    std::fprintf(stderr, "clipdex: --pairs needs -o DIR\n");
    return kExitUsage;
  }
  if (args.format == "webdataset" && args.output.empty()) {
    std::fprintf(stderr, "clipdex: --format webdataset needs -o DIR\n");
    return kExitUsage;
  }
  if (args.format != "webdataset" && args.pairs.empty() && !args.output.empty()) {
    std::fprintf(stderr,
                 "clipdex: -o is for --format webdataset (jsonl/csv/caption-dpo/preference-pairs "
                 "go to stdout)\n");
    return kExitUsage;
  }
  if (MediaOptionsGiven(args) && args.clips_dir.empty() && args.format != "webdataset") {
    std::fprintf(stderr,
                 "clipdex: --codec, --crf, --resize, --fit, --fps, --max-seconds, --long-clips, "
                 "--audio, --frames, --jobs and --encoder-threads are for --clips or --format "
                 "webdataset\n");
    return kExitUsage;
  }
  std::unique_ptr<Catalog> catalog;
  if (ExitStatus e = OpenDatasetForRead(args.dataset, &catalog); e != kExitOk) return e;
  Catalog& cat = *catalog;
  ClipFilter filter{args.tier, args.where};
  ExportSelection selection;
  selection.limit = args.limit;
  if (!filter.empty()) {
    auto n = SelectClips(cat, filter);
    if (!n.ok()) {
      PrintError(n.status());
      return kExitUsage;
    }
    if (n.value() == 0) std::fprintf(stderr, "clipdex: no clip matches the filter\n");
    selection.clip_table = kSelectedClipsTable;
    selection.clips = n.value();
  } else if (auto summary = cat.GetSummary(); summary.ok()) {
    selection.clips = summary->clips;
  }
  if (!args.clips_dir.empty()) return ExportClipFiles(cat, selection, args);
  if (!args.pairs.empty()) return ExportPairShards(cat, selection, args);
  if (args.format == "webdataset") return ExportWebDataset(cat, selection, args);
  if (args.format == "preference-pairs") {
    auto pairs = WritePreferencePairs(cat, selection.clip_table, args.min_margin, stdout);
    if (!pairs.ok()) {
      PrintError(pairs.status());
      return kExitInternal;
    }
    if (*pairs == 0) {
      std::fprintf(stderr,
                   "clipdex: no preference pairs (rank candidates with `clipdex rank "
                   "--dataset` first)\n");
    }
    return kExitOk;
  }
  const RowFormat format = args.format == "csv"           ? RowFormat::kCsv
                           : args.format == "caption-dpo" ? RowFormat::kCaptionDpo
                                                          : RowFormat::kJsonl;
  Status s = ExportRows(cat, selection, format, args.all_attributes, stdout);
  if (!s.ok()) {
    PrintError(s);
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace

void AddExportVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write clips as JSONL/CSV, WebDataset tar shards, or one media file per clip");
  AddDatasetArgument(cmd, &args->dataset);
  cmd->add_option("--format", args->format,
                  "jsonl or csv (to stdout), caption-dpo (caption preference pairs, to stdout; "
                  "docs/captions.md), preference-pairs (generator preference pairs from `rank "
                  "--dataset`, to stdout; docs/generation.md), or webdataset (tar shards into -o "
                  "DIR)")
      ->check(CLI::IsMember({"jsonl", "csv", "caption-dpo", "preference-pairs", "webdataset"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output,
                  "With --format webdataset: the shard directory (a rerun with the same options "
                  "resumes an interrupted export, keeping its complete shards)");
  cmd->add_option("--pairs", args->pairs,
                  "Paired samples for conditional generation as WebDataset shards into -o DIR: "
                  "sketch, degraded, first-frame or camera (docs/generation.md)")
      ->check(CLI::IsMember({"sketch", "degraded", "first-frame", "camera"}));
  cmd->add_option("--pair-side", args->pair_side,
                  "With --pairs: longer side of the pictures, pixels")
      ->check(CLI::Range(64, 4096))
      ->capture_default_str();
  cmd->add_option("--min-margin", args->min_margin,
                  "With preference-pairs: smallest score difference a pair must show")
      ->capture_default_str();
  cmd->add_option("--shard-size", args->shard_size,
                  "With webdataset: clips per shard (N), or bytes per shard (N followed by KB, MB "
                  "or GB)")
      ->capture_default_str();
  cmd->add_flag("--no-thumbs", args->no_thumbs,
                "With webdataset: leave out the <key>.jpg thumbnail members");
  cmd->add_option("--clips", args->clips_dir,
                  "Write one .mp4 per clip (per part with --long-clips split; .jpg pictures with "
                  "--frames) into this directory");
  cmd->add_flag("--accurate", args->accurate,
                "With --clips or webdataset: re-encode every clip, frame-exact (default: stream "
                "copy where it gives the clip, frame-exact re-encode where it cannot)");
  cmd->add_option("--codec", args->codec,
                  "Re-encode every clip with this codec: h264 (libx264, the default for "
                  "re-encodes), hevc (libx265) or av1 (libaom-av1)")
      ->check(CLI::IsMember({"h264", "hevc", "av1"}));
  cmd->add_option("--crf", args->crf,
                  "Re-encode every clip at this quality (lower = better; default h264 18, hevc "
                  "20, av1 30)")
      ->check(CLI::Range(0, 63));
  cmd->add_option("--resize", args->resize,
                  "Re-encode every clip at this size: N (the shorter side becomes N pixels) or WxH "
                  "(exactly, see --fit); pixels are upright and square in every re-encode");
  cmd->add_option("--fit", args->fit,
                  "With --resize WxH: crop (scale to cover, cut the centre) or pad (scale to fit, "
                  "black bars)")
      ->check(CLI::IsMember({"crop", "pad"}))
      ->capture_default_str();
  cmd->add_option("--fps", args->fps,
                  "Re-encode every clip at this constant frame rate (frames repeated or dropped)")
      ->check(CLI::Range(0.1, 240.0));
  cmd->add_option("--max-seconds", args->max_seconds,
                  "Clips longer than this are trimmed to their first S seconds (or split, "
                  "--long-clips split)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--long-clips", args->long_clips,
                  "With --max-seconds: trim (keep the start) or split (equal parts, each its own "
                  "sample, key suffix _p01, _p02 ...)")
      ->check(CLI::IsMember({"trim", "split"}))
      ->capture_default_str();
  cmd->add_option("--audio", args->audio,
                  "keep (copied, or AAC in re-encodes) or drop the clips' sound")
      ->check(CLI::IsMember({"keep", "drop"}))
      ->capture_default_str();
  cmd->add_option("--frames", args->frames,
                  "Pictures instead of clips: N JPEG frames per second of clip (at least one), "
                  "each its own sample (for image models)")
      ->check(CLI::Range(0.01, 120.0));
  cmd->add_option("--copy-tolerance", args->copy_tolerance,
                  "Stream-copy a clip only when a keyframe lies within this many seconds (plus "
                  "half a frame) of its start, else re-encode it; 0: copies start exactly on the "
                  "clip's first frame")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("-j,--jobs", args->jobs,
                  "Clips processed in parallel (default: the number of cores; the output does "
                  "not depend on it)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--encoder-threads", args->encoder_threads,
                  "Threads per video encoder; part of the encoder configuration: the same value "
                  "gives the same bytes on any machine")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "No progress line");
  cmd->add_option("--tier", args->tier, "Only clips placed in this tier by `clipdex tier`");
  cmd->add_option("--where", args->where,
                  "Only clips matching this rule expression (tier rule grammar, docs/recipes.md)");
  cmd->add_option("--limit", args->limit, "At most N clips (the first N in export order)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--all-attributes", args->all_attributes,
                "Also export internal attributes (dedup.signature; docs/attributes.md)");
  cmd->callback([args, exit_code]() { *exit_code = RunExport(*args); });
}

}  // namespace clipdex::cli
