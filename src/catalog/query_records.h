// Plain records returned by the catalog's curation queries (tiers, dedup, report, explain); the
// methods that fill them are declared, with their contracts, in catalog/catalog.h.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/clip_set.h"
#include "catalog/records.h"
#include "util/status.h"

namespace clipdex {

// One attribute row to write (Catalog::ReplaceAttributes): a number, else the text.
struct AttributeWrite {
  int64_t clip_id = 0;
  std::string name;
  std::optional<double> number;
  std::string text;
};

// One cell of a wide attribute row: what clip_attributes holds for (clip, name), if anything.
struct AttributeCell {
  bool present = false;
  std::optional<double> number;     // column num
  std::optional<std::string> text;  // column text
};

// A clip of an ok video with the requested attributes as columns (Catalog::ForEachWideClip).
struct WideClipRow {
  int64_t clip_id = 0;
  double duration = 0;               // seconds
  int64_t pixels = 0;                // video width * height
  std::vector<AttributeCell> cells;  // one per requested name, in the requested order
};

// Clips and seconds of one tier (or of the untiered clips).
struct TierTotal {
  std::string tier;
  long clips = 0;
  double seconds = 0;
};

// One row of `runs`.
struct RunRecord {
  int64_t id = 0;
  std::string version;
  std::string started_at;
  std::string finished_at;  // "" while running or when the run was killed
  long files_ok = 0;
  long files_failed = 0;
  double seconds = 0;
};

// Range of one numeric attribute (or of the clip field "duration") over the catalog.
struct NumericRange {
  std::string name;
  double lo = 0, hi = 0;
  bool integers = false;  // every value is a whole number
};

// Clips per (text value, tier) of one attribute; tier "" = untiered.
struct CategoryCount {
  std::string value;
  std::string tier;
  long clips = 0;
};

// What `dedup` left in the catalog.
struct DedupTotals {
  long grouped = 0;     // clips carrying dedup.group
  long duplicates = 0;  // clips with a non-empty dedup.dup_of
  double duplicate_seconds = 0;
};
// The last dedup run, as incremental dedup needs it (table dedup_state).
// A producer of dedup codes rows: calls `put` with every (clip id, codes BLOB) and returns the
// first error (Catalog::CommitDedup).
using DedupCodesSource =
    std::function<Status(const std::function<Status(int64_t, std::string_view)>& put)>;

struct DedupState {
  std::string options;  // curate/dedup_codes.h DedupSettingsKey
  long clips = 0;       // dedup_codes rows it left
};
struct DedupGroupSize {
  std::string group;  // dedup.group value as text
  long clips = 0;
};
struct DedupMember {
  std::string video_path;
  int index = 0;
  std::string tier;    // "" = untiered
  std::string dup_of;  // "" for the keeper
};

// A clip with a thumbnail, as the report shows it.
struct ThumbnailSample {
  std::string tier;  // "" = untiered
  std::string video_path;
  int index = 0;
  std::string thumbnail;  // relative to the dataset directory
  double duration = 0;
  std::string movement;  // camera.movement text, "" if none
};

struct FailedVideos {
  long total = 0;                                           // all failed videos
  std::vector<std::pair<std::string, std::string>> listed;  // (path, error), path order
};

// One clip with its video, attributes (ordered by name) and tier row, for `explain`.
struct ClipDetail {
  VideoRecord video;
  ClipRecord clip;
  bool tiered = false;                     // false until `clipdex tier` ran
  std::string tier, rule, missed, recipe;  // clip_tiers columns when tiered
  // A compact row (schema 5) leaves rule, missed and recipe to its tiering: they are filled by
  // Catalog::ExpandTierReasons, which only explain and the clip page need.
  int64_t tiering = 0;  // tierings.id, 0 when the row holds its own text
  int rank = 0;         // rules missed before the clip's own
  std::string failed;   // failed conjunct positions per missed rule: "0,2|1"
};

// ---- Search and hand curation (catalog_search.cpp, catalog_curation.cpp) ---------------------

// What the full-text index is built from for one clip (Catalog::UpdateSearchIndex).
struct SearchSource {
  int64_t clip_id = 0;
  std::string video_path;
  std::map<std::string, std::string> attributes;  // indexed attributes, numbers as text
  std::vector<std::string> tags;
};

// The indexed text of one clip, one field per search_fts column.
struct SearchDocument {
  std::string labels;       // camera movement / shot scale / content flags, in words
  std::string caption;      // every caption text, all languages
  std::string screen_text;  // recognised on-screen text
  std::string tags;
  std::string path;      // folder and file name words
  std::string glossary;  // caption.context terms
};

// The columns of search_fts in order (SearchDocument's fields); MatchText reports matches by
// these names.
inline constexpr std::array<std::string_view, 6> kSearchColumns = {
    "labels", "caption", "screen_text", "tags", "path", "glossary"};

// One full-text match: the clip, its BM25 rank (lower is better) and, for each column that
// matched, the column's text with the matched terms between \x01 and \x02.
struct TextMatch {
  int64_t clip_id = 0;
  double rank = 0;
  std::map<std::string, std::string> highlights;  // column name -> highlighted text
};

// A search page request (Catalog::QueryClips).
struct ClipQuery {
  std::string fts;                         // FTS5 MATCH expression; "" = no full-text condition
  std::string tier;                        // "" = any
  std::string where_sql;                   // boolean SQL over clip_attr_wide; "" = all
  std::set<std::string> where_attributes;  // the attributes where_sql reads
  std::string sort;  // numeric attribute or clip field; "" = relevance (or clip id)
  bool ascending = false;
  long limit = 20, offset = 0;
  long count_cap = 1000;
  long rank_cap = 5000;
  bool highlights = true;  // fill TextMatch::highlights
  // Conditions already evaluated to clip sets (search/clip_set_cache.h): a clip must be in every
  // one, tested per candidate while the page is read. They stand in for where_sql conjuncts.
  std::vector<std::shared_ptr<const ClipSet>> clip_sets;
};

struct ClipPage {
  std::vector<TextMatch> rows;  // rank 0 when no text
  long total = 0;
  bool total_capped = false;
};

// How many clips the index holds and how many wait to be (re)indexed.
struct SearchIndexStats {
  long indexed = 0;
  long dirty = 0;
};

// A tier set by hand (manual_tiers).
struct ManualTier {
  std::string tier, reason, who, at;
};

// One row of curation_log.
struct CurationEntry {
  int64_t clip_id = 0;
  std::string action, value, reason, who, at;
};

// A user tag on a clip.
struct ClipTag {
  std::string tag, who, at;
};

}  // namespace clipdex
