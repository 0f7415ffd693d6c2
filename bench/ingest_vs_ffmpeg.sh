#!/usr/bin/env bash
# Side-by-side benchmark: `clipdex ingest F` against `ffmpeg -threads 2 -i F -f null -` (a full
# decode of the same file) on the same machine in the same run, alternating, several runs.
# Prints per-run wall time and peak RSS, then medians, frames/s and the ratio.
#
# Usage: bench/ingest_vs_ffmpeg.sh [FILE] [RUNS] [LOOPS]
#   FILE   default ../shared/media/synthetic/bench_1080p_120s.mp4
#   RUNS   runs per command (default 5); the machine is shared and noisy, so read medians
#   LOOPS  >1 concatenates the file LOOPS times (stream copy) to check memory stays constant
#   CLIPDEX_ARGS  extra ingest flags (e.g. "--no-thumbs")
set -euo pipefail
cd "$(dirname "$0")/.."
FILE=${1:-../shared/media/synthetic/bench_1080p_120s.mp4}
RUNS=${2:-5}
LOOPS=${3:-1}
BIN=${CLIPDEX_BIN:-build/release/clipdex}
[ -x "$BIN" ] || { echo "build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
[ -f "$FILE" ] || { echo "no such file: $FILE" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ "$LOOPS" -gt 1 ]; then
  ffmpeg -nostdin -v error -stream_loop $((LOOPS - 1)) -i "$FILE" -c copy -an "$WORK/looped.mp4"
  FILE="$WORK/looped.mp4"
fi
FRAMES=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$FILE")
echo "file: $FILE  frames: $FRAMES  runs: $RUNS  cores: $(nproc)"

measure() {  # prints "seconds max_rss_kb"
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$@" > /dev/null 2>&1
  cat "$WORK/t"
}
ff=(); fr=(); cd_=(); cr=()
for i in $(seq "$RUNS"); do
  read -r s m < <(measure ffmpeg -nostdin -v error -threads 2 -i "$FILE" -an -f null -)
  ff+=("$s"); fr+=("$m")
  rm -rf "$WORK/ds"
  # shellcheck disable=SC2086
  read -r s2 m2 < <(measure "$BIN" ingest -q "$FILE" -o "$WORK/ds" ${CLIPDEX_ARGS:-})
  cd_+=("$s2"); cr+=("$m2")
  awk -v i="$i" -v s="$s" -v m="$m" -v s2="$s2" -v m2="$m2" 'BEGIN {
    printf "run %d: ffmpeg decode %6.2f s %7.1f MB | clipdex ingest %6.2f s %7.1f MB\n", i, s, m/1024, s2, m2/1024 }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mf=$(median "${ff[@]}"); mc=$(median "${cd_[@]}")
rf=$(median "${fr[@]}"); rc=$(median "${cr[@]}")
awk -v mf="$mf" -v mc="$mc" -v n="$FRAMES" -v rf="$rf" -v rc="$rc" 'BEGIN {
  printf "median ffmpeg -threads 2 -f null: %.2f s (%.0f frames/s), peak RSS %.1f MB\n", mf, n/mf, rf/1024
  printf "median clipdex ingest:            %.2f s (%.0f frames/s), peak RSS %.1f MB\n", mc, n/mc, rc/1024
  printf "ratio clipdex / ffmpeg wall time: %.2f  (target <= 0.80)\n", mc/mf
}'
