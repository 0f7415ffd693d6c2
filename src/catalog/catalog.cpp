#include "catalog/catalog.h"

#include <array>
#include <string_view>
#include <system_error>
#include <utility>

namespace clipdex {
namespace {

namespace fs = std::filesystem;

// Migration i takes a catalog from user_version i to i+1. Append only: never edit a migration
// that has shipped, because existing catalogs have already run it.
constexpr std::array<std::string_view, kCatalogSchemaVersion> kMigrations = {
    // 1: initial schema.
    R"sql(
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY,
  version      TEXT    NOT NULL,
  options      TEXT    NOT NULL DEFAULT '{}',  -- JSON object: the options the run was given
  started_at   TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  finished_at  TEXT,                           -- NULL while running or when the run was killed
  files_ok     INTEGER NOT NULL DEFAULT 0,
  files_failed INTEGER NOT NULL DEFAULT 0,
  seconds      REAL    NOT NULL DEFAULT 0
);

CREATE TABLE videos (
  id               INTEGER PRIMARY KEY,
  fingerprint      TEXT    NOT NULL UNIQUE,
  path             TEXT    NOT NULL,
  file_size        INTEGER NOT NULL DEFAULT 0,
  status           TEXT    NOT NULL CHECK (status IN ('ok', 'failed')),
  error            TEXT    NOT NULL DEFAULT '',
  container        TEXT    NOT NULL DEFAULT '',
  codec            TEXT    NOT NULL DEFAULT '',
  width            INTEGER NOT NULL DEFAULT 0,
  height           INTEGER NOT NULL DEFAULT 0,
  sar_num          INTEGER NOT NULL DEFAULT 1,
  sar_den          INTEGER NOT NULL DEFAULT 1,
  rotation         INTEGER NOT NULL DEFAULT 0,
  fps_num          INTEGER NOT NULL DEFAULT 0,
  fps_den          INTEGER NOT NULL DEFAULT 1,
  is_vfr           INTEGER NOT NULL DEFAULT 0,
  duration         REAL    NOT NULL DEFAULT 0,
  start_time       REAL    NOT NULL DEFAULT 0,
  pix_fmt          TEXT    NOT NULL DEFAULT '',
  bit_depth        INTEGER NOT NULL DEFAULT 8,
  interlaced       INTEGER NOT NULL DEFAULT 0,
  has_alpha        INTEGER NOT NULL DEFAULT 0,
  stream_index     INTEGER NOT NULL DEFAULT -1,
  frame_count_hint INTEGER NOT NULL DEFAULT 0,
  frames           INTEGER NOT NULL DEFAULT 0,
  decoded_duration REAL    NOT NULL DEFAULT 0,
  decode_seconds   REAL    NOT NULL DEFAULT 0,
  run_id           INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  ingested_at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- Listing and ForEachClip walk videos in path order; the index spares them a sort.
CREATE INDEX videos_path ON videos(path);

CREATE TABLE clips (
  id             INTEGER PRIMARY KEY,
  video_id       INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  idx            INTEGER NOT NULL,
  first_frame    INTEGER NOT NULL,
  last_frame     INTEGER NOT NULL,
  start_time     REAL    NOT NULL,
  end_time       REAL    NOT NULL,
  -- Generated so tier rules can say "duration >= 2" without it ever disagreeing with the times.
  duration       REAL GENERATED ALWAYS AS (end_time - start_time) VIRTUAL,
  transition_in  TEXT    NOT NULL DEFAULT '',
  transition_out TEXT    NOT NULL DEFAULT '',
  too_short      INTEGER NOT NULL DEFAULT 0,
  split_part     INTEGER NOT NULL DEFAULT 0,
  thumbnail      TEXT    NOT NULL DEFAULT '',
  UNIQUE (video_id, idx)
);
CREATE INDEX clips_video ON clips(video_id);

CREATE TABLE transitions (
  id          INTEGER PRIMARY KEY,
  video_id    INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
  type        TEXT    NOT NULL,  -- ToString(TransitionType)
  first_frame INTEGER NOT NULL,
  last_frame  INTEGER NOT NULL,
  first_time  REAL    NOT NULL,
  last_time   REAL    NOT NULL,
  score       REAL    NOT NULL DEFAULT 0
);
CREATE INDEX transitions_video ON transitions(video_id);
)sql",
    // 2: analyzer attributes, one row per clip and attribute name. A long (EAV) table keeps
    // analyzers free to add attributes without migrations; the clip_attr view pivots nothing,
    // tier rules and exports read it by name.
    R"sql(
CREATE TABLE clip_attributes (
  clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
  name    TEXT    NOT NULL,
  num     REAL,
  text    TEXT,
  PRIMARY KEY (clip_id, name)
) WITHOUT ROWID;
CREATE INDEX clip_attributes_name ON clip_attributes(name, num);
)sql",
    // 3: curation tiers (curate/tier_rules.h), one row per tiered clip. `rule` is the `when` text
    // that placed the clip ('' for the default tier); `missed` is a JSON object mapping each
    // higher tier, in recipe order, to the list of its conditions the clip failed.
    R"sql(
CREATE TABLE clip_tiers (
  clip_id INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
  tier    TEXT    NOT NULL,
  rule    TEXT    NOT NULL DEFAULT '',
  missed  TEXT    NOT NULL DEFAULT '{}',
  recipe  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX clip_tiers_tier ON clip_tiers(tier);
)sql",
};

// Columns of `videos` in the order ReadVideo/BindVideo use; id first, ingested_at left to SQLite.
constexpr std::array<std::string_view, 28> kVideoColumns = {
    "id",
    "fingerprint",
    "path",
    "file_size",
    "status",
    "error",
    "container",
    "codec",
    "width",
    "height",
    "sar_num",
    "sar_den",
    "rotation",
    "fps_num",
    "fps_den",
    "is_vfr",
    "duration",
    "start_time",
    "pix_fmt",
    "bit_depth",
    "interlaced",
    "has_alpha",
    "stream_index",
    "frame_count_hint",
    "frames",
    "decoded_duration",
    "decode_seconds",
    "run_id",
};

// "p.a, p.b, ..." (skipping id when !with_id); the prefix lets joins name the table.
std::string VideoColumnList(std::string_view prefix, bool with_id) {
  std::string out;
  for (size_t i = with_id ? 0 : 1; i < kVideoColumns.size(); ++i) {
    if (!out.empty()) out += ", ";
    out += prefix;
    out += kVideoColumns[i];
  }
  return out;
}

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Status SqlError(sqlite3* db, std::string_view context) {
  return Status::Error(std::string(context) + ": " + sqlite3_errmsg(db));
}

Result<StmtPtr> Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqlError(db, "catalog: prepare failed");
  return stmt;
}

Status Exec(sqlite3* db, const std::string& sql, std::string_view context) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  // sqlite3_free owns err; copy it out before freeing so the message survives.
  std::unique_ptr<char, decltype(&sqlite3_free)> owned(err, &sqlite3_free);
  if (rc != SQLITE_OK) {
    return Status::Error(std::string(context) + ": " + (err ? err : sqlite3_errstr(rc)));
  }
  return Status::Ok();
}

// Binding helpers. Indices are 1-based as in SQLite. Text is SQLITE_TRANSIENT because the
// statements outlive some of the strings bound to them (temporaries from ToString etc.).
void BindText(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void BindInt(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
void BindDouble(sqlite3_stmt* s, int i, double v) { sqlite3_bind_double(s, i, v); }
// run ids <= 0 mean "no run" (e.g. tests, tools); NULL keeps the foreign key satisfied.
void BindRunId(sqlite3_stmt* s, int i, int64_t run_id) {
  if (run_id > 0) {
    sqlite3_bind_int64(s, i, run_id);
  } else {
    sqlite3_bind_null(s, i);
  }
}

std::string ColText(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t),
                         static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}
int64_t ColInt(sqlite3_stmt* s, int i) { return sqlite3_column_int64(s, i); }
double ColDouble(sqlite3_stmt* s, int i) { return sqlite3_column_double(s, i); }

// Binds every column of kVideoColumns except id, starting at parameter 1.
void BindVideo(sqlite3_stmt* s, const VideoRecord& v, int64_t run_id) {
  const ProbeInfo& p = v.probe;
  int i = 1;
  BindText(s, i++, v.fingerprint);
  BindText(s, i++, v.path);
  BindInt(s, i++, v.file_size);
  BindText(s, i++, v.status);
  BindText(s, i++, v.error);
  BindText(s, i++, p.container);
  BindText(s, i++, p.codec);
  BindInt(s, i++, p.width);
  BindInt(s, i++, p.height);
  BindInt(s, i++, p.sar_num);
  BindInt(s, i++, p.sar_den);
  BindInt(s, i++, p.rotation);
  BindInt(s, i++, p.fps_num);
  BindInt(s, i++, p.fps_den);
  BindInt(s, i++, p.is_vfr);
  BindDouble(s, i++, p.duration);
  BindDouble(s, i++, p.start_time);
  BindText(s, i++, p.pix_fmt);
  BindInt(s, i++, p.bit_depth);
  BindInt(s, i++, p.interlaced);
  BindInt(s, i++, p.has_alpha);
  BindInt(s, i++, p.stream_index);
  BindInt(s, i++, p.frame_count_hint);
  BindInt(s, i++, v.frames);
  BindDouble(s, i++, v.decoded_duration);
  BindDouble(s, i++, v.decode_seconds);
  BindRunId(s, i++, run_id);
}

// Reads kVideoColumns (with id) starting at result column `c`.
VideoRecord ReadVideo(sqlite3_stmt* s, int c) {
  VideoRecord v;
  ProbeInfo& p = v.probe;
  v.id = ColInt(s, c++);
  v.fingerprint = ColText(s, c++);
  v.path = ColText(s, c++);
  v.file_size = ColInt(s, c++);
  v.status = ColText(s, c++);
  v.error = ColText(s, c++);
  p.container = ColText(s, c++);
  p.codec = ColText(s, c++);
  p.width = static_cast<int>(ColInt(s, c++));
  p.height = static_cast<int>(ColInt(s, c++));
  p.sar_num = static_cast<int>(ColInt(s, c++));
  p.sar_den = static_cast<int>(ColInt(s, c++));
  p.rotation = static_cast<int>(ColInt(s, c++));
  p.fps_num = static_cast<int>(ColInt(s, c++));
  p.fps_den = static_cast<int>(ColInt(s, c++));
  p.is_vfr = ColInt(s, c++) != 0;
  p.duration = ColDouble(s, c++);
  p.start_time = ColDouble(s, c++);
  p.pix_fmt = ColText(s, c++);
  p.bit_depth = static_cast<int>(ColInt(s, c++));
  p.interlaced = ColInt(s, c++) != 0;
  p.has_alpha = ColInt(s, c++) != 0;
  p.stream_index = static_cast<int>(ColInt(s, c++));
  p.frame_count_hint = static_cast<long>(ColInt(s, c++));
  v.frames = static_cast<long>(ColInt(s, c++));
  v.decoded_duration = ColDouble(s, c++);
  v.decode_seconds = ColDouble(s, c++);
  v.run_id = ColInt(s, c++);
  return v;
}

constexpr std::string_view kClipColumns =
    "c.id, c.video_id, c.idx, c.first_frame, c.last_frame, c.start_time, c.end_time, "
    "c.transition_in, c.transition_out, c.too_short, c.split_part, c.thumbnail";

ClipRecord ReadClip(sqlite3_stmt* s, int c) {
  ClipRecord r;
  r.id = ColInt(s, c++);
  r.video_id = ColInt(s, c++);
  r.index = static_cast<int>(ColInt(s, c++));
  r.first_frame = static_cast<long>(ColInt(s, c++));
  r.last_frame = static_cast<long>(ColInt(s, c++));
  r.start_time = ColDouble(s, c++);
  r.end_time = ColDouble(s, c++);
  r.transition_in = ColText(s, c++);
  r.transition_out = ColText(s, c++);
  r.too_short = ColInt(s, c++) != 0;
  r.split_part = static_cast<int>(ColInt(s, c++));
  r.thumbnail = ColText(s, c++);
  return r;
}

// Steps a statement that returns no rows (INSERT/UPDATE/DELETE) and resets it for reuse.
Status StepDone(sqlite3* db, sqlite3_stmt* s, std::string_view context) {
  int rc = sqlite3_step(s);
  Status st = rc == SQLITE_DONE ? Status::Ok() : SqlError(db, context);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return st;
}

// Scoped transaction: rolls back unless Commit() succeeded, so every early `return` on error
// leaves the catalog untouched (the whole-or-nothing promise of CommitVideo).
class Transaction {
 public:
  explicit Transaction(sqlite3* db) : db_(db) {}
  ~Transaction() {
    if (active_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // IMMEDIATE for writers: takes the write lock up front, so a concurrent writer waits on
  // busy_timeout at BEGIN instead of failing with SQLITE_BUSY halfway through.
  Status Begin(bool write) {
    Status st = Exec(db_, write ? "BEGIN IMMEDIATE" : "BEGIN", "catalog: begin transaction");
    active_ = st.ok();
    return st;
  }
  Status Commit() {
    Status st = Exec(db_, "COMMIT", "catalog: commit");
    if (st.ok()) active_ = false;
    return st;
  }

 private:
  sqlite3* db_;
  bool active_ = false;
};

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

}  // namespace

void Catalog::DbCloser::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Catalog::Catalog(PassKey /*key*/, fs::path dir, DbPtr db)
    : dir_(std::move(dir)), db_(std::move(db)) {}
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

  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(db_path.c_str(), &raw, flags, nullptr);
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
  return Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
              "catalog " + (dir_ / "catalog.sqlite").string());
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

Status Catalog::ForEachClip(const std::function<bool(const VideoRecord&, const ClipRecord&)>& fn,
                            const std::string& only_ids_table) {
  std::lock_guard lock(mu_);
  sqlite3* db = db_.get();
  // videos_path drives the outer loop and UNIQUE(video_id, idx) the inner one, so SQLite streams
  // rows in order without a sort: memory stays flat regardless of catalog size. The selection
  // table is probed per clip through its primary key, which keeps that plan.
  std::string restrict;
  if (!only_ids_table.empty()) {
    restrict =
        " WHERE EXISTS (SELECT 1 FROM temp.\"" + only_ids_table + "\" s WHERE s.clip_id = c.id)";
  }
  auto stmt =
      Prepare(db, "SELECT " + VideoColumnList("v.", true) + ", " + std::string(kClipColumns) +
                      " FROM videos v JOIN clips c ON c.video_id = v.id" + restrict +
                      " ORDER BY v.path, v.id, c.idx");
  if (!stmt.ok()) return stmt.status();
  const int clip_col = static_cast<int>(kVideoColumns.size());
  auto attrs = Prepare(db,
                       "SELECT name, num, text FROM clip_attributes WHERE clip_id = ?1 "
                       "ORDER BY name");
  if (!attrs.ok()) return attrs.status();
  VideoRecord video;
  int rc;
  while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
    // Rebuild the video only when it changes; consecutive rows share it.
    if (ColInt(stmt->get(), 0) != video.id) video = ReadVideo(stmt->get(), 0);
    ClipRecord clip = ReadClip(stmt->get(), clip_col);
    sqlite3_stmt* as = attrs->get();
    sqlite3_reset(as);
    BindInt(as, 1, clip.id);
    while (sqlite3_step(as) == SQLITE_ROW) {
      Attribute a;
      a.name = reinterpret_cast<const char*>(sqlite3_column_text(as, 0));
      if (sqlite3_column_type(as, 1) != SQLITE_NULL) a.number = sqlite3_column_double(as, 1);
      if (const unsigned char* t = sqlite3_column_text(as, 2))
        a.text = reinterpret_cast<const char*>(t);
      clip.attributes.push_back(std::move(a));
    }
    if (!fn(video, clip)) return Status::Ok();
  }
  if (rc != SQLITE_DONE) return SqlError(db, "catalog: list clips");
  return Status::Ok();
}

}  // namespace clipdex
