#!/usr/bin/env bash
# One-stop setup for clipdex on Debian 12 (bookworm). Idempotent: safe to run again.
#
# Usage: bash scripts/setup.sh <step>
#   deps   install the Debian packages the build and the demo need (only the missing ones)
#   build  deps + configure and build the release preset (build/release/clipdex)
#   test   build + run the test suite (ctest); exits non-zero when a test fails
#   demo   build + fetch the demo corpus into demo/corpus, ingest it, print the catalog summary
#          and score shot detection against the montage ground truth
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

PACKAGES=(
  build-essential cmake pkg-config git ffmpeg
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libopencv-dev libopencv-contrib-dev opencv-data
  libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev libyaml-cpp-dev
  libgtest-dev libbenchmark-dev clang-format npm ca-certificates
  chromium  # headless browser: the report test opens the HTML report in it
)

step() { printf '\n==== %s\n' "$*"; }
die() { echo "error: $*" >&2; exit 1; }

usage() {
  sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

deps() {
  step "[deps] checking ${#PACKAGES[@]} Debian packages"
  local pkg missing=()
  for pkg in "${PACKAGES[@]}"; do
    # A Node.js from another source (e.g. NodeSource) bundles npm and conflicts with Debian's npm
    # package: an npm already on PATH counts as installed.
    if [[ "$pkg" == npm ]] && command -v npm >/dev/null; then
      continue
    fi
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "all packages already installed"
    return 0
  fi
  echo "missing: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} manually"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
}

build() {
  step "[build] configure (cmake --preset release)"
  cmake --preset release
  step "[build] compile (cmake --build --preset release)"
  cmake --build --preset release -j2
  [[ -x build/release/clipdex ]] || die "build/release/clipdex was not produced"
  echo "built $ROOT/build/release/clipdex"
}

run_tests() {
  step "[test] ctest --preset release"
  if ! ctest --preset release -j2 --output-on-failure; then
    die "tests failed"
  fi
}

demo() {
  local bin=build/release/clipdex corpus=demo/corpus dataset=demo/demo.clipdex
  step "[demo] fetching the demo corpus into $corpus"
  bash scripts/make_demo_corpus.sh "$corpus"
  step "[demo] clipdex ingest $corpus -o $dataset --jobs 2 --recipe recipes/default.yaml"
  # The recipe picks the analyzers and clip rules and tiers the dataset after the ingest.
  "$bin" ingest "$corpus" -o "$dataset" --jobs 2 --recipe recipes/default.yaml
  step "[demo] clipdex info $dataset"
  "$bin" info "$dataset"
  step "[demo] clipdex eval shots $dataset --gt $corpus/montage.mp4.gt.json"
  "$bin" eval shots "$dataset" --gt "$corpus/montage.mp4.gt.json"
  step "[demo] clipdex report $dataset -o demo/report.html"
  "$bin" report "$dataset" -o demo/report.html
  echo "open demo/report.html in a browser: tier pyramid, attribute histograms, thumbnails"
}

[[ $# -eq 1 ]] || usage
case "$1" in
  deps)  deps ;;
  build) deps; build ;;
  test)  deps; build; run_tests ;;
  demo)  deps; build; demo ;;
  -h|--help|help) usage ;;
  *) echo "unknown step: $1" >&2; usage ;;
esac
step "done: $1"
