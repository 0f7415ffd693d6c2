// Search: find clips by words, attributes and example, each hit narrowed to the moment that
// matched. One library for `clipdex search` and `clipdex serve` (docs/search.md).
//
// A request combines (all optional):
//   - words: full-text over the index (search/search_document.h: labels, captions in every
//     language, on-screen text, tags, path words, glossary terms), BM25-ranked. Camera words in
//     the query ("static", "slow zoom in", "close-up", "特写", "推镜头") become attribute filters
//     too (camera.movement / framing.shot_scale), unless `literal`; so do "no text", "no
//     watermark", "no faces". When every word together finds nothing, any word counts
//     (result.mode "any").
//   - an attribute filter in exactly the tier-rule grammar (`--where`) and a tier;
//   - an example (an image, or a clip of the catalog): clips ranked by perceptual similarity of
//     their keyframes (search/example_index.h); with words too, the words filter and the example
//     ranks.
//   - semantic (`semantic`): the words or the example as one CLIP vector, clips ranked by the
//     cosine of their embedding.clip (search/embedding_index.h), with the user's CLIP models;
//   - sort by any numeric attribute (descending, or ascending).
// Results are time-localised: a hit's match range is the clip's range narrowed to the on-screen
// text track, caption event, camera segment or keyframe that matched (search/time_localise.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "curate/clip_selection.h"
#include "util/status.h"

namespace clipdex {

class ClipSetCache;
class EmbeddingIndex;
class ExampleIndex;

struct SearchRequest {
  std::string text;   // words, any language; "" = no full-text condition
  ClipFilter filter;  // tier and --where
  std::string sort;   // numeric attribute to sort by ("" = relevance, or clip order)
  bool ascending = false;
  int limit = 20;  // 1..1000
  int offset = 0;
  bool literal = false;  // words are only words: no camera/content filters drawn from them
  // The catalog queries of this search give up after this many seconds (0 = no limit):
  // "search took longer than N s".
  double time_limit_seconds = 0;
  // Query by example, at most one of:
  std::string like_image;                 // image file path (JPEG/PNG/any FFmpeg reads)
  std::vector<uint8_t> like_image_bytes;  // image file bytes (an upload)
  std::string like_clip;  // clip id ("123") or "<video path or fingerprint>#<index>"
  // Semantic: rank by CLIP embeddings (search/embedding_index.h) instead of full text or
  // perceptual hashes: the words' CLIP text embedding (slot clip_text), or the example's CLIP
  // image embedding; camera words and --where still filter. Needs the user's CLIP models.
  bool semantic = false;
};

struct SearchHit {
  int64_t clip_id = 0;
  std::string video_path;
  std::string fingerprint;
  int index = 0;
  double start = 0, end = 0;              // the clip, seconds in the source file
  double match_start = 0, match_end = 0;  // the part that matched (within the clip)
  std::string match_reason;               // "on-screen text 'NEWS24' at 3.2-5.0 s", ...
  double score = 0;                       // higher is better (relevance or similarity)
  std::optional<double> similarity;       // query by example: 0..1; semantic: CLIP cosine
  std::string tier;                       // "" = untiered
  std::string thumbnail;                  // relative to the dataset directory, "" if none
  std::string movement, shot_scale;       // labels, "" if none
  std::string caption;                    // caption.text, else ""
  // Column name (labels, caption, screen_text, tags, path, glossary) -> its text with the
  // matched terms between \x01 and \x02 (callers escape, then mark).
  std::map<std::string, std::string> highlights;
};

struct SearchResult {
  std::vector<SearchHit> hits;
  long total = 0;             // all matches (before limit/offset), up to 1,000
  bool total_capped = false;  // more than `total` match
  std::string mode;           // "all" (every word), "any", "filter", "example", "semantic"
  std::string fts_query;      // what ran against the index, "" if none
  std::vector<std::string> understood;  // conditions drawn from the words, as rule text
  double seconds = 0;
};

class SearchEngine {
 public:
  // `examples` may be shared by several engines (one per catalog connection in the server) and
  // may be null: it is then built on the first query by example.
  explicit SearchEngine(Catalog& catalog, std::shared_ptr<const ExampleIndex> examples = nullptr);
  ~SearchEngine();

  // Errors (one line): "--where: unknown attribute ...", "--tier gold: the dataset was never
  // tiered ...", "cannot read example image X: <reason>", "no clip 'x.mp4#9' in the catalog",
  // "example image has no features to compare (a flat picture)", "search: <sqlite reason>".
  Result<SearchResult> Search(const SearchRequest& request);

  // Brings the full-text index up to date (only changed clips, or all with `rebuild`); returns
  // how many clips were (re)indexed. Search calls it first, so the index is never stale.
  Result<long> UpdateIndex(bool rebuild = false);

  // The example index this engine uses, building it when absent.
  Result<std::shared_ptr<const ExampleIndex>> Examples();
  // The CLIP embedding index of semantic searches, building it when absent.
  Result<std::shared_ptr<const EmbeddingIndex>> Embeddings();
  // Uses an index built elsewhere (the server's shared one).
  void ShareEmbeddings(std::shared_ptr<const EmbeddingIndex> index) {
    embeddings_ = std::move(index);
  }
  // Takes filter conditions' clip sets from `cache` (the server's, shared by its workers) instead
  // of selecting them in every query; without one, every query selects its own.
  void UseClipSets(std::shared_ptr<ClipSetCache> cache) { clip_sets_ = std::move(cache); }

 private:
  Result<SearchResult> SearchWithinLimit(const SearchRequest& request);
  // The CLIP vector a semantic request asks for; *exclude = the example clip, if any.
  Result<std::vector<float>> SemanticQuery(const SearchRequest& request, int64_t* exclude);

  Catalog& catalog_;
  std::shared_ptr<const ExampleIndex> examples_;
  std::shared_ptr<const EmbeddingIndex> embeddings_;
  std::shared_ptr<ClipSetCache> clip_sets_;
};

}  // namespace clipdex
