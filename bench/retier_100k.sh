#!/usr/bin/env bash
# Re-tier benchmark: builds a catalog of 100,006 generated clips (1,000 videos x 100 clips with
# camera.movement / camera.confidence / framing.faces attributes, inserted with SQL) and times
# `AssignTiers` with a three-tier recipe over those attributes (the code path of `clipdex tier`). Prints the time and
# the per-tier counts. Usage: bench/retier_100k.sh [build dir, default build/cur]
set -euo pipefail
build="${1:-build/cur}"
"$build/clipdex_tests" --gtest_filter='TierTest.Retier100kClips' | grep -A5 're-tier of'
