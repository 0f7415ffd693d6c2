// ClipTextEncoder: a prompt -> its CLIP text embedding, with a user-supplied CLIP text encoder
// (model slot clip_text) and CLIP's BPE tokenizer (slot clip_bpe, fetched by scripts/setup.sh).
// Together with the image embeddings of slot clip_image (attribute embedding.clip) it gives the
// prompt-to-picture similarity `clipdex rank` adds to a candidate's score (docs/generation.md).
// The two encoders must be the two halves of one CLIP model: only then do their embeddings share
// a space (the dimensions are checked; the pairing cannot be).
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "models/clip_tokenizer.h"
#include "models/onnx_session.h"
#include "util/status.h"

namespace clipdex {

class ClipTextEncoder {
 public:
  // Finds and loads slots clip_text and clip_bpe under `roots` (models/model_manifest.h). The
  // error says which slot is not ready and why ("clip_text: missing: ...").
  static Result<std::unique_ptr<ClipTextEncoder>> Load(
      const std::vector<std::filesystem::path>& roots, int threads = 1);
  // The same with explicit files (the model's input contract is checked).
  static Result<std::unique_ptr<ClipTextEncoder>> LoadFiles(const std::filesystem::path& model,
                                                            const std::filesystem::path& merges,
                                                            int threads = 1);

  // The L2-normalised embedding of `text` (the first output, [1,D]). Errors name the model file.
  Result<std::vector<float>> Embed(std::string_view text) const;

 private:
  ClipTextEncoder() = default;
  std::unique_ptr<OnnxSession> session_;
  std::unique_ptr<ClipTokenizer> tokenizer_;
};

// CLIPScore (Hessel et al., 2021) of a picture-text cosine, on 0..1: clamp(2.5 * cosine, 0, 1).
// Matching pairs score about 0.6-0.9 with OpenAI's CLIP, unrelated ones 0.3-0.5.
double ClipScore(double cosine);

}  // namespace clipdex
