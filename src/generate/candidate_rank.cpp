#include "generate/candidate_rank.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "caption/film_vocabulary.h"
#include "generate/prompt_parser.h"
#include "generate/prompt_vocabulary.h"
#include "models/clip_text_encoder.h"
#include "util/ascii_case.h"
#include "util/number_text.h"

namespace clipdex {
namespace {

// Whether `x` is the family of some camera.movement label (what a prompt can rule out).
bool IsMovementFamily(const std::string& x) {
  for (const std::string& label : CameraMovementLabels()) {
    if (MovementFamily(label) == x) return true;
  }
  return false;
}

int ScaleRung(const std::string& label) {
  const auto& labels = ShotScaleLabels();
  const auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1 : static_cast<int>(it - labels.begin());
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// The prompt's requests against the measurement: the penalty and a reason per contradiction.
double PromptPenalty(const CandidateFacts& c, const PromptRequest& r, const RankWeights& w,
                     std::vector<std::string>* reasons) {
  double penalty = 0;
  if (!r.movements.empty()) {
    const bool match =
        std::find(r.movements.begin(), r.movements.end(), c.movement) != r.movements.end();
    if (c.movement.empty()) {
      reasons->push_back("camera movement not measured");
    } else if (!match) {
      // A mixed clip may contain what was asked for: half the penalty.
      const double p = c.movement == "mixed" ? w.movement / 2 : w.movement;
      penalty += p;
      reasons->push_back("asked for " + Join(r.movements, " or ") + ", measured " + c.movement);
    }
  }
  if (!c.movement.empty() && std::find(r.excluded_movements.begin(), r.excluded_movements.end(),
                                       MovementFamily(c.movement)) != r.excluded_movements.end()) {
    penalty += w.movement;
    reasons->push_back("asked for no " + MovementFamily(c.movement) + ", measured " + c.movement);
  }
  if (!r.scales.empty()) {
    const int have = ScaleRung(c.shot_scale);
    if (have < 0) {
      reasons->push_back("shot scale not measured");
    } else {
      int steps = 1 << 20;
      for (const std::string& s : r.scales) {
        if (const int want = ScaleRung(s); want >= 0)
          steps = std::min(steps, std::abs(want - have));
      }
      if (steps > 0 && steps < (1 << 20)) {
        penalty += std::min(1.0, w.scale_step * steps);
        reasons->push_back("asked for " + Join(r.scales, " or ") + ", measured " + c.shot_scale +
                           " (" + std::to_string(steps) + (steps == 1 ? " rung" : " rungs") +
                           " off)");
      }
    }
  }
  if (r.people && c.faces && *c.faces != *r.people) {
    penalty += w.people;
    reasons->push_back("asked for " + std::to_string(*r.people) + " people, measured " +
                       std::to_string(*c.faces) + " faces");
  }
  if (!r.wants_text && c.text_area > 0.005) {
    penalty += w.text;
    reasons->push_back("burned-in text the prompt did not ask for (" +
                       FixedDigits(100 * c.text_area, 1) + " % of the picture)");
  }
  if (c.watermark) {
    penalty += w.watermark;
    reasons->push_back("watermark");
  }
  return penalty;
}

}  // namespace

Status ApplyRankWeights(const std::map<std::string, double>& named, RankWeights* w) {
  const std::map<std::string, double*> fields = {
      {"quality", &w->quality},       {"aesthetic", &w->aesthetic}, {"movement", &w->movement},
      {"scale_step", &w->scale_step}, {"people", &w->people},       {"text", &w->text},
      {"watermark", &w->watermark},   {"artifact", &w->artifact},   {"similarity", &w->similarity}};
  for (const auto& [name, value] : named) {
    auto it = fields.find(name);
    if (it == fields.end()) {
      std::string known;
      for (const auto& [k, unused] : fields) known += known.empty() ? k : ", " + k;
      return Status::Error("recipe rank: unknown weight '" + name + "' (" + known + ")");
    }
    *it->second = value;
  }
  return Status::Ok();
}

PromptRequest ParsePromptRequest(const std::string& prompt) {
  // The same reading as `clipdex rewrite` (generate/prompt_parser.h).
  const PromptSlots slots = ParsePrompt(prompt);
  PromptRequest r;
  r.movements = slots.movements;
  if (!slots.shot_scale.empty()) r.scales.push_back(slots.shot_scale);
  r.people = slots.people;
  r.wants_text = slots.text_requested || slots.subtitles;
  for (const std::string& x : slots.excluded) {
    if (x == "text" || x == "subtitles") {
      r.wants_text = false;
    } else if (IsMovementFamily(x)) {
      r.excluded_movements.push_back(x);
    }
  }
  return r;
}

std::vector<RankedCandidate> RankCandidates(const std::vector<CandidateFacts>& candidates,
                                            const PromptRequest& request, int keep,
                                            const RankWeights& w) {
  std::vector<RankedCandidate> out;
  for (const CandidateFacts& c : candidates) {
    RankedCandidate r;
    r.file = c.file;
    if (!c.error.empty()) {
      r.total = -1e9;
      r.reasons.push_back("not analysable: " + c.error);
      out.push_back(std::move(r));
      continue;
    }
    if (c.quality) {
      r.quality = std::clamp(*c.quality / 100.0, 0.0, 1.0);
      // Below 40 a picture shows its blur, blocking or noise (the synthetic quality ladder:
      // reference 62, CRF 35 47, blur 3 px 38, noise 30, CRF 45 23).
      if (*c.quality < 40) {
        r.reasons.push_back("low technical quality (" + FixedDigits(*c.quality, 0) +
                            "/100: blur, blocking or noise)");
      }
    } else {
      r.reasons.push_back("technical quality not measured");
    }
    if (c.aesthetic) {
      r.aesthetic = std::clamp(*c.aesthetic / 10.0, 0.0, 1.0);
    } else if (c.aesthetic_simple) {
      r.aesthetic = std::clamp(*c.aesthetic_simple / 10.0, 0.0, 1.0);
    } else {
      r.reasons.push_back("aesthetics not measured");
    }
    // Spectral peaks far above anything clean footage here shows (synthetic and real clips: up
    // to ~36) mark an interpolation grid; clean material never pays it.
    if (c.spectral_peaks && *c.spectral_peaks > 40) {
      r.artifact_penalty += w.artifact * std::min(1.0, (*c.spectral_peaks - 40) / 40);
      r.reasons.push_back("interpolation grid (spectral peaks " +
                          FixedDigits(*c.spectral_peaks, 1) + ")");
    }
    if (c.text_similarity) {
      r.similarity = ClipScore(*c.text_similarity);
      // CLIPScore under 0.5 (cosine 0.2) is where unrelated prompt-picture pairs lie.
      if (*r.similarity < 0.5) {
        r.reasons.push_back("pictures match the prompt's words weakly (CLIPScore " +
                            FixedDigits(*r.similarity, 2) + ")");
      }
    }
    r.prompt_penalty = PromptPenalty(c, request, w, &r.reasons);
    r.total = w.quality * r.quality + w.aesthetic * r.aesthetic +
              w.similarity * r.similarity.value_or(0) - r.artifact_penalty - r.prompt_penalty;
    out.push_back(std::move(r));
  }
  std::vector<size_t> order(out.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (out[a].total != out[b].total) return out[a].total > out[b].total;
    return out[a].file < out[b].file;
  });
  std::vector<RankedCandidate> ranked;
  std::map<int, std::string> kept_groups;  // dedup group -> the kept candidate's file
  int kept = 0;
  for (size_t i : order) {
    RankedCandidate r = out[i];
    r.rank = static_cast<int>(ranked.size()) + 1;
    const CandidateFacts& c = candidates[i];
    const auto dup = c.dup_group != 0 ? kept_groups.find(c.dup_group) : kept_groups.end();
    if (!c.error.empty()) {
      // never kept
    } else if (dup != kept_groups.end()) {
      r.reasons.push_back("near-duplicate of " + dup->second + " (kept)");
    } else if (kept < keep) {
      r.kept = true;
      ++kept;
      if (c.dup_group != 0) kept_groups[c.dup_group] = c.file;
    } else {
      r.reasons.push_back("below the best " + std::to_string(keep));
    }
    ranked.push_back(std::move(r));
  }
  return ranked;
}

}  // namespace clipdex
