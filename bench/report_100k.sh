#!/usr/bin/env bash
# Report and export at scale: copies a small real dataset, adds 100,000 generated clips (1,000
# videos x 100 clips with camera.movement / camera.confidence / framing.faces / dedup attributes,
# inserted with SQL), tiers it, then times `clipdex report` and `clipdex export` (jsonl, and with
# --where) and prints their peak RSS next to the same commands on the small dataset, so a memory
# that grew with the catalog would show. Usage: bench/report_100k.sh [build dir] [media file]
set -euo pipefail
# shellcheck source=small_dataset.sh
source "$(dirname "$0")/small_dataset.sh" small "$@"
cp -r "$work/small" "$work/big"
sqlite3 "$work/big/catalog.sqlite" "
BEGIN;
INSERT INTO videos (fingerprint, path, status, width, height, fps_num, fps_den)
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  SELECT 'gen' || i, '/gen/' || i || '.mp4', 'ok', 1920, 1080, 25, 1 FROM n;
INSERT INTO clips (video_id, idx, first_frame, last_frame, start_time, end_time, thumbnail)
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
  SELECT v.id, n.i, n.i * 100, n.i * 100 + 99, n.i * 4.0,
         n.i * 4.0 + ((v.id * 7 + n.i * 13) % 50) / 10.0, (SELECT MIN(thumbnail) FROM clips)
  FROM videos v, n WHERE v.fingerprint LIKE 'gen%';
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT c.id, 'camera.movement', NULL, CASE c.id % 6 WHEN 0 THEN 'static' WHEN 1 THEN 'pan_left'
    WHEN 2 THEN 'handheld' WHEN 3 THEN 'unknown' WHEN 4 THEN 'tilt_up' ELSE 'mixed' END
  FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT c.id, 'camera.confidence', ((c.id * 37) % 100) / 100.0, NULL
  FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT c.id, 'framing.faces', c.id % 3, NULL
  FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';
INSERT INTO clip_attributes (clip_id, name, num, text)
  SELECT c.id, 'dedup.group', c.id / 3, NULL
  FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';
COMMIT;"
for ds in small big; do
  "$bin" tier "$work/$ds" >/dev/null
  echo "== $ds: $(sqlite3 "$work/$ds/catalog.sqlite" 'SELECT COUNT(*) FROM clips') clips"
  /usr/bin/time -f "report          %e s wall, %M KB peak RSS" \
    "$bin" report "$work/$ds" -o "$work/$ds.html" 2>&1 | grep -v '^wrote'
  /usr/bin/time -f "export jsonl    %e s wall, %M KB peak RSS" "$bin" export "$work/$ds" >/dev/null
  /usr/bin/time -f "export --where  %e s wall, %M KB peak RSS" "$bin" export "$work/$ds" \
    --where "camera.confidence >= 0.5 AND framing.faces = 1" >/dev/null
done
