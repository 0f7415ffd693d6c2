#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "catalog/clip_json.h"
#include "catalog/webdataset_writer.h"
#include "cli/verbs.h"
#include "curate/clip_selection.h"
#include "media/clip_writer.h"

namespace clipdex::cli {

namespace {

namespace fs = std::filesystem;

struct ExportArgs {
  std::string dataset;
  std::string format = "jsonl";
  std::string output;
  std::string shard_size = "1000";
  bool no_thumbs = false;
  std::string clips_dir;
  bool accurate = false;
  std::string tier;
  std::string where;
  long limit = -1;
};

std::string CsvField(const nlohmann::ordered_json& value) {
  std::string s = value.is_string() ? value.get<std::string>() : value.dump();
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

// WebDataset key of a clip: unique in the dataset, stable across runs, free of dots.
std::string SampleKey(const VideoRecord& v, const ClipRecord& c) {
  char idx[16];
  std::snprintf(idx, sizeof idx, "_c%05d", c.index);
  return v.fingerprint + idx;
}

ClipCut CutOf(const ClipRecord& c) {
  return {c.first_frame, c.last_frame, c.start_time, c.end_time};
}

using ClipFn = std::function<bool(const VideoRecord&, const ClipRecord&)>;

// Walks the selected clips (all, or those SelectClips put in its table), at most `limit`.
Status WalkClips(Catalog& catalog, bool selected, long limit, const ClipFn& fn) {
  long seen = 0;
  if (limit == 0) return Status::Ok();
  return catalog.ForEachClip(
      [&](const VideoRecord& v, const ClipRecord& c) {
        if (!fn(v, c)) return false;
        return limit < 0 || ++seen < limit;
      },
      selected ? kSelectedClipsTable : "");
}

int ExportClipFiles(Catalog& catalog, bool selected, const ExportArgs& args) {
  std::error_code ec;
  fs::create_directories(args.clips_dir, ec);
  if (ec) {
    std::fprintf(stderr, "clipdex: cannot create %s: %s\n", args.clips_dir.c_str(),
                 ec.message().c_str());
    return 2;
  }
  int written = 0, failed = 0;
  Status s =
      WalkClips(catalog, selected, args.limit, [&](const VideoRecord& v, const ClipRecord& c) {
        fs::path name = fs::path(v.path).stem().string() + "_" +
                        v.fingerprint.substr(v.fingerprint.size() - 8) + "_clip" +
                        std::to_string(c.index) + ".mp4";
        Status w = WriteClip(v.path, CutOf(c), fs::path(args.clips_dir) / name, args.accurate);
        if (w.ok()) {
          ++written;
        } else {
          ++failed;
          std::fprintf(stderr, "FAILED %s clip %d: %s\n", v.path.c_str(), c.index,
                       w.message().c_str());
        }
        return true;
      });
  if (!s.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", s.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %d clips to %s (%d failed)\n", written, args.clips_dir.c_str(),
               failed);
  return failed > 0 ? 3 : 0;
}

int ExportWebDataset(Catalog& catalog, bool selected, const ExportArgs& args) {
  auto limit = ParseShardSize(args.shard_size);
  if (!limit.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", limit.status().message().c_str());
    return 2;
  }
  auto writer = WebDatasetWriter::Create(args.output, limit.value());
  if (!writer.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", writer.status().message().c_str());
    return 2;
  }
  // One scratch file, reused for every clip: cut, copied into the shard, overwritten.
  const fs::path scratch = fs::path(args.output) / ".clip-scratch.mp4";
  int failed = 0;
  Status error;
  Status s =
      WalkClips(catalog, selected, args.limit, [&](const VideoRecord& v, const ClipRecord& c) {
        if (Status w = WriteClip(v.path, CutOf(c), scratch, args.accurate); !w.ok()) {
          ++failed;
          std::fprintf(stderr, "FAILED %s clip %d: %s\n", v.path.c_str(), c.index,
                       w.message().c_str());
          return true;
        }
        std::vector<SampleMember> members;
        members.push_back({"mp4", scratch, ""});
        members.push_back({"json", {}, ClipJson(v, c).dump()});
        if (!args.no_thumbs && !c.thumbnail.empty() && fs::exists(catalog.dir() / c.thumbnail)) {
          members.push_back({"jpg", catalog.dir() / c.thumbnail, ""});
        }
        error = writer.value()->Add(SampleKey(v, c), members);
        return error.ok();
      });
  std::error_code ec;
  fs::remove(scratch, ec);
  if (s.ok() && error.ok()) error = writer.value()->Finish();
  if (!s.ok() || !error.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", (!s.ok() ? s : error).message().c_str());
    return 1;
  }
  std::fprintf(stderr, "wrote %ld samples in %d shards to %s (%d clips failed)\n",
               writer.value()->samples(), writer.value()->shards(), args.output.c_str(), failed);
  return failed > 0 ? 3 : 0;
}

int ExportRows(Catalog& catalog, bool selected, const ExportArgs& args) {
  bool header_done = false;
  Status s =
      WalkClips(catalog, selected, args.limit, [&](const VideoRecord& v, const ClipRecord& c) {
        auto j = ClipJson(v, c);
        if (args.format == "jsonl") {
          std::printf("%s\n", j.dump().c_str());
          return true;
        }
        std::string line;
        if (!header_done) {
          for (auto it = j.begin(); it != j.end(); ++it)
            line += (line.empty() ? "" : ",") + it.key();
          std::printf("%s\n", line.c_str());
          line.clear();
          header_done = true;
        }
        bool first = true;
        for (auto it = j.begin(); it != j.end(); ++it) {
          line += (first ? "" : ",") + CsvField(it.value());
          first = false;
        }
        std::printf("%s\n", line.c_str());
        return true;
      });
  if (!s.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

int RunExport(const ExportArgs& args) {
  if (args.format == "webdataset" && args.output.empty()) {
    std::fprintf(stderr, "clipdex: --format webdataset needs -o DIR\n");
    return 2;
  }
  if (args.format != "webdataset" && !args.output.empty()) {
    std::fprintf(stderr, "clipdex: -o is for --format webdataset (jsonl/csv go to stdout)\n");
    return 2;
  }
  auto catalog = Catalog::Open(args.dataset, /*create=*/false);
  if (!catalog.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", catalog.status().message().c_str());
    return 2;
  }
  Catalog& cat = *catalog.value();
  ClipFilter filter{args.tier, args.where};
  const bool selected = !filter.empty();
  if (selected) {
    auto n = SelectClips(cat, filter);
    if (!n.ok()) {
      std::fprintf(stderr, "clipdex: %s\n", n.status().message().c_str());
      return 2;
    }
    if (n.value() == 0) std::fprintf(stderr, "clipdex: no clip matches the filter\n");
  }
  if (!args.clips_dir.empty()) return ExportClipFiles(cat, selected, args);
  if (args.format == "webdataset") return ExportWebDataset(cat, selected, args);
  return ExportRows(cat, selected, args);
}

}  // namespace

void AddExportVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write clips as JSONL/CSV, WebDataset tar shards, or one media file per clip");
  cmd->add_option("dataset", args->dataset, "Dataset directory")->required();
  cmd->add_option("--format", args->format,
                  "jsonl or csv (to stdout), or webdataset (tar shards into -o DIR)")
      ->check(CLI::IsMember({"jsonl", "csv", "webdataset"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "With --format webdataset: the shard directory");
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
  cmd->callback([args, exit_code]() { *exit_code = RunExport(*args); });
}

}  // namespace clipdex::cli
