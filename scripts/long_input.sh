#!/usr/bin/env bash
# Long input: ingests one multi-hour 1080p stream and samples the process's resident memory
# against media time, to show that memory stays flat and time grows linearly with length.
#
#   scripts/long_input.sh [HOURS] [WORKDIR]     # HOURS default 3 (whole hours or decimals)
#   env CLIPDEX (default build/release/clipdex), CLIPDEX_SHARED (default ../shared),
#       INGEST_FLAGS (extra ingest flags, default "--timeout 0": the default per-file limit of
#       900 s wall time would fail any input that takes longer than that to decode)
#
# The stream is ../shared/media/synthetic/bench_1080p_120s.mp4 (1080p25 H.264, real cuts and
# motion) looped with `-stream_loop -c copy` (no re-encode: seconds to make, ~185 MB per
# 1000 s of media) into WORKDIR/long_<HOURS>h.mp4, kept for reruns. The ingest writes per-frame
# signals (--stats) whose last line is the media time reached; every 10 s the script records wall
# time, that media time and VmRSS/VmHWM from /proc into WORKDIR/long_<HOURS>h.samples.tsv. It
# prints RSS and seconds of wall time per media minute at 10 min, 1 h, 3 h (those reached) and
# the end, then the ingest's summary line. Run it niced on a shared machine (it is CPU-bound).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOURS=${1:-3}
WORK=${2:-${TMPDIR:-/tmp}/clipdex_long_input}
BIN=${CLIPDEX:-$ROOT/build/release/clipdex}
SHARED=${CLIPDEX_SHARED:-$ROOT/../shared}
SRC=$SHARED/media/synthetic/bench_1080p_120s.mp4
[[ -f $SRC ]] || { echo "long_input: missing $SRC" >&2; exit 2; }
mkdir -p "$WORK"

media_seconds=$(awk -v h="$HOURS" 'BEGIN { printf "%d", h * 3600 }')
long=$WORK/long_${HOURS}h.mp4
if [[ ! -s $long ]]; then
  loops=$((media_seconds / 120 + 1))
  echo "long_input: writing $long ($HOURS h: $loops loops of $(basename "$SRC"), no re-encode)"
  ffmpeg -v error -y -stream_loop $((loops - 1)) -i "$SRC" -map 0:v:0 -c copy \
    -t "$media_seconds" "$long"
fi
echo "long_input: $(ffprobe -v error -show_entries format=duration:stream=width,height,nb_frames \
  -of compact=p=0 "$long" | tr '\n' ' ')"

ds=$WORK/long_${HOURS}h.clipdex stats=$WORK/long_${HOURS}h.stats.csv
samples=$WORK/long_${HOURS}h.samples.tsv log=$WORK/long_${HOURS}h.log
rm -rf "$ds" "$stats"
echo -e "wall_s\tmedia_s\trss_kb\thwm_kb" >"$samples"
# shellcheck disable=SC2086
"$BIN" ingest -q --stats "$stats" ${INGEST_FLAGS---timeout 0} "$long" -o "$ds" >"$log" 2>&1 &
pid=$!
t0=$(date +%s)
# media_time: the time column of the newest complete line of the stats CSV.
media_time() {
  tail -c 4096 "$stats" 2>/dev/null | head -n -1 | tail -1 | awk -F, '{ printf "%d", $(NF-6) }'
}
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
  [[ -n $rss ]] && echo -e "$(($(date +%s) - t0))\t$(media_time)\t$rss\t$hwm" >>"$samples"
  sleep 10
done
rc=0
wait "$pid" || rc=$?
total=$(($(date +%s) - t0))
[[ $rc -eq 0 ]] || { echo "long_input: ingest exited $rc:" >&2; cat "$log" >&2; exit 1; }

echo
echo "media time   wall s   s per media min   RSS MB   peak RSS MB"
for mark in 600 3600 10800 end; do
  if [[ $mark == end ]]; then
    row=$(tail -1 "$samples")
  else
    row=$(awk -F'\t' -v m="$mark" 'NR > 1 && $2 >= m { print; exit }' "$samples")
  fi
  [[ -n $row ]] || continue
  awk -F'\t' -v label="$mark" '{
    if (label == "end") name = "end"
    else if (label >= 3600) name = (label / 3600) " h"
    else name = (label / 60) " min"
    printf "%-12s %7d   %15.2f   %6.0f   %11.0f\n", name " (" $2 " s)", $1,
      ($2 > 0 ? $1 / ($2 / 60) : 0), $3 / 1024, $4 / 1024 }' <<<"$row"
done
echo "whole run: $total s wall for $media_seconds s of media; $(grep -E '^done' "$log" || tail -1 "$log")"
echo "samples: $samples"
