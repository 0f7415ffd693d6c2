#include "catalog/clip_export.h"

#include <system_error>
#include <vector>

#include "caption/caption_dpo.h"
#include "catalog/clip_json.h"
#include "util/json_dump.h"

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
  std::string buffer;  // JSONL lines, written out in blocks of ~1 MiB
  auto flush = [&] {
    std::fwrite(buffer.data(), 1, buffer.size(), out);
    buffer.clear();
  };
  Status walked = WalkClips(catalog, selection, [&](const VideoRecord& v, const ClipRecord& c) {
    if (format == RowFormat::kCaptionDpo) {
      for (const auto& line : CaptionPreferencePairs(v, c)) {
        std::fprintf(out, "%s\n", DumpJson(line).c_str());
      }
      return true;
    }
    if (format == RowFormat::kJsonl) {
      AppendClipJsonLine(v, c, all_attributes, &buffer);
      if (buffer.size() >= (1u << 20)) flush();
      return true;
    }
    auto j = ClipJson(v, c, all_attributes);
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
  flush();
  return walked;
}

std::string ClipFileName(const VideoRecord& v, const ClipRecord& c) {
  return fs::path(v.path).stem().string() + "_" + v.fingerprint.substr(v.fingerprint.size() - 8) +
         "_clip" + std::to_string(c.index) + ".mp4";
}

std::string SampleKey(const VideoRecord& v, const ClipRecord& c) {
  char idx[16];
  std::snprintf(idx, sizeof idx, "_c%05d", c.index);
  return v.fingerprint + idx;
}

}  // namespace clipdex
