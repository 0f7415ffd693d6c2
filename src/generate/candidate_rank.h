// Best K of N: ranking generated candidates (videos or pictures) for one prompt by what clipdex
// measured on them (`clipdex rank`, docs/generation.md).
//
// Score of a candidate (each part is in 0..1 before its weight; the total is deterministic):
//   total = w_quality * quality + w_aesthetic * aesthetic + w_similarity * similarity
//           - artifact_penalty - prompt_penalty
//   - quality: quality.score / 100 (sharpness, blocking and noise; docs/attributes.md)
//   - aesthetic: aesthetic.score / 10 (LAION head, when its model ran) else aesthetic.heuristic /
//   10
//   - artifact_penalty: indicators of generated or upsampled pictures: artifact.spectral_peaks
//     above the range of natural pictures (an interpolation grid), artifact.hf_energy far below
//     it (over-smoothing)
//   - similarity: CLIPScore of the prompt against the candidate's pictures, clamp(2.5 * cosine,
//     0, 1), when a CLIP text encoder (slot clip_text) and its image half (clip_image, attribute
//     embedding.clip) are configured; absent otherwise (the term is then 0 for every candidate)
//   - prompt_penalty: each thing the prompt asks for that the measurement contradicts, with the
//     reason in words: a camera movement (asked for a push-in, measured a pan), a shot scale (one
//     rung off costs less than two), the number of people (faces), and burned-in text or a
//     watermark the prompt did not ask for.
// Diversity: candidates are kept best first; one that is a near-duplicate (clipdex dedup's
// groups) of a candidate already kept is not kept (maximal marginal relevance with a hard
// similarity cut), and says whose duplicate it is.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex {

// What the prompt asks for, in the catalog's labels (caption/film_vocabulary.h).
struct PromptRequest {
  std::vector<std::string> movements;  // camera.movement labels; any one of them satisfies
  std::vector<std::string> scales;     // framing.shot_scale labels; any one of them satisfies
  std::vector<std::string> excluded_movements;  // families ruled out: "zoom", "pan", "handheld"
  std::optional<int> people;
  bool wants_text = false;  // quoted words, "text", "caption", 字幕, 文字 ...
};

// Reads a prompt in English or Chinese with the parser `clipdex rewrite` uses.
PromptRequest ParsePromptRequest(const std::string& prompt);

// What the analyzers measured on one candidate (its longest clip for labels; duration-weighted
// means for numbers). Absent numbers are nullopt and contribute nothing (and say so).
struct CandidateFacts {
  std::string file;
  std::string movement;    // camera.movement ("" when not measured)
  std::string shot_scale;  // framing.shot_scale
  std::optional<int> faces;
  std::optional<double> quality;           // quality.score, 0..100
  std::optional<double> aesthetic;         // aesthetic.score (LAION), 0..10
  std::optional<double> aesthetic_simple;  // aesthetic.heuristic, 0..10
  std::optional<double> spectral_peaks;    // artifact.spectral_peaks
  std::optional<double> hf_energy;         // artifact.hf_energy
  // Cosine of the prompt's CLIP text embedding and the candidate's image embedding (the
  // duration-weighted mean of its clips' embedding.clip), when both encoders are configured.
  std::optional<double> text_similarity;
  double text_area = 0;    // text.area_ratio (largest)
  bool watermark = false;  // watermark.present
  int dup_group = 0;       // clipdex dedup group (0 = none); same group = near-dup
  std::string error;       // not analysable: the reason (ranked last, never kept)
};

struct RankWeights {
  double quality = 0.6;
  double aesthetic = 0.4;
  double movement = 0.5;    // penalty for a contradicted camera movement
  double scale_step = 0.2;  // penalty per shot-scale rung away from the nearest asked-for rung
  double people = 0.3;      // penalty when the face count contradicts the asked-for people
  double text = 0.3;        // burned-in text the prompt did not ask for
  double watermark = 0.3;
  double artifact = 0.2;  // per artifact indicator out of the natural range
  // Prompt-to-picture CLIPScore, added when measured. Not fitted: no generated candidates with
  // human preferences exist here to fit it on (docs/generation.md); a recipe can change it.
  double similarity = 0.4;
};

// Sets the weights a recipe's `rank:` section names (the field names above: quality, aesthetic,
// movement, scale_step, people, text, watermark, artifact, similarity). Error: "recipe rank:
// unknown weight 'x' (quality, aesthetic, ...)".
Status ApplyRankWeights(const std::map<std::string, double>& named, RankWeights* weights);

struct RankedCandidate {
  std::string file;
  int rank = 0;  // 1 = best
  double total = 0;
  double quality = 0, aesthetic = 0, artifact_penalty = 0, prompt_penalty = 0;
  std::optional<double> similarity;  // CLIPScore (0..1) when measured
  bool kept = false;
  std::vector<std::string> reasons;  // why points were taken, or why it was not kept
};

// Ranks the candidates best first (ties by file name) and keeps the best `keep` that are not
// near-duplicates of a kept one.
std::vector<RankedCandidate> RankCandidates(const std::vector<CandidateFacts>& candidates,
                                            const PromptRequest& request, int keep,
                                            const RankWeights& weights = {});

}  // namespace clipdex
