#include "pipeline/inputs.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <system_error>

#include "util/ascii_case.h"

namespace clipdex {

namespace {

const std::set<std::string>& VideoExtensions() {
  static const std::set<std::string> kExt = {
      ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".wmv", ".asf", ".flv", ".mpg", ".mpeg",
      ".m2v", ".ts", ".mts", ".m2ts", ".vob", ".ogv", ".ogg", ".3gp", ".3g2", ".rm", ".rmvb", ".dv",
      ".y4m", ".mxf", ".f4v", ".divx", ".nut", ".ivf", ".gif",
      // Stills: ingested as one-frame items (EXIF orientation applied, media/exif_orientation.h).
      ".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"};
  return kExt;
}

// `visited` holds the canonical paths of the directories entered so far in this walk: a symlink
// (or bind mount) leading back to one of them is a loop and is not entered again.
void Walk(const std::filesystem::path& dir, std::vector<InputItem>* out,
          std::set<std::string>* visited) {
  std::error_code ec;
  const auto canon = std::filesystem::canonical(dir, ec);
  if (!ec && !visited->insert(canon.string()).second) {
    std::fprintf(stderr,
                 "clipdex: %s: directory already visited as %s (symlink loop), not entered "
                 "again\n",
                 dir.string().c_str(), canon.string().c_str());
    return;
  }
  ec.clear();
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    out->push_back({dir, "cannot read directory: " + ec.message(), ""});
    return;
  }
  if (std::filesystem::exists(dir / "catalog.sqlite")) return;  // a clipdex dataset
  std::vector<std::filesystem::directory_entry> entries;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) {
      out->push_back({dir, "error while listing directory: " + ec.message(), ""});
      break;
    }
    entries.push_back(*it);
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& e : entries) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    // Symlinks are followed (directory_entry::is_directory/is_regular_file look through them);
    // one whose target is missing is reported, never dropped silently.
    if (e.is_symlink(ec) && !std::filesystem::exists(e.path(), ec)) {
      std::error_code rec;
      auto target = std::filesystem::read_symlink(e.path(), rec);
      out->push_back(
          {e.path(),
           "dangling symlink" +
               (rec ? std::string() : " (target " + target.string() + " does not exist)"),
           ""});
      continue;
    }
    if (e.is_directory(ec)) {
      Walk(e.path(), out, visited);
    } else if (e.is_regular_file(ec)) {
      std::string ext = AsciiLower(e.path().extension().string());
      if (VideoExtensions().count(ext) || LooksLikeVideo(e.path()))
        out->push_back({e.path(), "", ""});
    }
  }
}

}  // namespace

bool LooksLikeVideo(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char b[16] = {0};
  in.read(reinterpret_cast<char*>(b), sizeof(b));
  if (in.gcount() < 12) return false;
  if (std::memcmp(b + 4, "ftyp", 4) == 0 || std::memcmp(b + 4, "moov", 4) == 0 ||
      std::memcmp(b + 4, "mdat", 4) == 0 || std::memcmp(b + 4, "free", 4) == 0) {
    return true;  // ISO BMFF / QuickTime
  }
  if (std::memcmp(b, "RIFF", 4) == 0 && std::memcmp(b + 8, "AVI ", 4) == 0) return true;
  if (b[0] == 0x1A && b[1] == 0x45 && b[2] == 0xDF && b[3] == 0xA3) return true;  // Matroska
  if (std::memcmp(b, "OggS", 4) == 0) return true;
  if (std::memcmp(b, "FLV", 3) == 0) return true;
  if (b[0] == 0x47) {
    // MPEG-TS: 0x47 sync byte every 188 bytes.
    std::ifstream ts(path, std::ios::binary);
    char sync[3] = {0};
    ts.seekg(188);
    ts.read(sync, 1);
    ts.seekg(376);
    ts.read(sync + 1, 1);
    if (sync[0] == 0x47 && sync[1] == 0x47) return true;
  }
  if (b[0] == 0 && b[1] == 0 && b[2] == 1 && (b[3] == 0xBA || b[3] == 0xB3))
    return true;  // MPEG-PS/ES
  static const unsigned char kAsf[4] = {0x30, 0x26, 0xB2, 0x75};
  if (std::memcmp(b, kAsf, 4) == 0) return true;
  if (std::memcmp(b, ".RMF", 4) == 0) return true;
  if (std::memcmp(b, "YUV4MPEG2", 9) == 0) return true;
  return false;
}

std::vector<InputItem> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<InputItem> raw;
  for (const std::string& arg : inputs) {
    if (!arg.empty() && arg[0] == '@') {
      std::ifstream list(arg.substr(1));
      if (!list) {
        raw.push_back({arg.substr(1), "cannot read input list", arg});
        continue;
      }
      std::vector<std::string> lines;
      for (std::string line; std::getline(list, line);) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        lines.push_back(line);
      }
      for (auto& item : ExpandInputs(lines)) raw.push_back(std::move(item));
      continue;
    }
    std::filesystem::path p(arg);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::set<std::string> visited;
      const size_t first = raw.size();
      Walk(p, &raw, &visited);
      for (size_t i = first; i < raw.size(); ++i) {
        raw[i].shard_key = raw[i].path.lexically_relative(p).lexically_normal().string();
      }
    } else {
      // Missing or unreadable files are reported by ingest.
      raw.push_back({p, "", p.lexically_normal().string()});
    }
  }
  std::vector<InputItem> out;
  std::set<std::string> seen;
  for (auto& item : raw) {
    std::error_code ec;
    auto canon = std::filesystem::weakly_canonical(item.path, ec);
    std::string key = (ec ? item.path : canon).string() + "|" + item.error;
    if (seen.insert(key).second) out.push_back(std::move(item));
  }
  return out;
}

}  // namespace clipdex
