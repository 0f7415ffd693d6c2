#!/usr/bin/env bash
# Dedup scale benchmark: a catalog of 101,000 clips with generated 16-frame signatures (1,000 of
# them planted copies) and `RunDedup` with the default settings (the code path of
# `clipdex dedup`): loading the signatures, the multi-index, candidate verification and the
# write-back. Prints the timings and checks that exactly the planted copies were grouped.
# Usage: [CHUNKS=m] [DEDUP_SCALE_VIDEOS=n] [DEDUP_SCALE_FRAMES=f] bench/dedup_scale.sh [build dir]
#   (build dir default build/release; n x 100 clips, default 1000; f frames a clip, default 16)
#   CHUNKS forces the multi-index chunk count (default: MultiIndexHash::ChunksFor).
# Measured on the 2-core dev box (shared): 9.6 s total, 7.6 s candidate search (3 chunks);
# 2026-12-05, signatures dropped once their codes are taken: 5.1 s total, peak RSS 347 MB (813 MB before);
# CHUNKS=5 10.4 s candidate search.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
/usr/bin/time -f "peak RSS %M KB (the whole test process)" "$build/clipdex_tests" --gtest_also_run_disabled_tests \
  --gtest_filter='DedupScale.DISABLED_Catalog100kSignatures' 2>&1 | grep -E 'dedup of|OK|FAILED|peak RSS'
