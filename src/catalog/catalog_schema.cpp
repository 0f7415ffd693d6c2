// The catalog's schema, as the migrations that build it (see Catalog::Migrate).
#include "catalog/catalog_schema.h"

namespace clipdex {

// Migration i takes a catalog from user_version i to i+1. Append only: never edit a migration
// that has shipped, because existing catalogs have already run it.
const std::array<std::string_view, kCatalogSchemaVersion> kMigrations = {
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

}  // namespace clipdex
