// `clipdex rank`: best K of N generated candidates for a prompt (generate/candidate_rank.h).
// The candidates go through the ordinary ingest (every default analyzer) into a dataset, a
// temporary one unless --dataset names one, then through `dedup` so near-duplicates are known;
// the ranking itself reads only the catalog.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "analyze/clip_embedding.h"
#include "catalog/catalog.h"
#include "cli/verbs.h"
#include "curate/catalog_pass.h"
#include "curate/recipe.h"
#include "generate/candidate_rank.h"
#include "generate/preference_pairs.h"
#include "models/clip_text_encoder.h"
#include "models/model_manifest.h"
#include "pipeline/analyzer_set.h"
#include "pipeline/batch.h"
#include "pipeline/inputs.h"

namespace clipdex::cli {
namespace {

struct RankArgs {
  std::vector<std::string> inputs;
  std::string prompt;
  int keep = 4;
  std::string dataset;  // "" = a temporary dataset, removed afterwards
  int jobs = 1;
  std::string recipe;  // its `rank:` weights (default: the built-in weights)
};

// A temporary directory removed with everything in it when this goes.
class ScratchDir {
 public:
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "clipdex-rank-XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Per candidate file: its clips' measurements folded into one CandidateFacts (labels from the
// longest clip, numbers duration-weighted, text and watermark from any clip).
struct Fold {
  CandidateFacts facts;
  std::vector<int64_t> clip_ids;
  double longest = -1;
  std::map<std::string, std::pair<double, double>> sums;  // name -> (weighted sum, weight)
  std::vector<float> embedding;                           // duration-weighted embedding.clip sum
};

// The candidates of a dataset, and each one's clip ids (by file).
struct Candidates {
  std::vector<CandidateFacts> facts;
  std::map<std::string, std::vector<int64_t>> clips;
  std::map<std::string, std::vector<float>> embeddings;  // file -> unit CLIP image embedding
};

// Only the videos of `files` (absolute, normalised paths, as ingest records them): a named
// dataset may hold the candidates of earlier prompts too.
Result<Candidates> ReadCandidates(Catalog& catalog, const std::set<std::string>& files) {
  auto videos = catalog.Videos();
  if (!videos.ok()) return videos.status();
  std::map<std::string, Fold> by_path;
  for (const VideoRecord& v : *videos) {
    if (!files.count(v.path)) continue;
    Fold& f = by_path[v.path];
    f.facts.file = v.path;
    if (v.status != "ok") f.facts.error = v.error.empty() ? v.status : v.error;
  }
  Status s = catalog.ForEachClip([&](const VideoRecord& v, const ClipRecord& c) {
    if (!files.count(v.path)) return true;
    Fold& f = by_path[v.path];
    f.clip_ids.push_back(c.id);
    const double d = std::max(0.01, c.end_time - c.start_time);
    for (const char* name : {"quality.score", "aesthetic.score", "aesthetic.heuristic",
                             "artifact.spectral_peaks", "artifact.hf_energy"}) {
      if (const Attribute* a = FindAttribute(c, name); a != nullptr && a->number) {
        auto& [sum, weight] = f.sums[name];
        sum += *a->number * d;
        weight += d;
      }
    }
    if (const Attribute* a = FindAttribute(c, "embedding.clip"); a != nullptr) {
      auto e = DecodeClipEmbedding(a->text);
      if (e.ok() && (f.embedding.empty() || f.embedding.size() == e->size())) {
        f.embedding.resize(e->size(), 0.0f);
        for (size_t k = 0; k < e->size(); ++k) f.embedding[k] += static_cast<float>((*e)[k] * d);
      }
    }
    if (const Attribute* a = FindAttribute(c, "text.area_ratio"); a != nullptr && a->number) {
      f.facts.text_area = std::max(f.facts.text_area, *a->number);
    }
    if (const Attribute* a = FindAttribute(c, "watermark.present"); a != nullptr && a->number) {
      f.facts.watermark = f.facts.watermark || *a->number > 0.5;
    }
    if (d > f.longest) {
      f.longest = d;
      const Attribute* m = FindAttribute(c, "camera.movement");
      f.facts.movement = m ? m->text : "";
      const Attribute* sc = FindAttribute(c, "framing.shot_scale");
      f.facts.shot_scale = sc ? sc->text : "";
      const Attribute* faces = FindAttribute(c, "framing.faces");
      if (faces != nullptr && faces->number) f.facts.faces = static_cast<int>(*faces->number);
      const Attribute* group = FindAttribute(c, "dedup.group");
      f.facts.dup_group = group != nullptr && group->number ? static_cast<int>(*group->number) : 0;
    }
    return true;
  });
  if (!s.ok()) return s;
  Candidates out;
  for (auto& [path, f] : by_path) {
    auto mean = [&](const char* name) -> std::optional<double> {
      auto it = f.sums.find(name);
      if (it == f.sums.end() || it->second.second <= 0) return std::nullopt;
      return it->second.first / it->second.second;
    };
    f.facts.quality = mean("quality.score");
    f.facts.aesthetic = mean("aesthetic.score");
    f.facts.aesthetic_simple = mean("aesthetic.heuristic");
    f.facts.spectral_peaks = mean("artifact.spectral_peaks");
    f.facts.hf_energy = mean("artifact.hf_energy");
    if (f.longest < 0 && f.facts.error.empty()) f.facts.error = "no clip found in it";
    out.clips[path] = std::move(f.clip_ids);
    if (!f.embedding.empty()) out.embeddings[path] = L2Normalised(std::move(f.embedding));
    out.facts.push_back(std::move(f.facts));
  }
  return out;
}

// Sets each candidate's text_similarity when a CLIP text encoder is configured and the
// candidates carry image embeddings of the same size; returns what was done, in words.
std::string AddPromptSimilarity(const std::string& prompt, Candidates* candidates) {
  auto encoder = ClipTextEncoder::Load(ModelRoots(ExplicitModelsDir()));
  if (!encoder.ok()) return "off (" + encoder.status().message() + ")";
  if (candidates->embeddings.empty()) {
    return "off (no embedding.clip on the candidates: clip_image is not configured)";
  }
  auto text = (*encoder)->Embed(prompt);
  if (!text.ok()) return "off (" + text.status().message() + ")";
  int measured = 0;
  for (CandidateFacts& c : candidates->facts) {
    auto it = candidates->embeddings.find(c.file);
    if (it == candidates->embeddings.end()) continue;
    if (it->second.size() != text->size()) {
      return "off (clip_text gives " + std::to_string(text->size()) + "-d embeddings, clip_image " +
             std::to_string(it->second.size()) + "-d: not two halves of one CLIP model)";
    }
    c.text_similarity = Dot(*text, it->second);
    ++measured;
  }
  return "CLIPScore on " + std::to_string(measured) + " of " +
         std::to_string(candidates->facts.size()) + " candidates";
}

nlohmann::ordered_json RankedJson(const RankedCandidate& r, const CandidateFacts& c) {
  nlohmann::ordered_json j;
  j["rank"] = r.rank;
  j["file"] = r.file;
  j["kept"] = r.kept;
  j["total"] = std::round(r.total * 1e4) / 1e4;
  j["scores"] = {
      {"quality", std::round(r.quality * 1e4) / 1e4},
      {"aesthetic", std::round(r.aesthetic * 1e4) / 1e4},
      {"artifact_penalty", std::round(r.artifact_penalty * 1e4) / 1e4},
      {"prompt_penalty", std::round(r.prompt_penalty * 1e4) / 1e4},
      {"similarity", r.similarity ? nlohmann::ordered_json(std::round(*r.similarity * 1e4) / 1e4)
                                  : nlohmann::ordered_json(nullptr)}};
  j["measured"] = {{"movement", c.movement}, {"shot_scale", c.shot_scale}};
  if (c.faces) j["measured"]["faces"] = *c.faces;
  j["reasons"] = r.reasons;
  return j;
}

// Stores each candidate's result on its clips (generate/preference_pairs.h): a named dataset
// keeps the ranking for `export --format preference-pairs`.
Status StoreRanking(Catalog& catalog, const std::string& prompt,
                    const std::vector<RankedCandidate>& ranked, const Candidates& candidates) {
  std::vector<AttributeWrite> rows;
  for (const RankedCandidate& r : ranked) {
    auto it = candidates.clips.find(r.file);
    if (it == candidates.clips.end()) continue;
    for (int64_t id : it->second) {
      rows.push_back({id, "rank.prompt", std::nullopt, prompt});
      rows.push_back({id, "rank.total", r.total, ""});
      rows.push_back({id, "rank.position", static_cast<double>(r.rank), ""});
      rows.push_back({id, "rank.kept", r.kept ? 1.0 : 0.0, ""});
      rows.push_back({id, "rank.reasons", std::nullopt, nlohmann::json(r.reasons).dump()});
    }
  }
  return catalog.WriteClipAttributes(kRankPrefix, rows);
}

}  // namespace

void AddRankVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<RankArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rank",
      "Best K of N generated videos or pictures for a prompt: measured quality, "
      "aesthetics, prompt consistency and diversity; one JSON line per candidate");
  cmd->add_option("inputs", args->inputs, "Candidate files, directories and @list.txt files")
      ->required();
  cmd->add_option("--prompt", args->prompt, "The prompt the candidates were generated for")
      ->required();
  cmd->add_option("--keep", args->keep, "How many to keep")->capture_default_str();
  cmd->add_option("--dataset", args->dataset,
                  "Ingest the candidates into this dataset and keep it (default: a temporary one)");
  cmd->add_option("-j,--jobs", args->jobs, "Files decoded in parallel")->capture_default_str();
  cmd->add_option("--recipe", args->recipe,
                  "Recipe whose `rank:` section sets the score weights (docs/generation.md)");
  cmd->callback([args, exit_code]() {
    if (args->keep < 1) {
      std::fprintf(stderr, "clipdex: --keep must be >= 1\n");
      *exit_code = kExitUsage;
      return;
    }
    // The weights are checked before anything is decoded.
    RankWeights weights;
    auto recipe = LoadRecipe(args->recipe);
    Status ws = recipe.ok() ? ApplyRankWeights(recipe->rank_weights, &weights) : recipe.status();
    if (!ws.ok()) {
      PrintError(ws);
      *exit_code = kExitUsage;
      return;
    }
    ScratchDir scratch;
    std::filesystem::path dataset = args->dataset;
    if (dataset.empty()) {
      if (scratch.path().empty()) {
        std::fprintf(stderr, "clipdex: cannot create a temporary dataset directory\n");
        *exit_code = kExitInternal;
        return;
      }
      dataset = scratch.path() / "candidates";
    }
    BatchOptions batch;
    batch.quiet = true;
    batch.jobs = args->jobs;
    batch.ingest.decode.time_limit_seconds = 900;
    AnalyzerConfig analyzers;
    analyzers.models_dir = ExplicitModelsDir();
    AddAnalyzers(analyzers, &batch.ingest, &batch.notes);
    auto summary = RunIngestBatch(args->inputs, dataset, batch);
    if (!summary.ok()) {
      PrintError(summary.status());
      *exit_code = kExitUsage;
      return;
    }
    const PassRun dedup = RunCatalogPass(*FindCatalogPass("dedup"), dataset, DefaultRecipe(), {});
    if (dedup.failure != PassFailure::kNone) {
      std::fprintf(stderr, "clipdex: %s\n", dedup.message.c_str());
      *exit_code = kExitInternal;
      return;
    }
    auto catalog = Catalog::Open(dataset, /*create=*/false);
    if (!catalog.ok()) {
      PrintError(catalog.status());
      *exit_code = kExitInternal;
      return;
    }
    std::set<std::string> files;
    for (const InputItem& item : ExpandInputs(args->inputs)) {
      files.insert(std::filesystem::absolute(item.path).lexically_normal().string());
    }
    auto candidates = ReadCandidates(**catalog, files);
    if (!candidates.ok()) {
      PrintError(candidates.status());
      *exit_code = kExitInternal;
      return;
    }
    std::fprintf(stderr, "prompt similarity: %s\n",
                 AddPromptSimilarity(args->prompt, &*candidates).c_str());
    const PromptRequest request = ParsePromptRequest(args->prompt);
    const auto ranked = RankCandidates(candidates->facts, request, args->keep, weights);
    if (!args->dataset.empty()) {
      if (Status s = StoreRanking(**catalog, args->prompt, ranked, *candidates); !s.ok()) {
        PrintError(s);
        *exit_code = kExitInternal;
        return;
      }
    }
    std::map<std::string, const CandidateFacts*> facts;
    for (const CandidateFacts& c : candidates->facts) facts[c.file] = &c;
    int kept = 0;
    for (const RankedCandidate& r : ranked) {
      std::printf("%s\n", RankedJson(r, *facts[r.file]).dump().c_str());
      kept += r.kept;
    }
    std::fprintf(stderr, "kept %d of %zu candidates (%d could not be analysed)\n", kept,
                 ranked.size(), summary->failed);
    *exit_code = kExitOk;
  });
}

}  // namespace clipdex::cli
