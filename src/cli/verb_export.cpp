#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "media/clip_writer.h"

namespace clipdex::cli {

namespace {

struct ExportArgs {
  std::string dataset;
  std::string format = "jsonl";
  std::string clips_dir;
  bool accurate = false;
};

nlohmann::ordered_json ClipJson(const VideoRecord& v, const ClipRecord& c) {
  nlohmann::ordered_json j;
  j["video"] = v.path;
  j["fingerprint"] = v.fingerprint;
  j["media"] = IsImageContainer(v.probe.container) ? "image" : "video";
  j["clip"] = c.index;
  j["first_frame"] = c.first_frame;
  j["last_frame"] = c.last_frame;
  j["start"] = c.start_time;
  j["end"] = c.end_time;
  j["duration"] = c.end_time - c.start_time;
  j["transition_in"] = c.transition_in;
  j["transition_out"] = c.transition_out;
  j["too_short"] = c.too_short;
  j["split_part"] = c.split_part;
  j["thumbnail"] = c.thumbnail;
  j["width"] = v.probe.display_width();
  j["height"] = v.probe.display_height();
  j["fps"] = v.probe.fps();
  // Attributes flattened by dotted name so CSV columns and JSON keys read the same.
  for (const Attribute& a : c.attributes) {
    if (a.number) {
      j[a.name] = *a.number;
    } else if (!a.text.empty() && (a.text.front() == '[' || a.text.front() == '{')) {
      auto parsed = nlohmann::ordered_json::parse(a.text, nullptr, /*allow_exceptions=*/false);
      j[a.name] = parsed.is_discarded() ? nlohmann::ordered_json(a.text) : parsed;
    } else {
      j[a.name] = a.text;
    }
  }
  return j;
}

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

int RunExport(const ExportArgs& args) {
  auto catalog = Catalog::Open(args.dataset, /*create=*/false);
  if (!catalog.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", catalog.status().message().c_str());
    return 2;
  }
  if (!args.clips_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(args.clips_dir, ec);
    if (ec) {
      std::fprintf(stderr, "clipdex: cannot create %s: %s\n", args.clips_dir.c_str(),
                   ec.message().c_str());
      return 2;
    }
    int written = 0, failed = 0;
    Status s = catalog.value()->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
      std::filesystem::path name = std::filesystem::path(v.path).stem().string() + "_" +
                                   v.fingerprint.substr(v.fingerprint.size() - 8) + "_clip" +
                                   std::to_string(c.index) + ".mp4";
      ClipCut cut{c.first_frame, c.last_frame, c.start_time, c.end_time};
      Status w =
          WriteClip(v.path, cut, std::filesystem::path(args.clips_dir) / name, args.accurate);
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
  bool header_done = false;
  Status s = catalog.value()->ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
    auto j = ClipJson(v, c);
    if (args.format == "jsonl") {
      std::printf("%s\n", j.dump().c_str());
    } else {
      std::string line;
      if (!header_done) {
        for (auto it = j.begin(); it != j.end(); ++it) line += (line.empty() ? "" : ",") + it.key();
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
    }
    return true;
  });
  if (!s.ok()) {
    std::fprintf(stderr, "clipdex: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

void AddExportVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd =
      app.add_subcommand("export", "Write clips as JSONL/CSV, or one media file per clip");
  cmd->add_option("dataset", args->dataset, "Dataset directory")->required();
  cmd->add_option("--format", args->format, "jsonl or csv (to stdout)")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  cmd->add_option("--clips", args->clips_dir, "Write one .mp4 per clip into this directory");
  cmd->add_flag("--accurate", args->accurate,
                "With --clips: re-encode for frame-exact cuts (default: fast stream copy from the "
                "preceding keyframe)");
  cmd->callback([args, exit_code]() { *exit_code = RunExport(*args); });
}

}  // namespace clipdex::cli
