#!/usr/bin/env bash
# A local llama-server (OpenAI-compatible HTTP API) for the caption backends' tests and for small
# caption jobs. Every wait is bounded: start gives up after LLAMA_START_TIMEOUT seconds, stop
# escalates to SIGKILL after 10 s.
#
# Usage: bash scripts/llama_server.sh start|stop|status [STATE_DIR]
#   start   start third_party/llama/bin/llama-server on 127.0.0.1 (a free port chosen by the
#           kernel), wait for GET /health to answer 200, print the base URL (http://127.0.0.1:PORT)
#           as the last stdout line; exit 1 with the log's tail when it dies or times out
#   stop    stop the server recorded in STATE_DIR (SIGTERM, then SIGKILL after 10 s)
#   status  print the URL and exit 0 when the recorded server answers /health, else exit 1
# STATE_DIR (default build/llama-server) holds pid, url and server.log.
# Environment: LLAMA_SERVER_BIN, LLAMA_MODEL, LLAMA_MMPROJ (default: the random-weight tiny VLM in
# ../shared/models/tiny-vlm-random), LLAMA_PARALLEL (slots, 4), LLAMA_CTX (total context shared by
# the slots, 4096), LLAMA_THREADS (2), LLAMA_POLL (0), LLAMA_START_TIMEOUT (60), LLAMA_EXTRA_ARGS
# (appended).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODELS=$ROOT/../shared/models/tiny-vlm-random
BIN=${LLAMA_SERVER_BIN:-$ROOT/third_party/llama/bin/llama-server}
MODEL=${LLAMA_MODEL:-$MODELS/tiny-llm-random.gguf}
MMPROJ=${LLAMA_MMPROJ:-$MODELS/tiny-mmproj-random.gguf}
PARALLEL=${LLAMA_PARALLEL:-4}
CTX=${LLAMA_CTX:-4096}
THREADS=${LLAMA_THREADS:-2}
# ggml's worker threads busy-wait for work by default (--poll 50). Two servers and a test run on
# a 2-core machine then spin against each other: a 17 s caption test took 143 s beside a second
# one. No polling costs a little latency on an idle machine and keeps a shared one usable.
POLL=${LLAMA_POLL:-0}
START_TIMEOUT=${LLAMA_START_TIMEOUT:-60}

die() { echo "llama_server: $*" >&2; exit 1; }
usage() { sed -n '6,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[[ $# -ge 1 && $# -le 2 ]] || usage
CMD=$1
STATE=${2:-$ROOT/build/llama-server}

# The recorded pid, only while it is still a llama-server (a recycled pid is never signalled).
live_pid() {
  local pid
  pid=$(cat "$STATE/pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # grep without -q: its early exit would SIGPIPE tr under pipefail.
  tr "\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep llama-server >/dev/null || return 1
  echo "$pid"
}

healthy() {  # URL
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/health" 2>/dev/null)" == 200 ]]
}

stop() {
  local pid i
  if pid=$(live_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      echo "llama_server: pid $pid ignored SIGTERM for 10 s, killed" >&2
    fi
  fi
  rm -f "$STATE/pid" "$STATE/url"
}

start() {
  [[ -x $BIN ]] || die "$BIN not found (run: bash scripts/setup.sh llama)"
  [[ -f $MODEL ]] || die "$MODEL not found"
  [[ -f $MMPROJ ]] || die "$MMPROJ not found"
  mkdir -p "$STATE"
  if live_pid >/dev/null && healthy "$(cat "$STATE/url")"; then
    cat "$STATE/url"
    return 0
  fi
  stop
  local log=$STATE/server.log
  # --port 0: the kernel picks a free port (no probe-then-bind race); the server logs it.
  # stdin/stdout/stderr are detached from the caller so that a caller reading our output to EOF
  # (popen, $(...)) is not held open by the server.
  # shellcheck disable=SC2086  # LLAMA_EXTRA_ARGS is a word list on purpose
  "$BIN" -m "$MODEL" --mmproj "$MMPROJ" --jinja --host 127.0.0.1 --port 0 -c "$CTX" \
    -np "$PARALLEL" -t "$THREADS" -tb "$THREADS" --poll "$POLL" --no-warmup --no-webui ${LLAMA_EXTRA_ARGS:-} \
    </dev/null >"$log" 2>&1 &
  local pid=$! url="" deadline=$((SECONDS + START_TIMEOUT))
  echo "$pid" >"$STATE/pid"
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2
      rm -f "$STATE/pid"
      die "llama-server exited during start-up (log: $log)"
    fi
    if [[ -z $url ]]; then
      url=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -n 1 |
        sed 's/^listening on //' || true)
    fi
    if [[ -n $url ]] && healthy "$url"; then
      echo "$url" >"$STATE/url"
      echo "$url"
      return 0
    fi
    sleep 0.2
  done
  tail -n 20 "$log" >&2
  stop
  die "llama-server not healthy after ${START_TIMEOUT}s (log: $log)"
}

status() {
  local url
  if live_pid >/dev/null && url=$(cat "$STATE/url" 2>/dev/null) && healthy "$url"; then
    echo "$url"
    return 0
  fi
  echo "llama_server: not running (state: $STATE)" >&2
  return 1
}

case "$CMD" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
