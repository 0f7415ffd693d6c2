#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang into build/fuzz and runs each for SECONDS.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # all targets by default; e.g. scripts/fuzz.sh 60 rule_fuzz
#   env FUZZ_NO_BUILD=1: run the targets as last built (while the build lock is busy)
#
# Seeds (regenerated every run into build/fuzz/corpus/<target>, which also keeps what the fuzzer
# found interesting between runs): ../shared/media/corrupt and the smallest real clips for
# media_fuzz; the rules of recipes/*.yaml and the --where examples of docs/ for rule_fuzz;
# recipes/*.yaml for recipe_fuzz; tests/generate/prompts.jsonl for prompt_fuzz; fuzz/seeds/<target>
# for the rest. Crashes land in build/fuzz/crashes/<target>/; each one found becomes a regression
# test in tests/ (see docs/scale-out.md, "Hardening"). Prints one line per target: executions,
# coverage, exit status and findings. Runs niced: the machine is shared.
#
# The release build must be configured (cmake --preset release); its libclipdex.a is brought up
# to date first (under the shared build lock), since the targets link what they do not instrument
# from it.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${CLIPDEX_SHARED:-$ROOT/../shared}
OUT=$ROOT/build/fuzz
LOCK=/tmp/clipdex_build.lock
ALL_TARGETS=(media_fuzz rule_fuzz recipe_fuzz glossary_fuzz prompt_fuzz serve_request_fuzz)

SECONDS_EACH=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
TARGETS=("$@")
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=("${ALL_TARGETS[@]}")
CXX=${FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}

build_targets() {
  if [[ ! -f $ROOT/build/release/CMakeCache.txt ]]; then
    echo "fuzz: build/release is not configured: run cmake --preset release first" >&2
    exit 2
  fi
  echo "fuzz: bringing build/release/libclipdex.a up to date"
  mkdir -p "$OUT"
  if ! (cd "$ROOT" && flock "$LOCK" nice -n 10 cmake --build --preset release \
        --target clipdex_lib -j2 >"$OUT/lib.log" 2>&1); then
    [[ -f $ROOT/build/release/libclipdex.a ]] || { cat "$OUT/lib.log" >&2; exit 1; }
    # A tree shared with work in progress: fuzz the last archive that built rather than nothing.
    echo "fuzz: warning: libclipdex.a did not rebuild ($OUT/lib.log); using the last one built" >&2
  fi
  if [[ ! -f $OUT/CMakeCache.txt ]]; then
    nice -n 10 cmake -S "$ROOT/fuzz" -B "$OUT" -DCMAKE_CXX_COMPILER="$CXX" >/dev/null
  fi
  echo "fuzz: building ${TARGETS[*]}"
  flock "$LOCK" nice -n 10 cmake --build "$OUT" -j2 --target "${TARGETS[@]}" |
    grep -E "error|Error" || true
}
if [[ -n ${FUZZ_NO_BUILD:-} ]]; then
  echo "fuzz: FUZZ_NO_BUILD set: running the targets as last built"
else
  build_targets
fi
for t in "${TARGETS[@]}"; do
  [[ -x $OUT/$t ]] || { echo "fuzz: $t did not build" >&2; exit 1; }
done

# seed_corpus TARGET: fills build/fuzz/corpus/TARGET from the repository and ../shared.
seed_corpus() {
  local dir=$OUT/corpus/$1
  mkdir -p "$dir"
  case $1 in
    media_fuzz)
      # Every corrupt file (libFuzzer cuts a seed to -max_len) and the small real clips.
      find "$SHARED/media/corrupt" -type f -exec cp -f {} "$dir/" \;
      find "$SHARED/media/video" "$SHARED/media/synthetic" -type f -size -100k \
        \( -name '*.mp4' -o -name '*.mov' -o -name '*.avi' -o -name '*.webm' -o -name '*.mkv' \) \
        -exec cp -f {} "$dir/" \;
      chmod u+w "$dir"/* ;;
    rule_fuzz)
      # Each `when:` of the shipped recipes and each --where example of the docs, one file each.
      local i=0
      { grep -h 'when:' "$ROOT"/recipes/*.yaml | sed -E 's/^[^"]*"(.*)"[^"]*$/\1/'
        grep -rhoE -- '--where "[^"]+"' "$ROOT/docs" "$ROOT/README.md" | sed -E 's/^--where "(.*)"$/\1/'
      } | while IFS= read -r rule; do
        printf '%s' "$rule" >"$dir/seed_$((i++))"
      done ;;
    recipe_fuzz)
      cp -f "$ROOT"/recipes/*.yaml "$dir/" ;;
    prompt_fuzz)
      python3 -c '
import json, sys
for i, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    if line.strip():
        open(f"{sys.argv[2]}/seed_{i}", "w", encoding="utf-8").write(json.loads(line)["prompt"])
' "$ROOT/tests/generate/prompts.jsonl" "$dir" ;;
  esac
  if [[ -d $ROOT/fuzz/seeds/$1 ]]; then cp -f "$ROOT/fuzz/seeds/$1"/* "$dir/"; fi
}

summary=()
for t in "${TARGETS[@]}"; do
  seed_corpus "$t"
  crashes=$OUT/crashes/$t
  mkdir -p "$crashes"
  log=$OUT/$t.log
  max_len=16384
  [[ $t == media_fuzz ]] && max_len=65536
  echo "fuzz: $t for ${SECONDS_EACH}s (log $log)"
  # One process: libFuzzer stops at the first crash, leaks or hang (-timeout: one input over
  # 25 s) and writes it to build/fuzz/crashes/<target>/; fix it, add its regression test, rerun.
  set +e
  nice -n 10 "$OUT/$t" -max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=3072 \
    -max_len="$max_len" -artifact_prefix="$crashes/" -print_final_stats=1 \
    "$OUT/corpus/$t" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -oE 'stat::number_of_executed_units: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
  found=$(grep -c 'Test unit written to' "$log" || true)
  summary+=("$(printf '%-20s executions %-9s %-10s exit %-3s findings %s' "$t" "${runs:-?}" \
    "${cov:-cov: ?}" "$rc" "$found")")
done
echo
echo "fuzz summary (${SECONDS_EACH}s each; exit 0 = no finding; inputs in build/fuzz/crashes/<target>/):"
printf '%s\n' "${summary[@]}"
