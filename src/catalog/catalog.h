// Catalog: the SQLite database of one dataset directory (videos, their shots, transitions and the
// runs that produced them). It is the single source of truth that every later verb (tier,
// caption, search, export) reads and updates.
//
// Layout of a dataset directory:
//   <dir>/catalog.sqlite   the database (WAL mode: -wal and -shm files live beside it)
//   <dir>/thumbs/          clip thumbnails; ClipRecord::thumbnail is relative to <dir>
//   <dir>/.lock            see catalog/dataset_lock.h
//
// Consistency contract: a video is stored whole or not at all. CommitVideo and RecordFailure
// each run in one transaction that first removes any earlier row with the same fingerprint, so
// a crashed or killed run leaves either the old state or the new one, never a half-written video,
// and re-ingesting a file replaces it instead of duplicating it.
//
// Thread safety: every method may be called from any thread; calls on one Catalog are
// serialized by an internal mutex (SQLite transactions on one connection cannot interleave).
// Several processes may open the same dataset (SQLite locking + busy_timeout 5 s), but writers
// are expected to hold a DatasetLock.
//
// The catalog owns the SQL: every query a pass needs (tiers, dedup, report, explain, clip
// selection) is a method below, and no code outside src/catalog/ sees the schema or a sqlite3*.
// User rule expressions (tier rules, export --where) arrive already compiled to SQL over the wide
// view (catalog/rule_sql.h) and run under an authorizer that permits only reads.
//
// The wide view: TEMP VIEW clip_attr_wide, one row per clip with the clip fields
// (ClipFieldNames) and one column per referenced attribute, pivoted from clip_attributes (the
// number, else the text). A missing attribute is NULL.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalog/merge_records.h"
#include "catalog/query_records.h"
#include "catalog/records.h"
#include "catalog/rule_sql.h"
#include "shots/transition.h"
#include "util/status.h"

// SQLite's handle; only src/catalog/ includes <sqlite3.h> and uses it.
struct sqlite3;

namespace clipdex {
namespace sql {
class FtsRankCache;
class StmtCache;
}  // namespace sql

// Schema version this build writes and understands (PRAGMA user_version). Opening a catalog with
// a newer version fails rather than risk corrupting data written by a newer clipdex.
inline constexpr int kCatalogSchemaVersion = 6;

class Catalog {
 public:
  // Opens the dataset directory `dir`. With create=true the directory (and parents), thumbs/ and
  // catalog.sqlite are created when missing; with create=false they must already exist.
  // Pending schema migrations are applied. Errors:
  //   "dataset path X is a file, not a directory"
  //   "dataset X does not exist" (create=false)
  //   "X is not a clipdex dataset (no catalog.sqlite)" (create=false)
  //   "cannot create dataset directory X: <reason>" / "cannot open catalog X: <sqlite reason>"
  //   "catalog schema version N is newer than this clipdex (M)"
  static Result<std::unique_ptr<Catalog>> Open(const std::filesystem::path& dir, bool create);

  ~Catalog();
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path thumbs_dir() const { return dir_ / "thumbs"; }

  // Records the start of an ingest run; returns its id (to pass to CommitVideo/RecordFailure).
  // `options_json` should be a JSON object text; it is stored verbatim.
  Result<int64_t> BeginRun(const std::string& version, const std::string& options_json);
  // Stamps finished_at and the run's totals. Error if no such run.
  Status FinishRun(int64_t run_id, int files_ok, int files_failed, double seconds);

  // True when a video with this fingerprint is stored with status 'ok' (resume skips it).
  // A 'failed' row does not count, so failures are retried. False on database errors too.
  bool IsCommitted(const std::string& fingerprint);

  // In one transaction: deletes any earlier row with result.video.fingerprint (its clips and
  // transitions go with it), then inserts the video with status 'ok', its transitions and its
  // clips. Ids in `result` (video.id, clip.id, clip.video_id) are ignored; new ones are assigned.
  // Whole or nothing: on any error the catalog is left as it was. run_id <= 0 stores no run.
  Status CommitVideo(const VideoResult& result, int64_t run_id);

  // In one transaction: replaces any earlier row with this fingerprint (ok or failed, with its
  // clips) by a 'failed' row carrying `error`, so the summary shows why the file was not ingested.
  Status RecordFailure(const std::string& fingerprint, const std::string& path, int64_t file_size,
                       const std::string& error, int64_t run_id);

  struct Summary {
    int videos_ok = 0;
    int videos_failed = 0;
    long clips = 0;                                  // clips of ok videos
    double hours = 0;                                // sum of clip durations of ok videos / 3600
    std::map<std::string, int> transitions_by_type;  // of ok videos, keyed by ToString(type)
    int runs = 0;
  };
  Result<Summary> GetSummary();

  // All videos (ok and failed), ordered by path.
  Result<std::vector<VideoRecord>> Videos();
  // Transitions of one video, ordered by first_frame. Unknown video id -> empty vector.
  Result<std::vector<Transition>> TransitionsFor(int64_t video_id);

  // Calls fn for every clip, ordered by (video path, clip index), one row at a time so memory
  // stays flat however large the catalog is. fn returns false to stop early (not an error).
  // fn may read through this Catalog but must not write to it.
  // With `only_ids_table` non-empty, only clips whose id is in that TEMP table (column clip_id,
  // on this connection; see curate/clip_selection.h) are walked, in the same order.
  // The clip is fn's to take: it may swap or move the record's contents out; the next clip is
  // read into whatever the record then holds.
  Status ForEachClip(const std::function<bool(const VideoRecord&, ClipRecord&)>& fn,
                     const std::string& only_ids_table = "");
  // The ids ForEachClip would walk, in its order (only ids are read: a pass that reads the clips
  // elsewhere, e.g. on other connections, ReadClips). fn returns false to stop early.
  Status ForEachClipId(const std::function<bool(int64_t clip_id)>& fn,
                       const std::string& only_ids_table = "");
  // The clips `ids` names, in that order, each with its video and attributes (a clip deleted since
  // is skipped). The record passed to fn is reused for the next clip, as in ForEachClip.
  Status ReadClips(const std::vector<int64_t>& ids,
                   const std::function<void(const VideoRecord&, ClipRecord&)>& fn);

  // ---- Attributes (catalog_attributes.cpp) ----------------------------------------------------

  // Names of every attribute stored on at least one clip.
  Result<std::set<std::string>> StoredAttributeNames();

  // In one write transaction: deletes every attribute row whose name is in `replace_names` (on
  // all clips), then inserts `rows`. Whole or nothing: on any error (a row for an unknown clip id,
  // two rows for one (clip, name), a row whose name was not replaced and already exists) the
  // catalog is left as it was. Errors: "catalog: write attribute <name> of clip <id>: <reason>".
  Status ReplaceAttributes(const std::vector<std::string>& replace_names,
                           const std::vector<AttributeWrite>& rows);

  // In one write transaction, for every clip with a row in `rows`: deletes that clip's attributes
  // whose name starts with `prefix` ("caption."), then inserts its rows. Per-clip replacement for
  // passes that commit a few clips at a time (captioning); whole or nothing like
  // ReplaceAttributes. Errors: "catalog: write attribute <name> of clip <id>: <reason>".
  Status WriteClipAttributes(const std::string& prefix, const std::vector<AttributeWrite>& rows);

  // Calls fn, in clip id order, for every clip of an ok video that carries at least one of the
  // first `required` names (required 0: every such clip), with one cell per entry of `names`.
  // fn returns a non-ok Status to stop; that status is returned. required > names.size() is an
  // error. fn must not call back into this Catalog.
  // only_without_dedup_codes: only clips without a dedup_codes row (new to incremental dedup).
  Status ForEachWideClip(const std::vector<std::string>& names, size_t required,
                         const std::function<Status(const WideClipRow&)>& fn,
                         bool only_without_dedup_codes = false);

  // Clips of ok videos that do not carry attribute `name`.
  Result<long> CountClipsWithout(const std::string& name);

  // ---- Dedup state (catalog_dedup.cpp): what incremental `dedup` continues from -------------

  // The settings and codes count of the last dedup run (dedup_state); nullopt before any run,
  // after a merge, or after a run that could not keep its codes.
  Result<std::optional<DedupState>> ReadDedupState();
  // Rows of dedup_codes (the triggers of schema 6 delete a clip's row with the clip or when its
  // dedup.signature changes).
  Result<long> CountDedupCodes();
  // Calls fn(clip id, codes BLOB) for every dedup_codes row whose clip belongs to an ok video, in
  // clip id order. fn returns a non-ok Status to stop. fn must not call back into this Catalog.
  Status ForEachDedupCodes(const std::function<Status(int64_t, std::string_view)>& fn);
  // (clip id, dedup.group) of every clip carrying dedup.group, by clip id.
  Result<std::vector<std::pair<int64_t, int64_t>>> DedupGroupRows();
  // In one write transaction: replaces every dedup.group / dedup.dup_of row with `group_rows`
  // (as ReplaceAttributes does), deletes every dedup_codes row first when `replace_codes`, adds
  // `codes` (clip id, BLOB) and sets dedup_state to `state`. Whole or nothing.
  Status CommitDedup(const std::vector<AttributeWrite>& group_rows,
                     const std::vector<std::pair<int64_t, std::string_view>>& codes,
                     bool replace_codes, const DedupState& state);
  // The same with the codes streamed: `codes` calls its argument with every (clip id, BLOB) and
  // returns the first error (ten million clips' codes are ~4 GB: a run at that scale does not
  // hold them).
  Status CommitDedup(const std::vector<AttributeWrite>& group_rows, const DedupCodesSource& codes,
                     bool replace_codes, const DedupState& state);

  // ---- Rules, tiers and selection (catalog_rules.cpp) -----------------------------------------

  // Clip fields of the wide view a rule may name (duration, too_short, width, fps ...), in
  // documentation order.
  static std::vector<std::string> ClipFieldNames();

  // Prepares `sql` under the read-only authorizer (SELECT, column reads and functions only) and
  // returns the first error; runs nothing. More than one statement is an error.
  Status CheckReadOnly(const std::string& sql);

  // Re-tiers every clip in one write transaction: a clip gets the tier of the first rule it
  // matches (recipe order), else `default_tier`; clip_tiers stores the tier, the tiering (the
  // rules and `recipe`, in tierings), the rank and, for each higher tier, the positions of the
  // conjuncts it failed (ExpandTierReasons turns them into messages with values). Each
  // rule is first checked alone under the read-only authorizer. Returns clips and seconds per
  // tier that received clips. On any error nothing changes. Errors:
  //   "tier '<tier>': <sqlite reason>" (rule rejected), "tier: <reason>" (anything else)
  // `progress` (optional) gets (clip ids done, clip ids in all) after each slice of ids.
  using TierProgress = std::function<void(long done, long total)>;
  Result<std::vector<TierTotal>> WriteTiers(const std::vector<CompiledRule>& rules,
                                            const std::string& default_tier,
                                            const std::string& recipe,
                                            const TierProgress& progress = {});

  // True once `tier` wrote clip_tiers (any row).
  Result<bool> HasTiers();
  // The clip's tier in clip_tiers, "" when it has none.
  Result<std::string> TierOfClip(int64_t clip_id);

  // (Re)creates TEMP table `table` (one column clip_id, primary key) holding the clips in tier
  // `tier` ("" = any) that match `where` (where.sql "" = all), evaluated over the wide view under
  // the read-only authorizer; returns how many. Nothing in the catalog itself changes. A tier no
  // clip has selects nothing (0, not an error). Errors carry SQLite's reason.
  Result<long> SelectClips(const std::string& table, const std::string& tier,
                           const CompiledRule& where);

  // A clip by id, or by (video fingerprint or path, clip index); `abs_path` is a second path to
  // try (the canonical form of the user's). nullopt when there is no such clip.
  Result<std::optional<ClipDetail>> FindClip(int64_t clip_id);
  // The same with only the named attributes (a search hit reads six of a clip's ~40, and skips
  // the kilobytes of its signature and captions).
  Result<std::optional<ClipDetail>> FindClip(int64_t clip_id,
                                             const std::vector<std::string>& only_attributes);
  Result<std::optional<ClipDetail>> FindClip(const std::string& video, const std::string& abs_path,
                                             int index);

  // Fills a compact tier row's rule, recipe and `missed` (JSON object: each higher tier, in
  // recipe order, to the messages of the conditions the clip failed, with its values) from its
  // tiering. The messages are evaluated now, over the clip's current attributes: the values the
  // tier saw unless attributes changed since (then `clipdex tier` again). A row that holds its
  // own text (tiering 0) is left as it is.
  Status ExpandTierReasons(ClipDetail* detail);

  // ---- Report queries (catalog_report.cpp) ----------------------------------------------------

  // Tiers present in clip_tiers in recipe order, recovered without the recipe (a clip in the
  // k-th tier missed k higher tiers, so order by the size of `missed`, then name).
  Result<std::vector<TierTotal>> TierTotals();
  // Clips (of any video) that have no clip_tiers row; tier "".
  Result<TierTotal> UntieredTotal();
  // The `limit` latest runs, newest first.
  Result<std::vector<RunRecord>> LatestRuns(int limit);
  // "duration" (over all clips) then every numeric attribute except dedup.*, by name; ranges of
  // no values are left out.
  Result<std::vector<NumericRange>> NumericRanges();
  // Streams (name, value, tier) for every clip duration and then every numeric attribute value
  // except dedup.*, grouped by name; tier "" = untiered. The views last for the call only.
  // Memory: two bytes per clip id (the tiers), nothing more.
  Status ForEachNumericValue(
      const std::function<void(std::string_view, double, std::string_view)>& fn);
  // Clips per (text value, tier) of attribute `name`.
  Result<std::vector<CategoryCount>> CategoryCounts(const std::string& name);
  Result<DedupTotals> GetDedupTotals();
  // dedup.group values shared by more than one clip, largest first, then by value.
  Result<std::vector<DedupGroupSize>> DedupGroupSizes();
  // At most `limit` members of group `group`, in (video path, clip index) order.
  Result<std::vector<DedupMember>> DedupGroupMembers(const std::string& group, int limit);
  // Up to `per_tier` clips with a thumbnail per tier, spread over the catalog by a fixed hash of
  // the clip id (deterministic), ordered by tier then that hash.
  Result<std::vector<ThumbnailSample>> ThumbnailSamples(int per_tier);
  // Failed videos: the total and the first `limit` in path order.
  Result<FailedVideos> ListFailedVideos(int limit);

  // ---- Full-text search index (catalog_search.cpp) ---------------------------------------------

  // Brings search_fts up to date: in one write transaction, every clip marked dirty (by the
  // triggers of migration 4: new clips, changed captions/OCR/labels/tags) or, with rebuild=true,
  // every clip of an ok video, is read into a SearchSource, turned into a document by
  // `make_document` and (re)written; the dirty marks are cleared. Returns the clips written.
  // Whole or nothing.
  Result<long> UpdateSearchIndex(
      bool rebuild, const std::function<SearchDocument(const SearchSource&)>& make_document);
  Result<SearchIndexStats> GetSearchIndexStats();
  // True when some clip waits to be (re)indexed; cheap (GetSearchIndexStats counts the index).
  Result<bool> SearchIndexIsStale();

  // One page of clips for search: full-text matches of query.fts (FTS5 syntax, built by
  // search/search_text.h; "" = every clip), in tier query.tier ("" = any), passing query.where
  // (compiled rule; sql "" = all; evaluated under the read-only authorizer), ordered by BM25
  // (column weights in catalog_search.cpp), else clip id, or by query.sort (a numeric attribute or
  // clip field; clips without it last). The filter is evaluated while the page is read, not over
  // the whole catalog first, so a page costs the rows it reads. Words matching more than
  // query.rank_cap clips are ranked among the newest rank_cap matches (BM25 over 100k rows costs
  // ~80 ms); when that leaves the page short, every match is ranked. `total` counts matches up to
  // query.count_cap (total_capped then says there are more).
  Result<ClipPage> QueryClips(const ClipQuery& query);

  // The clips `select` selects: one column of clip ids, a RuleConjunct::index_select, run under
  // the read-only authorizer. Errors: "filter: <sqlite reason>".
  Result<ClipSet> SelectClipSet(const std::string& select);
  // SQLite's data version of this connection: it changes whenever another connection (another
  // process included) commits to the catalog. Caches of query results check it.
  Result<int64_t> DataVersion();

  // Calls fn(clip_id, dedup.signature text, start, duration) for every clip of an ok video that
  // has a non-empty signature, in clip id order (query by example builds its index with it).
  Status ForEachSignature(const std::function<void(int64_t, std::string_view, double, double)>& fn);

  // Queries on this connection that run past `seconds` from now are interrupted (SQLite progress
  // handler) and fail with "query took longer than N s"; 0 = no limit (the default). For servers
  // that must answer: a search over a huge catalog with a costly filter gives up instead of
  // holding a worker.
  void SetQueryTimeLimit(double seconds);

  // ---- Curation by hand (catalog_curation.cpp) ------------------------------------------------
  // Every write is one transaction that also appends to curation_log (who, when, what).
  // Errors: "clip N does not exist", "tier name must not be empty", "tag must not be empty".

  // Sets the clip's tier by hand. It is written to clip_tiers at once (rule 'manual: <reason>')
  // and re-applied by every later WriteTiers, so it survives `clipdex tier`.
  Status SetManualTier(int64_t clip_id, const std::string& tier, const std::string& reason,
                       const std::string& who);
  // Removes the hand tier; the clip keeps its current clip_tiers row until the next `tier`.
  Status ClearManualTier(int64_t clip_id, const std::string& who);
  Result<std::optional<ManualTier>> ManualTierOf(int64_t clip_id);
  Status AddTag(int64_t clip_id, const std::string& tag, const std::string& who);
  Status RemoveTag(int64_t clip_id, const std::string& tag, const std::string& who);
  Result<std::vector<ClipTag>> TagsOf(int64_t clip_id);
  // The latest `limit` log entries of one clip (clip_id > 0) or of all clips, newest first.
  Result<std::vector<CurationEntry>> CurationLog(int64_t clip_id, int limit);

  // ---- Merge (catalog_merge.cpp) --------------------------------------------------------------

  // Folds the dataset `shard_dir` (another catalog at this schema version: open it with Open()
  // first, which migrates an older one and refuses a newer one; the caller holds both datasets'
  // locks) into this catalog in ONE write transaction: a kill leaves the shard wholly merged or
  // not at all. Videos are matched by content fingerprint: a new one is added with its clips,
  // transitions and clip rows; of two copies, an ok one beats a failed one, else the newer
  // ingest (videos.ingested_at) wins and replaces the other whole (listed in `duplicates`); a
  // copy with the same ingest time is the same ingest merged again, and only its clip-level rows
  // (attributes, tiers, hand tiers, tags, curation log) are brought up to date, row by row, so
  // merging twice changes nothing. Clip ids are renumbered; attributes holding a clip id
  // (dedup.group, dedup.dup_of) are renumbered with them. Runs are matched by (version, options,
  // started_at). Thumbnails are copied into thumbs/ (temporary name, then rename) before the
  // commit. Errors: "merge: <shard> is this dataset", "merge: <shard>: <sqlite reason>".
  Result<MergeReport> MergeFrom(const std::filesystem::path& shard_dir);

  // Every table the schema creates, with how MergeFrom carries it.
  static const std::vector<MergeTable>& MergeTables();
  // The names of the tables in this catalog (sqlite_master, FTS5's shadow tables included).
  Result<std::vector<std::string>> TableNames();

  // Only Open() can make a PassKey, so the constructor is public (for make_unique) yet unusable.
  class PassKey {
    friend class Catalog;
    PassKey() = default;
  };
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
  Catalog(PassKey key, std::filesystem::path dir, DbPtr db);

 private:
  // QueryClips with mu_ held: join_clips false ranks words from the index alone (no clip rows,
  // no TEMP view), true joins clip_attr_wide (filters, tiers, sorts, and the check's fallback).
  Result<ClipPage> QueryClipsLocked(const ClipQuery& query, bool join_clips);
  // Whether every row's clip exists and belongs to an ok video (mu_ held).
  Result<bool> AllClipsOk(const std::vector<TextMatch>& rows);
  Status Configure();
  Status Migrate();
  // Registers clipdex_in_sets(clip_id) and clipdex_bm25 on the connection (catalog_search.cpp).
  Status RegisterSearchFunctions();

  std::filesystem::path dir_;
  DbPtr db_;
  // Statements kept for the queries a request repeats (mu_ held); destroyed before db_.
  std::unique_ptr<sql::StmtCache> stmts_;
  // Corpus statistics of the ranking function per words query (catalog/fts_rank.h; mu_ held).
  std::unique_ptr<sql::FtsRankCache> rank_stats_;
  // Recursive so that ForEachClip's callback can call read methods on the same thread.
  std::recursive_mutex mu_;
  // SetQueryTimeLimit: the deadline (steady clock, ns since its epoch; 0 = none) and its length.
  std::atomic<int64_t> deadline_ns_{0};
  double time_limit_seconds_ = 0;
  // The clip sets the running QueryClips tests with clipdex_in_sets() (mu_ held; null between
  // queries).
  const std::vector<std::shared_ptr<const ClipSet>>* active_sets_ = nullptr;
};

}  // namespace clipdex
