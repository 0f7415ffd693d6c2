#!/usr/bin/env bash
# Shot-scale accuracy against the labels by eye (tests/analyze/framing_labels.json) through the
# command line: cut the constructed crops with ffmpeg, ingest every labelled source with the
# framing analyzer only, then `clipdex eval framing` per split. The same numbers as the test
# FramingAccuracy.HeldOutLabelsMeetTargets (docs/attributes.md, "Shot scale").
#
#   bench/framing_labels.sh [CLIPDEX] [WORKDIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
clipdex=${1:-$here/build/release/clipdex}
work=${2:-$(mktemp -d)}
media=$here/../shared/media
labels=$here/tests/analyze/framing_labels.json
mkdir -p "$work/crops"
: > "$work/inputs.txt"
# Sources: every labelled video/photo once, and each crop cut from its photo.
jq -r '.points[] | select(.from == null) | .video' "$labels" | sort -u |
  while read -r v; do echo "$media/$v" >> "$work/inputs.txt"; done
jq -r '.points[] | select(.from != null) | [.video, .from, (.crop | map(tostring) | join(" "))] | @tsv' "$labels" |
  while IFS=$'\t' read -r name from crop; do
    read -r x y w h <<< "$crop"
    ffmpeg -v error -y -i "$media/$from" -vf "crop=iw*$w:ih*$h:iw*$x:ih*$y" "$work/$name" < /dev/null
    echo "$work/$name" >> "$work/inputs.txt"
  done
"$clipdex" ingest -q -j 2 --no-thumbs --no-camera --no-quality --no-borders --no-native-quality \
  --no-text --no-aesthetic --no-artifact-classifier --no-dedup-signature \
  -o "$work/ds" "@$work/inputs.txt"
for split in tune held_out; do
  echo "=== $split ==="
  "$clipdex" eval framing "$work/ds" --gt "$labels" --split "$split"
done
