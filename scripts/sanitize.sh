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
# cpp-httplib for the TSan build: Debian ships it as a shared library built without TSan, whose
# atomics (a function-local static's guard, for one) TSan cannot see, so it reports races that
# are none. The TSan build therefore compiles the very same version from Debian's source package
# (pinned by SHA-256, as in the .dsc), header-only, into the instrumented binary.
HTTPLIB_POOL=http://deb.debian.org/debian/pool/main/c/cpp-httplib
HTTPLIB_FILES=(
  "8b1a5df569003b6a4f24c68489bbda5c64aec94697bdc9ebba5d79408b2ae7eb cpp-httplib_0.11.4+ds.orig.tar.xz"
  "a0adf8a38610806f6d94ba69839438635e5e6580775e28ff31d6a081e34f1484 cpp-httplib_0.11.4+ds-1+deb12u1.debian.tar.xz"
)
HTTPLIB_DSC=cpp-httplib_0.11.4+ds-1+deb12u1.dsc
HTTPLIB_DSC_SHA256=a4dde747bbde7cc9fa62cdf50d61140a0eaefb7f1383497ef2d48daf3bf5f9ec
httplib_source() {  # prints the directory holding the header-only httplib.h
  local dir=$ROOT/build/_deps/cpp-httplib
  if [[ ! -f $dir/src/httplib.h ]]; then
    mkdir -p "$dir"
    local entry sum file
    for entry in "$HTTPLIB_DSC_SHA256 $HTTPLIB_DSC" "${HTTPLIB_FILES[@]}"; do
      read -r sum file <<<"$entry"
      curl -fsS -m 120 -o "$dir/$file" "$HTTPLIB_POOL/$file" || return 1
      echo "$sum  $dir/$file" | sha256sum -c --quiet - || return 1
    done
    rm -rf "$dir/src"
    (cd "$dir" && dpkg-source -x --no-check "$HTTPLIB_DSC" src >/dev/null) || return 1
  fi
  echo "$dir/src"
}

run() {  # run PRESET
  local p=$1 log="build/sanitize-$1.log" started=$SECONDS configure=()
  mkdir -p build
  if [[ $p == tsan ]]; then
    local httplib
    if ! httplib=$(httplib_source); then
      summary+=("tsan: cannot fetch Debian's cpp-httplib source ($HTTPLIB_POOL)")
      status=1
      return
    fi
    configure=(-DCLIPDEX_HTTPLIB_HEADER_DIR="$httplib")
  fi
  if ! { cmake --preset "$p" "${configure[@]}" && cmake --build --preset "$p" -j "$jobs"; } >"$log" 2>&1; then
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
