// `clipdex search`: find clips by words, attributes and example (search/search_engine.h), and
// `clipdex curate`: set a clip's tier by hand, add or remove tags (docs/search.md).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/verbs.h"
#include "search/example_index.h"
#include "search/search_engine.h"
#include "search/search_hit_json.h"

namespace clipdex::cli {
namespace {

struct SearchArgs {
  std::string dataset;
  std::vector<std::string> words;
  SearchRequest request;
  bool json = false;
  bool rebuild = false;
};

// A highlighted column as plain text with the matches in [brackets].
std::string Bracketed(std::string s) {
  for (char& c : s) {
    if (c == '\x01') c = '[';
    if (c == '\x02') c = ']';
  }
  return s;
}

// The API's hit object, with highlights bracketed for a terminal.
nlohmann::ordered_json HitJson(const SearchHit& h) {
  nlohmann::ordered_json j = SearchHitJson(h);
  for (auto& [column, text] : j["highlights"].items()) text = Bracketed(text.get<std::string>());
  return j;
}

std::string Shorten(const std::string& s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // UTF-8 edge
  return s.substr(0, cut) + "...";
}

void PrintHuman(const SearchResult& r, const SearchRequest& req) {
  std::printf("%ld%s clip%s (%s", r.total, r.total_capped ? "+" : "", r.total == 1 ? "" : "s",
              r.mode.c_str());
  for (const std::string& c : r.understood) std::printf("; understood: %s", c.c_str());
  std::printf("; %.0f ms)\n", r.seconds * 1000);
  int rank = req.offset;
  for (const SearchHit& h : r.hits) {
    ++rank;
    std::printf("%3d. clip %lld  %s#%d  %.2f-%.2f s", rank, static_cast<long long>(h.clip_id),
                h.video_path.c_str(), h.index, h.start, h.end);
    if (h.similarity) std::printf("  similarity %.3f", *h.similarity);
    std::printf("\n     match %.2f-%.2f s: %s\n", h.match_start, h.match_end,
                h.match_reason.c_str());
    std::printf("     %s%s%s%s%s\n", h.tier.empty() ? "untiered" : h.tier.c_str(),
                h.movement.empty() ? "" : ", ", h.movement.c_str(),
                h.shot_scale.empty() ? "" : ", ", h.shot_scale.c_str());
    if (!h.caption.empty()) std::printf("     %s\n", Shorten(h.caption, 160).c_str());
  }
}

void AddSearchVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "search",
      "Find clips by words (captions, on-screen text, tags, paths), attributes and example");
  AddDatasetArgument(cmd, &args->dataset);
  cmd->add_option("query", args->words,
                  "Words, any language; camera words (\"static\", \"zoom in\", \"close-up\", "
                  "\"特写\") and \"no text\" / \"no watermark\" / \"no faces\" become filters");
  cmd->add_option("--where", args->request.filter.where,
                  "Attribute filter in the tier-rule grammar, e.g. \"duration >= 3\"");
  cmd->add_option("--tier", args->request.filter.tier, "Only clips of this tier");
  cmd->add_option("--sort", args->request.sort,
                  "Sort by this numeric attribute (highest first) instead of relevance");
  cmd->add_flag("--asc", args->request.ascending, "With --sort: lowest first");
  cmd->add_option("--limit", args->request.limit, "Hits to show")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--offset", args->request.offset, "Skip this many hits (paging)")
      ->check(CLI::Range(0, 1 << 30));
  cmd->add_option("--like", args->request.like_image,
                  "Query by example: clips that look like this image file");
  cmd->add_option("--like-clip", args->request.like_clip,
                  "Query by example: clips that look like this clip (id or VIDEO#INDEX)");
  cmd->add_flag("--semantic", args->request.semantic,
                "Rank by CLIP embeddings: the words' text embedding, or the example's image "
                "embedding (needs the user's CLIP models: slots clip_text / clip_image)");
  cmd->add_flag("--literal", args->request.literal,
                "Words are only words (no camera or content filters drawn from them)");
  cmd->add_flag("--json", args->json, "One JSON object per hit (JSON Lines), then a summary line");
  cmd->add_flag("--rebuild-index", args->rebuild,
                "Rebuild the full-text index from scratch first (it is otherwise kept up to date)");
  cmd->callback([args, exit_code]() {
    std::unique_ptr<Catalog> catalog;
    if (ExitStatus status = OpenDatasetForRead(args->dataset, &catalog); status != kExitOk) {
      *exit_code = status;
      return;
    }
    SearchEngine engine(*catalog);
    if (args->rebuild) {
      auto n = engine.UpdateIndex(/*rebuild=*/true);
      if (!n.ok()) {
        PrintError(n.status());
        *exit_code = kExitInternal;
        return;
      }
      std::fprintf(stderr, "search index rebuilt: %ld clips\n", *n);
    }
    SearchRequest req = args->request;
    for (const std::string& w : args->words) {
      if (!req.text.empty()) req.text += ' ';
      req.text += w;
    }
    if (req.text.empty() && req.filter.empty() && req.like_image.empty() && req.like_clip.empty() &&
        req.sort.empty() && !args->rebuild) {
      PrintError(Status::Error("search: give words, --where/--tier, --like or --like-clip"));
      *exit_code = kExitUsage;
      return;
    }
    if (req.text.empty() && req.filter.empty() && req.like_image.empty() && req.like_clip.empty() &&
        req.sort.empty()) {
      return;  // only --rebuild-index
    }
    auto r = engine.Search(req);
    if (!r.ok()) {
      PrintError(r.status());
      *exit_code = kExitUsage;
      return;
    }
    if (args->json) {
      for (const SearchHit& h : r->hits) std::printf("%s\n", HitJson(h).dump().c_str());
      nlohmann::ordered_json s;
      s["total"] = r->total;
      s["total_capped"] = r->total_capped;
      s["mode"] = r->mode;
      s["understood"] = r->understood;
      s["fts_query"] = r->fts_query;
      s["ms"] = r->seconds * 1000;
      std::printf("%s\n", nlohmann::ordered_json{{"summary", s}}.dump().c_str());
    } else {
      PrintHuman(*r, req);
    }
    *exit_code = kExitOk;
  });
}

struct CurateArgs {
  std::string dataset, clip, tier, reason, who;
  bool clear_tier = false;
  std::vector<std::string> add_tags, remove_tags;
};

std::string DefaultWho() {
  const char* user = std::getenv("USER");
  return user ? user : "cli";
}

void AddCurateVerb(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<CurateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "curate", "Set a clip's tier by hand (kept over `clipdex tier`), add or remove tags");
  AddDatasetArgument(cmd, &args->dataset);
  cmd->add_option("clip", args->clip, "Clip id, or <video path or fingerprint>#<clip index>")
      ->required();
  cmd->add_option("--set-tier", args->tier, "Put the clip in this tier by hand");
  cmd->add_option("--reason", args->reason, "Why (stored with the hand tier, shown by explain)");
  cmd->add_flag("--clear-tier", args->clear_tier, "Remove the hand tier (rules decide again)");
  cmd->add_option("--tag", args->add_tags, "Add a tag (repeatable)");
  cmd->add_option("--untag", args->remove_tags, "Remove a tag (repeatable)");
  cmd->add_option("--who", args->who, "Who made the change (default: $USER)");
  cmd->callback([args, exit_code]() {
    std::unique_ptr<Catalog> catalog;
    if (ExitStatus status = OpenDatasetForRead(args->dataset, &catalog); status != kExitOk) {
      *exit_code = status;
      return;
    }
    auto found = ResolveClip(*catalog, args->clip);
    if (!found.ok() || !*found) {
      PrintError(found.ok() ? Status::Error("no clip '" + args->clip + "'") : found.status());
      *exit_code = kExitUsage;
      return;
    }
    const int64_t id = (*found)->clip.id;
    const std::string who = args->who.empty() ? DefaultWho() : args->who;
    std::vector<Status> done;
    if (args->clear_tier) done.push_back(catalog->ClearManualTier(id, who));
    if (!args->tier.empty())
      done.push_back(catalog->SetManualTier(id, args->tier, args->reason, who));
    for (const auto& t : args->add_tags) done.push_back(catalog->AddTag(id, t, who));
    for (const auto& t : args->remove_tags) done.push_back(catalog->RemoveTag(id, t, who));
    for (const Status& s : done) {
      if (!s.ok()) {
        PrintError(s);
        *exit_code = kExitInternal;
        return;
      }
    }
    std::printf("clip %lld: %zu change%s\n", static_cast<long long>(id), done.size(),
                done.size() == 1 ? "" : "s");
    *exit_code = kExitOk;
  });
}

}  // namespace

void AddSearchVerbs(CLI::App& app, int* exit_code) {
  AddSearchVerb(app, exit_code);
  AddCurateVerb(app, exit_code);
}

}  // namespace clipdex::cli
