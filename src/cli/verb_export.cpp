#include <cstdio>
#include <filesystem>
#include <memory>

#include "catalog/catalog.h"
#include "catalog/clip_export.h"
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
};

void PrintFailure(const VideoRecord& v, const ClipRecord& c, const Status& error) {
  std::fprintf(stderr, "FAILED %s clip %d: %s\n", v.path.c_str(), c.index, error.message().c_str());
}

int ExportClipFiles(Catalog& catalog, const ExportSelection& selection, const ExportArgs& args) {
  std::error_code ec;
  fs::create_directories(args.clips_dir, ec);
  if (ec) {
    std::fprintf(stderr, "clipdex: cannot create %s: %s\n", args.clips_dir.c_str(),
                 ec.message().c_str());
    return kExitUsage;
  }
  auto counts =
      clipdex::ExportClipFiles(catalog, selection, args.clips_dir, args.accurate, PrintFailure);
  if (!counts.ok()) {
    PrintError(counts.status());
    return kExitInternal;
  }
  std::fprintf(stderr, "wrote %ld clips to %s (%ld failed)\n", counts->written,
               args.clips_dir.c_str(), counts->failed);
  return counts->failed > 0 ? kExitSomeFailed : kExitOk;
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
  auto writer = OpenShardWriter(args);
  if (!writer) return kExitUsage;
  WebDatasetExportOptions options;
  options.thumbnails = !args.no_thumbs;
  options.accurate = args.accurate;
  options.all_attributes = args.all_attributes;
  auto counts = clipdex::ExportWebDataset(catalog, selection, writer.get(), options, PrintFailure);
  if (!counts.ok()) {
    PrintError(counts.status());
    return kExitInternal;
  }
  std::fprintf(stderr, "wrote %ld samples in %d shards to %s (%ld clips failed)\n",
               writer->samples(), writer->shards(), args.output.c_str(), counts->failed);
  return counts->failed > 0 ? kExitSomeFailed : kExitOk;
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
  cmd->add_option("-o,--output", args->output, "With --format webdataset: the shard directory");
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
  cmd->add_option("--clips", args->clips_dir, "Write one .mp4 per clip into this directory");
  cmd->add_flag("--accurate", args->accurate,
                "With --clips or webdataset: re-encode for frame-exact cuts (default: fast stream "
                "copy from the preceding keyframe)");
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
