#!/usr/bin/env bash
# Kill soak: SIGKILLs clipdex's writing verbs at random moments and checks, after every kill,
# that the dataset survived: PRAGMA integrity_check says ok, `clipdex info` opens it, and a rerun
# of the killed verb completes. At the end the catalog must equal an uninterrupted run's
# (scripts/catalog_diff.sh: videos, clips, transitions, every attribute including the captions,
# dedup, tiers; run timestamps and timings left out), so no kill lost or doubled work.
#
#   scripts/kill_soak.sh KILLS [SEED] [WORKDIR]
#     KILLS    number of SIGKILLs (50+ for the soak; the ctest test `kill_soak_short` runs 10)
#     SEED     random seed (default 1): a failure is replayed with the same seed
#     WORKDIR  scratch directory (default: a new one under ${TMPDIR:-/tmp}, removed on success)
#   env CLIPDEX (default build/release/clipdex), CLIPDEX_SHARED (default ../shared)
#
# Verbs, in turn: ingest (after the first round with --force, so a kill always lands in real
# work), dedup, tier, caption (template backend, --force, small commit batches), and merge when
# this clipdex has it (two half datasets merged into one; skipped with the reason otherwise). The
# kill moment is uniform over the verb's uninterrupted run time measured first, so it lands in
# start-up, in the work and in commits alike; kills that came after the verb had already exited
# are counted apart. Inputs: six small clips of ../shared/media (one duplicate pair, one truncated
# file that fails), cut into <= 0.25 s clips so every pass has ~70 clips to commit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KILLS=${1:?usage: scripts/kill_soak.sh KILLS [SEED] [WORKDIR]}
SEED=${2:-1}
BIN=${CLIPDEX:-$ROOT/build/release/clipdex}
SHARED=${CLIPDEX_SHARED:-$ROOT/../shared}
WORK=${3:-$(mktemp -d "${TMPDIR:-/tmp}/clipdex_kill_soak.XXXXXX")}
mkdir -p "$WORK"
RANDOM=$SEED

V=$SHARED/media/video S=$SHARED/media/synthetic
INPUTS=("$V/gh_psd_counter_10fps.mp4" "$V/deb_imageio_realshort.mp4" "$V/deb_mimetype_lego.mov"
        "$S/dup_scaled_360p.mp4" "$S/dup_reencode_crf32.mp4" "$SHARED/media/corrupt/trunc60.webm")
for f in "${INPUTS[@]}"; do [[ -f $f ]] || { echo "kill_soak: skipped: missing input $f" >&2; exit 77; }; done
INGEST_FLAGS=(-q --jobs 1 --max-clip 0.25)

fail() { echo "kill_soak: FAIL: $*" >&2; echo "kill_soak: work directory kept: $WORK" >&2; exit 1; }

# run_verb VERB DATASET [--force]: the verb's full command line.
verb_cmd() {
  local verb=$1 ds=$2 force=${3:-}
  case $verb in
    ingest) echo "$BIN ingest ${INGEST_FLAGS[*]} ${force:+--force} ${INPUTS[*]} -o $ds" ;;
    dedup) echo "$BIN dedup $ds" ;;
    tier) echo "$BIN tier $ds" ;;
    caption) echo "$BIN caption $ds --batch 4 --concurrency 2 ${force:+--force}" ;;
    merge) echo "$BIN merge $ds $WORK/part_a.clipdex $WORK/part_b.clipdex" ;;
  esac
}

# completes CMD...: runs to the end; exit 0, or 3 (done, some inputs failed: the truncated file).
completes() {
  local rc=0
  "$@" >"$WORK/last.out" 2>&1 || rc=$?
  [[ $rc -eq 0 || $rc -eq 3 ]] || { cat "$WORK/last.out" >&2; return 1; }
}

# check DATASET WHAT: the dataset survived.
check() {
  local ds=$1 what=$2 ic
  ic=$(sqlite3 "$ds/catalog.sqlite" 'PRAGMA integrity_check' 2>&1) || fail "$what: sqlite3: $ic"
  [[ $ic == ok ]] || fail "$what: integrity_check: $ic"
  "$BIN" info "$ds" >/dev/null 2>"$WORK/info.err" || fail "$what: info: $(cat "$WORK/info.err")"
}

VERBS=(ingest dedup tier caption)
if "$BIN" --help | grep -qE "^ +merge( |$)"; then
  VERBS+=(merge)
else
  echo "kill_soak: merge skipped: this clipdex has no 'merge' verb"
fi

# 1. The uninterrupted run, timing each verb (the kill moments are drawn from these times).
REF=$WORK/reference.clipdex
rm -rf "$REF" "$WORK"/part_*.clipdex
declare -A TIME_MS
for verb in ingest dedup tier caption; do
  t0=$(date +%s%N)
  completes $(verb_cmd "$verb" "$REF") || fail "reference $verb"
  TIME_MS[$verb]=$((($(date +%s%N) - t0) / 1000000))
done
if [[ " ${VERBS[*]} " == *" merge "* ]]; then
  completes "$BIN" ingest "${INGEST_FLAGS[@]}" "${INPUTS[@]:0:3}" -o "$WORK/part_a.clipdex" || fail "part a"
  completes "$BIN" ingest "${INGEST_FLAGS[@]}" "${INPUTS[@]:3}" -o "$WORK/part_b.clipdex" || fail "part b"
  t0=$(date +%s%N)
  completes $(verb_cmd merge "$WORK/merged_reference.clipdex") || fail "reference merge"
  TIME_MS[merge]=$((($(date +%s%N) - t0) / 1000000))
fi
echo "kill_soak: uninterrupted run (ms): $(for v in "${!TIME_MS[@]}"; do printf '%s %s  ' "$v" "${TIME_MS[$v]}"; done)"

# 2. The soak: SIGKILL, check, rerun, check.
DS=$WORK/soak.clipdex MERGED=$WORK/merged_soak.clipdex
rm -rf "$DS" "$MERGED"
declare -A KILLED LATE
ingested_once=0
for ((k = 0; k < KILLS; ++k)); do
  verb=${VERBS[k % ${#VERBS[@]}]}
  target=$DS
  [[ $verb == merge ]] && target=$MERGED
  force=
  [[ $verb == ingest && $ingested_once -eq 1 ]] && force=1
  [[ $verb == caption ]] && force=1
  delay_ms=$((RANDOM * 32768 + RANDOM))
  delay_ms=$((delay_ms % (TIME_MS[$verb] + 1)))
  $(verb_cmd "$verb" "$target" "$force") >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  if kill -KILL "$pid" 2>/dev/null; then
    KILLED[$verb]=$((${KILLED[$verb]:-0} + 1))
  else
    LATE[$verb]=$((${LATE[$verb]:-0} + 1))
  fi
  wait "$pid" 2>/dev/null || true
  if [[ -f $target/catalog.sqlite ]]; then
    check "$target" "kill $k ($verb at ${delay_ms} ms)"
  fi
  completes $(verb_cmd "$verb" "$target") || fail "kill $k ($verb at ${delay_ms} ms): rerun did not complete"
  check "$target" "kill $k ($verb): after the rerun"
  [[ $verb == ingest ]] && ingested_once=1
  echo "kill_soak: kill $((k + 1))/$KILLS: $verb at ${delay_ms} ms: ok"
done

# 3. Bring the soaked dataset to the end of the chain, in the reference's order, and compare.
for verb in ingest dedup tier caption; do
  completes $(verb_cmd "$verb" "$DS") || fail "final $verb"
done
"$ROOT/scripts/catalog_diff.sh" "$REF" "$DS" >"$WORK/diff.txt" 2>&1 ||
  { cat "$WORK/diff.txt" >&2; fail "soaked catalog differs from the uninterrupted run"; }
if [[ " ${VERBS[*]} " == *" merge "* && -d $MERGED ]]; then
  "$ROOT/scripts/catalog_diff.sh" "$WORK/merged_reference.clipdex" "$MERGED" >"$WORK/merge_diff.txt" 2>&1 ||
    { cat "$WORK/merge_diff.txt" >&2; fail "merged catalog differs from an uninterrupted merge"; }
fi

summary=""
for v in "${VERBS[@]}"; do summary+=" $v ${KILLED[$v]:-0} killed/${LATE[$v]:-0} already done;"; done
echo "kill_soak: PASS: $KILLS kills (seed $SEED):$summary final catalog equals the uninterrupted run"
rm -rf "$WORK"
