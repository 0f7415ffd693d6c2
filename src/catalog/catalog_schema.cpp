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
    // 4: search and curation by hand (search/search_engine.h, `clipdex serve`).
    //  - clip_tags: user tags, one row per (clip, tag), with who added it and when.
    //  - manual_tiers: a tier set by hand, with its reason; stored apart from the rule tiers so
    //    `clipdex tier` can re-apply it over the rules (Catalog::WriteTiers) instead of losing it.
    //  - curation_log: every hand edit (tier set/cleared, tag added/removed), append only.
    //  - search_fts: the full-text index, one row per clip (rowid = clip id). Its text is prepared
    //    by search/search_document.h (CJK split into overlapping bigrams, labels in words), so
    //    the plain unicode61 tokenizer (with the porter stemmer for English) serves both scripts.
    //  - search_dirty: clips whose indexed text changed since the index was last brought up to
    //    date. Triggers fill it on every change of an indexed input (new clips, caption.*, OCR,
    //    camera and shot-scale labels, tags), so updating the index costs the changed clips only.
    R"sql(
CREATE TABLE clip_tags (
  clip_id INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
  tag     TEXT    NOT NULL,
  who     TEXT    NOT NULL DEFAULT '',
  at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (clip_id, tag)
) WITHOUT ROWID;
CREATE INDEX clip_tags_tag ON clip_tags(tag);

CREATE TABLE manual_tiers (
  clip_id INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
  tier    TEXT    NOT NULL,
  reason  TEXT    NOT NULL DEFAULT '',
  who     TEXT    NOT NULL DEFAULT '',
  at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE curation_log (
  id      INTEGER PRIMARY KEY,
  clip_id INTEGER NOT NULL,  -- no foreign key: the log outlives a re-ingested clip
  action  TEXT    NOT NULL,  -- 'tier', 'untier', 'tag', 'untag'
  value   TEXT    NOT NULL DEFAULT '',
  reason  TEXT    NOT NULL DEFAULT '',
  who     TEXT    NOT NULL DEFAULT '',
  at      TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE VIRTUAL TABLE search_fts USING fts5(
  labels, caption, screen_text, tags, path, glossary,
  tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE search_dirty (clip_id INTEGER PRIMARY KEY);
-- Short text values (labels: camera.movement, framing.shot_scale ...) by value, so a filter on a
-- label reads its clips from the index instead of looking up every clip (RuleConjunct::index_sql).
-- num is a column too (always NULL here) so the index covers the filter's own terms: without it
-- SQLite reads every row to test `num IS NULL` (176 ms for one label at 100k clips, 1 ms with).
CREATE INDEX clip_attributes_label ON clip_attributes(name, text, num)
  WHERE num IS NULL AND length(text) <= 64;
INSERT INTO search_dirty (clip_id) SELECT id FROM clips;

CREATE TRIGGER search_clip_new AFTER INSERT ON clips BEGIN
  INSERT OR IGNORE INTO search_dirty (clip_id) VALUES (NEW.id);
END;
CREATE TRIGGER search_clip_gone AFTER DELETE ON clips BEGIN
  DELETE FROM search_fts WHERE rowid = OLD.id;
  DELETE FROM search_dirty WHERE clip_id = OLD.id;
END;
CREATE TRIGGER search_attr_new AFTER INSERT ON clip_attributes
WHEN NEW.name LIKE 'caption.%' OR NEW.name IN ('text.content', 'camera.movement',
     'framing.shot_scale', 'camera.speed', 'watermark.present', 'framing.faces') BEGIN
  INSERT OR IGNORE INTO search_dirty (clip_id) VALUES (NEW.clip_id);
END;
CREATE TRIGGER search_attr_gone AFTER DELETE ON clip_attributes
WHEN OLD.name LIKE 'caption.%' OR OLD.name IN ('text.content', 'camera.movement',
     'framing.shot_scale', 'camera.speed', 'watermark.present', 'framing.faces') BEGIN
  INSERT OR IGNORE INTO search_dirty (clip_id) SELECT OLD.clip_id WHERE EXISTS
    (SELECT 1 FROM clips WHERE id = OLD.clip_id);
END;
CREATE TRIGGER search_tag_new AFTER INSERT ON clip_tags BEGIN
  INSERT OR IGNORE INTO search_dirty (clip_id) VALUES (NEW.clip_id);
END;
CREATE TRIGGER search_tag_gone AFTER DELETE ON clip_tags BEGIN
  INSERT OR IGNORE INTO search_dirty (clip_id) SELECT OLD.clip_id WHERE EXISTS
    (SELECT 1 FROM clips WHERE id = OLD.clip_id);
END;
)sql",
    // 5: compact tier rows (issue 18: at ten million clips, writing each clip's rule text and
    // `missed` messages, ~560 bytes a row, cost more than evaluating the rules).
    //  - tierings: one row per `clipdex tier` run that clip_tiers rows refer to: its recipe name,
    //    default tier and rules (JSON array in recipe order: tier, when, attributes, and each
    //    conjunct's message SQL), enough to rebuild a clip's rule and `missed` text on demand.
    //  - clip_tiers.tiering: the run that placed the clip (NULL: the row holds its own rule and
    //    missed text, as rows written before this version do).
    //  - clip_tiers.rank: how many rules the clip missed before its own (its recipe position).
    //  - clip_tiers.failed: the failed conjuncts of each missed rule, by position: "0,2|1"
    //    (rule 0 failed conjuncts 0 and 2, rule 1 conjunct 1). Catalog::FindClip rebuilds the
    //    messages from it with the clip's values.
    R"sql(
CREATE TABLE tierings (
  id           INTEGER PRIMARY KEY,
  recipe       TEXT NOT NULL,
  default_tier TEXT NOT NULL,
  rules        TEXT NOT NULL
);
ALTER TABLE clip_tiers ADD COLUMN tiering INTEGER;
ALTER TABLE clip_tiers ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clip_tiers ADD COLUMN failed TEXT NOT NULL DEFAULT '';
UPDATE clip_tiers SET rank = (SELECT COUNT(*) FROM json_each(missed)) WHERE json_valid(missed);
)sql",
    // 6: incremental dedup (issue 18: adding clips to a deduplicated catalog must not cost a
    // full rerun).
    //  - dedup_codes: per clip that the last `dedup` runs saw, the codes its candidate search
    //    indexes and queries (curate/dedup_codes.h), a few hundred bytes instead of the ~20 kB
    //    signature. A clip without a row is new to the next run.
    //  - dedup_state: the one row of the settings those runs used and how many codes rows they
    //    left. Fewer rows now than then means a clip was deleted or its signature replaced
    //    (the triggers below delete its codes), so the next run starts over.
    R"sql(
CREATE TABLE dedup_codes (
  clip_id INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
  codes   BLOB NOT NULL
);
CREATE TABLE dedup_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  options TEXT    NOT NULL,
  clips   INTEGER NOT NULL
);
CREATE TRIGGER dedup_signature_new AFTER INSERT ON clip_attributes
WHEN NEW.name = 'dedup.signature' BEGIN
  DELETE FROM dedup_codes WHERE clip_id = NEW.clip_id;
END;
CREATE TRIGGER dedup_signature_changed AFTER UPDATE ON clip_attributes
WHEN OLD.name = 'dedup.signature' OR NEW.name = 'dedup.signature' BEGIN
  DELETE FROM dedup_codes WHERE clip_id = OLD.clip_id OR clip_id = NEW.clip_id;
END;
CREATE TRIGGER dedup_signature_gone AFTER DELETE ON clip_attributes
WHEN OLD.name = 'dedup.signature' BEGIN
  DELETE FROM dedup_codes WHERE clip_id = OLD.clip_id;
END;
)sql",
};

}  // namespace clipdex
