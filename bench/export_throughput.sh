#!/usr/bin/env bash
# Export throughput: WebDataset shards by stream copy (the default: copy where it gives the clip,
# frame-exact re-encode where it cannot) and by re-encode at 512 px (H.264, --resize 512), on the
# shared real videos and on the 1080p bench file. Prints clips/s and x realtime (seconds of
# source video exported per second of wall time), medians of RUNS runs.
#
#   bench/export_throughput.sh [RUNS] [JOBS]
#
# Environment: CLIPDEX (binary, default build/release/clipdex), MEDIA (default ../shared/media),
# WORK (scratch folder, default /tmp/clipdex_export_bench; the ingested datasets are kept there
# and reused).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS=${1:-3}
JOBS=${2:-$(nproc)}
CLIPDEX=${CLIPDEX:-build/release/clipdex}
MEDIA=${MEDIA:-../shared/media}
WORK=${WORK:-/tmp/clipdex_export_bench}
mkdir -p "$WORK"

ingest() {  # DATASET INPUT...
  local ds=$1
  shift
  if [[ ! -f "$ds/catalog.sqlite" ]]; then
    "$CLIPDEX" ingest -q --no-text --no-aesthetic "$@" -o "$ds" >/dev/null 2>&1 || true
  fi
}
ingest "$WORK/media.clipdex" "$MEDIA/video"
ingest "$WORK/bench1080.clipdex" "$MEDIA/synthetic/bench_1080p_120s.mp4"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

printf '%-26s %-22s %7s %9s %8s %11s %s\n' dataset mode clips "video s" "wall s" "x realtime" "clips/s"
for ds in media bench1080; do
  for mode in copy reencode512; do
    args=()
    [[ $mode == reencode512 ]] && args=(--codec h264 --resize 512)
    walls=() lines=()
    for ((r = 0; r < RUNS; r++)); do
      out="$WORK/out_${ds}_${mode}"
      rm -rf "$out"
      line=$("$CLIPDEX" export "$WORK/$ds.clipdex" --format webdataset -q -j "$JOBS" \
        "${args[@]}" -o "$out" 2>&1 | grep ' s of video in ')
      lines+=("$line")
      # "487.3 s of video in 30.7 s (15.9x realtime, 2.4 clips/s)"
      walls+=("$(awk '{print $6}' <<<"$line")")
    done
    video=$(awk '{print $1}' <<<"${lines[0]}")
    wall=$(printf '%s\n' "${walls[@]}" | median)
    clips=$(grep -c '"key"' "$WORK/out_${ds}_${mode}/manifest.jsonl" || true)
    printf '%-26s %-22s %7s %9s %8.1f %11.1f %.2f\n' "$ds" "$mode" "$clips" "$video" "$wall" \
      "$(awk -v v="$video" -v w="$wall" 'BEGIN {print v / w}')" \
      "$(awk -v c="$clips" -v w="$wall" 'BEGIN {print c / w}')"
  done
done
