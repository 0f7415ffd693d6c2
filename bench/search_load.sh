#!/usr/bin/env bash
# Search at 100k clips: builds the generated 100k-clip catalog (bench/generated_clips.sql) with a
# perceptual signature per clip (4 samples of random hashes: the size and work of real ones) and
# template captions, then measures
#   - the full-text index build from scratch (`clipdex search --rebuild-index`),
#   - `clipdex serve` under 16 concurrent loopback clients (wrk, 2 threads, closed loop) for
#     text search, attribute-filtered search and query by example, each over a rotating list of
#     queries: requests/s, p50/p90/p99 latency, non-2xx responses,
#   - the server's peak RSS.
# Usage: bench/search_load.sh [build dir] [media file] [seconds per load run, default 15]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${3:-15}
# shellcheck source=small_dataset.sh
source "$here/small_dataset.sh" ds "$@"
db="$work/ds/catalog.sqlite"
sqlite3 "$db" <"$here/generated_clips.sql"
sqlite3 "$db" "
BEGIN;
CREATE TEMP TABLE h AS WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 127)
  SELECT j FROM k;
INSERT INTO clip_attributes (clip_id, name, text)
  SELECT c.id, 'dedup.signature', (SELECT group_concat(x, '') FROM (SELECT
    lower(hex(randomblob(8))) || CASE WHEN j = 127 THEN '' WHEN j % 32 = 31 THEN ' ' ELSE '/' END
    AS x FROM h WHERE j >= 0 * c.id ORDER BY j))
  FROM clips c JOIN videos v ON v.id = c.video_id WHERE v.fingerprint LIKE 'gen%';
COMMIT;"
clips=$(sqlite3 "$db" "SELECT COUNT(*) FROM clips")
echo "catalog: $clips clips"
"$bin" caption "$work/ds" --concurrency 2 >/dev/null 2>&1
/usr/bin/time -f "%e s wall, %M KB peak RSS" -o "$work/time" \
  "$bin" search "$work/ds" --rebuild-index >/dev/null 2>"$work/index.log"
echo "index build (from scratch): $(tail -1 "$work/index.log"); $(cat "$work/time")"
echo "catalog size: $(du -sh "$db" | cut -f1)"

# One worker per client: httplib gives a kept-alive connection its own thread, so with fewer
# threads than clients the extra clients wait for a connection to close, not for a CPU.
"$bin" serve "$work/ds" --port 0 --threads 16 >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  grep -q "serving" "$work/serve.log" && break
  sleep 0.1
done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
[[ -n $url ]] || { cat "$work/serve.log"; exit 1; }

# Query lists (URL-encoded by python3's standard library).
python3 - "$work" <<'PY'
import random, sys, urllib.parse
work = sys.argv[1]
random.seed(7)
words = ["camera", "shot", "slowly", "quickly", "breaking news", "channel 7", "channel 42",
         "folder3", "moderate pace", "faces", "中景", "特写", "缓慢", "镜头", "news", "pans",
         "tilts up", "zooms in", "full shot", "long shot", "handheld", "medium close-up"]
def url(**kw):
    return "/api/v1/search?" + urllib.parse.urlencode(kw)
with open(f"{work}/text.txt", "w") as f:
    for w in words:
        f.write(url(q=w, literal=1, limit=20) + "\n")
with open(f"{work}/filtered.txt", "w") as f:
    for i, w in enumerate(words):
        f.write(url(q=w + " close-up" if i % 2 else w, where=f"quality.score >= {i * 4}",
                    limit=20) + "\n")
with open(f"{work}/example.txt", "w") as f:
    for _ in range(200):
        f.write(url(like_clip=random.randint(2, 100000), limit=20) + "\n")
PY
cat >"$work/rotate.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("QUERIES")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
printf '%-22s %9s %9s %9s %9s %8s\n' "load (16 clients)" "req/s" "p50 ms" "p90 ms" "p99 ms" "non-2xx"
for kind in text filtered example; do
  QUERIES="$work/$kind.txt" wrk -t2 -c16 -d"${seconds}s" --latency -s "$work/rotate.lua" "$url" \
    >"$work/wrk.$kind" 2>&1 || { cat "$work/wrk.$kind"; exit 1; }
  python3 - "$work/wrk.$kind" "$kind" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
lat = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
rps = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errs = re.search(r"Socket errors: (.*)", text)
print(f"{sys.argv[2]:<22} {float(rps):9.0f} {lat['50']:9.1f} {lat['90']:9.1f} {lat['99']:9.1f} "
      f"{bad.group(1) if bad else 0:>8}" + (f"  socket errors: {errs.group(1)}" if errs else ""))
PY
done
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{print $2, $3}')"
