// Glossary: names and terms a model cannot know (a channel, a product, a person, an in-house
// word), given by the user and put into a VLM's prompt when a clip shows signs of them. Matching
// is evidence-based, never a guess: a term (or an alias, any language) occurs in the clip's OCR
// text, in a tag a user gave the clip (clipdex curate / serve) or in its file's path/folder names,
// or a reference image looks like the clip's thumbnail (perceptual hash within `image_bits`).
//
// File (YAML):
//   terms:
//     - term: NEWS24
//       aliases: [News 24, 新闻24]
//       description: a 24-hour news channel; its logo sits top left
//       images: [news24_logo.png]   # optional, relative to the glossary file
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

struct GlossaryTerm {
  std::string term;
  std::vector<std::string> aliases;
  std::string description;
  std::vector<uint64_t> image_hashes;  // pHash of each reference image
};

struct GlossaryMatch {
  const GlossaryTerm* term = nullptr;
  std::string evidence;  // "ocr", "tag", "path", "image"
};

class Glossary {
 public:
  // Errors name the file and the entry: "glossary g.yaml: terms[2] has no 'term'",
  // "glossary g.yaml: terms[0].images[1] x.png: cannot read".
  static Result<Glossary> Load(const std::filesystem::path& path);

  // Terms with evidence in `ocr_text`, the user's `tags` of the clip (a person's word for what
  // it shows), `path` or (when set) the thumbnail's pHash; evidence is named in that order of
  // preference.
  std::vector<GlossaryMatch> Match(const std::string& ocr_text, const std::string& path,
                                   std::optional<uint64_t> thumbnail_hash,
                                   const std::vector<std::string>& tags = {},
                                   int image_bits = 10) const;
  size_t size() const { return terms_.size(); }

 private:
  std::vector<GlossaryTerm> terms_;
};

// The pHash (64 bits) of a grey or BGR picture, as the glossary compares them.
uint64_t PictureHash(const cv::Mat& picture);

}  // namespace clipdex
