#!/usr/bin/env bash
# The sanitizer run, one command (docs/scale-out.md, "Sanitizers"):
#   scripts/sanitize.sh [asan|tsan|all]     (default all)
# asan: configures, builds and runs the whole test suite under AddressSanitizer +
#       UndefinedBehaviorSanitizer (leaks checked; LSan suppressions in tests/lsan.supp cover
#       only ONNX Runtime, which we do not build).
# tsan: the same under ThreadSanitizer for the tests where threads meet (serve's pools, the
#       caption pass's concurrent requests; the filter is the tsan test preset's).
# Prints one summary line per sanitizer and exits non-zero when any test failed or a build broke.
# Each build takes 30-60 min of 2 cores from scratch; rebuilds are incremental.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
which=${1:-all}
case "$which" in asan | tsan | all) ;; *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;; esac
jobs=${JOBS:-$(nproc)}
status=0
summary=()
run() {  # run PRESET
  local p=$1 log="build/sanitize-$1.log" started=$SECONDS
  mkdir -p build
  if ! { cmake --preset "$p" && cmake --build --preset "$p" -j "$jobs"; } >"$log" 2>&1; then
    summary+=("$p: BUILD FAILED (see $log)")
    status=1
    return
  fi
  ctest --preset "$p" -j "$jobs" --output-on-failure >>"$log" 2>&1
  local rc=$?
  local line
  line=$(grep -E "tests passed, [0-9]+ tests failed out of" "$log" | tail -1)
  summary+=("$p: ${line:-no ctest summary} ($((SECONDS - started)) s; log $log)")
  if ((rc != 0)); then
    status=1
    summary+=("$(grep -E '^\s+[0-9]+ - ' "$log" | sed 's/^/  failed: /')")
  fi
}
[[ $which == asan || $which == all ]] && run asan
[[ $which == tsan || $which == all ]] && run tsan
printf '%s\n' "${summary[@]}"
exit $status
