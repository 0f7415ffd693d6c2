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
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "catalog/records.h"
#include "shots/transition.h"
#include "util/status.h"

namespace clipdex {

// Schema version this build writes and understands (PRAGMA user_version). Opening a catalog with
// a newer version fails rather than risk corrupting data written by a newer clipdex.
inline constexpr int kCatalogSchemaVersion = 3;

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
  Status ForEachClip(const std::function<bool(const VideoRecord&, const ClipRecord&)>& fn,
                     const std::string& only_ids_table = "");

  // Raw handle for modules that evaluate their own SQL (tier rules). Not synchronized with the
  // methods above; callers must not use it concurrently with them.
  sqlite3* db() { return db_.get(); }

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
  Status Configure();
  Status Migrate();

  std::filesystem::path dir_;
  DbPtr db_;
  // Recursive so that ForEachClip's callback can call read methods on the same thread.
  std::recursive_mutex mu_;
};

}  // namespace clipdex
