// Row mapping between the catalog's records (catalog/records.h) and the videos / clips tables;
// private to src/catalog/.
#pragma once

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "catalog/records.h"
#include "catalog/sqlite_stmt.h"

namespace clipdex::sql {

// Columns of `videos` in the order ReadVideo/BindVideo use; id first, ingested_at left to SQLite.
inline constexpr std::array<std::string_view, 28> kVideoColumns = {
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
inline std::string VideoColumnList(std::string_view prefix, bool with_id) {
  std::string out;
  for (size_t i = with_id ? 0 : 1; i < kVideoColumns.size(); ++i) {
    if (!out.empty()) out += ", ";
    out += prefix;
    out += kVideoColumns[i];
  }
  return out;
}

// run ids <= 0 mean "no run" (e.g. tests, tools); NULL keeps the foreign key satisfied.
inline void BindRunId(sqlite3_stmt* s, int i, int64_t run_id) {
  if (run_id > 0) {
    sqlite3_bind_int64(s, i, run_id);
  } else {
    sqlite3_bind_null(s, i);
  }
}

// Binds every column of kVideoColumns except id, starting at parameter 1.
inline void BindVideo(sqlite3_stmt* s, const VideoRecord& v, int64_t run_id) {
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
inline VideoRecord ReadVideo(sqlite3_stmt* s, int c) {
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

inline constexpr std::string_view kClipColumns =
    "c.id, c.video_id, c.idx, c.first_frame, c.last_frame, c.start_time, c.end_time, "
    "c.transition_in, c.transition_out, c.too_short, c.split_part, c.thumbnail";

inline ClipRecord ReadClip(sqlite3_stmt* s, int c) {
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

// The SQL of a clip field a rule may name (Catalog::ClipFieldNames), over `clips c JOIN videos
// v`; nullopt for a name that is no clip field. Defined in catalog_rules.cpp.
std::optional<std::string> ClipFieldExpression(std::string_view name);

// Prepares one statement under the read-only authorizer of rule SQL (catalog_rules.cpp): reads
// and functions only; a second statement is an error.
Result<StmtPtr> PrepareReadOnly(sqlite3* db, const std::string& sql_text);
// Drops and re-creates TEMP VIEW clip_attr_wide with a column per attribute (see catalog.h);
// DropWideViewSql() drops it.
std::string CreateWideViewSql(const std::set<std::string>& attributes);
// INSERT OR REPLACE of the clip_tiers rows of hand-set tiers (manual_tiers m) over the rules'
// rows (t), for the manual rows that `where` (over m) selects: a person's tier wins, the rules'
// verdict stays readable in `rule`, and the rank and failed conjuncts of the rules' row are kept
// for explain.
std::string ManualTierOverlaySql(std::string_view where);
std::string_view DropWideViewSql();

// Inserts `rows` into clip_attributes (inside the caller's transaction). Errors: "catalog: write
// attribute <name> of clip <id>: <reason>".
Status InsertAttributeRows(sqlite3* db, const std::vector<AttributeWrite>& rows);

}  // namespace clipdex::sql
