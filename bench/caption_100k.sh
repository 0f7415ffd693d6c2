#!/usr/bin/env bash
# Template captioning at scale: copies a small real dataset, adds 100,000 generated clips (1,000
# videos x 100 clips with camera movement/speed/segments, shot scale, faces, OCR text, quality and
# border attributes, inserted with SQL), then times `clipdex caption` (template backend: every
# clip gets caption.json + en/zh texts, committed in batches) and its resume run (nothing to do),
# with peak RSS. Prints clips per second. Usage: bench/caption_100k.sh [build dir] [media file]
set -euo pipefail
# shellcheck source=small_dataset.sh
source "$(dirname "$0")/small_dataset.sh" ds "$@"
sqlite3 "$work/ds/catalog.sqlite" <"$(dirname "$0")/generated_clips.sql"
clips=$(sqlite3 "$work/ds/catalog.sqlite" "SELECT COUNT(*) FROM clips")
echo "catalog: $clips clips"
for run in first resume; do
  /usr/bin/time -f "%e s wall, %U s user, %M KB peak RSS" -o "$work/time" \
    "$bin" caption "$work/ds" --concurrency 2 >"$work/out" 2>/dev/null
  t=$(cut -d' ' -f1 "$work/time")
  echo "$run: $(cat "$work/time"); $(grep -E '^selected' "$work/out")"
  awk -v n="$clips" -v t="$t" 'BEGIN { if (t > 0) printf "  %.0f clips/s over the whole catalog\n", n / t }'
done
sqlite3 "$work/ds/catalog.sqlite" "SELECT text FROM clip_attributes WHERE name = 'caption.long'
  AND clip_id = (SELECT MAX(id) FROM clips)"
sqlite3 "$work/ds/catalog.sqlite" "SELECT text FROM clip_attributes WHERE name = 'caption.long_zh'
  AND clip_id = (SELECT MAX(id) FROM clips)"
