#!/usr/bin/env bash
# Compares two clipdex datasets attribute by attribute: the check that a refactor changed nothing.
#
# Usage: scripts/catalog_diff.sh A.clipdex B.clipdex
#        scripts/catalog_diff.sh --ingest OLD_BIN NEW_BIN OUT_DIR FILE...
#   The second form ingests FILE... (every analyzer on, files one at a time) with both binaries
#   into OUT_DIR/before.clipdex and OUT_DIR/after.clipdex, runs dedup and tier with each, then
#   compares them.
#
# Compared, keyed by (video path, clip index) so row ids may differ: videos (status, error,
# probe fields, frame counts), clips (frames, times, transitions, thumbnail name), transitions,
# every clip attribute (numbers to 1e-9 relative; texts exactly) and tiers. Left out on purpose:
# timestamps, run rows, decode_seconds and caption.seconds (they differ between any two runs).
# Prints each differing row (up to 40 per table) and the total; exits 1 when anything differs.
set -euo pipefail

if [[ "${1:-}" == --ingest ]]; then
  [[ $# -ge 5 ]] || { sed -n '4,8p' "$0" >&2; exit 2; }
  old=$2 new=$3 out=$4
  shift 4
  rm -rf "$out/before.clipdex" "$out/after.clipdex"
  mkdir -p "$out"
  for side in before:"$old" after:"$new"; do
    ds="$out/${side%%:*}.clipdex" bin="${side#*:}"
    "$bin" ingest -q --jobs 1 "$@" -o "$ds" || echo "note: $bin ingest exited $? (failed files are compared too)"
    "$bin" dedup "$ds" >/dev/null
    "$bin" tier "$ds" >/dev/null
  done
  exec "$0" "$out/before.clipdex" "$out/after.clipdex"
fi

[[ $# -eq 2 ]] || { sed -n '4,8p' "$0" >&2; exit 2; }
a="$1/catalog.sqlite" b="$2/catalog.sqlite"
for f in "$a" "$b"; do [[ -f "$f" ]] || { echo "not a clipdex dataset: $f" >&2; exit 2; }; done

# One query per table; each row is "key<TAB>values". Numbers are printed with 12 significant
# digits so that the last bits of a float do not count as a difference.
declare -A QUERIES
QUERIES[videos]="SELECT path, status || ' ' || error || ' ' || container || ' ' || codec || ' ' ||
  width || 'x' || height || ' ' || rotation || ' ' || fps_num || '/' || fps_den || ' ' || is_vfr ||
  ' ' || printf('%.12g', duration) || ' ' || frames || ' ' || printf('%.12g', decoded_duration)
  FROM videos ORDER BY 1"
QUERIES[clips]="SELECT v.path || '#' || c.idx, c.first_frame || '-' || c.last_frame || ' ' ||
  printf('%.12g', c.start_time) || '-' || printf('%.12g', c.end_time) || ' ' || c.transition_in ||
  '/' || c.transition_out || ' ' || c.too_short || ' ' || c.split_part || ' ' || c.thumbnail
  FROM clips c JOIN videos v ON v.id = c.video_id ORDER BY 1"
QUERIES[transitions]="SELECT v.path || ' ' || t.first_frame, t.type || ' ' || t.last_frame || ' ' ||
  printf('%.12g', t.score) FROM transitions t JOIN videos v ON v.id = t.video_id ORDER BY 1"
QUERIES[attributes]="SELECT v.path || '#' || c.idx || ' ' || a.name,
  coalesce(printf('%.12g', a.num), '') || '|' || coalesce(a.text, '')
  FROM clip_attributes a JOIN clips c ON c.id = a.clip_id JOIN videos v ON v.id = c.video_id
  WHERE a.name NOT IN ('dedup.group', 'dedup.dup_of', 'caption.seconds') ORDER BY 1"
# dedup.group/dup_of hold clip ids, which differ between two catalogs: compare the keeper's key.
QUERIES[dedup]="SELECT v.path || '#' || c.idx, coalesce(kv.path || '#' || k.idx, '')
  FROM clip_attributes a JOIN clips c ON c.id = a.clip_id JOIN videos v ON v.id = c.video_id
  LEFT JOIN clips k ON k.id = a.num LEFT JOIN videos kv ON kv.id = k.video_id
  WHERE a.name = 'dedup.dup_of' ORDER BY 1"
QUERIES[tiers]="SELECT v.path || '#' || c.idx, t.tier || ' ' || t.rule || ' ' || t.missed
  FROM clip_tiers t JOIN clips c ON c.id = t.clip_id JOIN videos v ON v.id = c.video_id ORDER BY 1"

total=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for table in videos clips transitions attributes dedup tiers; do
  # Tier messages quote dedup.dup_of's clip id; the dedup table compares the keeper by key.
  sqlite3 -separator $'\t' "file:$a?mode=ro" "${QUERIES[$table]}" |
    sed -E 's/dedup\.dup_of=[0-9]+/dedup.dup_of=<id>/g' >"$tmp/a"
  sqlite3 -separator $'\t' "file:$b?mode=ro" "${QUERIES[$table]}" |
    sed -E 's/dedup\.dup_of=[0-9]+/dedup.dup_of=<id>/g' >"$tmp/b"
  n=$(diff "$tmp/a" "$tmp/b" | grep -c '^[<>]' || true)
  printf '%-12s %7d rows in A  %7d rows in B  %5d differing lines\n' \
    "$table" "$(wc -l <"$tmp/a")" "$(wc -l <"$tmp/b")" "$n"
  if [[ $n -gt 0 ]]; then
    { diff "$tmp/a" "$tmp/b" || true; } | grep '^[<>]' | head -40 | sed 's/^/    /' || true
  fi
  total=$((total + n))
done
echo "total differing lines: $total"
[[ $total -eq 0 ]]
