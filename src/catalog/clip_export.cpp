#include "catalog/clip_export.h"

#include <system_error>
#include <vector>

#include "caption/caption_dpo.h"
#include "catalog/clip_json.h"
#include "media/clip_writer.h"

namespace clipdex {

namespace {

namespace fs = std::filesystem;

using ClipFn = std::function<bool(const VideoRecord&, const ClipRecord&)>;

// Walks the selected clips, at most `limit`.
Status WalkClips(Catalog& catalog, const ExportSelection& selection, const ClipFn& fn) {
  long seen = 0;
  if (selection.limit == 0) return Status::Ok();
  return catalog.ForEachClip(
      [&](const VideoRecord& v, const ClipRecord& c) {
        if (!fn(v, c)) return false;
        return selection.limit < 0 || ++seen < selection.limit;
      },
      selection.clip_table);
}

ClipCut CutOf(const ClipRecord& c) {
  return {c.first_frame, c.last_frame, c.start_time, c.end_time};
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

}  // namespace

Status ExportRows(Catalog& catalog, const ExportSelection& selection, RowFormat format,
                  bool all_attributes, std::FILE* out) {
  bool header_done = false;
  return WalkClips(catalog, selection, [&](const VideoRecord& v, const ClipRecord& c) {
    if (format == RowFormat::kCaptionDpo) {
      for (const auto& line : CaptionPreferencePairs(v, c)) {
        std::fprintf(out, "%s\n", line.dump().c_str());
      }
      return true;
    }
    auto j = ClipJson(v, c, all_attributes);
    if (format == RowFormat::kJsonl) {
      std::fprintf(out, "%s\n", j.dump().c_str());
      return true;
    }
    std::string line;
    if (!header_done) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (it != j.begin()) line += ',';
        line += it.key();
      }
      std::fprintf(out, "%s\n", line.c_str());
      line.clear();
      header_done = true;
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it != j.begin()) line += ',';
      line += CsvField(it.value());
    }
    std::fprintf(out, "%s\n", line.c_str());
    return true;
  });
}

std::string ClipFileName(const VideoRecord& v, const ClipRecord& c) {
  return fs::path(v.path).stem().string() + "_" + v.fingerprint.substr(v.fingerprint.size() - 8) +
         "_clip" + std::to_string(c.index) + ".mp4";
}

Result<ExportCounts> ExportClipFiles(Catalog& catalog, const ExportSelection& selection,
                                     const fs::path& dir, bool accurate,
                                     const ClipFailureFn& on_failure) {
  ExportCounts counts;
  Status s = WalkClips(catalog, selection, [&](const VideoRecord& v, const ClipRecord& c) {
    Status w = WriteClip(v.path, CutOf(c), dir / ClipFileName(v, c), accurate);
    if (w.ok()) {
      ++counts.written;
    } else {
      ++counts.failed;
      if (on_failure) on_failure(v, c, w);
    }
    return true;
  });
  if (!s.ok()) return s;
  return counts;
}

std::string SampleKey(const VideoRecord& v, const ClipRecord& c) {
  char idx[16];
  std::snprintf(idx, sizeof idx, "_c%05d", c.index);
  return v.fingerprint + idx;
}

Result<ExportCounts> ExportWebDataset(Catalog& catalog, const ExportSelection& selection,
                                      WebDatasetWriter* writer,
                                      const WebDatasetExportOptions& options,
                                      const ClipFailureFn& on_failure) {
  // One scratch file, reused for every clip: cut, copied into the shard, overwritten.
  const fs::path scratch = writer->dir() / ".clip-scratch.mp4";
  ExportCounts counts;
  Status error;
  Status s = WalkClips(catalog, selection, [&](const VideoRecord& v, const ClipRecord& c) {
    if (Status w = WriteClip(v.path, CutOf(c), scratch, options.accurate); !w.ok()) {
      ++counts.failed;
      if (on_failure) on_failure(v, c, w);
      return true;
    }
    std::vector<SampleMember> members;
    members.push_back({"mp4", scratch, ""});
    members.push_back({"json", {}, ClipJson(v, c, options.all_attributes).dump()});
    if (options.thumbnails && !c.thumbnail.empty() && fs::exists(catalog.dir() / c.thumbnail)) {
      members.push_back({"jpg", catalog.dir() / c.thumbnail, ""});
    }
    error = writer->Add(SampleKey(v, c), members);
    return error.ok();
  });
  std::error_code ec;
  fs::remove(scratch, ec);
  if (s.ok() && error.ok()) error = writer->Finish();
  if (!s.ok()) return s;
  if (!error.ok()) return error;
  counts.written = writer->samples();
  return counts;
}

}  // namespace clipdex
