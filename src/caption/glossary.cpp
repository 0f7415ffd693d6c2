#include "caption/glossary.h"

#include <yaml-cpp/yaml.h>

#include <bit>
#include <cctype>
#include <opencv2/img_hash.hpp>
#include <opencv2/imgproc.hpp>

#include "media/frame_grabber.h"

namespace clipdex {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `needle` in `hay` (both lower case); ASCII needles only at word boundaries, so "art" does not
// match "start". CJK needles match anywhere (no spaces between words).
bool Contains(const std::string& hay, const std::string& needle) {
  if (needle.empty()) return false;
  const bool ascii = std::all_of(needle.begin(), needle.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) {
    if (!ascii) return true;
    auto word = [&](size_t i) { return std::isalnum(static_cast<unsigned char>(hay[i])) != 0; };
    const size_t end = at + needle.size();
    if ((at == 0 || !word(at - 1)) && (end >= hay.size() || !word(end))) return true;
  }
  return false;
}

// Path words: folders and the file stem, separators and '_' '-' '.' read as spaces.
std::string PathWords(const std::string& path) {
  std::string out = Lower(path);
  for (char& c : out) {
    if (c == '/' || c == '\\' || c == '_' || c == '-' || c == '.') c = ' ';
  }
  return out;
}

}  // namespace

uint64_t PictureHash(const cv::Mat& picture) {
  cv::Mat gray = picture;
  if (picture.channels() == 3) cv::cvtColor(picture, gray, cv::COLOR_BGR2GRAY);
  cv::Mat small;
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  cv::Mat hash;
  cv::img_hash::PHash::create()->compute(small, hash);
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i) h = (h << 8) | hash.at<uint8_t>(0, i);
  return h;
}

Result<Glossary> Glossary::Load(const std::filesystem::path& path) {
  const std::string where = "glossary " + path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    return Status::Error(where + ": " + e.what());
  }
  Glossary g;
  // A scalar or list at the top has no keys: yaml-cpp throws on root["terms"] (found by fuzzing).
  if (!root.IsMap()) return Status::Error(where + ": expected a list 'terms'");
  const YAML::Node terms = root["terms"];
  if (!terms || !terms.IsSequence()) return Status::Error(where + ": expected a list 'terms'");
  try {
    for (size_t i = 0; i < terms.size(); ++i) {
      const YAML::Node t = terms[i];
      const std::string at = where + ": terms[" + std::to_string(i) + "]";
      if (!t.IsMap() || !t["term"]) return Status::Error(at + " has no 'term'");
      for (const auto& kv : t) {
        const std::string key = kv.first.as<std::string>();
        if (key != "term" && key != "aliases" && key != "description" && key != "images") {
          return Status::Error(at + ": unknown key '" + key + "'");
        }
      }
      GlossaryTerm term;
      term.term = t["term"].as<std::string>();
      if (t["aliases"]) term.aliases = t["aliases"].as<std::vector<std::string>>();
      if (t["description"]) term.description = t["description"].as<std::string>();
      if (t["images"]) {
        const auto images = t["images"].as<std::vector<std::string>>();
        for (size_t k = 0; k < images.size(); ++k) {
          const std::filesystem::path file = path.parent_path() / images[k];
          // Any picture FFmpeg reads (JPEG, PNG, WebP ...), display-oriented like the clips.
          auto probe = Probe(file);
          auto picture = probe.ok() ? GrabFrames(file, probe.value(), {0.0}, 256, 10)
                                    : Result<GrabbedFrames>(probe.status());
          if (!picture.ok()) {
            return Status::Error(at + ".images[" + std::to_string(k) + "] " + file.string() + ": " +
                                 picture.status().message());
          }
          term.image_hashes.push_back(PictureHash(picture->pictures.front()));
        }
      }
      g.terms_.push_back(std::move(term));
    }
  } catch (const YAML::Exception& e) {
    return Status::Error(where + ": " + e.what());
  }
  return g;
}

std::vector<GlossaryMatch> Glossary::Match(const std::string& ocr_text, const std::string& path,
                                           std::optional<uint64_t> thumbnail_hash,
                                           const std::vector<std::string>& tags,
                                           int image_bits) const {
  std::vector<GlossaryMatch> out;
  const std::string ocr = Lower(ocr_text);
  const std::string words = PathWords(path);
  std::string tag_text;  // one tag per line, so a name never spans two tags
  for (const std::string& t : tags) {
    tag_text += Lower(t);
    tag_text += '\n';
  }
  for (const GlossaryTerm& t : terms_) {
    std::vector<std::string> names = t.aliases;
    names.push_back(t.term);
    std::string evidence;
    for (const std::string& n : names) {
      const std::string name = Lower(n);
      if (Contains(ocr, name)) {
        evidence = "ocr";
        break;
      }
      if (evidence != "tag" && Contains(tag_text, name)) evidence = "tag";
      if (evidence.empty() && Contains(words, name)) evidence = "path";
    }
    if (evidence.empty() && thumbnail_hash) {
      for (uint64_t h : t.image_hashes) {
        if (std::popcount(h ^ *thumbnail_hash) <= image_bits) evidence = "image";
      }
    }
    if (!evidence.empty()) out.push_back({&t, evidence});
  }
  return out;
}

}  // namespace clipdex
