#include "catalog/catalog.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>

#include "catalog/catalog_rows.h"
#include "catalog/catalog_schema.h"
#include "catalog/fts_rank.h"
#include "catalog/sqlite_stmt.h"
#include "catalog/stmt_cache.h"

namespace clipdex {
namespace {

namespace fs = std::filesystem;

using sql::BindDouble;
using sql::BindInt;
using sql::BindRunId;
using sql::BindText;
using sql::BindVideo;
using sql::ColDouble;
using sql::ColInt;
using sql::ColText;
using sql::Exec;
using sql::kClipColumns;
using sql::kVideoColumns;
using sql::ReadClip;
using sql::ReadVideo;
using sql::SqlError;
using sql::StepDone;
using sql::StmtPtr;
using sql::Transaction;
using sql::VideoColumnList;

Result<StmtPtr> Prepare(sqlite3* db, std::string_view sql) {
  return sql::Prepare(db, sql, "catalog: prepare failed");
}

// Deletes the row with this fingerprint; ON DELETE CASCADE removes its clips and transitions.
Status DeleteByFingerprint(sqlite3* db, const std::string& fingerprint) {
  auto stmt = Prepare(db, "DELETE FROM videos WHERE fingerprint = ?1");
  if (!stmt.ok()) return stmt.status();
  BindText(stmt->get(), 1, fingerprint);
  return StepDone(db, stmt->get(), "catalog: delete previous row");
}

Result<int64_t> InsertVideo(sqlite3* db, const VideoRecord& v, int64_t run_id) {
  std::string sql = "INSERT INTO videos (" + VideoColumnList("", false) + ") VALUES (";
  for (size_t i = 1; i < kVideoColumns.size(); ++i) sql += i == 1 ? "?" : ", ?";
  sql += ")";
  auto stmt = Prepare(db, sql);
  if (!stmt.ok()) return stmt.status();
  BindVideo(stmt->get(), v, run_id);
  Status st = StepDone(db, stmt->get(), "catalog: insert video " + v.path);
  if (!st.ok()) return st;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db));
}

// `path` for a file: URI (the characters that end or escape a URI path, percent-encoded).
std::string UriPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == '%') {
      out += "%25";
    } else if (c == '?') {
      out += "%3f";
    } else if (c == '#') {
      out += "%23";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Catalog::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Catalog::Catalog(PassKey /*key*/, fs::path dir, DbPtr db)
    : dir_(std::move(dir)),
      db_(std::move(db)),
      stmts_(std::make_unique<sql::StmtCache>()),
      rank_stats_(std::make_unique<sql::FtsRankCache>()) {}
Catalog::~Catalog() = default;

Result<std::unique_ptr<Catalog>> Catalog::Open(const fs::path& dir, bool create) {
  std::error_code ec;
  fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st) && !fs::is_directory(st)) {
    return Status::Error("dataset path " + dir.string() + " is a file, not a directory");
  }
  const fs::path db_path = dir / "catalog.sqlite";
  if (create) {
    for (const fs::path& d : {dir, dir / "thumbs"}) {
      fs::create_directories(d, ec);
      if (ec)
        return Status::Error("cannot create dataset directory " + d.string() + ": " + ec.message());
    }
  } else {
    if (!fs::exists(st)) return Status::Error("dataset " + dir.string() + " does not exist");
    if (!fs::exists(db_path, ec)) {
      return Status::Error(dir.string() + " is not a clipdex dataset (no catalog.sqlite)");
    }
  }

  // SQLite's memory statistics take one process-wide mutex on every allocation: with a server's
  // connections running queries on several threads that lock was a third of the CPU time
  // (bench/search_load.sh). clipdex never reads those statistics. Must precede SQLite's
  // initialisation; later calls are refused harmlessly.
  static const bool memstatus_off = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)memstatus_off;
  // A dataset this process cannot write: SQLite could not create the WAL index (-shm) beside
  // the catalog, and every open would fail with "unable to open database file". A verb that
  // writes stops here (ingest) or at the dataset lock, with the reason. Readers (info, search,
  // export, serve --read-only) open it immutable, but only when nobody can be writing it: a
  // read-only mount, or a directory with no write bit at all (chmod a-w). Immutable skips
  // locking and the WAL, which would be unsafe beside another user's writer.
  //
  // NOMUTEX: every use of the connection already holds the catalog's own mutex (mu_), so SQLite's
  // per-connection mutex, taken and released on every API call (each column of each row), only
  // cost time: a quarter of the CPU of `export --where` at a million clips (10 % of its wall).
  std::string open_name = db_path.string();
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  if (fs::exists(db_path, ec) && ::access(dir.c_str(), W_OK) != 0) {
    const std::string why = std::strerror(errno);
    if (create) return Status::Error("cannot write dataset " + dir.string() + ": " + why);
    struct statvfs vfs {};
    const bool read_only_mount = ::statvfs(dir.c_str(), &vfs) == 0 && (vfs.f_flag & ST_RDONLY);
    const auto perms = fs::status(dir, ec).permissions();
    const bool no_write_bits = !ec && (perms & (fs::perms::owner_write | fs::perms::group_write |
                                                fs::perms::others_write)) == fs::perms::none;
    if (read_only_mount || no_write_bits) {
      open_name = "file:" + UriPath(db_path.string()) + "?immutable=1";
      flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
    }
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(open_name.c_str(), &raw, flags, nullptr);
  DbPtr db(raw);  // owns the handle even when open failed (SQLite still allocates one)
  if (rc != SQLITE_OK) {
    return Status::Error("cannot open catalog " + db_path.string() + ": " +
                         (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  auto catalog = std::make_unique<Catalog>(PassKey{}, dir, std::move(db));
  if (Status s = catalog->Configure(); !s.ok()) return s;
  if (Status s = catalog->Migrate(); !s.ok()) return s;
  return catalog;
}

Status Catalog::Configure() {
  sqlite3* db = db_.get();
  // Waiting beats failing when another process (a concurrent `caption`, a reader) holds a lock.
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  // WAL lets readers (serve, search) run while an ingest writes; NORMAL is durable across app
  // crashes in WAL mode and only risks the last transactions on power loss, which resume redoes.
  // foreign_keys is off by default in SQLite and the cascades depend on it.
  // No mmap: a server keeps several connections, each would map the file again (resident pages
  // count once per mapping), and with search reading pages, not whole tables, it measured no
  // faster at 100k clips (bench/search_load.sh).
  std::string pragmas =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
  if (Status s = Exec(db, pragmas, "catalog " + (dir_ / "catalog.sqlite").string()); !s.ok()) {
    return s;
  }
  return RegisterSearchFunctions();
}

void Catalog::SetQueryTimeLimit(double seconds) {
  std::lock_guard lock(mu_);
  time_limit_seconds_ = seconds;
  if (seconds <= 0) {
    deadline_ns_ = 0;
    sqlite3_progress_handler(db_.get(), 0, nullptr, nullptr);
    return;
  }
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  deadline_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() +
                 static_cast<int64_t>(seconds * 1e9);
  // Every ~10k virtual-machine steps (well under a millisecond): a clock read is cheap next to
  // that, and a runaway query stops within a millisecond of its deadline.
  sqlite3_progress_handler(
      db_.get(), 10000,
      [](void* self) -> int {
        const auto* c = static_cast<const Catalog*>(self);
        const int64_t deadline = c->deadline_ns_.load();
        const auto now = std::chrono::steady_clock::now().time_since_epoch();
        return deadline > 0 &&
               std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() > deadline;
      },
      this);
}

Status Catalog::Migrate() {
  sqlite3* db = db_.get();
  auto read_version = [db]() -> Result<int> {
    auto stmt = Prepare(db, "PRAGMA user_version");
    if (!stmt.ok()) return stmt.status();
    if (sqlite3_step(stmt->get()) != SQLITE_ROW) return SqlError(db, "catalog: user_version");
    return static_cast<int>(sqlite3_column_int(stmt->get(), 0));
  };
  auto newer = [](int v) {
    return Status::Error("catalog schema version " + std::to_string(v) +
                         " is newer than this clipdex (" + std::to_string(kCatalogSchemaVersion) +
                         ")");
  };

  auto version = read_version();
  if (!version.ok()) return version.status();
  if (*version > kCatalogSchemaVersion) return newer(*version);
  if (*version == kCatalogSchemaVersion) return Status::Ok();

  Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  // Read again under the write lock: another process may have migrated while we waited.
  version = read_version();
  if (!version.ok()) return version.status();
  if (*version > kCatalogSchemaVersion) return newer(*version);
  for (int v = *version; v < kCatalogSchemaVersion; ++v) {
    Status s = Exec(db, std::string(kMigrations[static_cast<size_t>(v)]),
                    "catalog: migration to schema version " + std::to_string(v + 1));
    if (!s.ok()) return s;
  }
  // user_version lives in the database header and is written inside this transaction, so a
  // crash cannot leave the tables migrated but the version old (or the reverse).
  Status s = Exec(db, "PRAGMA user_version = " + std::to_string(kCatalogSchemaVersion),
                  "catalog: set user_version");
  if (!s.ok()) return s;
  return txn.Commit();
}

Result<int64_t> Catalog::BeginRun(const std::string& version, const std::string& options_json) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db, "INSERT INTO runs (version, options) VALUES (?1, ?2)");
  if (!stmt.ok()) return stmt.status();
  BindText(stmt->get(), 1, version);
  BindText(stmt->get(), 2, options_json.empty() ? std::string("{}") : options_json);
  if (Status s = StepDone(db, stmt->get(), "catalog: begin run"); !s.ok()) return s;
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db));
}

Status Catalog::FinishRun(int64_t run_id, int files_ok, int files_failed, double seconds) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "UPDATE runs SET finished_at = CURRENT_TIMESTAMP, files_ok = ?2, "
                      "files_failed = ?3, seconds = ?4 WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  BindInt(stmt->get(), 1, run_id);
  BindInt(stmt->get(), 2, files_ok);
  BindInt(stmt->get(), 3, files_failed);
  BindDouble(stmt->get(), 4, seconds);
  if (Status s = StepDone(db, stmt->get(), "catalog: finish run"); !s.ok()) return s;
  if (sqlite3_changes(db) == 0) {
    return Status::Error("catalog: no run with id " + std::to_string(run_id));
  }
  return Status::Ok();
}

bool Catalog::IsCommitted(const std::string& fingerprint) {
  std::lock_guard lock(mu_);
  auto stmt = Prepare(db_.get(), "SELECT 1 FROM videos WHERE fingerprint = ?1 AND status = 'ok'");
  if (!stmt.ok()) return false;
  BindText(stmt->get(), 1, fingerprint);
  return sqlite3_step(stmt->get()) == SQLITE_ROW;
}

Status Catalog::CommitVideo(const VideoResult& result, int64_t run_id) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  const VideoRecord& video = result.video;
  if (video.fingerprint.empty()) {
    return Status::Error("catalog: video " + video.path + " has no fingerprint");
  }
  Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  if (Status s = DeleteByFingerprint(db, video.fingerprint); !s.ok()) return s;

  VideoRecord row = video;
  row.status = "ok";  // failures go through RecordFailure; a committed video is ok by definition
  row.error.clear();
  auto video_id = InsertVideo(db, row, run_id);
  if (!video_id.ok()) return video_id.status();

  auto tstmt = Prepare(db,
                       "INSERT INTO transitions (video_id, type, first_frame, last_frame, "
                       "first_time, last_time, score) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!tstmt.ok()) return tstmt.status();
  for (const Transition& t : result.transitions) {
    sqlite3_stmt* s = tstmt->get();
    BindInt(s, 1, *video_id);
    BindText(s, 2, ToString(t.type));
    BindInt(s, 3, t.first_frame);
    BindInt(s, 4, t.last_frame);
    BindDouble(s, 5, t.first_time);
    BindDouble(s, 6, t.last_time);
    BindDouble(s, 7, t.score);
    if (Status st = StepDone(db, s, "catalog: insert transition of " + video.path); !st.ok()) {
      return st;
    }
  }

  auto cstmt = Prepare(db,
                       "INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, "
                       "end_time, transition_in, transition_out, too_short, split_part, "
                       "thumbnail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!cstmt.ok()) return cstmt.status();
  for (const ClipRecord& c : result.clips) {
    sqlite3_stmt* s = cstmt->get();
    BindInt(s, 1, *video_id);
    BindInt(s, 2, c.index);
    BindInt(s, 3, c.first_frame);
    BindInt(s, 4, c.last_frame);
    BindDouble(s, 5, c.start_time);
    BindDouble(s, 6, c.end_time);
    BindText(s, 7, c.transition_in);
    BindText(s, 8, c.transition_out);
    BindInt(s, 9, c.too_short);
    BindInt(s, 10, c.split_part);
    BindText(s, 11, c.thumbnail);
    if (Status st = StepDone(
            db, s, "catalog: insert clip " + std::to_string(c.index) + " of " + video.path);
        !st.ok()) {
      return st;
    }
    if (c.attributes.empty()) continue;
    const int64_t clip_id = sqlite3_last_insert_rowid(db);
    auto astmt = Prepare(db,
                         "INSERT OR REPLACE INTO clip_attributes (clip_id, name, num, text) "
                         "VALUES (?1, ?2, ?3, ?4)");
    if (!astmt.ok()) return astmt.status();
    for (const Attribute& a : c.attributes) {
      sqlite3_stmt* as = astmt->get();
      BindInt(as, 1, clip_id);
      BindText(as, 2, a.name);
      if (a.number) {
        BindDouble(as, 3, *a.number);
        sqlite3_bind_null(as, 4);
      } else {
        sqlite3_bind_null(as, 3);
        BindText(as, 4, a.text);
      }
      if (Status st = StepDone(db, as, "catalog: insert attribute " + a.name); !st.ok()) return st;
    }
  }
  return txn.Commit();
}

Status Catalog::RecordFailure(const std::string& fingerprint, const std::string& path,
                              int64_t file_size, const std::string& error, int64_t run_id) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  if (fingerprint.empty())
    return Status::Error("catalog: failed file " + path + " has no fingerprint");
  Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/true); !s.ok()) return s;
  if (Status s = DeleteByFingerprint(db, fingerprint); !s.ok()) return s;
  VideoRecord row;
  row.fingerprint = fingerprint;
  row.path = path;
  row.file_size = file_size;
  row.status = "failed";
  row.error = error;
  auto id = InsertVideo(db, row, run_id);
  if (!id.ok()) return id.status();
  return txn.Commit();
}

Result<Catalog::Summary> Catalog::GetSummary() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  Summary sum;
  // One read transaction so the counts agree with each other even while another process writes.
  Transaction txn(db);
  if (Status s = txn.Begin(/*write=*/false); !s.ok()) return s;

  auto by_status = Prepare(db, "SELECT status, count(*) FROM videos GROUP BY status");
  if (!by_status.ok()) return by_status.status();
  int rc;
  while ((rc = sqlite3_step(by_status->get())) == SQLITE_ROW) {
    std::string status = ColText(by_status->get(), 0);
    int n = sqlite3_column_int(by_status->get(), 1);
    if (status == "ok") sum.videos_ok = n;
    if (status == "failed") sum.videos_failed = n;
  }
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: summary");

  auto clips = Prepare(db,
                       "SELECT count(*), total(c.duration) FROM clips c "
                       "JOIN videos v ON v.id = c.video_id WHERE v.status = 'ok'");
  if (!clips.ok()) return clips.status();
  if (sqlite3_step(clips->get()) != SQLITE_ROW) return SqlError(db, "catalog: summary");
  sum.clips = static_cast<long>(ColInt(clips->get(), 0));
  sum.hours = ColDouble(clips->get(), 1) / 3600.0;

  auto types = Prepare(db,
                       "SELECT t.type, count(*) FROM transitions t "
                       "JOIN videos v ON v.id = t.video_id WHERE v.status = 'ok' GROUP BY t.type");
  if (!types.ok()) return types.status();
  while ((rc = sqlite3_step(types->get())) == SQLITE_ROW) {
    sum.transitions_by_type[ColText(types->get(), 0)] = sqlite3_column_int(types->get(), 1);
  }
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: summary");

  auto runs = Prepare(db, "SELECT count(*) FROM runs");
  if (!runs.ok()) return runs.status();
  if (sqlite3_step(runs->get()) != SQLITE_ROW) return SqlError(db, "catalog: summary");
  sum.runs = sqlite3_column_int(runs->get(), 0);

  // Finalize before COMMIT: statements still holding the read snapshot would keep it open.
  by_status->reset();
  clips->reset();
  types->reset();
  runs->reset();
  if (Status s = txn.Commit(); !s.ok()) return s;
  return sum;
}

Result<std::vector<VideoRecord>> Catalog::Videos() {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db, "SELECT " + VideoColumnList("", true) + " FROM videos ORDER BY path, id");
  if (!stmt.ok()) return stmt.status();
  std::vector<VideoRecord> out;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) out.push_back(ReadVideo(stmt->get(), 0));
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: list videos");
  return out;
}

Result<std::vector<Transition>> Catalog::TransitionsFor(int64_t video_id) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  auto stmt = Prepare(db,
                      "SELECT type, first_frame, last_frame, first_time, last_time, score "
                      "FROM transitions WHERE video_id = ?1 ORDER BY first_frame, id");
  if (!stmt.ok()) return stmt.status();
  BindInt(stmt->get(), 1, video_id);
  std::vector<Transition> out;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    sqlite3_stmt* s = stmt->get();
    Transition t;
    std::string type = ColText(s, 0);
    // A type this build cannot name means a newer writer or a corrupt row; say so, don't guess.
    if (!ParseTransitionType(type, &t.type)) {
      return Status::Error("catalog: unknown transition type '" + type + "' for video " +
                           std::to_string(video_id));
    }
    t.first_frame = static_cast<long>(ColInt(s, 1));
    t.last_frame = static_cast<long>(ColInt(s, 2));
    t.first_time = ColDouble(s, 3);
    t.last_time = ColDouble(s, 4);
    t.score = ColDouble(s, 5);
    out.push_back(t);
  }
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: list transitions");
  return out;
}

namespace {

constexpr std::string_view kClipAttributesByName =
    "SELECT name, num, text FROM clip_attributes WHERE clip_id = ?1 ORDER BY name";

// Reads the attributes of `clip` (by its id) through `attrs` (kClipAttributesByName). The strings
// of the record's previous attributes are reused: assigning into them keeps their buffers, where
// building new ones cost a malloc and a free per attribute (~57 a clip).
Status ReadAttributes(sqlite3* db, sqlite3_stmt* attrs, ClipRecord* clip) {
  size_t n = 0;
  sqlite3_reset(attrs);
  BindInt(attrs, 1, clip->id);
  int rc;
  while ((rc = sqlite3_step(attrs)) == SQLITE_ROW) {
    if (n == clip->attributes.size()) clip->attributes.emplace_back();
    Attribute& a = clip->attributes[n++];
    a.name.assign(sql::ColView(attrs, 0));
    a.number.reset();
    if (sqlite3_column_type(attrs, 1) != SQLITE_NULL) a.number = sqlite3_column_double(attrs, 1);
    a.text.assign(sql::ColView(attrs, 2));
  }
  clip->attributes.resize(n);
  return rc == SQLITE_DONE ? Status::Ok() : SqlError(db, "catalog: read attributes");
}

// Clips read by id, with their video (read again only when it changes) and attributes.
class ClipsById {
 public:
  static Result<ClipsById> Prepare(sqlite3* db) {
    ClipsById r;
    r.db_ = db;
    auto v = sql::Prepare(
        db, "SELECT " + VideoColumnList("v.", true) + " FROM videos v WHERE v.id = ?1");
    if (!v.ok()) return v.status();
    auto c =
        sql::Prepare(db, "SELECT " + std::string(kClipColumns) + " FROM clips c WHERE c.id = ?1");
    if (!c.ok()) return c.status();
    auto a = sql::Prepare(db, std::string(kClipAttributesByName));
    if (!a.ok()) return a.status();
    r.video_ = std::move(*v);
    r.clip_ = std::move(*c);
    r.attrs_ = std::move(*a);
    return r;
  }
  // Reads clip `clip_id` into *clip (keeping its attribute strings for reuse) and its video into
  // *video unless *video already is that video. False when the clip is gone.
  Result<bool> Read(int64_t clip_id, VideoRecord* video, ClipRecord* clip) {
    sqlite3_stmt* cs = clip_.get();
    sqlite3_reset(cs);
    BindInt(cs, 1, clip_id);
    const int rc = sqlite3_step(cs);
    if (rc == SQLITE_DONE) return false;
    if (rc != SQLITE_ROW) return SqlError(db_, "catalog: read clip");
    std::vector<Attribute> keep;
    keep.swap(clip->attributes);
    *clip = ReadClip(cs, 0);
    clip->attributes.swap(keep);
    if (clip->video_id != video->id) {
      sqlite3_stmt* vs = video_.get();
      sqlite3_reset(vs);
      BindInt(vs, 1, clip->video_id);
      if (sqlite3_step(vs) != SQLITE_ROW) return SqlError(db_, "catalog: read clip");
      *video = ReadVideo(vs, 0);
    }
    if (Status s = ReadAttributes(db_, attrs_.get(), clip); !s.ok()) return s;
    return true;
  }

 private:
  sqlite3* db_ = nullptr;
  sql::StmtPtr video_, clip_, attrs_;
};

}  // namespace

Status Catalog::ForEachClipId(const std::function<bool(int64_t)>& fn,
                              const std::string& only_ids_table) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // A selection is held as a bitmap (1.25 MB at ten million clips) and tested per id: probing
  // the TEMP table per clip, and reading every clip's row whether selected or not, made a 26 %
  // selection of ten million clips cost nearly a full export.
  std::optional<ClipSet> only;
  if (!only_ids_table.empty()) {
    auto set = SelectClipSet("SELECT clip_id FROM temp." + sql::QuoteIdent(only_ids_table));
    if (!set.ok()) return set.status();
    only = std::move(*set);
  }
  // videos_path drives the outer loop and UNIQUE(video_id, idx) the inner one; both cover the
  // ids, so SQLite streams them in order without a sort or a table read.
  auto stmt = Prepare(db,
                      "SELECT c.id FROM videos v JOIN clips c ON c.video_id = v.id "
                      "ORDER BY v.path, v.id, c.idx");
  if (!stmt.ok()) return stmt.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    const int64_t id = ColInt(stmt->get(), 0);
    if (only && !only->Contains(id)) continue;
    if (!fn(id)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: list clips");
  return Status::Ok();
}

Status Catalog::ReadClips(const std::vector<int64_t>& ids,
                          const std::function<void(const VideoRecord&, ClipRecord&)>& fn) {
  std::lock_guard lock(mu_);
  auto reader = ClipsById::Prepare(db_.get());
  if (!reader.ok()) return reader.status();
  VideoRecord video;
  ClipRecord clip;
  for (int64_t id : ids) {
    auto found = reader->Read(id, &video, &clip);
    if (!found.ok()) return found.status();
    if (*found) fn(video, clip);
  }
  return Status::Ok();
}

Status Catalog::ForEachClip(const std::function<bool(const VideoRecord&, ClipRecord&)>& fn,
                            const std::string& only_ids_table) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  VideoRecord video;
  ClipRecord clip;
  if (!only_ids_table.empty()) {
    // Ids in order, then each selected clip's row by id (ForEachClipId).
    auto reader = ClipsById::Prepare(db);
    if (!reader.ok()) return reader.status();
    Status failed = Status::Ok();
    Status walked = ForEachClipId(
        [&](int64_t id) {
          auto found = reader->Read(id, &video, &clip);
          if (!found.ok()) {
            failed = found.status();
            return false;
          }
          return !*found || fn(video, clip);
        },
        only_ids_table);
    return failed.ok() ? walked : failed;
  }
  // One statement for clip and video columns, in path order (see ForEachClipId).
  auto stmt = Prepare(
      db, "SELECT " + VideoColumnList("v.", true) + ", " + std::string(kClipColumns) +
              " FROM videos v JOIN clips c ON c.video_id = v.id ORDER BY v.path, v.id, c.idx");
  if (!stmt.ok()) return stmt.status();
  const int clip_col = static_cast<int>(kVideoColumns.size());
  auto attrs = Prepare(db, std::string(kClipAttributesByName));
  if (!attrs.ok()) return attrs.status();
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    // Rebuild the video only when it changes; consecutive rows share it.
    if (ColInt(stmt->get(), 0) != video.id) video = ReadVideo(stmt->get(), 0);
    std::vector<Attribute> keep;
    keep.swap(clip.attributes);
    clip = ReadClip(stmt->get(), clip_col);
    clip.attributes.swap(keep);
    if (Status s = ReadAttributes(db, attrs->get(), &clip); !s.ok()) return s;
    if (!fn(video, clip)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: list clips");
  return Status::Ok();
}

}  // namespace clipdex
