#!/usr/bin/env bash
# Dedup scale benchmark: a catalog of generated 16-frame signatures (n x 100 clips, 1,000 of them
# planted copies: every hash with up to 3 bits flipped, every other frame dropped) deduplicated
# with the default settings. Prints the timings and checks that exactly the planted copies were
# grouped.
#
# Usage: [DEDUP_SCALE_VIDEOS=n] [DEDUP_SCALE_FRAMES=f] [CHUNKS=m] bench/dedup_scale.sh [build dir] [dataset dir]
#   n x 100 clips (default n = 1000: 101,000 clips); f frames a clip (default 16).
#   Without a dataset dir: generation and `RunDedup` in one test process (exact search unless
#   DEDUP_SCALE_SEARCH=join), then 1 % more clips and the incremental run.
#   With a dataset dir (kept; it must not exist): the catalog is generated there, then the real
#   CLI is timed with /usr/bin/time (wall seconds, peak RSS): `clipdex dedup --full --search S`
#   for each S in $SEARCHES (default "join exact"; leave exact out at ten million clips), then 1 %
#   more clips are added and the incremental `clipdex dedup` is timed.
#   CHUNKS forces the multi-index chunk count of the in-process run.
#   DEDUP_SCALE_EMBEDDINGS=1 gives every clip an embedding.clip (512-d, clips of a video at
#   cosine ~0.8 like shots of one scene, planted copies at ~0.98 to their originals), and
#   SEMANTIC=0.95 then times `clipdex dedup --full --search join --semantic 0.95` first.
# Measured on the 2-core dev box (shared), 101k clips in one process: 9.6 s total, 7.6 s
# candidate search (3 chunks); 2026-12-05, signatures dropped once their codes are taken: 5.1 s
# total, peak RSS 347 MB; 2026-12-06: 3.96 s (2.06 s search) exact, 3.21 s (1.25 s) chunk join.
# 2026-12-06 through the CLI: 1M clips, chunk join 32.9 s / 546 MB, exact 102.7 s / 1.74 GB;
# 10.1M clips (DEDUP_SCALE_VIDEOS=100000 DEDUP_SCALE_PAGE_SIZE=16384 SEARCHES=join), chunk join
# 416.7 s / 2.13 GB, +100k incremental through the index 82.5 s / 798 MB (793 s streaming).
# docs/scale.md, "Dedup at ten million clips".
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
dir="${2:-}"
tests="$build/clipdex_tests --gtest_also_run_disabled_tests --gtest_filter=DedupScale.DISABLED_Catalog100kSignatures"
if [ -z "$dir" ]; then
  /usr/bin/time -f "peak RSS %M KB (the whole test process)" $tests 2>&1 |
    grep -E 'dedup of|OK|FAILED|peak RSS'
  exit 0
fi
[ ! -e "$dir" ] || { echo "dedup_scale: $dir exists; give a new directory" >&2; exit 2; }
copies=$(( ${DEDUP_SCALE_VIDEOS:-1000} < 1000 ? ${DEDUP_SCALE_VIDEOS:-1000} : 1000 ))
new_copies=$(( copies / 100 > 0 ? copies / 100 : 1 ))
DEDUP_SCALE_DIR="$dir" DEDUP_SCALE_PHASE=generate $tests | grep -E '^generated|FAILED'
echo "catalog: $(du -sh "$dir" | cut -f1)"
run() {  # label, expected groups, clipdex dedup arguments...
  local label="$1" expected="$2"
  shift 2
  local out
  out=$( { /usr/bin/time -f "time %e s, peak RSS %M KB" "$build/clipdex" dedup "$dir" --show 0 "$@"; } 2>&1 )
  local groups
  groups=$(sed -n 's/^groups \([0-9]*\),.*/\1/p' <<<"$out")
  echo "$label: $(grep -E '^time' <<<"$out"); groups $groups (planted $expected)$([ "$groups" = "$expected" ] && echo ", all found" || echo ", MISMATCH")"
  grep -E 'candidate pairs|search,|incremental:|^semantic|^groups' <<<"$out" | sed 's/^/  /'
}
if [ -n "${SEMANTIC:-}" ]; then  # needs DEDUP_SCALE_EMBEDDINGS=1 (planted copies pair both ways)
  run "full run, --semantic $SEMANTIC --search join" "$copies" --full --search join --semantic "$SEMANTIC"
fi
for search in ${SEARCHES:-join exact}; do
  run "full run, --search $search" "$copies" --full --search "$search"
done
DEDUP_SCALE_DIR="$dir" DEDUP_SCALE_PHASE=add $tests | grep -E '^added|FAILED'
run "incremental run (new clips only)" "$((copies + new_copies))"
