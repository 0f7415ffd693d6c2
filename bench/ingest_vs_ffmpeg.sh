#!/usr/bin/env bash
# Side-by-side benchmark on the same file, same machine, same run, alternating, several runs:
#   ffmpeg   ffmpeg -threads 2 -i F -f null -          (full decode, the reference)
#   shots    clipdex ingest F with every analyzer off  (decode + shot detection + thumbnails)
#   camera   + camera movement and framing             (the camera-language analyzers)
#   dedup    + the near-duplicate signature            (curation)
#   all      clipdex ingest F                          (+ quality, borders, text/OCR: everything)
#   sparse   all, with the signature's `sparse` option (it keeps sparse decoding on): the
#            default recipe with `dedup_signature: {sparse: true}` and a plain ingest's clip
#            rules (docs/attributes.md)
# Prints per-run wall time, CPU and peak RSS, then medians, frames/s and the ratios:
# shots/ffmpeg (target <= 0.80), camera over shots (target <= +15 %), dedup over camera (the
# signature's cost), all over dedup (the quality/text/watermark analyzers, target <= +60 %).
# Each ratio is printed twice: from the medians, and as the median of the per-run ratios (the
# commands of one run are timed back to back, so passing load hits both sides alike).
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

ISSUE4_OFF=(--no-quality --no-native-quality --no-borders --no-text --no-artifact-classifier)
declare -A CMD
CMD[ffmpeg]="ffmpeg -nostdin -v error -threads 2 -i $FILE -an -f null -"
CMD[shots]="$BIN ingest -q --no-camera --no-framing --no-dedup-signature ${ISSUE4_OFF[*]} $FILE -o $WORK/ds"
CMD[camera]="$BIN ingest -q --no-dedup-signature ${ISSUE4_OFF[*]} $FILE -o $WORK/ds"
CMD[dedup]="$BIN ingest -q ${ISSUE4_OFF[*]} $FILE -o $WORK/ds"
CMD[all]="$BIN ingest -q $FILE -o $WORK/ds"
# The default recipe with the sparse signature, and the clip rules of a plain `ingest` (no
# --recipe: no split, no minimum), so that only the signature differs from mode `all`.
"$BIN" recipe show | sed -e 's/^  dedup_signature: true$/  dedup_signature: {sparse: true}/' \
  -e 's/^clip: .*/clip: {min_seconds: 0, max_seconds: 0}/' > "$WORK/sparse.yaml"
grep -q 'sparse: true' "$WORK/sparse.yaml" || { echo "recipe show has no dedup_signature line" >&2; exit 2; }
CMD[sparse]="$BIN ingest -q --recipe $WORK/sparse.yaml $FILE -o $WORK/ds"
MODES=(ffmpeg shots camera dedup all sparse)

measure() {  # prints "wall_seconds max_rss_kb cpu_seconds" (cpu = user + sys, all threads)
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/t" "$@" > /dev/null 2>&1
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$WORK/t"
}
declare -A WALL RSS CPU
for i in $(seq "$RUNS"); do
  line="run $i:"
  for m in "${MODES[@]}"; do
    rm -rf "$WORK/ds"
    # shellcheck disable=SC2086  # the command lines are word-split on purpose (no spaces in paths)
    read -r s r c < <(measure ${CMD[$m]})
    WALL[$m]+="$s "; RSS[$m]+="$r "; CPU[$m]+="$c "
    line+=" $m ${s}s cpu ${c}s $((r / 1024))MB |"
  done
  echo "$line"
done
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A MW MR MC
for m in "${MODES[@]}"; do
  MW[$m]=$(median "${WALL[$m]}"); MR[$m]=$(median "${RSS[$m]}"); MC[$m]=$(median "${CPU[$m]}")
  awk -v m="$m" -v w="${MW[$m]}" -v r="${MR[$m]}" -v c="${MC[$m]}" -v n="$FRAMES" \
    'BEGIN { printf "median %-7s %7.2f s wall %7.2f s CPU %6.0f frames/s  peak RSS %6.1f MB\n", m, w, c, n/w, r/1024 }'
done
awk -v a="${MW[ffmpeg]}" -v b="${MW[shots]}" -v c="${MW[camera]}" -v e="${MW[dedup]}" -v d="${MW[all]}" \
    -v ca="${MC[ffmpeg]}" -v cb="${MC[shots]}" -v cc="${MC[camera]}" -v ce="${MC[dedup]}" -v cd="${MC[all]}" 'BEGIN {
  printf "ratio shots-only / ffmpeg decode:  wall %.2f  CPU %.2f  (target <= 0.80)\n", b/a, cb/ca
  printf "camera+framing over shots-only:    wall %+.0f%%  CPU %+.0f%%  (target <= +15%%)\n", (c/b - 1) * 100, (cc/cb - 1) * 100
  printf "dedup signature over camera:       wall %+.0f%%  CPU %+.0f%%\n", (e/c - 1) * 100, (ce/cc - 1) * 100
  printf "quality+borders+text over dedup:   wall %+.0f%%  CPU %+.0f%%  (target <= +60%%)\n", (d/e - 1) * 100, (cd/ce - 1) * 100
  printf "ratio all / ffmpeg decode:         wall %.2f  CPU %.2f\n", d/a, cd/ca
}'
awk -v a="${MW[ffmpeg]}" -v d="${MW[all]}" -v s="${MW[sparse]}" -v ca="${MC[ffmpeg]}" \
    -v cd="${MC[all]}" -v cs="${MC[sparse]}" 'BEGIN {
  printf "ratio all, sparse signature / ffmpeg decode: wall %.2f  CPU %.2f  (%+.0f%% wall, %+.0f%% CPU vs all)\n",
         s/a, cs/ca, (s/d - 1) * 100, (cs/cd - 1) * 100
}'
# The same ratios as medians of the per-run ratios: each run times the commands back to back, so
# load that comes and goes on a shared machine hits both sides of a ratio alike.
paired() {  # paired NUMERATOR DENOMINATOR -> median of per-run wall ratios
  paste <(printf '%s\n' ${WALL[$1]}) <(printf '%s\n' ${WALL[$2]}) | awk '{print $1 / $2}' |
    sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
}
awk -v s="$(paired shots ffmpeg)" -v c="$(paired camera shots)" -v e="$(paired dedup camera)" \
    -v a="$(paired all dedup)" 'BEGIN {
  printf "per-run ratios, median: shots/ffmpeg %.2f, camera %+.0f%%, dedup %+.0f%%, all %+.0f%% (wall)\n",
         s, (c - 1) * 100, (e - 1) * 100, (a - 1) * 100
}'
