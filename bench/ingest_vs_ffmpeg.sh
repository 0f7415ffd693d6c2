#!/usr/bin/env bash
# Side-by-side benchmark on the same file, same machine, same run, alternating, several runs:
#   A  ffmpeg -threads 2 -i F -f null -                (full decode, the reference)
#   B  clipdex ingest F --no-camera --no-framing       (decode + shot detection + thumbnails)
#   C  clipdex ingest F                                (+ camera movement and framing analyzers)
# Prints per-run wall time and peak RSS, then medians, frames/s and the ratios B/A, C/A, C/B.
#
# Usage: bench/ingest_vs_ffmpeg.sh [FILE] [RUNS] [LOOPS]
#   FILE   default ../shared/media/synthetic/bench_1080p_120s.mp4
#   RUNS   runs per command (default 5); the machine is shared and noisy, so read medians
#   LOOPS  >1 concatenates the file LOOPS times (stream copy) to check memory stays constant
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

measure() {  # prints "wall_seconds max_rss_kb cpu_seconds" (cpu = user + sys, all threads)
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" "$@" > /dev/null 2>&1
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/t"
}
A=(); B=(); C=(); RA=(); RB=(); RC=(); CA=(); CB=(); CC=()
for i in $(seq "$RUNS"); do
  read -r s m c < <(measure ffmpeg -nostdin -v error -threads 2 -i "$FILE" -an -f null -)
  A+=("$s"); RA+=("$m"); CA+=("$c")
  rm -rf "$WORK/ds"
  read -r s m c < <(measure "$BIN" ingest -q --no-camera --no-framing "$FILE" -o "$WORK/ds")
  B+=("$s"); RB+=("$m"); CB+=("$c")
  rm -rf "$WORK/ds"
  read -r s m c < <(measure "$BIN" ingest -q "$FILE" -o "$WORK/ds")
  C+=("$s"); RC+=("$m"); CC+=("$c")
  echo "run $i: ffmpeg ${A[-1]} s (cpu ${CA[-1]}) ${RA[-1]} KB | shots ${B[-1]} s (cpu ${CB[-1]}) ${RB[-1]} KB | all ${C[-1]} s (cpu ${CC[-1]}) ${RC[-1]} KB"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
awk -v a="$(median "${A[@]}")" -v b="$(median "${B[@]}")" -v c="$(median "${C[@]}")" \
    -v ra="$(median "${RA[@]}")" -v rb="$(median "${RB[@]}")" -v rc="$(median "${RC[@]}")" \
    -v ca="$(median "${CA[@]}")" -v cb="$(median "${CB[@]}")" -v cc="$(median "${CC[@]}")" \
    -v n="$FRAMES" 'BEGIN {
  printf "median ffmpeg -threads 2 -f null:   %6.2f s %6.0f frames/s  peak RSS %6.1f MB\n", a, n/a, ra/1024
  printf "median clipdex ingest (shots only): %6.2f s %6.0f frames/s  peak RSS %6.1f MB\n", b, n/b, rb/1024
  printf "median clipdex ingest (all):        %6.2f s %6.0f frames/s  peak RSS %6.1f MB\n", c, n/c, rc/1024
  printf "ratio shots-only / ffmpeg decode: %.2f   (issue target <= 0.80)\n", b/a
  printf "ratio all / ffmpeg decode:        %.2f\n", c/a
  printf "camera+framing cost over shots:   %+.0f%%  (issue target <= +15%%)\n", (c/b - 1) * 100
  printf "CPU seconds (median): ffmpeg %.2f  shots %.2f  all %.2f  -> shots/ffmpeg %.2f, all/shots %+.0f%%\n", ca, cb, cc, cb/ca, (cc/cb - 1) * 100
}'
